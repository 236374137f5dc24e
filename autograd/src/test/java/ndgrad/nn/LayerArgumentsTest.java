package ndgrad.nn;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import ndgrad.nn.Losses;
import ndgrad.autograd.Tensor;
import ndgrad.core.Rng;
import ndgrad.core.ShapeException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

/**
 * Every layer's constructor refuses what PyTorch refuses, at the boundary (the smallest bad value refused, the
 * smallest good one taken), naming the layer; and every layer prints its configuration as PyTorch's repr does.
 */
class LayerArgumentsTest {
    private static final Rng RNG = new Rng(1);

    private static void refused(String layer, Executable e) {
        IllegalArgumentException x = assertThrows(IllegalArgumentException.class, e);
        assertTrue(x.getMessage().startsWith(layer + ":"), x.getMessage());
    }

    @Test
    void sizesMustBePositive() {
        refused("Linear", () -> new Linear(0, 1, RNG));
        refused("Linear", () -> new Linear(1, 0, RNG));
        new Linear(1, 1, RNG);
        refused("Embedding", () -> new Embedding(0, 2, RNG));
        refused("Embedding", () -> new Embedding(2, 0, RNG));
        refused("Embedding", () -> new Embedding(3, 2, 3, RNG));
        refused("Embedding", () -> new Embedding(3, 2, -2, RNG));
        new Embedding(3, 2, 2, RNG);
        new Embedding(1, 1, 0, RNG);
        refused("RNN", () -> new RNN(0, 2, RNG));
        refused("LSTM", () -> new LSTM(2, 0, RNG));
        refused("GRU", () -> new GRU(0, 0, RNG));
        new GRU(1, 1, RNG);
        assertThrows(IllegalArgumentException.class, () -> Recurrent.options().numLayers(0));
        assertThrows(IllegalArgumentException.class, () -> Recurrent.options().dropout(1));
        assertThrows(IllegalArgumentException.class, () -> Recurrent.options().dropout(-1e-300));
        Recurrent.options().dropout(0.999).numLayers(1);
        refused("MultiheadAttention", () -> new MultiheadAttention(0, 1, false, RNG));
        refused("MultiheadAttention", () -> new MultiheadAttention(4, 0, false, RNG));
        refused("MultiheadAttention", () -> new MultiheadAttention(6, 4, false, RNG));
        new MultiheadAttention(1, 1, false, RNG);
        refused("AdaptiveAvgPool2d", () -> new AdaptiveAvgPool2d(0, 1));
        refused("AdaptiveAvgPool2d", () -> new AdaptiveAvgPool2d(1, 0));
        new AdaptiveAvgPool2d(1, 1);
        refused("Unflatten", () -> new Unflatten());
        refused("Unflatten", () -> new Unflatten(2, 0));
        new Unflatten(1);
    }

    @Test
    void convolutionsTakeWhatPyTorchTakes() {
        refused("Conv2d", () -> new Conv2d(0, 1, 1, RNG));
        refused("Conv2d", () -> new Conv2d(1, 0, 1, RNG));
        refused("Conv2d", () -> new Conv2d(1, 1, 0, RNG));
        refused("Conv2d", () -> new Conv2d(1, 1, 1, 0, 0, 1, 1, true, RNG));
        refused("Conv2d", () -> new Conv2d(1, 1, 1, 1, -1, 1, 1, true, RNG));
        refused("Conv2d", () -> new Conv2d(1, 1, 1, 1, 0, 0, 1, true, RNG));
        refused("Conv2d", () -> new Conv2d(2, 2, 1, 1, 0, 1, 0, true, RNG));
        refused("Conv2d", () -> new Conv2d(3, 2, 1, 1, 0, 1, 2, true, RNG));
        refused("Conv2d", () -> new Conv2d(2, 3, 1, 1, 0, 1, 2, true, RNG));
        new Conv2d(1, 1, 1, 1, 0, 1, 1, false, RNG);
        new Conv2d(2, 2, 1, 1, 0, 1, 2, true, RNG);
        refused("Conv1d", () -> new Conv1d(0, 1, 1, 1, 0, 1, 1, true, RNG));
        refused("Conv1d", () -> new Conv1d(1, 1, 1, 1, 0, 1, 0, true, RNG));
        new Conv1d(1, 1, 1, 1, 0, 1, 1, true, RNG);
    }

