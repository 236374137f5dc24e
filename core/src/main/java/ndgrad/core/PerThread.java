package ndgrad.core;

import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.BaseScalarOp;

/**
 * Everything {@code core} keeps per thread, behind one {@link ThreadLocal}: a training step looks it up a dozen
 * times per op, and one thread-local per kind of state made the thread's map miss and probe (see
 * benchmarks/README.md).
 */
final class PerThread {
    private static final ThreadLocal<PerThread> MINE = ThreadLocal.withInitial(PerThread::new);
    /**
     * The state last looked up, checked against its owner before use: a loop on one thread skips the thread-local
     * map. A stale or torn read only sends the lookup to the map; the owner is final, so it reads safely.
     */
    private static PerThread last;

    private final Thread owner = Thread.currentThread();

    /** The open scopes, innermost first. */
    final ArrayDeque<Scope> scopes = new ArrayDeque<>();
    /** Arrays released by scopes and the recycler, for reuse. */
    final ArrayPool pool = ArrayPool.forThisThread();
    /** Floating arrays on their way back to the pool. */
    final Recycler recycler = new Recycler();
    /** The default dtype of factories. */
    DataType defaultType = DataType.FLOAT;
    /** How {@link Kernels} computes. */
    Kernels.Path path = Kernels.DEFAULT_PATH;
    /** {@link Kernels}' caches: NIO views, chunks, vectors of ones, ND4J ops and their context. */
    final Kernels.NioCache nio = new Kernels.NioCache();
    Chunk[][] chunks = new Chunk[2][0];
    final Map<DataType, INDArray> ones = new HashMap<>();
    final Map<List<Object>, BaseScalarOp> scalarOps = new HashMap<>();
    /** {@link Unfold}'s window maps, the most recently used kept. */
    final Map<Unfold.Geometry, int[]> windowMaps = Unfold.windowMaps();
    private Kernels.Native ops;

    private PerThread() {
    }

    static PerThread get() {
        PerThread p = last;
        if (p != null && p.owner == Thread.currentThread()) {
            return p;
        }
        p = MINE.get();
        last = p;
        return p;
    }

    /** This thread's reused ND4J ops and op context, made on first use. */
    Kernels.Native ops() {
        if (ops == null) {
            ops = new Kernels.Native();
        }
        return ops;
    }
}
