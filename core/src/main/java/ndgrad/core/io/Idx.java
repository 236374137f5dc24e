package ndgrad.core.io;

import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.util.Arrays;
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
 * <p>Usage: {@code INDArray x = Idx.readImages(in, "train-images", 28, 28); // (n, 784) float32 in [0, 1]}
 */
public final class Idx {
    private static final int IMAGES = 0x00000803;
    private static final int LABELS = 0x00000801;

    private Idx() {
    }

    /**
     * Images of {@code rows x cols} pixels as an (n, rows·cols) float32 array scaled to [0, 1]; the array belongs to
     * the caller (no scope). Images of another size are refused from the header, before their data is read.
     */
    public static INDArray readImages(InputStream gzip, String name, int rows, int cols) throws IOException {
        return read(gzip, name, in -> {
            int count = header(in, IMAGES, name);
            int r = in.readInt();
            int c = in.readInt();
            if (r != rows || c != cols) {
                throw new IOException(name + ": its images are " + r + " x " + c + " pixels, expected " + rows + " x "
                        + cols);
            }
            long n = (long) count * rows * cols;
            check(name, "image size " + count + " x " + rows + " x " + cols, 4 * n);
            byte[] pixels = readFully(in, (int) n, name);
            INDArray x = Nd4j.createUninitialized(DataType.FLOAT, count, (long) rows * cols);
            if (n == 0) {
                return x;
            }
            java.nio.FloatBuffer to = x.data().asNioFloat();
            for (byte p : pixels) {
                to.put((p & 0xff) / 255f);
            }
            return x;
        });
    }

    /** Labels as ints. */
    public static int[] readLabels(InputStream gzip, String name) throws IOException {
        return read(gzip, name, in -> {
            int count = header(in, LABELS, name);
            check(name, "label count " + count, 4L * count);
            byte[] raw = readFully(in, count, name);
            int[] labels = new int[raw.length];
            for (int i = 0; i < raw.length; i++) {
                labels[i] = raw[i] & 0xff;
            }
            return labels;
        });
    }

    /** What is read from an IDX file's stream. */
    private interface Body<T> {
        T read(DataInputStream in) throws IOException;
    }

    /**
     * Runs {@code body} on the decompressed stream: the stream ending early is a truncated file, and broken gzip data
     * anywhere (a bad header, block or checksum) is named as such.
     */
    private static <T> T read(InputStream gzip, String name, Body<T> body) throws IOException {
        try (DataInputStream in = open(gzip, name)) {
            return body.read(in);
        } catch (EOFException e) {
            throw new IOException(name + ": truncated header", e);
        } catch (ZipException e) {
            throw new IOException(name + ": not valid gzip data (" + e.getMessage() + ")", e);
        }
    }

    /** Refuses a header whose result would take more than {@link Npz#maxInputBytes} bytes. */
    private static void check(String name, String what, long bytes) throws IOException {
        long limit = Math.min(Integer.MAX_VALUE, Npz.maxInputBytes());
        if (bytes > limit) {
            throw new IOException(name + ": implausible " + what + " (it would take " + bytes + " bytes, at most "
                    + limit + "; system property ndgrad.maxInputBytes)");
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
        int m = in.readInt();
        if (m != magic) {
            throw new IOException(String.format("%s: wrong IDX magic 0x%08x, expected 0x%08x (%s)", name, m, magic,
                    magic == IMAGES ? "images" : "labels"));
        }
        int count = in.readInt();
        if (count < 0) {
            throw new IOException(name + ": negative item count " + count);
        }
        return count;
    }

    /**
     * The {@code n} data bytes the header declared, then the end of the file (which also checks gzip's CRC): bytes
     * after the declared count are refused. The buffer grows with what arrives, so a header that declares more than
     * the file holds costs no more than what the file holds.
     */
    private static byte[] readFully(DataInputStream in, int n, String name) throws IOException {
        byte[] b = new byte[Math.min(n, 1 << 16)];
        int have = 0;
        try {
            while (have < n) {
                if (have == b.length) {
                    b = Arrays.copyOf(b, (int) Math.min(n, 2L * b.length));
                }
                int k = in.read(b, have, b.length - have);
                if (k < 0) {
                    throw new IOException(name + ": truncated: expected " + n + " data bytes, found " + have);
                }
                have += k;
            }
            int extra = in.readNBytes(1 << 16).length;
            if (extra > 0) {
                throw new IOException(name + ": " + (extra == 1 << 16 ? "at least " : "") + extra + " bytes after the "
                        + n + " data bytes its header "
                        + "declares");
            }
        } catch (EOFException e) {
            throw new IOException(name + ": truncated: expected " + n + " data bytes, found " + have, e);
        }
        return b;
    }
}
