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
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.function.Supplier;
import ndgrad.autograd.Tensor;
import ndgrad.core.DTypes;
import ndgrad.core.Rng;
import ndgrad.nn.Linear;
import org.nd4j.linalg.api.buffer.DataType;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * Backpropagation on the blackboard: an expression is parsed and built from ndgrad tensors (float64), or a small MLP
 * is built on one sample, neuron by neuron; then its forward values, the backward trace, each gradient beside its
 * central-difference estimate, and the graph as SVG (and DOT, rendered to PNG where Graphviz is installed); with
 * {@code --html}, one self-contained page that walks the forward and the backward pass step by step
 * ({@link ExplainPage}).
 *
 * <p>Usage: {@code ndgrad explain "tanh(x1*w1 + x2*w2 + b)" --at x1=2,x2=0,w1=-3,w2=1,b=6.8813735870195432 --html
 * neuron.html}, or {@code ndgrad explain --model 2-4-1 --html mlp.html}
 */
@Command(name = "explain", mixinStandardHelpOptions = true,
        description = "Forward values, backward trace, gradients (checked numerically) and graph of an expression, "
                + "or of a small MLP on one sample (--model); --html writes a page that steps through forward and "
                + "backward.")
public final class Explain implements Callable<Integer>, Ndgrad.Outputs {
    @Parameters(index = "0", arity = "0..1", paramLabel = "EXPRESSION", description = "e.g. \"tanh(x1*w1 + x2*w2 + "
            + "b)\"; + - * / ^, unary minus, parentheses, exp log sin cos tanh sigmoid relu sqrt abs; definitions name "
            + "intermediates: \"n = x1*w1 + b; tanh(n)\"")
    String source;
    @Option(names = "--at", split = ",", description = "values, e.g. x1=2,w1=-3; for --model, the sample's inputs "
            + "x1, x2, ... and target y (default x1=2, x2=-1, ..., y=1)")
    Map<String, Double> at = new LinkedHashMap<>();
    @Option(names = "--model", paramLabel = "SIZES", description = "an MLP of these layer sizes, e.g. 2-4-1 (tanh "
            + "hidden layers, seeded weights), on one sample with a squared-error loss, neuron by neuron, instead of "
            + "an expression")
    String model;
    @Option(names = "--html", paramLabel = "FILE", description = "also write one self-contained HTML page (no "
            + "network, no Graphviz) that walks the forward and the backward pass one op at a time")
    Path html;
    @Mixin
    OutDir out;

    /**
     * Everything explained: the title, the inputs by label, the values shown (by label) with the whole expression
     * each short label stands for, the trace, gradients (autograd, numerical), the output, and the page's views (the
     * first is the one traced).
     */
    public record Explanation(String title, Map<String, Tensor> inputs, Map<String, Tensor> values,
            Map<String, String> descriptions, BackwardTrace trace, Map<String, double[]> gradients, Tensor output,
            List<ExplainPage.View> views) {
        /** The step-by-step page ({@link ExplainPage}), computed in float64. */
        public String html() {
            try (var float64 = DTypes.use(DataType.DOUBLE)) {
                return ExplainPage.html(title, views);
            }
        }
    }

