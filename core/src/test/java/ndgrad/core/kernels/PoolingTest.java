package ndgrad.core.kernels;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import ndgrad.core.NdArrays;
import ndgrad.core.Rng;
import ndgrad.core.memory.ArrayPool;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

class PoolingTest {

    /** One 4x4 plane, 2x2 windows of stride 2: a tie (the first in scan order wins), a NaN (it wins) and a -0.0. */
    private static final double[] PLANE = {
        1, 3, 0, -0.0,
        3, 2, -1, -2,
        5, Double.NaN, 7, 7,
        9, 4, 8, 7,
    };

    @Test
    void maxKeepsTheFirstLargestOrTheNaNAndItsOffsetInBothPrecisions() {
        Unfold.Geometry g = new Unfold.Geometry(1, 1, 4, 4, 2, 2, 2, 2, 0, 0, 1, 1);
        for (DataType type : new DataType[] {DataType.FLOAT, DataType.DOUBLE}) {
            INDArray at = offsets(4);
            INDArray y = Pooling.max(NdArrays.create(PLANE, g.input(), type), g, at);
            assertEquals(type, y.dataType());
            assertArrayEquals(new long[] {1, 1, 2, 2}, y.shape());
            assertArrayEquals(new int[] {1, 2, 9, 14}, at.toIntVector(),
                    type + ": offsets of 3 (first of two), 0, NaN, 8");
            double[] v = Copies.values(y);
            assertEquals(3, v[0], 0.0);
            assertEquals(0, v[1], 0.0);
            assertEquals(Double.NaN, v[2], 0.0);
            assertEquals(8, v[3], 0.0);
            INDArray dx = Pooling.scatter(NdArrays.create(new double[] {10, 20, 30, 40}, y.shape(), type), at, g);
            assertArrayEquals(new double[] {0, 10, 20, 0, 0, 0, 0, 0, 0, 30, 0, 0, 0, 0, 40, 0}, Copies.values(dx),
                    0.0, type + ": each gradient at its maximum alone");
        }
    }

    @Test
    void theCopyOfAViewThatPoolingAndUnfoldingReadGoesBackToThePoolWithNoScopeOpen() {
        for (DataType type : new DataType[] {DataType.FLOAT, DataType.DOUBLE}) {
            INDArray view = new Rng(2).normal(type, 2, 3, 4, 8).permute(0, 1, 3, 2); // (2, 3, 8, 4), not plain
            Unfold.Geometry g = new Unfold.Geometry(2, 3, 8, 4, 2, 2, 2, 2, 0, 0, 1, 1);
            INDArray at = offsets(2 * 3 * 4 * 2);
            INDArray plainAt = offsets(2 * 3 * 4 * 2);
            double[] expected = Copies.values(Pooling.max(view.dup('c'), g, plainAt));
            ArrayPool.clear();
            double[] y = Copies.values(Pooling.max(view, g, at));
            // read from a C-order copy, back in the pool after
            assertEquals(1, ArrayPool.stats().arrays(), type + ": Pool's copy");
            assertArrayEquals(expected, y, 0.0);
            assertArrayEquals(plainAt.toIntVector(), at.toIntVector());
            ArrayPool.clear();
            double[] cols = Copies.values(Unfold.unfold(view, g, 0));
            assertEquals(1, ArrayPool.stats().arrays(), type + ": the copy Unfold read, back in the pool");
            assertArrayEquals(Copies.values(Unfold.unfold(view.dup('c'), g, 0)), cols, 0.0);
            INDArray colsView = Unfold.unfold(view.dup('c'), g, 0).transpose().dup('c').transpose(); // F order
            ArrayPool.clear();
            double[] folded = Copies.values(Unfold.fold(colsView, g));
            assertEquals(1, ArrayPool.stats().arrays(), type + ": the copy fold read, back in the pool");
            assertArrayEquals(Copies.values(Unfold.fold(colsView.dup('c'), g)), folded, 0.0);
        }
        ArrayPool.clear();
    }

