package ndgrad.core.memory;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Set;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * An array and who may let it go, and when: what a holder (a tensor) keeps instead of a lease, so that the rules of
 * leases, scopes and recycling stay in this package. A storage is made once, by what made the array, and says how
 * the array returns:
 * <ul>
 * <li>{@link #output}: an op's result. Owned by the innermost open {@link Scope}; with none open it floats, and
 * returns to the pool when the graph that made it is freed and retired ({@link #retire}), or, once
 * {@link #unrecorded} says no graph recorded it, when the garbage collector finds it unreachable.</li>
 * <li>{@link #value}: a new array outside any graph (a factory's, a constant in a backward rule), the same but never
 * retired with a graph.</li>
 * <li>{@link #borrowed}: an array its caller owns; readable until the scope that owns it (if any) closes.</li>
 * <li>{@link #pinned}: an array nothing lets go (a leaf's gradient buffer).</li>
 * </ul>
 * A {@link #view} shares its base's lease. A storage whose array was let go refuses, through {@link #released()}, to
 * be read: its lease's generation changed, so a stale handle never reads a recycled array.
 *
 * <p>Usage: {@code Storage s = Storage.value(Scope.allocate(DataType.FLOAT, 3)); INDArray a = s.array();}
 */
public final class Storage {
    private static final Storage[] NONE = new Storage[0];

    private final INDArray array;
    /** The lease (a view's: its base's): a scope's, a floating one, or null when nothing may let the array go. */
    private final Scope.Lease lease;
    private final int generation;
    /** Whether this storage is the one its array was made for (not a view), so that a freed graph may retire it. */
    private final boolean owner;
    /**
     * For an array made without a graph and no scope open: the storages of the current step it was computed from,
     * so that they are retired with it when it feeds a graph.
     */
    private Storage[] sources = NONE;

    private Storage(INDArray array, Scope.Lease lease, boolean owner) {
        this.array = array;
        this.lease = lease;
        this.generation = lease == null ? 0 : lease.generation();
        this.owner = owner;
    }

    /** An op's new output array: its scope's, or floating and retired with its graph. */
    public static Storage output(INDArray array) {
        return new Storage(array, Scope.adopt(Scope.track(array)), true);
    }

    /** A new array that no graph will retire: its scope's, or back to the pool once unreachable. */
    public static Storage value(INDArray array) {
        Storage s = output(array);
        Scope.watch(s.lease);
        return s;
    }

    /** An array its caller owns: never let go here, and unreadable once the scope that owns it (if any) closes. */
    public static Storage borrowed(INDArray array) {
        return new Storage(array, Scope.lease(array), false);
    }

    /** An array that nothing lets go. */
    public static Storage pinned(INDArray array) {
        return new Storage(array, null, false);
    }

    /** {@code view}, an array over this storage's memory, sharing its lease. */
    public Storage view(INDArray view) {
        return new Storage(view, lease, false);
    }

    /** The array, whether or not it was let go (check {@link #released()} before reading). */
    public INDArray array() {
        return array;
    }

    /** Whether the array was let go (by its scope, or recycled after its graph was freed) or closed. */
    public boolean released() {
        return lease != null && lease.generation() != generation || array.wasClosed();
    }

    /** Whether no scope owns the array, so that only the recycler lets it go. */
    public boolean floating() {
        return lease != null && lease.floating();
    }

    /** Keeps a floating array from ever being recycled (it was handed out); a scope's array is left to its scope. */
    public void pin() {
        if (floating()) {
            lease.pin();
        }
    }

    /** Makes the array outlive its scope (to the enclosing one, or to nobody), or pins a floating one. */
    public void keep() {
        if (floating()) {
            lease.pin();
        } else if (lease != null) {
            Scope.keep(lease.array());
        }
    }

    /** Moves the array out of {@code scope}, if that scope owns it, to the enclosing one. */
    public void outlive(Scope scope) {
        if (scope != null && lease != null && scope.owns(lease.array())) {
            Scope.keep(lease.array());
        }
    }

    /** Moves a new array out of the innermost scope that owns it, to the enclosing one (a floating one stays). */
    public void escape() {
        Scope.keep(array);
    }

    /**
     * Says that no graph recorded this output: it returns once unreachable. Returns whether it belongs to the
     * current step, in which case the caller names the inputs it was computed from ({@link #computedFrom}).
     */
    public boolean unrecorded() {
        if (!owner || lease == null) {
            return false;
        }
        Scope.watch(lease);
        return lease.young();
    }

    /** Remembers those of {@code inputs} that belong to the current step: retired with this one when it feeds a graph. */
    public void computedFrom(Collection<Storage> inputs) {
        List<Storage> young = new ArrayList<>(inputs.size());
        for (Storage in : inputs) {
            if (in.lease != null && in.lease.young()) {
                young.add(in);
            }
        }
        sources = young.toArray(NONE);
    }

    /** Whether a freed graph may recycle the array: made with no scope open, for this storage, and not kept. */
    public boolean retirable() {
        return owner && floating() && !released();
    }

    /**
     * Retires a freed graph's storages: the arrays its ops made ({@code made}), and the inputs it took without
     * needing their gradient with what they were computed from ({@code inputs}; the recycler keeps those that are
     * not the current step's own). Those not retirable are skipped. See {@link Scope#retire}.
     */
    public static void retire(Collection<Storage> made, Collection<Storage> inputs) {
        List<Scope.Lease> madeLeases = new ArrayList<>(made.size());
        for (Storage s : made) {
            if (s.retirable()) {
                madeLeases.add(s.lease);
            }
        }
        Set<Storage> seen = Collections.newSetFromMap(new IdentityHashMap<>());
        ArrayDeque<Storage> todo = new ArrayDeque<>(inputs);
        List<Scope.Lease> inputLeases = new ArrayList<>();
        while (!todo.isEmpty()) {
            Storage in = todo.pop();
            if (in.retirable() && seen.add(in)) {
                inputLeases.add(in.lease);
                todo.addAll(List.of(in.sources));
            }
        }
        Scope.retire(madeLeases, inputLeases);
    }
}
