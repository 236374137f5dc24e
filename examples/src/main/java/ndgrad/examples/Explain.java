package ndgrad.examples;

import ndgrad.core.io.AtomicFile;
import ndgrad.teaching.BackwardTrace;
import ndgrad.teaching.ExplainPage;
import ndgrad.teaching.Graphviz;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.function.Supplier;
import ndgrad.teaching.BackwardTrace;
import ndgrad.teaching.ExplainPage;
import ndgrad.teaching.Graphviz;
import ndgrad.autograd.Tensor;
import ndgrad.core.DTypes;
import ndgrad.core.Rng;
import ndgrad.nn.Activation;
import ndgrad.nn.Layer;
import ndgrad.nn.Linear;
import ndgrad.nn.Parameter;
import ndgrad.nn.Sequential;
import org.nd4j.linalg.api.buffer.DataType;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * Backpropagation on the blackboard: an expression is parsed and built from ndgrad tensors (float64), or a small MLP
 * is built on one sample; then its forward values, the backward trace, each gradient beside its central-difference
 * estimate, and the graph as SVG (and DOT, rendered to PNG where Graphviz is installed); with {@code --html}, one
 * self-contained page that walks the backward pass step by step ({@link ExplainPage}).
 *
 * <p>Usage: {@code ndgrad explain "tanh(x1*w1 + x2*w2 + b)" --at x1=2,x2=0,w1=-3,w2=1,b=6.8813735870195432 --html
 * neuron.html}, or {@code ndgrad explain --model 2-4-1 --html mlp.html}
 */
@Command(name = "explain", mixinStandardHelpOptions = true,
        description = "Forward values, backward trace, gradients (checked numerically) and graph of an expression, "
                + "or of a small MLP on one sample (--model); --html writes a page that steps through backward.")
public final class Explain implements Callable<Integer>, Ndgrad.Outputs {
    @Parameters(index = "0", arity = "0..1", paramLabel = "EXPRESSION", description = "e.g. \"tanh(x1*w1 + x2*w2 + "
            + "b)\"; + - * / ^, unary minus, parentheses, exp log sin cos tanh sigmoid relu sqrt abs")
    String source;
    @Option(names = "--at", split = ",", description = "values, e.g. x1=2,w1=-3; for --model, the sample's inputs "
            + "x1, x2, ... and target y (default x1=2, x2=-1, ..., y=1)")
    Map<String, Double> at = new LinkedHashMap<>();
    @Option(names = "--model", paramLabel = "SIZES", description = "an MLP of these layer sizes, e.g. 2-4-1 (tanh "
            + "hidden layers, seeded weights), on one sample with a squared-error loss, instead of an expression")
    String model;
    @Option(names = "--html", paramLabel = "FILE", description = "also write one self-contained HTML page (no "
            + "network, no Graphviz) that walks the backward pass one op at a time")
    Path html;
    @Mixin
    OutDir out;

    /**
     * Everything explained: the title, the inputs by label, the values shown (by label), the trace, gradients
     * (autograd, numerical), the output, and how to build the output again (for the page).
     */
    public record Explanation(String title, Map<String, Tensor> inputs, Map<String, Tensor> values,
            BackwardTrace trace, Map<String, double[]> gradients, Tensor output, Supplier<Tensor> forward) {
        /** The step-by-step page ({@link ExplainPage}), computed in float64. */
        public String html() {
            try (var float64 = DTypes.use(DataType.DOUBLE)) {
                return ExplainPage.html(title, forward, List.copyOf(inputs.values()));
            }
        }
    }

    /** Explains {@code source} at the given variable values. */
    public static Explanation explain(String source, Map<String, Double> at) {
        Expression e = Expression.parse(source);
        for (String v : e.variables()) {
            if (!at.containsKey(v)) {
                throw new IllegalArgumentException("no value for variable '" + v + "' (give it with --at " + v
                        + "=…)");
            }
        }
        List<String> unused = at.keySet().stream().filter(v -> !e.variables().contains(v)).toList();
        if (!unused.isEmpty()) {
            throw new IllegalArgumentException("--at: " + String.join(", ", unused) + (unused.size() == 1 ? " is"
                    : " are") + " not in the expression (its variables: " + String.join(", ", e.variables()) + ")");
        }
        try (var float64 = DTypes.use(DataType.DOUBLE)) {
            Map<String, Tensor> inputs = new LinkedHashMap<>();
            e.variables().forEach(v -> inputs.put(v, Tensor.scalar(at.get(v)).named(v).requiresGrad()));
            // evaluate memoizes each sub-expression in the map it is given: a fresh map builds a fresh graph
            Supplier<Tensor> forward = () -> e.evaluate(new LinkedHashMap<>(inputs));
            Map<String, Tensor> values = new LinkedHashMap<>(inputs);
            Tensor y = e.evaluate(values);
            if (!y.isRequiresGrad()) {
                throw new IllegalArgumentException("the expression has no variables to differentiate");
            }
            return explained(e.toString(), inputs, values, forward, y);
        }
    }

