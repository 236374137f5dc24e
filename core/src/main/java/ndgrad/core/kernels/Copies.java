package ndgrad.core.kernels;

import static ndgrad.core.kernels.Access.*;

import java.nio.Buffer;
import java.nio.DoubleBuffer;
import java.nio.FloatBuffer;
import java.util.Arrays;
import java.util.function.DoubleSupplier;
import ndgrad.core.NdArrays;
import ndgrad.core.memory.Scope;
import org.bytedeco.javacpp.Pointer;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.impl.transforms.pairwise.arithmetic.AddOp;
import org.nd4j.linalg.api.shape.Shape;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Copy and layout kernels: copies, assignment with broadcasting, reshapes, fills, reading and writing values,
 * views (permute, slice), padding and concatenation.
 *
 * <p>Usage: {@code INDArray c = Copies.copy(x); double[] v = Copies.values(x);}
 */
public final class Copies {
    /** A copy of {@code x} in C order (from the pool inside a scope). */
    public static INDArray copy(INDArray x) {
        INDArray out = Scope.allocate(x.dataType(), x.shape());
        assign(out, x);
        return out;
    }

    /**
     * {@code y} ← {@code x} (broadcast to y's shape) in place; ND4J's assign does not broadcast, its add does. Plain
     * arrays of one shape are one bulk copy: between the NIO views {@link NioCache} keeps for small arrays (JavaCPP's
     * {@code memcpy} makes two pointer objects, which cost more than a small copy), else one {@code memcpy} (faster
     * than a vector loop on large arrays).
     */
    public static void assign(INDArray y, INDArray x) {
        long[] shape = y.shape();
        long n = y.length();
        if (x.length() == 1 && floating(y) && floating(x)) {
            fill(y, x.getDouble(0));
        } else if (alike(y, x) && n > Kernels.ELEMENTWISE_LIMIT) {
            Pointer.memcpy(y.data().addressPointer(), x.data().addressPointer(), n * y.data().getElementSize());
        } else if (alike(y, x)) {
            NioCache nio = Access.state().nio;
            if (nio.of(y) instanceof FloatBuffer f) {
                f.put(0, (FloatBuffer) nio.of(x), 0, (int) n);
            } else {
                ((DoubleBuffer) nio.of(y)).put(0, (DoubleBuffer) nio.of(x), 0, (int) n);
            }
        } else if (java(y, y.length(), Kernels.ELEMENTWISE_LIMIT)) {
            stream(Strided.of(y, shape), Strided.of(x, shape)::read);
        } else if (Arrays.equals(x.shape(), shape)) {
            y.assign(x);
        } else {
            y.assign(0);
            exec(new AddOp(), y, new INDArray[] {y, x}, NO_INTS);
        }
    }

    /**
     * {@code x} in another shape of as many elements, C order: a copy on the Java path and of any plain float array
     * (one memcpy), a view of any other float array whose layout allows one, else a copy made in C order first;
     * other dtypes and the ND4J path take ND4J's reshape. ND4J's view costs as much as allocating, and its new
     * buffer objects wait for the garbage collector to release them: an embedding loop that reshaped its 640x32 rows
     * each step made 6 of them a step, and its young collections took 25–40 ms. Where no view will do, ND4J's
     * reshape allocates outside the pool: the CNN step's backward made a (32, 36864) array a step that way, which
     * filled the pool with arrays nobody took again until others no longer fit (10 misses a step).
     */
    public static INDArray reshape(INDArray x, long[] shape) {
        boolean java = java(x, x.length(), Kernels.ELEMENTWISE_LIMIT);
        boolean plain = NdArrays.isPlain(x);
        if (!java && (!floating(x) || Access.state().path == Kernels.Path.ND4J)) {
            return x.reshape('c', shape);
        }
        INDArray view = java || plain ? null : Shape.newShapeNoCopy(x, shape, false);
        if (view != null) {
            return view;
        }
        INDArray out = Scope.allocate(x.dataType(), shape);
        if (java) {
            stream(Strided.of(out, shape), Strided.of(x, x.shape())::read);
            return out;
        }
        try (Scope copies = plain ? null : Scope.open()) {
            INDArray p = plain ? x : copy(x);
            Pointer.memcpy(out.data().addressPointer(), p.data().addressPointer(), p.length()
                    * p.data().getElementSize());
        }
        return out;
    }

    /** Every element of {@code y} set to {@code v} in place. */
    public static void fill(INDArray y, double v) {
        if (alike(y)) {
            Fused.run(1, true, c -> c[0].fill(v), y);
        } else if (java(y, y.length(), Kernels.ELEMENTWISE_LIMIT)) {
            stream(Strided.of(y, y.shape()), (buf, len) -> Arrays.fill(buf, 0, len, v));
        } else {
            y.assign(v);
        }
    }


