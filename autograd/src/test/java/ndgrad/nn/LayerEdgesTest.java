package ndgrad.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.stream.IntStream;
import ndgrad.autograd.Float64Test;
import ndgrad.autograd.Tensor;
import ndgrad.core.Rng;
import ndgrad.core.ShapeException;
import org.junit.jupiter.api.Test;

/** Layers and losses at the edges of their arguments, each value worked out by hand or by a loop. */
class LayerEdgesTest extends Float64Test {
    /**
     * Causal attention with 2 queries over 4 keys (PyTorch's tril of an (L, S) mask: query i sees keys 0..i): with
     * q = 0 every score ties, so row i is the mean of v's first i + 1 rows.
     */
    @Test
    void causalAttentionWithMoreKeysThanQueries() {
        Tensor q = Tensor.zeros(1, 2, 3);
        Tensor k = Tensor.of(new double[] {1, 2, 3, -1, 0, 2, 4, 1, 0, 3, 3, 3}, 1, 4, 3);
        Tensor v = Tensor.of(new double[] {1, 10, 2, 20, 3, 30, 4, 40}, 1, 4, 2);
        Tensor out = Attention.scaledDotProduct(q, k, v, true);
        assertArrayEquals(new long[] {1, 2, 2}, out.shape());
        assertArrayEquals(new double[] {1, 10, 1.5, 15}, out.toDoubleArray(), 1e-15);
    }

    @Test
    void batchNorm1dRefusesAFourDimensionalInput() {
        ShapeException e = assertThrows(ShapeException.class, () -> new BatchNorm1d(3).forward(Tensor.zeros(2, 3, 4, 5)));
        assertEquals("BatchNorm1d: expected input of rank [2, 3] with 3 channels in dim 1, got [2, 3, 4, 5]",
                e.getMessage());
    }

    /**
     * A grouped Conv1d draws its weights from U(±1/√(in/groups · kernel)), as PyTorch (fan_in of the weight (out,
     * in/groups, kernel)): 64 inputs in 4 groups with kernel 5 give 1/√80, and 20,480 draws come near it.
     */
    @Test
    void aGroupedConv1dsInitBoundUsesTheGroupsFanIn() {
        Conv1d conv = new Conv1d(64, 256, 5, 1, 0, 1, 4, false, new Rng(3));
        double bound = 1 / Math.sqrt(80);
        double max = 0;
        for (double w : conv.parameters().get(0).toDoubleArray()) {
            max = Math.max(max, Math.abs(w));
        }
        assertTrue(max <= bound && max > 0.999 * bound, max + " against " + bound);
    }

    /** A grouped Conv2d takes groups × (its weight's in-channels) inputs and refuses others, naming that count. */
    @Test
    void aGroupedConv2dTakesGroupsTimesItsWeightsChannels() {
        Conv2d conv = new Conv2d(4, 6, 3, 1, 1, 1, 2, true, new Rng(1));
        assertArrayEquals(new long[] {1, 6, 5, 5}, conv.forward(Tensor.zeros(1, 4, 5, 5)).shape());
        ShapeException e = assertThrows(ShapeException.class, () -> conv.forward(Tensor.zeros(1, 2, 5, 5)));
        assertEquals("Conv2d: expected input (N, 4, H, W), got [1, 2, 5, 5]; the layer was made for 4 input channels",
                e.getMessage());
    }

