package ndgrad.core;

import java.util.Arrays;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.impl.controlflow.Select;
import org.nd4j.linalg.api.ops.impl.transforms.strict.Erf;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.BooleanIndexing;
import org.nd4j.linalg.indexing.conditions.Conditions;
import org.nd4j.linalg.ops.transforms.Transforms;

/**
 * The array operations that ndgrad runs through ND4J as they are (comparisons, casts, extrema, slicing, joining,
 * batched products), each result a new array owned by the current scope unless it is stated to be a view. With
 * {@link Kernels}, the only place outside tests where ndgrad calls ND4J's operations.
 *
 * <p>Usage: {@code INDArray mask = ArrayOps.compare(Comparison.GT, a, b, DataType.FLOAT);}
 */
public final class ArrayOps {
    private ArrayOps() {
    }

    /** Elementwise comparisons, giving 1 where true and 0 where false. */
    public enum Comparison {
        GT, GE, LT, LE, EQ, NE
    }

    /** {@code a op b} elementwise, broadcasting, as 0/1 values of {@code type} (≥ is not <, ≤ is not >). */
    public static INDArray compare(Comparison op, INDArray a, INDArray b, DataType type) {
        if (op == Comparison.GE || op == Comparison.LE) {
            INDArray opposite = compare(op == Comparison.GE ? Comparison.LT : Comparison.GT, a, b, type);
            return Kernels.scalar(Kernels.Scalar.ADD, Kernels.scalar(Kernels.Scalar.MUL, opposite, -1), 1);
        }
        INDArray bool = switch (op) {
            case GT -> a.gt(b);
            case LT -> a.lt(b);
            case EQ -> a.eq(b);
            default -> a.neq(b);
        };
        return cast(Scope.track(bool), type);
    }

    /** {@code x op s} elementwise, as 0/1 values of {@code type}. */
    public static INDArray compare(Comparison op, INDArray x, double s, DataType type) {
        INDArray bool = switch (op) {
            case GT -> x.gt(s);
            case GE -> x.gte(s);
            case LT -> x.lt(s);
            case LE -> x.lte(s);
            case EQ -> x.eq(s);
            case NE -> x.neq(s);
        };
        return cast(Scope.track(bool), type);
    }

    /** {@code x} converted to {@code type} (a new array even when the type is the same). */
    public static INDArray cast(INDArray x, DataType type) {
        return x.dataType() == type ? Kernels.copy(x) : Scope.track(x.castTo(type));
    }

    /** A copy of {@code x} in C order that no scope owns and no pool takes back (a gradient buffer). */
    public static INDArray unownedCopy(INDArray x) {
        return x.dup('c');
    }

    /** A new array of {@code x}'s shape and dtype, unspecified contents, that no scope owns (optimizer state). */
    public static INDArray unownedLike(INDArray x) {
        return x.ulike();
    }

    /** The Euclidean norm of all of {@code x}'s entries. */
    public static double norm2(INDArray x) {
        return x.norm2Number().doubleValue();
    }

    /** The inverse of the square matrix {@code a}. */
    public static INDArray inverse(INDArray a) {
        return Scope.track(org.nd4j.linalg.inverse.InvertMatrix.invert(a, false));
    }

    /** a^b elementwise for arrays of one shape. */
    public static INDArray pow(INDArray a, INDArray b) {
        return Scope.track(Transforms.pow(a, b, true));
    }

    /** The elementwise maximum (or minimum) of arrays of one shape. */
    public static INDArray extremum(INDArray a, INDArray b, boolean max) {
        return Scope.track(max ? Transforms.max(a, b, true) : Transforms.min(a, b, true));
    }

    /** {@code cond ≠ 0 ? a : b} elementwise for arrays of one shape. */
    public static INDArray where(INDArray cond, INDArray a, INDArray b) {
        INDArray c = Scope.track(cond.neq(0));
        INDArray value = Scope.track(Nd4j.create(a.dataType(), a.shape()));
        Nd4j.exec(new Select(new INDArray[] {c, a, b}, new INDArray[] {value}));
        return value;
    }

    /** x where x > 0, else slope·x. */
    public static INDArray leakyRelu(INDArray x, double slope) {
        return Scope.track(Transforms.leakyRelu(x, slope, true));
    }

    /** ln(1 + e^x), computed stably as max(x, 0) + ln(1 + e^-|x|). */
    public static INDArray softplus(INDArray x) {
        return Scope.track(Transforms.max(x, 0.0, true)).addi(Scope.track(Transforms.log1p(Scope.track(
                Transforms.exp(Scope.track(Transforms.abs(x, true)).negi(), false)), false)));
    }

