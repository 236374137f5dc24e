package ndgrad.core.memory;

import java.lang.ref.PhantomReference;
import java.lang.ref.Reference;
import java.lang.ref.ReferenceQueue;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Brings arrays that no scope owns (floating leases, {@link Scope#adopt}) back to their thread's {@link ArrayPool},
 * so that a loop written without scopes, as in PyTorch, neither grows nor allocates once it runs:
 * <ul>
 * <li>a graph's arrays when backward freed it ({@link #retire}): they stay readable until the next backward on the
 * thread, so the loss and the logits of a step can be read after {@code step()}, and then go back;</li>
 * <li>the step's own inputs to that graph, such as the batch and what was computed from it without a graph: those
 * made after the previous backward that freed a graph. They go back one backward later too, when the next graph
 * took new ones of the same dtype and shape in their place, as a loop does with its batches; an input the next
 * graph uses again is a constant, kept for good, and one it neither uses nor replaces (a batch prepared ahead with
 * others) is left to the collector, as is everything made before the thread's first backward;</li>
 * <li>any other floating array (a value computed without a graph, an evaluation's output) when the garbage
 * collector finds its lease unreachable, as PyTorch frees a tensor at its last reference. The off-heap arrays do not
 * prompt the collector: after {@link #GC_BYTES} bytes of floating arrays not yet back, the recycler asks for a
 * collection; and when the pool has no array for a request while arrays of that dtype and shape are still watched,
 * it asks for one before the pool allocates ({@link #reclaim}), as the JDK does for direct buffers.</li>
 * </ul>
 * A lease is never recycled once pinned (its array was handed out, or kept). A holder of a recycled lease refuses to
 * read: the lease's generation changed.
 */
final class Recycler {
    private static final Logger LOG = LoggerFactory.getLogger(Recycler.class);
    /**
     * Bytes of floating arrays not yet back in a pool after which {@code System.gc()} runs (system property
     * {@code ndgrad.gcBytes}, default 16 MiB; 0: never). It runs once early in a loop whose leftovers the collector
     * brings back, and rarely after; without it such loops grow to gigabytes, because the collector does not count
     * off-heap bytes.
     */
    static final long GC_BYTES = Long.getLong("ndgrad.gcBytes", 16L << 20);
    private static final AtomicLong OUTSTANDING = new AtomicLong();

    /**
     * The bytes of requests the pool missed before {@link #reclaim} asks for a collection: a small array costs less
     * to allocate than a collection (an LSTM step's 16 KB states took one a step otherwise, 20% slower), a large one
     * more, and it is the large ones that grow the RSS.
     */
    private static final long RECLAIM_BYTES = 32L << 20;
    /**
     * The least time between two such collections, as a multiple of the last one's duration: after one that brought
     * arrays back (an evaluation loop gets one about every batch), and after one that did not (a loop whose watched
     * arrays stay reachable then spends at most about 1/20 of its time in them).
     */
    private static final int RECLAIM_SPACING = 2;
    private static final int RECLAIM_SPACING_IDLE = 20;
    /** How long {@link #reclaim} waits after a collection for the first lease it finds unreachable. */
    private static final long RECLAIM_WAIT_MS = 50;

    /** This thread's watched leases, held until their array goes back or they are pinned. */
    private final Set<Watch> watches = new HashSet<>();
    /**
     * How many arrays of each dtype and shape this thread began to watch since its last collection by
     * {@link #reclaim} (those watched before it were reachable then, and most stay so: a model's input, a batch).
     */
    private final Map<ArrayPool.Key, Integer> fresh = new HashMap<>();
    /** Collections by {@link #reclaim} so far: a watch made since the last one is fresh. */
    private int reclaims;
    /** When {@link #reclaim} may next ask for a collection. */
    private long nextReclaim = Long.MIN_VALUE;
    /** Bytes of requests the pool missed since the last collection by {@link #reclaim}. */
    private long missed;
    private final ReferenceQueue<Scope.Lease> queue = new ReferenceQueue<>();
    /** The arrays the last freed graph made, let go at the next one. */
    private final List<Scope.Lease> retired = new ArrayList<>();
    /** The step's inputs to the last freed graph, let go at the next one unless it uses them again. */
    private final List<Scope.Lease> inputs = new ArrayList<>();
    /** Graphs freed on this thread so far. */
    private int epoch;

    Recycler() {
    }

    /** Notice that the collector found a floating lease unreachable; it keeps the array to give back. */
    static final class Watch extends PhantomReference<Scope.Lease> {
        private final INDArray array;
        private final ArrayPool.Key key;
        private final int reclaims;
        private final Recycler owner;

        private Watch(Scope.Lease lease, Recycler owner) {
            super(lease, owner.queue);
            this.array = lease.array();
            this.key = ArrayPool.Key.of(array);
            this.reclaims = owner.reclaims;
            this.owner = owner;
        }
    }

    /** Counts a new floating lease's array as not yet back and dates it; returns the lease. */
    static Scope.Lease adopt(Scope.Lease lease) {
        lease.epoch = Local.get().recycler.epoch;
        long outstanding = OUTSTANDING.addAndGet(bytes(lease.array()));
        if (GC_BYTES > 0 && outstanding > GC_BYTES) {
            OUTSTANDING.set(0);
            LOG.debug("{} bytes of floating arrays are not back: asking for a collection", outstanding);
            System.gc();
        }
        return lease;
    }

    /** Starts watching a retirable floating lease of this thread for the moment it becomes unreachable. */
    static void watch(Scope.Lease lease) {
        if (lease.state == Scope.Lease.State.RETIRABLE) {
            Recycler r = Local.get().recycler;
            lease.watch = new Watch(lease, r);
            r.watches.add(lease.watch);
            r.fresh.merge(lease.watch.key, 1, Integer::sum);
            lease.state = Scope.Lease.State.WATCHED;
        }
    }

    /** Stops watching {@code lease} (it stays retirable). */
    static void unwatch(Scope.Lease lease) {
        Watch w = lease.watch;
        if (w != null) {
            w.clear();
            w.owner.forget(w);
            lease.watch = null;
            lease.state = Scope.Lease.State.RETIRABLE;
        }
    }

    /** Gives back the arrays of this thread's leases that the collector found unreachable. */
    static void collect() {
        Recycler r = Local.get().recycler;
        for (Reference<? extends Scope.Lease> ref = r.queue.poll(); ref != null; ref = r.queue.poll()) {
            r.giveBack((Watch) ref);
        }
    }

    /**
     * For a request of {@code bytes} that the pool cannot serve: when arrays of its dtype and shape were watched
     * since the last such collection, asks for a collection, waits up to {@link #RECLAIM_WAIT_MS} for the first
     * lease it finds unreachable and gives back all it found, so that the pool serves the request from an array its
     * last holder dropped instead of allocating one more (an evaluation loop without a graph otherwise allocated its
     * batch's arrays again whenever the collector had not yet run, and its pool and RSS grew with them). Spaced as
     * {@link #RECLAIM_BYTES} and {@link #RECLAIM_SPACING} say. Returns whether any array came back.
     */
    static boolean reclaim(ArrayPool.Key key, long bytes) {
        Recycler r = Local.get().recycler;
        long start = System.nanoTime();
        r.missed += bytes;
        if (!r.fresh.containsKey(key) || r.missed < RECLAIM_BYTES || start < r.nextReclaim) {
            return false;
        }
        System.gc();
        r.reclaims++;
        r.fresh.clear();
        r.missed = 0;
        boolean back = false;
        try {
            Reference<? extends Scope.Lease> first = r.queue.remove(RECLAIM_WAIT_MS);
            back = first != null;
            if (back) {
                r.giveBack((Watch) first);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        collect();
        long end = System.nanoTime();
        r.nextReclaim = end + (back ? RECLAIM_SPACING : RECLAIM_SPACING_IDLE) * (end - start);
        return back;
    }

    /** Gives a collected lease's array back to the pool, unless it was unwatched meanwhile. */
    private void giveBack(Watch w) {
        if (forget(w)) {
            OUTSTANDING.addAndGet(-bytes(w.array));
            ArrayPool.give(w.array);
        }
    }

    /** Stops counting {@code w} as watched; returns whether it was. */
    private boolean forget(Watch w) {
        if (!watches.remove(w)) {
            return false;
        }
        if (w.reclaims == reclaims) {
            fresh.computeIfPresent(w.key, (k, n) -> n == 1 ? null : n - 1);
        }
        return true;
    }

    /**
     * Lets go of the previous freed graph's arrays, and keeps these for the next call: all the arrays this graph
     * made, and its inputs made since the previous call (the step's own). A step input of the previous graph goes
     * back only when this graph took a new one of its dtype and shape in its place, as a training loop does with
     * its batches; one that this graph uses again is a constant, kept for good; any other (a batch prepared with
     * others ahead of the loop) is left to the collector.
     */
    static void retire(List<Scope.Lease> made, List<Scope.Lease> inputs) {
        Recycler r = Local.get().recycler;
        Set<Scope.Lease> used = Collections.newSetFromMap(new IdentityHashMap<>());
        used.addAll(inputs);
        List<Scope.Lease> young = new ArrayList<>();
        Set<ArrayPool.Key> replaced = new HashSet<>();
        for (Scope.Lease l : inputs) {
            if (l.young()) {
                young.add(l);
                replaced.add(ArrayPool.Key.of(l.array()));
            }
        }
        for (Scope.Lease l : r.inputs) {
            if (used.contains(l)) {
                l.pin();
            } else if (replaced.contains(ArrayPool.Key.of(l.array()))) {
                release(l);
            } else {
                watch(l);
            }
        }
        r.retired.forEach(Recycler::release);
        r.retired.clear();
        r.retired.addAll(made);
        r.inputs.clear();
        r.inputs.addAll(young);
        r.epoch++;
    }

    /** Whether {@code lease} was made since this thread's last freed graph, and after its first. */
    static boolean isYoung(Scope.Lease lease) {
        int epoch = Local.get().recycler.epoch;
        return epoch > 0 && lease.epoch == epoch;
    }

    /** Lets a retired lease's array go, unless it was pinned or already let go. */
    private static void release(Scope.Lease l) {
        if (l.state == Scope.Lease.State.RETIRABLE || l.state == Scope.Lease.State.WATCHED) {
            unwatch(l);
            l.state = Scope.Lease.State.RELEASED;
            OUTSTANDING.addAndGet(-bytes(l.array()));
            l.release();
        }
    }

    private static long bytes(INDArray a) {
        return a.length() * a.dataType().width();
    }
}