    @Test
    void fansNeedAMatrix() {
        assertEquals(3, Init.fanOut(Tensor.zeros(3, 4)), "fan_out of (out, in): out");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Init.fanOut(Tensor.zeros(5)));
        assertTrue(e.getMessage().contains("[5]"), e.getMessage());
    }

    /** Padding up to half the kernel, as PyTorch: kernel 4 takes 2, kernel 2 does not. */
    @Test
    void poolingPaddingAtMostHalfTheKernel() {
        assertArrayEquals(new long[] {1, 1, 3, 3}, new MaxPool2d(4, 2, 2).forward(Tensor.zeros(1, 1, 4, 4)).shape());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new MaxPool2d(2, 2, 2));
        assertEquals("MaxPool2d: padding must be in [0, kernel/2] = [0, 1], got 2", e.getMessage());
    }

    /** A 1-D input is one sample without a batch dimension, as in PyTorch: y = W x + b. */
    @Test
    void linearTakesOneSampleWithoutABatchDimension() {
        Linear lin = new Linear(3, 2, new Rng(4));
        double[] w = lin.parameters().get(0).toDoubleArray();
        double[] b = lin.parameters().get(1).toDoubleArray();
        double[] x = {1, -2, 0.5};
        Tensor y = lin.forward(Tensor.of(x));
        assertArrayEquals(new long[] {2}, y.shape());
        for (int i = 0; i < 2; i++) {
            assertEquals(w[3 * i] * x[0] + w[3 * i + 1] * x[1] + w[3 * i + 2] * x[2] + b[i], y.toDoubleArray()[i],
                    1e-15);
        }
    }

    /**
     * A 3-D input as large as a language model's output layer (8x96 rows of 128 into 96): its rows are one product,
     * split over the cores by rows, and the weight's gradient by columns, with no copy of the input. Output and
     * gradients of sum(y ⊙ R) against plain loops: y = x·Wᵀ + b, dx = R·W, dW = Rᵀ·x, db = Σ R.
     */
    @Test
    void linearOnALargeThreeDimensionalInputMatchesLoops() {
        Rng rng = new Rng(9);
        int rows = 8 * 96;
        int in = 128;
        int out = 96;
        Linear lin = new Linear(in, out, rng);
        Tensor x = Tensor.uniform(rng, -1, 1, 8, 96, in).requiresGrad(true);
        Tensor r = Tensor.uniform(rng, -1, 1, 8, 96, out);
        Tensor y = lin.forward(x);
        y.mul(r).sum().backward();
        double[] xv = x.toDoubleArray();
        double[] rv = r.toDoubleArray();
        double[] w = lin.weight().toDoubleArray();
        double[] b = lin.bias().toDoubleArray();
        double[] want = new double[rows * out];
        double[] dx = new double[rows * in];
        double[] dw = new double[out * in];
        double[] db = new double[out];
        for (int i = 0; i < rows; i++) {
            for (int o = 0; o < out; o++) {
                double acc = b[o];
                for (int k = 0; k < in; k++) {
                    acc += xv[i * in + k] * w[o * in + k];
                    dx[i * in + k] += rv[i * out + o] * w[o * in + k];
                    dw[o * in + k] += rv[i * out + o] * xv[i * in + k];
                }
                want[i * out + o] = acc;
                db[o] += rv[i * out + o];
            }
        }
        assertArrayEquals(new long[] {8, 96, out}, y.shape());
        assertArrayEquals(want, y.toDoubleArray(), 1e-12);
        assertArrayEquals(dx, x.grad().toDoubleArray(), 1e-12);
        assertArrayEquals(dw, lin.weight().grad().toDoubleArray(), 1e-11);
        assertArrayEquals(db, lin.bias().grad().toDoubleArray(), 1e-11);
    }

    /**
     * An LSTM(6, 128) over a batch of 32 and 3 steps: 4,096 units a step, so the fused kernel takes the batch's rows
     * in halves on two cores, and each half's products are 16x128 by 128x512 forward and 16x512 by 512x128 backward
     * (in two bands each where OpenBLAS has small-matrix kernels, {@code Products.gemmBands}). The output against
     * plain loops; the gradients of sum(output ⊙ R) against central differences of those loops, at weights in each
     * gate's rows and at inputs of every step.
     */
    @Test
    void lstmOnABatchSplitOverTheCoresMatchesLoops() {
        Rng rng = new Rng(10);
        int batch = 32;
        int steps = 3;
        int in = 6;
        int hidden = 128;
        LSTM lstm = new LSTM(in, hidden, rng);
        Tensor x = Tensor.uniform(rng, -1, 1, batch, steps, in).requiresGrad(true);
        Tensor r = Tensor.uniform(rng, -1, 1, batch, steps, hidden);
        Tensor y = lstm.forward(x);
        y.mul(r).sum().backward();
        double[][] p = new double[5][];
        p[0] = x.toDoubleArray();
        for (int i = 0; i < 4; i++) {
            p[i + 1] = lstm.parameters().get(i).toDoubleArray();
        }
        double[] rv = r.toDoubleArray();
        assertArrayEquals(lstmLoops(p, batch, steps, in, hidden), y.toDoubleArray(), 1e-12);
        // {which of x, weight_ih, weight_hh, bias_ih, bias_hh, element}: rows of gates i, f, g and o
        int[][] at = {{0, 1}, {0, (31 * steps + 1) * in + 5}, {0, (17 * steps + 2) * in}, {1, 10 * in + 2},
            {1, 200 * in + 4}, {1, 270 * in}, {1, 500 * in + 5}, {2, 3 * hidden + 5},
            {2, 130 * hidden + 100}, {2, 300 * hidden + 64}, {2, 450 * hidden + 127}, {3, 7}, {4, 391}};
        Tensor[] grads = {x.grad(), lstm.parameters().get(0).grad(), lstm.parameters().get(1).grad(),
            lstm.parameters().get(2).grad(), lstm.parameters().get(3).grad()};
        double eps = 1e-6;
        for (int[] a : at) {
            double v = p[a[0]][a[1]];
            p[a[0]][a[1]] = v + eps;
            double[] yUp = lstmLoops(p, batch, steps, in, hidden);
            p[a[0]][a[1]] = v - eps;
            double[] yDown = lstmLoops(p, batch, steps, in, hidden);
            p[a[0]][a[1]] = v;
            double diff = IntStream.range(0, rv.length).mapToDouble(i -> (yUp[i] - yDown[i]) * rv[i]).sum();
            assertEquals(diff / (2 * eps), grads[a[0]].toDoubleArray()[a[1]], 1e-5,
                    "input " + a[0] + " element " + a[1]);
        }
    }

    /** An LSTM's outputs (batch, steps, hidden) from zero states, in PyTorch's gate order, by plain loops. */
    private static double[] lstmLoops(double[][] p, int batch, int steps, int in, int hidden) {
        double[] out = new double[batch * steps * hidden];
        for (int b = 0; b < batch; b++) {
            double[] h = new double[hidden];
            double[] c = new double[hidden];
            for (int t = 0; t < steps; t++) {
                double[] g = new double[4 * hidden];
                for (int j = 0; j < 4 * hidden; j++) {
                    g[j] = p[3][j] + p[4][j];
                    for (int k = 0; k < in; k++) {
                        g[j] += p[1][j * in + k] * p[0][(b * steps + t) * in + k];
                    }
                    for (int k = 0; k < hidden; k++) {
                        g[j] += p[2][j * hidden + k] * h[k];
                    }
                }
                for (int j = 0; j < hidden; j++) {
                    double i = 1 / (1 + Math.exp(-g[j]));
                    double f = 1 / (1 + Math.exp(-g[hidden + j]));
                    double o = 1 / (1 + Math.exp(-g[3 * hidden + j]));
                    c[j] = f * c[j] + i * Math.tanh(g[2 * hidden + j]);
                    h[j] = o * Math.tanh(c[j]);
                    out[(b * steps + t) * hidden + j] = h[j];
                }
            }
        }
        return out;
    }

    /**
     * A class masked with -inf logits, without label smoothing: log softmax is -inf there, and a smoothing term of
     * weight 0 would give -inf · 0 = NaN; the loss is log 2, as PyTorch's.
     */
    @Test
    void aMaskedClassWithoutSmoothingStaysFinite() {
        Tensor logits = Tensor.of(new double[] {0, Double.NEGATIVE_INFINITY, 0}, 1, 3);
        Tensor loss = Losses.crossEntropy(logits, new int[] {0},
                Losses.CrossEntropyOptions.defaults().weight(Tensor.of(1.0, 1, 1)));
        assertEquals(Math.log(2), loss.item(), 1e-15);
    }
}
