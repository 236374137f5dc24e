package ndgrad.benchmarks;

import java.util.Arrays;
import java.util.concurrent.atomic.AtomicLong;

/**
 * How far apart the machine's cores are right now: the round trip of one cache line between two threads, in ns.
 * On this project's shared 2-core machines the two virtual CPUs move, for seconds at a time, between sharing a
 * last-level cache (a round trip of about 65 ns) and not (about 230–330 ns); now and then they are two hardware
 * threads of one core (about 28 ns), which then share its arithmetic units. Anything that uses both cores moves with
 * them: ndgrad's big step ran at 5.2–5.6 ms a step for seconds, then at 7.5–8.1 ms for seconds, in one process,
 * with the same CPU time on both threads; in the slow spells the memory-bound work (saxpy, OpenBLAS zeroing its
 * output, copies) took about 5 times its share of the samples, while two one-thread sgemm processes side by side
 * held 85–98 GFLOP/s, mostly 94–98, with no such spells (measured 2026-12-04). The benchmark probes before and
 * after each measurement, so that each round's figure can be read beside the state the machine was in.
 *
 * <p>Usage: {@code double ns = CoreProbe.roundTripNs();}
 */
final class CoreProbe {
    /** Round trips per timed slice. */
    private static final int TRIPS = 2_000;
    private static final int SLICES = 25;

    private CoreProbe() {
    }

    /**
     * The median over {@value #SLICES} slices of {@value #TRIPS} round trips between this thread and a spinning
     * partner (10–70 ms in all), after as many untimed slices that let the JIT compile both loops.
     */
    static double roundTripNs() {
        AtomicLong ball = new AtomicLong();
        Thread partner = new Thread(() -> {
            for (long v = 1; ; v += 2) {
                long seen;
                while ((seen = ball.get()) != v && seen >= 0) {
                    Thread.onSpinWait();
                }
                if (seen < 0) {
                    return;
                }
                ball.set(v + 1);
            }
        }, "core-probe");
        partner.setDaemon(true);
        partner.start();
        double[] ns = new double[SLICES];
        long v = 0;
        for (int s = -SLICES; s < SLICES; s++) {
            long t0 = System.nanoTime();
            for (int i = 0; i < TRIPS; i++) {
                ball.set(v + 1);
                v += 2;
                while (ball.get() != v) {
                    Thread.onSpinWait();
                }
            }
            if (s >= 0) {
                ns[s] = (System.nanoTime() - t0) / (double) TRIPS;
            }
        }
        ball.set(-1);
        Arrays.sort(ns);
        return ns[SLICES / 2];
    }
}
