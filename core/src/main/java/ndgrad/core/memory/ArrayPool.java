package ndgrad.core.memory;

import ndgrad.core.Shapes;
import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Iterator;
import java.util.Map;
import java.util.WeakHashMap;
import ndgrad.core.NdArrays;
import org.nd4j.linalg.api.buffer.DataBuffer;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Arrays that a closing {@link Scope} released, kept per thread and keyed by dtype and shape, so that the next
 * scope asking for that dtype and shape reuses one instead of allocating: a training loop that repeats its shapes
 * allocates nothing after its first step. Creating an ND4J array costs 4–11 µs even over existing memory
 * (measured), more than most small ops; and memory left to the garbage collector makes a process's RSS grow.
 *
 * <p>Each thread has its own pool, so nothing is shared between threads. The pool is bounded: an array that would
 * exceed the bound is closed instead (each array counted as its data plus {@link #OVERHEAD_BYTES}). The default
 * bound starts at {@link #LIMIT_BYTES} and follows the working set: when a request misses for the dtype and shape of
 * an array the full pool had to close, the bound grows by that array's size (up to {@link #GROWTH_CAP_BYTES}), so a
 * loop whose arrays exceed the first bound (evaluating large batches) keeps them after its first passes instead of
 * allocating its largest arrays on every pass. A bound set with the system property {@code ndgrad.poolBytes} or
 * {@link #setLimitBytes} (for the calling thread only) is fixed. When a thread has ended, the next thread that
 * makes a pool closes the arrays of the ended thread's pool. Only plain arrays are pooled: C order with default
 * strides, not views, owning all of their buffer.
 *
 * <p>Usage: {@code ArrayPool.Stats s = ArrayPool.stats(); ArrayPool.clear();}
 */
public final class ArrayPool {
    /** The bound of each new thread's pool in bytes: system property {@code ndgrad.poolBytes}, default 256 MiB. */
    public static final long LIMIT_BYTES = Long.getLong("ndgrad.poolBytes", 256L << 20);
    /** How far a default bound may grow: half the machine's memory (or 4 GiB when it cannot be read). */
    static final long GROWTH_CAP_BYTES = physicalBytes() / 2;
    /** Whether new pools' bounds follow the working set: unless {@code ndgrad.poolBytes} fixes them. */
    private static final boolean ADAPTIVE = System.getProperty("ndgrad.poolBytes") == null;
    /** How many refused keys the pool remembers (the most recent). */
    private static final int REFUSED_KEPT = 1024;
    /**
     * The bound's charge per array beyond its data. Without it, scalars handed back by an unscoped loop whose ops
     * allocate outside the pool filled the pool by the hundred thousand (100,331 arrays, 150 MB of heap, after 20,000
     * steps of {@code x.pow(y)}) while its bytes stayed under 1 MB.
     */
    static final long OVERHEAD_BYTES = 16384;
    /** Every thread's pool, so that the pools of ended threads can be closed. */
    private static final Map<Thread, ArrayPool> ALL = new WeakHashMap<>();

    private final Map<Key, ArrayDeque<INDArray>> free = new HashMap<>();
    private long limit = LIMIT_BYTES;
    private boolean adaptive = ADAPTIVE;
    /** The keys of arrays closed because the pool was full, with how many: a miss on one grows an adaptive bound. */
    private final Map<Key, Integer> refused = new java.util.LinkedHashMap<>(16, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<Key, Integer> e) {
            return size() > REFUSED_KEPT;
        }
    };
    private long bytes;
    private long count;
    private long hits;
    private long misses;

    private ArrayPool() {
    }

    /** A new pool for the calling thread; first closes the arrays of pools whose threads have ended. */
    static ArrayPool forThisThread() {
        ArrayPool p = new ArrayPool();
        synchronized (ALL) {
            for (Iterator<Map.Entry<Thread, ArrayPool>> it = ALL.entrySet().iterator(); it.hasNext();) {
                Map.Entry<Thread, ArrayPool> e = it.next();
                if (!e.getKey().isAlive()) {
                    e.getValue().closeAll();
                    it.remove();
                }
            }
            ALL.put(Thread.currentThread(), p);
        }
        return p;
    }

    /** Closes every array this pool keeps. */
    private void closeAll() {
        for (ArrayDeque<INDArray> q : free.values()) {
            q.forEach(INDArray::close);
        }
        free.clear();
        bytes = 0;
        count = 0;
    }

    /** The buffer that owns the memory {@code a} looks into (its own buffer when it is not a view). */
    public static DataBuffer root(INDArray a) {
        DataBuffer b = a.data();
        while (b.originalDataBuffer() != null && b.originalDataBuffer() != b) {
            b = b.originalDataBuffer();
        }
        return b;
    }

    /**
     * What this thread's pool holds (arrays, and bytes as the bound counts them) and how often it served a request
     * since the last {@link #clear()}.
     */
    public record Stats(long arrays, long bytes, long hits, long misses) {
    }

    /** This thread's pool figures. */
    public static Stats stats() {
        ArrayPool p = Local.get().pool;
        return new Stats(p.count, p.bytes, p.hits, p.misses);
    }

    /** Closes every array in this thread's pool and zeroes its counters. */
    public static void clear() {
        ArrayPool p = Local.get().pool;
        p.closeAll();
        p.hits = 0;
        p.misses = 0;
    }

    /** How many threads have a pool now (ended threads' pools count until the next new pool closes them). */
    public static int pools() {
        synchronized (ALL) {
            return ALL.size();
        }
    }

    /**
     * Sets the most bytes this thread's pool keeps (0 turns pooling off); arrays beyond it are closed. Other threads
     * keep theirs ({@link #LIMIT_BYTES} unless they set one).
     */
    public static void setLimitBytes(long limitBytes) {
        setLimitBytes(limitBytes, false);
    }

    /**
     * Sets this thread's bound, fixed or {@code growing} from there as the default bound grows (see above); arrays
     * beyond it are closed.
     */
    public static void setLimitBytes(long limitBytes, boolean growing) {
        if (limitBytes < 0) {
            throw new IllegalArgumentException("ArrayPool.setLimitBytes: expected a limit >= 0, got " + limitBytes);
        }
        ArrayPool p = Local.get().pool;
        p.limit = limitBytes;
        p.adaptive = growing;
        p.refused.clear();
        if (p.bytes > limitBytes) {
            clear();
        }
    }

    /** An array of this dtype and shape with unspecified contents: a pooled one if any, else new. */
    static INDArray take(DataType type, long[] shape) {
        ArrayPool p = Local.get().pool;
        Key key = new Key(type, shape);
        ArrayDeque<INDArray> q = p.free.get(key);
        INDArray a = q == null ? null : q.poll();
        if (a == null && Recycler.reclaim(key, bytes(type, Shapes.numel(shape)))) {
            q = p.free.get(key);
            a = q == null ? null : q.poll();
        }
        if (a == null) {
            p.misses++;
            p.grow(key);
            return shape.length == 0 ? Nd4j.scalar(type, 0) : Nd4j.createUninitialized(type, shape);
        }
        p.hits++;
        p.count--;
        p.bytes -= bytes(a);
        return a;
    }

    /**
     * Keeps an array that its last holder let go (its lease's generation already changed) for reuse, or closes it
     * when it cannot be pooled or the pool is full.
     */
    static void give(INDArray a) {
        if (a.wasClosed() || !a.closeable()) {
            return;
        }
        ArrayPool p = Local.get().pool;
        long size = bytes(a);
        if (!NdArrays.isPlain(a) || p.bytes + size > p.limit) {
            if (p.adaptive && NdArrays.isPlain(a)) {
                p.refused.merge(Key.of(a), 1, Integer::sum);
            }
            a.close();
            return;
        }
        p.free.computeIfAbsent(Key.of(a), k -> new ArrayDeque<>()).push(a);
        p.bytes += size;
        p.count++;
    }

    /** After a miss on {@code key}: if the full pool had closed such an array, the adaptive bound grows by one. */
    private void grow(Key key) {
        Integer n = adaptive ? refused.get(key) : null;
        if (n == null) {
            return;
        }
        if (n == 1) {
            refused.remove(key);
        } else {
            refused.put(key, n - 1);
        }
        limit = Math.max(limit, Math.min(GROWTH_CAP_BYTES, limit + bytes(key.type(), Shapes.numel(key.shape()))));
    }

    private static long physicalBytes() {
        if (java.lang.management.ManagementFactory.getOperatingSystemMXBean()
                instanceof com.sun.management.OperatingSystemMXBean os) {
            return os.getTotalMemorySize();
        }
        return 8L << 30;
    }

    /**
     * What an array costs the pool's bound: its data, plus {@link #OVERHEAD_BYTES} for what every ND4J array carries
     * besides (Java objects, shape buffer, native bookkeeping), so a pool of tiny arrays holds thousands, not millions.
     */
    private static long bytes(INDArray a) {
        return bytes(a.dataType(), a.length());
    }

    private static long bytes(DataType type, long length) {
        return length * type.width() + OVERHEAD_BYTES;
    }

    /** The dtype and shape of arrays that can stand in for one another: the pool's key, and the recycler's. */
    record Key(DataType type, long[] shape) {
        /** The key of arrays like {@code a}. */
        static Key of(INDArray a) {
            return new Key(a.dataType(), a.shape());
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Key k && k.type == type && Arrays.equals(k.shape, shape);
        }

        @Override
        public int hashCode() {
            return 31 * type.hashCode() + Arrays.hashCode(shape);
        }

        @Override
        public String toString() {
            return type + Shapes.str(shape);
        }
    }
}
