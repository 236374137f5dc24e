package ndgrad.nn;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.Map;
import java.util.function.Supplier;
import java.util.stream.Collectors;
import ndgrad.core.Rng;
import org.junit.jupiter.api.Test;

/**
 * Every layer starts as PyTorch 1.13 starts it, checked on layers large enough for the statistics to be sharp. The
 * bounds, from PyTorch's reset_parameters: Linear and Conv draw weight and bias from U(±1/√fan_in) (kaiming_uniform_
 * with a = √5, torch/nn/modules/linear.py and conv.py); RNN, LSTM and GRU draw every tensor from U(±1/√hidden)
 * (rnn.py); MultiheadAttention draws in_proj_weight by xavier_uniform_, U(±√(6 / (E + 3E))), and zeros both biases,
 * out_proj.weight as Linear's (activation.py); Embedding draws N(0, 1) (sparse.py); the norms start at weight 1, bias
 * 0, running mean 0 and variance 1.
 */
class InitTest {
    /** Every value within ±bound, the extremes near it, the mean near 0 and the variance b²/3 within 2%. */
    private static void uniform(String what, double[] v, double bound) {
        double max = Arrays.stream(v).map(Math::abs).max().orElseThrow();
        assertTrue(max <= bound * (1 + 1e-6), what + ": |value| " + max + " beyond the bound " + bound);
        assertTrue(max >= bound * (v.length >= 1000 ? 0.99 : 0.8), what + ": largest |value| " + max
                + " well inside the bound " + bound + ": another distribution");
        double mean = Arrays.stream(v).average().orElseThrow();
        double sd = bound / Math.sqrt(3);
        assertEquals(0, mean, 5 * sd / Math.sqrt(v.length), what + ": mean");
        if (v.length >= 10_000) {
            double var = Arrays.stream(v).map(x -> (x - mean) * (x - mean)).average().orElseThrow();
            assertEquals(sd * sd, var, 0.02 * sd * sd, what + ": variance of U(-b, b) is b²/3");
        }
    }

    private static void constant(String what, double[] v, double value) {
        assertTrue(Arrays.stream(v).allMatch(x -> x == value), what + ": expected every value " + value + ", got "
                + Arrays.stream(v).limit(5).boxed().toList());
    }

    private static Map<String, double[]> state(Layer l) {
        return l.namedState().stream().collect(Collectors.toMap(Parameter::name, p -> p.value().toDoubleArray()));
    }

    @Test
    void linearAndConvolutionsDrawFromOneOverRootFanIn() {
        Map<String, double[]> linear = state(new Linear(1000, 300, new Rng(1)));
        uniform("Linear.weight", linear.get("weight"), 1 / Math.sqrt(1000));
        uniform("Linear.bias", linear.get("bias"), 1 / Math.sqrt(1000));
        Map<String, double[]> conv2d = state(new Conv2d(64, 128, 3, new Rng(2)));
        uniform("Conv2d.weight", conv2d.get("weight"), 1 / Math.sqrt(64 * 9));
        uniform("Conv2d.bias", conv2d.get("bias"), 1 / Math.sqrt(64 * 9));
        Map<String, double[]> grouped = state(new Conv2d(64, 128, 3, 1, 0, 1, 4, true, new Rng(3)));
        uniform("Conv2d(groups=4).weight", grouped.get("weight"), 1 / Math.sqrt(16 * 9));
        Map<String, double[]> conv1d = state(new Conv1d(64, 64, 5, 1, 0, 1, 1, true, new Rng(4)));
        uniform("Conv1d.weight", conv1d.get("weight"), 1 / Math.sqrt(64 * 5));
        uniform("Conv1d.bias", conv1d.get("bias"), 1 / Math.sqrt(64 * 5));
    }

    @Test
    void recurrentLayersDrawEveryTensorFromOneOverRootHidden() {
        for (Supplier<Recurrent> make : java.util.List.<Supplier<Recurrent>>of(() -> new RNN(100, 200, new Rng(5)),
                () -> new LSTM(100, 128, new Rng(6)), () -> new GRU(100, 128, new Rng(7)))) {
            Recurrent r = make.get();
            double hidden = r.namedParameters().get(1).value().size(1);
            state(r).forEach((name, v) -> uniform(r + "." + name, v, 1 / Math.sqrt(hidden)));
        }
    }

