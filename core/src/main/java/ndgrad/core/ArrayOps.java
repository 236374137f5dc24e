package ndgrad.core;

import java.util.Arrays;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.impl.controlflow.Select;
import org.nd4j.linalg.api.ops.impl.transforms.strict.Erf;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.BooleanIndexing;
import org.nd4j.linalg.indexing.INDArrayIndex;
import org.nd4j.linalg.indexing.NDArrayIndex;
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

    /** The products of matching matrices of two 3-D arrays of one batch size. */
    public static INDArray batchedMatmul(INDArray a, INDArray b) {
        return Scope.track(Nd4j.matmul(a, b));
    }

    /** {@code x} seen in C order as {@code shape}: a view when its layout allows, else a copy (check with NdArrays.sharesMemory). */
    public static INDArray viewAs(INDArray x, long[] shape) {
        return x.reshape('c', shape);
    }

    /** A view of {@code x} with its dimensions reordered: result dim i is x's dim {@code dims[i]}. */
    public static INDArray permute(INDArray x, int... dims) {
        return x.permute(dims);
    }

    /** A view of elements {@code start} (inclusive) to {@code end} (exclusive) of {@code x} along {@code axis}. */
    public static INDArray slice(INDArray x, int axis, long start, long end) {
        return x.get(index(x.rank(), axis, NDArrayIndex.interval(start, end)));
    }

    /** {@code x} with zeros added along {@code axis}: {@code before} in front, {@code after} behind. */
    public static INDArray pad(INDArray x, int axis, long before, long after) {
        long[] s = x.shape().clone();
        long n = s[axis];
        s[axis] += before + after;
        INDArray value = Scope.allocate(x.dataType(), s);
        Kernels.fill(value, 0);
        value.get(index(s.length, axis, NDArrayIndex.interval(before, before + n))).assign(x);
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
        double[] v = Kernels.values(x);
        double[] idx = Kernels.values(index);
        double[] out = new double[idx.length];
        for (int k = 0; k < idx.length; k++) {
            out[k] = v[(int) offset(k, is, xs, dim, (long) idx[k])];
        }
        return NdArrays.create(out, is, x.dataType());
    }

    /**
     * {@code base} with each {@code src[p]} (p a position of {@code index}) added at {@code p with p[dim] =
     * index[p]}, as a new array (torch.scatter_add). The caller checked ranks, sizes and the indices.
     */
    public static INDArray scatterAdd(INDArray base, int dim, INDArray index, INDArray src) {
        long[] bs = base.shape();
        long[] is = index.shape();
        long[] ss = src.shape();
        double[] out = Kernels.values(base);
        double[] idx = Kernels.values(index);
        double[] v = Kernels.values(src);
        for (int k = 0; k < idx.length; k++) {
            out[(int) offset(k, is, bs, dim, (long) idx[k])] += v[(int) offset(k, is, ss, -1, 0)];
        }
        return NdArrays.create(out, bs, base.dataType());
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
     * The index of the first maximum (or minimum) along {@code dim} of every line of x, as int64 of x's shape
     * without that dim (torch.argmax returns the first of tied maxima); NaN counts as the maximum, as in PyTorch.
     */
    public static INDArray argExtreme(INDArray x, int dim, boolean max) {
        long[] shape = x.shape();
        double[] v = Kernels.values(x);
        long n = shape[dim];
        long inner = 1;
        for (int d = dim + 1; d < shape.length; d++) {
            inner *= shape[d];
        }
        long outer = n == 0 ? 0 : v.length / (n * inner);
        double[] out = new double[(int) (outer * inner)];
        for (long o = 0; o < outer; o++) {
            for (long i = 0; i < inner; i++) {
                long base = o * n * inner + i;
                int best = 0;
                for (int j = 1; j < n && !Double.isNaN(v[(int) (base + (long) best * inner)]); j++) {
                    double c = v[(int) (base + j * inner)];
                    double b = v[(int) (base + (long) best * inner)];
                    if (Double.isNaN(c) || (max ? c > b : c < b)) {
                        best = j;
                    }
                }
                out[(int) (o * inner + i)] = best;
            }
        }
        return NdArrays.create(out, Shapes.dropDims(shape, new int[] {dim}), DataType.LONG);
    }

    private static INDArrayIndex[] index(int rank, int axis, INDArrayIndex at) {
        INDArrayIndex[] idx = new INDArrayIndex[rank];
        Arrays.fill(idx, NDArrayIndex.all());
        idx[axis] = at;
        return idx;
    }
}