    /**
     * Explains an MLP of the given layer sizes ("2-4-1": tanh between layers, weights from seed 42, float64) on one
     * sample: inputs x1, x2, ... and target y from {@code at} (default 2, -1, 2, -1, ... and 1), loss (out - y)².
     */
    public static Explanation explainModel(String sizes, Map<String, Double> at) {
        int[] n;
        try {
            n = java.util.Arrays.stream(sizes.split("-")).mapToInt(Integer::parseInt).toArray();
        } catch (NumberFormatException ex) {
            n = new int[0];
        }
        if (n.length < 2 || n.length > 5 || java.util.Arrays.stream(n).anyMatch(k -> k < 1 || k > 16)
                || n[n.length - 1] != 1) {
            throw new IllegalArgumentException("--model: expected 2 to 5 layer sizes from 1 to 16 joined by '-', "
                    + "ending in 1 output, e.g. 2-4-1; got '" + sizes + "'");
        }
        for (String k : at.keySet()) {
            if (!k.equals("y") && !(k.matches("x[1-9]\\d{0,1}") && Integer.parseInt(k.substring(1)) <= n[0])) {
                throw new IllegalArgumentException("--at: the model's sample has inputs x1..x" + n[0]
                        + " and target y; got '" + k + "'");
            }
        }
        try (var float64 = DTypes.use(DataType.DOUBLE)) {
            Rng rng = new Rng(42);
            List<Layer> layers = new ArrayList<>();
            for (int i = 0; i + 1 < n.length; i++) {
                layers.add(new Linear(n[i], n[i + 1], rng));
                if (i + 2 < n.length) {
                    layers.add(Activation.tanh());
                }
            }
            Sequential mlp = new Sequential(layers.toArray(new Layer[0]));
            Map<String, Tensor> params = new LinkedHashMap<>();
            for (Parameter p : mlp.namedParameters()) {
                int layer = Integer.parseInt(p.name().substring(0, p.name().indexOf('.'))) / 2 + 1;
                String label = (p.name().endsWith("weight") ? "W" : "b") + layer;
                params.put(label, p.value().named(label));
            }
            double[] sample = new double[n[0]];
            for (int i = 0; i < n[0]; i++) {
                sample[i] = at.getOrDefault("x" + (i + 1), i % 2 == 0 ? 2.0 : -1.0);
            }
            Tensor x = Tensor.of(new double[][] {sample}).named("x");
            Tensor target = Tensor.of(new double[][] {{at.getOrDefault("y", 1.0)}}).named("y");
            Supplier<Tensor> forward = () -> mlp.forward(x).sub(target).pow(2).sum().named("loss");
            Tensor loss = forward.get();
            Map<String, Tensor> values = new LinkedHashMap<>(params);
            values.put("x", x);
            values.put("y", target);
            values.put("loss", loss);
            return explained("MLP " + sizes + " on one sample, loss (out - y)²", params, values, forward, loss);
        }
    }

    private static Explanation explained(String title, Map<String, Tensor> inputs, Map<String, Tensor> values,
            Supplier<Tensor> forward, Tensor y) {
        BackwardTrace trace = BackwardTrace.run(y);
        Map<String, double[]> grads = new LinkedHashMap<>();
        inputs.forEach((name, t) -> {
            double[] analytical = trace.grad(t).toDoubleArray();
            double[] numerical = ExplainPage.numericalGradient(forward, t);
            for (int i = 0; i < analytical.length; i++) {
                grads.put(analytical.length == 1 ? name : name + "[" + i + "]", new double[] {analytical[i],
                    numerical[i]});
            }
        });
        return new Explanation(title, inputs, values, trace, grads, y, forward);
    }

    @Override
    public void checkOutputs() {
        if (html != null) {
            OutDir.file(html, "--html");
        }
    }

    @Override
    public Integer call() throws IOException {
        if ((source == null) == (model == null)) {
            throw new IllegalArgumentException("explain: give an EXPRESSION (with --at) or --model SIZES, not "
                    + (source == null ? "neither" : "both"));
        }
        Explanation x = model != null ? explainModel(model, at) : explain(source, at);
        StringBuilder s = new StringBuilder("\n" + (model != null ? "" : "expression: ") + x.title()
                + "\n\nforward values:\n");
        x.values().forEach((label, t) -> s.append(String.format("  %-40s = %s%n", label, t.numel() == 1 ? t.item()
                : java.util.Arrays.toString(t.toDoubleArray()))));
        s.append("\nbackward trace (reverse topological order):\n").append(x.trace());
        s.append("\ngradients: autograd vs central differences\n");
        x.gradients().forEach((v, g) -> s.append(String.format("  d/d%-6s = %-22s numerical %-22s |diff| %.1e%n", v,
                g[0], g[1], Math.abs(g[0] - g[1]))));
        Path svg = out.dir().resolve("explain.svg");
        AtomicFile.writeString(svg, Graphviz.toSvg(x.trace()));
        Path picture = Graphviz.write(x.trace(), out.dir().resolve("explain.dot"));
        s.append("\ngraph: ").append(svg.toAbsolutePath()).append(picture.toString().endsWith(".png")
                ? " and " + picture.toAbsolutePath() : "");
        if (html != null) {
            AtomicFile.writeString(html, x.html());
            s.append("\npage:  ").append(html.toAbsolutePath()).append(" (open it in a browser; Next and Previous "
                    + "walk the backward pass)");
        }
        Ndgrad.log().info("{}", s);
        return 0;
    }
}
