package ndgrad.core;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ndgrad.core.kernels.Copies;
import ndgrad.core.kernels.Reduce;
import ndgrad.core.memory.ArrayPool;
import ndgrad.core.memory.Scope;
import ndgrad.core.numdiff.FiniteDifference;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

class CoreTest {

    @Test
    void bernoulliDrawsValueWithItsProbabilityAndRepeatsWithItsSeed() {
        double[] v = Copies.values(new Rng(5).bernoulli(DataType.FLOAT, 0.3, 2.0, 100, 100));
        long hits = java.util.Arrays.stream(v).filter(x -> x == 2).count();
        assertEquals(3000, hits, 150, "about 30% of 10,000");
        assertEquals(10_000, hits + java.util.Arrays.stream(v).filter(x -> x == 0).count(), "only 0 and 2");
        assertArrayEquals(v, Copies.values(new Rng(5).bernoulli(DataType.FLOAT, 0.3, 2.0, 100, 100)), 0.0);
        assertEquals(0, java.util.Arrays.stream(Copies.values(new Rng(1).bernoulli(DataType.DOUBLE, 0, 1, 50)))
                .sum(), 0.0);
        assertEquals(50 * 1.5, java.util.Arrays.stream(Copies.values(new Rng(1).bernoulli(DataType.DOUBLE, 1, 1.5,
                50))).sum(), 0.0);
        assertThrows(IllegalArgumentException.class, () -> new Rng(1).bernoulli(DataType.FLOAT, 1.5, 1, 3));
    }

    @Test
    void broadcastingFollowsNumPy() {
        assertArrayEquals(new long[] {3, 4}, Shapes.broadcast("add", new long[] {3, 1}, new long[] {4}));
        assertArrayEquals(new long[] {2, 3, 4}, Shapes.broadcast("mul", new long[] {2, 1, 4}, new long[] {3, 1}));
        assertArrayEquals(new long[] {5}, Shapes.broadcast("add", new long[0], new long[] {5}));
        assertArrayEquals(new long[] {0, 10}, Shapes.broadcast("add", new long[] {0, 10}, new long[] {10}),
                "an empty dimension stays empty against a 1, as in NumPy");
        assertArrayEquals(new long[] {0, 3}, Shapes.broadcast("add", new long[] {1, 3}, new long[] {0, 1}));
        ShapeException e = assertThrows(ShapeException.class,
                () -> Shapes.broadcast("sub", new long[] {3, 4}, new long[] {3}));
        assertTrue(e.getMessage().startsWith("sub:") && e.getMessage().contains("[3, 4]")
                && e.getMessage().contains("4 vs 3"), e.getMessage());
    }

    @Test
    void sumToShapeReducesABroadcastGradient() {
        INDArray g = NdArrays.create(new double[] {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12}, new long[] {2, 2, 3},
                DataType.DOUBLE);
        assertArrayEquals(new double[] {5, 7, 9, 17, 19, 21},
                Reduce.sumTo(g, new long[] {2, 1, 3}).reshape(6).toDoubleVector());
        assertArrayEquals(new double[] {22, 26, 30}, Reduce.sumTo(g, new long[] {3}).toDoubleVector());
        assertEquals(78.0, Reduce.sumTo(g, new long[0]).getDouble(0));
        assertEquals(78.0, Reduce.sumTo(g, new long[] {1, 1}).getDouble(0, 0));
        assertThrows(ShapeException.class, () -> Reduce.sumTo(g, new long[] {2}));
    }

    @Test
    void axesAreNormalizedAndChecked() {
        assertArrayEquals(new int[] {0, 2}, Shapes.axes("sum", new int[] {-1, 0}, 3));
        assertArrayEquals(new int[] {0, 1, 2}, Shapes.axes("sum", new int[0], 3));
        assertThrows(ShapeException.class, () -> Shapes.axes("sum", new int[] {1, -2}, 3));
        assertThrows(ShapeException.class, () -> Shapes.axis("sum", 3, 3));
    }

