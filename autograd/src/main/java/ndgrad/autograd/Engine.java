package ndgrad.autograd;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import ndgrad.core.Scope;
import ndgrad.core.ShapeException;

/**
 * The backward pass, as in micrograd's {@code engine.py}: a topological order from the outputs, seed gradients,
 * then one reverse loop in which each node's rule pushes its output's gradient to its inputs. Broadcast inputs get
 * their gradient summed back to their shape; leaves accumulate it into {@code .grad}.
 */
final class Engine {
    private Engine() {
    }

    /**
     * Runs backward from {@code roots} with {@code seeds} (null: ones for one-element roots). When {@code capture}
     * is null, leaves (and tensors that retain their grad) accumulate into .grad; otherwise nothing's .grad changes
     * and the gradients reaching each captured tensor are returned in its order (null where none arrived).
     */
    static Tensor[] run(List<Tensor> roots, List<Tensor> seeds, List<Tensor> capture, GradOptions options) {
        return run(roots, seeds, capture, options, null);
    }

    /**
     * Sees each step of the reverse loop: the op's output, the gradient reaching it, and the gradient pushed to
     * each input (summed to the input's shape; null for inputs that do not require grad).
     */
    @FunctionalInterface
    interface Observer {
        void step(Tensor output, Tensor upstream, Tensor[] inputGrads);
    }

    /**
     * As {@link #run(List, List, List, GradOptions)}, reporting each step to {@code observer} (may be null).
     *
     * <p>Memory: the gradients the pass computes live in a scope of its own and return to the pool when it ends;
     * what outlives it (captured gradients, leaves' and retained gradients, anything a hook saw) moves out first.
     * With createGraph, or an observer that keeps every gradient, there is no such scope. When the graph is freed,
     * the arrays its ops made with no scope open are retired ({@link Scope#retire}): they stay readable until the
     * next backward that frees a graph on this thread, then return to the pool, and so do the inputs the step made
     * for it (its batch), so a loop written without scopes recycles its arrays. A loss is read with {@code item()}
     * after the step; a value kept across steps needs {@code keep()}, as the error that refuses it says.
     */
    static Tensor[] run(List<Tensor> roots, List<Tensor> seeds, List<Tensor> capture, GradOptions options,
            Observer observer) {
        Tensor[] captured = new Tensor[capture == null ? 0 : capture.size()];
        List<Tensor> order = topologicalOrder(roots);
        try (Scope temporaries = options.createGraph() || observer != null ? null : Scope.open();
                Autograd.GradMode mode = Autograd.setGradEnabled(options.createGraph())) {
            Map<Tensor, Tensor> grads = new IdentityHashMap<>();
            for (int i = 0; i < roots.size(); i++) {
                Tensor root = roots.get(i);
                grads.merge(root, seed(root, seeds == null ? null : seeds.get(i), i), Tensor::add);
            }
            Map<Tensor, Integer> captureIndex = new IdentityHashMap<>();
            for (int i = 0; capture != null && i < capture.size(); i++) {
                captureIndex.put(capture.get(i), i);
            }
            for (int k = order.size() - 1; k >= 0; k--) {
                Tensor t = order.get(k);
                Tensor g = grads.remove(t);
                if (g == null) {
                    continue;
                }
                g = t.applyHooks(g, temporaries);
                Integer slot = captureIndex.get(t);
                if (slot != null) {
                    captured[slot] = g.outlive(temporaries);
                } else if (capture == null && (t.isLeaf() || t.retainsGrad())) {
                    t.accumulateGrad(g, options.createGraph());
                }
                if (t.isLeaf()) {
                    continue;
                }
                Node node = t.node();
                Tensor[] inputGrads = Autograd.isAnomalyEnabled() ? Anomaly.backward(node, g, t) : node.backward(g, t);
                Tensor[] pushed = new Tensor[node.inputs.length];
                for (int i = 0; i < node.inputs.length; i++) {
                    Tensor in = node.inputs[i];
                    if (inputGrads[i] != null && in.isRequiresGrad()) {
                        pushed[i] = reduced(node, i, inputGrads[i], in);
                        grads.merge(in, pushed[i], Tensor::add);
                    }
                }
                if (observer != null) {
                    observer.step(t, g, pushed);
                }
            }
        }
        if (!options.retainGraph()) {
            free(order);
        }
        return captured;
    }

