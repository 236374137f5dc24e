package ndgrad.testing;

import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import ndgrad.autograd.Autograd;
import ndgrad.autograd.Tensor;
import ndgrad.core.NdArrays;
import ndgrad.nn.Layer;
import ndgrad.nn.Parameter;
import org.nd4j.shade.jackson.core.JsonParser;
import org.nd4j.shade.jackson.databind.JsonNode;
import org.nd4j.shade.jackson.databind.ObjectMapper;

/**
 * PyTorch 1.13's float64 values for the registry's cases, {@code registry/ops.json} and
 * {@code registry/layers.json}, written by {@code src/test/python/make_ops.py} and {@code make_layers.py}: each case
 * by its name ("op: what"), made into a {@link Sample} whose inputs are the case's exact values and whose expected
 * values are PyTorch's output and gradients (of the inputs, then of a layer's parameters).
 */
final class Torch {
    /** Every op case, by name, in the file's order. */
    static final Map<String, JsonNode> CASES = load("/registry/ops.json");
    /** Every layer case, by name ({@code make_layers.py}). */
    static final Map<String, JsonNode> LAYERS = load("/registry/layers.json");
    /** The names of the cases some registry entry has asked for. */
    static final Set<String> USED = ConcurrentHashMap.newKeySet();

    private Torch() {
    }

    private static Map<String, JsonNode> load(String resource) {
        try (InputStream in = Torch.class.getResourceAsStream(resource)) {
            Map<String, JsonNode> cases = new LinkedHashMap<>();
            for (JsonNode c : new ObjectMapper().enable(JsonParser.Feature.ALLOW_NON_NUMERIC_NUMBERS).readTree(in).get("cases")) {
                cases.put(c.get("name").asText(), c);
            }
            return Collections.unmodifiableMap(cases);
        } catch (IOException e) {
            throw new IllegalStateException("reading " + resource, e);
        }
    }

    /** The op case {@code name} as a sample: its inputs exactly, PyTorch's output and gradients expected. */
    static Sample sample(String name) {
        JsonNode c = CASES.get(name);
        if (c == null) {
            throw new IllegalArgumentException("no PyTorch case '" + name + "' in registry/ops.json");
        }
        USED.add(name);
        Map<Integer, Nd> grads = new LinkedHashMap<>();
        if (c.has("grads")) {
            c.get("grads").fields().forEachRemaining(e -> grads.put(Integer.parseInt(e.getKey()), nd(e.getValue())));
        }
        return sample(name, c, grads);
    }

    /**
     * The layer case {@code name} as a sample for {@code layer} (one with the case's parameters, see
     * {@link #load}): the gradients of its parameters expected at the positions after the inputs, in the layer's
     * order.
     */
    static Sample layerSample(String name, Layer layer) {
        JsonNode c = layerCase(name);
        Map<Integer, Nd> grads = new LinkedHashMap<>();
        c.get("grads").get("inputs").fields().forEachRemaining(e -> grads.put(Integer.parseInt(e.getKey()),
                nd(e.getValue())));
        List<Parameter> ps = layer.namedParameters();
        int n = c.get("inputs").size();
        for (int i = 0; i < ps.size(); i++) {
            JsonNode g = c.get("grads").get("parameters").get(ps.get(i).name());
            if (g == null) {
                throw new IllegalArgumentException(name + ": PyTorch has no parameter '" + ps.get(i).name() + "'");
            }
            grads.put(n + i, nd(g));
        }
        return sample(name, c, grads);
    }

    /** The layer case {@code name} of an op with no parameters (attention) as a sample. */
    static Sample layerOp(String name) {
        JsonNode c = layerCase(name);
        Map<Integer, Nd> grads = new LinkedHashMap<>();
        c.get("grads").get("inputs").fields().forEachRemaining(e -> grads.put(Integer.parseInt(e.getKey()),
                nd(e.getValue())));
        return sample(name, c, grads);
    }

    /** {@code layer} with the parameters and buffers of the layer case {@code name}, by PyTorch's names. */
    static <L extends Layer> L load(String name, L layer) {
        JsonNode c = layerCase(name);
        List<Parameter> state = layer.namedState();
        if (state.size() != c.get("parameters").size() + c.get("buffers").size()) {
            throw new IllegalArgumentException(name + ": ndgrad's state " + state.stream().map(Parameter::name)
                    .toList() + " and PyTorch's parameters and buffers differ");
        }
        try (Autograd.GradMode off = Autograd.noGrad()) {
            for (Parameter p : state) {
                JsonNode v = c.get("parameters").has(p.name()) ? c.get("parameters").get(p.name())
                        : c.get("buffers").get(p.name());
                if (v == null) {
                    throw new IllegalArgumentException(name + ": PyTorch has no parameter or buffer '" + p.name()
                            + "'");
                }
                p.value().copyFrom(Tensor.of(NdArrays.create(data(v), shape(v), p.value().dtype())));
            }
        }
        if (c.get("mode").asText().equals("eval")) {
            layer.eval();
        }
        return layer;
    }

    private static JsonNode layerCase(String name) {
        JsonNode c = LAYERS.get(name);
        if (c == null) {
            throw new IllegalArgumentException("no PyTorch case '" + name + "' in registry/layers.json");
        }
        USED.add(name);
        return c;
    }

    private static Sample sample(String name, JsonNode c, Map<Integer, Nd> grads) {
        List<Arg> args = new ArrayList<>();
        for (JsonNode in : c.get("inputs")) {
            long[] shape = shape(in);
            if (in.get("dtype").asText().equals("int64")) {
                long[] v = new long[in.get("data").size()];
                for (int i = 0; i < v.length; i++) {
                    v[i] = in.get("data").get(i).asLong();
                }
                args.add(Arg.index(v, shape));
            } else {
                Arg a = Arg.of(data(in), shape);
                args.add(!in.has("grad") || in.get("grad").asBoolean() ? a : a.constant());
            }
        }
        Nd weights = c.has("R") ? nd(c.get("R")) : null;
        return Sample.of(args.toArray(new Arg[0])).label(name.substring(name.indexOf(':') + 2))
                .expect("PyTorch 1.13 " + c.get("call").asText(), nd(c.get("output")), weights, grads);
    }

    /** The case as an edge sample (no finite differences there). */
    static Sample edge(String name) {
        return sample(name).edge();
    }

    static Nd nd(JsonNode t) {
        return new Nd(shape(t), data(t));
    }

    private static long[] shape(JsonNode t) {
        long[] shape = new long[t.get("shape").size()];
        for (int i = 0; i < shape.length; i++) {
            shape[i] = t.get("shape").get(i).asLong();
        }
        return shape;
    }

    private static double[] data(JsonNode t) {
        double[] v = new double[t.get("data").size()];
        for (int i = 0; i < v.length; i++) {
            v[i] = t.get("data").get(i).asDouble();
        }
        return v;
    }
}
