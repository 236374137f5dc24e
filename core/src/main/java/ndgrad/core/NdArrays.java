package ndgrad.core;

import ndgrad.core.kernels.Copies;
import ndgrad.core.memory.ArrayPool;
import ndgrad.core.memory.Scope;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Small helpers over ND4J arrays: creation with an explicit dtype (ND4J has returned FLOAT for a {@code double[]}
 * without one, and creating float32 from a {@code double[]} goes through a temporary float64 buffer that nobody
 * closes; float32 and float64 arrays are written directly into an array from {@link Scope#allocate}) and the
 * memory-ownership test that {@link Scope} relies on.
 *
 * <p>Usage: {@code INDArray a = NdArrays.create(new double[] {1, 2, 3, 4}, new long[] {2, 2}, DataType.DOUBLE);}
 */
public final class NdArrays {
    private NdArrays() {
    }

    /** A new array holding {@code values} in C order with the given shape and dtype; a rank-0 scalar for shape []. */
    public static INDArray create(double[] values, long[] shape, DataType type) {
        checkFills(values.length, shape);
        if (values.length == 0) {
            return Scope.track(Nd4j.create(type, shape));
        }
        if (type == DataType.FLOAT || type == DataType.DOUBLE) {
            INDArray a = Scope.allocate(type, shape);
            Copies.write(a, values);
            return a;
        }
        if (shape.length == 0) {
            return Scope.track(Nd4j.scalar(type, values[0]));
        }
        if (type == DataType.LONG) {
            long[] v = new long[values.length];
            for (int i = 0; i < v.length; i++) {
                v[i] = (long) values[i];
            }
            return Scope.track(Nd4j.createFromArray(v).reshape(shape));
        }
        return Scope.track(Nd4j.create(values, shape, type));
    }

    /** A new int64 array holding {@code values} exactly (beyond 2^53 too) in C order with the given shape. */
    public static INDArray create(long[] values, long[] shape) {
        checkFills(values.length, shape);
        return Scope.track(values.length == 0 ? Nd4j.create(DataType.LONG, shape)
                : Nd4j.createFromArray(values).reshape(shape));
    }

    /** A new int32 array holding {@code values} in C order with the given shape. */
    public static INDArray create(int[] values, long[] shape) {
        checkFills(values.length, shape);
        return Scope.track(values.length == 0 ? Nd4j.create(DataType.INT, shape)
                : Nd4j.createFromArray(values).reshape(shape));
    }

    private static void checkFills(int n, long[] shape) {
        if (n != Shapes.numel(shape)) {
            throw new ShapeException("create: " + n + " values do not fill shape " + Shapes.str(shape) + " ("
                    + Shapes.numel(shape) + " elements)");
        }
    }

    /**
     * True when {@code a} and {@code b} read or write the same memory: ND4J returns views (reshape, slices) over a
     * parent buffer, and {@code permute}/{@code transpose} even return the parent's own buffer while reporting
     * {@code isView() == false}. Closing such an array would free its parent's memory.
     */
    public static boolean sharesMemory(INDArray a, INDArray b) {
        return a == b || ArrayPool.root(a) == ArrayPool.root(b);
    }

    /** A 2-D array of {@code type} from rows of equal length. */
    public static INDArray matrix(double[][] rows, DataType type) {
        int cols = rows.length == 0 ? 0 : rows[0].length;
        double[] flat = new double[rows.length * cols];
        for (int r = 0; r < rows.length; r++) {
            if (rows[r].length != cols) {
                throw new IllegalArgumentException("matrix: row " + r + " has " + rows[r].length
                        + " values, row 0 has " + cols);
            }
            System.arraycopy(rows[r], 0, flat, r * cols, cols);
        }
        return create(flat, new long[] {rows.length, cols}, type);
    }

    /** The rows of a 2-D array as doubles. */
    public static double[][] rows(INDArray x) {
        int cols = (int) x.size(1);
        double[] v = Copies.values(x);
        double[][] out = new double[(int) x.size(0)][];
        for (int r = 0; r < out.length; r++) {
            out[r] = java.util.Arrays.copyOfRange(v, r * cols, (r + 1) * cols);
        }
        return out;
    }

    /** A copy of rows {@code from} (inclusive) to {@code to} (exclusive) of {@code x}, as a new array. */
    public static INDArray rows(INDArray x, long from, long to) {
        return Copies.copy(Copies.slice(x, 0, from, to));
    }

    /** Whether {@code a} owns all of its buffer in C order from offset 0 (so may be pooled, or passed to BLAS). */
    public static boolean isPlain(INDArray a) {
        return !a.isView() && !a.isEmpty() && a.ordering() == 'c' && a.offset() == 0
                && a.data().length() == a.length() && cOrderStrides(a);
    }

    /** Whether a's strides are C order's; sizes of 1 may have any stride (ND4J's own check refuses [1, 1]). */
    private static boolean cOrderStrides(INDArray a) {
        long[] shape = a.shape();
        long[] stride = a.stride();
        long expected = 1;
        for (int i = shape.length - 1; i >= 0; i--) {
            if (shape[i] != 1 && stride[i] != expected) {
                return false;
            }
            expected *= shape[i];
        }
        return true;
    }
}
