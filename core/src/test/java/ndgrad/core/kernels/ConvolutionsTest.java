package ndgrad.core.kernels;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import ndgrad.core.Rng;
import ndgrad.core.memory.Scope;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * The sample-by-sample convolution against plain loops over its definition (forward, dx, dw, db), on a batch large
 * enough that its samples are split over the cores, with groups, stride, padding and dilation.
 */
class ConvolutionsTest {
    private static final Rng RNG = new Rng(11);

    @Test
    void forwardAndBackwardSplitOverTheCoresMatchPlainLoops() {
        // 12 samples of 6 channels, 18x17, kernel 3x4, stride (1, 2), padding (2, 1), dilation (2, 1), groups 2: 124 K
        // column entries, on one core; 16 samples of 4 channels, 30x30, kernel 5: 1.08 M, above
        // Unfold.PARALLEL_ENTRIES, so split over the cores
        for (int[] c : new int[][] {{12, 6, 18, 17, 3, 4, 1, 2, 2, 1, 2, 1, 2, 4}, {16, 4, 30, 30, 5, 5, 1, 1, 0, 0, 1,
            1, 1, 6}}) {
            for (DataType t : new DataType[] {DataType.DOUBLE, DataType.FLOAT}) {
                check(t, new Unfold.Geometry(c[0], c[1], c[2], c[3], c[4], c[5], c[6], c[7], c[8], c[9], c[10], c[11]),
                        c[12], c[13]);
            }
        }
    }

    private static void check(DataType t, Unfold.Geometry g, int groups, int o) {
        try (Scope scope = Scope.open()) {
            int cg = g.c() / groups;
            INDArray x = RNG.uniform(t, -1, 1, g.input());
            INDArray w = RNG.uniform(t, -1, 1, o, cg, g.kh(), g.kw());
            INDArray b = RNG.uniform(t, -1, 1, o);
            INDArray dy = RNG.uniform(t, -1, 1, g.n(), o, g.oh(), g.ow());
            double[] xv = Copies.values(x);
            double[] wv = Copies.values(w);
            double[] bv = Copies.values(b);
            double[] dyv = Copies.values(dy);
            int n = (int) g.n();
            int oh = g.oh();
            int ow = g.ow();
            double[] y = new double[n * o * oh * ow];
            double[] dx = new double[xv.length];
            double[] dw = new double[wv.length];
            double[] db = new double[o];
            int og = o / groups;
            for (int s = 0; s < n; s++) {
                for (int oc = 0; oc < o; oc++) {
                    for (int yy = 0; yy < oh; yy++) {
                        for (int xx = 0; xx < ow; xx++) {
                            int out = ((s * o + oc) * oh + yy) * ow + xx;
                            double sum = bv[oc];
                            db[oc] += dyv[out];
                            for (int ci = 0; ci < cg; ci++) {
                                int channel = oc / og * cg + ci;
                                for (int i = 0; i < g.kh(); i++) {
                                    for (int j = 0; j < g.kw(); j++) {
                                        int r = yy * g.sh() - g.ph() + i * g.dh();
                                        int q = xx * g.sw() - g.pw() + j * g.dw();
                                        if (r < 0 || r >= g.h() || q < 0 || q >= g.w()) {
                                            continue;
                                        }
                                        int in = ((s * g.c() + channel) * g.h() + r) * g.w() + q;
                                        int at = ((oc * cg + ci) * g.kh() + i) * g.kw() + j;
                                        sum += xv[in] * wv[at];
                                        dx[in] += dyv[out] * wv[at];
                                        dw[at] += dyv[out] * xv[in];
                                    }
                                }
                            }
                            y[out] = sum;
                        }
                    }
                }
            }
            double tol = t == DataType.DOUBLE ? 1e-10 : 2e-3;
            String what = t + " " + g + " groups " + groups;
            assertArrayEquals(y, Copies.values(Convolutions.conv2d(x, w, b, g, groups)), tol, what + " forward");
            assertArrayEquals(y, Copies.values(Convolutions.conv2d(x, w, b, g, groups)), tol, what + " again");
            INDArray[] d = Convolutions.conv2dBackward(x, w, dy, g, groups, true, true);
            assertArrayEquals(dx, Copies.values(d[0]), tol, what + " dx");
            assertArrayEquals(dw, Copies.values(d[1]), tol, what + " dw");
            assertArrayEquals(db, Copies.values(d[2]), tol, what + " db");
            INDArray[] weightOnly = Convolutions.conv2dBackward(x, w, dy, g, groups, false, false);
            assertNull(weightOnly[0]);
            assertNull(weightOnly[2]);
            assertArrayEquals(dw, Copies.values(weightOnly[1]), tol, what + " dw alone");
        }
    }
}
