package ndgrad.core;

import java.nio.Buffer;
import java.nio.DoubleBuffer;
import java.nio.FloatBuffer;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BiFunction;
import java.util.function.DoubleSupplier;
import java.util.function.DoubleUnaryOperator;
import java.util.function.Supplier;
import org.bytedeco.javacpp.DoublePointer;
import org.bytedeco.javacpp.FloatPointer;
import org.bytedeco.javacpp.Pointer;
import org.bytedeco.openblas.global.openblas_nolapack;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.BaseScalarOp;
import org.nd4j.linalg.api.ops.CustomOp;
import org.nd4j.linalg.api.ops.DynamicCustomOp;
import org.nd4j.linalg.api.ops.OpContext;
import org.nd4j.linalg.api.ops.Op;
import org.nd4j.linalg.api.ops.impl.scalar.Pow;
import org.nd4j.linalg.api.ops.impl.scalar.ScalarAdd;
import org.nd4j.linalg.api.ops.impl.scalar.ScalarDivision;
import org.nd4j.linalg.api.ops.impl.scalar.ScalarMultiplication;
import org.nd4j.linalg.api.ops.impl.transforms.floating.Sqrt;
import org.nd4j.linalg.api.ops.impl.transforms.pairwise.arithmetic.AddOp;
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
import org.nd4j.linalg.api.shape.Shape;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The arithmetic under {@code Tensor}: elementwise ops with NumPy broadcasting, reductions, matrix products and
 * in-place updates, each computed one of two ways with one meaning. Plain arrays of one shape run as vector loops
 * over their own off-heap buffers in their own precision ({@link Chunk}, any size); other small arrays run as
 * strided Java loops (any strides, so views and transposes too, accumulating in double), which skips ND4J's
 * per-call dispatch (3–12 µs even for a 4x4 array, measured); larger ones go to native code: matrix products, axpy
 * updates, bias rows (a rank-1 update) and column sums (a product with ones) call OpenBLAS directly (0.3–1 µs per
 * call), the rest are ND4J ops, custom ones run in a reused per-thread context. So a step allocates no off-heap
 * memory once it runs: results are new arrays from {@link Scope#allocate}, which takes them from the thread's
 * pool, in a scope or not. Both paths agree to float rounding.
 *
 * <p>The path is chosen per call by size ({@link #ELEMENTWISE_LIMIT}, {@link #BLAS_LIMIT}, measured side by side
 * by the benchmark command, {@code ndgrad.benchmarks.KernelBench}); {@link #use(Path)} forces one for this thread
 * (tests run gradcheck on both), and the system property {@code ndgrad.kernels=java|nd4j|auto} sets the default
 * for all threads.
 *
 * <p>Usage: {@code INDArray c = Kernels.binary(Kernels.Binary.ADD, a, b);}
 */
public final class Kernels {
    /**
     * Arrays with at most this many elements (output, or input for reductions) use Java loops: the size where the Java
     * loops' losses (plain arithmetic) and wins (no native call: activations, column sums) balance.
     */
    public static final long ELEMENTWISE_LIMIT = 2048;
    /**
     * Products and updates that BLAS can do on plain arrays (gemm, axpy, scal, bias rows, column sums) use Java
     * loops only up to this many multiply-adds: a direct BLAS call costs about a microsecond, which a 4x4x4 product's
     * loop beats and an 8x8x8 one's does not.
     */
    public static final long BLAS_LIMIT = 128;

    /** How to compute: by size, always Java loops, or always ND4J. */
    public enum Path { AUTO, JAVA, ND4J }

    /** The path of every thread that did not choose one: system property {@code ndgrad.kernels}. */
    static final Path DEFAULT_PATH = parse(System.getProperty("ndgrad.kernels", "auto"));

    static {
        Threads.init(); // the thread policy, before ndgrad's first computation
    }

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
    public static Restore use(Path path) {
        PerThread t = PerThread.get();
        Path before = t.path;
        t.path = path;
        return () -> t.path = before;
    }

    /** The path this thread uses now. */
    public static Path path() {
        return PerThread.get().path;
    }

    // ---------------------------------------------------------------- elementwise

    /** Elementwise binary ops; both operands broadcast to a common shape. */
    public enum Binary {
        ADD(AddOp::new) {
            @Override
            void apply(Chunk x, Chunk y) {
                x.axpy(1, y);
            }
        },
        SUB(SubOp::new) {
            @Override
            void apply(Chunk x, Chunk y) {
                x.axpy(-1, y);
            }
        },
        MUL(MulOp::new) {
            @Override
            void apply(Chunk x, Chunk y) {
                x.mul(y);
            }
        },
        DIV(DivOp::new) {
            @Override
            void apply(Chunk x, Chunk y) {
                x.div(y);
            }
        },
        /**
         * relu's backward: x where y (relu's output) is positive, else 0, as PyTorch's {@code threshold_backward}
         * (where y is NaN, PyTorch passes x, the Java path gives NaN and libnd4j's {@code relu_bp} 0).
         */
        RELU_GRAD(() -> DynamicCustomOp.builder("relu_bp").addFloatingPointArguments(0.0).build()) {
            @Override
            void apply(Chunk x, Chunk y) {
                x.reluGrad(y);
            }

            @Override
            INDArray[] nd4jInputs(INDArray x, INDArray y) {
                return new INDArray[] {y, x};
            }
        },
        /** tanh's backward: x·(1 - y²), given tanh's output y. */
        TANH_GRAD(null) {
            @Override
            void apply(Chunk x, Chunk y) {
                x.tanhGrad(y);
            }

            @Override
            INDArray composed(INDArray x, INDArray y) {
                return binary(MUL, x, scalar(Scalar.ADD, scalar(Scalar.MUL, binary(MUL, y, y), -1), 1));
            }
        },
        /** the logistic sigmoid's backward: x·y·(1 - y), given the sigmoid's output y. */
        SIGMOID_GRAD(null) {
            @Override
            void apply(Chunk x, Chunk y) {
                x.sigmoidGrad(y);
            }

            @Override
            INDArray composed(INDArray x, INDArray y) {
                return binary(MUL, binary(MUL, x, y), scalar(Scalar.ADD, scalar(Scalar.MUL, y, -1), 1));
            }
        };

        private final Supplier<CustomOp> nd4j;
        /** The op's name in error messages. */
        private final String label = name().toLowerCase(Locale.ROOT);

        Binary(Supplier<CustomOp> nd4j) {
            this.nd4j = nd4j;
        }

        /** x ← x op y, elementwise. */
        abstract void apply(Chunk x, Chunk y);

        /** ND4J's op (a custom op: its arrays come from the reused per-thread context, see {@link #exec}). */
        CustomOp nd4j() {
            return nd4j.get();
        }

        /** The operands in the order ND4J's op takes them. */
        INDArray[] nd4jInputs(INDArray x, INDArray y) {
            return new INDArray[] {x, y};
        }

        /** For an op with no ND4J counterpart: its result from other kernels, when it cannot run as one loop. */
        INDArray composed(INDArray x, INDArray y) {
            throw new IllegalStateException(this + " has an ND4J op");
        }
    }

    /**
     * Elementwise functions of one array. The cheap ones run as vector loops in the array's precision at any size;
     * the others compute each element with {@code java.lang.Math} in double, which native code beats on large
     * arrays.
     */
    public enum Unary {
        NEG(true, x -> -x, Negative::new), EXP(false, Math::exp, Exp::new), LOG(false, Math::log, Log::new),
        SIN(false, Math::sin, Sin::new), COS(false, Math::cos, Cos::new), SQRT(true, Math::sqrt, Sqrt::new),
        ABS(true, Math::abs, Abs::new), SIGN(false, Math::signum, Sign::new), TANH(false, Chunk::tanh, Tanh::new),
        SIGMOID(false, x -> 1 / (1 + Math.exp(-x)), Sigmoid::new),
        /** On the native path a custom op (see {@link #unary}). */
        RELU(true, x -> x <= 0 ? 0 : x, null);

        private final boolean cheap;
        private final DoubleUnaryOperator f;
        private final BiFunction<INDArray, INDArray, Op> nd4j;

        Unary(boolean cheap, DoubleUnaryOperator f, BiFunction<INDArray, INDArray, Op> nd4j) {
            this.cheap = cheap;
            this.f = f;
            this.nd4j = nd4j;
        }

        /** x ← f(x), elementwise: a dedicated loop for the cheap ops, else {@link Chunk#map}. */
        void apply(Chunk x) {
            switch (this) {
                case NEG -> x.scale(-1);
                case SQRT -> x.sqrt();
                case ABS -> x.abs();
                case RELU -> x.relu();
                case TANH -> x.tanh();
                default -> x.map(f);
            }
        }

        Op nd4j(INDArray x, INDArray out) {
            return nd4j.apply(x, out);
        }
    }

    /** Elementwise ops of an array and a number. */
    public enum Scalar {
        ADD(ScalarAdd::new), MUL(ScalarMultiplication::new), DIV(ScalarDivision::new), POW(Pow::new);

        private final Supplier<BaseScalarOp> nd4j;

        Scalar(Supplier<BaseScalarOp> nd4j) {
            this.nd4j = nd4j;
        }

        /** Whether it runs as a vector loop (all but pow). */
        boolean cheap() {
            return this != POW;
        }

        /** x ← x op s, elementwise. */
        void apply(Chunk x, double s) {
            switch (this) {
                case ADD -> x.add(s);
                case MUL -> x.scale(s);
                case DIV -> x.div(s);
                default -> x.map(v -> Math.pow(v, s));
            }
        }

        /** A new ND4J op of this kind, without arrays (see {@link #execScalar}). */
        BaseScalarOp nd4j() {
            return nd4j.get();
        }
    }

    /**
     * {@code op(a, b)} elementwise in a new array of the broadcast shape (both of a's dtype): a vector loop in the
     * arrays' precision when they are plain and of one shape, else strided Java loops for small arrays and ND4J for
     * large ones.
     */
    public static INDArray binary(Binary op, INDArray a, INDArray b) {
        long[] shape = Shapes.broadcast(op.label, a.shape(), b.shape());
        boolean alike = alike(a, b) && Arrays.equals(shape, a.shape());
        if (!alike && op.nd4j == null) {
            return op.composed(a, b);
        }
        INDArray out = Scope.allocate(a.dataType(), shape);
        if (alike) {
            run(1, true, c -> op.apply(c[0].set(c[1]), c[2]), out, a, b);
        } else if (java(a, Shapes.numel(shape), ELEMENTWISE_LIMIT)) {
            Strided x = Strided.of(a, shape);
            Strided y = Strided.of(b, shape);
            double[] by = chunk(Shapes.numel(shape));
            stream(Strided.of(out, shape), (buf, len) -> {
                x.read(buf, len);
                y.read(by, len);
                op.apply(doubles(buf, len), doubles(by, len));
            });
        } else {
            exec(op.nd4j(), out, op.nd4jInputs(a, b), NO_INTS);
        }
        return out;
    }

    /** {@code op(x)} elementwise in a new array. */
    public static INDArray unary(Unary op, INDArray x) {
        long[] shape = x.shape();
        INDArray out = Scope.allocate(x.dataType(), shape);
        boolean small = java(x, x.length(), ELEMENTWISE_LIMIT);
        if ((op.cheap || small) && alike(out, x)) {
            run(1, true, c -> op.apply(c[0].set(c[1])), out, x);
        } else if (small) {
            Strided a = Strided.of(x, shape);
            stream(Strided.of(out, shape), (buf, len) -> {
                a.read(buf, len);
                op.apply(doubles(buf, len));
            });
        } else if (op == Unary.RELU) {
            exec(PerThread.get().ops().relu, out, new INDArray[] {x}, NO_INTS);
        } else {
            Nd4j.exec(op.nd4j(x, out));
        }
        return out;
    }

    /** {@code op(x, s)} elementwise in a new array. */
    public static INDArray scalar(Scalar op, INDArray x, double s) {
        long[] shape = x.shape();
        INDArray out = Scope.allocate(x.dataType(), shape);
        boolean small = java(x, x.length(), ELEMENTWISE_LIMIT);
        if ((op.cheap() || small) && alike(out, x)) {
            run(1, true, c -> op.apply(c[0].set(c[1]), s), out, x);
        } else if (small) {
            Strided a = Strided.of(x, shape);
            stream(Strided.of(out, shape), (buf, len) -> {
                a.read(buf, len);
                op.apply(doubles(buf, len), s);
            });
        } else {
            execScalar(op, x, out, s);
        }
        return out;
    }

    /** A float64 chunk over the first {@code len} values of {@code buf}. */
    private static Chunk doubles(double[] buf, int len) {
        Chunk c = new Chunk(buf);
        c.length(len);
        return c;
    }

    /**
     * Whether these arrays can go through a vector loop ({@link #run}): float32 or float64 of one dtype and shape,
     * all plain, and the native path not forced.
     */
    private static boolean alike(INDArray... arrays) {
        if (PerThread.get().path == Path.ND4J || !floating(arrays[0])) {
            return false;
        }
        for (INDArray a : arrays) {
            if (a.dataType() != arrays[0].dataType() || !Arrays.equals(a.shape(), arrays[0].shape())
                    || !ArrayPool.plain(a)) {
                return false;
            }
        }
        return true;
    }

    /**
     * y ← y + α·x in place, x broadcast to y's shape (gradient accumulation, optimizer updates, a bias added to a
     * batch of rows: a BLAS rank-1 update y += α·1·xᵀ). Small plain arrays of one shape take one {@link #pass} in
     * their own precision, as PyTorch's {@code add_(x, alpha=α)} computes, about twice as fast as strided copies in
     * double for a small model.
     */
    public static void axpy(double alpha, INDArray x, INDArray y) {
        long[] shape = y.shape();
        boolean same = Arrays.equals(x.shape(), shape);
        if (same && y.length() <= ELEMENTWISE_LIMIT && alike(y, x)) {
            run(1, false, c -> c[0].axpy(alpha, c[1]), y, x);
            return;
        }
        boolean rows = y.rank() == 2 && x.rank() > 0 && x.length() == y.size(1) && x.size(-1) == y.size(1);
        boolean blas = (same || rows) && blas(x, y);
        if (java(y, y.length(), blas ? BLAS_LIMIT : ELEMENTWISE_LIMIT)) {
            Strided a = Strided.of(x, shape);
            Strided b = Strided.of(y, shape);
            double[] bx = chunk(y.length());
            stream(Strided.of(y, shape), (buf, len) -> {
                b.read(buf, len);
                a.read(bx, len);
                doubles(buf, len).axpy(alpha, doubles(bx, len));
            });
        } else if (blas && same) {
            if (y.dataType() == DataType.FLOAT) {
                openblas_nolapack.cblas_saxpy((int) y.length(), (float) alpha, floats(x), 1, floats(y), 1);
            } else {
                openblas_nolapack.cblas_daxpy((int) y.length(), alpha, doubles(x), 1, doubles(y), 1);
            }
        } else if (blas) {
            int m = (int) y.size(0);
            int n = (int) y.size(1);
            INDArray ones = ones(y.dataType(), m);
            if (y.dataType() == DataType.FLOAT) {
                openblas_nolapack.cblas_sger(openblas_nolapack.CblasRowMajor, m, n, (float) alpha, floats(ones), 1,
                        floats(x), 1, floats(y), n);
            } else {
                openblas_nolapack.cblas_dger(openblas_nolapack.CblasRowMajor, m, n, alpha, doubles(ones), 1,
                        doubles(x), 1, doubles(y), n);
            }
        } else {
            exec(new AddOp(), y, new INDArray[] {y, alpha == 1 ? x : scalar(Scalar.MUL, x, alpha)}, NO_INTS);
        }
    }

    /** A fused update of a {@link #pass}: it changes the chunks of the written arrays in place. */
    @FunctionalInterface
    public interface Update {
        /**
         * Receives a chunk of each array, in order, then {@link #SCRATCH} scratch chunks of the same length (any
         * chunks after those are not its own).
         */
        void apply(Chunk[] chunks);
    }

    /** Scratch chunks given to an {@link Update} after the arrays' chunks. */
    public static final int SCRATCH = 2;

    /**
     * A {@link #pass} over plain arrays of at least twice this many elements is cut into ranges of about this many,
     * which the caller and the workers take one at a time ({@link Threads}): the caller, whose cache holds the arrays
     * the backward pass just wrote, starts at once and takes more ranges while a worker wakes (one range per thread
     * made the caller wait for the worker's wake-up, and was slower than one thread).
     */
    public static final long PASS_PART = 1L << 15;

    /**
     * The first this many passes that could be cut into ranges run on the caller alone. Until the JIT's optimizing
     * compiler has compiled an update's loops, they run in code that counts every branch for the profile, and two
     * threads updating one profile's counters fight over its cache lines (early split steps took six times longer
     * than on one thread).
     */
    public static final int PASS_WARMUP = 300;
    private static final AtomicLong SPLIT_PASSES = new AtomicLong();

    /**
     * One pass over arrays of one shape and dtype (float32 or float64): {@code f} sees each run of up to 1,024
     * elements of all of them ({@link Chunk}s at the same positions) and changes the first {@code written} in place,
     * which are then written back. The fused update of an optimizer reads a parameter, its gradient and its state
     * once; a chain of elementwise ops would read and write each array once per op. Each element is computed on its
     * own, so large plain arrays are cut into ranges that run in parallel ({@link #PASS_PART}) with the same
     * results. Arrays that are not plain are copied first (into arrays that go back to the pool after), and the
     * written ones copied back.
     */
    public static void pass(int written, Update f, INDArray... arrays) {
        long[] shape = arrays[0].shape();
        DataType type = arrays[0].dataType();
        boolean allPlain = true;
        for (INDArray a : arrays) {
            if (!Arrays.equals(a.shape(), shape) || a.dataType() != type || !floating(a)) {
                throw new ShapeException("pass: expected float32 or float64 arrays of one dtype and shape "
                        + Shapes.str(shape) + ", got " + a.dataType() + " " + Shapes.str(a.shape()) + " beside "
                        + type);
            }
            allPlain &= ArrayPool.plain(a);
        }
        if (allPlain) {
            run(written, false, f, arrays);
            return;
        }
        try (Scope copies = Scope.open()) {
            INDArray[] plain = new INDArray[arrays.length];
            for (int j = 0; j < arrays.length; j++) {
                plain[j] = ArrayPool.plain(arrays[j]) ? arrays[j] : copy(arrays[j]);
            }
            run(written, false, f, plain);
            for (int j = 0; j < written; j++) {
                if (plain[j] != arrays[j]) {
                    assign(arrays[j], plain[j]);
                }
            }
        }
    }

    /**
     * A {@link #pass} over plain arrays of one dtype and shape; with {@code fresh}, the written arrays' contents
     * are not read ({@code f} sets them).
     */
    private static void run(int written, boolean fresh, Update f, INDArray... arrays) {
        Buffer[] nio = new Buffer[arrays.length];
        long n = arrays[0].length();
        for (int j = 0; j < arrays.length; j++) {
            nio[j] = n <= ELEMENTWISE_LIMIT ? PerThread.get().nio.of(arrays[j]) : nio(arrays[j]);
        }
        int parts = Threads.count() > 1 && n >= 2 * PASS_PART && SPLIT_PASSES.incrementAndGet() > PASS_WARMUP
                ? (int) (n / PASS_PART) : 1;
        Threads.parallel(parts, part -> passRange(written, fresh, f, nio, (int) (n * part / parts),
                (int) (n * (part + 1) / parts)));
    }

    /** Elements [from, to) of a {@link #run}, chunk by chunk, in this thread's chunks. */
    private static void passRange(int written, boolean fresh, Update f, Buffer[] nio, int from, int to) {
        boolean float32 = nio[0] instanceof FloatBuffer;
        int k = nio.length + SCRATCH;
        Chunk[] c = chunks(float32, k);
        for (int start = from; start < to; start += CHUNK) {
            int len = Math.min(CHUNK, to - start);
            for (int j = 0; j < k; j++) {
                c[j].length(len);
                if (j >= nio.length || fresh && j < written) {
                    continue;
                }
                if (float32) {
                    ((FloatBuffer) nio[j]).get(start, c[j].floats(), 0, len);
                } else {
                    ((DoubleBuffer) nio[j]).get(start, c[j].doubles(), 0, len);
                }
            }
            f.apply(c);
            for (int j = 0; j < written; j++) {
                if (float32) {
                    ((FloatBuffer) nio[j]).put(start, c[j].floats(), 0, len);
                } else {
                    ((DoubleBuffer) nio[j]).put(start, c[j].doubles(), 0, len);
                }
            }
        }
    }

    /** At least {@code k} chunks of this thread (the same objects each call) of the given precision. */
    private static Chunk[] chunks(boolean float32, int k) {
        Chunk[][] all = PerThread.get().chunks;
        int t = float32 ? 0 : 1;
        if (all[t].length < k) {
            Chunk[] grown = Arrays.copyOf(all[t], k);
            for (int j = all[t].length; j < k; j++) {
                grown[j] = new Chunk(float32, Kernels.CHUNK);
            }
            all[t] = grown;
        }
        return all[t];
    }

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
        } else if (alike(y, x) && n > ELEMENTWISE_LIMIT) {
            Pointer.memcpy(y.data().addressPointer(), x.data().addressPointer(), n * y.data().getElementSize());
        } else if (alike(y, x)) {
            NioCache nio = PerThread.get().nio;
            if (nio.of(y) instanceof FloatBuffer f) {
                f.put(0, (FloatBuffer) nio.of(x), 0, (int) n);
            } else {
                ((DoubleBuffer) nio.of(y)).put(0, (DoubleBuffer) nio.of(x), 0, (int) n);
            }
        } else if (java(y, y.length(), ELEMENTWISE_LIMIT)) {
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
        boolean java = java(x, x.length(), ELEMENTWISE_LIMIT);
        boolean plain = ArrayPool.plain(x);
        if (!java && (!floating(x) || PerThread.get().path == Path.ND4J)) {
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
            run(1, true, c -> c[0].fill(v), y);
        } else if (java(y, y.length(), ELEMENTWISE_LIMIT)) {
            stream(Strided.of(y, y.shape()), (buf, len) -> Arrays.fill(buf, 0, len, v));
        } else {
            y.assign(v);
        }
    }

    /** All of {@code x}'s values in C order as doubles, read in place (any layout, any dtype). */
    public static double[] values(INDArray x) {
        double[] out = new double[Math.toIntExact(x.length())];
        if (floating(x)) {
            Strided.of(x, x.shape()).read(out, out.length);
        } else {
            double[] all = (ArrayPool.plain(x) ? x : x.dup('c')).data().asDouble();
            System.arraycopy(all, 0, out, 0, out.length);
        }
        return out;
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
    static void write(INDArray y, double[] values) {
        Strided.of(y, y.shape()).write(values, values.length);
    }

    /** Produces the next {@code len} values of a stream into {@code buf}. */
    @FunctionalInterface
    private interface Source {
        void next(double[] buf, int len);
    }

    /** Elements per chunk of the Java path: long enough loops for the JIT, short enough to stay in L1. */
    private static final int CHUNK = 1024;

    private static double[] chunk(long n) {
        return new double[(int) Math.min(CHUNK, n)];
    }

    /** Fills {@code out}, in its C order, chunk by chunk with the values {@code source} produces. */
    private static void stream(Strided out, Source source) {
        double[] buf = chunk(out.n);
        for (long done = 0; done < out.n; done += buf.length) {
            int len = (int) Math.min(buf.length, out.n - done);
            source.next(buf, len);
            out.write(buf, len);
        }
    }

    // ---------------------------------------------------------------- indexing

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
        try (Scope copy = ArrayPool.plain(x) ? null : Scope.open()) {
            Raw.gather(copy == null ? x : copy(x), p.starts, p.inner, out);
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
            fill(out, 0);
            for (int q = 0; q < p.starts.length; q++) {
                for (int i = 0; i < p.inner; i++) {
                    long at = p.starts[q] + i;
                    out.putScalar(at, out.getDouble(at) + g.getDouble((long) q * p.inner + i));
                }
            }
            return out;
        }
        try (Scope copy = ArrayPool.plain(g) ? null : Scope.open()) {
            Raw.scatterAdd(copy == null ? g : copy(g), p.starts, p.inner, out);
        }
        return out;
    }

    /**
     * Indices along {@code axis} of arrays of {@code shape}, checked once, for a lookup's forward and backward.
     * Usage: {@code Picks p = Kernels.picks("embedding", table.shape(), 0, ids)}, then
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

    /** A NIO view of a plain float32 or float64 array's buffer. */
    private static Buffer nio(INDArray a) {
        return a.dataType() == DataType.FLOAT ? a.data().asNioFloat() : a.data().asNioDouble();
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

    /**
     * Sums or maximizes over {@code axes} into a new array of {@code shape} (the kept shape, maybe without 1s); a
     * large column sum is a BLAS product with a vector of ones (ND4J's reduction allocates per call, and is slower).
     */
    private static INDArray reduce(INDArray x, int[] axes, long[] shape, boolean max) {
        long[] kept = Shapes.keepDims(x.shape(), axes);
        INDArray out = Scope.allocate(x.dataType(), shape);
        if (axes.length == 0) {
            assign(out, x);
            return out;
        }
        if (!max && out.length() == 1 && alike(x)) {
            fill(out, sumAll(x));
            return out;
        }
        boolean columns = !max && x.rank() == 2 && Arrays.equals(axes, new int[] {0}) && blas(x);
        if (java(x, x.length(), columns ? BLAS_LIMIT : ELEMENTWISE_LIMIT)) {
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
            int m = (int) x.size(0);
            int n = (int) x.size(1);
            INDArray ones = ones(x.dataType(), m);
            if (x.dataType() == DataType.FLOAT) {
                openblas_nolapack.cblas_sgemv(openblas_nolapack.CblasRowMajor, openblas_nolapack.CblasTrans, m, n, 1f,
                        floats(x), n, floats(ones), 1, 0f, floats(out), 1);
            } else {
                openblas_nolapack.cblas_dgemv(openblas_nolapack.CblasRowMajor, openblas_nolapack.CblasTrans, m, n, 1,
                        doubles(x), n, doubles(ones), 1, 0, doubles(out), 1);
            }
        } else {
            boolean keep = !Arrays.equals(shape, Shapes.dropDims(x.shape(), axes));
            INDArray target = !keep || Arrays.equals(shape, kept) ? out : out.reshape(kept);
            exec(max ? PerThread.get().ops().reduceMax : PerThread.get().ops().reduceSum, target, new INDArray[] {x}, Arrays.stream(axes).asLongStream()
                    .toArray(), keep);
        }
        return out;
    }

    /**
     * Softmax cross-entropy of each row of (N, C) logits {@code x} against {@code labels} (in range): ln Σ_j
     * e^(x_ij - m_i) - (x_iy - m_i), with m_i the row's maximum (0 when it is not finite), in one pass per row in
     * double precision. With {@code probs} (a C-order (N, C) array) not null, also writes softmax(x) into it.
     */
    public static INDArray crossEntropy(INDArray x, int[] labels, INDArray probs) {
        int n = labels.length;
        int c = (int) x.size(1);
        INDArray out = Scope.allocate(x.dataType(), n);
        double[] row = new double[c];
        double[] losses = new double[n];
        Strided in = Strided.of(x, x.shape());
        Strided p = probs == null ? null : Strided.of(probs, probs.shape());
        for (int i = 0; i < n; i++) {
            in.read(row, c);
            double max = Double.NEGATIVE_INFINITY;
            for (double v : row) {
                max = v > max || Double.isNaN(v) ? v : max;
            }
            double shift = Double.isInfinite(max) ? 0 : max;
            double target = row[labels[i]] - shift;
            double sum = 0;
            for (int j = 0; j < c; j++) {
                row[j] = Math.exp(row[j] - shift);
                sum += row[j];
            }
            losses[i] = Math.log(sum) - target;
            if (p != null) {
                for (int j = 0; j < c; j++) {
                    row[j] /= sum;
                }
                p.write(row, c);
            }
        }
        Strided.of(out, out.shape()).write(losses, n);
        return out;
    }

    /**
     * The gradient of {@link #crossEntropy}'s losses for their gradient {@code g} (N): (probs - onehot(labels))
     * times g_i in each row, in a new (N, C) array, in one pass.
     */
    public static INDArray crossEntropyBackward(INDArray probs, int[] labels, INDArray g) {
        int c = (int) probs.size(1);
        INDArray out = Scope.allocate(probs.dataType(), probs.shape());
        double[] gs = values(g);
        double[] row = new double[c];
        Strided in = Strided.of(probs, probs.shape());
        Strided to = Strided.of(out, out.shape());
        for (int i = 0; i < labels.length; i++) {
            in.read(row, c);
            row[labels[i]] -= 1;
            for (int j = 0; j < c; j++) {
                row[j] *= gs[i];
            }
            to.write(row, c);
        }
        return out;
    }

    /** The sum of all elements of a plain float32 or float64 array, accumulated in double, chunk by chunk. */
    private static double sumAll(INDArray x) {
        Buffer nio = x.length() <= ELEMENTWISE_LIMIT ? PerThread.get().nio.of(x) : nio(x);
        boolean float32 = nio instanceof FloatBuffer;
        Chunk c = chunks(float32, 1)[0];
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

    // ---------------------------------------------------------------- matrix product

    /**
     * op(a)·op(b) for 2-D arrays, op transposing when its flag is set: a Java loop for small products, else one
     * BLAS gemm that reads transposed operands in place (views are copied first; other dtypes go to ND4J).
     */
    public static INDArray gemm(INDArray a, INDArray b, boolean ta, boolean tb) {
        long m = a.size(ta ? 1 : 0);
        long k = a.size(ta ? 0 : 1);
        long n = b.size(tb ? 0 : 1);
        INDArray out = Scope.allocate(a.dataType(), m, n);
        if (java(a, m * n * k, BLAS_LIMIT)) {
            double[] x = new double[Math.toIntExact(m * k)];
            double[] y = new double[Math.toIntExact(k * n)];
            double[] c = new double[Math.toIntExact(m * n)];
            Strided.matrix(a, ta).read(x, x.length);
            Strided.matrix(b, tb).read(y, y.length);
            for (int i = 0; i < m; i++) {
                for (int p = 0; p < k; p++) {
                    double xip = x[(int) (i * k + p)];
                    for (int j = 0, row = (int) (p * n), o = (int) (i * n); j < n; j++) {
                        c[o + j] += xip * y[row + j];
                    }
                }
            }
            Strided.of(out, out.shape()).write(c, c.length);
        } else if (floating(a)) {
            try (Scope copies = blas(a) && blas(b) ? null : Scope.open()) {
                INDArray pa = blas(a) ? a : copy(a);
                INDArray pb = blas(b) ? b : copy(b);
                int parts = m * n * k >= SPLIT_LIMIT ? (int) Math.min(Threads.count(), Math.max(m, n)) : 1;
                Threads.parallel(parts, i -> gemmBlock(pa, pb, out, ta, tb, i, parts));
            }
        } else {
            Nd4j.gemm(a, b, out, ta, tb, 1.0, 0.0);
        }
        return out;
    }

    /**
     * Batched products out[s] = op(a[s])·op(b[s]) for 3-D operands of one batch size, a 2-D operand standing for every
     * batch (not copied), op transposing the last two dims when its flag is set: one BLAS gemm per batch on offsets
     * into the plain arrays (ND4J's batched matmul needs the 2-D operand copied per batch).
     */
    public static INDArray bmm(INDArray a, INDArray b, boolean ta, boolean tb) {
        return bmm(a, b, ta, tb, false);
    }

    /**
     * As {@link #bmm}, or with {@code sum} the sum over the batch of the products, a 2-D (m, n) array: each gemm adds
     * into it (the gradient of a 2-D operand broadcast over a batch, without the batch of products).
     */
    public static INDArray bmm(INDArray a, INDArray b, boolean ta, boolean tb, boolean sum) {
        long batch = Math.max(a.rank() == 3 ? a.size(0) : 1, b.rank() == 3 ? b.size(0) : 1);
        long m = a.size(ta ? -1 : -2);
        long k = a.size(ta ? -2 : -1);
        long n = b.size(tb ? -2 : -1);
        INDArray out = sum ? Scope.allocate(a.dataType(), m, n) : Scope.allocate(a.dataType(), batch, m, n);
        long strideC = sum ? 0 : m * n;
        try (Scope copies = blas(a, b) ? null : Scope.open()) {
            INDArray pa = blas(a) ? a : copy(a);
            INDArray pb = blas(b) ? b : copy(b);
            int lda = (int) pa.size(-1);
            int ldb = (int) pb.size(-1);
            long strideA = pa.rank() == 3 ? m * k : 0;
            long strideB = pb.rank() == 3 ? k * n : 0;
            int trA = ta ? openblas_nolapack.CblasTrans : openblas_nolapack.CblasNoTrans;
            int trB = tb ? openblas_nolapack.CblasTrans : openblas_nolapack.CblasNoTrans;
            for (long s = 0; s < batch; s++) {
                if (out.dataType() == DataType.FLOAT) {
                    openblas_nolapack.cblas_sgemm(openblas_nolapack.CblasRowMajor, trA, trB, (int) m, (int) n,
                            (int) k, 1f, at(floats(pa), s * strideA), lda, at(floats(pb), s * strideB), ldb,
                            sum && s > 0 ? 1f : 0f, at(floats(out), s * strideC), (int) n);
                } else {
                    openblas_nolapack.cblas_dgemm(openblas_nolapack.CblasRowMajor, trA, trB, (int) m, (int) n,
                            (int) k, 1, at(doubles(pa), s * strideA), lda, at(doubles(pb), s * strideB), ldb,
                            sum && s > 0 ? 1 : 0, at(doubles(out), s * strideC), (int) n);
                }
            }
        }
        return out;
    }

    /**
     * Products of at least this many multiply-adds are cut into {@link Threads#count()} blocks run in parallel, each
     * one single-threaded BLAS call. Waking a parked worker takes 25–50 µs, so smaller products stay whole; the MNIST
     * job's 64x784x256 products (12.8 M) gain once the JIT has left the second core, and big's 256x512x784 ones almost
     * halve.
     */
    public static final long SPLIT_LIMIT = 1L << 23;

    /**
     * Block {@code part} of {@code parts} of out = op(a)·op(b): a band of out's rows when it has at least as many
     * rows as columns, else a band of its columns; one BLAS call on offsets into the plain arrays.
     */
    private static void gemmBlock(INDArray a, INDArray b, INDArray out, boolean ta, boolean tb, int part, int parts) {
        int m = (int) out.size(0);
        int n = (int) out.size(1);
        int k = (int) a.size(ta ? 0 : 1);
        int lda = (int) a.size(1);
        int ldb = (int) b.size(1);
        boolean rows = m >= n;
        int size = rows ? m : n;
        int from = (int) ((long) size * part / parts);
        int len = (int) ((long) size * (part + 1) / parts) - from;
        long offA = rows ? (ta ? from : (long) from * lda) : 0;
        long offB = rows ? 0 : (tb ? (long) from * ldb : from);
        long offC = rows ? (long) from * n : from;
        int bm = rows ? len : m;
        int bn = rows ? n : len;
        int trA = ta ? openblas_nolapack.CblasTrans : openblas_nolapack.CblasNoTrans;
        int trB = tb ? openblas_nolapack.CblasTrans : openblas_nolapack.CblasNoTrans;
        if (out.dataType() == DataType.FLOAT) {
            openblas_nolapack.cblas_sgemm(openblas_nolapack.CblasRowMajor, trA, trB, bm, bn, k, 1f,
                    at(floats(a), offA), lda, at(floats(b), offB), ldb, 0f, at(floats(out), offC), n);
        } else {
            openblas_nolapack.cblas_dgemm(openblas_nolapack.CblasRowMajor, trA, trB, bm, bn, k, 1,
                    at(doubles(a), offA), lda, at(doubles(b), offB), ldb, 0, at(doubles(out), offC), n);
        }
    }

    /** {@code p} moved {@code offset} elements on (a new pointer; p itself when the offset is 0). */
    private static FloatPointer at(FloatPointer p, long offset) {
        return offset == 0 ? p : new FloatPointer(p).position(offset);
    }

    private static DoublePointer at(DoublePointer p, long offset) {
        return offset == 0 ? p : new DoublePointer(p).position(offset);
    }

    /** A plain vector of at least n ones, for BLAS row sums and row broadcasts. */
    private static INDArray ones(DataType type, int n) {
        Map<DataType, INDArray> cache = PerThread.get().ones;
        INDArray ones = cache.get(type);
        if (ones == null || ones.length() < n) {
            ones = Nd4j.ones(type, Math.max(n, 1024));
            cache.put(type, ones);
        }
        return ones;
    }

    /**
     * The buffer of a plain float32 array, for BLAS: the pointer object its data buffer keeps. For a plain array it
     * holds the address that {@code addressPointer()} returns, which asks libnd4j for it through JNI and wraps it in
     * new objects each call, fourteen times slower. Never repositioned: {@link #at} copies it.
     */
    private static FloatPointer floats(INDArray a) {
        return (FloatPointer) a.data().pointer();
    }

    /** The buffer of a plain float64 array, for BLAS, as {@link #floats}. */
    private static DoublePointer doubles(INDArray a) {
        return (DoublePointer) a.data().pointer();
    }

    /**
     * Each thread's libnd4j ops: relu (cutoff 0) and reductions (axes and keepDims set per call) as custom ops, which
     * run in the thread's reused op context (the scalar relu and the legacy reductions allocate per call; ND4J
     * builds and allocates a fresh context for every custom op call otherwise). One set per thread, since an op
     * object carries state between its setup and its execution.
     */
    static final class Native {
        final CustomOp relu = DynamicCustomOp.builder("relu").addFloatingPointArguments(0.0).build();
        final CustomOp reduceSum = DynamicCustomOp.builder("reduce_sum").build();
        final CustomOp reduceMax = DynamicCustomOp.builder("reduce_max").build();
        final OpContext context = Nd4j.getExecutioner().buildContext();
    }

    /**
     * Runs custom {@code op} on {@code in} into {@code out} in this thread's context (emptied afterwards), with the
     * op's own float arguments and the given integer and boolean ones (axes, keepDims).
     */
    private static void exec(CustomOp op, INDArray out, INDArray[] in, long[] ints, boolean... bools) {
        OpContext c = PerThread.get().ops().context;
        try {
            c.setInputArrays(in);
            c.setOutputArrays(out);
            c.setTArguments(op.tArgs());
            c.setIArguments(ints);
            c.setBArguments(bools);
            Nd4j.getExecutioner().exec(op, c);
        } finally {
            c.purge();
        }
    }

    private static final long[] NO_INTS = {};

    /** Runs this thread's scalar op of kind {@code kind} on x into out with scalar s. */
    private static void execScalar(Scalar kind, INDArray x, INDArray out, double s) {
        BaseScalarOp op = PerThread.get().scalarOps.computeIfAbsent(List.of(kind, x.dataType()), k -> {
            BaseScalarOp o = kind.nd4j();
            o.setScalar(Nd4j.scalar(x.dataType(), 0));
            return o;
        });
        op.scalar().putScalar(0, s);
        op.setX(x);
        op.setZ(out);
        Nd4j.exec(op);
    }

    /** Whether BLAS can take these arrays in place: float32 or float64, plain ({@link ArrayPool#plain}). */
    private static boolean blas(INDArray... arrays) {
        for (INDArray a : arrays) {
            if (!floating(a) || !ArrayPool.plain(a)) {
                return false;
            }
        }
        return true;
    }

    private static boolean floating(INDArray a) {
        return a.dataType() == DataType.FLOAT || a.dataType() == DataType.DOUBLE;
    }

    /** Whether to loop in Java: float32/float64 arrays, by the forced path or by size against {@code limit}. */
    private static boolean java(INDArray like, long size, long limit) {
        Path p = PerThread.get().path;
        if (p == Path.ND4J || !floating(like)) {
            return false;
        }
        return p == Path.JAVA || size <= limit;
    }

    /**
     * NIO views of recently used arrays' buffers, per thread: making one costs 0.2–0.5 µs (a JNI call and a weak
     * map inside ND4J), more than a small kernel's loop. Direct-mapped by identity; a closed array is never served.
     * Only arrays small enough for the Java path pass through, so what it keeps reachable is bounded (1,024 arrays
     * of at most 2,048 elements). A training step's small arrays span two steps (the recycler's), which 256 slots
     * could not hold without collisions. An empty array has no buffer, and gets an empty view.
     */
    static final class NioCache {
        private static final int SIZE = 1024;
        private final INDArray[] keys = new INDArray[SIZE];
        private final Buffer[] values = new Buffer[SIZE];

        Buffer of(INDArray a) {
            if (a.length() == 0) {
                return a.dataType() == DataType.FLOAT ? FloatBuffer.allocate(0) : DoubleBuffer.allocate(0);
            }
            int slot = System.identityHashCode(a) & (SIZE - 1);
            if (keys[slot] != a || a.wasClosed()) {
                keys[slot] = a;
                values[slot] = a.dataType() == DataType.FLOAT ? a.data().asNioFloat() : a.data().asNioDouble();
            }
            return values[slot];
        }
    }

    /**
     * Reads or writes one array's elements in the C order of a target shape that the array broadcasts to (stride
     * 0 on broadcast axes), through a NIO view of its off-heap buffer, a row of the last axis at a time.
     */
    private static final class Strided {
        private final FloatBuffer f;
        private final DoubleBuffer d;
        private final long[] shape;
        private final long[] strides;
        private final long[] index;
        private final int inner;
        private final int step;
        final long n;
        private long row;
        private int col;
        private float[] floats;

        private Strided(INDArray a, long[] target, long[] strides) {
            Buffer nio = a == null ? null : PerThread.get().nio.of(a);
            this.f = nio instanceof FloatBuffer fb ? fb : null;
            this.d = nio instanceof DoubleBuffer db ? db : null;
            this.shape = target;
            this.strides = strides;
            this.index = new long[target.length];
            this.inner = target.length == 0 ? 1 : (int) target[target.length - 1];
            this.step = target.length == 0 ? 0 : (int) strides[target.length - 1];
            this.n = Shapes.numel(target);
            this.row = a == null ? 0 : a.offset();
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

        /** The 2-D array {@code a}, or its transpose when {@code t}, read in place. */
        static Strided matrix(INDArray a, boolean t) {
            return t ? new Strided(a, new long[] {a.size(1), a.size(0)}, new long[] {a.stride(1), a.stride(0)})
                    : new Strided(a, a.shape(), a.stride());
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

        /** The next {@code len} elements (positions, with no array) into {@code dst}. */
        void read(double[] dst, int len) {
            for (int k = 0; k < len;) {
                int run = Math.min(Math.min(len - k, inner - col), CHUNK);
                int p = (int) row + col * step;
                if (f == null && d == null) {
                    for (int j = 0; j < run; j++) {
                        dst[k + j] = p + j * step;
                    }
                } else if (step == 0) {
                    Arrays.fill(dst, k, k + run, f != null ? f.get(p) : d.get(p));
                } else if (step == 1 && d != null) {
                    d.get(p, dst, k, run);
                } else if (step == 1) {
                    f.get(p, floats(), 0, run);
                    for (int j = 0; j < run; j++) {
                        dst[k + j] = floats[j];
                    }
                } else {
                    for (int j = 0; j < run; j++) {
                        dst[k + j] = f != null ? f.get(p + j * step) : d.get(p + j * step);
                    }
                }
                k += run;
                advance(run);
            }
        }

        /** Writes {@code len} values from {@code src} to the next elements (an output has no broadcast axes). */
        void write(double[] src, int len) {
            for (int k = 0; k < len;) {
                int run = Math.min(Math.min(len - k, inner - col), CHUNK);
                int p = (int) row + col * step;
                if (step == 1 && d != null) {
                    d.put(p, src, k, run);
                } else if (step == 1) {
                    float[] buf = floats();
                    for (int j = 0; j < run; j++) {
                        buf[j] = (float) src[k + j];
                    }
                    f.put(p, buf, 0, run);
                } else {
                    for (int j = 0; j < run; j++) {
                        if (f != null) {
                            f.put(p + j * step, (float) src[k + j]);
                        } else {
                            d.put(p + j * step, src[k + j]);
                        }
                    }
                }
                k += run;
                advance(run);
            }
        }

        /** A float scratch row for bulk copies, made on first use. */
        private float[] floats() {
            if (floats == null) {
                floats = new float[Math.min(inner, CHUNK)];
            }
            return floats;
        }

        /** Moves {@code run} elements along the current row, to the next row at its end. */
        private void advance(int run) {
            col += run;
            if (col < inner) {
                return;
            }
            col = 0;
            for (int ax = shape.length - 2; ax >= 0; ax--) {
                row += strides[ax];
                if (++index[ax] < shape[ax]) {
                    return;
                }
                row -= strides[ax] * shape[ax];
                index[ax] = 0;
            }
        }
    }
}