    /** PyTorch requires padding at most half the kernel, a positive kernel and stride. */
    @Test
    void poolingWindowsTakeWhatPyTorchTakes() {
        refused("MaxPool2d", () -> new MaxPool2d(0));
        refused("MaxPool2d", () -> new MaxPool2d(2, 0, 0));
        refused("MaxPool2d", () -> new MaxPool2d(3, 1, 2));
        refused("MaxPool2d", () -> new MaxPool2d(3, 1, -1));
        new MaxPool2d(3, 1, 1);
        new MaxPool2d(1, 1, 0);
        refused("AvgPool2d", () -> new AvgPool2d(0));
        refused("AvgPool2d", () -> new AvgPool2d(4, 1, 3));
        new AvgPool2d(4, 1, 2);
    }

    @Test
    void normsAndDropoutCheckTheirNumbers() {
        refused("Conv2d", () -> new Conv2d(1, 1, new int[] {1, 2, 3}, new int[] {1}, new int[] {0}, new int[] {1}, 1,
                true, RNG));
        refused("Conv2d", () -> new Conv2d(1, 1, new int[] {3, 0}, new int[] {1}, new int[] {0}, new int[] {1}, 1,
                true, RNG));
        new Conv2d(1, 1, new int[] {3, 1}, new int[] {1, 2}, new int[] {0, 0}, new int[] {1}, 1, true, RNG);
        refused("MaxPool2d", () -> new MaxPool2d(new int[] {2, 4}, new int[] {2}, new int[] {1, 3}, new int[] {1},
                false));
        refused("MaxPool2d", () -> new MaxPool2d(new int[] {2}, new int[] {2}, new int[] {0}, new int[] {0}, false));
        new MaxPool2d(new int[] {2, 4}, new int[] {2}, new int[] {1, 2}, new int[] {1}, false);
        refused("AvgPool2d", () -> new AvgPool2d(new int[] {}, new int[] {1}, new int[] {0}, false, true));
        refused("BatchNorm1d", () -> new BatchNorm1d(0));
        refused("BatchNorm2d", () -> new BatchNorm2d(2, 0, 0.1));
        refused("BatchNorm2d", () -> new BatchNorm2d(2, 1e-5, -0.1));
        refused("BatchNorm2d", () -> new BatchNorm2d(2, 1e-5, 1.1));
        new BatchNorm2d(1, 1e-9, 0);
        new BatchNorm2d(1, 1e-9, 1);
        refused("LayerNorm", () -> new LayerNorm(new long[0]));
        refused("LayerNorm", () -> new LayerNorm(new long[] {2, 0}));
        refused("LayerNorm", () -> new LayerNorm(3, 0.0));
        new LayerNorm(1, 1e-12);
        refused("Dropout", () -> new Dropout(-0.1, RNG));
        refused("Dropout", () -> new Dropout(1, RNG));
        new Dropout(0, RNG);
        new Dropout(0.999, RNG);
    }

