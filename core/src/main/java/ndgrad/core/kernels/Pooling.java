package ndgrad.core.kernels;

import static ndgrad.core.kernels.Access.*;

import ndgrad.core.Threads;
import ndgrad.core.memory.Scope;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Max pooling over (N, C, H, W) in one pass, as PyTorch's {@code max_pool2d}: each output is the largest input in its
 * window (windows as {@link Unfold.Geometry} describes them; the padding never wins, as -∞; a NaN wins), and the
 * offset of the first such input in scan order is kept so that the gradient goes to it alone. Java loops over the
 * values in an array of their own precision (float32 stays float32); without padding every window lies inside the
 * input and the loop reads it without bounds checks. From {@link Unfold#PARALLEL_ENTRIES} values the planes are split
 * over the cores.
 *
 * <p>Usage: {@code INDArray at = Scope.allocate(DataType.INT, n); INDArray y = Pooling.max(x, geom, at);
 * INDArray dx = Pooling.scatter(dy, at, geom);}
 */
public final class Pooling {
    private Pooling() {
    }

    /**
     * The maxima (N, C, oh, ow); {@code offsets}, a plain int32 array of N·C·oh·ow (an array, not a Java int[], so that
     * the graph keeps it in the pool rather than on the heap), receives each one's offset into x.
     */
    public static INDArray max(INDArray x, Unfold.Geometry g, INDArray offsets) {
        if (g.n() == 0) {
            return Scope.allocate(x.dataType(), g.n(), g.c(), g.oh(), g.ow());
        }
        Values v = Values.of(x);
        int[] at = Access.offsets((int) offsets.length());
        int planes = (int) (g.n() * g.c());
        int parts = Unfold.parts(x.length(), planes);
        // each part finds the maxima of its own planes
        Threads.parallel(parts, p -> {
            int from = planes * p / parts;
            int to = planes * (p + 1) / parts;
            if (g.ph() == 0 && g.pw() == 0) {
                argmaxInside(v.f, v.d, at, from, to, g.h(), g.w(), g.oh(), g.ow(), g.kh(), g.kw(), g.sh(), g.sw(),
                        g.dh(), g.dw());
            } else {
                argmaxPadded(v.f, v.d, at, from, to, g);
            }
        });
        offsets.data().asNioInt().put(0, at, 0, (int) offsets.length());
        return v.gather(at, (int) offsets.length(), new long[] {g.n(), g.c(), g.oh(), g.ow()}, x.dataType());
    }

    /**
     * Without padding: every window inside the input, read without bounds checks at offsets from its first input.
     * The offset is chosen with a conditional move, not a branch: on a relu's output whether the next input is
     * larger is a coin flip, and mispredicted branches made the loop 4 times slower (a 64x32x24x24 float32 input,
     * 2x2 windows: 5.4 ms against 1.5).
     */
    private static void argmaxInside(float[] f, double[] d, int[] at, int from, int to, int h, int w, int oh,
            int ow, int kh, int kw, int sh, int sw, int dh, int dw) {
        int[] window = new int[kh * kw];
        for (int i = 0, t = 0; i < kh; i++) {
            for (int j = 0; j < kw; j++) {
                window[t++] = i * dh * w + j * dw;
            }
        }
        int k = from * oh * ow;
        for (int plane = from; plane < to; plane++) {
            for (int y = 0; y < oh; y++) {
                for (int z = 0, first = plane * h * w + y * sh * w; z < ow; z++, k++, first += sw) {
                    int arg = first;
                    for (int t = 1; t < window.length; t++) {
                        arg = wins(f, d, first + window[t], arg) ? first + window[t] : arg;
                    }
                    at[k] = arg;
                }
            }
        }
    }

    /** With padding: positions outside the input are skipped (they never win). */
    private static void argmaxPadded(float[] f, double[] d, int[] at, int from, int to, Unfold.Geometry g) {
        int k = from * g.oh() * g.ow();
        for (int plane = from; plane < to; plane++) {
            int base = plane * g.h() * g.w();
            for (int y = 0; y < g.oh(); y++) {
                for (int z = 0; z < g.ow(); z++, k++) {
                    int arg = -1;
                    for (int i = 0; i < g.kh(); i++) {
                        int r = y * g.sh() + i * g.dh() - g.ph();
                        for (int j = 0; r >= 0 && r < g.h() && j < g.kw(); j++) {
                            int c = z * g.sw() + j * g.dw() - g.pw();
                            int p = base + r * g.w() + c;
                            if (c >= 0 && c < g.w() && (arg < 0 || wins(f, d, p, arg))) {
                                arg = p;
                            }
                        }
                    }
                    at[k] = arg;
                }
            }
        }
    }

    /**
     * Whether the value at {@code p} replaces the best so far, at {@code best}: it is larger, or a NaN where the best
     * is not (a NaN, once found, stays). Reads {@code f} (float32) or else {@code d}.
     */
    private static boolean wins(float[] f, double[] d, int p, int best) {
        double e = f != null ? f[p] : d[p];
        double b = f != null ? f[best] : d[best];
        return !(e <= b) & b == b;
    }

    /** The gradient of {@link #max}: each of dy's values added at its offset into zeros of the input's shape. */
    public static INDArray scatter(INDArray dy, INDArray offsets, Unfold.Geometry g) {
        if (g.n() == 0) {
            return Scope.allocate(dy.dataType(), g.input());
        }
        Values v = Values.of(dy);
        int[] at = read(offsets);
        int n = (int) (g.n() * g.c() * g.h() * g.w());
        Values out = v.zeros(n);
        int planes = (int) (g.n() * g.c());
        int per = g.oh() * g.ow();
        int parts = Unfold.parts(n, planes);
        // a plane's maxima lie in that plane, so each part adds into its own planes
        Threads.parallel(parts, p -> {
            for (int k = planes * p / parts * per; k < planes * (p + 1) / parts * per; k++) {
                if (v.f != null) {
                    out.f[at[k]] += v.f[k];
                } else {
                    out.d[at[k]] += v.d[k];
                }
            }
        });
        return out.array(g.input(), dy.dataType());
    }

    /** The adjoint of {@link #scatter}: the input-shaped dx read at each offset, shape (N, C, oh, ow). */
    public static INDArray select(INDArray dx, INDArray offsets, Unfold.Geometry g) {
        if (g.n() == 0) {
            return Scope.allocate(dx.dataType(), g.n(), g.c(), g.oh(), g.ow());
        }
        return Values.of(dx).gather(read(offsets), (int) offsets.length(), new long[] {g.n(), g.c(), g.oh(), g.ow()},
                dx.dataType());
    }

    /** The offsets {@link #max} wrote, in this thread's scratch offsets ({@link Access#offsets}). */
    private static int[] read(INDArray offsets) {
        int n = (int) offsets.length();
        int[] at = Access.offsets(n);
        offsets.data().asNioInt().get(0, at, 0, n);
        return at;
    }

    /**
     * An array's {@code n} values in C order: float32 in {@code f} (one bulk read into this thread's scratch array 0,
     * {@link Access#scratch}), any other type as doubles in {@code d}.
     */
    private record Values(float[] f, double[] d, int n) {
        static Values of(INDArray a) {
            if (a.dataType() != DataType.FLOAT) {
                return new Values(null, Copies.values(a), (int) a.length());
            }
            return new Values(Unfold.floats(a), null, (int) a.length());
        }

        /** {@code n} zeros of this precision (float32 in this thread's scratch array 1). */
        Values zeros(int n) {
            return f != null ? new Values(Access.scratch(1, n, true), null, n) : new Values(null, new double[n], n);
        }

        /** The values at the first {@code n} of {@code at}, in that order, as an array of {@code shape} and {@code type}. */
        INDArray gather(int[] at, int n, long[] shape, DataType type) {
            Values out = zeros(n);
            for (int k = 0; k < n; k++) {
                if (f != null) {
                    out.f[k] = f[at[k]];
                } else {
                    out.d[k] = d[at[k]];
                }
            }
            return out.array(shape, type);
        }

        /** These values as a new array (from the pool inside a scope) of {@code shape} and {@code type}. */
        INDArray array(long[] shape, DataType type) {
            if (f == null) {
                return Copies.array(d, shape, type);
            }
            INDArray out = Scope.allocate(type, shape);
            out.data().asNioFloat().put(0, f, 0, n);
            return out;
        }
    }
}
