package ndgrad.core;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Deterministic release of off-heap memory. ND4J arrays live outside the Java heap and are freed only by
 * {@code close()} or, late, by the garbage collector; a training loop that leaves one step's intermediates to the
 * collector can be killed for memory long before the heap looks full. A scope owns every array that ndgrad creates
 * on its thread while it is the innermost open scope, and closes them all when it closes. Arrays that must live on
 * (parameters, gradients, optimizer state, a value the caller keeps) are created outside any scope or released
 * from it with {@link #keep(INDArray)}. With no scope open, nothing is tracked and the collector frees arrays.
 *
 * <p>Scopes nest per thread; {@link #keep(INDArray)} hands an array to the enclosing scope, or to nobody when there
 * is none. Views over another array's memory are never owned: closing them would free their parent.
 *
 * <p>Closing gives the arrays to the thread's {@link ArrayPool}, and {@link #allocate} takes from it, so a loop that
 * repeats its shapes stops allocating. Each owned array has a {@link Lease} whose generation changes when the scope
 * lets the array go; holders (such as {@code Tensor}) compare generations, so a recycled array is never read
 * through a stale handle.
 *
 * <p>Usage: {@code try (Scope step = Scope.open()) { ... }}
 */
public final class Scope implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(Scope.class);
    private static final ThreadLocal<ArrayDeque<Scope>> STACK = ThreadLocal.withInitial(ArrayDeque::new);

    private final Map<INDArray, Lease> owned = new IdentityHashMap<>();
    private final Thread thread = Thread.currentThread();
    private boolean closed;

    static {
        Threads.init();
    }

    private Scope() {
    }

    /** Opens a scope on this thread; it owns what ndgrad creates until it closes. */
    public static Scope open() {
        Scope s = new Scope();
        STACK.get().push(s);
        return s;
    }

    /** The innermost open scope of this thread, or null. */
    public static Scope current() {
        return STACK.get().peek();
    }

    /**
     * The right to an owned array's contents: {@link #generation()} changes when the owning scope closes and the
     * array is recycled or freed.
     */
    public static final class Lease {
        private final INDArray array;
        private int generation;

        Lease(INDArray array) {
            this.array = array;
        }

        /** Changes each time the array is let go by the scope that owned it. */
        public int generation() {
            return generation;
        }

        INDArray array() {
            return array;
        }
    }

    /**
     * Registers a newly allocated array with the innermost scope (if any) and returns it. Call it only for arrays
     * that nothing else owns; views are skipped.
     */
    public static <T extends INDArray> T track(T array) {
        Scope s = STACK.get().peek();
        if (s != null && !array.isView()) {
            s.owned.computeIfAbsent(array, Lease::new);
        }
        return array;
    }

    /**
     * A C-order array of this dtype and shape with unspecified contents, owned by the innermost scope and taken
     * from the thread's {@link ArrayPool} when it has one; with no scope open, a new array nobody tracks.
     */
    public static INDArray allocate(DataType type, long... shape) {
        Scope s = STACK.get().peek();
        if (s == null) {
            return shape.length == 0 ? Nd4j.scalar(type, 0) : Nd4j.createUninitialized(type, shape);
        }
        Lease lease = ArrayPool.take(type, shape);
        s.owned.put(lease.array, lease);
        return lease.array;
    }

    /** The lease of {@code array} if an open scope of this thread owns it, else null. */
    public static Lease lease(INDArray array) {
        for (Scope s : STACK.get()) {
            Lease l = s.owned.get(array);
            if (l != null) {
                return l;
            }
        }
        return null;
    }

    /**
     * Releases {@code array} from the innermost scope that owns it and gives it to that scope's parent, so it
     * outlives the scope; with no parent it is left to the caller (and the collector). Returns it.
     */
    public static INDArray keep(INDArray array) {
        List<Scope> scopes = new ArrayList<>(STACK.get());
        for (int i = 0; i < scopes.size(); i++) {
            Lease l = scopes.get(i).owned.remove(array);
            if (l != null) {
                if (i + 1 < scopes.size()) {
                    scopes.get(i + 1).owned.put(array, l);
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
        for (Scope s : STACK.get()) {
            s.owned.remove(array);
        }
        return array;
    }

    /** Whether this scope currently owns {@code array}. */
    public boolean owns(INDArray array) {
        return owned.containsKey(array);
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
        ArrayDeque<Scope> stack = STACK.get();
        while (!stack.isEmpty() && stack.peek() != this) {
            stack.peek().close();
        }
        stack.remove(this);
        closed = true;
        for (Lease l : owned.values()) {
            l.generation++;
            ArrayPool.give(l);
        }
        LOG.trace("Scope let go of {} arrays", owned.size());
        owned.clear();
    }
}
