package ndgrad.examples;

import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import ndgrad.autograd.Autograd;
import ndgrad.autograd.BackwardTrace;
import ndgrad.autograd.Graphviz;
import ndgrad.autograd.Tensor;
import ndgrad.core.DTypes;
import ndgrad.core.FiniteDifference;
import ndgrad.core.NdArrays;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * Backpropagation on the blackboard: an expression is parsed and built from ndgrad tensors (float64), then its
 * forward values, the backward trace, each gradient beside its central-difference estimate, and the graph picture.
 *
 * <p>Usage: {@code ndgrad explain "tanh(x1*w1 + x2*w2 + b)" --at x1=2,x2=0,w1=-3,w2=1,b=6.8813735870195432}
 */
@Command(name = "explain", mixinStandardHelpOptions = true,
        description = "Forward values, backward trace, gradients (checked numerically) and graph of an expression.")
public final class Explain implements Callable<Integer> {
    @Parameters(index = "0", paramLabel = "EXPRESSION", description = "e.g. \"tanh(x1*w1 + x2*w2 + b)\"; + - * / ^, "
            + "unary minus, parentheses, exp log sin cos tanh sigmoid relu sqrt abs")
    String source;
    @Option(names = "--at", split = ",", required = true, description = "values, e.g. x1=2,w1=-3")
    Map<String, Double> at;
    @Mixin
    OutDir out;

    /** Everything explained: values of all sub-expressions, the trace, gradients (autograd, numerical), output. */
    public record Explanation(Expression expression, Map<String, Tensor> values, BackwardTrace trace,
            Map<String, double[]> gradients, Tensor output) {
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
        try (var float64 = DTypes.use(DataType.DOUBLE)) {
            Map<String, Tensor> values = new LinkedHashMap<>();
            e.variables().forEach(v -> values.put(v, Tensor.scalar(at.get(v)).named(v).requiresGrad()));
            Tensor y = e.evaluate(values);
            if (!y.isRequiresGrad()) {
                throw new IllegalArgumentException("the expression has no variables to differentiate");
            }
            BackwardTrace trace = BackwardTrace.run(y);
            String[] names = e.variables().toArray(new String[0]);
            double[] point = new double[names.length];
            for (int i = 0; i < names.length; i++) {
                point[i] = at.get(names[i]);
            }
            INDArray x = NdArrays.create(point, new long[] {point.length}, DataType.DOUBLE);
            Map<String, double[]> grads = new LinkedHashMap<>();
            for (int i = 0; i < names.length; i++) {
                double numerical = FiniteDifference.partial(a -> valueAt(e, names, a), x, i,
                        FiniteDifference.options(FiniteDifference.Scheme.CENTRAL));
                grads.put(names[i], new double[] {values.get(names[i]).grad().item(), numerical});
            }
            return new Explanation(e, values, trace, grads, y);
        }
    }

    private static double valueAt(Expression e, String[] names, INDArray a) {
        try (Autograd.GradMode off = Autograd.noGrad()) {
            Map<String, Tensor> values = new LinkedHashMap<>();
            for (int i = 0; i < names.length; i++) {
                values.put(names[i], Tensor.scalar(a.getDouble(i)));
            }
            return e.evaluate(values).item();
        }
    }

    @Override
    public Integer call() throws IOException {
        Explanation x = explain(source, at);
        StringBuilder s = new StringBuilder("\nexpression: " + x.expression() + "\n\nforward values:\n");
        x.values().forEach((text, t) -> s.append(String.format("  %-40s = %s%n", text, t.item())));
        s.append("\nbackward trace (reverse topological order):\n").append(x.trace());
        s.append("\ngradients: autograd vs central differences\n");
        x.gradients().forEach((v, g) -> s.append(String.format("  d/d%-6s = %-22s numerical %-22s |diff| %.1e%n", v,
                g[0], g[1], Math.abs(g[0] - g[1]))));
        Path picture = Graphviz.write(x.output(), out.dir().resolve("explain.dot"));
        s.append("\ngraph: ").append(picture.toAbsolutePath()).append(picture.toString().endsWith(".dot")
                ? " (Graphviz's dot is not installed; render with: dot -Tpng " + picture + " -o explain.png)" : "");
        Ndgrad.LOG.info("{}", s);
        return 0;
    }
}
