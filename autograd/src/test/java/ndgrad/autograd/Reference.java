package ndgrad.autograd;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.io.InputStream;
import java.util.HashMap;
import java.util.Map;
import ndgrad.core.NdArrays;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.shade.jackson.databind.JsonNode;
import org.nd4j.shade.jackson.databind.ObjectMapper;

/**
 * PyTorch's float64 reference cases, {@code reference/layers.json} (a copy of ../shared/reference/layers.json, made
 * by its make_layers.py with PyTorch 1.13, seed 20261127): the cases by name, their tensors, and the comparison to
 * |a - b| ≤ 1e-10·max(|a|, |b|) + 1e-12 that its README states.
 */
public final class Reference {
    /** Every case, by its name. */
    public static final Map<String, JsonNode> CASES = load();

    private Reference() {
    }

    private static Map<String, JsonNode> load() {
        try (InputStream in = Reference.class.getResourceAsStream("/reference/layers.json")) {
            Map<String, JsonNode> cases = new HashMap<>();
            for (JsonNode c : new ObjectMapper().readTree(in).get("cases")) {
                cases.put(c.get("name").asText(), c);
            }
            return cases;
        } catch (IOException e) {
            throw new IllegalStateException("reading reference/layers.json", e);
        }
    }

    /** A stored tensor: float64, or int64 for indices and targets. */
    public static Tensor tensor(JsonNode t) {
        long[] shape = new long[t.get("shape").size()];
        for (int i = 0; i < shape.length; i++) {
            shape[i] = t.get("shape").get(i).asLong();
        }
        double[] data = new double[t.get("data").size()];
        for (int i = 0; i < data.length; i++) {
            data[i] = t.get("data").get(i).asDouble();
        }
        DataType type = t.get("dtype").asText().equals("int64") ? DataType.LONG : DataType.DOUBLE;
        return Tensor.of(NdArrays.create(data, shape, type));
    }

    /** Asserts {@code actual} equals the stored tensor in shape and, element by element, to the tolerance. */
    public static void assertClose(String what, JsonNode expected, Tensor actual) {
        Tensor e = tensor(expected);
        assertArrayEquals(e.shape(), actual.shape(), what + ": shape");
        double[] want = e.toDoubleArray();
        double[] got = actual.toDoubleArray();
        for (int i = 0; i < want.length; i++) {
            double tol = 1e-10 * Math.max(Math.abs(want[i]), Math.abs(got[i])) + 1e-12;
            assertEquals(want[i], got[i], tol, what + " element " + i);
        }
    }
}
