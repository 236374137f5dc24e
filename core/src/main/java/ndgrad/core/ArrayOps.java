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

    private static INDArrayIndex[] index(int rank, int axis, INDArrayIndex at) {
        INDArrayIndex[] idx = new INDArrayIndex[rank];
        Arrays.fill(idx, NDArrayIndex.all());
        idx[axis] = at;
        return idx;
    }
}
