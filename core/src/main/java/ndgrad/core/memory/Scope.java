package ndgrad.core.memory;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import org.nd4j.linalg.api.buffer.DataBuffer;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Deterministic release of off-heap memory. ND4J arrays live outside the Java heap and are freed only by
 * {@code close()} or, late, by the garbage collector; a training loop that leaves one step's intermediates to the
 * collector can be killed for memory long before the heap looks full. A scope owns every array that ndgrad creates
 * on its thread while it is the innermost open scope, and closes them all when it closes. Arrays that must live on
 * (parameters, gradients, optimizer state, a value the caller keeps) are created outside any scope or released
 * from it with {@link #keep(INDArray)}.
 *
 * <p>Scopes nest per thread; {@link #keep(INDArray)} hands an array to the enclosing scope, or to nobody when there
 * is none. Views over another array's memory are never owned: closing them would free their parent.
 *
 * <p>Closing gives the arrays to the thread's {@link ArrayPool}, and {@link #allocate} takes from it, so a loop that
 * repeats its shapes stops allocating. Each owned array has a {@link Lease} whose generation changes when the scope
 * lets the array go; holders (such as {@code Tensor}) compare generations, so a recycled array is never read
 * through a stale handle. A view shares the lease of the array it looks into.
 *
 * <p>With no scope open, arrays are still taken from the pool, and a holder that takes charge of one gets a
 * <em>floating</em> lease ({@link #adopt}), which {@link Recycler} brings back to the pool: the autograd engine
 * retires the arrays of a graph that backward freed, and they return one backward later; any other floating array
 * returns once the garbage collector finds its lease unreachable. So a loop written without scopes recycles its
 * arrays too. Holders see leases only through {@link Storage}.
 *
 * <p>Usage: {@code try (Scope step = Scope.open()) { ... }}
 */
public final class Scope implements AutoCloseable {
    /** Owned arrays by the identity of their root buffer, so that a view finds its base's lease. */
    private final Map<DataBuffer, Lease> owned = new IdentityHashMap<>();
    private final Thread thread = Thread.currentThread();
    private boolean closed;

    private Scope() {
    }

    /** Opens a scope on this thread; it owns what ndgrad creates until it closes. */
    public static Scope open() {
        Scope s = new Scope();
        Local.get().scopes.push(s);
        return s;
    }

    /** The innermost open scope of this thread, or null. */
    public static Scope current() {
        return Local.get().scopes.peek();
    }

    /**
     * The right to an array's contents: {@link #generation()} changes when the array is let go (by the scope that
     * owned it, or by the {@link Recycler} for a floating one) and may be recycled or freed.
     */
    static final class Lease {
        private final INDArray array;
        private int generation;
        private final boolean floating;
        /** What may let a floating array go now. */
        State state;
        /** While {@link State#WATCHED}, the notice the collector enqueues when the lease becomes unreachable. */
        Recycler.Watch watch;
        /** How many graphs backward had freed on this thread when the lease was made (see {@link Recycler}). */
        int epoch;

        /**
         * A floating lease's states: let go only when a freed graph retires it; also when the collector finds it
         * unreachable; never (handed out or kept); already let go.
         */
        enum State { RETIRABLE, WATCHED, PINNED, RELEASED }

        Lease(INDArray array, boolean floating) {
            this.array = array;
            this.floating = floating;
            this.state = floating ? State.RETIRABLE : State.PINNED;
        }

        /** Changes each time the array is let go. */
        int generation() {
            return generation;
        }

        /** The array (the base array, for a view's lease). */
        INDArray array() {
            return array;
        }

        /** Whether no scope owns the array, so that only the {@link Recycler} lets it go. */
        boolean floating() {
            return floating;
        }

        /**
         * Whether this floating lease was made since this thread's backward last freed a graph (and after the
         * first one): its array belongs to the current training step.
         */
        boolean young() {
            return floating && state != State.PINNED && Recycler.isYoung(this);
        }

        /** Keeps a floating array from ever being recycled: its holder handed it out, or was asked to keep it. */
        void pin() {
            Recycler.unwatch(this);
            state = State.PINNED;
        }

        /** Lets the array go: stale holders refuse to read it, and the pool may hand it out again. */
        void release() {
            generation++;
            ArrayPool.give(array);
        }
    }

    /**
     * Registers a newly allocated array with the innermost scope (if any) and returns it. Call it only for arrays
     * that nothing else owns; views are skipped.
     */
    public static <T extends INDArray> T track(T array) {
        Scope s = Local.get().scopes.peek();
        if (s != null && !array.isView()) {
            s.owned.computeIfAbsent(ArrayPool.root(array), k -> new Lease(array, false));
        }
        return array;
    }

    /**
     * A C-order array of this dtype and shape with unspecified contents, taken from the thread's {@link ArrayPool}
     * when it has one, and owned by the innermost scope; with no scope open, owned by nobody (see {@link #adopt}).
     */
    public static INDArray allocate(DataType type, long... shape) {
        Recycler.collect();
        INDArray a = ArrayPool.take(type, shape);
        Scope s = Local.get().scopes.peek();
        if (s != null) {
            s.owned.put(ArrayPool.root(a), new Lease(a, false));
        }
        return a;
    }

    /**
     * The lease of an array that a holder (such as {@code Tensor}) takes charge of: its owning scope's, or with no
     * scope owning it a new floating lease, which the {@link Recycler} lets go when a freed graph retires it, or
     * (once {@link #watch}ed) when it becomes unreachable.
     */
    static Lease adopt(INDArray array) {
        Lease l = lease(array);
        return l != null ? l : Recycler.adopt(new Lease(array, true));
    }

    /**
     * Lets the {@link Recycler} bring a floating lease's array back to the pool when the garbage collector finds the
     * lease unreachable (for arrays that no graph will retire: a batch, a value computed without a graph).
     */
    static void watch(Lease lease) {
        Recycler.watch(lease);
    }

    /** The lease of {@code array} (or of the array a view looks into) if an open scope of this thread owns it. */
    static Lease lease(INDArray array) {
        ArrayDeque<Scope> stack = Local.get().scopes;
        if (stack.isEmpty()) {
            return null;
        }
        DataBuffer key = ArrayPool.root(array);
        for (Scope s : stack) {
            Lease l = s.owned.get(key);
            if (l != null) {
                return l;
            }
        }
        return null;
    }

    /**
     * Floating leases of a graph that backward freed: the arrays its ops made, and those of the tensors it took as
     * inputs without needing their gradient. The ones retired by this thread's previous call (the step before) are
     * let go now, unless pinned since; these wait for the next call, so a step's values stay readable until the next
     * step's backward (see {@link Recycler#retire} for which inputs are let go).
     */
    static void retire(List<Lease> made, List<Lease> inputs) {
        Recycler.retire(made, inputs);
    }

    /**
     * Releases {@code array} from the innermost scope that owns it and gives it to that scope's parent, so it
     * outlives the scope; with no parent it is left to the caller (and the collector). Returns it.
     */
    public static INDArray keep(INDArray array) {
        List<Scope> scopes = new ArrayList<>(Local.get().scopes);
        DataBuffer key = ArrayPool.root(array);
        for (int i = 0; i < scopes.size(); i++) {
            Lease l = scopes.get(i).owned.remove(key);
            if (l != null) {
                if (i + 1 < scopes.size()) {
                    scopes.get(i + 1).owned.put(key, l);
                }
                break;
            }
        }
        return array;
    }

    /**
     * Releases {@code array} from every scope of this thread: nobody but the caller owns it now (for parameters and
     * other values that live as long as the program needs them). Returns it.
     */
    public static INDArray release(INDArray array) {
        DataBuffer key = ArrayPool.root(array);
        for (Scope s : Local.get().scopes) {
            s.owned.remove(key);
        }
        return array;
    }

    /** Whether this scope currently owns {@code array}. */
    public boolean owns(INDArray array) {
        return owned.containsKey(ArrayPool.root(array));
    }

    /** How many arrays this scope owns now. */
    public int size() {
        return owned.size();
    }

    /**
     * Lets go of every array this scope owns (to the thread's {@link ArrayPool}, which closes what it cannot keep),
     * and first of every scope opened inside it that is still open. Closing twice does nothing; closing from another
     * thread is an error.
     */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        if (Thread.currentThread() != thread) {
            throw new IllegalStateException("Scope.close: a scope must be closed by the thread that opened it ("
                    + thread.getName() + "), not by " + Thread.currentThread().getName());
        }
        ArrayDeque<Scope> stack = Local.get().scopes;
        while (!stack.isEmpty() && stack.peek() != this) {
            stack.peek().close();
        }
        stack.remove(this);
        closed = true;
        for (Lease l : owned.values()) {
            l.release();
        }
        owned.clear();
    }
}
