package ndgrad.core.kernels;

import java.nio.Buffer;
import java.nio.DoubleBuffer;
import java.nio.FloatBuffer;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import ndgrad.core.NdArrays;
import ndgrad.core.PerThread;
import org.bytedeco.javacpp.DoublePointer;
import org.bytedeco.javacpp.FloatPointer;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.BaseScalarOp;
import org.nd4j.linalg.api.ops.CustomOp;
import org.nd4j.linalg.api.ops.DynamicCustomOp;
import org.nd4j.linalg.api.ops.OpContext;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The low-level access layer under every kernel family: which path a call takes ({@link #java}, {@link #alike},
 * {@link #blas}), the arrays' off-heap buffers (NIO views, BLAS pointers), streaming through {@link Strided} views,
 * native execution of ND4J ops in a reused context, and the per-thread state these keep. Besides these, a family
 * touches a plain array's buffer directly only for bulk work over it: the BLAS calls in {@link Products}, the copies
 * and bulk reads in {@link Copies}, the block copies in {@link Indexing}, and the window loops of {@link Unfold} and
 * {@link Pooling}.
 */
final class Access {
    private static final PerThread<State> STATE = new PerThread<>(State::new);

    private Access() {
    }

    /** What the kernels keep per thread: the path, NIO views, chunks, vectors of ones, ND4J ops and window maps. */
    static final class State extends PerThread.Owned {
        /** How kernels compute on this thread. */
        Kernels.Path path = Kernels.DEFAULT_PATH;
        final NioCache nio = new NioCache();
        Chunk[][] chunks = new Chunk[2][0];
        final Map<DataType, INDArray> ones = new HashMap<>();
        final Map<List<Object>, BaseScalarOp> scalarOps = new HashMap<>();
        /** {@link Unfold}'s window maps, the most recently used kept. */
        final Map<Unfold.Geometry, int[]> windowMaps = Unfold.windowMaps();
        /** The window passes' float32 scratch rows, {@link #scratch}. */
        final float[][] scratch = new float[2][0];
        /** Max pooling's offsets while a pass computes or reads them, {@link #offsets}. */
        int[] offsets = new int[0];
        private Native ops;

        /** This thread's reused ND4J ops and op context, made on first use. */
        Native ops() {
            if (ops == null) {
                ops = new Native();
            }
            return ops;
        }
    }

    /** This thread's kernel state. */
    static State state() {
        return STATE.get();
    }

    /** A float64 chunk over the first {@code len} values of {@code buf}. */
    static Chunk chunkOf(double[] buf, int len) {
        Chunk c = new Chunk(buf);
        c.length(len);
        return c;
    }

    /**
     * Whether these arrays can go through a vector loop ({@link #run}): float32 or float64 of one dtype and shape,
     * all plain, and the native path not forced.
     */
    static boolean alike(INDArray... arrays) {
        if (Access.state().path == Kernels.Path.ND4J || !floating(arrays[0])) {
            return false;
        }
        for (INDArray a : arrays) {
            if (a.dataType() != arrays[0].dataType() || !Arrays.equals(a.shape(), arrays[0].shape())
                    || !NdArrays.isPlain(a)) {
                return false;
            }
        }
        return true;
    }

    /** Produces the next {@code len} values of a stream into {@code buf}. */
    @FunctionalInterface
    interface Source {
        void next(double[] buf, int len);
    }

    /** Elements per chunk of the Java path: long enough loops for the JIT, short enough to stay in L1. */
    static final int CHUNK = 1024;

    static double[] chunk(long n) {
        return new double[(int) Math.min(CHUNK, n)];
    }

    /** Fills {@code out}, in its C order, chunk by chunk with the values {@code source} produces. */
    static void stream(Strided out, Source source) {
        double[] buf = chunk(out.n);
        for (long done = 0; done < out.n; done += buf.length) {
            int len = (int) Math.min(buf.length, out.n - done);
            source.next(buf, len);
            out.write(buf, len);
        }
    }

    /**
     * This thread's float32 scratch array {@code slot} (0: a window pass's input, 1: its output), at least {@code n}
     * long, its first n zeroed when {@code zeroed}: the window passes of {@link Unfold} and {@link Pooling} copy a
     * layer's values into Java arrays, and new ones each call made the CNN step allocate 18 MB of heap, which the
     * garbage collector's young generation grew to hold (about 290 MB of resident heap).
     */
    static float[] scratch(int slot, int n, boolean zeroed) {
        float[][] all = state().scratch;
        if (all[slot].length < n) {
            all[slot] = new float[n];
        } else if (zeroed) {
            Arrays.fill(all[slot], 0, n, 0f);
        }
        return all[slot];
    }

    /** This thread's scratch offsets for max pooling, at least {@code n} long (valid until the next call). */
    static int[] offsets(int n) {
        State st = state();
        if (st.offsets.length < n) {
            st.offsets = new int[n];
        }
        return st.offsets;
    }

    /** A NIO view of a plain float32 or float64 array's buffer (an empty buffer for an empty array, which has none). */
    static Buffer nio(INDArray a) {
        boolean float32 = a.dataType() == DataType.FLOAT;
        if (a.length() == 0) {
            return float32 ? FloatBuffer.allocate(0) : DoubleBuffer.allocate(0);
        }
        return float32 ? a.data().asNioFloat() : a.data().asNioDouble();
    }

    /** A plain vector of at least n ones, for BLAS row sums and row broadcasts. */
    static INDArray ones(DataType type, int n) {
        Map<DataType, INDArray> cache = Access.state().ones;
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
    static FloatPointer floatPointer(INDArray a) {
        return (FloatPointer) a.data().pointer();
    }

    /** The buffer of a plain float64 array, for BLAS, as {@link #floatPointer}. */
    static DoublePointer doublePointer(INDArray a) {
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
    static void exec(CustomOp op, INDArray out, INDArray[] in, long[] ints, boolean... bools) {
        OpContext c = Access.state().ops().context;
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

    static final long[] NO_INTS = {};

    /** Runs this thread's scalar op of kind {@code kind} on x into out with scalar s. */
    static void execScalar(Pointwise.Scalar kind, INDArray x, INDArray out, double s) {
        BaseScalarOp op = Access.state().scalarOps.computeIfAbsent(List.of(kind, x.dataType()), k -> {
            BaseScalarOp o = kind.nd4j();
            o.setScalar(Nd4j.scalar(x.dataType(), 0));
            return o;
        });
        op.scalar().putScalar(0, s);
        op.setX(x);
        op.setZ(out);
        Nd4j.exec(op);
    }

    /** Whether BLAS can take these arrays in place: float32 or float64, plain ({@link NdArrays#isPlain}). */
    static boolean blas(INDArray... arrays) {
        for (INDArray a : arrays) {
            if (!floating(a) || !NdArrays.isPlain(a)) {
                return false;
            }
        }
        return true;
    }

    static boolean floating(INDArray a) {
        return a.dataType() == DataType.FLOAT || a.dataType() == DataType.DOUBLE;
    }

    /** Whether to loop in Java: float32/float64 arrays, by the forced path or by size against {@code limit}. */
    static boolean java(INDArray like, long size, long limit) {
        Kernels.Path p = Access.state().path;
        if (p == Kernels.Path.ND4J || !floating(like)) {
            return false;
        }
        return p == Kernels.Path.JAVA || size <= limit;
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
}