    @Test
    void oneSeedGivesTheSameNumbersTwice() {
        INDArray a = new Rng(42).normal(DataType.FLOAT, 3, 4);
        INDArray b = new Rng(42).normal(DataType.FLOAT, 3, 4);
        assertEquals(a, b);
        assertNotEquals(a, new Rng(43).normal(DataType.FLOAT, 3, 4));
        assertArrayEquals(new Rng(7).permutation(10), new Rng(7).permutation(10));
        // U(-2, 3) from 100,000 draws: mean 0.5 and variance 25/12 within 5 standard errors (0.023 and 0.012), and
        // both ends reached to within 1e-3 (a wrong offset or scale fails; each bound holds with probability 1 - 1e-6)
        double[] u = Copies.values(new Rng(1).uniform(DataType.DOUBLE, -2, 3, 100_000));
        double mean = java.util.Arrays.stream(u).average().orElseThrow();
        double var = java.util.Arrays.stream(u).map(x -> (x - mean) * (x - mean)).sum() / (u.length - 1);
        double lo = java.util.Arrays.stream(u).min().orElseThrow();
        double hi = java.util.Arrays.stream(u).max().orElseThrow();
        assertTrue(lo >= -2 && lo < -2 + 1e-3 && hi < 3 && hi > 3 - 1e-3, "range [" + lo + ", " + hi + "]");
        assertEquals(0.5, mean, 5 * Math.sqrt(25.0 / 12 / u.length));
        assertEquals(25.0 / 12, var, 5 * 25.0 / 12 * Math.sqrt(0.8 / u.length));
        INDArray n = new Rng(1).normal(DataType.DOUBLE, 20000);
        assertEquals(0, n.meanNumber().doubleValue(), 0.03);
        assertEquals(1, n.stdNumber().doubleValue(), 0.03);
    }

    @Test
    void float64ValuesAreNotRoundedThroughFloat32() {
        try (var d = DTypes.use(DataType.DOUBLE)) {
            assertEquals(DataType.DOUBLE, DTypes.defaultType());
        }
        assertEquals(DataType.FLOAT, DTypes.defaultType());
        INDArray a = NdArrays.create(new double[] {6.8813735870195432}, new long[] {1}, DataType.DOUBLE);
        assertEquals(6.8813735870195432, a.getDouble(0), 0.0);
        assertEquals(0, NdArrays.create(new double[] {2}, new long[0], DataType.FLOAT).rank());
        assertThrows(ShapeException.class, () -> NdArrays.create(new double[] {1, 2}, new long[] {3},
                DataType.FLOAT));
        assertThrows(ShapeException.class, () -> DTypes.use(DataType.INT));
    }

    @Test
    void aScopeLetsGoOfWhatItOwnsButNeverAViewOrAnOutsideArray() {
        ArrayPool.setLimitBytes(0);
        INDArray outside = Nd4j.ones(DataType.FLOAT, 4, 4);
        INDArray owned;
        INDArray kept;
        try (Scope s = Scope.open()) {
            owned = Scope.track(Nd4j.zeros(DataType.FLOAT, 3));
            kept = Scope.keep(Scope.track(Nd4j.zeros(DataType.FLOAT, 2)));
            Scope.track(outside.reshape(16));
            assertTrue(s.owns(owned) && !s.owns(kept));
            assertTrue(NdArrays.sharesMemory(outside.transpose(), outside));
            assertFalse(NdArrays.sharesMemory(outside.dup(), outside));
        }
        assertTrue(owned.wasClosed());
        assertFalse(kept.wasClosed());
        assertFalse(outside.wasClosed());
        assertEquals(16.0, outside.sumNumber().doubleValue());
        ArrayPool.setLimitBytes(256L << 20);
    }

    /** Central differences are second order: halving h cuts the error of d/dx sin(x) at x = 1 about 4×. */
    @Test
    void centralDifferenceIsSecondOrderAndRestoresTheInput() {
        INDArray x = NdArrays.create(new double[] {1.0, 2.0}, new long[] {2}, DataType.DOUBLE);
        double exact = Math.cos(1.0);
        double e1 = Math.abs(FiniteDifference.centralPartial(x, 0, 1e-2, () -> org.nd4j.linalg.ops.transforms
                .Transforms.sin(x, true))[0] - exact);
        double e2 = Math.abs(FiniteDifference.centralPartial(x, 0, 5e-3, () -> org.nd4j.linalg.ops.transforms
                .Transforms.sin(x, true))[0] - exact);
        assertEquals(4.0, e1 / e2, 0.05);
        assertArrayEquals(new double[] {1.0, 2.0}, x.toDoubleVector(), 0.0);
        INDArray u = NdArrays.create(new double[] {0.6, 0.8}, new long[] {2}, DataType.DOUBLE);
        double[] d = FiniteDifference.centralDirectional(x, u, 1e-5, () -> x.mul(x).sum());
        assertEquals(2 * (0.6 * 1 + 0.8 * 2), d[0], 1e-8);
        assertArrayEquals(new double[] {1.0, 2.0}, x.toDoubleVector(), 0.0);
    }
}