    @Test
    void layersPrintTheirConfigurationAsPyTorchDoes() {
        assertEquals("Linear(3, 2)", new Linear(3, 2, RNG).toString());
        assertEquals("Linear(3, 2, bias=false)", new Linear(3, 2, false, RNG).toString());
        assertEquals("Conv2d(4, 6, kernel=3, stride=2, padding=1, dilation=2, groups=2, bias=false)",
                new Conv2d(4, 6, 3, 2, 1, 2, 2, false, RNG).toString());
        assertEquals("Conv2d(1, 2, kernel=5, stride=1, padding=0)", new Conv2d(1, 2, 5, RNG).toString());
        assertEquals("Conv1d(4, 6, kernel=3, stride=2, padding=1, dilation=2, groups=2, bias=false)",
                new Conv1d(4, 6, 3, 2, 1, 2, 2, false, RNG).toString());
        assertEquals("Conv1d(1, 2, kernel=3, stride=1, padding=0)", new Conv1d(1, 2, 3, 1, 0, 1, 1, true, RNG)
                .toString());
        assertEquals("MaxPool2d(kernel=3, stride=2, padding=1)", new MaxPool2d(3, 2, 1).toString());
        assertEquals("AvgPool2d(kernel=2, stride=2, padding=0)", new AvgPool2d(2).toString());
        assertEquals("AvgPool2d(kernel=(2, 3), stride=2, padding=(1, 0), ceil_mode=true, count_include_pad=false)",
                new AvgPool2d(new int[] {2, 3}, new int[] {2}, new int[] {1, 0}, true, false).toString());
        assertEquals("MaxPool2d(kernel=3, stride=(2, 1), padding=0, dilation=2, ceil_mode=true)", new MaxPool2d(
                new int[] {3}, new int[] {2, 1}, new int[] {0}, new int[] {2}, true).toString());
        assertEquals("Conv2d(2, 4, kernel=(1, 3), stride=1, padding=(0, 1))", new Conv2d(2, 4, new int[] {1, 3},
                new int[] {1}, new int[] {0, 1}, new int[] {1}, 1, true, RNG).toString());
        assertEquals("AdaptiveAvgPool2d(3, 2)", new AdaptiveAvgPool2d(3, 2).toString());
        assertEquals("BatchNorm2d(4, eps=1.0E-5, momentum=0.1)", new BatchNorm2d(4).toString());
        assertEquals("BatchNorm1d(4, eps=0.001, momentum=None, affine=false, track_running_stats=false)",
                new BatchNorm1d(4, 1e-3, null, false, false).toString());
        assertEquals("LayerNorm([3, 4], eps=0.001)", new LayerNorm(new long[] {3, 4}, 1e-3, true).toString());
        assertEquals("LayerNorm([6], eps=3.0)", new LayerNorm(6, 3).toString(), "PyTorch's order: (shape, eps)");
        assertEquals("Embedding(10, 4)", new Embedding(10, 4, RNG).toString());
        assertEquals("Embedding(10, 4, padding_idx=0)", new Embedding(10, 4, 0, RNG).toString());
        assertEquals("LSTM(3, 5, batch_first=true)", new LSTM(3, 5, RNG).toString());
        assertEquals("GRU(3, 5, num_layers=2, bias=false, batch_first=false, dropout=0.5, bidirectional=true)",
                new GRU(3, 5, Recurrent.options().numLayers(2).bias(false).batchFirst(false).dropout(0.5)
                        .bidirectional(true), RNG).toString());
        assertEquals("MultiheadAttention(8, heads=2, causal)", new MultiheadAttention(8, 2, true, RNG).toString());
        assertEquals("MultiheadAttention(8, heads=4)", new MultiheadAttention(8, 4, false, RNG).toString());
        assertEquals("Dropout(0.2)", new Dropout(0.2, RNG).toString());
        assertEquals("Flatten()", new Flatten().toString());
        assertEquals("Unflatten(1, [1, 28, 28])", new Unflatten(1, 28, 28).toString());
        assertEquals("LeakyReLU(0.2)", Activation.leakyRelu(0.2).toString());
        assertEquals(List.of("ReLU", "Tanh", "Sigmoid", "GELU", "Softplus"), List.of(Activation.relu().toString(),
                Activation.tanh().toString(), Activation.sigmoid().toString(), Activation.gelu().toString(),
                Activation.softplus().toString()));
    }

    @Test
    void accessorsGiveTheLayersOwnTensors() {
        Conv2d conv = new Conv2d(2, 3, 3, RNG);
        assertSame(conv.parameters().get(0), conv.weight());
        assertSame(conv.parameters().get(1), conv.bias());
        Conv1d c1 = new Conv1d(2, 3, 3, 1, 0, 1, 1, true, RNG);
        assertSame(c1.parameters().get(0), c1.weight());
        BatchNorm2d bn = new BatchNorm2d(3);
        assertSame(bn.parameters().get(0), bn.weight());
        assertSame(bn.namedState().get(2).value(), bn.runningMean());
        assertSame(bn.namedState().get(3).value(), bn.runningVar());
        Sequential s = new Sequential(new Flatten(), Activation.relu());
        assertEquals(2, s.layers().size());
        assertTrue(s.layers().get(0) instanceof Flatten);
    }

    @Test
    void flattenKeepsTheBatchAndLeavesRankOneAlone() {
        assertEquals("[2, 12]", new Flatten().forward(Tensor.zeros(2, 3, 4)).shapeString());
        assertEquals("[5]", new Flatten().forward(Tensor.zeros(5)).shapeString());
        assertEquals("[3, 1]", new Flatten().forward(Tensor.zeros(3, 1)).shapeString());
        ShapeException e = assertThrows(ShapeException.class, () -> new Linear(3, 2, RNG).forward(Tensor.zeros(2, 4)));
        assertTrue(e.getMessage().startsWith("Linear: expected input (..., 3), got [2, 4]"), e.getMessage());
    }

