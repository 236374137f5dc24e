package ndgrad.core.kernels;

import static ndgrad.core.kernels.Access.*;

import java.nio.Buffer;
import java.nio.DoubleBuffer;
import java.nio.FloatBuffer;
import java.util.Arrays;
import ndgrad.core.NdArrays;
import ndgrad.core.Shapes;
import ndgrad.core.memory.Scope;
import org.bytedeco.openblas.global.openblas_nolapack;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Reductions: sums and extrema over axes, a gradient summed back to the shape it was broadcast from, the norm, and
 * the extremum along one axis with its index.
 *
 * <p>Usage: {@code INDArray s = Reduce.sum(x, false, 0);}
 */
public final class Reduce {
    /**
     * The running sums of x along {@code dim} (torch.cumsum), or with {@code reverse} from the end backwards
     * (cumsum's gradient), in x's dtype.
     */
    public static INDArray cumsum(INDArray x, int dim, boolean reverse) {
        long[] shape = x.shape();
        double[] v = Copies.values(x);
        long inner = 1;
        for (int d = dim + 1; d < shape.length; d++) {
            inner *= shape[d];
        }
        long along = shape[dim];
        long outer = v.length / Math.max(1, along * inner);
        for (long o = 0; o < outer; o++) {
            for (long i = 0; i < inner; i++) {
                double sum = 0;
                for (long j = 0; j < along; j++) {
                    int at = (int) ((o * along + (reverse ? along - 1 - j : j)) * inner + i);
                    sum += v[at];
                    v[at] = sum;
                }
            }
        }
        return Copies.array(v, shape, x.dataType());
    }



    /** The sum over {@code axes} (sorted, distinct), kept as size 1 when {@code keepDims}. */
    public static INDArray sum(INDArray x, boolean keepDims, int... axes) {
        return reduce(x, axes, keepDims ? Shapes.keepDims(x.shape(), axes) : Shapes.dropDims(x.shape(), axes), false);
    }

    /**
     * The sum of the first {@code len} elements of {@code f}, or of {@code d} when f is null, in eight interleaved
     * partial sums: one running sum waits on each add's latency (5,120 floats: 4.2 µs), eight keep the adder busy
     * (1.4 µs).
     */
    private static double sum(float[] f, double[] d, int len) {
        double s0 = 0;
        double s1 = 0;
        double s2 = 0;
        double s3 = 0;
        double s4 = 0;
        double s5 = 0;
        double s6 = 0;
        double s7 = 0;
        int i = 0;
        for (; i + 8 <= len; i += 8) {
            s0 += f != null ? f[i] : d[i];
            s1 += f != null ? f[i + 1] : d[i + 1];
            s2 += f != null ? f[i + 2] : d[i + 2];
            s3 += f != null ? f[i + 3] : d[i + 3];
            s4 += f != null ? f[i + 4] : d[i + 4];
            s5 += f != null ? f[i + 5] : d[i + 5];
            s6 += f != null ? f[i + 6] : d[i + 6];
            s7 += f != null ? f[i + 7] : d[i + 7];
        }
        for (; i < len; i++) {
            s0 += f != null ? f[i] : d[i];
        }
        return ((s0 + s1) + (s2 + s3)) + ((s4 + s5) + (s6 + s7));
    }

    /** The maximum over {@code axes} (sorted, distinct), kept as size 1 when {@code keepDims}. */
    public static INDArray max(INDArray x, boolean keepDims, int... axes) {
        return reduce(x, axes, keepDims ? Shapes.keepDims(x.shape(), axes) : Shapes.dropDims(x.shape(), axes), true);
    }

    /**
     * {@code x} summed down to {@code shape}, of which its shape is a broadcast (the gradient of a broadcast); x
     * itself when the shapes match.
     */
    public static INDArray sumTo(INDArray x, long[] shape) {
        return Arrays.equals(x.shape(), shape) ? x : reduce(x, Shapes.sumToAxes(x.shape(), shape), shape, false);
    }

