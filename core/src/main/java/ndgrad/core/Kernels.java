package ndgrad.core;

import java.nio.Buffer;
import java.nio.DoubleBuffer;
import java.nio.FloatBuffer;
import java.util.Arrays;
import java.util.Locale;
import java.util.function.DoubleBinaryOperator;
import java.util.function.DoubleUnaryOperator;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.CustomOp;
import org.nd4j.linalg.api.ops.Op;
import org.nd4j.linalg.api.ops.impl.reduce.same.Max;
import org.nd4j.linalg.api.ops.impl.reduce.same.Sum;
import org.nd4j.linalg.api.ops.impl.scalar.Pow;
import org.nd4j.linalg.api.ops.impl.scalar.RectifiedLinear;
import org.nd4j.linalg.api.ops.impl.scalar.ScalarAdd;
import org.nd4j.linalg.api.ops.impl.scalar.ScalarDivision;
import org.nd4j.linalg.api.ops.impl.scalar.ScalarMultiplication;
import org.nd4j.linalg.api.ops.impl.scalar.Step;
import org.nd4j.linalg.api.ops.impl.transforms.floating.Sqrt;
import org.nd4j.linalg.api.ops.impl.transforms.pairwise.arithmetic.AddOp;
import org.nd4j.linalg.api.ops.impl.transforms.pairwise.arithmetic.Axpy;
import org.nd4j.linalg.api.ops.impl.transforms.pairwise.arithmetic.DivOp;
import org.nd4j.linalg.api.ops.impl.transforms.pairwise.arithmetic.MulOp;
import org.nd4j.linalg.api.ops.impl.transforms.pairwise.arithmetic.SubOp;
import org.nd4j.linalg.api.ops.impl.transforms.same.Abs;
import org.nd4j.linalg.api.ops.impl.transforms.same.Negative;
import org.nd4j.linalg.api.ops.impl.transforms.same.Sign;
import org.nd4j.linalg.api.ops.impl.transforms.strict.Cos;
import org.nd4j.linalg.api.ops.impl.transforms.strict.Exp;
import org.nd4j.linalg.api.ops.impl.transforms.strict.Log;
import org.nd4j.linalg.api.ops.impl.transforms.strict.Sigmoid;
import org.nd4j.linalg.api.ops.impl.transforms.strict.Sin;
import org.nd4j.linalg.api.ops.impl.transforms.strict.Tanh;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The arithmetic under {@code Tensor}: elementwise ops with NumPy broadcasting, reductions, matrix products and
 * in-place updates, each computed one of two ways with one meaning. Small arrays run as Java loops over the
 * array's own off-heap buffer (any strides, so views and transposes too), which skips ND4J's per-call dispatch
 * (4–25 µs even for a 4x4 array, measured); larger ones go to ND4J's native ops and BLAS. Results are new arrays
 * from {@link Scope#allocate}, so inside a scope they come from the pool. Both paths compute in the array's dtype
 * precision or better (Java loops accumulate in double), so they agree to float rounding.
 *
 * <p>The path is chosen per call by size ({@link #ELEMENTWISE_LIMIT}, {@link #GEMM_LIMIT}, measured with
 * {@code ndgrad.benchmarks.Bench --kernels}); {@link #use(Path)} forces one for this thread (tests run gradcheck
 * on both), and the system property {@code ndgrad.kernels=java|nd4j|auto} sets the default for all threads.
 *
 * <p>Usage: {@code INDArray c = Kernels.binary(Kernels.Binary.ADD, a, b);}
 */
public final class Kernels {
    /**
     * Arrays with at most this many elements (output, or input for reductions) use Java loops: at this size a loop
     * takes about as long as one ND4J call's dispatch.
     */
    public static final long ELEMENTWISE_LIMIT = 4096;
    /** Matrix products with at most this many multiply-adds (m·n·k) use a Java loop. */
    public static final long GEMM_LIMIT = 32768;

    /** How to compute: by size, always Java loops, or always ND4J. */
    public enum Path { AUTO, JAVA, ND4J }

    private static final Path DEFAULT = parse(System.getProperty("ndgrad.kernels", "auto"));
    private static final ThreadLocal<Path> PATH = ThreadLocal.withInitial(() -> DEFAULT);

    private Kernels() {
    }

    private static Path parse(String name) {
        for (Path p : Path.values()) {
            if (p.name().equalsIgnoreCase(name)) {
                return p;
            }
        }
        throw new IllegalArgumentException("ndgrad.kernels: expected auto, java or nd4j, got '" + name + "'");
    }

    /** Forces {@code path} on this thread until the returned handle closes. */
    public static AutoCloseableNoThrow use(Path path) {
        Path before = PATH.get();
        PATH.set(path);
        return () -> PATH.set(before);
    }

    /** The path this thread uses now. */
    public static Path path() {
        return PATH.get();
    }

    /** A handle whose close() throws nothing, for try-with-resources. */
    @FunctionalInterface
    public interface AutoCloseableNoThrow extends AutoCloseable {
        @Override
        void close();
    }

    // ---------------------------------------------------------------- elementwise

    /** Elementwise binary ops; both operands broadcast to a common shape. */
    public enum Binary {
        ADD(Double::sum), SUB((a, b) -> a - b), MUL((a, b) -> a * b), DIV((a, b) -> a / b);

        private final DoubleBinaryOperator f;

        Binary(DoubleBinaryOperator f) {
            this.f = f;
        }

        CustomOp nd4j(INDArray a, INDArray b, INDArray out) {
            switch (this) {
                case ADD:
                    return new AddOp(a, b, out);
                case SUB:
                    return new SubOp(a, b, out);
                case MUL:
                    return new MulOp(a, b, out);
                default:
                    return new DivOp(a, b, out);
            }
        }
    }

    /** Elementwise functions of one array. */
    public enum Unary {
        NEG(x -> -x), EXP(Math::exp), LOG(Math::log), SIN(Math::sin), COS(Math::cos), SQRT(Math::sqrt),
        ABS(Math::abs), SIGN(Math::signum), TANH(Math::tanh), SIGMOID(x -> 1 / (1 + Math.exp(-x))),
        RELU(x -> x <= 0 ? 0 : x), STEP(x -> x > 0 ? 1 : 0);

        private final DoubleUnaryOperator f;

        Unary(DoubleUnaryOperator f) {
            this.f = f;
        }

        Op nd4j(INDArray x, INDArray out) {
            switch (this) {
                case NEG:
                    return new Negative(x, out);
                case EXP:
                    return new Exp(x, out);
                case LOG:
                    return new Log(x, out);
                case SIN:
                    return new Sin(x, out);
                case COS:
                    return new Cos(x, out);
                case SQRT:
                    return new Sqrt(x, out);
                case ABS:
                    return new Abs(x, out);
                case SIGN:
                    return new Sign(x, out);
                case TANH:
                    return new Tanh(x, out);
                case SIGMOID:
                    return new Sigmoid(x, out);
                case RELU:
                    return new RectifiedLinear(x, out, 0.0);
                default:
                    return new Step(x, out, 0.0);
            }
        }
    }

    /** Elementwise ops of an array and a number. */
    public enum Scalar {
        ADD(Double::sum), MUL((a, b) -> a * b), DIV((a, b) -> a / b), POW(Math::pow);

        private final DoubleBinaryOperator f;

        Scalar(DoubleBinaryOperator f) {
            this.f = f;
        }

        Op nd4j(INDArray x, INDArray out, double s) {
            switch (this) {
                case ADD:
                    return new ScalarAdd(x, null, out, s);
                case MUL:
                    return new ScalarMultiplication(x, null, out, s);
                case DIV:
                    return new ScalarDivision(x, null, out, s);
                default:
                    return new Pow(x, out, s);
            }
        }
    }

    /** {@code op(a, b)} elementwise in a new array of the broadcast shape (both of a's dtype). */
    public static INDArray binary(Binary op, INDArray a, INDArray b) {
        long[] shape = Shapes.broadcast(op.name().toLowerCase(Locale.ROOT), a.shape(), b.shape());
        INDArray out = Scope.allocate(a.dataType(), shape);
        if (java(a, Shapes.numel(shape), ELEMENTWISE_LIMIT)) {
            Strided o = Strided.of(out, shape);
            Strided x = Strided.of(a, shape);
            Strided y = Strided.of(b, shape);
            for (long i = 0, n = o.n; i < n; i++) {
                o.put(op.f.applyAsDouble(x.next(), y.next()));
            }
        } else {
            Nd4j.exec(op.nd4j(a, b, out));
        }
        return out;
    }

    /** {@code op(x)} elementwise in a new array. */
    public static INDArray unary(Unary op, INDArray x) {
        long[] shape = x.shape();
        INDArray out = Scope.allocate(x.dataType(), shape);
        if (java(x, x.length(), ELEMENTWISE_LIMIT)) {
            Strided o = Strided.of(out, shape);
            Strided a = Strided.of(x, shape);
            for (long i = 0, n = o.n; i < n; i++) {
                o.put(op.f.applyAsDouble(a.next()));
            }
        } else {
            Nd4j.exec(op.nd4j(x, out));
        }
        return out;
    }

    /** {@code op(x, s)} elementwise in a new array. */
    public static INDArray scalar(Scalar op, INDArray x, double s) {
        long[] shape = x.shape();
        INDArray out = Scope.allocate(x.dataType(), shape);
        if (java(x, x.length(), ELEMENTWISE_LIMIT)) {
            Strided o = Strided.of(out, shape);
            Strided a = Strided.of(x, shape);
            for (long i = 0, n = o.n; i < n; i++) {
                o.put(op.f.applyAsDouble(a.next(), s));
            }
        } else {
            Nd4j.exec(op.nd4j(x, out, s));
        }
        return out;
    }

    /** y ← y + α·x in place, x broadcast to y's shape (gradient accumulation, optimizer updates). */
    public static void axpy(double alpha, INDArray x, INDArray y) {
        long[] shape = y.shape();
        if (java(y, y.length(), ELEMENTWISE_LIMIT)) {
            Strided o = Strided.of(y, shape);
            Strided a = Strided.of(x, shape);
            for (long i = 0, n = o.n; i < n; i++) {
                o.add(alpha * a.next());
            }
        } else if (Arrays.equals(x.shape(), shape)) {
            Nd4j.exec(new Axpy(x, y, y, alpha));
        } else {
            Nd4j.exec(new AddOp(y, alpha == 1 ? x : scalar(Scalar.MUL, x, alpha), y));
        }
    }

    /** A copy of {@code x} in C order (from the pool inside a scope). */
    public static INDArray copy(INDArray x) {
        INDArray out = Scope.allocate(x.dataType(), x.shape());
        assign(out, x);
        return out;
    }

    /** {@code y} ← {@code x} (broadcast to y's shape) in place; ND4J's assign does not broadcast, its add does. */
    public static void assign(INDArray y, INDArray x) {
        long[] shape = y.shape();
        if (java(y, y.length(), ELEMENTWISE_LIMIT)) {
            Strided o = Strided.of(y, shape);
            Strided a = Strided.of(x, shape);
            for (long i = 0, n = o.n; i < n; i++) {
                o.put(a.next());
            }
        } else if (Arrays.equals(x.shape(), shape)) {
            y.assign(x);
        } else {
            y.assign(0);
            Nd4j.exec(new AddOp(y, x, y));
        }
    }

    /**
     * {@code x} in another shape of as many elements, C order: a copy on the Java path (cheaper than the view ND4J
     * makes, which costs as much as allocating), else ND4J's reshape, a view when x's layout allows.
     */
    public static INDArray reshape(INDArray x, long[] shape) {
        if (!java(x, x.length(), ELEMENTWISE_LIMIT)) {
            return x.reshape('c', shape);
        }
        INDArray out = Scope.allocate(x.dataType(), shape);
        Strided o = Strided.of(out, shape);
        Strided a = Strided.of(x, x.shape());
        for (long i = 0, n = o.n; i < n; i++) {
            o.put(a.next());
        }
        return out;
    }

    /** Every element of {@code y} set to {@code v} in place. */
    public static void fill(INDArray y, double v) {
        if (java(y, y.length(), ELEMENTWISE_LIMIT)) {
            Strided o = Strided.of(y, y.shape());
            for (long i = 0, n = o.n; i < n; i++) {
                o.put(v);
            }
        } else {
            y.assign(v);
        }
    }

    /** {@code values} (C order) written into {@code y}, a C-order float32 or float64 array of as many elements. */
    static void write(INDArray y, double[] values) {
        Strided o = Strided.of(y, y.shape());
        for (double v : values) {
            o.put(v);
        }
    }

    // ---------------------------------------------------------------- reductions

    /** The sum over {@code axes} (sorted, distinct), kept as size 1 when {@code keepDims}. */
    public static INDArray sum(INDArray x, boolean keepDims, int... axes) {
        return reduce(x, axes, keepDims ? Shapes.keepDims(x.shape(), axes) : Shapes.dropDims(x.shape(), axes), false);
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

    /** Sums or maximizes over {@code axes} into a new array of {@code shape} (the kept shape, maybe without 1s). */
    private static INDArray reduce(INDArray x, int[] axes, long[] shape, boolean max) {
        long[] kept = Shapes.keepDims(x.shape(), axes);
        INDArray out = Scope.allocate(x.dataType(), shape);
        if (java(x, x.length(), ELEMENTWISE_LIMIT)) {
            double[] acc = new double[(int) out.length()];
            Arrays.fill(acc, max ? Double.NEGATIVE_INFINITY : 0);
            Strided a = Strided.of(x, x.shape());
            Strided at = Strided.reducing(kept, x.shape());
            for (long i = 0, n = a.n; i < n; i++) {
                int k = (int) at.next();
                double v = a.next();
                acc[k] = !max ? acc[k] + v : v > acc[k] || Double.isNaN(v) ? v : acc[k];
            }
            Strided o = Strided.of(out, shape);
            for (double v : acc) {
                o.put(v);
            }
        } else {
            boolean keep = !Arrays.equals(shape, Shapes.dropDims(x.shape(), axes));
            INDArray target = !keep || Arrays.equals(shape, kept) ? out : out.reshape(kept);
            Nd4j.exec(max ? new Max(x, null, target, keep, axes) : new Sum(x, null, target, keep, axes));
        }
        return out;
    }

    // ---------------------------------------------------------------- matrix product

    /**
     * op(a)·op(b) for 2-D arrays, op transposing when its flag is set; one BLAS gemm that reads transposed
     * operands in place, or a Java loop for small products.
     */
    public static INDArray gemm(INDArray a, INDArray b, boolean ta, boolean tb) {
        long m = a.size(ta ? 1 : 0);
        long k = a.size(ta ? 0 : 1);
        long n = b.size(tb ? 0 : 1);
        INDArray out = Scope.allocate(a.dataType(), m, n);
        if (java(a, m * n * k, GEMM_LIMIT)) {
            Strided x = Strided.of(a, a.shape());
            Strided y = Strided.of(b, b.shape());
            Strided o = Strided.of(out, out.shape());
            long ai = ta ? a.stride(1) : a.stride(0);
            long ak = ta ? a.stride(0) : a.stride(1);
            long bk = tb ? b.stride(1) : b.stride(0);
            long bj = tb ? b.stride(0) : b.stride(1);
            for (long i = 0; i < m; i++) {
                for (long j = 0; j < n; j++) {
                    double s = 0;
                    for (long p = 0; p < k; p++) {
                        s += x.at(i * ai + p * ak) * y.at(p * bk + j * bj);
                    }
                    o.set(i * n + j, s);
                }
            }
        } else {
            Nd4j.gemm(a, b, out, ta, tb, 1.0, 0.0);
        }
        return out;
    }

    /** Whether to loop in Java: float32/float64 arrays, by the forced path or by size against {@code limit}. */
    private static boolean java(INDArray like, long size, long limit) {
        Path p = PATH.get();
        DataType t = like.dataType();
        if (p == Path.ND4J || t != DataType.FLOAT && t != DataType.DOUBLE) {
            return false;
        }
        return p == Path.JAVA || size <= limit;
    }

    /**
     * NIO views of recently used arrays' buffers, per thread: making one costs 0.2–0.5 µs (a JNI call and a weak
     * map inside ND4J), more than a small kernel's loop. Direct-mapped by identity; a closed array is never served.
     * Only arrays small enough for the Java path pass through, so the arrays it keeps reachable are few and small.
     */
    private static final class NioCache {
        private static final int SIZE = 256;
        private final INDArray[] keys = new INDArray[SIZE];
        private final Buffer[] values = new Buffer[SIZE];

        Buffer of(INDArray a) {
            int slot = System.identityHashCode(a) & (SIZE - 1);
            if (keys[slot] != a || a.wasClosed()) {
                keys[slot] = a;
                values[slot] = a.dataType() == DataType.FLOAT ? a.data().asNioFloat() : a.data().asNioDouble();
            }
            return values[slot];
        }
    }

    private static final ThreadLocal<NioCache> NIO = ThreadLocal.withInitial(NioCache::new);

    /**
     * Reads or writes one array's elements in the C order of a target shape that the array broadcasts to (stride
     * 0 on broadcast axes), through a NIO view of its off-heap buffer.
     */
    private static final class Strided {
        private final FloatBuffer f;
        private final DoubleBuffer d;
        private final long offset;
        private final long[] shape;
        private final long[] strides;
        private final long[] index;
        final long n;
        private long pos;

        private Strided(INDArray a, long[] target, long[] strides) {
            Buffer nio = a == null ? null : NIO.get().of(a);
            this.f = nio instanceof FloatBuffer fb ? fb : null;
            this.d = nio instanceof DoubleBuffer db ? db : null;
            this.offset = a == null ? 0 : a.offset();
            this.shape = target;
            this.strides = strides;
            this.index = new long[target.length];
            this.n = Shapes.numel(target);
            this.pos = offset;
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

        double at(long i) {
            return f != null ? f.get((int) (offset + i)) : d.get((int) (offset + i));
        }

        /** Sets element {@code i} of a C-order output. */
        void set(long i, double v) {
            if (f != null) {
                f.put((int) (offset + i), (float) v);
            } else {
                d.put((int) (offset + i), v);
            }
        }

        /** Writes the element at the current position and moves on. */
        void put(double v) {
            long p = advance();
            if (f != null) {
                f.put((int) p, (float) v);
            } else {
                d.put((int) p, v);
            }
        }

        /** Adds to the element at the current position and moves on. */
        void add(double v) {
            long p = advance();
            if (f != null) {
                f.put((int) p, (float) (f.get((int) p) + v));
            } else {
                d.put((int) p, d.get((int) p) + v);
            }
        }

        /** The element at the current position (or the position itself, with no array), then moves on. */
        double next() {
            long p = advance();
            return f != null ? f.get((int) p) : d != null ? d.get((int) p) : p;
        }

        private long advance() {
            long p = pos;
            for (int ax = shape.length - 1; ax >= 0; ax--) {
                pos += strides[ax];
                if (++index[ax] < shape[ax]) {
                    break;
                }
                pos -= strides[ax] * shape[ax];
                index[ax] = 0;
            }
            return p;
        }
    }
}
