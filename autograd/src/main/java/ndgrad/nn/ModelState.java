package ndgrad.nn;

import java.io.IOException;
import java.nio.file.Path;
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

    /** Checks every entry's shape from its header before any data is inflated, then loads as below. */
    static void load(Layer m, Path file) throws IOException {
        Map<String, Parameter> params = new LinkedHashMap<>();
        m.namedState().forEach(p -> params.put(p.name(), p));
        load(m, Npz.read(file, (name, shape) -> {
            Parameter p = params.get(name);
            if (p == null) {
                throw new IOException(file + ": holds parameters the module does not have: [" + name + "]");
            }
            if (!Arrays.equals(shape, p.value().shape())) {
                throw new IOException(file + ": parameter '" + name + "' was saved with shape "
                        + Arrays.toString(shape) + ", but the module has shape " + p.value().shapeString());
            }
            return true;
        }), file.toString());
    }

    static void load(Layer m, Map<String, INDArray> saved, String file) throws IOException {
        List<Parameter> params = m.namedState();
        for (Parameter p : params) {
            INDArray a = saved.get(p.name());
            if (a == null) {
                throw new IOException(file + ": no saved value for parameter '" + p.name() + "' (the file has "
                        + saved.keySet() + ")");
            }
            if (!Arrays.equals(a.shape(), p.value().shape()) || a.dataType() != p.value().dtype()) {
                throw new IOException(file + ": parameter '" + p.name() + "' was saved with shape "
                        + Arrays.toString(a.shape()) + " and dtype " + a.dataType() + ", but the module has shape "
                        + p.value().shapeString() + " and dtype " + p.value().dtype());
            }
        }
        if (saved.size() != params.size()) {
            List<String> names = params.stream().map(Parameter::name).toList();
            throw new IOException(file + ": holds parameters the module does not have: "
                    + saved.keySet().stream().filter(n -> !names.contains(n)).toList());
        }
        try (Autograd.GradMode off = Autograd.noGrad()) {
            for (Parameter p : params) {
                p.value().copyFrom(Tensor.of(saved.get(p.name())));
            }
        }
    }
}
