package ndgrad.benchmarks;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.StringJoiner;
import ndgrad.autograd.Tensor;
import ndgrad.core.Rng;
import ndgrad.core.Threads;
import ndgrad.core.kernels.Indexing;
import ndgrad.core.kernels.Kernels;
import ndgrad.core.kernels.Products;
import ndgrad.core.kernels.Reduce;
import ndgrad.core.memory.ArrayPool;
import ndgrad.core.memory.Scope;
import ndgrad.examples.ChildJvm;
import ndgrad.examples.MemoryCheck;
import ndgrad.examples.Mnist;
import ndgrad.examples.TrainMnist;
import ndgrad.nn.Activation;
import ndgrad.nn.Linear;
import ndgrad.nn.Sequential;
import ndgrad.optim.Adam;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * ndgrad, SameDiff, PyTorch and DJL side by side in one run, each measurement in a fresh process, rounds interleaved:
 * <ul>
 * <li>a training step (forward, backward, plain SGD, float32, one fixed batch) of tiny (2-16-16-1 tanh MSE, batch
 * 1), small (784-128-64-10 relu cross-entropy, batch 32) and big (784-512-512-10 relu cross-entropy, batch 256),
 * written as users write it (no Scope); JVMs warm up for 4 s and time 3 s, PyTorch warms up 1 s and times 3 s,
 * each the median of 10 batches;</li>
 * <li>the MNIST main job ({@code ndgrad train mnist --dropout 0 --schedule none}: 784-256-128-10 relu, Adam 1e-3,
 * batch 64 drawn from the shuffled 8,000 bundled digits, 15 epochs, test accuracy after each), timed from the first
 * step to the last evaluation, as {@code ../shared/peers/torch_mnist.py} times it. A second ndgrad row times the
 * same job run a second time in one JVM, after the JIT has compiled the first: the gap between the two rows is what
 * the JVM's warm-up costs the job.</li>
 * </ul>
 * PyTorch runs when Debian's {@code /usr/bin/python3} imports torch (packages python3-torch and
 * libopenblas0-pthread), with OpenBLAS's library directory on its library path, in four thread settings: torch's
 * intra-op threads ({@code torch.set_num_threads}) times OpenBLAS's ({@code OPENBLAS_NUM_THREADS}), each 1 or 2.
 * ndgrad runs with its own thread policy ({@link Threads}) and no thread variable in its environment. Both sides'
 * OpenBLAS kernels are stated; when the environment sets {@code OPENBLAS_CORETYPE} (this project's machines set
 * Haswell), small, big and mnist run again without it, for ndgrad and PyTorch (three thread settings), as on a
 * machine where nobody set it. DJL (0.36, libtorch 2.7.1) runs every configuration through {@code djl/run.sh}, a
 * Maven project of its own (not part of the build), when it builds here.
 *
 * <p>Then: the per-op overhead of an ndgrad op against the bare ND4J op, sgemm's rate, the Java and native paths of
 * {@link Kernels} across sizes ({@link KernelBench}), the PyTorch-style loop of {@link MemoryCheck} with and without
 * scopes (and with {@code OMP_NUM_THREADS=1} in its environment), and a memory run of big ({@code --memory-steps},
 * default 10,000; 0 skips it). Each step and job measurement is bracketed by a {@link CoreProbe}, whose figures
 * the table gives beside each round's. Writes the Markdown to {@code benchmarks/results/DATE.md}.
 *
 * <p>Usage: {@code (cd benchmarks && mvn -B -q exec:java -Dexec.args="--rounds 5")}
 */
