package ndgrad.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import ndgrad.autograd.Float64Test;
import ndgrad.autograd.Tensor;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;

/**
 * MaxPool2d's {@code forwardWithIndices} against PyTorch 1.13's {@code F.max_pool2d(x, ..., return_indices=True)} on
 * an input with ties (the first maximum wins) and a channel of negated values (padding never wins, -0.0 beats -1).
 * The values were printed by {@code torch.nn.functional.max_pool2d} with the arguments named in each case.
 */
class PoolIndicesTest extends Float64Test {
    private static final double[] PLANE = {1, 5, 2, 0, 3, 4, 5, 1, 7, 7, 0, 2, 9, 1, 1, 3, 3, 8, 6, 2};

    private static Tensor input() {
        double[] v = new double[40];
        for (int i = 0; i < 20; i++) {
            v[i] = PLANE[i];
            v[20 + i] = -PLANE[i];
        }
        return Tensor.of(v, 1, 2, 4, 5);
    }

    private static void check(MaxPool2d pool, double[] values, double[] indices, long... shape) {
        Tensor.ValuesIndices vi = pool.forwardWithIndices(input());
        assertArrayEquals(values, vi.values().toDoubleArray(), 0.0);
        assertArrayEquals(indices, vi.indices().toDoubleArray(), 0.0);
        assertArrayEquals(shape, vi.indices().shape());
        assertEquals(DataType.LONG, vi.indices().dtype());
        assertArrayEquals(vi.values().toDoubleArray(), pool.forward(input()).toDoubleArray(), 0.0,
                "forward gives the same values");
    }

    @Test
    void kernel2() {
        check(new MaxPool2d(2), new double[] {5, 7, 3, 9, -1, -0.0, -0.0, -1}, new double[] {1, 8, 15, 12, 0, 3, 10,
                13}, 1, 2, 2, 2);
    }

    @Test
    void kernel2By3Stride2Padding1CeilMode() {
        check(new MaxPool2d(new int[] {2, 3}, new int[] {2}, new int[] {1}, new int[] {1}, true),
                new double[] {5, 5, 3, 5, 9, 7, 3, 8, 6, -1, -0.0, -0.0, -0.0, -1, -1, -3, -3, -2},
                new double[] {1, 1, 4, 6, 12, 8, 15, 17, 18, 0, 3, 3, 10, 7, 13, 15, 16, 19}, 1, 2, 3, 3);
    }

    @Test
    void dilation2() {
        check(new MaxPool2d(new int[] {2}, new int[] {1}, new int[] {0}, new int[] {2}, false),
                new double[] {9, 5, 9, 8, 7, 8, -0.0, -0.0, -1, -1, -3, -1},
                new double[] {12, 1, 12, 17, 8, 17, 10, 3, 14, 7, 16, 7}, 1, 2, 2, 3);
    }

    @Test
    void theValuesCarryTheGradientToTheIndexedInputs() {
        Tensor x = input().requiresGrad();
        new MaxPool2d(2).forwardWithIndices(x).values().sum().backward();
        double[] g = x.grad().toDoubleArray();
        for (int i : new int[] {1, 8, 15, 12}) {
            assertEquals(1, g[i], 0.0);
        }
        assertEquals(4, java.util.Arrays.stream(g, 0, 20).sum(), 0.0);
    }
}