    /**
     * Frees the graph's nodes and retires the arrays its ops made with no scope open, and those of the inputs it
     * took without their gradient (the recycler keeps the ones that are not this step's own).
     */
    private static void free(List<Tensor> order) {
        List<Scope.Lease> made = new ArrayList<>();
        Set<Tensor> inputs = Collections.newSetFromMap(new IdentityHashMap<>());
        ArrayDeque<Tensor> todo = new ArrayDeque<>();
        for (Tensor t : order) {
            if (!t.isLeaf()) {
                for (Tensor in : t.node().inputs) {
                    if (in.isLeaf() && !in.isRequiresGrad()) {
                        todo.push(in);
                    }
                }
                t.node().free(made);
                if (t.retirable()) {
                    made.add(t.lease());
                }
            }
        }
        while (!todo.isEmpty()) {
            Tensor in = todo.pop();
            if (in.retirable() && inputs.add(in)) {
                todo.addAll(List.of(in.sources()));
            }
        }
        Scope.retire(made, inputs.stream().map(Tensor::lease).toList());
    }

    /** The gradient for input i summed to the input's shape; a rule that returns another shape is a bug. */
    private static Tensor reduced(Node node, int i, Tensor grad, Tensor input) {
        try {
            return grad.sumTo(input.shape());
        } catch (ShapeException e) {
            throw new AutogradException("backward of '" + node.op + "' returned a gradient of shape "
                    + grad.shapeString() + " for its input " + i + " of shape " + input.shapeString());
        }
    }

    private static Tensor seed(Tensor root, Tensor seed, int index) {
        if (!root.isRequiresGrad()) {
            throw new AutogradException("backward: output " + index + " (" + root.describe()
                    + ") does not require grad and has no graph; did you call requiresGrad() on an input, and is "
                    + "grad mode on?");
        }
        if (seed == null) {
            if (root.numel() != 1) {
                throw new AutogradException("backward: a gradient can be created implicitly only for one-element "
                        + "outputs, but output " + index + " has shape " + root.shapeString()
                        + "; pass a gradient of that shape, e.g. backward(Tensor.onesLike(y))");
            }
            return Tensor.onesLike(root);
        }
        if (!Arrays.equals(seed.shape(), root.shape()) || seed.dtype() != root.dtype()) {
            throw new AutogradException("backward: the gradient for output " + index + " has shape "
                    + seed.shapeString() + " and dtype " + seed.dtype() + ", expected shape " + root.shapeString()
                    + " and dtype " + root.dtype());
        }
        return seed;
    }

    /** Every tensor that requires grad and reaches a root, inputs before the ops that use them (iterative DFS). */
    static List<Tensor> topologicalOrder(List<Tensor> roots) {
        List<Tensor> order = new ArrayList<>();
        Set<Tensor> visited = Collections.newSetFromMap(new IdentityHashMap<>());
        ArrayDeque<Tensor> stack = new ArrayDeque<>();
        ArrayDeque<Integer> next = new ArrayDeque<>();
        for (Tensor root : roots) {
            if (!root.isRequiresGrad() || !visited.add(root)) {
                continue;
            }
            stack.push(root);
            next.push(0);
            while (!stack.isEmpty()) {
                Tensor t = stack.peek();
                int i = next.pop();
                Tensor[] inputs = t.isLeaf() ? new Tensor[0] : t.node().inputs;
                while (i < inputs.length && (!inputs[i].isRequiresGrad() || visited.contains(inputs[i]))) {
                    i++;
                }
                if (i < inputs.length) {
                    next.push(i + 1);
                    visited.add(inputs[i]);
                    stack.push(inputs[i]);
                    next.push(0);
                } else {
                    order.add(stack.pop());
                }
            }
        }
        return order;
    }
}
