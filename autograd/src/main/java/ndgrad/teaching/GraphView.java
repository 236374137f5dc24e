package ndgrad.teaching;

import ndgrad.autograd.Tensor;
import ndgrad.autograd.Function;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;

/**
 * The graph behind a tensor as the pictures and the trace show it: its values and its ops in forward (topological)
 * order, and one label per value. A named value keeps its name; an unnamed one is called after the op that made it
 * and numbered in forward order ({@code add1}, {@code add2}, {@code tanh1}), an unnamed leaf {@code leaf1}, ...
 * The trace, DOT, SVG and the HTML page all label values this way.
 */
final class GraphView {
    final List<Tensor> values = new ArrayList<>();
    final List<Function.Context> ops = new ArrayList<>();
    private final Map<Tensor, String> labels = new IdentityHashMap<>();
    private final Map<Tensor, Integer> valueIndex = new IdentityHashMap<>();
    private final Map<Function.Context, Integer> opIndex = new IdentityHashMap<>();

    private GraphView(Tensor root) {
        visit(root);
        Map<String, Integer> counts = new HashMap<>();
        for (Tensor t : values) {
            String label = t.name();
            if (label == null) {
                String prefix = t.isLeaf() ? "leaf" : t.node().name();
                label = prefix + counts.merge(prefix, 1, Integer::sum);
            }
            labels.put(t, label);
        }
    }

    /** The graph of every value and op that {@code root} was computed from. */
    static GraphView of(Tensor root) {
        return new GraphView(root);
    }

    /** Depth first, inputs before the op, the op before its outputs (no recursion: graphs can be deep). */
    private void visit(Tensor root) {
        List<Object> stack = new ArrayList<>(List.of(root));
        Map<Object, Boolean> expanded = new IdentityHashMap<>();
        while (!stack.isEmpty()) {
            Object top = stack.get(stack.size() - 1);
            if (top instanceof Tensor t && valueIndex.containsKey(t)
                    || top instanceof Function.Context c && opIndex.containsKey(c)) {
                stack.remove(stack.size() - 1);
                continue;
            }
            if (expanded.put(top, Boolean.TRUE) == null) {
                if (top instanceof Tensor t && !t.isLeaf()) {
                    stack.add(t.node());
                } else if (top instanceof Function.Context c) {
                    for (int i = c.inputs().size() - 1; i >= 0; i--) {
                        stack.add(c.inputs().get(i));
                    }
                }
                continue;
            }
            stack.remove(stack.size() - 1);
            if (top instanceof Tensor t) {
                valueIndex.put(t, values.size());
                values.add(t);
            } else {
                Function.Context c = (Function.Context) top;
                opIndex.put(c, ops.size());
                ops.add(c);
            }
        }
    }

    /** The value's label (see the class comment); a tensor outside the graph gets its name or "?". */
    String label(Tensor t) {
        String l = labels.get(t);
        return l != null ? l : t.name() != null ? t.name() : "?";
    }

    /** The value's position in forward order (its SVG id is {@code v<index>}). */
    int index(Tensor t) {
        return valueIndex.get(t);
    }

    /** The op's position in forward order (its SVG id is {@code op<index>}). */
    int index(Function.Context c) {
        return opIndex.get(c);
    }

    /** The outputs of {@code c} that the graph holds (an op of several outputs may have some unused). */
    List<Tensor> outputs(Function.Context c) {
        List<Tensor> out = new ArrayList<>();
        for (Tensor t : c.outputs()) {
            if (t != null && valueIndex.containsKey(t)) {
                out.add(t);
            }
        }
        return out;
    }
}
