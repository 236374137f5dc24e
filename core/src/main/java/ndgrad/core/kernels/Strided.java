package ndgrad.core.kernels;

import java.nio.Buffer;
import java.nio.DoubleBuffer;
import java.nio.FloatBuffer;
import java.util.Arrays;
import ndgrad.core.Shapes;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Reads or writes one array's elements in the C order of a target shape that the array broadcasts to (stride
 * 0 on broadcast axes), through a NIO view of its off-heap buffer, a row of the last axis at a time.
 */
final class Strided {
    private final FloatBuffer f;
    private final DoubleBuffer d;
    private final long[] shape;
    private final long[] strides;
    private final long[] index;
    private final int inner;
    private final int step;
    final long n;
    private long row;
    private int col;
    private float[] floats;

    private Strided(INDArray a, long[] target, long[] strides) {
        Buffer nio = a == null ? null : Access.state().nio.of(a);
        this.f = nio instanceof FloatBuffer fb ? fb : null;
        this.d = nio instanceof DoubleBuffer db ? db : null;
        this.shape = target;
        this.strides = strides;
        this.index = new long[target.length];
        this.inner = target.length == 0 ? 1 : (int) target[target.length - 1];
        this.step = target.length == 0 ? 0 : (int) strides[target.length - 1];
        this.n = Shapes.numel(target);
        this.row = a == null ? 0 : a.offset();
    }

    /** {@code a} seen with {@code target}'s shape: its shape right-aligned, size-1 axes repeated. */
    static Strided of(INDArray a, long[] target) {
        long[] s = new long[target.length];
        long[] shape = a.shape();
        long[] stride = a.stride();
        int lead = target.length - shape.length;
        for (int i = lead; i < target.length; i++) {
            s[i] = shape[i - lead] == 1 ? 0 : stride[i - lead];
        }
        return new Strided(a, target, s);
    }

    /** The 2-D array {@code a}, or its transpose when {@code t}, read in place. */
    static Strided matrix(INDArray a, boolean t) {
        return t ? new Strided(a, new long[] {a.size(1), a.size(0)}, new long[] {a.stride(1), a.stride(0)})
                : new Strided(a, a.shape(), a.stride());
    }

    /** The position in a C-order array of shape {@code kept} that each element of {@code full} reduces into. */
    static Strided reducing(long[] kept, long[] full) {
        long[] s = new long[full.length];
        long step = 1;
        for (int i = full.length - 1; i >= 0; i--) {
            s[i] = kept[i] == 1 ? 0 : step;
            step *= kept[i];
        }
        return new Strided(null, full, s);
    }

    /** The next {@code len} elements (positions, with no array) into {@code dst}. */
    void read(double[] dst, int len) {
        for (int k = 0; k < len;) {
            int run = Math.min(Math.min(len - k, inner - col), Access.CHUNK);
            int p = (int) row + col * step;
            if (f == null && d == null) {
                for (int j = 0; j < run; j++) {
                    dst[k + j] = p + j * step;
                }
            } else if (step == 0) {
                Arrays.fill(dst, k, k + run, f != null ? f.get(p) : d.get(p));
            } else if (step == 1 && d != null) {
                d.get(p, dst, k, run);
            } else if (step == 1) {
                f.get(p, floats(), 0, run);
                for (int j = 0; j < run; j++) {
                    dst[k + j] = floats[j];
                }
            } else {
                for (int j = 0; j < run; j++) {
                    dst[k + j] = f != null ? f.get(p + j * step) : d.get(p + j * step);
                }
            }
            k += run;
            advance(run);
        }
    }

    /** Writes {@code len} values from {@code src} to the next elements (an output has no broadcast axes). */
    void write(double[] src, int len) {
        for (int k = 0; k < len;) {
            int run = Math.min(Math.min(len - k, inner - col), Access.CHUNK);
            int p = (int) row + col * step;
            if (step == 1 && d != null) {
                d.put(p, src, k, run);
            } else if (step == 1) {
                float[] buf = floats();
                for (int j = 0; j < run; j++) {
                    buf[j] = (float) src[k + j];
                }
                f.put(p, buf, 0, run);
            } else {
                for (int j = 0; j < run; j++) {
                    if (f != null) {
                        f.put(p + j * step, (float) src[k + j]);
                    } else {
                        d.put(p + j * step, src[k + j]);
                    }
                }
            }
            k += run;
            advance(run);
        }
    }

    /** A float scratch row for bulk copies, made on first use. */
    private float[] floats() {
        if (floats == null) {
            floats = new float[Math.min(inner, Access.CHUNK)];
        }
        return floats;
    }

    /** Moves {@code run} elements along the current row, to the next row at its end. */
    private void advance(int run) {
        col += run;
        if (col < inner) {
            return;
        }
        col = 0;
        for (int ax = shape.length - 2; ax >= 0; ax--) {
            row += strides[ax];
            if (++index[ax] < shape[ax]) {
                return;
            }
            row -= strides[ax] * shape[ax];
            index[ax] = 0;
        }
    }
}
