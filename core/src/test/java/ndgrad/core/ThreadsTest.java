package ndgrad.core;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import ndgrad.core.kernels.Products;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import org.bytedeco.openblas.global.openblas_nolapack;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/** ndgrad's thread policy: set in code, and large products split in a way that never changes their results. */
class ThreadsTest {
    @Test
    void theLibrarySetsNd4jAndOpenBlasThreadsItself() {
        Threads.init();
        // surefire passes no OMP_NUM_THREADS; ND4J would default to the number of cores
        assertEquals(1, Threads.nativeCount());
        assertEquals(1, Nd4j.getEnvironment().maxMasterThreads());
        assertEquals(1, openblas_nolapack.blas_get_num_threads());
        assertEquals(Runtime.getRuntime().availableProcessors(), Threads.count());
    }

    @Test
    void aSplitProductIsTheSameWhetherTheWorkersRunItsPartsOrTheCallerDoes() {
        Rng rng = new Rng(3);
        for (DataType t : new DataType[] {DataType.FLOAT, DataType.DOUBLE}) {
            // 2^25 multiply-adds and more are split; rows or columns, transposed or not
            long[][] shapes = {{400, 600, 150, 0, 1}, {150, 600, 400, 1, 0}, {140, 800, 320, 0, 0},
                {601, 140, 500, 1, 1}};
            for (long[] s : shapes) {
                assertTrue(s[0] * s[1] * s[2] >= Products.SPLIT_LIMIT);
                boolean ta = s[3] == 1;
                boolean tb = s[4] == 1;
                INDArray a = ta ? rng.normal(t, s[2], s[0]) : rng.normal(t, s[0], s[2]);
                INDArray b = tb ? rng.normal(t, s[1], s[2]) : rng.normal(t, s[2], s[1]);
                INDArray free = Products.gemm(a, b, ta, tb);
                AtomicReference<INDArray> held = new AtomicReference<>();
                // inside a parallel body the workers are taken, so the nested product runs all its parts here
                Threads.parallel(Math.min(2, Threads.count()), part -> {
                    if (part == 0) {
                        held.set(Products.gemm(a, b, ta, tb));
                    }
                });
                assertArrayEquals(free.data().asDouble(), held.get().data().asDouble(), 0.0,
                        t + " " + java.util.Arrays.toString(s));
                INDArray reference = Nd4j.gemm(a.castTo(DataType.DOUBLE), b.castTo(DataType.DOUBLE), ta, tb);
                assertArrayEquals(reference.data().asDouble(), free.castTo(DataType.DOUBLE).data().asDouble(),
                        t == DataType.FLOAT ? 1e-3 : 1e-10, "the split product's values");
            }
        }
    }

