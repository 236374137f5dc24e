package ndgrad.examples;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.Arrays;
import java.util.zip.GZIPOutputStream;
import ndgrad.core.Idx;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.ndarray.INDArray;

class ExamplesTest {
    private static InputStream shipped(String file) {
        return ExamplesTest.class.getResourceAsStream("/mnist/" + file);
    }

    private static byte[] bytes(String file) throws IOException {
        try (InputStream in = shipped(file)) {
            return in.readAllBytes();
        }
    }

    private static byte[] gzip(byte[] raw) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (GZIPOutputStream z = new GZIPOutputStream(out)) {
            z.write(raw);
        }
        return out.toByteArray();
    }

    @Test
    void theShippedFilesReadAsTheirProvenanceNoteSays() throws IOException {
        INDArray x = Idx.readImages(shipped("mnist-10k-images-idx3-ubyte.gz"), "images");
        int[] y = Idx.readLabels(shipped("mnist-10k-labels-idx1-ubyte.gz"), "labels");
        assertArrayEquals(new long[] {10000, 784}, x.shape());
        assertEquals(10000, y.length);
        int[] counts = new int[10];
        Arrays.stream(y).forEach(l -> counts[l]++);
        assertArrayEquals(new int[] {1001, 1127, 991, 1032, 980, 863, 1014, 1070, 944, 978}, counts);
        assertTrue(x.minNumber().doubleValue() == 0 && x.maxNumber().doubleValue() == 1);
    }

    @Test
    void corruptedCopiesAreRejectedWithTheirName() throws IOException {
        byte[] labels = bytes("mnist-10k-labels-idx1-ubyte.gz");
        IOException magic = assertThrows(IOException.class, () -> Idx.readImages(new ByteArrayInputStream(labels),
                "labels-as-images"));
        assertTrue(magic.getMessage().contains("labels-as-images") && magic.getMessage().contains("magic"));
        byte[] truncated = Arrays.copyOf(labels, labels.length / 2);
        assertThrows(IOException.class, () -> Idx.readLabels(new ByteArrayInputStream(truncated), "half"));
        byte[] raw = gzip(new byte[] {0, 0, 8, 1, 0, 0, 0, 5, 1, 2});
        IOException shortData = assertThrows(IOException.class, () -> Idx.readLabels(new ByteArrayInputStream(raw),
                "short"));
        assertTrue(shortData.getMessage().contains("truncated"), shortData.getMessage());
        IOException notGzip = assertThrows(IOException.class, () -> Idx.readLabels(new ByteArrayInputStream(
                new byte[] {1, 2, 3, 4}), "plain"));
        assertTrue(notGzip.getMessage().contains("gzip"), notGzip.getMessage());
    }

    @Test
    void oneEpochOnTwoThousandDigitsLearns() throws IOException {
        INDArray x = Idx.readImages(shipped("mnist-10k-images-idx3-ubyte.gz"), "images");
        int[] y = Idx.readLabels(shipped("mnist-10k-labels-idx1-ubyte.gz"), "labels");
        double acc = TrainMnist.train(new TrainMnist.Settings(1, 32, 1e-3, 2000, 42), x, y);
        assertTrue(acc >= 0.80, "test accuracy after one epoch on 2,000 digits: " + acc);
    }

    @Test
    void theQuickstartRuns() {
        Quickstart.main(new String[0]);
    }
}
