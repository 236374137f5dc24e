package ndgrad.autograd;

import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;

/**
 * A backward pass, step by step: in reverse topological order, each op's output, the gradient reaching it, and for
 * each input the local derivative rule applied (e.g. ∂(a·b)/∂a = b) and the gradient pushed to it. Running the
 * trace is a real backward pass: leaves' {@code .grad} accumulate as with {@link Tensor#backward()}.
 *
 * <p>Usage: {@code System.out.println(BackwardTrace.run(y));}
 */
public final class BackwardTrace {
    /** One input of a step: its label, the local rule, and the gradient pushed to it (null if none). */
    public record Input(String label, String rule, Tensor grad) {
    }

    /** One op: its label, the output's label, the gradient reaching the output, and its inputs. */
    public record Step(String op, String output, Tensor upstream, List<Input> inputs) {
    }

    private static final Map<String, String[]> RULES = Map.ofEntries(
            Map.entry("add/2", new String[] {"1", "1"}), Map.entry("add/1", new String[] {"1"}),
            Map.entry("sub/2", new String[] {"1", "-1"}), Map.entry("mul/2", new String[] {"b", "a"}),
            Map.entry("mul/1", new String[] {"c (constant)"}), Map.entry("div/2", new String[] {"1/b", "-a/b²"}),
            Map.entry("div/1", new String[] {"1/c"}), Map.entry("neg/1", new String[] {"-1"}),
            Map.entry("pow/1", new String[] {"p·x^(p-1)"}), Map.entry("pow/2", new String[] {"b·a^(b-1)", "a^b·ln a"}),
            Map.entry("exp/1", new String[] {"exp(x)"}), Map.entry("log/1", new String[] {"1/x"}),
            Map.entry("sin/1", new String[] {"cos x"}), Map.entry("cos/1", new String[] {"-sin x"}),
            Map.entry("sqrt/1", new String[] {"1/(2√x)"}), Map.entry("abs/1", new String[] {"sign(x)"}),
            Map.entry("tanh/1", new String[] {"1 - tanh²(x)"}), Map.entry("sigmoid/1", new String[] {"σ(x)(1 - σ(x))"}),
            Map.entry("relu/1", new String[] {"1 if x > 0 else 0"}), Map.entry("softplus/1", new String[] {"σ(x)"}),
            Map.entry("erf/1", new String[] {"2/√π·exp(-x²)"}), Map.entry("matmul/2", new String[] {"G·Bᵀ", "Aᵀ·G"}),
            Map.entry("sum/1", new String[] {"1 (broadcast)"}), Map.entry("reshape/1", new String[] {"reshape back"}));

    private final List<Step> steps;

    private BackwardTrace(List<Step> steps) {
        this.steps = steps;
    }

    /** Runs backward from the one-element {@code output}, recording every step. */
    public static BackwardTrace run(Tensor output) {
        Map<Tensor, String> labels = new IdentityHashMap<>();
        List<Step> steps = new ArrayList<>();
        Engine.run(List.of(output), null, null, GradOptions.defaults(), (out, upstream, grads) -> {
            Node n = out.node();
            String[] rules = RULES.getOrDefault(n.op + "/" + n.inputs.length, new String[0]);
            List<Input> inputs = new ArrayList<>();
            for (int i = 0; i < n.inputs.length; i++) {
                inputs.add(new Input(label(n.inputs[i], labels), i < rules.length ? rules[i] : "∂" + n.op + "/∂input"
                        + i, grads[i] == null ? null : grads[i].sumTo(n.inputs[i].shape())));
            }
            steps.add(new Step(n.op, label(out, labels), upstream, inputs));
        });
        return new BackwardTrace(steps);
    }

    private static String label(Tensor t, Map<Tensor, String> labels) {
        return labels.computeIfAbsent(t, k -> k.name() != null ? k.name() : (k.isLeaf() ? "c" : k.node().op)
                + labels.size());
    }

    /** The steps, in the order backward took them. */
    public List<Step> steps() {
        return steps;
    }

    /** A table: step, op, output and its gradient, then per input the rule and the gradient pushed. */
    @Override
    public String toString() {
        StringBuilder s = new StringBuilder(String.format("%-4s %-8s %-10s %-14s %-10s %-18s %s%n", "step", "op",
                "output", "grad in", "input", "local rule", "grad pushed"));
        for (int k = 0; k < steps.size(); k++) {
            Step st = steps.get(k);
            for (int i = 0; i < st.inputs().size(); i++) {
                Input in = st.inputs().get(i);
                s.append(String.format("%-4s %-8s %-10s %-14s %-10s %-18s %s%n", i == 0 ? k + 1 : "",
                        i == 0 ? st.op() : "", i == 0 ? st.output() : "", i == 0 ? Graphviz.values(st.upstream()) : "",
                        in.label(), in.rule(), in.grad() == null ? "-" : Graphviz.values(in.grad())));
            }
        }
        return s.toString();
    }
}
