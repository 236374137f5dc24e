package ndgrad.examples;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import ndgrad.core.Rng;
import ndgrad.core.io.Datasets;
import ndgrad.nn.Init;
import ndgrad.nn.Linear;
import ndgrad.nn.Layer;
import ndgrad.nn.Sequential;
import ndgrad.optim.GradientMonitor;
import ndgrad.optim.Sgd;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * Vanishing gradients, seen: a deep MLP with sigmoid activations and PyTorch's default init, against the same
 * depth with ReLU and Kaiming/He init, trained with SGD on two moons while a {@link GradientMonitor} records each
 * layer's weight-gradient norm. With sigmoids the norm shrinks layer by layer toward the input (first/last below
 * 1e-4); with ReLU/He the first layer's stays within about an order of magnitude of the last's.
 *
 * <p>Usage: {@code ndgrad diagnose --depth 10}
 */
@Command(name = "diagnose", mixinStandardHelpOptions = true,
        description = "Gradient health: per-layer gradient norms and update ratios of a deep sigmoid MLP vs a "
                + "ReLU/He-init one (vanishing gradients demo), with warnings and plots.")
public final class Diagnose implements Callable<Integer> {
    @Option(names = "--net", defaultValue = "both", description = "sigmoid, relu or both")
    String net;
    @Option(names = "--depth", defaultValue = "10", description = "hidden layers")
    int depth;
    @Option(names = "--steps", defaultValue = "200")
    int steps;
    @Mixin
    OutDir out;

    /** Trains a depth-{@code depth} net ("sigmoid" or "relu") for {@code steps} and returns its monitor. */
    public static GradientMonitor run(String net, int depth, int steps) {
        Rng rng = new Rng(11);
        Datasets.Labeled moons = Datasets.moons(256, 0.1, rng);
        List<Layer> layers = new ArrayList<>();
        for (int i = 0; i <= depth; i++) {
            Linear fc = new Linear(i == 0 ? 2 : 32, i == depth ? 2 : 32, rng);
            if (net.equals("relu")) {
                Init.kaimingNormal(fc.weight(), rng);
                Init.zeros(fc.bias());
            }
            layers.add(fc);
            if (i < depth) {
                layers.add(Cli.activation(net));
            }
        }
        Sequential model = new Sequential(layers.toArray(new Layer[0]));
        List<ndgrad.nn.Parameter> weights = model.namedParameters().stream().filter(p -> p.name().endsWith("weight"))
                .toList();
        GradientMonitor monitor = new GradientMonitor(weights, 1e-6, 1e3);
        TrainClassifier.train(model, new Sgd(model.parameters(), 0.05), moons, steps, monitor);
        return monitor;
    }

    /** Each weight's gradient norm per step, named after its layer: Linear 1, Linear 2, ... from the input. */
    static Map<String, double[][]> normSeries(GradientMonitor m) {
        Map<String, double[][]> series = new LinkedHashMap<>();
        m.gradNorms().forEach((name, norms) -> series.put("Linear " + (series.size() + 1), Plots.series(norms.stream()
                .map(v -> Math.max(v, 1e-30)).toList())));
        return series;
    }

    @Override
    public Integer call() throws IOException {
        if (depth < 1 || steps < 1 || !List.of("sigmoid", "relu", "both").contains(net)) {
            throw new IllegalArgumentException("expected --net sigmoid|relu|both, --depth >= 1, --steps >= 1");
        }
        List<Path> plots = new ArrayList<>();
        for (String n : net.equals("both") ? List.of("sigmoid", "relu") : List.of(net)) {
            GradientMonitor m = run(n, depth, steps);
            Map<String, double[][]> series = normSeries(m);
            List<Double> first = m.gradNorms().values().iterator().next();
            List<Double> last = new ArrayList<>(m.gradNorms().values()).get(m.gradNorms().size() - 1);
            Ndgrad.log().info("{} net, {} hidden layers: weight-gradient norm at the last step: first layer {}, last "
                    + "layer {} (ratio {}); update/weight ratio of the first layer {}; warnings: {}", n, depth,
                    String.format("%.2e", first.get(steps - 1)), String.format("%.2e", last.get(steps - 1)),
                    String.format("%.1e", first.get(steps - 1) / last.get(steps - 1)), String.format("%.1e",
                            m.updateRatios().values().iterator().next().get(steps - 1)), m.warnings().size());
            plots.add(Plots.lines(out.dir().resolve("gradient-norms-" + n + ".png"), n + " MLP, " + depth
                    + " hidden layers: weight-gradient norm per layer", "step", "gradient 2-norm", false, true,
                    series));
        }
        Ndgrad.log().info("plots written to {}: {}", out.dir().toAbsolutePath(), plots.stream().map(Path::getFileName)
                .toList());
        return 0;
    }
}
