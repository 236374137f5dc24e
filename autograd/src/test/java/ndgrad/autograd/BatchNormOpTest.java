package ndgrad.autograd;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;

/** {@link Tensor#batchNorm}'s running statistics and its refusals, on values worked out by hand. */
class BatchNormOpTest {
    /**
     * x = [[1, 2], [3, 6]]: channel 0 holds 1 and 3 (mean 2, biased variance 1, unbiased 2), channel 1 holds 2 and 6
     * (mean 4, variances 4 and 8). From running mean 0 and variance 1 with momentum 0.1, PyTorch's rule gives means
     * 0.9·0 + 0.1·(2, 4) and variances 0.9·1 + 0.1·(2, 8).
     */
    @Test
    void trainingUpdatesTheRunningStatisticsWithTheUnbiasedVariance() {
        for (DataType type : new DataType[] {DataType.DOUBLE, DataType.FLOAT}) {
            Tensor x = Tensor.of(new double[] {1, 2, 3, 6}, 2, 2).to(type);
            Tensor mean = Tensor.zeros(2).to(type);
            Tensor var = Tensor.ones(2).to(type);
            Tensor y = x.batchNorm(mean, var, null, null, true, 0.1, 1e-5);
            double tol = type == DataType.FLOAT ? 1e-6 : 1e-12;
            assertArrayEquals(new double[] {0.2, 0.4}, mean.toDoubleArray(), tol);
            assertArrayEquals(new double[] {1.1, 1.7}, var.toDoubleArray(), tol);
            double a = 1 / Math.sqrt(1 + 1e-5);
            double b = 2 / Math.sqrt(4 + 1e-5);
            assertArrayEquals(new double[] {-a, -b, a, b}, y.toDoubleArray(), tol);
        }
    }

    /** In evaluation the running statistics normalize and stay as they were; weight and bias scale and shift. */
    @Test
    void evaluationUsesTheRunningStatistics() {
        Tensor x = Tensor.of(new double[] {1, 2, 3, 6}, 2, 2);
        Tensor mean = Tensor.of(new double[] {1, 2}, 2);
        Tensor var = Tensor.of(new double[] {4, 16}, 2);
        Tensor y = x.batchNorm(mean, var, Tensor.of(new double[] {2, 3}, 2), Tensor.of(new double[] {1, -1}, 2),
                false, 0.1, 1e-300);
        assertArrayEquals(new double[] {1, -1, 3, 2}, y.toDoubleArray(), 1e-12);
        assertArrayEquals(new double[] {1, 2}, mean.toDoubleArray(), 0);
    }

    @Test
    void refusesEvaluationWithoutRunningStatisticsAndBadArguments() {
        Tensor x = Tensor.zeros(2, 3);
        assertEquals("batchNorm: expected running mean and variance both or neither, and both in evaluation "
                + "(training false)", assertThrows(IllegalArgumentException.class,
                () -> x.batchNorm(null, null, null, null, false, 0.1, 1e-5)).getMessage());
        assertEquals("batchNorm: expected eps > 0 and momentum in [0, 1], got eps=0.0, momentum=0.1",
                assertThrows(IllegalArgumentException.class,
                        () -> x.batchNorm(null, null, null, null, true, 0.1, 0)).getMessage());
        assertThrows(ndgrad.core.ShapeException.class, () -> Tensor.zeros(3).batchNorm(null, null, null, null, true,
                0.1, 1e-5));
    }
}
