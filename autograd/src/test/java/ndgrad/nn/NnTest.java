package ndgrad.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import ndgrad.autograd.Autograd;
import ndgrad.autograd.Float64Test;
import ndgrad.autograd.GradCheck;
import ndgrad.autograd.Tensor;
import ndgrad.core.Rng;
import ndgrad.core.ShapeException;
import ndgrad.core.memory.Scope;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.buffer.DataType;

/** Modules, initializers, losses and model files. */
class NnTest extends Float64Test {
    static final GradCheck.Options TIGHT = GradCheck.Options.defaults().tolerances(1e-7, 1e-6);

    private static Sequential mlp(long seed) {
        Rng rng = new Rng(seed);
        return new Sequential(new Linear(3, 4, rng), Activation.tanh(), new Linear(4, 2, rng));
    }

    @Test
    void anEmptyBatchGoesThroughAConvolutionalNetAsInPyTorch() {
        Rng rng = new Rng(3);
        Sequential model = new Sequential(new Conv2d(1, 4, 3, 1, 1, 1, 1, true, rng), Activation.relu(),
                new MaxPool2d(2), new Flatten(), new Linear(4 * 4 * 4, 3, rng));
        Tensor empty = Tensor.zeros(0, 1, 8, 8).requiresGrad();
        Tensor y = model.forward(empty);
        assertArrayEquals(new long[] {0, 3}, y.shape());
        y.sum().backward();
        assertArrayEquals(new long[] {0, 1, 8, 8}, empty.grad().shape());
        Conv2d conv = (Conv2d) model.layers().get(0);
        assertArrayEquals(new double[4 * 9], conv.weight().grad().toDoubleArray(), 0.0, "no samples, no gradient");
        assertArrayEquals(new double[4], conv.bias().grad().toDoubleArray(), 0.0);
        // the loss of no samples: the mean of nothing, NaN, as F.cross_entropy gives; its gradient is empty
        Tensor logits = Tensor.zeros(0, 3).requiresGrad();
        Tensor loss = Losses.crossEntropy(logits, new int[0]);
        assertTrue(Double.isNaN(loss.item()), "mean cross-entropy of an empty batch: " + loss.item());
        loss.backward();
        assertArrayEquals(new long[] {0, 3}, logits.grad().shape());
    }

    @Test
    void parametersAreNamedAndOrderedAsInPyTorch() {
        Sequential m = mlp(1);
        assertEquals(List.of("0.weight", "0.bias", "2.weight", "2.bias"),
                m.namedParameters().stream().map(Parameter::name).toList());
        assertArrayEquals(new long[] {4, 3}, m.parameters().get(0).shape());
        assertTrue(m.parameters().stream().allMatch(p -> p.isLeaf() && p.isRequiresGrad()));
        assertEquals("Sequential[Linear(3, 4), Tanh, Linear(4, 2)]", m.toString());
    }

    @Test
    void linearUsesPyTorchsDefaultInitAndComputesXWtPlusB() {
        Linear fc = new Linear(50, 20, new Rng(3));
        double bound = 1 / Math.sqrt(50);
        double[] w = fc.weight().toDoubleArray();
        assertTrue(java.util.Arrays.stream(w).allMatch(v -> Math.abs(v) <= bound));
        assertEquals(bound * bound / 3, java.util.Arrays.stream(w).map(v -> v * v).average().orElseThrow(),
                0.1 * bound * bound / 3, "variance of U(-b, b) is b²/3");
        assertArrayEquals(w, new Linear(50, 20, new Rng(3)).weight().toDoubleArray(), "same seed, same weights");
        Linear small = new Linear(2, 1, new Rng(4));
        try (var off = Autograd.noGrad()) {
            small.weight().copyFrom(Tensor.of(new double[] {2, -1}, 1, 2));
        }
        Tensor y = small.forward(Tensor.of(new double[][] {{1, 1}, {3, 2}}));
        double b = small.bias().item();
        assertArrayEquals(new double[] {1 + b, 4 + b}, y.toDoubleArray(), 1e-15);
    }

    @Test
    void modulesGradientCheck() {
        Sequential m = mlp(5);
        Tensor x = Tensor.of(new Rng(6).normal(DataType.DOUBLE, 5, 3));
        Tensor[] params = m.parameters().toArray(new Tensor[0]);
        GradCheck.assertGradients(TIGHT, in -> m.forward(x).sum(), params);
        GradCheck.assertSecondOrder(TIGHT, in -> m.forward(x).pow(2).sum(), params);
    }

