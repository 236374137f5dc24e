package ndgrad.core.memory;

import java.util.ArrayDeque;
import ndgrad.core.PerThread;

/** This thread's memory: its open scopes (innermost first), its pool, and its recycler of floating arrays. */
final class Local extends PerThread.Owned {
    private static final PerThread<Local> MINE = new PerThread<>(Local::new);

    final ArrayDeque<Scope> scopes = new ArrayDeque<>();
    final ArrayPool pool = ArrayPool.forThisThread();
    final Recycler recycler = new Recycler();

    private Local() {
    }

    static Local get() {
        return MINE.get();
    }
}
