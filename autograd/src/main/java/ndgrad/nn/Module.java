package ndgrad.nn;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import ndgrad.autograd.Tensor;
import ndgrad.core.Scope;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * A building block of a model, as PyTorch's {@code nn.Module}: it owns parameters and child modules, registered in
 * order, so {@link #namedParameters()} lists them recursively in a stable order with dotted names
 * ({@code "0.weight"}, {@code "0.bias"}, {@code "2.weight"}, …). Subclasses register them in their constructor with
 * {@link #param} and {@link #child}, and implement {@link #forward}.
 *
 * <p>Usage: {@code Tensor y = model.forward(x); model.zeroGrad(); model.save(Path.of("model.npz"));}
 */
public abstract class Module {
    private final Map<String, Tensor> params = new LinkedHashMap<>();
    private final Map<String, Tensor> buffers = new LinkedHashMap<>();
    private final Map<String, Module> children = new LinkedHashMap<>();
    private boolean training = true;

    /** This module applied to {@code x}. */
    public abstract Tensor forward(Tensor x);

    /**
     * Registers {@code value} as the trainable parameter {@code name}: it becomes a leaf that requires grad and is
     * released from any open scope, so it lives as long as the module. Returns it.
     */
    protected final Tensor param(String name, Tensor value) {
        checkName(name);
        Scope.release(value.data());
        Tensor p = value.isLeaf() ? value : value.detach();
        p.requiresGrad();
        params.put(name, p);
        return p;
    }

    /**
     * Registers {@code value} as the buffer {@code name}: state that is saved and loaded with the parameters but not
     * trained (BatchNorm's running statistics, as PyTorch's {@code register_buffer}). Returns it.
     */
    protected final Tensor buffer(String name, Tensor value) {
        checkName(name);
        Scope.release(value.data());
        buffers.put(name, value);
        return value;
    }

    /** Registers {@code module} as the child {@code name}; returns it. */
    protected final <M extends Module> M child(String name, M module) {
        checkName(name);
        children.put(name, module);
        return module;
    }

    private void checkName(String name) {
        if (name.isEmpty() || name.contains(".") || params.containsKey(name) || buffers.containsKey(name)
                || children.containsKey(name)) {
            throw new IllegalArgumentException(getClass().getSimpleName() + ": invalid or repeated name '" + name
                    + "' (names are unique, non-empty and contain no '.')");
        }
    }

    /** Every parameter of this module and its children, depth first in registration order, with dotted names. */
    public final List<Parameter> namedParameters() {
        List<Parameter> out = new ArrayList<>();
        collect("", out);
        return out;
    }

    private void collect(String prefix, List<Parameter> out) {
        params.forEach((n, t) -> out.add(new Parameter(prefix + n, t)));
        children.forEach((n, m) -> m.collect(prefix + n + ".", out));
    }

    /**
     * Every parameter and buffer with its dotted name, as PyTorch's {@code state_dict()} orders them: a module's
     * parameters, then its buffers, then its children's.
     */
    public final List<Parameter> namedState() {
        List<Parameter> out = new ArrayList<>();
        collectState("", out);
        return out;
    }

    private void collectState(String prefix, List<Parameter> out) {
        params.forEach((n, t) -> out.add(new Parameter(prefix + n, t)));
        buffers.forEach((n, t) -> out.add(new Parameter(prefix + n, t)));
        children.forEach((n, m) -> m.collectState(prefix + n + ".", out));
    }

    /** The tensors of {@link #namedParameters()}, in the same order. */
    public final List<Tensor> parameters() {
        return namedParameters().stream().map(Parameter::value).toList();
    }

    /** The number of trainable values: the sum of the parameters' sizes. */
    public final long parameterCount() {
        return parameters().stream().mapToLong(Tensor::numel).sum();
    }

    /** Sets training mode here and in every child (Dropout is active only in training); returns this. */
    public Module train() {
        return train(true);
    }

    /** Sets evaluation mode here and in every child; returns this. */
    public Module eval() {
        return train(false);
    }

    private Module train(boolean on) {
        training = on;
        children.values().forEach(m -> m.train(on));
        return this;
    }

    /** Whether this module is in training mode. */
    public final boolean isTraining() {
        return training;
    }

    /** Zeros the gradient of every parameter. */
    public final void zeroGrad() {
        parameters().forEach(Tensor::zeroGrad);
    }

    /** Writes every parameter to an {@code .npz} file (NumPy's format; one {@code name.npy} entry each). */
    public final void save(Path file) throws IOException {
        ModelState.save(this, file);
    }

    /**
     * Reads parameters saved by {@link #save}: every name must be present with the same shape and dtype, else
     * nothing is changed and the error names the parameter.
     */
    public final void load(Path file) throws IOException {
        ModelState.load(this, file);
    }

    /** Loads parameters from named arrays (as {@link ndgrad.core.Npz#read} returns), with the same checks. */
    public final void load(Map<String, INDArray> arrays, String source) throws IOException {
        ModelState.load(this, arrays, source);
    }
}
