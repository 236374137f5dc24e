package ndgrad.autograd;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * A backward pass, step by step: in reverse topological order, each op's output, the gradient reaching it, and for
 * each input the local derivative rule applied (e.g. ∂(a·b)/∂a = b, as the op's {@link Function} states it) and the
 * gradient pushed to it. Running the
 * trace is a real backward pass: leaves' {@code .grad} accumulate as with {@link Tensor#backward()}.
 *
 * <p>Usage: {@code System.out.println(BackwardTrace.run(y));}
 */
public final class BackwardTrace {
    /** One input of a step: its label, the local rule, and the gradient pushed to it (null: it needs none). */
    public record Input(String label, String rule, Tensor grad) {
    }

    /** One op: its label, the output's label, the gradient reaching the output, and its inputs. */
    public record Step(String op, String output, Tensor upstream, List<Input> inputs) {
    }

    private final List<Step> steps;

    private BackwardTrace(List<Step> steps) {
        this.steps = steps;
    }

    /** Runs backward from the one-element {@code output}, recording every step. */
    public static BackwardTrace run(Tensor output) {
        Map<Tensor, String> labels = new IdentityHashMap<>();
        List<Step> steps = new ArrayList<>();
        Engine.run(List.of(output), null, null, GradOptions.defaults(), (n, upstream, grads) -> {
            List<Input> inputs = new ArrayList<>();
            String[] names = new String[n.inputs.length];
            for (int i = 0; i < names.length; i++) {
                names[i] = label(n.inputs[i], labels);
            }
            for (int i = 0; i < n.inputs.length; i++) {
                String rule = n.function.rule(i);
                inputs.add(new Input(names[i], rule != null ? operands(rule, names) : "∂" + n.name() + "/∂input" + i,
                        grads[i]));
            }
            String out = Arrays.stream(n.outputs).map(t -> label(t, labels)).collect(Collectors.joining(", "));
            steps.add(new Step(n.name(), out, upstream[0], inputs));
        });
        return new BackwardTrace(steps);
    }

    /** A rule with its symbols a, b (binary) or x (unary) replaced by the operands' labels. */
    private static String operands(String rule, String[] names) {
        String[] symbols = names.length == 1 ? new String[] {"x"} : new String[] {"a", "b"};
        String r = rule;
        for (int i = 0; i < symbols.length; i++) {
            String name = java.util.regex.Matcher.quoteReplacement(names[i]);
            r = r.replace("(" + symbols[i] + ")", "(" + names[i] + ")").replaceAll("\\b" + symbols[i] + "\\b",
                    names[i].matches("\\w+") || names[i].startsWith("(") ? name : "(" + name + ")");
        }
        return r;
    }

    private static String label(Tensor t, Map<Tensor, String> labels) {
        return labels.computeIfAbsent(t, k -> k.name() != null ? k.name() : (k.isLeaf() ? "c" : k.node().name())
                + labels.size());
    }

    /** The steps, in the order backward took them. */
    public List<Step> steps() {
        return steps;
    }

    /** A table: step, op, output and its gradient, then per input the rule and the gradient pushed. */
    @Override
    public String toString() {
        int out = "output".length();
        int in = "input".length();
        int rule = "local derivative".length();
        for (Step st : steps) {
            out = Math.max(out, st.output().length());
            for (Input i : st.inputs()) {
                in = Math.max(in, i.label().length());
                rule = Math.max(rule, i.rule().length());
            }
        }
        String row = "%-4s %-8s %-" + out + "s %-10s %-" + in + "s %-" + rule + "s %s%n";
        StringBuilder s = new StringBuilder(String.format(row, "step", "op", "output", "grad in", "input",
                "local derivative", "grad pushed"));
        for (int k = 0; k < steps.size(); k++) {
            Step st = steps.get(k);
            for (int i = 0; i < st.inputs().size(); i++) {
                Input x = st.inputs().get(i);
                s.append(String.format(row, i == 0 ? k + 1 : "", i == 0 ? st.op() : "", i == 0 ? st.output() : "",
                        i == 0 ? Graphviz.values(st.upstream()) : "", x.label(), x.rule(),
                        x.grad() == null ? "-" : Graphviz.values(x.grad())));
            }
        }
        return s.toString();
    }
}
