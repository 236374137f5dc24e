package ndgrad.core.io;

import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.util.zip.GZIPInputStream;
import java.util.zip.ZipException;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Reads MNIST's IDX files (gzip-compressed): images (magic 0x00000803, count, rows, cols, then unsigned bytes) and
 * labels (magic 0x00000801, count, then bytes), as described on the MNIST page (LeCun, Cortes, Burges). A file with
 * the wrong magic, impossible sizes, truncated contents or broken compression gets an {@link IOException} naming it.
 *
 * <p>Usage: {@code INDArray x = Idx.readImages(in, "train-images"); // (n, rows*cols) float32 in [0, 1]}
 */
public final class Idx {
    private static final int IMAGES = 0x00000803;
    private static final int LABELS = 0x00000801;

    private Idx() {
    }

    /** Images as an (n, rows·cols) float32 array scaled to [0, 1]; the array belongs to the caller (no scope). */
    public static INDArray readImages(InputStream gzip, String name) throws IOException {
        try (DataInputStream in = open(gzip, name)) {
            int count = header(in, IMAGES, name);
            int rows = in.readInt();
            int cols = in.readInt();
            if (rows <= 0 || cols <= 0 || (long) count * rows * cols > Math.min(Integer.MAX_VALUE,
                    Npz.maxInputBytes())) {
                throw new IOException(name + ": implausible image size " + count + " x " + rows + " x " + cols
                        + " (at most " + Math.min(Integer.MAX_VALUE, Npz.maxInputBytes()) + " bytes; system property "
                        + "ndgrad.maxInputBytes)");
            }
            byte[] pixels = readFully(in, count * rows * cols, name);
            float[] v = new float[pixels.length];
            for (int i = 0; i < v.length; i++) {
                v[i] = (pixels[i] & 0xff) / 255f;
            }
            return Nd4j.create(v, new long[] {count, (long) rows * cols}, DataType.FLOAT);
        }
    }

    /** Labels as ints. */
    public static int[] readLabels(InputStream gzip, String name) throws IOException {
        try (DataInputStream in = open(gzip, name)) {
            int count = header(in, LABELS, name);
            if (count > Npz.maxInputBytes()) {
                throw new IOException(name + ": implausible label count " + count + " (at most "
                        + Npz.maxInputBytes() + "; system property ndgrad.maxInputBytes)");
            }
            byte[] raw = readFully(in, count, name);
            int[] labels = new int[raw.length];
            for (int i = 0; i < raw.length; i++) {
                labels[i] = raw[i] & 0xff;
            }
            return labels;
        }
    }

    private static DataInputStream open(InputStream gzip, String name) throws IOException {
        if (gzip == null) {
            throw new IOException(name + ": file not found");
        }
        try {
            return new DataInputStream(new GZIPInputStream(gzip));
        } catch (ZipException | EOFException e) {
            throw new IOException(name + ": not valid gzip data (" + e.getMessage() + ")", e);
        }
    }

    private static int header(DataInputStream in, int magic, String name) throws IOException {
        try {
            int m = in.readInt();
            if (m != magic) {
                throw new IOException(String.format("%s: wrong IDX magic 0x%08x, expected 0x%08x (%s)", name, m,
                        magic, magic == IMAGES ? "images" : "labels"));
            }
            int count = in.readInt();
            if (count < 0) {
                throw new IOException(name + ": negative item count " + count);
            }
            return count;
        } catch (EOFException e) {
            throw new IOException(name + ": truncated header", e);
        } catch (ZipException e) {
            throw new IOException(name + ": not valid gzip data (" + e.getMessage() + ")", e);
        }
    }

    /**
     * The {@code n} data bytes the header declared, then the end of the file (which also checks gzip's CRC): bytes
     * after the declared count are refused.
     */
    private static byte[] readFully(DataInputStream in, int n, String name) throws IOException {
        byte[] b = new byte[n];
        try {
            in.readFully(b);
            long extra = in.skip(Long.MAX_VALUE);
            if (extra > 0) {
                throw new IOException(name + ": " + extra + " bytes after the " + n + " data bytes its header "
                        + "declares");
            }
        } catch (EOFException e) {
            throw new IOException(name + ": truncated: expected " + n + " data bytes", e);
        } catch (ZipException e) {
            throw new IOException(name + ": not valid gzip data (" + e.getMessage() + ")", e);
        }
        return b;
    }
}
