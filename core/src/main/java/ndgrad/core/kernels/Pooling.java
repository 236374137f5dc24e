package ndgrad.core.kernels;

import static ndgrad.core.kernels.Access.*;

import java.nio.Buffer;
import java.nio.DoubleBuffer;
import java.nio.FloatBuffer;
import java.nio.IntBuffer;
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
        int size = g.h() * g.w();
        int per = g.oh() * g.ow();
        // each part reads its own planes, finds their maxima and writes them and their offsets
        return byPlanes(x, Scope.allocate(x.dataType(), g.n(), g.c(), g.oh(), g.ow()), offsets, g, x.length(),
                (xb, yb, ob, from, count) -> {
                    Values v = Values.read(xb, from * size, count * size);
                    int[] at = Access.offsets(count * per);
                    if (g.ph() == 0 && g.pw() == 0) {
                        argmaxInside(v.f, v.d, at, count, g.h(), g.w(), g.oh(), g.ow(), g.kh(), g.kw(), g.sh(),
                                g.sw(), g.dh(), g.dw());
                    } else {
                        argmaxPadded(v.f, v.d, at, count, g);
                    }
                    v.gather(at, count * per).write(yb, from * per);
                    for (int k = 0; k < count * per; k++) {
                        at[k] += from * size;
                    }
                    ob.put(from * per, at, 0, count * per);
                });
    }

    /** A part of a pass over planes: input and output buffers, the offsets, and its planes [from, from + count). */
    private interface PlanePart {
        void run(Buffer in, Buffer out, IntBuffer offsets, int from, int count);
    }

    /**
     * {@code out} after {@code part} ran on each core's share of the N·C planes (from {@link Unfold#PARALLEL_ENTRIES}
     * {@code values}), over a C-order copy of {@code in} when it is not plain; an empty batch has nothing to do.
     */
    private static INDArray byPlanes(INDArray in, INDArray out, INDArray offsets, Unfold.Geometry g, long values,
            PlanePart part) {
        if (g.n() == 0) {
            return out;
        }
        int planes = (int) (g.n() * g.c());
        try (Scope copy = Scope.open()) {
            Buffer ib = nio(Fused.plain(in));
            Buffer ob = nio(out);
            IntBuffer at = offsets.data().asNioInt();
            int parts = Unfold.parts(values, planes);
            Threads.parallel(parts, p -> {
                int from = planes * p / parts;
                part.run(ib, ob, at, from, planes * (p + 1) / parts - from);
            });
        }
        return out;
    }

    /**
     * Without padding: every window inside the input, read without bounds checks at offsets from its first input.
     * The offset is chosen with a conditional move, not a branch: on a relu's output whether the next input is
     * larger is a coin flip, and mispredicted branches made the loop 4 times slower (a 64x32x24x24 float32 input,
     * 2x2 windows: 5.4 ms against 1.5).
     */
    private static void argmaxInside(float[] f, double[] d, int[] at, int planes, int h, int w, int oh, int ow,
            int kh, int kw, int sh, int sw, int dh, int dw) {
        int[] window = new int[kh * kw];
        for (int i = 0, t = 0; i < kh; i++) {
            for (int j = 0; j < kw; j++) {
                window[t++] = i * dh * w + j * dw;
            }
        }
        if (f != null && window.length == 4) {
            argmax2x2(f, at, planes, h, w, oh, ow, sh, sw, window);
            return;
        }
        int k = 0;
        for (int plane = 0; plane < planes; plane++) {
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

    /**
     * {@link #argmaxInside} for float32 2x2 windows (any stride and dilation), the common case: the four values read
     * at once, their maximum by a tree of {@code Math.max}, and the first of them equal to it, or the first NaN when
     * there is one. No step waits for the offset chosen before it, as the general loop's reloads do (a 64x32x24x24
     * input: 0.9 ms against 1.5–2.2).
     */
    private static void argmax2x2(float[] f, int[] at, int planes, int h, int w, int oh, int ow, int sh, int sw,
            int[] window) {
        int o1 = window[1];
        int o2 = window[2];
        int o3 = window[3];
        int k = 0;
        for (int plane = 0; plane < planes; plane++) {
            for (int y = 0; y < oh; y++) {
                for (int z = 0, first = plane * h * w + y * sh * w; z < ow; z++, k++, first += sw) {
                    float a0 = f[first];
                    float a1 = f[first + o1];
                    float a2 = f[first + o2];
                    float a3 = f[first + o3];
                    float m = Math.max(Math.max(a0, a1), Math.max(a2, a3));
                    int arg = a3 == m ? first + o3 : first;
                    arg = a2 == m ? first + o2 : arg;
                    arg = a1 == m ? first + o1 : arg;
                    arg = a0 == m ? first : arg;
                    if (m != m) {
                        arg = a0 != a0 ? first : a1 != a1 ? first + o1 : a2 != a2 ? first + o2 : first + o3;
                    }
                    at[k] = arg;
                }
            }
        }
    }

    /** With padding: positions outside the input are skipped (they never win). */
    private static void argmaxPadded(float[] f, double[] d, int[] at, int planes, Unfold.Geometry g) {
        int k = 0;
        for (int plane = 0; plane < planes; plane++) {
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
        int size = g.h() * g.w();
        int per = g.oh() * g.ow();
        INDArray dx = Scope.allocate(dy.dataType(), g.input());
        // a plane's maxima lie in that plane, so each part adds into zeros of its own planes and writes them
        return byPlanes(dy, dx, offsets, g, dx.length(), (dyb, dxb, ob, from, count) -> {
            Values v = Values.read(dyb, from * per, count * per);
            int[] at = Access.offsets(count * per);
            ob.get(from * per, at, 0, count * per);
            Values out = v.zeros(count * size);
            int base = from * size;
            for (int k = 0; k < count * per; k++) {
                if (v.f != null) {
                    out.f[at[k] - base] += v.f[k];
                } else {
                    out.d[at[k] - base] += v.d[k];
                }
            }
            out.write(dxb, base);
        });
    }

    /** The adjoint of {@link #scatter}: the input-shaped dx read at each offset, shape (N, C, oh, ow). */
    public static INDArray select(INDArray dx, INDArray offsets, Unfold.Geometry g) {
        if (g.n() == 0) {
            return Scope.allocate(dx.dataType(), g.n(), g.c(), g.oh(), g.ow());
        }
        int n = (int) offsets.length();
        int[] at = Access.offsets(n);
        offsets.data().asNioInt().get(0, at, 0, n);
        return Values.of(dx).gather(at, n).array(new long[] {g.n(), g.c(), g.oh(), g.ow()}, dx.dataType());
    }

    /**
     * {@code n} float32 or float64 values in C order: float32 in {@code f} (in this thread's scratch arrays,
     * {@link Access#scratch}), float64 in {@code d}.
     */
    private record Values(float[] f, double[] d, int n) {
        /** A whole array's values (float32 in scratch array 0). */
        static Values of(INDArray a) {
            if (a.dataType() != DataType.FLOAT) {
                return new Values(null, Copies.values(a), (int) a.length());
            }
            return new Values(Unfold.floats(a), null, (int) a.length());
        }

        /** {@code n} values of a buffer from element {@code at} (float32 into scratch array 0). */
        static Values read(Buffer b, int at, int n) {
            if (b instanceof FloatBuffer fb) {
                float[] f = Access.scratch(0, n, false);
                fb.get(at, f, 0, n);
                return new Values(f, null, n);
            }
            double[] d = new double[n];
            ((DoubleBuffer) b).get(at, d);
            return new Values(null, d, n);
        }

        /** {@code n} zeros of this precision (float32 in this thread's scratch array 1). */
        Values zeros(int n) {
            return f != null ? new Values(Access.scratch(1, n, true), null, n) : new Values(null, new double[n], n);
        }

        /** The values at the first {@code n} of {@code at}, in that order. */
        Values gather(int[] at, int n) {
            Values out = zeros(n);
            for (int k = 0; k < n; k++) {
                if (f != null) {
                    out.f[k] = f[at[k]];
                } else {
                    out.d[k] = d[at[k]];
                }
            }
            return out;
        }

        /** These values written to a buffer of this precision from element {@code at}. */
        void write(Buffer b, int at) {
            if (f != null) {
                ((FloatBuffer) b).put(at, f, 0, n);
            } else {
                ((DoubleBuffer) b).put(at, d, 0, n);
            }
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