    @Test
    void parametersSurviveTheScopeTheModelWasBuiltIn() {
        Sequential m;
        try (Scope s = Scope.open()) {
            m = mlp(7);
        }
        assertEquals(12, m.parameters().get(0).toDoubleArray().length);
    }

    @Test
    void lossesMatchTheirDefinitions() {
        Tensor x = Tensor.of(0.5, 3, -1);
        Tensor y = Tensor.of(0, 1, -1);
        assertEquals((0.25 + 4 + 0) / 3, Losses.mse(x, y).item(), 1e-15);
        assertEquals(0.5 + 2, Losses.l1(x, y, Losses.Reduction.SUM).item(), 1e-15);
        // Huber, delta 1: 0.5 -> ½ 0.25 = 0.125; 2 -> 1·(2 - ½) = 1.5; 0 -> 0
        assertArrayEquals(new double[] {0.125, 1.5, 0}, Losses.huber(x, y, 1, Losses.Reduction.NONE)
                .toDoubleArray(), 1e-15);
        // BCE with logits: x = 0, y = 1 -> ln 2; x = 1000, y = 0 -> 1000 (no overflow); x = -1000, y = 0 -> 0
        assertArrayEquals(new double[] {Math.log(2), 1000, 0}, Losses.bceWithLogits(Tensor.of(0, 1000, -1000),
                Tensor.of(1, 0, 0), Losses.Reduction.NONE).toDoubleArray(), 1e-12);
        // cross-entropy of [1, 2, 3] with label 2: ln(e + e² + e³) - 3 = 0.40760596444437
        Tensor logits = Tensor.of(new double[][] {{1, 2, 3}, {1000, 0, -1000}});
        assertArrayEquals(new double[] {0.40760596444437, 0}, Losses.crossEntropy(logits, new int[] {2, 0},
                Losses.Reduction.NONE).toDoubleArray(), 1e-12);
        assertEquals(0.40760596444437 / 2, Losses.crossEntropy(logits, new int[] {2, 0}).item(), 1e-12);
    }

    @Test
    void lossesGradientCheck() {
        Rng rng = new Rng(8);
        Tensor x = Tensor.of(rng.normal(DataType.DOUBLE, 4, 3)).requiresGrad();
        Tensor t = Tensor.of(rng.uniform(DataType.DOUBLE, 0, 1, 4, 3));
        Tensor far = Tensor.of(rng.normal(DataType.DOUBLE, 4, 3)).mul(3);
        GradCheck.assertGradients(TIGHT, in -> Losses.mse(in[0], t), x);
        GradCheck.assertGradients(TIGHT, in -> Losses.l1(in[0], far, Losses.Reduction.MEAN), x);
        GradCheck.assertGradients(TIGHT, in -> Losses.huber(in[0], far, 1.5, Losses.Reduction.SUM), x);
        GradCheck.assertGradients(TIGHT, in -> Losses.bceWithLogits(in[0], t, Losses.Reduction.MEAN), x);
        GradCheck.assertGradients(TIGHT, in -> Losses.crossEntropy(in[0], new int[] {0, 2, 1, 2}), x);
        GradCheck.assertSecondOrder(TIGHT, in -> Losses.crossEntropy(in[0], new int[] {0, 2, 1, 2}), x);
    }

    @Test
    void lossesRefuseBadInput() {
        Tensor logits = Tensor.zeros(2, 3);
        ShapeException label = assertThrows(ShapeException.class, () -> Losses.crossEntropy(logits,
                new int[] {0, 3}));
        assertTrue(label.getMessage().contains("label 3 at row 1"), label.getMessage());
        assertThrows(ShapeException.class, () -> Losses.crossEntropy(logits, new int[] {0}));
        assertThrows(ShapeException.class, () -> Losses.mse(logits, Tensor.zeros(3, 2)));
        assertThrows(IllegalArgumentException.class, () -> Losses.huber(logits, logits, 0, Losses.Reduction.MEAN));
    }