    /** The error function. */
    public static INDArray erf(INDArray x) {
        INDArray value = Scope.track(x.ulike());
        Nd4j.getExecutioner().exec(new Erf(x, value));
        return value;
    }

    /** x limited to [min, max]. */
    public static INDArray clamp(INDArray x, double min, double max) {
        return Transforms.min(Scope.track(Transforms.max(x, min, true)), max, false);
    }

    /** The minimum over {@code axes}, kept as size 1 when {@code keepDims}. */
    public static INDArray min(INDArray x, boolean keepDims, int... axes) {
        return Scope.track(x.min(keepDims, axes));
    }

    /** Infinite entries of {@code x} set to 0 in place; returns x. */
    public static INDArray zeroInfinities(INDArray x) {
        BooleanIndexing.replaceWhere(x, 0.0, Conditions.isInfinite());
        return x;
    }

    /** Whether every entry of {@code x} is finite (true for integer types). */
    public static boolean allFinite(INDArray x) {
        return !x.dataType().isFPType() || !(BooleanIndexing.or(x, Conditions.isNan())
                || BooleanIndexing.or(x, Conditions.isInfinite()));
    }

    /** {@code x} seen in C order as {@code shape}: a view when its layout allows, else a copy (check with NdArrays.sharesMemory). */
    public static INDArray viewAs(INDArray x, long[] shape) {
        return x.reshape('c', shape);
    }

    /** A view of {@code x} with its dimensions reordered: result dim i is x's dim {@code dims[i]}. */
    public static INDArray permute(INDArray x, int... dims) {
        return x.permute(dims);
    }

    /**
     * A view of elements {@code start} (inclusive) to {@code end} (exclusive) of {@code x} along {@code axis} (an
     * empty array when the range is): x's strides, its offset moved to {@code start}. ND4J's own interval index
     * breaks on views: a slice of a slice came back with no buffer, or empty.
     */
    public static INDArray slice(INDArray x, int axis, long start, long end) {
        long[] shape = x.shape().clone();
        shape[axis] = end - start;
        if (start == end || x.length() == 0) {
            return Scope.track(Nd4j.create(x.dataType(), shape));
        }
        return Nd4j.create(x.data(), shape, x.stride(), x.offset() + start * x.stride(axis), x.ordering());
    }

    /** {@code x} with zeros added along {@code axis}: {@code before} in front, {@code after} behind. */
    public static INDArray pad(INDArray x, int axis, long before, long after) {
        long[] s = x.shape().clone();
        long n = s[axis];
        s[axis] += before + after;
        INDArray value = Scope.allocate(x.dataType(), s);
        Kernels.fill(value, 0);
        if (n > 0) {
            Kernels.assign(slice(value, axis, before, before + n), x);
        }
        return value;
    }

    /** Arrays joined along {@code axis} (all other sizes equal). */
    public static INDArray concat(int axis, INDArray... arrays) {
        return arrays.length == 1 ? Kernels.copy(arrays[0]) : Scope.track(Nd4j.concat(axis, arrays));
    }

    /**
     * {@code out[p] = x[p with p[dim] = index[p]]} for every position p of {@code index} (torch.gather): out has
     * index's shape and x's dtype. The caller checked ranks, sizes and the range of the indices.
     */
    public static INDArray gather(INDArray x, int dim, INDArray index) {
        long[] xs = x.shape();
        long[] is = index.shape();
        double[] v = doubles(x);
        double[] idx = doubles(index);
        double[] out = new double[idx.length];
        if (sameBut(xs, is, dim)) {
            Lines l = new Lines(is, dim);
            for (int o = 0, k = 0; o < l.outer; o++) {
                for (int j = 0; j < l.along; j++) {
                    for (int i = 0; i < l.inner; i++, k++) {
                        out[k] = v[(int) ((o * xs[dim] + (long) idx[k]) * l.inner + i)];
                    }
                }
            }
        } else {
            for (int k = 0; k < idx.length; k++) {
                out[k] = v[(int) offset(k, is, xs, dim, (long) idx[k])];
            }
        }
        return array(out, is, x.dataType());
    }

    /** Whether shapes a and b agree in every dim but {@code dim}. */
    private static boolean sameBut(long[] a, long[] b, int dim) {
        for (int d = 0; d < a.length; d++) {
            if (d != dim && a[d] != b[d]) {
                return false;
            }
        }
        return true;
    }

