package ndgrad.examples;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import ndgrad.autograd.Tensor;
import ndgrad.core.Rng;
import ndgrad.core.memory.Scope;
import ndgrad.nn.Activation;
import ndgrad.nn.Linear;
import ndgrad.nn.Losses;
import ndgrad.nn.Sequential;
import ndgrad.optim.Adam;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Resident memory and time of a training loop written as in PyTorch: a 64-256-1 tanh MLP, MSE against a target
 * computed from each batch, Adam, a fresh batch of 32 every step, {@code total += loss.item()}. It runs once with a
 * {@link Scope} around each step and once with no scope at all, each in its own JVM with the default heap (the
 * heap a user's program gets), and prints RSS at each tenth of the run and ms per step.
 *
 * <p>Usage: {@code mvn -B -q -pl examples exec:java -Dexec.mainClass=ndgrad.examples.MemoryCheck
 * -Dexec.args="20000"}
 */
public final class MemoryCheck {
    private static final Logger LOG = LoggerFactory.getLogger(MemoryCheck.class);

    private MemoryCheck() {
    }

    /** One run: steps, ms per step, RSS in MB after each tenth of the steps. */
    public record Result(String mode, int steps, double msPerStep, long[] rssMb) {
        /** The largest RSS of the run, in MB. */
        public long peakMb() {
            return Arrays.stream(rssMb).max().orElse(0);
        }
    }

    public static void main(String[] args) throws IOException, InterruptedException {
        if (args.length == 3 && args[0].equals("--child")) {
            try {
                Result r = loop(args[1], Integer.parseInt(args[2]));
                System.out.println("RESULT " + r.msPerStep() + " " + String.join(" ", Arrays.stream(r.rssMb())
                        .mapToObj(Long::toString).toList()));
            } catch (IllegalArgumentException e) {
                System.out.println(e.getMessage());
                System.exit(2);
            }
            return;
        }
        int steps = args.length > 0 ? Integer.parseInt(args[0]) : 20_000;
        List<Result> rs = compare(steps);
        for (Result r : rs) {
            LOG.info("{} {} steps: {} ms/step, RSS MB at each tenth: {}", r.mode(), r.steps(),
                    String.format("%.3f", r.msPerStep()), Arrays.toString(r.rssMb()));
        }
        LOG.info("unscoped / scoped: time {}, peak RSS {}", String.format("%.2f", rs.get(1).msPerStep()
                / rs.get(0).msPerStep()), String.format("%.2f", rs.get(1).peakMb() / (double) rs.get(0).peakMb()));
    }

    /** The loop with a scope per step and without, each in its own JVM with the default heap. */
    public static List<Result> compare(int steps) throws IOException, InterruptedException {
        if (steps < 10) {
            throw new IllegalArgumentException("MemoryCheck: expected at least 10 steps (RSS is read at every tenth), "
                    + "got " + steps);
        }
        List<Result> rs = new ArrayList<>();
        for (String mode : new String[] {"scoped", "unscoped"}) {
            rs.add(child(mode, steps));
        }
        return rs;
    }

    /** One run in a child JVM; a child that fails is an error, with its exit code and last line. */
    static Result child(String mode, int steps) throws IOException, InterruptedException {
        return child(Map.of(), mode, steps);
    }

    /** One run in a child JVM with {@code env} added to its environment. */
    public static Result child(Map<String, String> env, String mode, int steps) throws IOException,
            InterruptedException {
        double[] v = ChildJvm.numbers(ChildJvm.run(env, List.of(), MemoryCheck.class, "--child", mode,
                String.valueOf(steps)), "RESULT");
        return new Result(mode, steps, v[0], Arrays.stream(v, 1, v.length).mapToLong(d -> (long) d).toArray());
    }

    /** The training loop in this JVM, {@code "scoped"} or {@code "unscoped"}. */
    static Result loop(String mode, int steps) throws IOException {
        if (!mode.equals("scoped") && !mode.equals("unscoped")) {
            throw new IllegalArgumentException("MemoryCheck: mode must be scoped or unscoped, got '" + mode + "'");
        }
        Rng rng = new Rng(1);
        Sequential model = new Sequential(new Linear(64, 256, rng), Activation.tanh(), new Linear(256, 1, rng));
        Adam opt = new Adam(model.parameters(), Adam.options().lr(1e-3));
        long[] rss = new long[10];
        double total = 0;
        long t0 = System.nanoTime();
        for (int step = 1, tenth = 0; step <= steps; step++) {
            Scope s = mode.equals("scoped") ? Scope.open() : null;
            Tensor x = Tensor.uniform(rng, -1, 1, 32, 64);
            Tensor y = x.sum(true, 1).tanh();
            Tensor loss = Losses.mse(model.forward(x), y);
            opt.zeroGrad();
            loss.backward();
            opt.step();
            total += loss.item();
            if (s != null) {
                s.close();
            }
            if (step == (long) steps * (tenth + 1) / 10) {
                rss[tenth++] = rssMb();
            }
        }
        double ms = (System.nanoTime() - t0) / 1e6 / steps;
        if (!Double.isFinite(total)) {
            throw new IllegalStateException("MemoryCheck: the loss diverged");
        }
        return new Result(mode, steps, ms, rss);
    }

    /** This process's resident memory in MB (Linux). */
    static long rssMb() throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
            if (line.startsWith("VmRSS:")) {
                return Long.parseLong(line.replaceAll("[^0-9]", "")) / 1024;
            }
        }
        return 0;
    }
}