    @Test
    void dropoutDropsAndRescalesOnlyInTraining() {
        Dropout d = new Dropout(0.25, new Rng(9));
        Tensor x = Tensor.ones(100, 100);
        double[] y = d.forward(x).toDoubleArray();
        long zeros = java.util.Arrays.stream(y).filter(v -> v == 0).count();
        assertEquals(2500, zeros, 200);
        assertTrue(java.util.Arrays.stream(y).allMatch(v -> v == 0 || Math.abs(v - 1 / 0.75) < 1e-12));
        d.eval();
        assertArrayEquals(x.toDoubleArray(), d.forward(x).toDoubleArray());
        assertThrows(IllegalArgumentException.class, () -> new Dropout(1, new Rng(1)));
    }

    @Test
    void initializersFollowTorchNnInit() {
        Tensor w = Tensor.zeros(200, 400);
        Init.kaimingNormal(w, new Rng(10));
        double[] v = w.toDoubleArray();
        double var = java.util.Arrays.stream(v).map(a -> a * a).average().orElseThrow();
        assertEquals(2.0 / 400, var, 0.05 * 2.0 / 400);
        Init.xavierUniform(w, new Rng(11), 1);
        double a = Math.sqrt(6.0 / 600);
        assertTrue(java.util.Arrays.stream(w.toDoubleArray()).allMatch(x -> Math.abs(x) <= a));
        Init.kaimingUniform(w, new Rng(12), 0);
        double b = Math.sqrt(2) * Math.sqrt(3.0 / 400);
        assertTrue(java.util.Arrays.stream(w.toDoubleArray()).allMatch(x -> Math.abs(x) <= b));
        assertEquals(b * b / 3, java.util.Arrays.stream(w.toDoubleArray()).map(x -> x * x).average().orElseThrow(),
                0.05 * b * b / 3);
        Init.zeros(w);
        assertEquals(0, w.abs().sum().item());
        assertThrows(ShapeException.class, () -> Init.fanIn(Tensor.zeros(3)));
    }

    @Test
    void saveThenLoadRestoresEveryParameter(@TempDir Path dir) throws IOException {
        Sequential a = mlp(20);
        Path file = dir.resolve("model.npz");
        a.save(file);
        Sequential b = mlp(21);
        assertNotEquals(a.parameters().get(0).toDoubleArray()[0], b.parameters().get(0).toDoubleArray()[0]);
        b.load(file);
        for (int i = 0; i < 4; i++) {
            assertArrayEquals(a.parameters().get(i).toDoubleArray(), b.parameters().get(i).toDoubleArray(), 0.0);
        }
    }

