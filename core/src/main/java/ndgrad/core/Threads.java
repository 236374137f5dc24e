package ndgrad.core;

import ndgrad.core.kernels.Kernels;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;
import java.util.function.IntConsumer;
import org.bytedeco.javacpp.Loader;
import org.bytedeco.javacpp.Pointer;
import org.bytedeco.javacpp.PointerPointer;
import org.bytedeco.openblas.global.openblas_nolapack;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.nativeblas.NativeOpsHolder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * ndgrad's thread policy, the one place where the library sets anything for the whole process. It applies before
 * ndgrad's first computation ({@link Kernels} loads this class), and only these settings:
 * <ul>
 * <li>ND4J's OpenMP threads and OpenBLAS's threads: 1 ({@link #nativeCount()}). Their idle workers spin-wait, and on
 * a 2-core machine they took the core the JVM's own threads needed: a 784-512-512-10 step took 22–28 ms with ND4J's
 * default of 2 OpenMP threads against 7.5 ms with 1.</li>
 * <li>The other cores go to ndgrad's own workers ({@link #count()} threads in all, the caller included: daemon
 * threads named {@code ndgrad-worker-N}, parked when idle). A large matrix product is cut into that many row or
 * column blocks, each one single-threaded BLAS call. The blocks depend only on the shapes and the thread count,
 * never on which thread runs them, so results are the same whether the workers were free or another thread of the
 * program had them.</li>
 * </ul>
 * It touches no thread it did not start and no environment variable; OpenBLAS chooses its kernels itself, from the
 * CPU or from {@code OPENBLAS_CORETYPE} ({@link #blasCore()} tells which). Settings, read once: the system property
 * {@code ndgrad.threadPolicy} ({@code on}, the default, or {@code off}: ndgrad changes no ND4J or OpenBLAS setting and
 * starts no worker, for a program that tunes ND4J itself), {@code ndgrad.threads} (threads for products; 1 keeps
 * everything on the calling thread) and {@code ndgrad.nativeThreads} (ND4J's and OpenBLAS's threads); each also as
 * the environment variable {@code NDGRAD_THREADPOLICY}, {@code NDGRAD_THREADS}, {@code NDGRAD_NATIVE_THREADS}.
 *
 * <p>Usage: {@code Threads.count()}; {@code java -Dndgrad.threadPolicy=off ...}
 */
public final class Threads {
    private static final Logger LOG = LoggerFactory.getLogger(Threads.class);
    /** Whether ndgrad applies its policy ({@code ndgrad.threadPolicy}). */
    static final boolean POLICY = policy(System.getProperty("ndgrad.threadPolicy",
            System.getenv("NDGRAD_THREADPOLICY")));
    private static final int COUNT = POLICY ? setting("ndgrad.threads", "NDGRAD_THREADS",
            Runtime.getRuntime().availableProcessors()) : 1;
    private static final Worker[] WORKERS = new Worker[COUNT - 1];
    /** Held by the one caller that has the workers; any other caller runs its parts itself. */
    private static final AtomicBoolean BUSY = new AtomicBoolean();
    /** OpenBLAS's x86-64 kernel sets, as its {@code gotoblas_NAME} tables are named. */
    private static final List<String> CORES = List.of("PRESCOTT", "CORE2", "PENRYN", "DUNNINGTON", "NEHALEM",
            "ATOM", "OPTERON", "OPTERON_SSE3", "BARCELONA", "BOBCAT", "SANDYBRIDGE", "BULLDOZER", "PILEDRIVER",
            "HASWELL", "STEAMROLLER", "EXCAVATOR", "ZEN", "SKYLAKEX", "COOPERLAKE", "SAPPHIRERAPIDS", "NANO");

    static {
        if (POLICY) {
            int n = setting("ndgrad.nativeThreads", "NDGRAD_NATIVE_THREADS", 1);
            Nd4j.getEnvironment().setMaxMasterThreads(n);
            NativeOpsHolder.getInstance().getDeviceNativeOps().setOmpNumThreads(n);
            openblas_nolapack.blas_set_num_threads(n);
        }
        for (int i = 0; i < WORKERS.length; i++) {
            WORKERS[i] = new Worker(i + 1);
            WORKERS[i].start();
        }
        LOG.debug("ndgrad threads: policy {}, {} for products, {} for ND4J and OpenBLAS; OpenBLAS kernels: {}",
                POLICY ? "on" : "off", COUNT, nativeCount(), blasCore());
    }

    private Threads() {
    }

    /** Threads that share a large product, the caller included (at least 1). */
    public static int count() {
        return COUNT;
    }

    /** Threads that OpenBLAS uses within one call (ND4J's OpenMP loops use as many under the policy). */
    public static int nativeCount() {
        return openblas_nolapack.blas_get_num_threads();
    }

    /**
     * The OpenBLAS kernel set in use, as OpenBLAS names its tables ({@code SKYLAKEX}, {@code COOPERLAKE},
     * {@code HASWELL}, ...), or {@code unknown} where its symbols cannot be read (another platform).
     */
    public static String blasCore() {
        try {
            Pointer chosen = Loader.addressof("gotoblas");
            if (chosen == null) {
                return "unknown";
            }
            long table = new PointerPointer<>(chosen).get(0).address();
            for (String c : CORES) {
                Pointer p = Loader.addressof("gotoblas_" + c);
                if (p != null && p.address() == table) {
                    return c;
                }
            }
        } catch (RuntimeException | UnsatisfiedLinkError e) {
            // fall through: not readable here
        }
        return "unknown";
    }

    /** Applies the policy now (it is applied anyway before ndgrad's first computation). */
    public static void init() {
        // loading the class applies the policy
    }

    /**
     * Runs {@code body} for parts 0 to {@code parts - 1}, each exactly once: the caller and the workers (when they
     * are free) take the next part until none is left, so a worker that wakes late takes fewer, and the caller waits
     * only for parts in progress, never for an idle worker to wake. A part computes the same whichever thread runs
     * it, so results depend on the partition only. Returns when all parts are done and rethrows the first failure.
     *
     * <p>While the JIT compiler or another program holds the other cores, a worker can be descheduled in the middle
     * of its part and keep the caller waiting for longer than the whole product takes. After a call in which the
     * caller waited longer than it worked, the caller runs the parts of the next calls itself, twice as many calls
     * after each such wait (up to {@value #MAX_BACKOFF}); a call without one halves that number.
     */
    public static void parallel(int parts, IntConsumer body) {
        if (parts == 1 || WORKERS.length == 0 || !BUSY.compareAndSet(false, true)) {
            runAll(parts, body);
            return;
        }
        try {
            if (skip > 0) {
                skip--;
                runAll(parts, body);
                return;
            }
            Job job = new Job(parts, body);
            for (int i = 0; i < Math.min(WORKERS.length, parts - 1); i++) {
                WORKERS[i].submit(job);
            }
            long t0 = System.nanoTime();
            job.work();
            long t1 = System.nanoTime();
            job.await();
            long w = System.nanoTime() - t1;
            if (w > t1 - t0 + 20_000) {
                backoff = Math.min(MAX_BACKOFF, 2 * backoff);
                skip = backoff;
            } else {
                backoff = Math.max(1, backoff / 2);
            }
            job.rethrow();
        } finally {
            BUSY.set(false);
        }
    }

    private static final int MAX_BACKOFF = 64;
    /** Calls the holder of {@link #BUSY} still runs alone, and the number it will skip after the next long wait. */
    private static int skip;
    private static int backoff = 1;

    private static void runAll(int parts, IntConsumer body) {
        for (int i = 0; i < parts; i++) {
            body.accept(i);
        }
    }

    /** Parts handed out one at a time to whichever thread asks next. */
    private static final class Job {
        private final int parts;
        private final IntConsumer body;
        private final AtomicInteger next = new AtomicInteger();
        private final AtomicInteger finished = new AtomicInteger();
        private volatile Throwable failure;

        Job(int parts, IntConsumer body) {
            this.parts = parts;
            this.body = body;
        }

        /** Runs parts until none is left; a part after a failure is skipped. */
        void work() {
            for (int i = next.getAndIncrement(); i < parts; i = next.getAndIncrement()) {
                try {
                    if (failure == null) {
                        body.accept(i);
                    }
                } catch (Throwable t) {
                    failure = t;
                } finally {
                    finished.incrementAndGet();
                }
            }
        }

        /** Waits until every part has finished: spinning briefly, then yielding the core. */
        void await() {
            for (int spins = 0; finished.get() < parts; spins++) {
                if (spins < 10_000) {
                    Thread.onSpinWait();
                } else {
                    Thread.yield();
                }
            }
        }

        void rethrow() {
            Throwable t = failure;
            if (t instanceof RuntimeException e) {
                throw e;
            }
            if (t instanceof Error e) {
                throw e;
            }
        }
    }

    /** {@code on} (or unset) or {@code off}. */
    static boolean policy(String value) {
        if (value == null || value.isBlank() || value.trim().equalsIgnoreCase("on")) {
            return true;
        }
        if (value.trim().equalsIgnoreCase("off")) {
            return false;
        }
        throw new IllegalArgumentException("ndgrad.threadPolicy: expected on or off, got '" + value + "'");
    }

    /** A thread count (at least 1) from the system property, else the environment variable, else {@code fallback}. */
    private static int setting(String property, String variable, int fallback) {
        String p = System.getProperty(property);
        String v = p != null ? p : System.getenv(variable);
        if (v == null || v.isBlank()) {
            return Math.max(1, fallback);
        }
        try {
            int n = Integer.parseInt(v.trim());
            if (n >= 1) {
                return n;
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        throw new IllegalArgumentException((p != null ? "system property " + property : "environment variable "
                + variable) + ": expected a thread count >= 1, got '" + v + "'");
    }

    /**
     * A daemon thread that runs the parts it can take of the newest job and parks in between. It does not spin: on 2
     * cores a spinning worker takes the core that the JIT compiler and the caller need; waking it costs about 25 µs.
     */
    private static final class Worker extends Thread {
        private final AtomicReference<Job> job = new AtomicReference<>();

        Worker(int index) {
            super("ndgrad-worker-" + index);
            setDaemon(true);
        }

        void submit(Job j) {
            job.set(j);
            LockSupport.unpark(this);
        }

        @Override
        public void run() {
            while (true) {
                Job j = job.getAndSet(null);
                if (j == null) {
                    LockSupport.park(this);
                } else {
                    j.work();
                }
            }
        }
    }
}
