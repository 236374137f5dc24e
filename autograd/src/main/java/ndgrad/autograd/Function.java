package ndgrad.autograd;

import java.util.Arrays;
import java.util.List;
import java.util.function.Supplier;
import ndgrad.core.NdArrays;
import ndgrad.core.memory.Scope;
import ndgrad.core.memory.Storage;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * A differentiable operation with its own backward rule, as PyTorch's {@code torch.autograd.Function}: {@code
 * forward} computes the outputs from the inputs (with recording off) and saves in its {@link Context} what the
 * backward needs; {@code backward} turns the gradients of the outputs into gradients of the inputs. Every built-in
 * op of ndgrad is one. A backward written with tensor ops is recorded when the caller asks for a graph of the
 * gradient ({@code createGraph}), so it can be differentiated again; {@link #onceDifferentiable()} says it cannot.
 * As in PyTorch, save inputs and outputs, and compute other intermediates again in backward: a tensor made in
 * forward carries no graph, so a second derivative would take it as a constant.
 *
 * <p>Usage:
 * <pre>{@code
 * class Swish extends Function {
 *     Swish() { super("swish", "σ(x)(1 + x(1 - σ(x)))"); }
 *     protected Tensor[] forward(Context ctx, Tensor... in) {
 *         ctx.save(in[0]);
 *         return tensors(in[0].mul(in[0].sigmoid()));
 *     }
 *     protected Tensor[] backward(Context ctx, Tensor... grads) {
 *         Tensor x = ctx.saved(0), s = x.sigmoid();
 *         return tensors(grads[0].mul(s.mul(x.mul(s.rsub(1)).add(1))));
 *     }
 * }
 * Tensor y = new Swish().apply(x);
 * }</pre>
 */
public abstract class Function {
    private final String name;
    private final String[] rules;

    /**
     * An op called {@code name} (in traces, pictures and errors), with the local derivative of its output with
     * respect to each input as text, in the symbols x (one input) or a, b (two): {@code "b", "a"} for a·b.
     */
    protected Function(String name, String... rules) {
        if (name == null || name.isBlank()) {
            throw new IllegalArgumentException("Function: expected a name, got '" + name + "'");
        }
        this.name = name;
        this.rules = rules.clone();
    }

    /**
     * Whether each output element depends only on the same element of each (broadcast) input: then a teaching trace
     * shows its local derivatives as values (false unless an op says so).
     */
    public boolean isElementwise() {
        return false;
    }

    /** The op's name. */
    public final String name() {
        return name;
    }

    /** The local derivative with respect to input {@code i} as text, or null when the op gave none. */
    public final String rule(int i) {
        return i < rules.length ? rules[i] : null;
    }

    /**
     * Computes the outputs. Runs with recording off; {@code inputs} are the caller's tensors, so saving one saves
     * it with its graph. An output must be a new tensor or a view of an input; an input returned as it is becomes a
     * view of it.
     */
    protected abstract Tensor[] forward(Context ctx, Tensor... inputs);

    /**
     * The gradient of each input (null for inputs that need none, see {@link Context#needsInputGrad}), each of its
     * input's shape or broadcastable to it, from the gradient of each output (zeros for an output that no gradient
     * reached).
     */
    protected abstract Tensor[] backward(Context ctx, Tensor... gradOutputs);

    /**
     * Whether the backward may only run unrecorded (PyTorch's {@code once_differentiable}): asked for a graph of the
     * gradient, ndgrad computes it unrecorded and a second derivative through it throws an error naming this op.
     */
    protected boolean onceDifferentiable() {
        return false;
    }

    /** Applies the op to {@code inputs} and returns its one output. */
    public final Tensor apply(Tensor... inputs) {
        Tensor[] outputs = applyAll(inputs);
        if (outputs.length != 1) {
            throw new AutogradException(name + ": apply returns one output, but the op has " + outputs.length
                    + "; use applyAll");
        }
        return outputs[0];
    }

    /**
     * Applies the op to {@code inputs} and returns its outputs; when grad mode is on and an input requires grad,
     * records the op so that backward reaches the inputs.
     */
    public final Tensor[] applyAll(Tensor... inputs) {
        for (Tensor in : inputs) {
            if (in == null) {
                throw new AutogradException(name + ": an input is null");
            }
            in.array();
        }
        boolean enabled = Autograd.isGradEnabled();
        boolean record = enabled && anyRequiresGrad(inputs);
        Context ctx = new Context(this, inputs, record);
        Tensor[] outputs;
        if (enabled) {
            try (Autograd.GradMode off = Autograd.setGradEnabled(false)) {
                outputs = forward(ctx, inputs);
            }
        } else {
            outputs = forward(ctx, inputs);
        }
        if (outputs == null || outputs.length == 0) {
            throw new AutogradException(name + ": forward returned no outputs");
        }
        for (int i = 0; i < outputs.length; i++) {
            Tensor out = outputs[i];
            if (out == null) {
                throw new AutogradException(name + ": forward returned null for output " + i);
            }
            if (out.node() != null || out.isRequiresGrad() || Arrays.asList(inputs).contains(out)) {
                outputs[i] = out = Tensor.viewOf(out);
            }
            if (record) {
                out.record(ctx, !ctx.nonDifferentiable(out));
            } else {
                out.watchUnrecorded(inputs);
            }
            if (Autograd.isAnomalyEnabled()) {
                Anomaly.checkForward(name, out, inputs);
            }
        }
        if (record) {
            ctx.outputs = outputs;
            ctx.origin = Autograd.isAnomalyEnabled() ? Anomaly.callerOutsideNdgrad() : null;
        }
        return outputs;
    }

    private static boolean anyRequiresGrad(Tensor[] inputs) {
        for (Tensor in : inputs) {
            if (in.isRequiresGrad()) {
                return true;
            }
        }
        return false;
    }

    /** Its arguments as an array: {@code return tensors(y);} in a forward, {@code tensors(ga, gb)} in a backward. */
    protected static Tensor[] tensors(Tensor... ts) {
        return ts;
    }

    /**
     * What one application of a {@link Function} keeps for its backward, and the node of the graph that records it:
     * the inputs, the saved tensors with their versions, and which inputs need a gradient. Reading a saved tensor
     * that was changed in place since, or whose memory was released, fails with an error naming the op.
     */
    public static final class Context {
        private static final Tensor[] NONE = new Tensor[0];

        final Function function;
        final Tensor[] inputs;
        Tensor[] outputs = NONE;
        /** Where in user code the op was created (anomaly mode only), else null. */
        StackTraceElement origin;
        private final boolean record;
        private Tensor[] saved = NONE;
        private int[] versions = new int[0];
        /** Tensors the op made for its backward alone (not inputs or outputs), recycled with the graph. */
        private Tensor[] temporaries = NONE;
        private Tensor[] nonDifferentiable = NONE;
        /** Gradients of the outputs gathered during a backward pass. */
        private Tensor[] pending;
        private boolean freed;

        Context(Function function, Tensor[] inputs, boolean record) {
            this.function = function;
            this.inputs = inputs;
            this.record = record;
        }

        /** Saves one tensor for the backward and returns it. */
        public Tensor save(Tensor t) {
            save(new Tensor[] {t});
            return t;
        }

        /** Saves tensors (inputs, outputs or others) for the backward; read them with {@link #saved(int)}. */
        public void save(Tensor... ts) {
            if (!record) {
                return;
            }
            int n = saved.length;
            saved = Arrays.copyOf(saved, n + ts.length);
            versions = Arrays.copyOf(versions, n + ts.length);
            for (int i = 0; i < ts.length; i++) {
                saved[n + i] = ts[i];
                versions[n + i] = ts[i].version();
            }
        }

        /** Saved tensor {@code i}, in the order of the {@link #save} calls. */
        public Tensor saved(int i) {
            if (i < 0 || i >= saved.length) {
                throw new AutogradException(function.name + ": saved tensor " + i + " was requested, but "
                        + saved.length + " were saved");
            }
            return saved[i];
        }

        /** Whether input {@code i} needs a gradient (it requires grad and recording was on). */
        public boolean needsInputGrad(int i) {
            return record && inputs[i].isRequiresGrad();
        }

        /** {@code grad.get()} when input {@code i} needs a gradient, else null without computing it. */
        public Tensor inputGrad(int i, Supplier<Tensor> grad) {
            return needsInputGrad(i) ? grad.get() : null;
        }

        /** Marks outputs that carry no gradient (indices, masks), as PyTorch's {@code mark_non_differentiable}. */
        public void markNonDifferentiable(Tensor... outputs) {
            nonDifferentiable = outputs.clone();
        }

        /** The op's inputs, in order. */
        public List<Tensor> inputs() {
            return List.of(inputs);
        }

        /** The op's outputs, in order (empty while its forward runs). */
        public List<Tensor> outputs() {
            return List.of(outputs);
        }

        /** The op's definition: its name, rules and backward. */
        public Function function() {
            return function;
        }

        /** The number of inputs. */
        public int inputCount() {
            return inputs.length;
        }

        /** The op's name. */
        public String name() {
            return function.name;
        }

        /** Whether a backward that did not retain the graph freed this op's saved values. */
        public boolean isFreed() {
            return freed;
        }

        /**
         * A new output over {@code value}, an array the op computed: a view when it shares memory with an input
         * (sharing its version counter and lease), else a new tensor owned by the current scope or, with none open,
         * recycled by the engine with the graph.
         */
        Tensor output(INDArray value) {
            for (Tensor in : inputs) {
                if (NdArrays.sharesMemory(value, in.dataUnchecked())) {
                    return Tensor.viewOf(in, value);
                }
            }
            return Tensor.adopted(value);
        }

        /**
         * A new array of {@code type} and {@code shape} for the op's backward alone, saved (read it with
         * {@link #saved(int)} in the order of the saves) and let go with the graph; unspecified contents, for the
         * forward to fill.
         */
        Tensor scratch(DataType type, long... shape) {
            Tensor t = Tensor.constant(Scope.allocate(type, shape));
            if (record) {
                save(t);
                temporaries = Arrays.copyOf(temporaries, temporaries.length + 1);
                temporaries[temporaries.length - 1] = t;
            }
            return t;
        }

        boolean nonDifferentiable(Tensor out) {
            return Arrays.asList(nonDifferentiable).contains(out);
        }

        /** Takes the gradient reaching {@code output} during a backward pass. */
        void receive(Tensor output, Tensor grad) {
            if (pending == null) {
                pending = new Tensor[outputs.length];
            }
            for (int i = 0; i < outputs.length; i++) {
                if (outputs[i] == output) {
                    pending[i] = grad;
                }
            }
        }

        /** The gradients of the outputs gathered so far (zeros for those that got none), or null when none did. */
        Tensor[] takePending() {
            Tensor[] g = pending;
            pending = null;
            if (g != null) {
                for (int i = 0; i < g.length; i++) {
                    if (g[i] == null) {
                        g[i] = Tensor.zerosLike(outputs[i]);
                    }
                }
            }
            return g;
        }

        /**
         * Runs this op's backward rule on gradients of its outputs, after checking that the graph is still there and
         * its saved values are intact, and returns one gradient per input (null where none), as calling PyTorch's
         * {@code grad_fn} does. Usage: {@code y.node().backward(Tensor.onesLike(y))}.
         */
        public Tensor[] backward(Tensor... gradOutputs) {
            if (freed) {
                throw new AutogradException(function.name + ": trying to backward through the graph a second time; "
                        + "its saved values were freed after the first backward(). Pass GradOptions.defaults()"
                        + ".retainGraph(true) to the first call if you need to call backward twice.");
            }
            for (Tensor t : saved) {
                if (t.isReleased()) {
                    throw new AutogradException(function.name + ": a value needed for its gradient, " + t.describe()
                            + ", was released (its Scope closed, or a later backward() recycled the graph that "
                            + "made it); run backward() before that, or keep() the value");
                }
            }
            for (int i = 0; i < saved.length; i++) {
                if (saved[i].version() != versions[i]) {
                    throw new AutogradException(function.name + ": a value needed for its gradient, "
                            + saved[i].describe() + ", has been modified by an in-place operation (saved at version "
                            + versions[i] + ", now version " + saved[i].version() + "). Use an out-of-place op (e.g. "
                            + "add instead of addi), or modify it only after backward().");
                }
            }
            Tensor[] grads;
            if (function.onceDifferentiable() && Autograd.isGradEnabled()) {
                try (Autograd.GradMode off = Autograd.setGradEnabled(false)) {
                    grads = function.backward(this, gradOutputs);
                }
                for (int i = 0; grads != null && i < grads.length; i++) {
                    if (grads[i] != null) {
                        grads[i] = new OnceDifferentiated(function.name).apply(concat(grads[i], inputs));
                    }
                }
            } else {
                grads = function.backward(this, gradOutputs);
            }
            if (grads == null || grads.length != inputs.length) {
                throw new AutogradException("backward of '" + function.name + "' returned "
                        + (grads == null ? "null" : grads.length + " gradients") + " for its " + inputs.length
                        + " inputs");
            }
            return grads;
        }

        private static Tensor[] concat(Tensor first, Tensor[] rest) {
            Tensor[] all = new Tensor[rest.length + 1];
            all[0] = first;
            System.arraycopy(rest, 0, all, 1, rest.length);
            return all;
        }

        /** Lets go of the saved values; its {@link #scratch} arrays' storages go to {@code retired}. */
        void free(List<Storage> retired) {
            for (Tensor t : temporaries) {
                retired.add(t.storage());
            }
            freed = true;
            saved = NONE;
            versions = null;
            temporaries = NONE;
        }
    }

    /**
     * The gradient computed by a once-differentiable backward, recorded after the op's inputs so that a second
     * derivative through it reaches this node and fails (PyTorch's {@code DelayedError}).
     */
    private static final class OnceDifferentiated extends Function {
        private final String op;

        OnceDifferentiated(String op) {
            super("onceDifferentiable(" + op + ")");
            this.op = op;
        }

        @Override
        protected Tensor[] forward(Context ctx, Tensor... in) {
            return tensors(in[0]);
        }

        @Override
        protected Tensor[] backward(Context ctx, Tensor... grads) {
            throw new AutogradException(op + ": its backward is once-differentiable, so it cannot be differentiated "
                    + "again (a second derivative through '" + op + "' is not defined)");
        }
    }
}