public final class Bench {
    private static final Logger LOG = LoggerFactory.getLogger(Bench.class);
    /** The memory run's heap: ndgrad's arrays live off-heap, so the heap holds only small graph objects. */
    private static final String MEMORY_HEAP = "-Xmx128m";
    private static final String PYTHON = "/usr/bin/python3";
    private static final Path TORCH_SCRIPT = Path.of("src/main/python/torch_bench.py");
    private static final Path MNIST_DATA = Path.of("../examples/src/main/resources/mnist");
    /** Where Debian's libopenblas0-pthread puts OpenBLAS; without it torch falls back to the reference BLAS. */
    private static final String OPENBLAS_DIR = "/usr/lib/x86_64-linux-gnu/openblas-pthread";
    /** PyTorch's thread settings: {torch intra-op threads, OpenBLAS threads}. */
    private static final int[][] TORCH_THREADS = {{1, 1}, {2, 1}, {1, 2}, {2, 2}};
    /**
     * The DJL peer (DJL 0.36 with libtorch 2.7.1, a Maven project of its own, built offline from the local repository
     * or once from Maven Central): {@code djl/run.sh CONFIG} prints its RESULT line.
     */
    private static final Path DJL_SCRIPT = Path.of("djl/run.sh");
    /** The variable with which OpenBLAS is told its kernels; this project's machines set it. */
    private static final String CORETYPE = "OPENBLAS_CORETYPE";

    private Bench() {
    }

    /** One implementation of a workload: a name, and how to run one measurement of it. */
    private record Runner(String name, Measurement measure) {
    }

    @FunctionalInterface
    private interface Measurement {
        /** {value, peak RSS in MB}: ms per step, or seconds of the whole job. */
        double[] run(String config) throws IOException, InterruptedException;
    }