    /** Every element of the float32 or float64 array {@code y}, in C order, from {@code next}. */
    public static void generate(INDArray y, DoubleSupplier next) {
        long n = y.length();
        double[] buf = chunk(n);
        Strided out = Strided.of(y, y.shape());
        for (long done = 0; done < n; done += buf.length) {
            int len = (int) Math.min(buf.length, n - done);
            for (int i = 0; i < len; i++) {
                buf[i] = next.getAsDouble();
            }
            out.write(buf, len);
        }
    }

    /** {@code values} (C order) written into {@code y}, a C-order float32 or float64 array of as many elements. */
    public static void write(INDArray y, double[] values) {
        Strided.of(y, y.shape()).write(values, values.length);
    }

    /** A copy of {@code x} in C order that no scope owns and no pool takes back (a gradient buffer). */
    public static INDArray unownedCopy(INDArray x) {
        return x.dup('c');
    }

    /** A new array of {@code x}'s shape and dtype, unspecified contents, that no scope owns (optimizer state). */
    public static INDArray unownedLike(INDArray x) {
        return x.ulike();
    }

    /** {@code x} seen in C order as {@code shape}: a view when its layout allows, else a copy (check with NdArrays.sharesMemory). */
    public static INDArray viewAs(INDArray x, long[] shape) {
        return x.reshape('c', shape);
    }

    /** Whether {@code x} can be seen in C order as {@code shape} without a copy (then {@link #viewAs} is a view). */
    public static boolean viewable(INDArray x, long[] shape) {
        INDArray seen = viewAs(x, shape);
        if (NdArrays.sharesMemory(seen, x)) {
            return true;
        }
        seen.close(); // a copy that nothing else holds
        return false;
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
        Copies.fill(value, 0);
        if (n > 0) {
            place(value, axis, before, x);
        }
        return value;
    }

    /**
     * Entries {@code start} (inclusive) to {@code end} (exclusive) of {@code x} along {@code axis}, copied into a new
     * C-order array of {@code shape} (as many elements: the range's shape, or with that axis dropped). Plain float
     * arrays are copied block by block through their NIO views; ND4J's view, which {@link #slice} makes, costs
     * 10–25 µs, more than copying a few thousand values.
     */
    public static INDArray cut(INDArray x, int axis, long start, long end, long[] shape) {
        INDArray out = Scope.allocate(x.dataType(), shape);
        long inner = inner(x.shape(), axis);
        if (NdArrays.isPlain(x) && floating(x)) {
            blocks(out, (end - start) * inner, 0, x, x.size(axis) * inner, start * inner, (end - start) * inner);
        } else if (out.length() > 0) {
            INDArray range = slice(x, axis, start, end);
            assign(viewAs(out, range.shape()), range);
        }
        return out;
    }

    /** Arrays of one shape and dtype stacked along a new axis {@code axis}, into one new C-order array. */
    public static INDArray stack(int axis, INDArray... arrays) {
        long[] s = arrays[0].shape();
        long[] shape = new long[s.length + 1];
        for (int i = 0, j = 0; i < shape.length; i++) {
            shape[i] = i == axis ? arrays.length : s[j++];
        }
        INDArray out = Scope.allocate(arrays[0].dataType(), shape);
        long[] one = shape.clone();
        one[axis] = 1;
        for (int i = 0; i < arrays.length; i++) {
            place(out, axis, i, arrays[i], 1, one);
        }
        return out;
    }

    /** {@code x} written into the plain C-order array {@code y} at entries [at, at + n) along {@code axis}. */
    private static void place(INDArray y, int axis, long at, INDArray x) {
        long[] shape = x.shape();
        place(y, axis, at, x, shape[axis], shape);
    }

    /**
     * {@code x}, of {@code shape} (y's shape with n entries along {@code axis}) or as many elements, written into the
     * plain C-order array {@code y} at entries [at, at + n) along {@code axis}: block copies when x is a plain float
     * array too, else through a view of y.
     */
    private static void place(INDArray y, int axis, long at, INDArray x, long n, long[] shape) {
        long inner = inner(y.shape(), axis);
        if (NdArrays.isPlain(x) && NdArrays.isPlain(y) && floating(x) && x.dataType() == y.dataType()) {
            blocks(y, y.size(axis) * inner, at * inner, x, n * inner, 0, n * inner);
        } else {
            assign(slice(y, axis, at, at + n), viewAs(x, shape));
        }
    }

    /** The elements of a C-order shape after {@code axis}: one entry's block along it. */
    private static long inner(long[] shape, int axis) {
        long inner = 1;
        for (int i = axis + 1; i < shape.length; i++) {
            inner *= shape[i];
        }
        return inner;
    }

