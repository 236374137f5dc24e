package ndgrad.autograd;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import ndgrad.core.ShapeException;
import ndgrad.core.memory.Scope;
import ndgrad.core.memory.Storage;

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
     * As {@link #run(List, List, List, GradOptions)}, reporting each step to {@code observer} (may be null).
     *
     * <p>Memory: the gradients the pass computes live in a scope of its own and return to the pool when it ends;
     * what outlives it (captured gradients, leaves' and retained gradients, anything a hook saw) moves out first.
     * With createGraph, or an observer that keeps every gradient, there is no such scope. When the graph is freed,
     * the arrays its ops made with no scope open are retired ({@link Storage#retire}): they stay readable until the
     * next backward that frees a graph on this thread, then return to the pool, and so do the inputs the step made
     * for it (its batch), so a loop written without scopes recycles its arrays. A loss is read with {@code item()}
     * after the step; a value kept across steps needs {@code keep()}, as the error that refuses it says.
     */
    static Tensor[] run(List<Tensor> roots, List<Tensor> seeds, List<Tensor> capture, GradOptions options,
            Autograd.StepObserver observer) {
        Tensor[] captured = new Tensor[capture == null ? 0 : capture.size()];
        List<Object> order = topologicalOrder(roots);
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
                if (order.get(k) instanceof Tensor t) {
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
                    if (!t.isLeaf()) {
                        t.node().receive(t, g);
                    }
                    continue;
                }
                Function.Context node = (Function.Context) order.get(k);
                Tensor[] upstream = node.takePending();
                if (upstream == null) {
                    continue;
                }
                Tensor[] inputGrads = Autograd.isAnomalyEnabled() ? Anomaly.backward(node, upstream)
                        : node.backward(upstream);
                Tensor[] pushed = new Tensor[node.inputs.length];
                for (int i = 0; i < node.inputs.length; i++) {
                    Tensor in = node.inputs[i];
                    if (inputGrads[i] != null && in.isRequiresGrad()) {
                        pushed[i] = reduced(node, i, inputGrads[i], in);
                        grads.merge(in, pushed[i], Tensor::add);
                    }
                }
                if (observer != null) {
                    observer.step(node, upstream, pushed);
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
    private static void free(List<Object> order) {
        List<Storage> made = new ArrayList<>();
        List<Storage> inputs = new ArrayList<>();
        for (Object v : order) {
            if (v instanceof Function.Context node) {
                for (Tensor in : node.inputs) {
                    if (in.isLeaf() && !in.isRequiresGrad()) {
                        inputs.add(in.storage());
                    }
                }
                node.free(made);
            } else if (!((Tensor) v).isLeaf()) {
                made.add(((Tensor) v).storage());
            }
        }
        Storage.retire(made, inputs);
    }

    /** The gradient for input i summed to the input's shape; a rule that returns another shape is a bug. */
    private static Tensor reduced(Function.Context node, int i, Tensor grad, Tensor input) {
        long[] shape = input.dataUnchecked().shape();
        if (Arrays.equals(grad.dataUnchecked().shape(), shape)) {
            return grad;
        }
        try {
            return grad.sumTo(shape.clone());
        } catch (ShapeException e) {
            throw new AutogradException("backward of '" + node.name() + "' returned a gradient of shape "
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

    /**
     * Every tensor that requires grad and reaches a root, and the op that made each non-leaf, inputs before the op
     * that uses them and the op before its outputs (an iterative depth-first search).
     */
    static List<Object> topologicalOrder(List<Tensor> roots) {
        List<Object> order = new ArrayList<>();
        Set<Object> visited = Collections.newSetFromMap(new IdentityHashMap<>());
        ArrayDeque<Object> stack = new ArrayDeque<>();
        ArrayDeque<Integer> next = new ArrayDeque<>();
        for (Tensor root : roots) {
            if (!root.isRequiresGrad() || !visited.add(root)) {
                continue;
            }
            stack.push(root);
            next.push(0);
            while (!stack.isEmpty()) {
                Object v = stack.peek();
                int i = next.pop();
                Object child = null;
                if (v instanceof Tensor t) {
                    if (i == 0 && !t.isLeaf() && visited.add(t.node())) {
                        child = t.node();
                    }
                } else {
                    Tensor[] inputs = ((Function.Context) v).inputs;
                    while (i < inputs.length && (!inputs[i].isRequiresGrad() || visited.contains(inputs[i]))) {
                        i++;
                    }
                    if (i < inputs.length) {
                        child = inputs[i];
                        visited.add(child);
                    }
                }
                if (child != null) {
                    next.push(i + 1);
                    stack.push(child);
                    next.push(0);
                } else {
                    order.add(stack.pop());
                }
            }
        }
        return order;
    }
}