    @Test
    void float32AndFloat64AgreeOnRandomInputsWithAndWithoutPaddingOrDilation() {
        Rng rng = new Rng(3);
        Unfold.Geometry[] geometries = {
            new Unfold.Geometry(2, 3, 9, 8, 2, 2, 2, 2, 0, 0, 1, 1),
            new Unfold.Geometry(2, 3, 9, 8, 3, 2, 1, 2, 0, 0, 2, 1),
            new Unfold.Geometry(2, 3, 9, 8, 3, 3, 2, 2, 1, 1, 1, 1),
            new Unfold.Geometry(2, 3, 9, 8, 2, 2, 1, 1, 0, 0, 2, 2),
        };
        for (Unfold.Geometry g : geometries) {
            // relu'd values in halves: many ties, at 0 and above, where the first in scan order must win in both
            // precisions
            double[] x = Copies.values(rng.normal(DataType.DOUBLE, g.input()));
            for (int i = 0; i < x.length; i++) {
                x[i] = Math.max(0, Math.rint(2 * x[i]) / 2);
            }
            // and NaNs scattered over the windows' positions: the first NaN of a window wins over any number
            for (int i = 0; i < x.length; i += 37) {
                x[i] = Double.NaN;
            }
            int n = (int) (g.n() * g.c() * g.oh() * g.ow());
            INDArray at32 = offsets(n);
            INDArray at64 = offsets(n);
            double[] y32 = Copies.values(Pooling.max(NdArrays.create(x, g.input(), DataType.FLOAT), g, at32));
            double[] y64 = Copies.values(Pooling.max(NdArrays.create(x, g.input(), DataType.DOUBLE), g, at64));
            assertArrayEquals(at64.toIntVector(), at32.toIntVector(), g.toString());
            assertArrayEquals(y64, y32, 0.0, g.toString());
            for (int k = 0; k < n; k++) {
                assertEquals(x[at64.getInt(k)], y64[k], 0.0, "the value at the kept offset");
            }
            double[] dy = Copies.values(rng.normal(DataType.DOUBLE, n));
            INDArray dx32 = Pooling.scatter(NdArrays.create(dy, new long[] {g.n(), g.c(), g.oh(), g.ow()},
                    DataType.FLOAT), at32, g);
            INDArray dx64 = Pooling.scatter(NdArrays.create(dy, new long[] {g.n(), g.c(), g.oh(), g.ow()},
                    DataType.DOUBLE), at64, g);
            assertArrayEquals(Copies.values(dx64), Copies.values(dx32), 1e-6, g.toString());
            assertArrayEquals(Copies.values(Pooling.select(dx64, at64, g)), Copies.values(Pooling.select(dx32, at32, g)),
                    1e-6, g.toString());
        }
    }

    /**
     * Above {@link Unfold#PARALLEL_ENTRIES} the float32 passes split over the cores: unfold and fold still give what
     * plain loops over the geometry give (stride 2, padding 1, dilation 2, 3 channels, 160 samples: 0.31 M entries),
     * fold with each input's sums in the same order, so exactly.
     */
    @Test
    void unfoldAndFoldSplitOverTheCoresGiveWhatPlainLoopsGive() {
        Unfold.Geometry g = new Unfold.Geometry(160, 3, 20, 18, 3, 3, 2, 2, 1, 1, 2, 2);
        long entries = g.columns()[0] * g.columns()[1];
        assertEquals(true, entries >= Unfold.PARALLEL_ENTRIES, "the split path: " + entries + " entries");
        INDArray x = new Rng(3).normal(DataType.FLOAT, g.input());
        float[] xv = new float[(int) x.length()];
        double[] xd = Copies.values(x);
        for (int i = 0; i < xv.length; i++) {
            xv[i] = (float) xd[i];
        }
        int oh = g.oh();
        int ow = g.ow();
        long cols = g.columns()[1];
        float[] want = new float[(int) entries];
        float[] back = new float[xv.length];
        for (int c = 0; c < g.c(); c++) {
            for (int i = 0; i < g.kh(); i++) {
                for (int j = 0; j < g.kw(); j++) {
                    int row = (c * g.kh() + i) * g.kw() + j;
                    for (int n = 0; n < g.n(); n++) {
                        for (int y = 0; y < oh; y++) {
                            for (int z = 0; z < ow; z++) {
                                int r = y * g.sh() - g.ph() + i * g.dh();
                                int q = z * g.sw() - g.pw() + j * g.dw();
                                int at = (int) (row * cols + (n * oh + y) * ow + z);
                                boolean inside = r >= 0 && r < g.h() && q >= 0 && q < g.w();
                                int src = ((n * g.c() + c) * g.h() + r) * g.w() + q;
                                want[at] = inside ? xv[src] : -7f;
                            }
                        }
                    }
                }
            }
        }
        double[] got = Copies.values(Unfold.unfold(x, g, -7));
        for (int k = 0; k < want.length; k++) {
            assertEquals(want[k], got[k], 0.0, "column entry " + k);
        }
        INDArray colsArray = NdArrays.create(Copies.values(Unfold.unfold(x, g, 0)), g.columns(), DataType.FLOAT);
        double[] cv = Copies.values(colsArray);
        int rows = (int) g.columns()[0];
        for (int n = 0; n < g.n(); n++) {
            for (int row = 0; row < rows; row++) {
                int c = row / (g.kh() * g.kw());
                int i = row / g.kw() % g.kh();
                int j = row % g.kw();
                for (int y = 0; y < oh; y++) {
                    for (int z = 0; z < ow; z++) {
                        int r = y * g.sh() - g.ph() + i * g.dh();
                        int q = z * g.sw() - g.pw() + j * g.dw();
                        if (r >= 0 && r < g.h() && q >= 0 && q < g.w()) {
                            back[((n * g.c() + c) * g.h() + r) * g.w() + q] += (float) cv[(int) (row * cols
                                    + (n * oh + y) * ow + z)];
                        }
                    }
                }
            }
        }
        double[] folded = Copies.values(Unfold.fold(colsArray, g));
        for (int k = 0; k < back.length; k++) {
            assertEquals(back[k], folded[k], 0.0, "input entry " + k);
        }
    }