    /**
     * Block copies between plain float arrays of one dtype: for each of to's rows of {@code toRow} elements, {@code
     * len} elements from {@code toAt} on, from the same row of {@code from} (rows of {@code fromRow}, at {@code
     * fromAt}).
     */
    private static void blocks(INDArray to, long toRow, long toAt, INDArray from, long fromRow, long fromAt,
            long len) {
        if (len == 0 || to.length() == 0) {
            return;
        }
        NioCache nio = Access.state().nio;
        rows(nio.of(from), (int) fromAt, (int) fromRow, nio.of(to), (int) toAt, (int) toRow,
                (int) (to.length() / toRow), (int) len);
    }

    /**
     * {@code rows} rows of {@code len} elements from float32 or float64 buffer {@code from} (row r at fromAt + r ·
     * fromStride) to {@code to} of the same precision (at toAt + r · toStride), buffer to buffer.
     */
    static void rows(Buffer from, int fromAt, int fromStride, Buffer to, int toAt, int toStride, int rows, int len) {
        for (int r = 0; r < rows; r++) {
            if (to instanceof FloatBuffer t) {
                t.put(toAt + r * toStride, (FloatBuffer) from, fromAt + r * fromStride, len);
            } else {
                ((DoubleBuffer) to).put(toAt + r * toStride, (DoubleBuffer) from, fromAt + r * fromStride, len);
            }
        }
    }

    /**
     * dst ← srcᵀ, or dst + srcᵀ with {@code add}, over plain buffers of one dtype from their first element: src (rows,
     * cols) and dst (cols, rows), row-major; float32 through this thread's scratch arrays 0 and 1 ({@link
     * Access#scratch}). It runs along dst's rows, which keeps the writes in order: writing along src's rows took ten
     * times as long for a 512x16 float block (22 µs against 2.2).
     */
    static void transpose(Buffer src, int rows, int cols, Buffer dst, boolean add) {
        int n = rows * cols;
        if (src instanceof FloatBuffer s) {
            FloatBuffer d = (FloatBuffer) dst;
            float[] a = Access.scratch(0, n, false);
            float[] b = Access.scratch(1, n, !add);
            s.get(0, a, 0, n);
            if (add) {
                d.get(0, b, 0, n);
            }
            for (int c = 0; c < cols; c++) {
                for (int r = 0; r < rows; r++) {
                    b[c * rows + r] += a[r * cols + c];
                }
            }
            d.put(0, b, 0, n);
        } else {
            DoubleBuffer s = (DoubleBuffer) src;
            DoubleBuffer d = (DoubleBuffer) dst;
            for (int i = 0; i < n; i++) {
                d.put(i, (add ? d.get(i) : 0) + s.get(i % rows * cols + i / rows));
            }
        }
    }

    /**
     * Arrays joined along {@code axis} (all other sizes equal), each copied into its range of one pooled array (ND4J's
     * concat allocates its result inside the call, outside the pool).
     */
    public static INDArray concat(int axis, INDArray... arrays) {
        if (arrays.length == 1) {
            return Copies.copy(arrays[0]);
        }
        long[] shape = arrays[0].shape().clone();
        shape[axis] = 0;
        for (INDArray a : arrays) {
            shape[axis] += a.size(axis);
        }
        INDArray out = Scope.allocate(arrays[0].dataType(), shape);
        long at = 0;
        for (INDArray a : arrays) {
            long n = a.size(axis);
            if (n > 0) {
                place(out, axis, at, a);
            }
            at += n;
        }
        return out;
    }

    /** The value of {@code x} at {@code index} (one index per dimension), as a double; for printing and tests. */
    public static double at(INDArray x, long... index) {
        return x.getDouble(index);
    }

    /** The value of an integer array at {@code index}, exactly (an int64 past 2^53 is not a double). */
    public static long longAt(INDArray x, long... index) {
        return x.getLong(index);
    }

    /**
     * All of {@code x}'s values in C order as doubles (any layout, any dtype): one bulk read for large plain float32
     * and float64 arrays and for plain int64 ones, else read in place through strides (small arrays' NIO views are
     * cached, a new one costs more than their read).
     */
    public static double[] values(INDArray x) {
        boolean bulk = NdArrays.isPlain(x) && (floating(x) && x.length() > Kernels.ELEMENTWISE_LIMIT
                || x.dataType() == DataType.LONG);
        if (!bulk) {
            return strided(x);
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

    /** All of {@code x}'s values in C order as doubles, read in place through its strides. */
    private static double[] strided(INDArray x) {
        double[] out = new double[Math.toIntExact(x.length())];
        if (floating(x)) {
            Strided.of(x, x.shape()).read(out, out.length);
        } else {
            double[] all = (NdArrays.isPlain(x) ? x : x.dup('c')).data().asDouble();
            System.arraycopy(all, 0, out, 0, out.length);
        }
        return out;
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
