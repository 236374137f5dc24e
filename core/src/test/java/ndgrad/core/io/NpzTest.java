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
}
