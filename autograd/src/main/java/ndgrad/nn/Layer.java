package ndgrad.nn;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import ndgrad.autograd.Autograd;
import ndgrad.autograd.Tensor;
import ndgrad.core.memory.Scope;
import org.nd4j.linalg.api.buffer.DataType;

/**
 * A building block of a model, as PyTorch's {@code nn.Module} (named Layer so that {@code import ndgrad.nn.*} does
 * not collide with {@code java.lang.Module}): it owns parameters and child layers, so {@link #namedParameters()}
 * lists them recursively in a stable order with dotted names ({@code "0.weight"}, {@code "lstm.weight_ih_l0"}, …).
 * As PyTorch finds them by attribute assignment, ndgrad finds them in the subclass's fields: a field holding a layer,
 * a leaf tensor that requires grad, or a list or array of layers is registered under the field's name (a list's
 * elements as {@code name.0}, {@code name.1}, …) the first time the parameters are asked for. {@link #param},
 * {@link #buffer} and {@link #child} register explicitly, with another name or in another order.
 *
 * <p>Usage: {@code Tensor y = model.forward(x); model.zeroGrad(); model.save(Path.of("model.npz"));}
 */
public abstract class Layer {
    private final Map<String, Tensor> params = new LinkedHashMap<>();
    private final Map<String, Tensor> buffers = new LinkedHashMap<>();
    private final Map<String, Layer> children = new LinkedHashMap<>();
    private boolean training = true;
    private boolean discovered;

    /** This layer applied to {@code x}. */
    public abstract Tensor forward(Tensor x);

    /**
     * This layer applied to several inputs (tensors, ids, masks): override it for a layer that takes more than one;
     * by default one input goes to {@link #forward(Tensor)} and more are an error.
     */
    public Tensor forward(Tensor... inputs) {
        if (inputs.length != 1) {
            throw new IllegalArgumentException(getClass().getSimpleName() + ": takes one input, got " + inputs.length
                    + "; override forward(Tensor...) to take several");
        }
        return forward(inputs[0]);
    }

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
    protected final <M extends Layer> M child(String name, M module) {
        checkName(name);
        children.put(name, module);
        return module;
    }

    /**
     * Registers what the subclass's fields hold and nobody registered: layers, parameters, lists and arrays of layers
     * (named by position, as PyTorch's ModuleList), and maps to layers (named by key, as its ModuleDict).
     */
    private void discover() {
        if (discovered) {
            return;
        }
        discovered = true;
        List<Class<?>> classes = new ArrayList<>();
        for (Class<?> c = getClass(); c != Layer.class; c = c.getSuperclass()) {
            classes.add(0, c);
        }
        for (Class<?> c : classes) {
            for (java.lang.reflect.Field f : c.getDeclaredFields()) {
                if (java.lang.reflect.Modifier.isStatic(f.getModifiers()) || f.isSynthetic()) {
                    continue;
                }
                Object value = read(f);
                if (value instanceof Layer l && !registered(l)) {
                    child(f.getName(), l);
                } else if (value instanceof Tensor t && t.isLeaf() && t.isRequiresGrad() && !registered(t)) {
                    param(f.getName(), t);
                } else if (value instanceof Iterable<?> || value instanceof Layer[]) {
                    LayerList list = new LayerList();
                    for (Object o : value instanceof Layer[] a ? java.util.Arrays.asList(a) : (Iterable<?>) value) {
                        if (o instanceof Layer l && !registered(l)) {
                            list.add(l);
                        }
                    }
                    if (list.size() > 0) {
                        child(f.getName(), list);
                    }
                } else if (value instanceof java.util.Map<?, ?> map) {
                    LayerDict dict = new LayerDict();
                    map.forEach((key, o) -> {
                        if (o instanceof Layer l && !registered(l)) {
                            dict.put(String.valueOf(key), l);
                        }
                    });
                    if (!dict.asMap().isEmpty()) {
                        child(f.getName(), dict);
                    }
                }
            }
        }
    }

    private Object read(java.lang.reflect.Field f) {
        try {
            f.setAccessible(true);
            return f.get(this);
        } catch (ReflectiveOperationException | RuntimeException e) {
            throw new IllegalStateException(getClass().getSimpleName() + ": cannot read field '" + f.getName()
                    + "' to find its layers and parameters (" + e.getMessage() + "); register them with child() and "
                    + "param() instead", e);
        }
    }

    private boolean registered(Object o) {
        return params.containsValue(o) || buffers.containsValue(o) || children.containsValue(o);
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
        discover();
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
        discover();
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
    public Layer train() {
        return train(true);
    }

    /** Sets evaluation mode here and in every child; returns this. */
    public Layer eval() {
        return train(false);
    }

    private Layer train(boolean on) {
        discover();
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

    /**
     * Every parameter and buffer by dotted name, in {@link #namedState()}'s order, as PyTorch's {@code state_dict()}:
     * the tensors share the module's memory, detached from any graph.
     *
     * <p>Usage: {@code Map<String, Tensor> state = model.stateDict(); other.loadStateDict(state, true);}
     */
    public final Map<String, Tensor> stateDict() {
        Map<String, Tensor> out = new LinkedHashMap<>();
        namedState().forEach(p -> out.put(p.name(), p.value().detach()));
        return out;
    }

    /** The names {@link #loadStateDict} did not match: the module's missing from the dict, the dict's unknown here. */
    public record Keys(List<String> missing, List<String> unexpected) {
    }

    /**
     * Copies values from {@code state} into the parameters and buffers of the same names, as PyTorch's
     * {@code load_state_dict}: each value is converted to the module's dtype; a shape that differs is refused; with
     * {@code strict}, a missing or unexpected name is refused too. Everything is checked before anything changes;
     * the error names the layer, the entry, and both shapes. Returns the names that did not match (empty when
     * strict).
     */
    public final Keys loadStateDict(Map<String, Tensor> state, boolean strict) {
        return ModelState.load(this, state, getClass().getSimpleName() + ".loadStateDict", strict);
    }

    /**
     * Converts every floating-point parameter and buffer to {@code type} in place (integer buffers such as
     * {@code num_batches_tracked} keep theirs), as PyTorch's {@code module.to(dtype)}; the tensors stay the same
     * objects, so an optimizer made before still holds them. Gradients are cleared. Returns this.
     *
     * <p>Usage: {@code model.to(DataType.DOUBLE);}
     */
    public Layer to(DataType type) {
        if (!type.isFPType()) {
            throw new IllegalArgumentException(getClass().getSimpleName() + ".to: expected a floating-point dtype, got "
                    + type + " (parameters are floating point, as PyTorch's)");
        }
        try (Autograd.GradMode off = Autograd.noGrad()) {
            for (Parameter p : namedState()) {
                if (p.value().dtype().isFPType() && p.value().dtype() != type) {
                    p.value().setData(p.value().to(type));
                }
            }
        }
        return this;
    }

    /** The class name and its children, as PyTorch prints a module: {@code MyNet(conv=Conv2d(...), fc=Linear(...))}. */
    @Override
    public String toString() {
        discover();
        StringBuilder sb = new StringBuilder(getClass().getSimpleName()).append("(");
        String sep = "";
        for (Map.Entry<String, Layer> e : children.entrySet()) {
            sb.append(sep).append(e.getKey()).append("=").append(e.getValue());
            sep = ", ";
        }
        return sb.append(")").toString();
    }
}
