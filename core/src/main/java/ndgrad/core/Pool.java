package ndgrad.core;

import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Max pooling over (N, C, H, W) in one pass, as PyTorch's {@code max_pool2d}: each output is the largest input in its
 * window (windows as {@link Unfold.Geometry} describes them; the padding never wins, as -∞), and the offset of the
 * first such input in scan order is kept so that the gradient goes to it alone. Java loops over the buffers; without
 * padding every window lies inside the input and the loop reads it without bounds checks.
 *
 * <p>Usage: {@code int[] at = new int[n]; INDArray y = Pool.max(x, g, at); INDArray dx = Pool.scatter(dy, at, g);}
 */
public final class Pool {
    private Pool() {
    }

    /** The maxima (N, C, oh, ow); {@code at} receives each one's offset into x (length N·C·oh·ow). */
    public static INDArray max(INDArray x, Unfold.Geometry g, int[] at) {
        double[] v = ArrayOps.doubles(x);
        double[] out = new double[at.length];
        int planes = (int) (g.n() * g.c());
        if (g.ph() == 0 && g.pw() == 0) {
            maxInside(v, out, at, planes, g.h(), g.w(), g.oh(), g.ow(), g.kh(), g.kw(), g.sh(), g.sw(), g.dh(), g.dw());
        } else {
            maxPadded(v, out, at, planes, g);
        }
        return ArrayOps.array(out, new long[] {g.n(), g.c(), g.oh(), g.ow()}, x.dataType());
    }

    /** Without padding: every window inside the input, read without bounds checks. */
    private static void maxInside(double[] v, double[] out, int[] at, int planes, int h, int w, int oh, int ow,
            int kh, int kw, int sh, int sw, int dh, int dw) {
        int k = 0;
        for (int plane = 0; plane < planes; plane++) {
            int base = plane * h * w;
            for (int y = 0; y < oh; y++) {
                for (int z = 0; z < ow; z++, k++) {
                    int first = base + y * sh * w + z * sw;
                    double best = v[first];
                    int arg = first;
                    for (int i = 0; i < kh; i++) {
                        int row = first + i * dh * w;
                        for (int j = 0; j < kw; j++) {
                            double e = v[row + j * dw];
                            if (e > best || (e != e && best == best)) {
                                best = e;
                                arg = row + j * dw;
                            }
                        }
                    }
                    out[k] = best;
                    at[k] = arg;
                }
            }
        }
    }

    /** With padding: positions outside the input are skipped (they never win). */
    private static void maxPadded(double[] v, double[] out, int[] at, int planes, Unfold.Geometry g) {
        int k = 0;
        for (int plane = 0; plane < planes; plane++) {
            int base = plane * g.h() * g.w();
            for (int y = 0; y < g.oh(); y++) {
                for (int z = 0; z < g.ow(); z++, k++) {
                    double best = Double.NEGATIVE_INFINITY;
                    int arg = -1;
                    for (int i = 0; i < g.kh(); i++) {
                        int r = y * g.sh() + i * g.dh() - g.ph();
                        for (int j = 0; r >= 0 && r < g.h() && j < g.kw(); j++) {
                            int c = z * g.sw() + j * g.dw() - g.pw();
                            if (c >= 0 && c < g.w()) {
                                double e = v[base + r * g.w() + c];
                                if (arg < 0 || e > best || (e != e && best == best)) {
                                    best = e;
                                    arg = base + r * g.w() + c;
                                }
                            }
                        }
                    }
                    out[k] = best;
                    at[k] = arg;
                }
            }
        }
    }

    /** The gradient of {@link #max}: each of dy's values added at its offset into zeros of the input's shape. */
    public static INDArray scatter(INDArray dy, int[] at, Unfold.Geometry g) {
        double[] v = ArrayOps.doubles(dy);
        double[] out = new double[(int) (g.n() * g.c() * g.h() * g.w())];
        for (int k = 0; k < at.length; k++) {
            out[at[k]] += v[k];
        }
        return ArrayOps.array(out, g.input(), dy.dataType());
    }

    /** The adjoint of {@link #scatter}: the input-shaped dx read at each offset, shape (N, C, oh, ow). */
    public static INDArray select(INDArray dx, int[] at, Unfold.Geometry g) {
        double[] v = ArrayOps.doubles(dx);
        double[] out = new double[at.length];
        for (int k = 0; k < at.length; k++) {
            out[k] = v[at[k]];
        }
        return ArrayOps.array(out, new long[] {g.n(), g.c(), g.oh(), g.ow()}, dx.dataType());
    }
}