    /** Labels must lie in [0, C); smoothing in [0, 1], both ends taken; a state's dtype must be the layer's. */
    @Test
    void lossesAndStatesAtTheirBoundaries() {
        Tensor logits = Tensor.zeros(2, 3);
        Losses.CrossEntropyOptions smooth = Losses.CrossEntropyOptions.defaults().labelSmoothing(0.5);
        assertThrows(ShapeException.class, () -> Losses.crossEntropy(logits, new int[] {0, 3}, smooth));
        assertThrows(ShapeException.class, () -> Losses.crossEntropy(logits, new int[] {-1, 0}, smooth));
        assertEquals(Math.log(3), Losses.crossEntropy(logits, new int[] {0, 2}, smooth).item(), 1e-6);
        Losses.crossEntropy(logits, new int[] {0, 2}, Losses.CrossEntropyOptions.defaults().labelSmoothing(1));
        Losses.crossEntropy(logits, new int[] {0, 2}, Losses.CrossEntropyOptions.defaults().labelSmoothing(0)
                .ignoreIndex(2));
        assertThrows(IllegalArgumentException.class, () -> Losses.crossEntropy(logits, new int[] {0, 2},
                Losses.CrossEntropyOptions.defaults().labelSmoothing(-1e-300)));
        LSTM lstm = new LSTM(3, 4, RNG);
        ShapeException e = assertThrows(ShapeException.class, () -> lstm.forward(Tensor.zeros(2, 5, 3),
                Tensor.zeros(1, 2, 4).to(org.nd4j.linalg.api.buffer.DataType.DOUBLE), null));
        assertTrue(e.getMessage().startsWith("LSTM h0: input of dtype DOUBLE, but the layer's parameters are FLOAT"),
                e.getMessage());
    }

    @Test
    void stackedBidirectionalLayersAreNamedAsPyTorchNamesThem() {
        LSTM lstm = new LSTM(3, 4, Recurrent.options().numLayers(2).bidirectional(true).bias(false), RNG);
        assertEquals(List.of("weight_ih_l0", "weight_hh_l0", "weight_ih_l0_reverse", "weight_hh_l0_reverse",
                "weight_ih_l1", "weight_hh_l1", "weight_ih_l1_reverse", "weight_hh_l1_reverse"),
                lstm.namedParameters().stream().map(Parameter::name).toList());
        assertEquals(List.of(16L, 8L), List.of(lstm.parameters().get(4).shape()[0], lstm.parameters().get(4).shape()[1]));
        Recurrent.Output o = lstm.forward(Tensor.zeros(2, 5, 3), null, null);
        assertEquals("[2, 5, 8] [4, 2, 4] [4, 2, 4]", o.output().shapeString() + " " + o.hn().shapeString() + " "
                + o.cn().shapeString());
        ShapeException e = assertThrows(ShapeException.class, () -> lstm.forward(Tensor.zeros(2, 5, 3),
                Tensor.zeros(1, 2, 4), Tensor.zeros(1, 2, 4)));
        assertEquals("LSTM: expected h0 of shape (4, 2, 4) (layers·directions, batch, hidden; never batch-first), "
                + "got [1, 2, 4]", e.getMessage());
        assertEquals("LSTM: takes h0 and c0 together, forward(x, h0, c0)", assertThrows(
                IllegalArgumentException.class, () -> lstm.forward(Tensor.zeros(2, 5, 3), Tensor.zeros(4, 2, 4)))
                .getMessage());
    }

    @Test
    void dropoutActsBetweenLayersInTrainingOnly() {
        Tensor x = Tensor.randn(new Rng(5), 2, 6, 3);
        GRU plain = new GRU(3, 4, Recurrent.options().numLayers(2), new Rng(7));
        GRU dropped = new GRU(3, 4, Recurrent.options().numLayers(2).dropout(0.5), new Rng(7));
        double[] expected = plain.forward(x).toDoubleArray();
        double[] training = dropped.forward(x).toDoubleArray();
        assertTrue(!java.util.Arrays.equals(expected, training), "dropout changed nothing in training");
        dropped.eval();
        assertTrue(java.util.Arrays.equals(expected, dropped.forward(x).toDoubleArray()),
                "in evaluation, dropout must be the identity");
        GRU last = new GRU(3, 4, Recurrent.options().dropout(0.5), new Rng(7));
        GRU one = new GRU(3, 4, new Rng(7));
        assertTrue(java.util.Arrays.equals(one.forward(x).toDoubleArray(), last.forward(x).toDoubleArray()),
                "one layer: no dropout after the last layer, as PyTorch's");
    }
}