    /**
     * Sums or maximizes over {@code axes} into a new array of {@code shape} (the kept shape, maybe without 1s); a
     * large sum over every dimension but the last (a bias's gradient) is a BLAS product of the rows with a vector of
     * ones (ND4J's reduction allocates per call, and is slower).
     */
    private static INDArray reduce(INDArray x, int[] axes, long[] shape, boolean max) {
        long[] kept = Shapes.keepDims(x.shape(), axes);
        INDArray out = Scope.allocate(x.dataType(), shape);
        if (axes.length == 0) {
            Copies.assign(out, x);
            return out;
        }
        if (!max && out.length() == 1 && alike(x)) {
            Copies.fill(out, sumAll(x));
            return out;
        }
        boolean columns = !max && x.rank() >= 2 && leading(axes, x.rank()) && blas(x);
        if (java(x, x.length(), columns ? Kernels.BLAS_LIMIT : Kernels.ELEMENTWISE_LIMIT)) {
            double[] acc = new double[(int) out.length()];
            Arrays.fill(acc, max ? Double.NEGATIVE_INFINITY : 0);
            Strided a = Strided.of(x, x.shape());
            Strided at = Strided.reducing(kept, x.shape());
            double[] v = chunk(a.n);
            double[] k = chunk(a.n);
            for (long done = 0; done < a.n; done += v.length) {
                int len = (int) Math.min(v.length, a.n - done);
                a.read(v, len);
                at.read(k, len);
                for (int i = 0; i < len; i++) {
                    int j = (int) k[i];
                    acc[j] = !max ? acc[j] + v[i] : v[i] > acc[j] || Double.isNaN(v[i]) ? v[i] : acc[j];
                }
            }
            Strided.of(out, shape).write(acc, acc.length);
        } else if (columns) {
            int n = (int) x.size(-1);
            int m = (int) Products.rows(x);
            INDArray ones = ones(x.dataType(), m);
            if (x.dataType() == DataType.FLOAT) {
                openblas_nolapack.cblas_sgemv(openblas_nolapack.CblasRowMajor, openblas_nolapack.CblasTrans, m, n, 1f,
                        floatPointer(x), n, floatPointer(ones), 1, 0f, floatPointer(out), 1);
            } else {
                openblas_nolapack.cblas_dgemv(openblas_nolapack.CblasRowMajor, openblas_nolapack.CblasTrans, m, n, 1,
                        doublePointer(x), n, doublePointer(ones), 1, 0, doublePointer(out), 1);
            }
        } else {
            boolean keep = !Arrays.equals(shape, Shapes.dropDims(x.shape(), axes));
            INDArray target = !keep || Arrays.equals(shape, kept) ? out : out.reshape(kept);
            exec(max ? Access.state().ops().reduceMax : Access.state().ops().reduceSum, target, new INDArray[] {x}, Arrays.stream(axes).asLongStream()
                    .toArray(), keep);
        }
        return out;
    }

    /** Whether {@code axes} (ascending) are every dimension but the last of a rank-{@code rank} array. */
    private static boolean leading(int[] axes, int rank) {
        for (int i = 0; i < axes.length; i++) {
            if (axes[i] != i) {
                return false;
            }
        }
        return axes.length == rank - 1;
    }

    /** The sum of all elements of a plain float32 or float64 array, accumulated in double, chunk by chunk. */
    private static double sumAll(INDArray x) {
        Buffer nio = x.length() <= Kernels.ELEMENTWISE_LIMIT ? Access.state().nio.of(x) : nio(x);
        boolean float32 = nio instanceof FloatBuffer;
        Chunk c = Fused.chunks(float32, 1)[0];
        int n = Math.toIntExact(x.length());
        double total = 0;
        for (int start = 0; start < n; start += CHUNK) {
            int len = Math.min(CHUNK, n - start);
            if (float32) {
                ((FloatBuffer) nio).get(start, c.floats(), 0, len);
            } else {
                ((DoubleBuffer) nio).get(start, c.doubles(), 0, len);
            }
            total += sum(c.floats(), c.doubles(), len);
        }
        return total;
    }

    /** The Euclidean norm of all of {@code x}'s entries. */
    public static double norm2(INDArray x) {
        return x.norm2Number().doubleValue();
    }

    /** The minimum over {@code axes}, kept as size 1 when {@code keepDims}. */
    public static INDArray min(INDArray x, boolean keepDims, int... axes) {
        return Scope.track(x.min(keepDims, axes));
    }

    /**
     * The maximum (or minimum) along {@code dim} of every line of x and the index of its first occurrence (int64),
     * both of x's shape without that dim, in one pass (torch.max(x, dim) returns the first of tied maxima); NaN counts
     * as the maximum, as in PyTorch.
     */
    public static INDArray[] extremeAlong(INDArray x, int dim, boolean max) {
        long[] shape = x.shape();
        double[] v = Copies.values(x);
        long n = shape[dim];
        long inner = 1;
        for (int d = dim + 1; d < shape.length; d++) {
            inner *= shape[d];
        }
        long outer = n == 0 ? 0 : v.length / (n * inner);
        int in = (int) inner;
        double[] best = new double[(int) (outer * inner)];
        double[] at = new double[best.length];
        for (int o = 0; o < outer; o++) {
            int base = (int) (o * n * inner);
            int k = o * in;
            System.arraycopy(v, base, best, k, in);
            for (int j = 1; j < n; j++) {
                int line = base + j * in;
                for (int i = 0; i < in; i++) {
                    double b = best[k + i];
                    double c = v[line + i];
                    if (b == b && (c != c || (max ? c > b : c < b))) {
                        best[k + i] = c;
                        at[k + i] = j;
                    }
                }
            }
        }
        long[] out = Shapes.dropDims(shape, new int[] {dim});
        return new INDArray[] {Copies.array(best, out, x.dataType()), NdArrays.create(at, out, DataType.LONG)};
    }
}