    @Test
    void aFailingPartIsRethrownToTheCaller() {
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> Threads.parallel(Threads.count(),
                part -> {
                    if (part == Threads.count() - 1) {
                        throw new IllegalStateException("part " + part + " failed");
                    }
                }));
        assertEquals("part " + (Threads.count() - 1) + " failed", e.getMessage());
        int[] ran = new int[Threads.count()];
        Threads.parallel(Threads.count(), part -> ran[part]++);
        assertArrayEquals(java.util.stream.IntStream.generate(() -> 1).limit(ran.length).toArray(), ran,
                "the workers keep serving after a failure");
    }

    /**
     * A worker descheduled in the middle of its part (here: sleeping) keeps the caller waiting; the next calls then
     * run all their parts on the caller, and after a bounded number of them the workers serve again.
     */
    @Test
    void aWorkerThatKeptTheCallerWaitingIsLeftOutOfTheNextCalls() {
        assumeTrue(Threads.count() >= 2, "needs a worker: ndgrad.threads >= 2");
        Thread caller = Thread.currentThread();
        boolean slowed = false;
        for (int attempt = 0; attempt < 20 && !slowed; attempt++) {
            slowed = runOnWorker(caller, 200);
        }
        assertTrue(slowed, "a worker took a part in one of 20 calls");
        assertTrue(!runOnWorker(caller, 0), "the call after a 200 ms wait runs both parts on the caller");
        int calls = 1;
        while (!runOnWorker(caller, 0) && calls < 100) {
            calls++;
        }
        assertTrue(calls < 100, "the workers serve again after a bounded back-off");
    }

    /**
     * One call of two parts in which the caller's part waits up to 50 ms for a worker to take the other, which then
     * sleeps {@code sleepMs}; whether a worker ran it.
     */
    private static boolean runOnWorker(Thread caller, long sleepMs) {
        java.util.concurrent.atomic.AtomicBoolean onWorker = new java.util.concurrent.atomic.AtomicBoolean();
        Threads.parallel(2, part -> {
            if (Thread.currentThread() != caller) {
                onWorker.set(true);
                try {
                    Thread.sleep(sleepMs);
                } catch (InterruptedException e) {
                    throw new IllegalStateException(e);
                }
            } else if (part == 0) {
                long end = System.nanoTime() + 50_000_000L;
                while (!onWorker.get() && System.nanoTime() < end) {
                    Thread.onSpinWait();
                }
            }
        });
        return onWorker.get();
    }

    /** The library touches no thread it did not start: the JIT's compiler threads keep their priority. */
    @Test
    void theCompilerThreadsKeepTheirPriority() throws Exception {
        assumeTrue(Files.isDirectory(TASKS), "needs Linux's /proc");
        Threads.init();
        Threads.parallel(Math.max(2, Threads.count()), part -> { });
        Thread.sleep(200);
        List<Integer> nice = compilerNice();
        assertTrue(!nice.isEmpty() && nice.stream().allMatch(n -> n == 0), "C2 compiler threads' nice: " + nice);
    }

    private static final Path TASKS = Path.of("/proc/self/task");

    /** The nice value of each C2 compiler thread (field 19 of its /proc stat line). */
    private static List<Integer> compilerNice() throws IOException {
        List<Integer> nice = new ArrayList<>();
        try (var tasks = Files.list(TASKS)) {
            for (Path task : tasks.toList()) {
                try {
                    if (Files.readString(task.resolve("comm")).startsWith("C2 CompilerThre")) {
                        String stat = Files.readString(task.resolve("stat"));
                        nice.add(Integer.parseInt(stat.substring(stat.lastIndexOf(')') + 2).split(" ")[16]));
                    }
                } catch (NoSuchFileException e) {
                    // a thread that ended meanwhile
                }
            }
        }
        return nice;
    }

    @Test
    void thePolicyIsOnOrOff() {
        assertTrue(Threads.policy(null));
        assertTrue(Threads.policy(" ON "));
        assertFalse(Threads.policy("off"));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Threads.policy("maybe"));
        assertEquals("ndgrad.threadPolicy: expected on or off, got 'maybe'", e.getMessage());
    }

    /**
     * In fresh JVMs without thread or kernel variables: OpenBLAS chooses its kernels itself (on an AVX-512 CPU, its
     * AVX-512 ones) and a variable the user set decides instead; the policy sets OpenBLAS to 1 thread and starts
     * workers, and with {@code ndgrad.threadPolicy=off} it leaves OpenBLAS's own default (one thread per core) and
     * starts none.
     */
    @Test
    void openBlasChoosesItsKernelsAndThePolicyCanBeSwitchedOff() throws Exception {
        int cores = Runtime.getRuntime().availableProcessors();
        boolean avx512 = Files.readAllLines(Path.of("/proc/cpuinfo")).stream().filter(l -> l.startsWith("flags"))
                .findFirst().map(l -> List.of(l.split("\\s+")).containsAll(List.of("avx512f", "avx512bw",
                        "avx512vl"))).orElse(false);
        List<String> on = child(java.util.Map.of());
        if (avx512) {
            assertTrue(List.of("SKYLAKEX", "COOPERLAKE", "SAPPHIRERAPIDS").contains(on.get(0)), on.toString());
        } else {
            assertFalse(on.get(0).equals("unknown"), on.toString());
        }
        assertEquals(List.of("1", String.valueOf(cores), String.valueOf(cores - 1)), on.subList(1, 4));
        assertEquals("HASWELL", child(java.util.Map.of("OPENBLAS_CORETYPE", "Haswell")).get(0), "the user chose");
        List<String> off = child(java.util.Map.of("NDGRAD_THREADPOLICY", "off"));
        assertEquals(List.of(on.get(0), String.valueOf(cores), "1", "0"), off);
    }

    /**
     * In a fresh JVM without thread or kernel variables, then {@code env} added: OpenBLAS's kernels, its threads,
     * ndgrad's product threads and the ndgrad workers running, after one product.
     */
    private static List<String> child(java.util.Map<String, String> env) throws Exception {
        ProcessBuilder pb = new ProcessBuilder(ProcessHandle.current().info().command().orElse("java"), "-cp",
                System.getProperty("java.class.path"), Child.class.getName()).redirectErrorStream(true);
        for (String v : List.of("OPENBLAS_CORETYPE", "OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "NDGRAD_THREADS",
                "NDGRAD_NATIVE_THREADS", "NDGRAD_THREADPOLICY")) {
            pb.environment().remove(v);
        }
        pb.environment().putAll(env);
        Process p = pb.start();
        List<String> lines = new String(p.getInputStream().readAllBytes()).lines().toList();
        assertEquals(0, p.waitFor(), String.join("\n", lines));
        return List.of(lines.stream().filter(l -> l.startsWith("CHILD ")).findFirst().orElseThrow(
                () -> new AssertionError(String.join("\n", lines))).substring(6).split(" "));
    }

    /** Prints what {@link #child} reads, after one product through ndgrad. */
    public static final class Child {
        public static void main(String[] args) {
            Products.gemm(Nd4j.create(DataType.FLOAT, 2, 2), Nd4j.create(DataType.FLOAT, 2, 2), false, false);
            long workers = Thread.getAllStackTraces().keySet().stream()
                    .filter(t -> t.getName().startsWith("ndgrad-worker-")).count();
            System.out.println("CHILD " + Threads.blasCore() + " " + Threads.nativeCount() + " " + Threads.count()
                    + " " + workers);
        }
    }
}
