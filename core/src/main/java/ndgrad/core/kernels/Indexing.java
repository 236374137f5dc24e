package ndgrad.core.kernels;

import static ndgrad.core.kernels.Access.*;

import java.lang.reflect.Field;
import java.util.Arrays;
import ndgrad.core.NdArrays;
import ndgrad.core.ShapeException;
import ndgrad.core.Shapes;
import ndgrad.core.memory.Scope;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import sun.misc.Unsafe;

/**
 * Index kernels: picks along an axis and their adjoint (embedding lookups, {@code index_select} and its
 * {@code index_add} backward), {@code gather} and {@code scatter_add}. The picks' block copies run straight on
 * plain arrays' off-heap memory (see {@link #gather(INDArray, int[], int, INDArray)}).
 *
 * <p>Usage: {@code Indexing.Picks p = Indexing.picks("embedding", table.shape(), 0, ids);
 * INDArray rows = Indexing.indexSelect(table, p);}
 */
public final class Indexing {


    /**
     * The entries of {@code x} at {@code indices} along {@code axis}, in that order (torch.index_select), in a new
     * array: one block copy per index and outer position (a row copy along axis 0).
     *
     * @throws ShapeException if an index is outside the axis
     */
    public static INDArray indexSelect(INDArray x, int axis, long[] indices) {
        return indexSelect(x, picks("indexSelect", x.shape(), axis, indices));
    }

    /**
     * The entries of {@code x} that {@code p} picks, as {@link #indexSelect(INDArray, int, long[])}.
     *
     * @throws ShapeException if x's shape is not the one p was checked against
     */
    public static INDArray indexSelect(INDArray x, Picks p) {
        Picks.expect("indexSelect", x, p.shape);
        INDArray out = Scope.allocate(x.dataType(), p.picked);
        if (!floating(x)) {
            for (int q = 0; q < p.starts.length; q++) {
                for (int i = 0; i < p.inner; i++) {
                    out.putScalar((long) q * p.inner + i, x.getDouble(p.starts[q] + i));
                }
            }
            return out;
        }
        try (Scope copy = NdArrays.isPlain(x) ? null : Scope.open()) {
            copyBlocks(copy == null ? x : Copies.copy(x), p.starts, p.inner, out);
        }
        return out;
    }

    /**
     * Zeros with size {@code n} along {@code axis} into which the entries of {@code g} are added at
     * {@code indices} (repeats accumulate): the adjoint of {@link #indexSelect}, in one pass over g.
     *
     * @throws ShapeException if g's size along axis is not the number of indices, or an index is outside [0, n)
     */
    public static INDArray indexAdd(INDArray g, int axis, long[] indices, long n) {
        long[] shape = g.shape().clone();
        shape[axis] = n;
        return indexAdd(g, picks("indexAdd", shape, axis, indices));
    }

    /**
     * Zeros of the shape {@code p} was checked against, with the entries of {@code g} added at the ones p picks:
     * the adjoint of {@link #indexSelect(INDArray, Picks)}.
     *
     * @throws ShapeException if g's shape is not the picked shape of p
     */
    public static INDArray indexAdd(INDArray g, Picks p) {
        Picks.expect("indexAdd", g, p.picked);
        INDArray out = Scope.allocate(g.dataType(), p.shape);
        if (!floating(g)) {
            Copies.fill(out, 0);
            for (int q = 0; q < p.starts.length; q++) {
                for (int i = 0; i < p.inner; i++) {
                    long at = p.starts[q] + i;
                    out.putScalar(at, out.getDouble(at) + g.getDouble((long) q * p.inner + i));
                }
            }
            return out;
        }
        try (Scope copy = NdArrays.isPlain(g) ? null : Scope.open()) {
            addBlocks(copy == null ? g : Copies.copy(g), p.starts, p.inner, out);
        }
        return out;
    }

    /**
     * Indices along {@code axis} of arrays of {@code shape}, checked once, for a lookup's forward and backward.
     * Usage: {@code Indexing.Picks p = Indexing.picks("embedding", table.shape(), 0, ids)}, then
     * {@code indexSelect(table, p)} and {@code indexAdd(grad, p)}.
     *
     * @throws ShapeException naming {@code op} if the axis is not one of the shape's, or an index is outside it
     */
    public static Picks picks(String op, long[] shape, int axis, long[] indices) {
        return new Picks(op, shape.clone(), Shapes.axis(op, axis, shape.length), indices);
    }

    /**
     * Indices along one axis of a C-order shape, seen as (outer, n, inner): the offset of each picked block of
     * {@code inner} elements, in the picked array's order (block q = o * indices + j, of outer position o and index
     * j, starts at q * inner there). Immutable: made by {@link #picks}, which checks every index.
     */
    public static final class Picks {
        private final long[] shape;
        private final long[] picked;
        private final int inner;
        private final int[] starts;

