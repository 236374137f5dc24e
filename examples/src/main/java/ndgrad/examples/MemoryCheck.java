package ndgrad.examples;

import java.io.BufferedReader;
import java.io.File;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.URLClassLoader;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Collectors;
import ndgrad.autograd.Tensor;
import ndgrad.core.Rng;
import ndgrad.core.Scope;
import ndgrad.optim.Sgd;
import org.bytedeco.javacpp.Pointer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Measures resident memory over training steps of a small graph (batch 32, 64-256-1 tanh MLP), with each step in
 * a {@link Scope} and without, each in its own JVM with the same heap limit, side by side in one run. Arguments:
 * the child JVMs' heap option (default -Xmx512m) and the number of steps (default 10,000).
 *
 * <p>Usage: {@code mvn -B -q -pl examples exec:java -Dexec.mainClass=ndgrad.examples.MemoryCheck
 * -Dexec.args="-Xmx512m 30000"}
 */
public final class MemoryCheck {
    private static final Logger LOG = LoggerFactory.getLogger(MemoryCheck.class);
    public static void main(String[] args) throws IOException, InterruptedException {
        if (args.length == 3 && args[0].equals("--child")) {
            run(args[1].equals("scoped"), Integer.parseInt(args[2]));
            return;
        }
        String heap = args.length > 0 ? args[0] : "-Xmx512m";
        String steps = args.length > 1 ? args[1] : "10000";
        for (String mode : new String[] {"scoped", "unscoped"}) {
            Process p = new ProcessBuilder(ProcessHandle.current().info().command().orElse("java"), heap, "-cp",
                    classPath(), MemoryCheck.class.getName(), "--child", mode, steps)
                    .redirectErrorStream(true).start();
            try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream()))) {
                r.lines().filter(l -> l.startsWith("RSS")).forEach(l -> LOG.info("{} {}: {}", mode, heap, l));
            }
            p.waitFor();
        }
    }

    /** This program's class path; under {@code mvn exec:java} it is the class loader's, not java.class.path. */
    private static String classPath() {
        if (MemoryCheck.class.getClassLoader() instanceof URLClassLoader loader) {
            return Arrays.stream(loader.getURLs()).map(u -> new File(u.getFile()).getPath())
                    .collect(Collectors.joining(File.pathSeparator));
        }
        return System.getProperty("java.class.path");
    }

    private static void run(boolean scoped, int steps) {
        Rng rng = new Rng(1);
        Tensor w1 = Tensor.randn(rng, 64, 256).mul(0.1).requiresGrad();
        Tensor w2 = Tensor.randn(rng, 256, 1).mul(0.1).requiresGrad();
        Sgd opt = new Sgd(List.of(w1, w2), 1e-3);
        StringBuilder line = new StringBuilder("RSS MB at each fifth of " + steps + " steps:");
        long t0 = System.nanoTime();
        for (int step = 1; step <= steps; step++) {
            Scope s = scoped ? Scope.open() : null;
            Tensor x = Tensor.uniform(rng, -1, 1, 32, 64);
            Tensor loss = x.matmul(w1).tanh().matmul(w2).sub(x.sum(true, 1)).pow(2).mean();
            opt.zeroGrad();
            loss.backward();
            opt.step();
            if (s != null) {
                s.close();
            }
            if (step % (steps / 5) == 0) {
                line.append(' ').append(Pointer.physicalBytes() >> 20);
            }
        }
        line.append(String.format("; %.2f ms/step", (System.nanoTime() - t0) / 1e6 / steps));
        System.out.println(line);
    }
}