    /** An int32 array for {@link Pooling#max}'s {@code n} offsets. */
    /**
     * Above {@link Unfold#PARALLEL_ENTRIES} input values max pooling and its scatter split the planes over the cores:
     * the maxima, their offsets (the first largest in scan order) and the scattered gradient are still what plain
     * loops over each window give, with and without padding (64 samples of 8 planes of 32x32: 0.52 M values).
     */
    @Test
    void maxPoolingSplitOverTheCoresGivesWhatPlainLoopsGive() {
        for (Unfold.Geometry g : new Unfold.Geometry[] {new Unfold.Geometry(64, 8, 32, 32, 2, 2, 2, 2, 0, 0, 1, 1),
            new Unfold.Geometry(64, 8, 32, 32, 3, 3, 2, 2, 1, 1, 1, 1)}) {
            assertEquals(true, g.n() * g.c() * g.h() * g.w() >= Unfold.PARALLEL_ENTRIES, "the split path");
            INDArray x = new Rng(5).normal(DataType.FLOAT, g.input());
            double[] xv = Copies.values(x);
            int n = (int) (g.n() * g.c() * g.oh() * g.ow());
            int[] expectedAt = new int[n];
            double[] expected = new double[n];
            for (int plane = 0, k = 0; plane < g.n() * g.c(); plane++) {
                for (int r = 0; r < g.oh(); r++) {
                    for (int q = 0; q < g.ow(); q++, k++) {
                        expected[k] = Double.NEGATIVE_INFINITY;
                        for (int i = 0; i < g.kh(); i++) {
                            for (int j = 0; j < g.kw(); j++) {
                                int row = r * g.sh() - g.ph() + i;
                                int col = q * g.sw() - g.pw() + j;
                                int at = plane * g.h() * g.w() + row * g.w() + col;
                                if (row >= 0 && row < g.h() && col >= 0 && col < g.w() && xv[at] > expected[k]) {
                                    expected[k] = xv[at];
                                    expectedAt[k] = at;
                                }
                            }
                        }
                    }
                }
            }
            INDArray at = offsets(n);
            assertArrayEquals(expected, Copies.values(Pooling.max(x, g, at)), 0.0, g.toString());
            assertArrayEquals(expectedAt, at.toIntVector(), g.toString());
            double[] dy = Copies.values(new Rng(6).normal(DataType.DOUBLE, n));
            double[] dx = new double[xv.length];
            for (int k = 0; k < n; k++) {
                dx[expectedAt[k]] += (float) dy[k];
            }
            assertArrayEquals(dx, Copies.values(Pooling.scatter(NdArrays.create(dy, new long[] {g.n(), g.c(), g.oh(),
                    g.ow()}, DataType.FLOAT), at, g)), 1e-6, g.toString());
        }
    }

    private static INDArray offsets(int n) {
        return Nd4j.create(DataType.INT, n);
    }
}
