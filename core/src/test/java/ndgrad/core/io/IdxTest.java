package ndgrad.core.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.ByteBuffer;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.ndarray.INDArray;

/** IDX files as issue 34 attacked them: memory follows what the file holds, not what its header declares. */
class IdxTest {

    /** A gzip IDX file: magic, count, dims, then {@code data} bytes, zeros after {@code given}. */
    private static byte[] idx(int magic, int count, int[] dims, byte[] given, long data) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (GZIPOutputStream z = new GZIPOutputStream(out)) {
            ByteBuffer h = ByteBuffer.allocate(8 + 4 * dims.length).putInt(magic).putInt(count);
            for (int d : dims) {
                h.putInt(d);
            }
            z.write(h.array());
            z.write(given);
            byte[] zeros = new byte[1 << 16];
            for (long left = data - given.length; left > 0; left -= zeros.length) {
                z.write(zeros, 0, (int) Math.min(zeros.length, left));
            }
        }
        return out.toByteArray();
    }

    private static long allocated() {
        return ((com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean()).getCurrentThreadAllocatedBytes();
    }

    @Test
    void imagesAndLabelsReadAsTheyAreWritten() throws IOException {
        byte[] pixels = {0, (byte) 255, (byte) 51, 102, 0, 0, 0, 0};
        INDArray x = Idx.readImages(new ByteArrayInputStream(idx(0x803, 2, new int[] {2, 2}, pixels, 8)), "x", 2, 2);
        assertArrayEquals(new long[] {2, 4}, x.shape());
        assertArrayEquals(new float[] {0, 1, 0.2f, 0.4f, 0, 0, 0, 0}, x.reshape(8).toFloatVector(), 1e-7f);
        assertArrayEquals(new int[] {3, 200}, Idx.readLabels(new ByteArrayInputStream(idx(0x801, 2, new int[0],
                new byte[] {3, (byte) 200}, 2)), "y"));
    }

    /** Images of another size are refused from the header, naming the file and both sizes. */
    @Test
    void imagesOfAnotherSizeAreRefusedFromTheHeader() {
        IOException e = assertThrows(IOException.class, () -> Idx.readImages(new ByteArrayInputStream(
                idx(0x803, 3, new int[] {32, 32}, new byte[0], 3 * 1024)), "train-images", 28, 28));
        assertEquals("train-images: its images are 32 x 32 pixels, expected 28 x 28", e.getMessage());
    }

    /**
     * A kilobyte of gzip whose header declares half a billion labels: refused as truncated, having allocated about
     * what the file inflates to (1 MiB here), not the 2 GB the header asks for.
     */
    @Test
    void aHeaderThatDeclaresMoreThanTheFileHoldsCostsWhatTheFileHolds() throws IOException {
        byte[] file = idx(0x801, 500_000_000, new int[0], new byte[0], 1 << 20);
        assertTrue(file.length < 2000, "1 MiB of zeros in " + file.length + " bytes of gzip");
        long before = allocated();
        IOException e = assertThrows(IOException.class, () -> Idx.readLabels(new ByteArrayInputStream(file), "y"));
        long cost = allocated() - before;
        assertEquals("y: truncated: expected 500000000 data bytes, found 1048576", e.getMessage());
        assertTrue(cost < 8L << 20, "allocated " + cost + " bytes to refuse it");
    }

    /** Data past what the header declares is refused without inflating all of it. */
    @Test
    void bytesAfterTheDeclaredDataAreRefused() throws IOException {
        byte[] file = idx(0x801, 3, new int[0], new byte[] {1, 2, 3}, 256L << 20);
        long before = allocated();
        IOException e = assertThrows(IOException.class, () -> Idx.readLabels(new ByteArrayInputStream(file), "y"));
        assertEquals("y: at least 65536 bytes after the 3 data bytes its header declares", e.getMessage());
        assertTrue(allocated() - before < 8L << 20, "allocated " + (allocated() - before));
    }

    /** Results past the reading budget are refused from the header. */
    @Test
    void aDeclaredSizePastTheBudgetIsRefusedFromTheHeader() {
        IOException e = assertThrows(IOException.class, () -> Idx.readImages(new ByteArrayInputStream(
                idx(0x803, 1_000_000, new int[] {28, 28}, new byte[0], 0)), "x", 28, 28));
        assertEquals("x: implausible image size 1000000 x 28 x 28 (it would take 3136000000 bytes, at most "
                + "2147483647; system property ndgrad.maxInputBytes)", e.getMessage());
    }
}
