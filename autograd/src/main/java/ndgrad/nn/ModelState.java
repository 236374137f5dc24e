package ndgrad.nn;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import ndgrad.autograd.Autograd;
import ndgrad.autograd.Tensor;
import ndgrad.core.io.Npz;
import org.nd4j.linalg.api.ndarray.INDArray;

/** Saving and loading a module's parameters as {@code .npz}; loading checks everything before changing anything. */
final class ModelState {
    private ModelState() {
    }

    static void save(Layer m, Path file) throws IOException {
        Map<String, INDArray> arrays = new LinkedHashMap<>();
        for (Parameter p : m.namedState()) {
            arrays.put(p.name(), p.value().data());
        }
        Npz.write(file, arrays);
    }

    /**
     * Checks every entry's shape from its header before any data is inflated, then loads strictly: the file must
     * hold every name with the module's shape and dtype, and nothing else.
     */
    static void load(Layer m, Path file) throws IOException {
        Map<String, Parameter> params = new LinkedHashMap<>();
        m.namedState().forEach(p -> params.put(p.name(), p));
        Map<String, INDArray> arrays = Npz.read(file, (name, shape) -> {
            Parameter p = params.get(name);
            if (p == null) {
                throw new IOException(file + ": holds parameters the module does not have: [" + name + "]");
            }
            if (!Arrays.equals(shape, p.value().shape())) {
                throw new IOException(file + ": parameter '" + name + "' was saved with shape "
                        + Arrays.toString(shape) + ", but the module has shape " + p.value().shapeString());
            }
            return true;
        });
        for (Parameter p : params.values()) {
            INDArray a = arrays.get(p.name());
            if (a != null && a.dataType() != p.value().dtype()) {
                throw new IOException(file + ": parameter '" + p.name() + "' was saved with dtype " + a.dataType()
                        + ", but the module has dtype " + p.value().dtype());
            }
        }
        Map<String, Tensor> state = new LinkedHashMap<>();
        arrays.forEach((name, a) -> state.put(name, Tensor.of(a)));
        try {
            load(m, state, file.toString(), true);
        } catch (IllegalArgumentException e) {
            throw new IOException(e.getMessage(), e);
        }
    }

    /**
     * Copies {@code saved} into the module's state of the same names, each converted to the module's dtype; shapes
     * must agree, and with {@code strict} the names too; {@code source} starts each error.
     */
    static Layer.Keys load(Layer m, Map<String, Tensor> saved, String source, boolean strict) {
        List<Parameter> params = m.namedState();
        List<String> missing = new ArrayList<>();
        for (Parameter p : params) {
            Tensor t = saved.get(p.name());
            if (t == null) {
                missing.add(p.name());
            } else if (!Arrays.equals(t.shape(), p.value().shape())) {
                throw new IllegalArgumentException(source + ": '" + p.name() + "' has shape " + t.shapeString()
                        + ", but the module's has shape " + p.value().shapeString());
            }
        }
        List<String> names = params.stream().map(Parameter::name).toList();
        List<String> unexpected = saved.keySet().stream().filter(n -> !names.contains(n)).toList();
        if (strict && !missing.isEmpty()) {
            throw new IllegalArgumentException(source + ": no value for " + missing + " (given " + saved.keySet()
                    + ")");
        }
        if (strict && !unexpected.isEmpty()) {
            throw new IllegalArgumentException(source + ": holds entries the module does not have: " + unexpected);
        }
        try (Autograd.GradMode off = Autograd.noGrad()) {
            for (Parameter p : params) {
                Tensor t = saved.get(p.name());
                if (t != null) {
                    p.value().copyFrom(t.dtype() == p.value().dtype() ? t : t.to(p.value().dtype()));
                }
            }
        }
        return new Layer.Keys(List.copyOf(missing), unexpected);
    }
}
