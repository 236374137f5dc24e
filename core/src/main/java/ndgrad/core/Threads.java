package ndgrad.core;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;
import java.util.function.IntConsumer;
import org.bytedeco.openblas.global.openblas_nolapack;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.nativeblas.NativeOpsHolder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * ndgrad's thread and kernel policy, set in code before ndgrad first loads ND4J, so that the environment
 * ({@code OMP_NUM_THREADS} and the like) no longer decides it:
 * <ul>
 * <li>ND4J's OpenMP threads and OpenBLAS's threads: 1 ({@link #nativeCount()}). Their idle workers spin-wait, and on
 * a 2-core machine they took the core the JVM's own threads needed: a 784-512-512-10 step took 22–28 ms with ND4J's
 * default of 2 OpenMP threads against 7.5 ms with 1 (measured 2026-11-27).</li>
 * <li>The other cores go to ndgrad's own workers ({@link #count()} threads in all, the caller included), which
 * park when idle. A large matrix product is cut into that many row or column blocks, each one single-threaded BLAS
 * call (a 256x784 by 784x512 product: 1.7 ms on one core, 0.96 ms on two). The blocks depend only on the shapes
 * and the thread count, never on which thread runs them, so results are the same whether the workers were free or
 * another thread of the program had them.</li>
 * <li>OpenBLAS's kernels: the AVX-512 ones where the CPU has them and nobody chose others ({@link #blasCore()}):
 * the OpenBLAS that ND4J bundles would otherwise take its oldest kernels on recent AMD CPUs.</li>
 * <li>On Linux, with workers: the JIT's optimizing compiler (C2) at the lowest priority, nice 19
 * ({@link #JIT_NICE}), so that it compiles while a core is idle instead of taking it from a worker in the middle of
 * its part.</li>
 * </ul>
 * Overrides, read once: the system property {@code ndgrad.threads} or the environment variable
 * {@code NDGRAD_THREADS} (threads for products; 1 keeps everything on the calling thread),
 * {@code ndgrad.nativeThreads} or {@code NDGRAD_NATIVE_THREADS} (ND4J's and OpenBLAS's own threads), and
 * {@code ndgrad.blasCore} or {@code NDGRAD_BLAS_CORE} ({@code auto}, {@code none}, or a core name), and
 * {@code ndgrad.jitNice} or {@code NDGRAD_JIT_NICE} (the C2 compiler threads' nice value, 0 to 19; 0 leaves them).
 *
 * <p>Usage: {@code Threads.count()}; {@code java -Dndgrad.threads=1 ...}
 */
public final class Threads {
    private static final Logger LOG = LoggerFactory.getLogger(Threads.class);
    private static final int COUNT = setting("ndgrad.threads", "NDGRAD_THREADS",
            Runtime.getRuntime().availableProcessors());
    private static final int NATIVE = setting("ndgrad.nativeThreads", "NDGRAD_NATIVE_THREADS", 1);
    /**
     * The nice value given to the JIT's optimizing compiler threads (C2) when there are workers. In the first
     * seconds of a program the JIT compiles on the second core of a 2-core machine while the worker needs it: in the
     * MNIST job C2 took 1.6 s of CPU during 1.8 s of training, and at equal priority the scheduler preempted the
     * worker in the middle of its part for milliseconds while the caller waited or ran alone. The job took 1.70 s
     * (median; 1.64–2.07) with C2 at nice 19 against 1.83 s (1.75–2.07) at 0, 10 runs each, interleaved; with the
     * quick compiler (C1) at nice 19 too, 1.80 s (1.59–2.30). Measured 2026-11-28. C2 still compiles whenever a core
     * is free.
     */
    static final int JIT_NICE = setting("ndgrad.jitNice", "NDGRAD_JIT_NICE", 19, 0, 19);
    private static final Worker[] WORKERS = new Worker[COUNT - 1];
    /** Held by the one caller that has the workers; any other caller runs its parts itself. */
    private static final AtomicBoolean BUSY = new AtomicBoolean();

    private static final String BLAS_REQUESTED = BlasCore.choose();

    static {
        Nd4j.getEnvironment().setMaxMasterThreads(NATIVE);
        NativeOpsHolder.getInstance().getDeviceNativeOps().setOmpNumThreads(NATIVE);
        openblas_nolapack.blas_set_num_threads(NATIVE);
        for (int i = 0; i < WORKERS.length; i++) {
            WORKERS[i] = new Worker(i + 1);
            WORKERS[i].start();
        }
        LOG.debug("ndgrad threads: {} for products, {} for ND4J and OpenBLAS; OpenBLAS kernels: {} (requested: {})",
                COUNT, NATIVE, BlasCore.current(), BLAS_REQUESTED == null ? "none" : BLAS_REQUESTED);
    }

    private Threads() {
    }

    /** Threads that share a large product, the caller included (at least 1). */
    public static int count() {
        return COUNT;
    }

    /** Threads that ND4J's OpenMP loops and OpenBLAS use within one call. */
    public static int nativeCount() {
        return NATIVE;
    }

    /**
     * The OpenBLAS kernel set in use, as OpenBLAS names its tables ({@code SKYLAKEX}, {@code HASWELL}, ...;
     * {@code unknown} where that cannot be read). ndgrad chooses it before OpenBLAS loads ({@link BlasCore}).
     */
    public static String blasCore() {
        return BlasCore.current();
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
    static void parallel(int parts, IntConsumer body) {
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

    private static int setting(String property, String variable, int fallback) {
        return setting(property, variable, Math.max(1, fallback), 1, Integer.MAX_VALUE);
    }

    /** An integer in [min, max] from the system property, else the environment variable, else {@code fallback}. */
    private static int setting(String property, String variable, int fallback, int min, int max) {
        String p = System.getProperty(property);
        String v = p != null ? p : System.getenv(variable);
        if (v == null || v.isBlank()) {
            return fallback;
        }
        try {
            int n = Integer.parseInt(v.trim());
            if (n >= min && n <= max) {
                return n;
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        throw new IllegalArgumentException((p != null ? "system property " + property : "environment variable "
                + variable) + ": expected " + (max == Integer.MAX_VALUE ? "a thread count >= " + min
                : "an integer from " + min + " to " + max) + ", got '" + v + "'");
    }

    /**
     * Gives the C2 compiler threads the nice value {@link #JIT_NICE} with {@code renice}: Java has no call for a
     * thread's priority, and lowering one's own needs no privilege. Where there is no {@code /proc} or no
     * {@code renice}, nothing changes. Runs on the first worker, so that it never delays the caller; compiler
     * threads that the JVM starts later (on machines with many cores) keep their priority.
     */
    static void lowerJitPriority() {
        File[] tasks = new File("/proc/self/task").listFiles();
        if (tasks == null) {
            return;
        }
        List<String> command = new ArrayList<>(List.of("renice", "-n", String.valueOf(JIT_NICE), "-p"));
        for (File task : tasks) {
            try {
                if (Files.readString(task.toPath().resolve("comm")).startsWith("C2 CompilerThre")) {
                    command.add(task.getName());
                }
            } catch (IOException e) {
                // the thread has ended
            }
        }
        if (command.size() == 4) {
            return;
        }
        try {
            Process renice = new ProcessBuilder(command).redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
            LOG.debug("JIT compiler threads {} at nice {}: renice exited with {}", command.subList(4,
                    command.size()), JIT_NICE, renice.waitFor());
        } catch (IOException | RuntimeException e) {
            LOG.debug("JIT compiler threads left at their priority: {}", e.toString());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /**
     * A daemon thread that runs the parts it can take of the newest job and parks in between. It does not spin: on 2
     * cores a spinning worker took the core that the JIT compiler and the caller needed, and the MNIST job took
     * 3.3–3.4 s of training with a 100 µs spin against 2.8–3.0 s with none (measured 2026-11-27); waking it costs
     * about 25 µs.
     */
    private static final class Worker extends Thread {
        private final AtomicReference<Job> job = new AtomicReference<>();
        private final int index;

        Worker(int index) {
            super("ndgrad-worker-" + index);
            this.index = index;
            setDaemon(true);
        }

        void submit(Job j) {
            job.set(j);
            LockSupport.unpark(this);
        }

        @Override
        public void run() {
            if (index == 1 && JIT_NICE > 0) {
                lowerJitPriority();
            }
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
