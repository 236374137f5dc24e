package ndgrad.core;

import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Arrays that a closing {@link Scope} released, kept per thread and keyed by dtype and shape, so that the next
 * scope asking for that dtype and shape reuses one instead of allocating: a training loop that repeats its shapes
 * allocates nothing after its first step. Creating an ND4J array costs 4–11 µs even over existing memory
 * (measured), more than most small ops; and memory left to the garbage collector makes a process's RSS grow.
 *
 * <p>Each thread has its own pool, so nothing is shared between threads. The pool is bounded
 * ({@link #setLimitBytes}, 256 MiB per thread by default): an array that would exceed the bound is closed instead.
 * Only plain arrays are pooled: C order with default strides, not views, owning all of their buffer.
 *
 * <p>Usage: {@code ArrayPool.Stats s = ArrayPool.stats(); ArrayPool.clear();}
 */
public final class ArrayPool {
    private static final ThreadLocal<ArrayPool> POOL = ThreadLocal.withInitial(ArrayPool::new);
    private static volatile long defaultLimit = 256L << 20;

    private final Map<Key, ArrayDeque<Scope.Lease>> free = new HashMap<>();
    private long limit = defaultLimit;
    private long bytes;
    private long count;
    private long hits;
    private long misses;

    private ArrayPool() {
    }

    /** What this thread's pool holds and how often it served a request since the last {@link #clear()}. */
    public record Stats(long arrays, long bytes, long hits, long misses) {
    }

    /** This thread's pool figures. */
    public static Stats stats() {
        ArrayPool p = POOL.get();
        return new Stats(p.count, p.bytes, p.hits, p.misses);
    }

    /** Closes every array in this thread's pool and zeroes its counters. */
    public static void clear() {
        ArrayPool p = POOL.get();
        for (ArrayDeque<Scope.Lease> q : p.free.values()) {
            q.forEach(l -> l.array().close());
        }
        p.free.clear();
        p.bytes = 0;
        p.count = 0;
        p.hits = 0;
        p.misses = 0;
    }

    /**
     * Sets the most bytes this thread's pool keeps (0 turns pooling off); arrays beyond it are closed. Threads that
     * have not pooled yet start with the last value set.
     */
    public static void setLimitBytes(long limitBytes) {
        if (limitBytes < 0) {
            throw new IllegalArgumentException("ArrayPool.setLimitBytes: expected a limit >= 0, got " + limitBytes);
        }
        defaultLimit = limitBytes;
        ArrayPool p = POOL.get();
        p.limit = limitBytes;
        if (p.bytes > limitBytes) {
            clear();
        }
    }

    /** The lease of an array of this dtype and shape with unspecified contents: a pooled one if any, else new. */
    static Scope.Lease take(DataType type, long[] shape) {
        ArrayPool p = POOL.get();
        ArrayDeque<Scope.Lease> q = p.free.get(new Key(type, shape));
        Scope.Lease l = q == null ? null : q.poll();
        if (l == null) {
            p.misses++;
            return new Scope.Lease(shape.length == 0 ? Nd4j.scalar(type, 0) : Nd4j.createUninitialized(type, shape));
        }
        p.hits++;
        p.count--;
        p.bytes -= bytes(l.array());
        return l;
    }

    /** Keeps the leased array for reuse, or closes it when it cannot be pooled or the pool is full. */
    static void give(Scope.Lease l) {
        INDArray a = l.array();
        if (a.wasClosed() || !a.closeable()) {
            return;
        }
        ArrayPool p = POOL.get();
        long size = bytes(a);
        if (!plain(a) || p.bytes + size > p.limit) {
            a.close();
            return;
        }
        p.free.computeIfAbsent(new Key(a.dataType(), a.shape().clone()), k -> new ArrayDeque<>()).push(l);
        p.bytes += size;
        p.count++;
    }

    /** Whether {@code a} owns all of its buffer in C order from offset 0 (so may be pooled, or passed to BLAS). */
    static boolean plain(INDArray a) {
        return !a.isView() && !a.isEmpty() && a.ordering() == 'c' && a.offset() == 0
                && a.data().length() == a.length() && cOrderStrides(a);
    }

    /** Whether a's strides are C order's; sizes of 1 may have any stride (ND4J's own check refuses [1, 1]). */
    private static boolean cOrderStrides(INDArray a) {
        long expected = 1;
        for (int i = a.rank() - 1; i >= 0; i--) {
            if (a.size(i) != 1 && a.stride(i) != expected) {
                return false;
            }
            expected *= a.size(i);
        }
        return true;
    }

    private static long bytes(INDArray a) {
        return a.length() * a.dataType().width();
    }

    private record Key(DataType type, long[] shape) {
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