        private Picks(String op, long[] shape, int axis, long[] indices) {
            long n = shape[axis];
            int k = indices.length;
            this.shape = shape;
            this.picked = shape.clone();
            picked[axis] = k;
            // both arrays' sizes fit an int, and so every offset below
            Math.toIntExact(Shapes.numel(shape));
            Math.toIntExact(Shapes.numel(picked));
            this.inner = Math.toIntExact(Shapes.numel(Arrays.copyOfRange(shape, axis + 1, shape.length)));
            int outer = Math.toIntExact(Shapes.numel(Arrays.copyOfRange(shape, 0, axis)));
            int block = Math.toIntExact(n * inner);
            this.starts = new int[Math.toIntExact((long) outer * k)];
            for (int j = 0; j < k; j++) {
                long i = indices[j];
                if (i < 0 || i >= n) {
                    throw new ShapeException(op + ": index " + i + " is out of range for axis " + axis + " of size "
                            + n);
                }
                starts[j] = (int) i * inner;
            }
            for (int o = 1, q = k; o < outer; o++) {
                for (int j = 0; j < k; j++, q++) {
                    starts[q] = starts[j] + o * block;
                }
            }
        }

        /** Checks that {@code a}, given to {@code op}, has {@code shape}. */
        private static void expect(String op, INDArray a, long[] shape) {
            if (!Arrays.equals(a.shape(), shape)) {
                throw new ShapeException(op + ": an array of shape " + Shapes.str(a.shape()) + " where its indices "
                        + "need " + Shapes.str(shape));
            }
        }
    }

    /**
     * {@code out[p] = x[p with p[dim] = index[p]]} for every position p of {@code index} (torch.gather): out has
     * index's shape and x's dtype. The caller checked ranks, sizes and the range of the indices.
     */
    public static INDArray gather(INDArray x, int dim, INDArray index) {
        long[] xs = x.shape();
        long[] is = index.shape();
        double[] v = Copies.values(x);
        double[] idx = Copies.values(index);
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
        return Copies.array(out, is, x.dataType());
    }

    /**
     * The int64 indices that sort each line of x along {@code dim}, stably (equal values keep their order), NaN
     * after every number ascending and before it descending, as {@code torch.sort(stable=True)}.
     */
    public static INDArray sortIndices(INDArray x, int dim, boolean descending) {
        long[] shape = x.shape();
        double[] v = Copies.values(x);
        long[] out = new long[v.length];
        Lines l = new Lines(shape, dim);
        Integer[] order = new Integer[(int) l.along];
        for (long o = 0; o < l.outer; o++) {
            for (long i = 0; i < l.inner; i++) {
                long base = o * l.along * l.inner + i;
                for (int j = 0; j < order.length; j++) {
                    order[j] = j;
                }
                java.util.Arrays.sort(order, (a, b) -> {
                    int c = Double.compare(v[(int) (base + a * l.inner)] + 0.0, v[(int) (base + b * l.inner)] + 0.0);
                    return descending ? -c : c;
                });
                for (int j = 0; j < order.length; j++) {
                    out[(int) (base + j * l.inner)] = order[j];
                }
            }
        }
        return NdArrays.create(out, shape);
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
        double[] out = Copies.values(base);
        double[] idx = Copies.values(index);
        double[] v = Copies.values(src);
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
        return Copies.array(out, bs, base.dataType());
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

    // raw

    private static final Unsafe UNSAFE = unsafe();

    /**
     * Copies block q of {@code inner} elements of {@code x}, at element offset {@code from[q]}, to offset q * inner
     * of {@code out}; both plain ({@link NdArrays#isPlain}) and of one floating dtype.
     */
    static void copyBlocks(INDArray x, int[] from, int inner, INDArray out) {
        long size = x.data().getElementSize();
        long src = address(x);
        long dst = address(out);
        long bytes = inner * size;
        for (int q = 0; q < from.length; q++) {
            UNSAFE.copyMemory(src + from[q] * size, dst + q * bytes, bytes);
        }
    }

    /**
     * Zeros {@code out}, then adds block q of {@code inner} elements of {@code g}, at element offset q * inner, into
     * {@code out} at element offset {@code to[q]}: the adjoint of {@link #gather}. Both plain and of one floating
     * dtype.
     */
    static void addBlocks(INDArray g, int[] to, int inner, INDArray out) {
        boolean float32 = g.dataType() == DataType.FLOAT;
        long size = g.data().getElementSize();
        long src = address(g);
        long dst = address(out);
        UNSAFE.setMemory(dst, out.length() * size, (byte) 0);
        for (int q = 0; q < to.length; q++) {
            long s = src + (long) q * inner * size;
            long d = dst + to[q] * size;
            if (float32) {
                for (int i = 0; i < inner; i++) {
                    long at = d + 4L * i;
                    UNSAFE.putFloat(at, UNSAFE.getFloat(at) + UNSAFE.getFloat(s + 4L * i));
                }
            } else {
                for (int i = 0; i < inner; i++) {
                    long at = d + 8L * i;
                    UNSAFE.putDouble(at, UNSAFE.getDouble(at) + UNSAFE.getDouble(s + 8L * i));
                }
            }
        }
    }

    /**
     * The address of a plain array's first element, from the pointer its buffer keeps ({@code addressPointer()}
     * asks libnd4j through JNI each call).
     */
    private static long address(INDArray plain) {
        return plain.data().pointer().address();
    }

    private static Unsafe unsafe() {
        try {
            Field f = Unsafe.class.getDeclaredField("theUnsafe");
            f.setAccessible(true);
            return (Unsafe) f.get(null);
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException("ndgrad needs sun.misc.Unsafe (module jdk.unsupported)", e);
        }
    }
}