    /**
     * Explains {@code source} (definitions first, as {@code n = x1*w1 + b; tanh(n)}) at the given variable values.
     */
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
            Map<String, Tensor> byText = new LinkedHashMap<>(inputs);
            Tensor y = e.evaluate(byText);
            if (!y.isRequiresGrad()) {
                throw new IllegalArgumentException("the expression has no variables to differentiate");
            }
            Map<String, Tensor> values = new LinkedHashMap<>();
            byText.values().forEach(t -> values.putIfAbsent(t.name(), t));
            Map<String, String> about = Expression.describe(byText);
            return explained(source.strip(), inputs, values, about, y, List.of(new ExplainPage.View("expression",
                    forward, List.copyOf(inputs.values()), about)));
        }
    }

    /**
     * Explains an MLP of the given layer sizes ("2-4-1": tanh between layers, weights from seed 42, float64) on one
     * sample: inputs x1, x2, ... and target y from {@code at} (default 2, -1, 2, -1, ... and 1), loss (out - y)². It
     * is traced as micrograd draws it, one scalar per weight and neuron: weight w1[j,i] = W1[j, i], the neuron's sum
     * z1[j] = b1[j] + Σ w1[j,i]·x(i+1), its output h1[j] = tanh(z1[j]); the page's second view is the same network's
     * tensors (linear, tanh, ...).
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
            Map<String, Tensor> params = new LinkedHashMap<>();
            for (int i = 0; i + 1 < n.length; i++) {
                Linear layer = new Linear(n[i], n[i + 1], rng);
                params.put("W" + (i + 1), layer.weight());
                params.put("b" + (i + 1), layer.bias());
            }
            double[] sample = new double[n[0]];
            for (int i = 0; i < n[0]; i++) {
                sample[i] = at.getOrDefault("x" + (i + 1), i % 2 == 0 ? 2.0 : -1.0);
            }
            return network("MLP " + sizes + " on one sample, loss (out - y)²", params, "tanh", sample,
                    at.getOrDefault("y", 1.0), (out, y, name) -> {
                        Tensor d = name.of("sub", out.sub(y), "out - y");
                        return name.of("loss", d.pow(2), "(out - y)²");
                    });
        }
    }

    /** Names a value of the neuron-level graph: {@code prefix} (numbered for mul, add, sub and neg), and what it is. */
    @FunctionalInterface
    interface Namer {
        Tensor of(String prefix, Tensor t, String what);
    }

    /** A loss built from the network's output and the target, its intermediates named through {@code name}. */
    @FunctionalInterface
    interface Loss {
        Tensor apply(Tensor out, Tensor y, Namer name);
    }

    /** The activations a network may use between its layers. */
    static final Map<String, java.util.function.UnaryOperator<Tensor>> ACTIVATIONS = Map.of("tanh", Tensor::tanh,
            "relu", Tensor::relu, "sigmoid", Tensor::sigmoid);

    /**
     * Explains a network of one output given as its layers' weights and biases ({@code W1, b1, W2, b2, ...}, copied
     * in float64), {@code activation} between layers, on one sample and target: first as neurons (one scalar per
     * weight, micrograd's way: w1[j,i] = W1[j, i], the neuron's sum z1[j] = b1[j] + Σ w1[j,i]·x(i+1), its output
     * h1[j] = activation(z1[j])), then as tensors (linear, activation, ...), each with {@code loss}.
     */
    static Explanation network(String title, Map<String, Tensor> weights, String activation, double[] sample,
            double target, Loss loss) {
        try (var float64 = DTypes.use(DataType.DOUBLE)) {
            Map<String, Tensor> params = new LinkedHashMap<>();
            weights.forEach((k, t) -> params.put(k, Tensor.of(t.toDoubleArray(), t.shape()).named(k).requiresGrad()));
            Tensor x = Tensor.of(new double[][] {sample}).named("x");
            Tensor y = Tensor.of(new double[][] {{target}}).named("y");
            java.util.function.UnaryOperator<Tensor> act = ACTIVATIONS.get(activation);
            Supplier<Tensor> tensors = () -> {
                Tensor h = x;
                for (int l = 1; l <= params.size() / 2; l++) {
                    h = h.linear(params.get("W" + l), params.get("b" + l));
                    h = l < params.size() / 2 ? act.apply(h) : h;
                }
                return loss.apply(h, y, (prefix, t, what) -> prefix.equals("loss") ? t.named("loss") : t);
            };
            Neurons neurons = new Neurons(params, activation, sample, target, loss);
            Tensor out = neurons.forward();
            Map<String, Tensor> values = new LinkedHashMap<>(neurons.leaves);
            values.putAll(neurons.computed);
            return explained(title, neurons.weights, values, neurons.about, out, List.of(new ExplainPage.View(
                    "neurons", neurons::forward, List.copyOf(neurons.weights.values()), neurons.about),
                    new ExplainPage.View("tensors", tensors, List.copyOf(params.values()), Map.of())));
        }
    }

    /**
     * A network's forward pass on one sample as scalar ops, micrograd's way: one leaf per weight and bias (copies of
     * the tensors' elements), each product and sum named in order ({@code mul1}, {@code add1}, with what it
     * computes).
     */
    private static final class Neurons {
        final Map<String, Tensor> weights = new LinkedHashMap<>();
        final Map<String, Tensor> leaves = new LinkedHashMap<>();
        final Map<String, Tensor> computed = new LinkedHashMap<>();
        final Map<String, String> about = new LinkedHashMap<>();
        /** Each layer's number of neurons. */
        private final List<Integer> widths = new ArrayList<>();
        private final String activation;
        private final Loss loss;

        Neurons(Map<String, Tensor> params, String activation, double[] sample, double target, Loss loss) {
            this.activation = activation;
            this.loss = loss;
            for (int l = 1; l <= params.size() / 2; l++) {
                Tensor wl = params.get("W" + l);
                double[] bl = params.get("b" + l).toDoubleArray();
                double[] flat = wl.toDoubleArray();
                int outs = (int) wl.size(0);
                int ins = (int) wl.size(1);
                for (int j = 0; j < outs; j++) {
                    for (int i = 0; i < ins; i++) {
                        leaf(weights, "w" + l + "[" + j + "," + i + "]", flat[j * ins + i], true);
                    }
                    leaf(weights, "b" + l + "[" + j + "]", bl[j], true);
                }
                widths.add(outs);
            }
            for (int i = 0; i < sample.length; i++) {
                leaf(leaves, "x" + (i + 1), sample[i], false);
            }
            leaf(leaves, "y", target, false);
            leaves.putAll(weights);
        }

        private static void leaf(Map<String, Tensor> into, String name, double value, boolean grad) {
            Tensor t = Tensor.scalar(value).named(name);
            into.put(name, grad ? t.requiresGrad() : t);
        }

        /** The loss, built again from the leaves (a fresh graph each call). */
        Tensor forward() {
            computed.clear();
            List<Tensor> a = new ArrayList<>();
            for (int i = 1; leaves.containsKey("x" + i); i++) {
                a.add(leaves.get("x" + i));
            }
            for (int l = 1; l <= widths.size(); l++) {
                boolean last = l == widths.size();
                List<Tensor> next = new ArrayList<>();
                for (int j = 0; j < widths.get(l - 1); j++) {
                    Tensor z = weights.get("b" + l + "[" + j + "]");
                    for (int i = 0; i < a.size(); i++) {
                        Tensor wji = weights.get("w" + l + "[" + j + "," + i + "]");
                        Tensor m = name("mul", wji.mul(a.get(i)), wji.name() + " × " + a.get(i).name());
                        String sum = i + 1 < a.size() ? "add" : last ? "out" : "z" + l + "[" + j + "]";
                        z = name(sum, z.add(m), z.name() + " + " + m.name());
                    }
                    next.add(last ? z : name("h" + l + "[" + j + "]", ACTIVATIONS.get(activation).apply(z),
                            activation + "(" + z.name() + ")"));
                }
                a = next;
            }
            return loss.apply(a.get(0), leaves.get("y"), this::name);
        }

        /** Names t: {@code prefix} with the next number for mul, add, sub and neg, else {@code prefix} itself. */
        private Tensor name(String prefix, Tensor t, String what) {
            String label = prefix;
            if (Set.of("mul", "add", "sub", "neg").contains(prefix)) {
                long k = computed.keySet().stream().filter(s -> s.matches(prefix + "\\d+")).count();
                label = prefix + (k + 1);
            }
            t.named(label);
            computed.put(label, t);
            if (what != null) {
                about.put(label, what);
            }
            return t;
        }
    }

    private static Explanation explained(String title, Map<String, Tensor> inputs, Map<String, Tensor> values,
            Map<String, String> about, Tensor y, List<ExplainPage.View> views) {
        BackwardTrace trace = BackwardTrace.run(y);
        Map<String, double[]> grads = new LinkedHashMap<>();
        inputs.forEach((name, t) -> {
            double[] analytical = trace.grad(t).toDoubleArray();
            double[] numerical = ExplainPage.numericalGradient(views.get(0).forward(), t);
            for (int i = 0; i < analytical.length; i++) {
                grads.put(analytical.length == 1 ? name : name + "[" + i + "]", new double[] {analytical[i],
                    numerical[i]});
            }
        });
        return new Explanation(title, inputs, values, about, trace, grads, y, views);
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
        x.values().forEach((label, t) -> s.append(String.format("  %-12s = %-24s %s%n", label, t.numel() == 1
                ? t.item() : java.util.Arrays.toString(t.toDoubleArray()), x.descriptions().containsKey(label)
                ? x.descriptions().get(label) : "")));
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
                    + "walk the forward and the backward pass)");
        }
        Ndgrad.log().info("{}", s);
        return 0;
    }
}
