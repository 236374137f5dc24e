package ndgrad.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.ArrayList;
import java.util.List;
import ndgrad.autograd.Tensor;
import ndgrad.core.NdArrays;
import ndgrad.core.Rng;
import ndgrad.core.ShapeException;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;

/** Batches: every row once per epoch, rows of all tensors together, a seeded order that changes per epoch. */
class DataLoaderTest {
    /** x row i is (i, 10 i); y[i] = 100 + i (int64). */
    private static Tensor[] data(int n) {
        double[] x = new double[2 * n];
        double[] y = new double[n];
        for (int i = 0; i < n; i++) {
            x[2 * i] = i;
            x[2 * i + 1] = 10 * i;
            y[i] = 100 + i;
        }
        return new Tensor[] {Tensor.of(x, n, 2), Tensor.of(NdArrays.create(y, new long[] {n}, DataType.LONG))};
    }

    private static List<Integer> epoch(DataLoader loader, List<Integer> sizes) {
        List<Integer> seen = new ArrayList<>();
        for (Tensor[] b : loader) {
            double[] x = b[0].toDoubleArray();
            double[] y = b[1].toDoubleArray();
            sizes.add(y.length);
            for (int r = 0; r < y.length; r++) {
                assertEquals(10 * x[2 * r], x[2 * r + 1], "a row stays whole");
                assertEquals(100 + x[2 * r], y[r], "x and y rows travel together");
                seen.add((int) x[2 * r]);
            }
        }
        return seen;
    }

    @Test
    void everyRowOncePerEpochInASeededOrder() {
        Tensor[] d = data(10);
        DataLoader loader = DataLoader.of(d).batchSize(4).shuffle(new Rng(7));
        assertEquals(3, loader.batches());
        List<Integer> sizes = new ArrayList<>();
        List<Integer> first = epoch(loader, sizes);
        assertEquals(List.of(4, 4, 2), sizes);
        assertEquals(List.of(0, 1, 2, 3, 4, 5, 6, 7, 8, 9), first.stream().sorted().toList());
        List<Integer> second = epoch(loader, new ArrayList<>());
        assertNotEquals(first, second, "a new order each epoch");
        assertEquals(first, epoch(DataLoader.of(d).batchSize(4).shuffle(new Rng(7)), new ArrayList<>()),
                "the same seed gives the same order");
    }

    @Test
    void inOrderAndDroppingTheLastBatch() {
        Tensor[] d = data(10);
        List<Integer> sizes = new ArrayList<>();
        assertEquals(List.of(0, 1, 2, 3, 4, 5, 6, 7, 8), epoch(DataLoader.of(d).batchSize(3).dropLast(true), sizes));
        assertEquals(List.of(3, 3, 3), sizes);
        Tensor[] b = DataLoader.of(d).batchSize(3).iterator().next();
        assertArrayEquals(new long[] {3, 2}, b[0].shape());
        assertEquals(DataType.LONG, b[1].dtype());
    }

    @Test
    void mismatchedSizesAreRefused() {
        assertThrows(ShapeException.class, () -> DataLoader.of(Tensor.zeros(4, 2), Tensor.zeros(5)));
        assertThrows(IllegalArgumentException.class, () -> DataLoader.of(Tensor.zeros(4)).batchSize(0));
        assertThrows(IllegalArgumentException.class, () -> DataLoader.of());
        assertThrows(ShapeException.class, () -> DataLoader.of(Tensor.scalar(1)));
    }

    /** Batches: a division rounded up, or down when the last is dropped; batch size 1 is one row each. */
    @Test
    void theNumberOfBatches() {
        assertEquals(3, DataLoader.of(Tensor.zeros(12)).batchSize(4).batches());
        assertEquals(3, DataLoader.of(Tensor.zeros(12)).batchSize(4).dropLast(true).batches());
        assertEquals(4, DataLoader.of(Tensor.zeros(13)).batchSize(4).batches());
        assertEquals(3, DataLoader.of(Tensor.zeros(13)).batchSize(4).dropLast(true).batches());
        DataLoader ones = DataLoader.of(Tensor.zeros(3)).batchSize(1);
        assertEquals(3, ones.batches());
        java.util.Iterator<Tensor[]> it = ones.iterator();
        it.next();
        it.next();
        it.next();
        assertThrows(java.util.NoSuchElementException.class, it::next);
    }
}
