package ndgrad.core;

import java.util.function.Supplier;

/**
 * A state per thread, looked up without the thread-local map on a thread that asks again: a training step looks up
 * its kernels' and its memory's state a dozen times per op, and the map's probe showed in small steps (see
 * benchmarks/README.md). The last state looked up is kept and checked against its owner before use; a stale or torn
 * read only sends the lookup to the map (the owner is final, so it reads safely).
 *
 * <p>Usage: {@code class Scratch extends PerThread.Owned { double[] v = new double[16]; }
 * PerThread<Scratch> scratch = new PerThread<>(Scratch::new); double[] mine = scratch.get().v;}
 */
public final class PerThread<T extends PerThread.Owned> {
    /** A state that knows the thread it belongs to (the one that made it). */
    public abstract static class Owned {
        private final Thread owner = Thread.currentThread();
    }

    private final ThreadLocal<T> mine;
    private T last;

    /** States made by {@code initial} on each thread's first {@link #get()}. */
    public PerThread(Supplier<T> initial) {
        mine = ThreadLocal.withInitial(initial);
    }

    /** The calling thread's state. */
    public T get() {
        T s = last;
        if (s != null && ((Owned) s).owner == Thread.currentThread()) {
            return s;
        }
        s = mine.get();
        last = s;
        return s;
    }
}
