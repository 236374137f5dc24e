package ndgrad.benchmarks;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.DoubleSummaryStatistics;
import java.util.List;

/**
 * A step's time beside where the machine's two CPUs are ({@link CoreProbe}), second by second in one process: each
 * second, ndgrad's training step of a config in a loop, with a probe just before and just after. At the end, the
 * seconds whose two probes agree are grouped by them (under 40 ns: two hardware threads of one core; 40–100: one
 * last-level cache; over 200: apart), with the median step time of each group; the first 5 seconds (JIT) are left
 * out. Run it with {@code -Dndgrad.threads=1} beside a run without to see whether a spread comes from the two
 * threads. Measured 2026-12-05, big, 240 s each: 2 threads 5.68 ms a step with the CPUs in one cache (194 s) against
 * 7.71 apart (3 s); 1 thread 9.67 (189 s) against 10.02 (10 s).
 *
 * <p>Usage: {@code (cd benchmarks && mvn -B -q exec:java -Dexec.mainClass=ndgrad.benchmarks.Placement
 * -Dexec.args="big 240")}
 */
public final class Placement {
    private static final int WARMUP_SECONDS = 5;

    private Placement() {
    }

    public static void main(String[] args) {
        if (args.length != 2 || !List.of("tiny", "small", "big").contains(args[0]) || !args[1].matches("\\d+")) {
            throw new IllegalArgumentException("Placement: expected a config (tiny, small or big) and a number of "
                    + "seconds, got " + Arrays.toString(args));
        }
        Runnable step = NdgradStep.step(Workload.named(args[0]), 0.01);
        int seconds = Integer.parseInt(args[1]);
        List<double[]> rows = new ArrayList<>();
        System.out.println("second probe_before_ns probe_after_ns ms_per_step");
        for (int s = 0; s < seconds; s++) {
            double before = CoreProbe.roundTripNs();
            long t0 = System.nanoTime();
            int n = 0;
            while (System.nanoTime() - t0 < 1_000_000_000L) {
                step.run();
                n++;
            }
            double ms = (System.nanoTime() - t0) / 1e6 / n;
            double after = CoreProbe.roundTripNs();
            System.out.printf("%d %.0f %.0f %.3f%n", s, before, after, ms);
            if (s >= WARMUP_SECONDS) {
                rows.add(new double[] {before, after, ms});
            }
        }
        group("one core (< 40 ns)", rows, 0, 40);
        group("one cache (40-100 ns)", rows, 40, 100);
        group("apart (> 200 ns)", rows, 200, Double.MAX_VALUE);
    }

    private static void group(String name, List<double[]> rows, double fromNs, double toNs) {
        List<double[]> in = rows.stream().filter(r -> r[0] >= fromNs && r[0] < toNs && r[1] >= fromNs && r[1] < toNs)
                .toList();
        if (!in.isEmpty()) {
            DoubleSummaryStatistics ms = in.stream().mapToDouble(r -> r[2]).summaryStatistics();
            System.out.printf("%s: %d s, median %.3f ms, min %.3f, max %.3f%n", name, in.size(),
                    Bench.median(in, 2), ms.getMin(), ms.getMax());
        }
    }
}
