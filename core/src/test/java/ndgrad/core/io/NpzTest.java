package ndgrad.core.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ndgrad.core.NdArrays;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

class NpzTest {

    /** The NPY 1.0 layout from numpy.lib.format: magic, version 1.0, little-endian header length, padded dict. */
    @Test
    void npyHeaderIsExactlyNumPysFormat() throws IOException {
        INDArray a = NdArrays.create(new double[] {1, 2, 3, 4, 5, 6}, new long[] {2, 3}, DataType.FLOAT);
        byte[] b = Npz.npyBytes("a", a);
        assertArrayEquals(new byte[] {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y', 1, 0}, java.util.Arrays.copyOf(b, 8));
        int headerLength = (b[8] & 0xff) | (b[9] & 0xff) << 8;
        assertEquals(0, (10 + headerLength) % 64, "data starts on a 64-byte boundary");
        String header = new String(b, 10, headerLength, StandardCharsets.US_ASCII);
        assertTrue(header.startsWith("{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }"), header);
        assertTrue(header.endsWith("\n"));
        assertEquals(10 + headerLength + 6 * 4, b.length);
        String vector = new String(Npz.npyBytes("v", NdArrays.create(new double[] {1, 2, 3}, new long[] {3},
                DataType.DOUBLE)), 10, 60, StandardCharsets.US_ASCII);
        assertTrue(vector.contains("'descr': '<f8'") && vector.contains("'shape': (3,)"), vector);
    }

    @Test
    void writeThenReadRoundTrips(@TempDir Path dir) throws IOException {
        Map<String, INDArray> m = new LinkedHashMap<>();
        m.put("w", NdArrays.create(new double[] {1.5, -2, 3.25, 0.1}, new long[] {2, 2}, DataType.DOUBLE));
        m.put("b", NdArrays.create(new double[] {0.5f, 7}, new long[] {2}, DataType.FLOAT));
        m.put("s", NdArrays.create(new double[] {42}, new long[0], DataType.DOUBLE));
        Path f = dir.resolve("x.npz");
        Npz.write(f, m);
        Map<String, INDArray> r = Npz.read(f);
        assertEquals(m.keySet(), r.keySet());
        m.forEach((k, v) -> {
            assertEquals(v.dataType(), r.get(k).dataType());
            assertArrayEquals(v.shape(), r.get(k).shape());
            assertEquals(v, r.get(k));
        });
        try (var files = Files.list(dir)) {
            assertEquals(1, files.count(), "no temporary file is left behind");
        }
    }

    @Test
    void aFailedWriteNeverReplacesAGoodFile(@TempDir Path dir) throws IOException {
        Path f = dir.resolve("model.npz");
        Npz.write(f, Map.of("w", NdArrays.create(new double[] {1, 2}, new long[] {2}, DataType.DOUBLE)));
        byte[] good = Files.readAllBytes(f);
        Map<String, INDArray> bad = new LinkedHashMap<>();
        bad.put("a", NdArrays.create(new double[] {3}, new long[] {1}, DataType.DOUBLE));
        bad.put("b", org.nd4j.linalg.factory.Nd4j.create(new int[] {1, 2}, new long[] {2}, DataType.INT));
        assertThrows(IOException.class, () -> Npz.write(f, bad), "INT arrays are not written");
        assertArrayEquals(good, Files.readAllBytes(f), "the good file is untouched");
        try (var files = Files.list(dir)) {
            assertEquals(1, files.count(), "and no temporary file is left");
        }
    }

    @Test
    void aCorruptFileIsRefused(@TempDir Path dir) throws IOException {
        Path f = dir.resolve("bad.npz");
        Files.write(f, new byte[] {1, 2, 3});
        assertThrows(IOException.class, () -> Npz.read(f));
    }

    /** A zip holding one .npy entry: the header text as given, then {@code data} bytes (written zeros). */
    private static Path npz(Path file, String shape, String descr, long data) throws IOException {
        String header = "{'descr': '" + descr + "', 'fortran_order': False, 'shape': (" + shape + "), }";
        header = header + " ".repeat((64 - (10 + header.length() + 1) % 64) % 64) + "\n";
        try (ZipOutputStream zip = new ZipOutputStream(Files.newOutputStream(file))) {
            zip.putNextEntry(new ZipEntry("w.npy"));
            zip.write(new byte[] {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y', 1, 0, (byte) header.length(),
                (byte) (header.length() >> 8)});
            zip.write(header.getBytes(StandardCharsets.US_ASCII));
            byte[] zeros = new byte[1 << 20];
            for (long left = data; left > 0; left -= zeros.length) {
                zip.write(zeros, 0, (int) Math.min(zeros.length, left));
            }
            zip.closeEntry();
        }
        return file;
    }

    private static String refusal(Path file) {
        return assertThrows(IOException.class, () -> Npz.read(file)).getMessage();
    }

    /**
     * Issue 34's bomb: an entry that inflates to far more than its header declares is refused as soon as it passes
     * the declared bytes, before any array is made; one that declares more than it holds is refused at its end.
     */
    @Test
    void anEntryIsRefusedByWhatItReallyHoldsNotWhatItDeclares(@TempDir Path dir) throws IOException {
        Path bomb = npz(dir.resolve("bomb.npz"), "2,", "<f8", 256L << 20);
        assertTrue(Files.size(bomb) < 1 << 20, "256 MiB of zeros deflate to " + Files.size(bomb) + " bytes");
        long before = allocated();
        String m = refusal(bomb);
        assertTrue(m.startsWith(bomb + ":w.npy: the entry holds more than the 16 data bytes"), m);
        assertTrue(allocated() - before < 4L << 20, "allocated " + (allocated() - before) + " bytes to refuse it");
        Path liar = npz(dir.resolve("liar.npz"), "100000000,", "<f8", 24);
        m = refusal(liar);
        assertTrue(m.contains("expected 800000000 data bytes for shape [100000000], found 24"), m);
    }

    /** A legitimate 32 MiB entry goes straight into its (off-heap) array: the heap sees only a buffer. */
    @Test
    void readingAnEntryCostsItsArrayAndABuffer(@TempDir Path dir) throws IOException {
        Path big = npz(dir.resolve("big.npz"), "4194304,", "<f8", 32L << 20);
        long before = allocated();
        INDArray w = Npz.read(big).get("w");
        long heap = allocated() - before;
        assertArrayEquals(new long[] {4194304}, w.shape());
        assertEquals(0, w.maxNumber().doubleValue());
        assertTrue(heap < 4L << 20, "allocated " + heap + " bytes of heap for a 32 MiB entry");
    }

    private static long allocated() {
        return ((com.sun.management.ThreadMXBean) java.lang.management.ManagementFactory.getThreadMXBean())
                .getCurrentThreadAllocatedBytes();
    }

    /** Shapes a header may hold that are not shapes: each refused with the file, the entry and what was expected. */
    @Test
    void impossibleShapesAreRefusedByName(@TempDir Path dir) throws IOException {
        String m = refusal(npz(dir.resolve("power.npz"), "2**40,", "<f4", 0));
        assertTrue(m.startsWith(dir.resolve("power.npz") + ":w.npy: shape (2**40,) in its header: expected whole "
                + "numbers >= 0, found '2**40'"), m);
        m = refusal(npz(dir.resolve("negative.npz"), "-3,", "<f4", 0));
        assertTrue(m.contains("found '-3'"), m);
        m = refusal(npz(dir.resolve("overflow.npz"), "4294967296, 4294967296", "<f4", 0));
        assertTrue(m.endsWith("shape [4294967296, 4294967296] in its header has more than 2147483647 elements"), m);
        m = refusal(npz(dir.resolve("huge.npz"), "99999999999999999999,", "<f4", 0));
        assertTrue(m.contains("found '99999999999999999999'"), m);
        m = refusal(npz(dir.resolve("int.npz"), "2,", "<i4", 8));
        assertTrue(m.endsWith("dtype <i4 is not supported (expected <f4, <f8 or <i8)"), m);
    }

    /** The budget of declared bytes, and a property that is not a number refused by name. */
    @Test
    void theReadingBudgetIsAPropertyCheckedByName(@TempDir Path dir) throws IOException {
        Path f = npz(dir.resolve("f.npz"), "4,", "<f8", 32);
        String before = System.getProperty("ndgrad.maxInputBytes");
        try {
            System.setProperty("ndgrad.maxInputBytes", "16");
            assertTrue(refusal(f).contains("declares 32 data bytes (shape [4]), more than the 16 bytes left"));
            System.setProperty("ndgrad.maxInputBytes", "2GB");
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Npz.read(f));
            assertEquals("system property ndgrad.maxInputBytes=2GB: expected a positive whole number of bytes",
                    e.getMessage());
        } finally {
            if (before == null) {
                System.clearProperty("ndgrad.maxInputBytes");
            } else {
                System.setProperty("ndgrad.maxInputBytes", before);
            }
        }
        assertEquals(4, Npz.read(f).get("w").length());
    }

    /** An Expect sees each header before its data: it can skip an entry or refuse the file, at no cost. */
    @Test
    void anExpectChecksHeadersBeforeTheData(@TempDir Path dir) throws IOException {
        Map<String, INDArray> m = new LinkedHashMap<>();
        m.put("w", NdArrays.create(new double[] {1, 2, 3, 4, 5, 6}, new long[] {2, 3}, DataType.FLOAT));
        m.put("meta", NdArrays.create(new double[] {7}, new long[0], DataType.DOUBLE));
        m.put("ids", org.nd4j.linalg.factory.Nd4j.createFromArray(3L, -1L));
        m.put("none", NdArrays.create(new double[0], new long[] {0, 2}, DataType.DOUBLE));
        Path f = dir.resolve("m.npz");
        Npz.write(f, m);
        Map<String, long[]> seen = new LinkedHashMap<>();
        Map<String, INDArray> meta = Npz.read(f, (name, shape) -> seen.put(name, shape) == null && name.equals("meta"));
        assertEquals(m.keySet(), seen.keySet());
        assertArrayEquals(new long[] {2, 3}, seen.get("w"));
        assertEquals(Map.of("meta", m.get("meta")), meta);
        Map<String, INDArray> all = Npz.read(f);
        assertEquals(m, all);
        assertArrayEquals(new long[] {3, -1}, all.get("ids").toLongVector());
        IOException e = assertThrows(IOException.class, () -> Npz.read(f, (name, shape) -> {
            throw new IOException(name + " refused");
        }));
        assertEquals("w refused", e.getMessage());
    }
}
