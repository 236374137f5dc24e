package ndgrad.core;

import java.util.Arrays;

/**
 * Shape helpers: NumPy broadcasting, the reduction of a broadcast gradient back to an input's shape, axis checks.
 *
 * <p>Broadcasting follows NumPy's rule (<a href="https://numpy.org/doc/stable/user/basics.broadcasting.html">NumPy
 * docs</a>): shapes are aligned at their last dimension; two sizes are compatible when equal or when one is 1.
 *
 * <p>Usage: {@code long[] out = Shapes.broadcast("add", new long[] {3, 1}, new long[] {4}); // [3, 4]}
 */
public final class Shapes {
    private Shapes() {
    }

    /**
     * The broadcast shape of {@code a} and {@code b}, or a {@link ShapeException} naming {@code op} and both shapes.
     */
    public static long[] broadcast(String op, long[] a, long[] b) {
        int rank = Math.max(a.length, b.length);
        long[] out = new long[rank];
        for (int i = 1; i <= rank; i++) {
            long da = i <= a.length ? a[a.length - i] : 1;
            long db = i <= b.length ? b[b.length - i] : 1;
            if (da != db && da != 1 && db != 1) {
                throw new ShapeException(op + ": shapes " + str(a) + " and " + str(b)
                        + " are not broadcastable (dimension " + (rank - i) + " of the result: " + da + " vs " + db
                        + "; sizes must match or one must be 1)");
            }
            out[rank - i] = da == 1 ? db : da;
        }
        return out;
    }

    /** The axes of {@code from} to sum (with keepDims) so that a reshape to {@code to} follows. */
    public static int[] sumToAxes(long[] from, long[] to) {
        int lead = from.length - to.length;
        if (lead < 0) {
            throw new ShapeException("sumTo: cannot reduce shape " + str(from) + " to the larger rank of "
                    + str(to));
        }
        int[] axes = new int[from.length];
        int n = 0;
        for (int i = 0; i < from.length; i++) {
            if (i < lead) {
                axes[n++] = i;
            } else if (to[i - lead] == 1 && from[i] != 1) {
                axes[n++] = i;
            } else if (to[i - lead] != from[i]) {
                throw new ShapeException("sumTo: shape " + str(from) + " is not a broadcast of " + str(to));
            }
        }
        return Arrays.copyOf(axes, n);
    }

    /** {@code axis} made non-negative for an array of {@code rank}; negative counts from the end, as in PyTorch. */
    public static int axis(String op, int axis, int rank) {
        int a = axis < 0 ? axis + rank : axis;
        if (a < 0 || a >= rank) {
            throw new ShapeException(op + ": axis " + axis + " is out of range for rank " + rank
                    + " (expected " + (-rank) + " to " + (rank - 1) + ")");
        }
        return a;
    }

    /** All {@code axes} made non-negative, checked and free of repeats; empty means all axes. */
    public static int[] axes(String op, int[] axes, int rank) {
        if (axes.length == 0) {
            int[] all = new int[rank];
            Arrays.setAll(all, i -> i);
            return all;
        }
        int[] out = new int[axes.length];
        boolean[] seen = new boolean[rank];
        for (int i = 0; i < axes.length; i++) {
            out[i] = axis(op, axes[i], rank);
            if (seen[out[i]]) {
                throw new ShapeException(op + ": axis " + axes[i] + " is repeated in " + Arrays.toString(axes));
            }
            seen[out[i]] = true;
        }
        Arrays.sort(out);
        return out;
    }

    /** {@code shape} without the given (sorted, non-negative) axes: the shape a reduction without keepDims makes. */
    public static long[] dropDims(long[] shape, int[] axes) {
        long[] out = new long[shape.length - axes.length];
        for (int i = 0, j = 0, k = 0; i < shape.length; i++) {
            if (k < axes.length && axes[k] == i) {
                k++;
            } else {
                out[j++] = shape[i];
            }
        }
        return out;
    }

    /** {@code shape} with the given (non-negative) axes set to 1: the shape a keepDims reduction produces. */
    public static long[] keepDims(long[] shape, int[] axes) {
        long[] out = shape.clone();
        for (int a : axes) {
            out[a] = 1;
        }
        return out;
    }

    /**
     * {@code shape} when every size is at least 0 and the number of elements fits a long, else a
     * {@link ShapeException} naming {@code op}.
     */
    public static long[] check(String op, long[] shape) {
        long n = 1;
        for (long d : shape) {
            if (d < 0) {
                throw new ShapeException(op + ": invalid shape " + str(shape) + " (sizes must be >= 0)");
            }
            try {
                n = Math.multiplyExact(n, d);
            } catch (ArithmeticException e) {
                throw new ShapeException(op + ": shape " + str(shape) + " has more elements than a long counts");
            }
        }
        return shape;
    }

    /** The number of elements of {@code shape}; 1 for a scalar (rank 0). */
    public static long numel(long[] shape) {
        long n = 1;
        for (long d : shape) {
            n *= d;
        }
        return n;
    }

    /** {@code [2, 3]}: a shape as it appears in error messages. */
    public static String str(long[] shape) {
        return Arrays.toString(shape);
    }
}