    public static void main(String[] args) throws IOException, InterruptedException {
        if (args.length > 0 && args[0].equals("--child")) {
            child(args);
            return;
        }
        int rounds = 5;
        int memorySteps = 10_000;
        List<String> configs = List.of("tiny", "small", "big", "cnn", "lstm", "eval-cnn", "mnist");
        for (int i = 0; i + 1 < args.length; i += 2) {
            switch (args[i]) {
                case "--rounds" -> rounds = Integer.parseInt(args[i + 1]);
                case "--configs" -> configs = List.of(args[i + 1].split(","));
                case "--memory-steps" -> memorySteps = Integer.parseInt(args[i + 1]);
                default -> throw new IllegalArgumentException("unknown option " + args[i]
                        + " (expected --rounds N, --configs tiny,small,big,cnn,lstm,eval-cnn,mnist, --memory-steps N)");
            }
        }
        if (memorySteps != 0 && memorySteps < 10) {
            throw new IllegalArgumentException("--memory-steps: expected 0 (skip) or at least 10 (RSS is read at "
                    + "every tenth of the run), got " + memorySteps);
        }
        boolean torch = torchAvailable();
        boolean djl = djlAvailable();
        String header = "| config | implementation | median | range over rounds | max/min | max/min where probes "
                + "agree | ratio to PyTorch 1 thread | ratio to PyTorch's best | ratio to DJL | peak RSS MB | each round "
                + "(core-to-core ns before/after) |\n|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---|\n";
        StringBuilder md = new StringBuilder("# ndgrad benchmarks, " + LocalDate.now() + "\n\n" + settings(torch,
                djl) + "\n\n" + header);
        for (String c : configs) {
            List<Runner> rs = runners(c, torch, Map.of(), TORCH_THREADS);
            if (djl) {
                rs.add(new Runner("djl 1 thread", Bench::djl));
            }
            measure(md, c, rs, rounds);
        }
        String coreType = System.getenv(CORETYPE);
        List<String> gemmConfigs = configs.stream().filter(c -> !c.equals("tiny")).toList();
        if (coreType != null && !gemmConfigs.isEmpty()) {
            Map<String, String> unset = Collections.singletonMap(CORETYPE, null);
            md.append(String.format("%nAs on a machine without %s (this environment sets it to %s): ndgrad's "
                    + "OpenBLAS then loads %s, PyTorch's %s.%n%n%s", CORETYPE, coreType, ndgradCore(unset),
                    torch ? torchCore(unset) : "-", header));
            for (String c : gemmConfigs) {
                measure(md, c, runners(c, torch, unset, Arrays.copyOf(TORCH_THREADS, 3)), rounds);
            }
        }
        double[] lookup = ChildJvm.numbers(ChildJvm.run(List.of(), Bench.class, "--child", "lookup"), "RESULT");
        md.append(String.format("%nAn embedding lookup, 320 rows of a 20x16 float32 table that requires grad, forward "
                + "and backward (`table.indexSelect(0, ids).sum().backward()`), µs: %.2f; the same lookup as a "
                + "one-hot (320, 20) matrix times the table: %.2f. Their kernels, µs per call: `Indexing.indexSelect` "
                + "%.2f and the backward's scatter-add `Indexing.indexAdd` %.2f; the one-hot product %.2f and its "
                + "backward's (20, 320)·(320, 16) product %.2f; the sum over the 320x16 rows that both take %.2f.%n",
                lookup[0], lookup[1], lookup[2], lookup[3], lookup[4], lookup[5], lookup[6]));
        double[] ops = ChildJvm.numbers(ChildJvm.run(List.of(), Bench.class, "--child", "ops"), "RESULT");
        md.append(String.format("%nPer-op cost, 4x4 float32 add (µs): bare ND4J `a.add(b)` %.2f; ndgrad `a.add(b)` "
                + "without a graph %.2f, recording a graph %.2f. sgemm 1024x1024x1024 float32, one call on one "
                + "thread: %.1f GFLOP/s.%n", ops[0], ops[1], ops[2], ops[3]));
        md.append("\nThe two paths of `Kernels` (µs per call, float32, the fastest of 9 interleaved batches; the "
                + "thresholds: Java loops up to " + Kernels.ELEMENTWISE_LIMIT + " elements, and up to "
                + Kernels.BLAS_LIMIT + " multiply-adds where BLAS applies):\n\n");
        ChildJvm.run(List.of(), Bench.class, "--child", "kernels").stream().filter(l -> l.startsWith("|"))
                .forEach(l -> md.append(l).append('\n'));
        loops(md);
        if (memorySteps > 0) {
            double[] m = ChildJvm.numbers(ChildJvm.run(List.of(MEMORY_HEAP), Bench.class, "--child", "memory",
                    String.valueOf(memorySteps)), "RESULT");
            md.append(String.format("%nMemory, ndgrad big with no Scope, %d steps, heap %s (the arrays are off-heap): "
                    + "RSS in MB after step 1 and after each tenth of the run: ", memorySteps, MEMORY_HEAP));
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

    /**
     * Runs each of {@code runners} on {@code c}, rounds interleaved, and appends the table rows; each measurement
     * is bracketed by {@link CoreProbe}s.
     */
    private static void measure(StringBuilder md, String c, List<Runner> runners, int rounds) throws IOException,
            InterruptedException {
        Map<String, List<double[]>> results = new LinkedHashMap<>();
        runners.forEach(r -> results.put(r.name(), new ArrayList<>()));
        for (int r = 0; r < rounds; r++) {
            for (Runner runner : runners) {
                double before = CoreProbe.roundTripNs();
                double[] m = runner.measure().run(c);
                results.get(runner.name()).add(new double[] {m[0], m[1], before, CoreProbe.roundTripNs()});
            }
        }
        table(md, c, results);
        LOG.info("{} done", c);
    }

    /** The OpenBLAS kernels ndgrad's child JVMs load with {@code env}. */
    private static String ndgradCore(Map<String, String> env) throws IOException, InterruptedException {
        return ChildJvm.run(env, List.of(), Bench.class, "--child", "core").stream().filter(l -> l.startsWith("CORE "))
                .map(l -> l.substring(5)).findFirst().orElse("?");
    }

    /** The OpenBLAS kernels PyTorch loads with {@code env}, as OpenBLAS reports them (OPENBLAS_VERBOSE=2). */
    private static String torchCore(Map<String, String> env) throws IOException, InterruptedException {
        Map<String, String> verbose = new HashMap<>(env);
        verbose.put("OPENBLAS_VERBOSE", "2");
        Process p = python(verbose, "-c", "import torch; torch.ones(8, 8) @ torch.ones(8, 8)");
        try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream()))) {
            String core = r.lines().filter(l -> l.startsWith("Core: ")).map(l -> l.substring(6).trim()
                    .toUpperCase(java.util.Locale.ROOT)).findFirst().orElse("?");
            p.waitFor();
            return core;
        }
    }

    /** The settings that decide the figures, stated once at the top of the results. */
    private static String settings(boolean torch, boolean djl) throws IOException, InterruptedException {
        return "One run, rounds interleaved, each measurement in a fresh process; " + Runtime.getRuntime()
                .availableProcessors() + " cores. ndgrad and SameDiff: Java " + System.getProperty("java.version")
                + ", default heap, no thread variable in the environment; ndgrad's thread policy: "
                + Threads.count() + " threads for large products and updates, " + Threads.nativeCount()
                + " for ND4J's OpenMP and OpenBLAS (SameDiff's JVM applies the same policy: its workload is made "
                + "with ndgrad's seeded Rng). OpenBLAS kernels (" + CORETYPE + " in this environment: "
                + Objects.requireNonNullElse(System.getenv(CORETYPE), "not set") + "): ndgrad "
                + Threads.blasCore() + (torch ? ", PyTorch " + torchCore(Map.of()) : "") + ". JVMs warm up 4 s "
                + "and time 3 s per step measurement, the median of " + TIMED_BATCHES + " batches (PyTorch the "
                + "same). The last column gives each round's figure in order, with the round trip of a cache line "
                + "between two threads of the benchmark's JVM just before and just after it (CoreProbe): about 65 "
                + "ns while this machine's two virtual CPUs share a cache, 230–330 while they do not (figures that "
                + "use both cores are slower then), about 28 while they are two hardware threads of one core. "
                + (torch ? "PyTorch " + torchVersion() + " eager (Debian's python3-torch, "
                + "OpenBLAS 0.3 from libopenblas0-pthread), warm-up 1 s and 3 s timed; thread settings as 'torch "
                + "T, BLAS B': torch.set_num_threads(T) and OPENBLAS_NUM_THREADS=B. 'PyTorch 1 thread' is torch 1, "
                + "BLAS 1; 'PyTorch's best' is its fastest setting in this run."
                : "PyTorch: not measured (Debian's python3 cannot import torch here).") + (djl ? " DJL 0.36 with its "
                + "PyTorch engine (libtorch 2.7.1, Maven Central's pytorch-native-cpu), offline, as `djl/run.sh` runs "
                + "it: 1 intra-op and 1 inter-op thread (2 threads spin-wait on this machine), glibc malloc without "
                + "trimming (DJL_MALLOC=tuned), warm-up 4 s and 3 s timed; its Adam applies the bias correction to "
                + "the learning rate." : " DJL: not measured (`djl/run.sh` did not run here).") + " Step configurations "
                + "give ms per step; mnist gives seconds of the whole job (15 epochs of training and evaluation).";
    }

    /**
     * Who runs config {@code c} with {@code env} added to the environment: ndgrad, SameDiff (steps, and only with
     * the environment as it is) and PyTorch in each of {@code torchThreads}.
     */
    private static List<Runner> runners(String c, boolean torch, Map<String, String> env, int[][] torchThreads) {
        List<Runner> rs = new ArrayList<>();
        if (c.equals("mnist")) {
            rs.add(new Runner("ndgrad", config -> ChildJvm.numbers(ChildJvm.run(env, List.of(), Bench.class,
                    "--child", "mnist", "1"), "RESULT")));
            rs.add(new Runner("ndgrad, second job in one JVM (JIT warm)", config -> ChildJvm.numbers(ChildJvm.run(
                    env, List.of(), Bench.class, "--child", "mnist", "2"), "RESULT")));
        } else {
            rs.add(new Runner("ndgrad", config -> ChildJvm.numbers(ChildJvm.run(env, List.of(), Bench.class,
                    "--child", "step", "ndgrad", config), "RESULT")));
        }
        if (List.of("tiny", "small", "big").contains(c) && env.isEmpty()) {
            rs.add(new Runner("samediff", config -> ChildJvm.numbers(ChildJvm.run(List.of(), Bench.class,
                    "--child", "step", "samediff", config), "RESULT")));
        }
        for (int[] t : torch ? torchThreads : new int[0][]) {
            rs.add(new Runner("pytorch torch " + t[0] + ", BLAS " + t[1], config -> torch(config, t[0], t[1], env)));
        }
        return rs;
    }

    /** Median, range, spread and ratios per implementation, as Markdown rows. */
    private static void table(StringBuilder md, String c, Map<String, List<double[]>> results) {
        String unit = c.equals("mnist") ? " s" : " ms";
        double oneThread = results.containsKey("pytorch torch 1, BLAS 1")
                ? median(results.get("pytorch torch 1, BLAS 1"), 0) : Double.NaN;
        double best = results.entrySet().stream().filter(e -> e.getKey().startsWith("pytorch"))
                .mapToDouble(e -> median(e.getValue(), 0)).min().orElse(Double.NaN);
        double djl = results.containsKey("djl 1 thread") ? median(results.get("djl 1 thread"), 0) : Double.NaN;
        results.forEach((impl, rs) -> {
            double med = median(rs, 0);
            double lo = rs.stream().mapToDouble(v -> v[0]).min().orElseThrow();
            double hi = rs.stream().mapToDouble(v -> v[0]).max().orElseThrow();
            StringJoiner byRound = new StringJoiner(", ");
            for (double[] r : rs) {
                byRound.add(String.format("%.3f (%.0f/%.0f)", r[0], r[2], r[3]));
            }
            md.append(String.format("| %s | %s | %.3f%s | %.3f–%.3f | %.2f | %s | %.2f | %.2f | %.2f | %.0f | %s |%n",
                    c, impl, med, unit, lo, hi, hi / lo, agreeing(rs), med / oneThread, med / best, med / djl,
                    median(rs, 1), byRound));
        });
    }

    /** A core-to-core round trip below this many ns: the two virtual CPUs shared a cache (about 65 ns), else not. */
    private static final double SHARED_NS = 150;

    /**
     * Issue 32's stability figure: max/min over the rounds whose probes before and after agree on the placement,
     * within the larger of the two groups (the cores sharing a cache, or apart), with its size and placement; "–"
     * when no placement held for two rounds.
     */
    static String agreeing(List<double[]> rounds) {
        String best = "–";
        int most = 1;
        for (boolean shared : new boolean[] {true, false}) {
            double[] v = rounds.stream().filter(r -> (r[2] < SHARED_NS) == shared && (r[3] < SHARED_NS) == shared)
                    .mapToDouble(r -> r[0]).toArray();
            if (v.length > most) {
                most = v.length;
                best = String.format("%.2f (%d %s)", Arrays.stream(v).max().orElseThrow() / Arrays.stream(v).min()
                        .orElseThrow(), v.length, shared ? "shared" : "apart");
            }
        }
        return best;
    }

    /**
     * The PyTorch-style loop of {@link MemoryCheck}: time and RSS with and without scopes, and the env check, each
     * in {@link #LOOP_ROUNDS} rounds whose order rotates (the first process of a series ran slower in most earlier
     * runs, and the env check used to come last): the median ms per step and median peak RSS, with their ranges,
     * and the series of the round with the median peak. A process's RSS here settles at about 350 MB or at about
     * 400–440 MB, scoped or not (the JVM's heap sizing), so a single round decides little.
     */
    private static void loops(StringBuilder md) throws IOException, InterruptedException {
        md.append("\nThe PyTorch-style loop of `MemoryCheck` (64-256-1 tanh MLP, Adam, a fresh batch of 32 each step, "
                + "`total += loss.item()`), default heap, " + LOOP_ROUNDS + " rounds in rotating order: medians "
                + "over the rounds, and the RSS in MB at each tenth of the round with the median peak:\n\n"
                + "| steps | loop | ms/step | range over rounds | RSS MB at each tenth | peak RSS MB | range over "
                + "rounds | time ratio | peak RSS ratio |\n|---:|---|---:|---:|---|---:|---:|---:|---:|\n");
        String[] names = {"scoped", "unscoped", "scoped, OMP_NUM_THREADS=1 in its environment"};
        for (int steps : new int[] {20_000, 100_000}) {
            List<List<MemoryCheck.Result>> rs = List.of(new ArrayList<>(), new ArrayList<>(), new ArrayList<>());
            for (int round = 0; round < LOOP_ROUNDS; round++) {
                for (int k = 0; k < names.length; k++) {
                    int v = (round + k) % names.length;
                    rs.get(v).add(MemoryCheck.child(v == 2 ? Map.of("OMP_NUM_THREADS", "1") : Map.of(),
                            v == 1 ? "unscoped" : "scoped", steps));
                }
            }
            double scopedMs = middle(rs.get(0), Comparator.comparingDouble(MemoryCheck.Result::msPerStep))
                    .msPerStep();
            long scopedPeak = middle(rs.get(0), Comparator.comparingLong(MemoryCheck.Result::peakMb)).peakMb();
            for (int v = 0; v < names.length; v++) {
                List<MemoryCheck.Result> byMs = sorted(rs.get(v), Comparator.comparingDouble(
                        MemoryCheck.Result::msPerStep));
                List<MemoryCheck.Result> byPeak = sorted(rs.get(v), Comparator.comparingLong(
                        MemoryCheck.Result::peakMb));
                MemoryCheck.Result ms = byMs.get(byMs.size() / 2);
                MemoryCheck.Result peak = byPeak.get(byPeak.size() / 2);
                md.append(String.format("| %d | %s | %.3f | %.3f–%.3f | %s | %d | %d–%d | %.2f | %.2f |%n", steps,
                        names[v], ms.msPerStep(), byMs.get(0).msPerStep(), byMs.get(byMs.size() - 1).msPerStep(),
                        Arrays.toString(peak.rssMb()), peak.peakMb(), byPeak.get(0).peakMb(),
                        byPeak.get(byPeak.size() - 1).peakMb(), ms.msPerStep() / scopedMs,
                        peak.peakMb() / (double) scopedPeak));
            }
        }
    }

    /** Rounds of each {@link #loops} variant (odd, so that a median is one round's). */
    private static final int LOOP_ROUNDS = 5;

    private static <T> List<T> sorted(List<T> rs, Comparator<T> by) {
        return rs.stream().sorted(by).toList();
    }

    /** The median round by {@code by}. */
    private static <T> T middle(List<T> rs, Comparator<T> by) {
        return sorted(rs, by).get(rs.size() / 2);
    }

    /** The median of entry {@code k} of the rows (the mean of the middle two for an even count). */
    static double median(List<double[]> rs, int k) {
        double[] v = rs.stream().mapToDouble(a -> a[k]).sorted().toArray();
        return v.length % 2 == 1 ? v[v.length / 2] : (v[v.length / 2 - 1] + v[v.length / 2]) / 2;
    }

    /** Whether the DJL peer builds and runs here: one short tiny step measurement. */
    private static boolean djlAvailable() throws InterruptedException {
        try {
            djl("tiny", "0", "0.1");
            return true;
        } catch (IOException | IllegalStateException e) {
            LOG.warn("DJL not measured: {}", e.getMessage());
            return false;
        }
    }

    /** One DJL measurement of {@code config} (as ndgrad's: warm-up 4 s, 3 s timed): {value, peak RSS in MB}. */
    private static double[] djl(String config) throws IOException, InterruptedException {
        return config.equals("mnist") ? djl("mnist", MNIST_DATA.toAbsolutePath().toString(), "42", "none", "0")
                : djl(config, "4", "3");
    }

    /** Runs {@code djl/run.sh} with {@code args}: {the first figure of its RESULT line, peak RSS in MB}. */
    private static double[] djl(String... args) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of("bash", DJL_SCRIPT.toString()));
        cmd.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
        pb.environment().put("DJL_MALLOC", "tuned");
        Process p = pb.start();
        List<String> lines = new ArrayList<>();
        try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream()))) {
            for (String line = r.readLine(); line != null; line = r.readLine()) {
                lines.add(line);
            }
        }
        if (p.waitFor() != 0) {
            throw new IllegalStateException("DJL " + args[0] + " failed: " + String.join("\n", lines));
        }
        double[] v = ChildJvm.numbers(lines, "RESULT");
        // mnist: the seconds from the first step to the last evaluation, as ndgrad's and PyTorch's rows
        return args[0].equals("mnist") ? new double[] {v[3], v[2]} : new double[] {v[0], v[1]};
    }

    /** Whether Debian's python3 imports torch here. */
    private static boolean torchAvailable() throws InterruptedException {
        try {
            return python("-c", "import torch").waitFor() == 0 && Files.isRegularFile(TORCH_SCRIPT);
        } catch (IOException e) {
            return false;
        }
    }

    private static String torchVersion() {
        try {
            Process p = python("-c", "import torch; print(torch.__version__)");
            try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream()))) {
                String v = r.readLine();
                return p.waitFor() == 0 && v != null ? v.trim() : "?";
            }
        } catch (IOException | InterruptedException e) {
            return "?";
        }
    }

    /** One PyTorch measurement of {@code config} with the given thread settings and {@code env} added. */
    private static double[] torch(String config, int torchThreads, int blasThreads, Map<String, String> env)
            throws IOException, InterruptedException {
        Map<String, String> e = new HashMap<>(env);
        e.put("OPENBLAS_NUM_THREADS", String.valueOf(blasThreads));
        Process p = config.equals("mnist")
                ? python(e, TORCH_SCRIPT.toString(), "mnist", MNIST_DATA.toString(), String.valueOf(torchThreads))
                : python(e, TORCH_SCRIPT.toString(), "step", config, String.valueOf(torchThreads), "1", "3");
        List<String> lines = new ArrayList<>();
        try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream()))) {
            for (String line = r.readLine(); line != null; line = r.readLine()) {
                lines.add(line);
            }
        }
        if (p.waitFor() != 0) {
            throw new IllegalStateException("PyTorch " + config + " failed: " + String.join("\n", lines));
        }
        double[] v = ChildJvm.numbers(lines, "RESULT");
        return new double[] {v[0], v[v.length - 1]};
    }

    private static Process python(String... args) throws IOException {
        return python(Map.of(), args);
    }

    /** Debian's python3 with OpenBLAS's directory on its library path and {@code env} added (null: removed). */
    private static Process python(Map<String, String> env, String... args) throws IOException {
        List<String> cmd = new ArrayList<>(List.of(PYTHON));
        cmd.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
        pb.environment().put("LD_LIBRARY_PATH", OPENBLAS_DIR);
        ChildJvm.edit(pb.environment(), env);
        return pb.start();
    }

    /** In a child JVM: time a training step, the MNIST job (the last of N jobs in one JVM) or the per-op costs. */
    private static void child(String[] args) throws IOException {
        switch (args[1]) {
            case "kernels" -> System.out.print(KernelBench.table());
            case "ops" -> System.out.println("RESULT " + opCost(false) + " " + opCost(true) + " " + graphOpCost()
                    + " " + sgemm());
            case "memory" -> memory(NdgradStep.step(Workload.named("big"), 0.01), Integer.parseInt(args[2]));
            case "mnist" -> {
                double seconds = 0;
                for (int job = 0; job < Integer.parseInt(args[2]); job++) {
                    seconds = mnist();
                }
                System.out.println("RESULT " + seconds + " " + procStatusMb("VmHWM:"));
            }
            case "lookup" -> {
                double[] both = lookups();
                System.out.println("RESULT " + both[0] + " " + both[1] + " " + lookupKernels());
            }
            case "core" -> System.out.println("CORE " + Threads.blasCore());
            default -> {
                Runnable step = args[3].equals("cnn") ? NdgradStep.cnn() : args[3].equals("lstm") ? NdgradStep.lstm()
                        : args[3].equals("eval-cnn") ? NdgradStep.evalCnn() : args[2].equals("samediff")
                        ? SameDiffStep.step(Workload.named(args[3]), 0.01) : NdgradStep.step(Workload.named(args[3]),
                        0.01);
                runFor(step, WARMUP_NS, 0);
                double[] ms = new double[TIMED_BATCHES];
                for (int b = 0; b < ms.length; b++) {
                    long[] timed = runFor(step, TIMED_NS / TIMED_BATCHES, 2);
                    ms[b] = timed[1] / 1e6 / timed[0];
                }
                Arrays.sort(ms);
                System.out.println("RESULT " + (ms[ms.length / 2 - 1] + ms[ms.length / 2]) / 2 + " "
                        + procStatusMb("VmHWM:"));
            }
        }
    }

    /**
     * The MNIST main job as {@code ndgrad train mnist --dropout 0 --schedule none} runs it; returns the seconds from
     * its first step to its last evaluation.
     */
    private static double mnist() throws IOException {
        Mnist data = Mnist.bundled();
        Rng rng = new Rng(42);
        Sequential model = new Sequential(new Linear(784, 256, rng), Activation.relu(), new Linear(256, 128, rng),
                Activation.relu(), new Linear(128, 10, rng));
        Adam opt = new Adam(model.parameters(), Adam.options().lr(1e-3));
        long t0 = System.nanoTime();
        TrainMnist.History h = TrainMnist.train(model, opt, null, data, 15, 64, rng, (e, s, n) -> { });
        double seconds = (System.nanoTime() - t0) / 1e9;
        LOG.info("test accuracy {}", h.accuracy().get(14));
        return seconds;
    }

    /** Warm-up before timing: the JIT needs about 8,000 tiny steps (1.5 s, measured) to reach steady speed. */
    private static final long WARMUP_NS = 4_000_000_000L;
    /**
     * A step measurement's time, in {@link #TIMED_BATCHES} batches whose median it reports (as torch_bench.py
     * does): another tenant's burst on this shared machine slows one batch, not the measurement.
     */
    private static final long TIMED_NS = 3_000_000_000L;
    private static final int TIMED_BATCHES = 10;

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

    /**
     * µs per forward and backward of a lookup of 320 rows from a 20x16 table, by {@code indexSelect} and as a
     * (320, 20) one-hot matrix times the table: for each, the fastest of 10 batches of 10,000, no Scope. The two
     * alternate batch by batch, the first of each pair taking turns, so that both meet the machine's slow spells
     * alike (run one after the other, either could be the one that met them).
     */
    private static double[] lookups() {
        Rng rng = new Rng(4);
        Tensor table = Tensor.randn(rng, 20, 16).requiresGrad();
        long[] ids = new long[320];
        double[] hot = new double[320 * 20];
        for (int i = 0; i < ids.length; i++) {
            ids[i] = rng.nextInt(20);
            hot[i * 20 + (int) ids[i]] = 1;
        }
        Tensor onehot = Tensor.of(hot, 320, 20);
        Runnable[] steps = {() -> {
            table.zeroGrad();
            table.indexSelect(0, ids).sum().backward();
        }, () -> {
            table.zeroGrad();
            onehot.matmul(table).sum().backward();
        }};
        double[] best = {Double.MAX_VALUE, Double.MAX_VALUE};
        for (int rep = 0; rep < 10; rep++) {
            for (int k = 0; k < 2; k++) {
                int way = (rep + k) % 2;
                long[] r = runFor(steps[way], 0, 10_000);
                best[way] = Math.min(best[way], r[1] / 1e3 / r[0]);
            }
        }
        return best;
    }

    /**
     * µs per call of the kernels of {@link #lookups}, float32, space-separated: indexSelect, indexAdd, the one-hot
     * product, its backward's product, and the sum of all 320x16 entries.
     */
    private static String lookupKernels() {
        Rng rng = new Rng(4);
        INDArray table = rng.normal(DataType.FLOAT, 20, 16);
        INDArray g = rng.normal(DataType.FLOAT, 320, 16);
        long[] ids = new long[320];
        INDArray onehot = Nd4j.create(DataType.FLOAT, 320, 20);
        for (int i = 0; i < ids.length; i++) {
            ids[i] = rng.nextInt(20);
            onehot.putScalar(i, ids[i], 1);
        }
        return perOp(() -> Indexing.indexSelect(table, 0, ids)) + " " + perOp(() -> Indexing.indexAdd(g, 0, ids, 20))
                + " " + perOp(() -> Products.gemm(onehot, table, false, false)) + " "
                + perOp(() -> Products.gemm(onehot, g, true, false)) + " " + perOp(() -> Reduce.sum(g, false, 0, 1));
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
