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
import org.nd4j.shade.jackson.core.JsonParser;
import org.nd4j.shade.jackson.databind.JsonNode;
import org.nd4j.shade.jackson.databind.ObjectMapper;

/**
 * PyTorch 1.13's float64 values for the registry's cases, {@code reference/ops.json}, written by
 * {@code src/test/python/make_ops.py}: each case by its name ("op: what"), made into a {@link Sample} whose inputs
 * are the case's exact values and whose expected values are PyTorch's output and gradients.
 */
final class Torch {
    /** Every case, by name, in the file's order. */
    static final Map<String, JsonNode> CASES = load();
    /** The names of the cases some registry entry has asked for. */
    static final Set<String> USED = ConcurrentHashMap.newKeySet();

    private Torch() {
    }

    private static Map<String, JsonNode> load() {
        try (InputStream in = Torch.class.getResourceAsStream("/reference/ops.json")) {
            Map<String, JsonNode> cases = new LinkedHashMap<>();
            for (JsonNode c : new ObjectMapper().enable(JsonParser.Feature.ALLOW_NON_NUMERIC_NUMBERS).readTree(in).get("cases")) {
                cases.put(c.get("name").asText(), c);
            }
            return Collections.unmodifiableMap(cases);
        } catch (IOException e) {
            throw new IllegalStateException("reading reference/ops.json", e);
        }
    }

    /** The case {@code name} as a sample: its inputs exactly, PyTorch's output and gradients expected. */
    static Sample sample(String name) {
        JsonNode c = CASES.get(name);
        if (c == null) {
            throw new IllegalArgumentException("no PyTorch case '" + name + "' in reference/ops.json");
        }
        USED.add(name);
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
                args.add(in.get("grad").asBoolean() ? a : a.constant());
            }
        }
        Map<Integer, Nd> grads = new LinkedHashMap<>();
        if (c.has("grads")) {
            c.get("grads").fields().forEachRemaining(e -> grads.put(Integer.parseInt(e.getKey()), nd(e.getValue())));
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
