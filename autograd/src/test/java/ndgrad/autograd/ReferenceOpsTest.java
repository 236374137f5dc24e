package ndgrad.autograd;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Stream;
import ndgrad.nn.Losses;
import ndgrad.nn.Losses.CrossEntropyOptions;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.shade.jackson.databind.JsonNode;

/**
 * Values and gradients of gather, scatterAdd, max with indices against amax, 1-D matmul and cross-entropy with
 * PyTorch's options, against PyTorch 1.13 in float64: {@code reference/layers.json}, a copy of
 * {@code ../shared/reference/layers.json} (made by its {@code make_layers.py}, seed 20261127). Each case's loss is
 * sum(output · R); outputs and gradients must agree to |a - b| ≤ 1e-10·max(|a|, |b|) + 1e-12.
 */
class ReferenceOpsTest {
    private static final Map<String, JsonNode> CASES = Reference.CASES;

    /** A case: how ndgrad computes its output from the case's inputs (by name). */
    record Op(String name, Function<Map<String, Tensor>, Tensor> f) {
        @Override
        public String toString() {
            return name;
        }
    }

    static Stream<Op> ops() {
        List<Op> ops = new ArrayList<>(List.of(
                new Op("gather_dim1", in -> in.get("input").gather(1, in.get("index"))),
                new Op("scatter_add_dim1", in -> Tensor.zeros(3, 5).to(DataType.DOUBLE).scatterAdd(1, in.get("index"),
                        in.get("src"))),
                new Op("max_dim1_ties", in -> in.get("input").max(1).values()),
                new Op("amax_dim1_ties", in -> in.get("input").amax(1))));
        for (String m : List.of("dot", "mat_vec", "vec_mat", "batched_vec", "vec_batched")) {
            ops.add(new Op("matmul_" + m, in -> in.get("input").matmul(in.get("other"))));
        }
        CASES.keySet().stream().filter(n -> n.startsWith("cross_entropy_")).sorted()
                .forEach(n -> ops.add(new Op(n, in -> crossEntropy(CASES.get(n), in))));
        return ops.stream();
    }

    /** cross_entropy with the case's keywords, parsed from its call. */
    private static Tensor crossEntropy(JsonNode c, Map<String, Tensor> in) {
        String call = c.get("call").asText();
        CrossEntropyOptions o = CrossEntropyOptions.defaults()
                .ignoreIndex(Integer.parseInt(keyword(call, "ignore_index")))
                .labelSmoothing(Double.parseDouble(keyword(call, "label_smoothing")))
                .reduction(Losses.Reduction.valueOf(keyword(call, "reduction").replace("'", "").toUpperCase()));
        if (c.has("constants") && c.get("constants").has("weight")) {
            o = o.weight(Reference.tensor(c.get("constants").get("weight")));
        }
        Tensor target = in.get("target");
        if (target.dtype() == DataType.DOUBLE) {
            return Losses.crossEntropy(in.get("input"), target, o);
        }
        int[] labels = java.util.Arrays.stream(target.toDoubleArray()).mapToInt(v -> (int) v).toArray();
        return Losses.crossEntropy(in.get("input"), labels, o);
    }

    private static String keyword(String call, String name) {
        int at = call.indexOf(name + "=") + name.length() + 1;
        int end = call.indexOf(',', at);
        return call.substring(at, end < 0 ? call.indexOf(')', at) : end).trim();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("ops")
    void matchesPyTorch(Op op) {
        JsonNode c = CASES.get(op.name());
        Map<String, Tensor> in = new HashMap<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = c.get("inputs").fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            Tensor t = Reference.tensor(e.getValue());
            in.put(e.getKey(), t.dtype() == DataType.DOUBLE ? t.requiresGrad() : t);
        }
        Tensor out = op.f().apply(in);
        Reference.assertClose(op.name() + " output", c.get("output"), out);
        Tensor loss = out.mul(Reference.tensor(c.get("R"))).sum();
        assertEquals(c.get("loss").asDouble(), loss.item(), 1e-10 * Math.abs(c.get("loss").asDouble()) + 1e-12);
        loss.backward();
        int checked = 0;
        for (Iterator<Map.Entry<String, JsonNode>> it = c.get("grads").get("inputs").fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            Reference.assertClose(op.name() + " grad " + e.getKey(), e.getValue(), in.get(e.getKey()).grad());
            checked++;
        }
        assertTrue(checked > 0, "the case has gradients");
        if (c.has("extra_outputs") && c.get("extra_outputs").has("indices")) {
            Reference.assertClose(op.name() + " indices", c.get("extra_outputs").get("indices"), in.get("input").max(1)
                    .indices());
        }
    }
}