    @Test
    void multiheadAttentionIsXavierInsideAndStartsWithZeroBiases() {
        Map<String, double[]> mha = state(new MultiheadAttention(128, 8, false, new Rng(8)));
        uniform("in_proj_weight", mha.get("in_proj_weight"), Math.sqrt(6.0 / (128 + 3 * 128)));
        constant("in_proj_bias", mha.get("in_proj_bias"), 0);
        uniform("out_proj.weight", mha.get("out_proj.weight"), 1 / Math.sqrt(128));
        constant("out_proj.bias", mha.get("out_proj.bias"), 0);
    }

    @Test
    void embeddingIsStandardNormalAndNormsStartAtOneAndZero() {
        double[] e = state(new Embedding(1000, 64, new Rng(9))).get("weight");
        double mean = Arrays.stream(e).average().orElseThrow();
        double var = Arrays.stream(e).map(x -> (x - mean) * (x - mean)).average().orElseThrow();
        assertEquals(0, mean, 5 / Math.sqrt(e.length), "Embedding mean");
        assertEquals(1, var, 0.02, "Embedding variance");
        Map<String, double[]> bn = state(new BatchNorm2d(16));
        constant("BatchNorm2d.weight", bn.get("weight"), 1);
        constant("BatchNorm2d.bias", bn.get("bias"), 0);
        constant("BatchNorm2d.running_mean", bn.get("running_mean"), 0);
        constant("BatchNorm2d.running_var", bn.get("running_var"), 1);
        constant("BatchNorm2d.num_batches_tracked", bn.get("num_batches_tracked"), 0);
        Map<String, double[]> ln = state(new LayerNorm(32));
        constant("LayerNorm.weight", ln.get("weight"), 1);
        constant("LayerNorm.bias", ln.get("bias"), 0);
    }

    /**
     * torch.nn.init's formulas on a (200, 50, 3, 3) weight: fan_in = 50·9, fan_out = 200·9; each initializer fills the
     * tensor in place and returns it.
     */
    @Test
    void initializersFollowTorchNnInitAndReturnTheirTensor() {
        ndgrad.autograd.Tensor w = ndgrad.autograd.Tensor.zeros(200, 50, 3, 3);
        assertEquals(450, Init.fanIn(w));
        assertEquals(1800, Init.fanOut(w));
        org.junit.jupiter.api.Assertions.assertSame(w, Init.kaimingUniform(w, new Rng(1), Math.sqrt(5)));
        uniform("kaimingUniform(a = √5)", w.toDoubleArray(), 1 / Math.sqrt(450));
        Init.kaimingUniform(w, new Rng(2), 0);
        uniform("kaimingUniform(a = 0)", w.toDoubleArray(), Math.sqrt(2) * Math.sqrt(3.0 / 450));
        org.junit.jupiter.api.Assertions.assertSame(w, Init.xavierUniform(w, new Rng(3), 2));
        uniform("xavierUniform(gain 2)", w.toDoubleArray(), 2 * Math.sqrt(6.0 / (450 + 1800)));
        org.junit.jupiter.api.Assertions.assertSame(w, Init.xavierNormal(w, new Rng(4), 2));
        normal("xavierNormal(gain 2)", w.toDoubleArray(), 0, 2 * Math.sqrt(2.0 / (450 + 1800)));
        org.junit.jupiter.api.Assertions.assertSame(w, Init.kaimingNormal(w, new Rng(5)));
        normal("kaimingNormal", w.toDoubleArray(), 0, Math.sqrt(2.0 / 450));
        org.junit.jupiter.api.Assertions.assertSame(w, Init.normal(w, new Rng(6), 3, 0.5));
        normal("normal(3, 0.5)", w.toDoubleArray(), 3, 0.5);
        org.junit.jupiter.api.Assertions.assertSame(w, Init.uniform(w, new Rng(7), 1, 2));
        assertTrue(Arrays.stream(w.toDoubleArray()).allMatch(v -> v >= 1 && v < 2));
        org.junit.jupiter.api.Assertions.assertSame(w, Init.zeros(w));
        constant("zeros", w.toDoubleArray(), 0);
        org.junit.jupiter.api.Assertions.assertThrows(ndgrad.core.ShapeException.class,
                () -> Init.fanOut(ndgrad.autograd.Tensor.zeros(4)));
    }

    private static void normal(String what, double[] v, double mean, double sd) {
        double m = Arrays.stream(v).average().orElseThrow();
        double var = Arrays.stream(v).map(x -> (x - m) * (x - m)).average().orElseThrow();
        assertEquals(mean, m, 5 * sd / Math.sqrt(v.length), what + ": mean");
        assertEquals(sd * sd, var, 0.02 * sd * sd, what + ": variance");
    }
}