    @Test
    void loadStateDictRefusesUnknownAndMissingNamesWhenStrictAndReportsThemWhenNot() {
        Sequential a = mlp(22);
        Sequential b = mlp(23);
        java.util.Map<String, Tensor> state = new java.util.LinkedHashMap<>(a.stateDict());
        assertEquals(List.of("0.weight", "0.bias", "2.weight", "2.bias"), List.copyOf(state.keySet()));
        state.put("extra.weight", Tensor.zeros(2));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> b.loadStateDict(state, true));
        assertEquals("Sequential.loadStateDict: holds entries the module does not have: [extra.weight]",
                e.getMessage());
        state.remove("2.bias");
        assertTrue(assertThrows(IllegalArgumentException.class, () -> b.loadStateDict(state, true)).getMessage()
                .startsWith("Sequential.loadStateDict: no value for [2.bias] (given [0.weight, 0.bias, 2.weight, "));
        double before = b.parameters().get(3).toDoubleArray()[0];
        assertNotEquals(a.parameters().get(0).toDoubleArray()[0], b.parameters().get(0).toDoubleArray()[0],
                "a refused load changed nothing");
        Layer.Keys keys = b.loadStateDict(state, false);
        assertEquals(new Layer.Keys(List.of("2.bias"), List.of("extra.weight")), keys);
        assertArrayEquals(a.parameters().get(0).toDoubleArray(), b.parameters().get(0).toDoubleArray(), 0.0);
        assertEquals(before, b.parameters().get(3).toDoubleArray()[0], 0.0, "a missing entry is left as it was");
    }

    @Test
    void loadStateDictConvertsDtypesAsPyTorchAndRefusesAnotherShape() {
        Sequential a = mlp(22);
        java.util.Map<String, Tensor> state = new java.util.LinkedHashMap<>();
        a.stateDict().forEach((k, v) -> state.put(k, v.to(DataType.FLOAT).add(1)));
        a.loadStateDict(state, true);
        assertEquals(DataType.DOUBLE, a.parameters().get(0).dtype());
        assertEquals((float) state.get("0.weight").toDoubleArray()[5], a.parameters().get(0).toDoubleArray()[5], 0.0);
        state.put("0.bias", Tensor.zeros(3));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> a.loadStateDict(state, false));
        assertTrue(e.getMessage().startsWith("Sequential.loadStateDict: '0.bias' has shape [3], but the module's has "
                + "shape ["), e.getMessage());
    }

    @Test
    void toConvertsParametersAndFloatingBuffersInPlaceKeepingTheObjects() {
        Sequential m = new Sequential(new Linear(3, 2, new Rng(1)), new BatchNorm1d(2));
        Tensor w = m.parameters().get(0);
        double first = w.toDoubleArray()[0];
        m.forward(Tensor.randn(new Rng(2), 4, 3)).sum().backward();
        m.to(DataType.FLOAT);
        assertSame(w, m.parameters().get(0), "the same tensor object, so an optimizer made before still holds it");
        assertEquals(DataType.FLOAT, w.dtype());
        assertEquals((float) first, w.toDoubleArray()[0], 0.0);
        assertTrue(!w.hasGrad(), "gradients are cleared");
        java.util.Map<String, Tensor> s = m.stateDict();
        assertEquals(DataType.FLOAT, s.get("1.running_var").dtype());
        assertEquals(DataType.LONG, s.get("1.num_batches_tracked").dtype());
        m.forward(Tensor.randn(new Rng(2), 4, 3).to(DataType.FLOAT)).sum().backward();
        assertEquals(DataType.FLOAT, w.grad().dtype());
        assertThrows(IllegalArgumentException.class, () -> m.to(DataType.LONG));
    }

    @Test
    void loadingIntoAnotherShapeNamesTheParameterAndChangesNothing(@TempDir Path dir) throws IOException {
        Path file = dir.resolve("model.npz");
        mlp(22).save(file);
        Rng rng = new Rng(23);
        Sequential wider = new Sequential(new Linear(3, 5, rng), Activation.tanh(), new Linear(5, 2, rng));
        double[] before = wider.parameters().get(0).toDoubleArray();
        IOException e = assertThrows(IOException.class, () -> wider.load(file));
        assertTrue(e.getMessage().contains("'0.weight'") && e.getMessage().contains("[4, 3]")
                && e.getMessage().contains("[5, 3]"), e.getMessage());
        assertArrayEquals(before, wider.parameters().get(0).toDoubleArray());
        Sequential deeper = new Sequential(new Linear(3, 4, rng), Activation.tanh(), new Linear(4, 2, rng),
                new Linear(2, 2, rng));
        assertTrue(assertThrows(IOException.class, () -> deeper.load(file)).getMessage().contains("no value for [3.weight, 3.bias]"));
        Sequential shallower = new Sequential(new Linear(3, 4, rng));
        assertTrue(assertThrows(IOException.class, () -> shallower.load(file)).getMessage()
                .contains("does not have"));
    }

    /** summary() lists each layer with its output shape and parameter count, and the total; the mode is kept. */
    @Test
    void summaryListsLayersShapesAndParameterCounts() {
        Rng rng = new Rng(1);
        Sequential m = new Sequential(new Unflatten(1, 8, 8), new Conv2d(1, 4, 3, rng), new BatchNorm2d(4),
                Activation.relu(), new MaxPool2d(2), new Flatten(), new Linear(36, 10, rng));
        String s = m.summary(2, 64);
        String[] lines = s.split("\n");
        assertEquals(9, lines.length, s);
        assertTrue(lines[2].contains("Conv2d(1, 4, kernel=3") && lines[2].contains("[2, 4, 6, 6]")
                && lines[2].trim().endsWith(" 40"), lines[2]);
        assertTrue(lines[3].contains("BatchNorm2d(4") && lines[3].trim().endsWith(" 8"), lines[3]);
        assertTrue(lines[5].contains("[2, 4, 3, 3]"), lines[5]);
        assertTrue(lines[7].contains("[2, 10]") && lines[7].trim().endsWith(" 370"), lines[7]);
        assertTrue(lines[8].startsWith("total") && lines[8].trim().endsWith(" 418"), lines[8]);
        assertEquals(418, m.parameterCount());
        assertTrue(m.isTraining(), "summary() returns the model to training mode");
    }

    /**
     * Issue 33: an int64 tensor of class indices is a target, as PyTorch's {@code cross_entropy(x, t)} takes it.
     * PyTorch 1.13, float64, x = [[1, 2, 3], [1, -1, 0]], t = [2, 0]: loss 0.4076059644443804, and the gradient
     * below; with reduction 'sum' and label smoothing 0.1: 1.0152119288887609.
     */
    @Test
    void crossEntropyTakesAnInt64TensorOfClassIndices() {
        Tensor x = Tensor.of(new double[] {1, 2, 3, 1, -1, 0}, 2, 3).requiresGrad();
        Tensor t = Tensor.of(org.nd4j.linalg.factory.Nd4j.createFromArray(2L, 0L));
        Tensor loss = Losses.crossEntropy(x, t);
        loss.backward();
        assertEquals(0.4076059644443804, loss.item(), 1e-15);
        assertArrayEquals(new double[] {0.04501528658519022, 0.12236423552739882, -0.1673795221125891,
            -0.1673795221125891, 0.04501528658519022, 0.12236423552739882}, x.grad().toDoubleArray(), 1e-15);
        assertEquals(1.0152119288887609, Losses.crossEntropy(x, t, Losses.CrossEntropyOptions.defaults()
                .reduction(Losses.Reduction.SUM).labelSmoothing(0.1)).item(), 1e-14);
        ShapeException e = assertThrows(ShapeException.class, () -> Losses.crossEntropy(x,
                Tensor.of(org.nd4j.linalg.factory.Nd4j.createFromArray(new long[][] {{2}, {0}}))));
        assertEquals("crossEntropy: class indices must be a 1-D integer tensor of shape (N), got shape [2, 1] and "
                + "dtype LONG", e.getMessage());
    }

    /** momentum=None: the running statistics are the plain average of every batch's, as PyTorch's. */
    @Test
    void batchNormWithoutMomentumKeepsACumulativeAverage() {
        BatchNorm1d bn = new BatchNorm1d(2, 1e-5, null, false, true);
        assertEquals(List.of("running_mean", "running_var", "num_batches_tracked"), bn.namedState().stream()
                .map(Parameter::name).toList());
        double[][][] batches = {{{1, 2}, {3, 8}}, {{0, -1}, {4, 1}, {2, 0}}, {{5, 5}, {7, 9}}};
        double[] mean = new double[2];
        double[] var = new double[2];
        for (double[][] b : batches) {
            bn.forward(Tensor.of(b));
            for (int c = 0; c < 2; c++) {
                double m = 0;
                for (double[] row : b) {
                    m += row[c] / b.length;
                }
                double v = 0;
                for (double[] row : b) {
                    v += (row[c] - m) * (row[c] - m) / (b.length - 1);
                }
                mean[c] += m / batches.length;
                var[c] += v / batches.length;
            }
        }
        assertArrayEquals(mean, bn.runningMean().toDoubleArray(), 1e-12);
        assertArrayEquals(var, bn.runningVar().toDoubleArray(), 1e-12);
        assertEquals(3, bn.stateDict().get("num_batches_tracked").item());
        BatchNorm2d plain = new BatchNorm2d(3, 1e-5, 0.1, false, false);
        assertEquals(List.of(), plain.namedState());
        Tensor x = Tensor.randn(new Rng(4), 2, 3, 2, 2);
        assertArrayEquals(plain.forward(x).toDoubleArray(), plain.eval().forward(x).toDoubleArray(), 0.0,
                "without running statistics, evaluation uses the batch's");
    }

    /** Without an Rng a layer draws from the default generator, seeded as PyTorch's; manualSeed makes it repeat. */
    @Test
    void layersWithoutAnRngDrawFromTheSeededDefaultGenerator() {
        Rng.manualSeed(5);
        Linear a = new Linear(3, 2);
        LSTM l = new LSTM(2, 3);
        Rng.manualSeed(5);
        Linear b = new Linear(3, 2);
        assertArrayEquals(a.weight().toDoubleArray(), b.weight().toDoubleArray(), 0.0);
        Rng same = new Rng(5);
        assertArrayEquals(new Linear(3, 2, same).weight().toDoubleArray(), a.weight().toDoubleArray(), 0.0);
        assertArrayEquals(new LSTM(2, 3, same).parameters().get(0).toDoubleArray(), l.parameters().get(0)
                .toDoubleArray(), 0.0);
        assertEquals(67280421310721L, Rng.DEFAULT_SEED);
    }
}
