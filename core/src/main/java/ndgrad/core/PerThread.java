package ndgrad.core;

import java.util.function.Supplier;

/**
 * A value per thread, looked up without the thread-local map on a thread that asks again: a training step looks up
 * its kernels' and its memory's state a dozen times per op, and the map's probe showed in small steps (see
 * benchmarks/README.md). The last lookup is kept with its owner and checked before use; a stale or torn read only
 * sends the lookup to the map (the slot is immutable, so it reads safely).
 *
 * <p>Usage: {@code static final PerThread<State> STATE = new PerThread<>(State::new); STATE.get().path = ...;}
 */
public final class PerThread<T> {
    private record Slot<T>(Thread owner, T value) {
    }

    private final ThreadLocal<Slot<T>> mine;
    private Slot<T> last;

    /** Values made by {@code initial} on each thread's first {@link #get()}. */
    public PerThread(Supplier<T> initial) {
        mine = ThreadLocal.withInitial(() -> new Slot<>(Thread.currentThread(), initial.get()));
    }

    /** The calling thread's value. */
    public T get() {
        Slot<T> s = last;
        if (s != null && s.owner == Thread.currentThread()) {
            return s.value;
        }
        s = mine.get();
        last = s;
        return s.value;
    }
}
