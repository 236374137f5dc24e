package ndgrad.testing;

import java.util.Arrays;
import java.util.function.DoubleBinaryOperator;
import java.util.function.DoubleUnaryOperator;
import ndgrad.autograd.Tensor;

/**
 * Plain values in double, C order, with a shape: what a reference implementation takes and returns, written with
 * loops and nothing of ndgrad's, so that it is independent of the code under test.
 *
 * <p>Usage: {@code java.util.function.Function<Nd[], Nd> ref = x -> x[0].map(v -> v / (1 + Math.exp(-v)));}
 */
public record Nd(long[] shape, double[] data) {
    /** Checks that the data fills the shape. */
    public Nd {
        long n = 1;
        for (long d : shape) {
            if (d < 0) {
                throw new IllegalArgumentException("Nd: negative size in shape " + Arrays.toString(shape));
            }
            n *= d;
        }
        if (n != data.length) {
            throw new IllegalArgumentException("Nd: " + data.length + " values do not fill shape "
                    + Arrays.toString(shape));
        }
    }

    /** Values with a shape. */
    public static Nd of(double[] data, long... shape) {
        return new Nd(shape.clone(), data.clone());
    }

    /** A rank-0 value. */
    public static Nd scalar(double v) {
        return new Nd(new long[0], new double[] {v});
    }

    /** A tensor's shape and values. */
    public static Nd of(Tensor t) {
        return new Nd(t.shape(), t.toDoubleArray());
    }

    /** The rank. */
    public int rank() {
        return shape.length;
    }

    /** The number of elements. */
    public int numel() {
        return data.length;
    }

    /** The size of dimension {@code d} (negative counts from the end). */
    public long size(int d) {
        return shape[d < 0 ? d + shape.length : d];
    }

    /** The value at {@code index}, one entry per dimension. */
    public double get(long... index) {
        return data[(int) offset(shape, index)];
    }

    /** f applied to each value. */
    public Nd map(DoubleUnaryOperator f) {
        double[] out = new double[data.length];
        for (int i = 0; i < out.length; i++) {
            out[i] = f.applyAsDouble(data[i]);
        }
        return new Nd(shape, out);
    }

    /** f applied elementwise to this and {@code o}, broadcasting as NumPy does. */
    public Nd zip(Nd o, DoubleBinaryOperator f) {
        long[] out = broadcast(shape, o.shape);
        double[] v = new double[(int) numel(out)];
        long[] index = new long[out.length];
        for (int i = 0; i < v.length; i++) {
            unravel(i, out, index);
            v[i] = f.applyAsDouble(data[(int) broadcastOffset(shape, index)], o.data[(int) broadcastOffset(o.shape,
                    index)]);
        }
        return new Nd(out, v);
    }

    /** The same values in another shape. */
    public Nd reshape(long... to) {
        return new Nd(to.clone(), data);
    }

    /** The shape both broadcast to, or an IllegalArgumentException. */
    public static long[] broadcast(long[] a, long[] b) {
        int rank = Math.max(a.length, b.length);
        long[] out = new long[rank];
        for (int i = 1; i <= rank; i++) {
            long da = i <= a.length ? a[a.length - i] : 1;
            long db = i <= b.length ? b[b.length - i] : 1;
            if (da != db && da != 1 && db != 1) {
                throw new IllegalArgumentException("Nd: shapes " + Arrays.toString(a) + " and " + Arrays.toString(b)
                        + " do not broadcast");
            }
            out[rank - i] = Math.max(da, db);
        }
        return out;
    }

    /** The number of elements of a shape. */
    public static long numel(long[] shape) {
        long n = 1;
        for (long d : shape) {
            n *= d;
        }
        return n;
    }

    /** Writes the index of flat position {@code flat} (C order) in {@code shape} into {@code index}. */
    public static void unravel(long flat, long[] shape, long[] index) {
        long rest = flat;
        for (int d = shape.length - 1; d >= 0; d--) {
            index[d] = shape[d] == 0 ? 0 : rest % shape[d];
            rest = shape[d] == 0 ? 0 : rest / shape[d];
        }
    }

    /** The flat position (C order) of {@code index} in {@code shape}. */
    public static long offset(long[] shape, long[] index) {
        long at = 0;
        for (int d = 0; d < shape.length; d++) {
            at = at * shape[d] + index[d];
        }
        return at;
    }

    /** The flat position in {@code shape} of the element a broadcast to {@code index}'s (larger) shape reads. */
    static long broadcastOffset(long[] shape, long[] index) {
        long at = 0;
        int lead = index.length - shape.length;
        for (int d = 0; d < shape.length; d++) {
            at = at * shape[d] + (shape[d] == 1 ? 0 : index[lead + d]);
        }
        return at;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Nd n && Arrays.equals(shape, n.shape) && Arrays.equals(data, n.data);
    }

    @Override
    public int hashCode() {
        return 31 * Arrays.hashCode(shape) + Arrays.hashCode(data);
    }

    @Override
    public String toString() {
        return "Nd" + Arrays.toString(shape) + Arrays.toString(data);
    }
}
