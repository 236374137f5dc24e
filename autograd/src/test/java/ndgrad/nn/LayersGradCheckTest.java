package ndgrad.nn;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import java.util.stream.Stream;
import ndgrad.autograd.Float64Test;
import ndgrad.autograd.GradCheck;
import ndgrad.autograd.Tensor;
import ndgrad.core.NdArrays;
import ndgrad.core.Rng;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.nd4j.linalg.api.buffer.DataType;

/**
 * Every layer gradient-checked in float64 against central differences, with respect to its input and every
 * parameter, at first and second order (tolerances as OpGradCheckTest's: atol 1e-7, rtol 1e-6).
 */
class LayersGradCheckTest extends Float64Test {
    static final GradCheck.Options TIGHT = GradCheck.Options.defaults().tolerances(1e-7, 1e-6);

    /** A layer, the function of (input, parameters...) to check, and the tensors to perturb. */
    record Case(String name, Function<Tensor[], Tensor> f, List<Tensor> inputs) {
        @Override
        public String toString() {
            return name;
        }
    }

    static Case layer(String name, Layer m, Tensor x) {
        List<Tensor> in = new ArrayList<>();
        in.add(x.requiresGrad());
        in.addAll(m.parameters());
        return new Case(name, t -> m.forward(t[0]), in);
    }

    static Stream<Case> cases() {
        try (var d = ndgrad.core.DTypes.use(DataType.DOUBLE)) {
            Rng r = new Rng(5);
            Tensor distinct = Tensor.of(NdArrays.create(java.util.Arrays.stream(r.permutation(2 * 5 * 5))
                    .asDoubleStream().map(v -> v / 10).toArray(), new long[] {1, 2, 5, 5}, DataType.DOUBLE));
            Tensor ids = Tensor.of(NdArrays.create(new double[] {0, 2, 2, 4, 1, 0}, new long[] {2, 3}, DataType.LONG));
            // with a padding index the padding row's gradient is 0 by definition, not its derivative (PyTorch's, and
            // checked against PyTorch in LayersReferenceTest), so the check uses a table without one
            Embedding emb = new Embedding(5, 3, r);
            RNN rnn = new RNN(3, 2, r);
            LSTM lstm = new LSTM(3, 2, r);
            GRU gru = new GRU(3, 2, r);
            Tensor seq = Tensor.randn(r, 2, 3, 3);
            return Stream.of(
                    layer("Conv1d k3 s2 p1 groups 2", new Conv1d(2, 4, 3, 2, 1, 1, 2, true, r), Tensor.randn(r, 2, 2, 6)),
                    layer("Conv2d k3 s2 p1", new Conv2d(2, 3, 3, 2, 1, 1, 1, true, r), Tensor.randn(r, 2, 2, 5, 4)),
                    layer("Conv2d dilation 2, no bias", new Conv2d(1, 2, 2, 1, 0, 2, 1, false, r),
                            Tensor.randn(r, 1, 1, 5, 5)),
                    layer("MaxPool2d k3 s2 p1", new MaxPool2d(3, 2, 1), distinct),
                    layer("AvgPool2d k2", new AvgPool2d(2), Tensor.randn(r, 1, 2, 4, 4)),
                    layer("AdaptiveAvgPool2d 2x3 of 5x7", new AdaptiveAvgPool2d(2, 3), Tensor.randn(r, 1, 2, 5, 7)),
                    layer("BatchNorm1d train", new BatchNorm1d(3), Tensor.randn(r, 5, 3)),
                    layer("BatchNorm1d eval", new BatchNorm1d(3).eval(), Tensor.randn(r, 5, 3)),
                    layer("BatchNorm2d train", new BatchNorm2d(2), Tensor.randn(r, 2, 2, 3, 3)),
                    layer("LayerNorm (3, 4)", new LayerNorm(3, 4), Tensor.randn(r, 2, 3, 4)),
                    layer("Flatten", new Flatten(), Tensor.randn(r, 2, 2, 3)),
                    new Case("Embedding, repeated ids", t -> emb.forward(ids).mul(t[0]), List.of(
                            Tensor.randn(r, 2, 3, 3).requiresGrad(), emb.weight())),
                    recurrent("RNN", rnn, seq),
                    recurrent("LSTM", lstm, seq),
                    recurrent("GRU", gru, seq),
                    new Case("attention, causal", t -> Attention.scaledDotProduct(t[0], t[1], t[2], true), List.of(
                            Tensor.randn(r, 2, 3, 2).requiresGrad(), Tensor.randn(r, 2, 3, 2).requiresGrad(),
                            Tensor.randn(r, 2, 3, 2).requiresGrad())));
        }
    }

    /** A recurrent layer's output and final states, from a given h0 (and c0), all checked. */
    static Case recurrent(String name, Recurrent m, Tensor x) {
        Rng r = new Rng(name.length());
        List<Tensor> in = new ArrayList<>(List.of(x.detach().requiresGrad(), Tensor.randn(r, 1, 2, 2).to(
                DataType.DOUBLE).requiresGrad(), Tensor.randn(r, 1, 2, 2).to(DataType.DOUBLE).requiresGrad()));
        in.addAll(m.parameters());
        return new Case(name, t -> {
            Recurrent.Output o = m.run(t[0], t[1], m instanceof LSTM ? t[2] : null);
            Tensor y = o.output().sum().add(o.hn().mul(2).sum());
            return o.cn() == null ? y.add(t[2].sum().mul(0)) : y.add(o.cn().mul(3).sum());
        }, in);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void firstDerivatives(Case c) {
        GradCheck.Report report = GradCheck.check(TIGHT, c.f(), c.inputs().toArray(new Tensor[0]));
        assertTrue(report.passed(), report::toString);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void secondDerivatives(Case c) {
        GradCheck.Report report = GradCheck.checkSecondOrder(TIGHT, c.f(), c.inputs().toArray(new Tensor[0]));
        assertTrue(report.passed(), report::toString);
    }
}
