package ndgrad.nn;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import ndgrad.autograd.Tensor;
import ndgrad.core.NdArrays;
import ndgrad.core.Rng;
import ndgrad.core.ShapeException;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.junit.jupiter.api.function.Executable;

/** A shape a layer cannot take is refused with the layer's name, the expected and actual shape, and what to do. */
class LayersErrorTest {
    private static final Rng RNG = new Rng(3);

    private static void refused(String message, Executable e) {
        assertEquals(message, assertThrows(ShapeException.class, e).getMessage());
    }

    @Test
    void wrongChannelCount() {
        refused("Conv2d: expected input (N, 3, H, W), got [1, 2, 5, 5]; the layer was made for 3 input channels",
                () -> new Conv2d(3, 4, 3, RNG).forward(Tensor.zeros(1, 2, 5, 5)));
        refused("BatchNorm2d: expected input of rank [4] with 3 channels in dim 1, got [2, 4, 5, 5]",
                () -> new BatchNorm2d(3).forward(Tensor.zeros(2, 4, 5, 5)));
        refused("Conv1d: expected input (N, C, L), got [2, 8]",
                () -> new Conv1d(2, 2, 3, 1, 0, 1, 1, true, RNG).forward(Tensor.zeros(2, 8)));
    }

    @Test
    void kernelLargerThanThePaddedInput() {
        refused("Conv2d: the kernel spans 5 (kernel 5, dilation 1) but the padded input is only 4 along H (input 2, "
                + "padding 1); use a smaller kernel or more padding",
                () -> new Conv2d(1, 1, 5, 1, 1, 1, 1, true, RNG).forward(Tensor.zeros(1, 1, 2, 9)));
        refused("MaxPool2d: the kernel spans 3 (kernel 3, dilation 1) but the padded input is only 2 along W (input 2, "
                + "padding 0); use a smaller kernel or more padding",
                () -> new MaxPool2d(3, 1, 0).forward(Tensor.zeros(1, 1, 4, 2)));
    }

    @Test
    void idsOutOfRange() {
        Tensor ids = Tensor.of(NdArrays.create(new double[] {1, 10}, new long[] {2}, DataType.LONG));
        refused("Embedding: id 10 at position 1 is outside [0, 10); the table has 10 rows",
                () -> new Embedding(10, 4, RNG).forward(ids));
        refused("Embedding: expected integer ids, got FLOAT; convert the ids, e.g. build them with DataType.LONG",
                () -> new Embedding(10, 4, RNG).forward(Tensor.of(1, 2)));
    }

    @Test
    void hiddenStateOfTheWrongShape() {
        LSTM lstm = new LSTM(3, 4, RNG);
        Tensor x = Tensor.zeros(2, 5, 3);
        refused("LSTM: expected h0 of shape (1, 2, 4) (layers·directions, batch, hidden; never batch-first), got [2, 1, 4]",
                () -> lstm.forward(x, Tensor.zeros(2, 1, 4), null));
        refused("LSTM: expected c0 of shape (1, 2, 4) (layers·directions, batch, hidden; never batch-first), got [1, 2, 3]",
                () -> lstm.forward(x, null, Tensor.zeros(1, 2, 3)));
        assertEquals("GRU: has no cell state; pass c0 only to an LSTM", assertThrows(IllegalArgumentException.class,
                () -> new GRU(3, 4, RNG).forward(x, null, Tensor.zeros(1, 2, 4))).getMessage());
        refused("GRU: expected input (batch, seq, 3) with batch_first, got [2, 5, 4]",
                () -> new GRU(3, 4, RNG).forward(Tensor.zeros(2, 5, 4)));
    }

    @Test
    void otherShapes() {
        refused("LayerNorm: expected input ending in [5], got [3, 4]", () -> new LayerNorm(5).forward(Tensor.zeros(3,
                4)));
        refused("MultiheadAttention: expected input (batch, seq, 8), got [2, 3, 6]",
                () -> new MultiheadAttention(8, 2, false, RNG).forward(Tensor.zeros(2, 3, 6)));
        refused("AdaptiveAvgPool2d: expected input (N, C, H, W), got [2, 3, 4]",
                () -> new AdaptiveAvgPool2d(1, 1).forward(Tensor.zeros(2, 3, 4)));
        refused("BatchNorm1d: training needs more than one value per channel, got input [1, 4]",
                () -> new BatchNorm1d(4).forward(Tensor.zeros(1, 4)));
    }
}