    /** A shape seen as (outer, along, inner) around {@code dim}. */
    private static final class Lines {
        final long outer;
        final long along;
        final long inner;

        Lines(long[] shape, int dim) {
            long o = 1;
            long in = 1;
            for (int d = 0; d < shape.length; d++) {
                if (d < dim) {
                    o *= shape[d];
                } else if (d > dim) {
                    in *= shape[d];
                }
            }
            outer = o;
            along = shape[dim];
            inner = in;
        }
    }

    /**
     * {@code base} with each {@code src[p]} (p a position of {@code index}) added at {@code p with p[dim] =
     * index[p]}, as a new array (torch.scatter_add). The caller checked ranks, sizes and the indices.
     */
    public static INDArray scatterAdd(INDArray base, int dim, INDArray index, INDArray src) {
        long[] bs = base.shape();
        long[] is = index.shape();
        long[] ss = src.shape();
        double[] out = doubles(base);
        double[] idx = doubles(index);
        double[] v = doubles(src);
        if (sameBut(bs, is, dim) && java.util.Arrays.equals(is, ss)) {
            Lines l = new Lines(is, dim);
            for (int o = 0, k = 0; o < l.outer; o++) {
                for (int j = 0; j < l.along; j++) {
                    for (int i = 0; i < l.inner; i++, k++) {
                        out[(int) ((o * bs[dim] + (long) idx[k]) * l.inner + i)] += v[k];
                    }
                }
            }
        } else {
            for (int k = 0; k < idx.length; k++) {
                out[(int) offset(k, is, bs, dim, (long) idx[k])] += v[(int) offset(k, is, ss, -1, 0)];
            }
        }
        return array(out, bs, base.dataType());
    }

    /**
     * The C-order offset in an array of shape {@code to} of position {@code k} of shape {@code from}, with the
     * coordinate along {@code dim} replaced by {@code at} (none replaced for dim -1).
     */
    private static long offset(long k, long[] from, long[] to, int dim, long at) {
        long offset = 0;
        long stride = 1;
        for (int d = from.length - 1; d >= 0; d--) {
            long coordinate = k % from[d];
            k /= from[d];
            offset += (d == dim ? at : coordinate) * stride;
            stride *= to[d];
        }
        return offset;
    }

    /**
     * The maximum (or minimum) along {@code dim} of every line of x and the index of its first occurrence (int64),
     * both of x's shape without that dim, in one pass (torch.max(x, dim) returns the first of tied maxima); NaN counts
     * as the maximum, as in PyTorch.
     */
    public static INDArray[] extremeAlong(INDArray x, int dim, boolean max) {
        long[] shape = x.shape();
        double[] v = doubles(x);
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
        return new INDArray[] {array(best, out, x.dataType()), NdArrays.create(at, out, DataType.LONG)};
    }

    /** All of x's values in C order as doubles: one bulk read for plain float32, float64 and int64 arrays. */
    static double[] doubles(INDArray x) {
        if (!ArrayPool.plain(x) || !(x.dataType() == DataType.FLOAT || x.dataType() == DataType.DOUBLE
                || x.dataType() == DataType.LONG)) {
            return Kernels.values(x);
        }
        double[] v = new double[(int) x.length()];
        if (x.dataType() == DataType.DOUBLE) {
            x.data().asNioDouble().get(0, v);
        } else if (x.dataType() == DataType.FLOAT) {
            float[] f = new float[v.length];
            x.data().asNioFloat().get(0, f);
            for (int i = 0; i < v.length; i++) {
                v[i] = f[i];
            }
        } else {
            long[] l = new long[v.length];
            x.data().asNioLong().get(0, l);
            for (int i = 0; i < v.length; i++) {
                v[i] = l[i];
            }
        }
        return v;
    }

    /** A new float32 or float64 array of {@code shape} holding {@code v}, written in one bulk put. */
    static INDArray array(double[] v, long[] shape, DataType type) {
        if (v.length == 0 || shape.length == 0 || !(type == DataType.FLOAT || type == DataType.DOUBLE)) {
            return NdArrays.create(v, shape, type);
        }
        INDArray out = Scope.allocate(type, shape);
        if (type == DataType.DOUBLE) {
            out.data().asNioDouble().put(0, v);
        } else {
            float[] f = new float[v.length];
            for (int i = 0; i < v.length; i++) {
                f[i] = (float) v[i];
            }
            out.data().asNioFloat().put(0, f);
        }
        return out;
    }
}
