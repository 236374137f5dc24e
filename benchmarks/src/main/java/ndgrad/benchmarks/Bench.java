package ndgrad.benchmarks;

import java.io.BufferedReader;
import java.io.File;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import ndgrad.autograd.Tensor;
import ndgrad.core.ArrayPool;
import ndgrad.core.Kernels;
import ndgrad.core.Rng;
import ndgrad.core.Scope;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Training-step benchmarks, side by side in one run: for each configuration (tiny, small, big) and each
 * implementation (the hand-written ND4J floor, ndgrad, SameDiff), {@code rounds} interleaved rounds, each in a
 * fresh JVM (4 s of warm-up, then 3 s of timed steps; peak RSS from /proc/self/status VmHWM). Reports the median
 * ms/step, the range over rounds, steps/s, the ratio to the floor and peak RSS; then the per-op overhead of an
 * ndgrad op against the bare ND4J op, ND4J's sgemm rate, the Java and native paths of {@link Kernels} across sizes
 * ({@link KernelBench}), and a memory run of ndgrad on big ({@code --memory-steps}, default 10,000; 0 skips it):
 * RSS after the first, middle and last step, pool misses and ND4J buffers created per step. Writes the Markdown to
 * {@code benchmarks/results/DATE.md}. OMP_NUM_THREADS is passed through (default 1).
 *
 * <p>Usage: {@code (cd benchmarks && mvn -B -q exec:java -Dexec.args="--rounds 3")}
 */
public final class Bench {
    private static final Logger LOG = LoggerFactory.getLogger(Bench.class);
    private static final List<String> IMPLEMENTATIONS = List.of("floor", "ndgrad", "samediff");
    /** The memory run's heap: ndgrad's arrays live off-heap, so the heap holds only small graph objects. */
    private static final String MEMORY_HEAP = "-Xmx128m";
    /** The heap of every other child. */
    private static final String HEAP = "-Xmx1g";

    private Bench() {
    }

    public static void main(String[] args) throws IOException, InterruptedException {
        if (args.length > 0 && args[0].equals("--child")) {
            child(args);
            return;
        }
        int rounds = 5;
        int memorySteps = 10_000;
        List<String> configs = Workload.NAMES;
        for (int i = 0; i + 1 < args.length; i += 2) {
            switch (args[i]) {
                case "--rounds" -> rounds = Integer.parseInt(args[i + 1]);
                case "--configs" -> configs = List.of(args[i + 1].split(","));
                case "--memory-steps" -> memorySteps = Integer.parseInt(args[i + 1]);
                default -> throw new IllegalArgumentException("unknown option " + args[i]
                        + " (expected --rounds N, --configs tiny,small,big, --memory-steps N)");
            }
        }
        if (memorySteps != 0 && memorySteps < 10) {
            throw new IllegalArgumentException("--memory-steps: expected 0 (skip) or at least 10 (RSS is read at "
                    + "every tenth of the run), got " + memorySteps);
        }
        StringBuilder md = new StringBuilder("# ndgrad benchmarks, " + LocalDate.now() + "\n\n"
                + "Training step = forward + backward + SGD update, float32, one fixed batch; median ms/step over "
                + rounds + " interleaved rounds, each implementation in its own JVM (4 s warm-up, 3 s timed); "
                + "OMP_NUM_THREADS="
                + threads() + "; " + Runtime.getRuntime().availableProcessors() + " cores.\n\n"
                + "| config | implementation | median ms/step | range over rounds | steps/s | ratio to floor | "
                + "GFLOP/s | peak RSS MB |\n|---|---|---:|---:|---:|---:|---:|---:|\n");
        for (String c : configs) {
            Workload w = Workload.named(c);
            Map<String, List<double[]>> results = new LinkedHashMap<>();
            IMPLEMENTATIONS.forEach(impl -> results.put(impl, new ArrayList<>()));
            for (int r = 0; r < rounds; r++) {
                for (String impl : IMPLEMENTATIONS) {
                    results.get(impl).add(runChild("step", impl, c));
                }
            }
            double floor = median(results.get("floor"), 0);
            for (String impl : IMPLEMENTATIONS) {
                List<double[]> rs = results.get(impl);
                double med = median(rs, 0);
                double lo = rs.stream().mapToDouble(v -> v[0]).min().orElseThrow();
                double hi = rs.stream().mapToDouble(v -> v[0]).max().orElseThrow();
                md.append(String.format("| %s | %s | %.3f | %.3f–%.3f | %.0f | %.2f | %.1f | %.0f |%n", c, impl, med,
                        lo, hi, 1000 / med, med / floor, w.flops() / med / 1e6, median(rs, 1)));
            }
            LOG.info("{} done", c);
        }
        double[] ops = runChild("ops", "-", "-");
        md.append(String.format("%nPer-op cost, 4x4 float32 add (µs): bare ND4J `a.add(b)` %.2f; ndgrad `a.add(b)` "
                + "without a graph %.2f, recording a graph %.2f. sgemm 1024x1024x1024 float32: %.1f GFLOP/s.%n",
                ops[0], ops[1], ops[2], ops[3]));
        md.append("\nThe two paths of `Kernels` (µs per call, float32, the fastest of 9 interleaved batches; the "
                + "thresholds: Java loops up to " + Kernels.ELEMENTWISE_LIMIT + " elements, and up to "
                + Kernels.BLAS_LIMIT + " multiply-adds where BLAS applies):\n\n").append(childText("kernels"));
        if (memorySteps > 0) {
            double[] m = runChild(MEMORY_HEAP, "memory", "ndgrad", "big", String.valueOf(memorySteps));
            md.append(String.format("%nMemory, ndgrad big, %d steps, heap %s (the arrays are off-heap): RSS in MB "
                    + "after step 1 and after each tenth of the run: ", memorySteps, MEMORY_HEAP));
            for (int i = 0; i < 11; i++) {
                md.append(String.format("%.0f%s", m[i], i < 10 ? ", " : ". "));
            }
            md.append(String.format("Per step after the first (mean): %.2f arrays allocated (pool misses), %.2f "
                    + "ND4J data buffers created, %.0f KB of Java heap allocated (graph objects, collected young)."
                    + "%n", m[11], m[12], m[13]));
        }
        Path file = Path.of("results", LocalDate.now() + ".md");
        Files.createDirectories(file.getParent());
        Files.writeString(file, md);
        LOG.info("\n{}\nwritten to {}", md, file.toAbsolutePath());
    }

