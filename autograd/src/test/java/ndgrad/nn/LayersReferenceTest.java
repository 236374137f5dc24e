package ndgrad.nn;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import java.io.IOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import ndgrad.autograd.Float64Test;
import ndgrad.autograd.Reference;
import ndgrad.autograd.Tensor;
import ndgrad.core.Rng;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.shade.jackson.databind.JsonNode;

/**
 * Every layer against PyTorch 1.13 in float64: {@code reference/layers.json}, a copy of
 * {@code ../shared/reference/layers.json} (its {@code make_layers.py}, seed 20261127). A case loads PyTorch's
 * parameters (and BatchNorm's buffers) into the ndgrad layer by their PyTorch names, runs it on the case's inputs,
 * and compares the outputs, loss = Σ output·R (+ h_n·R2, c_n·R3), every input and parameter gradient, and the
 * running statistics after a training step, to |a - b| ≤ 1e-10·max(|a|, |b|) + 1e-12.
 */
class LayersReferenceTest extends Float64Test {
    private static final Map<String, JsonNode> CASES = Reference.CASES;

    /** A case: the layer (made in float64) and how it maps the case's inputs to its outputs. */
    record Case(String name, java.util.function.Supplier<Layer> module,
            java.util.function.BiFunction<Layer, Map<String, Tensor>, Map<String, Tensor>> run) {
        @Override
        public String toString() {
            return name;
        }
    }

    private static Case single(String name, java.util.function.Supplier<Layer> m) {
        return new Case(name, m, (mod, in) -> Map.of("output", mod.forward(in.values().iterator().next())));
    }

    static Stream<Case> layers() {
        Rng r = new Rng(1);
        List<Case> all = new ArrayList<>(List.of(
                single("conv1d_k3_s1_p1", () -> new Conv1d(2, 3, 3, 1, 1, 1, 1, true, r)),
                single("conv2d_k3_s2_p1_bias", () -> new Conv2d(3, 4, 3, 2, 1, 1, 1, true, r)),
                single("conv2d_dilation2_nobias", () -> new Conv2d(2, 3, 3, 1, 0, 2, 1, false, r)),
                single("conv2d_groups2", () -> new Conv2d(4, 4, 3, 1, 0, 1, 2, true, r)),
                single("maxpool2d_k2_s2", () -> new MaxPool2d(2, 2, 0)),
                single("maxpool2d_k3_s2_p1", () -> new MaxPool2d(3, 2, 1)),
                single("avgpool2d_k2_s2", () -> new AvgPool2d(2, 2, 0)),
                single("adaptive_avgpool2d_1x1", () -> new AdaptiveAvgPool2d(1, 1)),
                single("batchnorm1d_train", () -> new BatchNorm1d(4, 1e-5, 0.1)),
                single("batchnorm1d_eval", () -> new BatchNorm1d(4, 1e-5, 0.1).eval()),
                single("batchnorm2d_train", () -> new BatchNorm2d(3, 1e-5, 0.1)),
                single("batchnorm2d_eval", () -> new BatchNorm2d(3, 1e-5, 0.1).eval()),
                single("layernorm_last5", () -> new LayerNorm(5)),
                single("embedding_10x4", () -> new Embedding(10, 4, r)),
                single("embedding_10x4_padding_idx0", () -> new Embedding(10, 4, 0, r)),
                new Case("rnn_tanh", () -> new RNN(3, 4, r), (m, in) -> outputs(((RNN) m).forward(in.get("input"),
                        in.get("h0"), null))),
                new Case("lstm", () -> new LSTM(3, 4, r), (m, in) -> outputs(((LSTM) m).forward(in.get("input"),
                        in.get("h0"), in.get("c0")))),
                new Case("gru", () -> new GRU(3, 4, r), (m, in) -> outputs(((GRU) m).forward(in.get("input"),
                        in.get("h0"), null))),
                new Case("attention_causal", Flatten::new, (m, in) -> Map.of("output", Attention.scaledDotProduct(
                        in.get("Q"), in.get("K"), in.get("V"), true)))));
        return all.stream();
    }

    private static Map<String, Tensor> outputs(Recurrent.Output o) {
        Map<String, Tensor> m = new LinkedHashMap<>();
        m.put("output", o.output());
        m.put("h_n", o.hn());
        if (o.cn() != null) {
            m.put("c_n", o.cn());
        }
        return m;
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("layers")
    void matchesPyTorch(Case layer) throws IOException {
        JsonNode c = CASES.get(layer.name());
        assertNotNull(c, layer.name());
        Layer m = layer.module().get();
        Map<String, Tensor> state = new HashMap<>();
        c.get("parameters").fields().forEachRemaining(e -> state.put(e.getKey(), Reference.tensor(e.getValue())));
        if (c.has("buffers")) {
            c.get("buffers").fields().forEachRemaining(e -> state.put(e.getKey(), Reference.tensor(e.getValue())));
        }
        m.loadStateDict(state, true);
        Map<String, Tensor> in = new LinkedHashMap<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = c.get("inputs").fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            Tensor t = Reference.tensor(e.getValue());
            in.put(e.getKey(), t.dtype() == DataType.DOUBLE ? t.requiresGrad() : t);
        }
        Map<String, Tensor> out = layer.run().apply(m, in);
        Map<String, JsonNode> weights = new HashMap<>();
        weights.put("R", c.get("R"));
        if (c.has("extra_R")) {
            c.get("extra_R").fields().forEachRemaining(e -> weights.put(e.getKey(), e.getValue()));
        }
        Tensor loss = null;
        for (JsonNode term : c.get("loss_terms")) {
            String output = term.get(0).asText();
            Tensor o = out.get(output);
            Reference.assertClose(layer.name() + " " + output, output.equals("output") ? c.get("output")
                    : c.get("extra_outputs").get(output), o);
            Tensor t = o.mul(Reference.tensor(weights.get(term.get(1).asText()))).sum();
            loss = loss == null ? t : loss.add(t);
        }
        assertEquals(c.get("loss").asDouble(), loss.item(), 1e-10 * Math.abs(c.get("loss").asDouble()) + 1e-12);
        loss.backward();
        c.get("grads").get("inputs").fields().forEachRemaining(e -> Reference.assertClose(layer.name() + " grad "
                + e.getKey(), e.getValue(), in.get(e.getKey()).grad()));
        Map<String, Tensor> params = new HashMap<>();
        m.namedParameters().forEach(p -> params.put(p.name(), p.value()));
        c.get("grads").get("parameters").fields().forEachRemaining(e -> Reference.assertClose(layer.name() + " grad "
                + e.getKey(), e.getValue(), params.get(e.getKey()).grad()));
        if (c.has("buffers_after")) {
            Map<String, Tensor> buffers = new HashMap<>();
            m.namedState().forEach(p -> buffers.put(p.name(), p.value()));
            c.get("buffers_after").fields().forEachRemaining(e -> Reference.assertClose(layer.name() + " " + e.getKey(),
                    e.getValue(), buffers.get(e.getKey())));
        }
    }
}
