package ndgrad.teaching;

import ndgrad.autograd.Tensor;
import ndgrad.autograd.Function;
import ndgrad.autograd.GradOptions;
import ndgrad.autograd.AutogradException;
import ndgrad.autograd.Autograd;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * A backward pass, step by step: in reverse topological order, each op's output, the gradient reaching it, and for
 * each input the local derivative, as a rule (e.g. ∂(a·b)/∂a = b, as the op's {@link Function} states it) and as
 * values, and the gradient pushed to it. Values are labelled as in the pictures ({@link Graphviz}): by name, else
 * after their op ({@code add1}, {@code add2}).
 *
 * <p>The trace watches a backward pass without changing anything: leaves' {@code .grad} stay as they were (the
 * trace holds the gradients, {@link #grad(Tensor)}) and the graph is kept, so {@code backward()} can run after the
 * trace, and the trace after a {@code backward()} that retained the graph.
 *
 * <p>Usage: {@code System.out.println(BackwardTrace.run(y));}
 */
public final class BackwardTrace {
    /**
     * One input of a step: its label, the local derivative as a rule and as values (null where they are not
     * shown: for an op that is neither elementwise nor of one output element, it is a Jacobian), and the gradient
     * pushed to it (null: it needs none).
     */
    public record Input(String label, String rule, Tensor local, Tensor grad) {
    }

    /** One op: its label, the output's label, the gradient reaching the output, and its inputs. */
    public record Step(String op, String output, Tensor upstream, List<Input> inputs) {
    }

    private final GraphView graph;
    private final List<Step> steps;
    private final List<Function.Context> ops;
    private final Map<Tensor, Tensor> grads;

    private BackwardTrace(GraphView graph, List<Step> steps, List<Function.Context> ops, Map<Tensor, Tensor> grads) {
        this.graph = graph;
        this.steps = steps;
        this.ops = ops;
        this.grads = grads;
    }

    /** Runs backward from the one-element {@code output}, recording every step. */
    public static BackwardTrace run(Tensor output) {
        GraphView graph = GraphView.of(output);
        for (Function.Context op : graph.ops) {
            if (op.isFreed()) {
                throw new AutogradException("BackwardTrace: the graph of " + graph.label(output) + " was freed by "
                        + "a backward() that did not retain it (its op '" + op.name() + "' has no saved values). "
                        + "Trace before backward() (the trace changes no .grad and keeps the graph), or call "
                        + "backward(null, GradOptions.defaults().retainGraph(true)) and then trace");
            }
        }
        List<Tensor> leaves = graph.values.stream().filter(t -> t.isLeaf() && t.isRequiresGrad()).toList();
        Map<Tensor, Tensor> grads = new IdentityHashMap<>();
        List<Step> steps = new ArrayList<>();
        List<Function.Context> ops = new ArrayList<>();
        Tensor[] leafGrads = Autograd.observe(output, leaves, (n, upstream, pushed) -> {
                    Tensor[] local = local(n);
                    List<Input> inputs = new ArrayList<>();
                    String[] names = new String[n.inputs().size()];
                    for (int i = 0; i < names.length; i++) {
                        names[i] = graph.label(n.inputs().get(i));
                    }
                    for (int i = 0; i < n.inputs().size(); i++) {
                        String rule = n.function().rule(i);
                        inputs.add(new Input(names[i], rule != null ? operands(rule, names)
                                : "∂" + n.name() + "/∂input" + i, local == null ? null : local[i], pushed[i]));
                    }
                    List<Tensor> outputs = graph.outputs(n);
                    for (Tensor t : outputs) {
                        for (int k = 0; k < n.outputs().size(); k++) {
                            if (n.outputs().get(k) == t) {
                                grads.put(t, upstream[k]);
                            }
                        }
                    }
                    String out = outputs.stream().map(graph::label).collect(Collectors.joining(", "));
                    steps.add(new Step(n.name(), out, upstream[0], inputs));
                    ops.add(n);
                });
        for (int i = 0; i < leaves.size(); i++) {
            if (leafGrads[i] != null) {
                grads.put(leaves.get(i), leafGrads[i]);
            }
        }
        if (output.isLeaf()) {
            grads.put(output, Tensor.onesLike(output));
        }
        return new BackwardTrace(graph, steps, ops, grads);
    }

    /**
     * The local derivatives of a one-output op as values, from its own backward applied to a gradient of ones: for
     * an elementwise op, ∂out/∂in at each output element; for an op of one output element, ∂out/∂in at each input
     * element. Null for other ops (their local derivative is a Jacobian).
     */
    private static Tensor[] local(Function.Context n) {
        if (n.outputs().size() != 1 || !n.function().isElementwise() && n.outputs().get(0).numel() != 1) {
            return null;
        }
        Tensor[] local = n.backward(new Tensor[] {Tensor.onesLike(n.outputs().get(0))});
        for (int i = 0; i < local.length; i++) {
            if (local[i] != null && !n.inputs().get(i).isRequiresGrad()) {
                local[i] = null;
            }
        }
        return local;
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

    /** The steps, in the order backward took them. */
    public List<Step> steps() {
        return steps;
    }

    /**
     * The gradient of the traced output with respect to {@code t}, a value of its graph: 1 for the output itself,
     * the gradient reaching an op's output, a leaf's total; null where none arrived.
     */
    public Tensor grad(Tensor t) {
        return grads.get(t);
    }

    /** The graph the trace ran on, labelled as the trace labels it. */
    GraphView graph() {
        return graph;
    }

    /** The op of step {@code k}. */
    Function.Context op(int k) {
        return ops.get(k);
    }

    /** A table: step, op, output and its gradient, then per input the rule, its values and the gradient pushed. */
    @Override
    public String toString() {
        int out = "output".length();
        int in = "input".length();
        int rule = "local derivative".length();
        int up = "grad in".length();
        for (Step st : steps) {
            out = Math.max(out, st.output().length());
            up = Math.max(up, values(st.upstream()).length());
            for (Input i : st.inputs()) {
                in = Math.max(in, i.label().length());
                rule = Math.max(rule, i.rule().length() + (i.local() == null ? 0 : 3 + values(i.local()).length()));
            }
        }
        String row = "%-4s %-8s %-" + out + "s %-" + up + "s %-" + in + "s %-" + rule + "s %s%n";
        StringBuilder s = new StringBuilder(String.format(row, "step", "op", "output", "grad in", "input",
                "local derivative", "grad pushed"));
        for (int k = 0; k < steps.size(); k++) {
            Step st = steps.get(k);
            for (int i = 0; i < st.inputs().size(); i++) {
                Input x = st.inputs().get(i);
                s.append(String.format(row, i == 0 ? k + 1 : "", i == 0 ? st.op() : "", i == 0 ? st.output() : "",
                        i == 0 ? values(st.upstream()) : "", x.label(),
                        x.local() == null ? x.rule() : x.rule() + " = " + values(x.local()),
                        x.grad() == null ? "-" : values(x.grad())));
            }
        }
        return s.toString();
    }

    private static String values(Tensor t) {
        return Graphviz.values(t);
    }
}