    private static double median(List<double[]> rs, int k) {
        double[] v = rs.stream().mapToDouble(a -> a[k]).sorted().toArray();
        return v.length % 2 == 1 ? v[v.length / 2] : (v[v.length / 2 - 1] + v[v.length / 2]) / 2;
    }

    private static String threads() {
        String t = System.getenv("OMP_NUM_THREADS");
        return t == null ? "1" : t;
    }

    /** Runs one measurement in a fresh JVM and returns the Markdown table rows it prints. */
    private static String childText(String what) throws IOException, InterruptedException {
        StringBuilder rows = new StringBuilder();
        Process p = childProcess(HEAP, what, "-", "-").start();
        try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream()))) {
            for (String line = r.readLine(); line != null; line = r.readLine()) {
                if (line.startsWith("|")) {
                    rows.append(line).append('\n');
                }
            }
        }
        if (p.waitFor() != 0) {
            throw new IllegalStateException("benchmark child " + what + " failed");
        }
        return rows.toString();
    }

    private static ProcessBuilder childProcess(String heap, String what, String impl, String config, String... extra) {
        List<String> cmd = new ArrayList<>(List.of(ProcessHandle.current().info().command().orElse("java"), heap,
                "-cp", classPath(), Bench.class.getName(), "--child", what, impl, config));
        cmd.addAll(List.of(extra));
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
        pb.environment().put("OMP_NUM_THREADS", threads());
        return pb;
    }

    /** Runs one measurement in a fresh JVM and returns the numbers of its RESULT line. */
    private static double[] runChild(String what, String impl, String config) throws IOException,
            InterruptedException {
        return runChild(HEAP, what, impl, config);
    }

    /** As {@link #runChild(String, String, String)}, with the child's heap option and extra arguments. */
    private static double[] runChild(String heap, String what, String impl, String config, String... extra)
            throws IOException, InterruptedException {
        Process p = childProcess(heap, what, impl, config, extra).start();
        double[] result = null;
        try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream()))) {
            for (String line = r.readLine(); line != null; line = r.readLine()) {
                if (line.startsWith("RESULT ")) {
                    result = Arrays.stream(line.substring(7).trim().split(" ")).mapToDouble(Double::parseDouble)
                            .toArray();
                }
            }
        }
        if (p.waitFor() != 0 || result == null) {
            throw new IllegalStateException("benchmark child " + what + " " + impl + " " + config + " failed");
        }
        return result;
    }

    private static String classPath() {
        if (Bench.class.getClassLoader() instanceof URLClassLoader loader) {
            return Arrays.stream(loader.getURLs()).map(u -> new File(u.getFile()).getPath())
                    .collect(Collectors.joining(File.pathSeparator));
        }
        return System.getProperty("java.class.path");
    }

    /** In a child JVM: time a training step, or the per-op costs. Prints one RESULT line. */
    private static void child(String[] args) throws IOException {
        if (args[1].equals("kernels")) {
            System.out.print(KernelBench.table());
            return;
        }
        if (args[1].equals("ops")) {
            System.out.println("RESULT " + opCost(false) + " " + opCost(true) + " " + graphOpCost() + " " + sgemm());
            return;
        }
        Workload w = Workload.named(args[3]);
        if (args[1].equals("memory")) {
            memory(NdgradStep.step(w, 0.01), Integer.parseInt(args[4]));
            return;
        }
        Runnable step = switch (args[2]) {
            case "floor" -> Floor.step(w, 0.01);
            case "samediff" -> SameDiffStep.step(w, 0.01);
            default -> NdgradStep.step(w, 0.01);
        };
        runFor(step, WARMUP_NS, 0);
        long[] timed = runFor(step, TIMED_NS, 20);
        double ms = timed[1] / 1e6 / timed[0];
        System.out.println("RESULT " + ms + " " + procStatusMb("VmHWM:"));
    }

    /** Warm-up before timing: the JIT needs about 8,000 tiny steps (1.5 s, measured) to reach steady speed. */
    private static final long WARMUP_NS = 4_000_000_000L;
    private static final long TIMED_NS = 3_000_000_000L;

    /** Runs {@code step} for at least {@code ns} nanoseconds and {@code minSteps} steps; returns {steps, ns}. */
    private static long[] runFor(Runnable step, long ns, int minSteps) {
        long t0 = System.nanoTime();
        long steps = 0;
        long elapsed;
        do {
            step.run();
            steps++;
            elapsed = System.nanoTime() - t0;
        } while (elapsed < ns || steps < minSteps);
        return new long[] {steps, elapsed};
    }

    /**
     * Runs {@code steps} steps and prints RSS (MB) after step 1 and after each tenth of the run, then the mean pool
     * misses, ND4J data buffers created (each new DataBuffer, view or not, takes an id from ND4J's deallocator
     * service: the counter is read by taking one more) and KB of Java heap allocated, per step after the first.
     */
    private static void memory(Runnable step, int steps) throws IOException {
        com.sun.management.ThreadMXBean threads =
                (com.sun.management.ThreadMXBean) java.lang.management.ManagementFactory.getThreadMXBean();
        step.run();
        StringBuilder out = new StringBuilder("RESULT " + procStatusMb("VmRSS:"));
        long misses = ArrayPool.stats().misses();
        long buffers = Nd4j.getDeallocatorService().nextValue();
        long heap = threads.getCurrentThreadAllocatedBytes();
        for (int i = 2, tenth = 1; i <= steps; i++) {
            step.run();
            for (; tenth <= 10 && i >= (long) steps * tenth / 10; tenth++) {
                out.append(' ').append(procStatusMb("VmRSS:"));
            }
        }
        double perStep = steps - 1;
        long heapAfter = threads.getCurrentThreadAllocatedBytes();
        System.out.println(out + " " + (ArrayPool.stats().misses() - misses) / perStep + " "
                + (Nd4j.getDeallocatorService().nextValue() - buffers - 1) / perStep + " "
                + (heapAfter - heap) / 1024.0 / perStep);
    }

    /** µs per 4x4 float32 add: the bare ND4J op (result closed), or the ndgrad op without a graph. */
    private static double opCost(boolean ndgrad) {
        Tensor a = Tensor.of(new Rng(1).normal(DataType.FLOAT, 4, 4));
        Tensor b = Tensor.of(new Rng(2).normal(DataType.FLOAT, 4, 4));
        return perOp(() -> {
            if (ndgrad) {
                a.add(b);
            } else {
                a.data().add(b.data()).close();
            }
        });
    }

    /** µs per 4x4 add that records a graph node (one input requires grad). */
    private static double graphOpCost() {
        Tensor a = Tensor.of(new Rng(1).normal(DataType.FLOAT, 4, 4)).requiresGrad();
        Tensor b = Tensor.of(new Rng(2).normal(DataType.FLOAT, 4, 4));
        return perOp(() -> a.add(b));
    }

    /** µs per call of {@code op}: the fastest of 5 batches of 100,000 calls, a fresh scope every 1,000. */
    private static double perOp(Runnable op) {
        int n = 100_000;
        double best = Double.MAX_VALUE;
        for (int rep = 0; rep < 5; rep++) {
            long t0 = System.nanoTime();
            for (int k = 0; k < n / 1000; k++) {
                try (Scope s = Scope.open()) {
                    for (int i = 0; i < 1000; i++) {
                        op.run();
                    }
                }
            }
            best = Math.min(best, (System.nanoTime() - t0) / 1e3 / n);
        }
        return best;
    }

    private static double sgemm() {
        INDArray a = Nd4j.rand(DataType.FLOAT, 1024, 1024);
        INDArray b = Nd4j.rand(DataType.FLOAT, 1024, 1024);
        INDArray c = Nd4j.create(DataType.FLOAT, 1024, 1024);
        for (int i = 0; i < 3; i++) {
            Nd4j.gemm(a, b, c, false, false, 1.0, 0.0);
        }
        long t0 = System.nanoTime();
        int n = 10;
        for (int i = 0; i < n; i++) {
            Nd4j.gemm(a, b, c, false, false, 1.0, 0.0);
        }
        return 2.0 * 1024 * 1024 * 1024 * n / ((System.nanoTime() - t0) / 1e9) / 1e9;
    }

    /** A memory figure of /proc/self/status (VmHWM: peak RSS, VmRSS: RSS now) in MB. */
    private static double procStatusMb(String field) throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
            if (line.startsWith(field)) {
                return Double.parseDouble(line.replaceAll("[^0-9]", "")) / 1024;
            }
        }
        return Double.NaN;
    }
}
