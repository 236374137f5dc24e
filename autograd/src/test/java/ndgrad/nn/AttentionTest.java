package ndgrad.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ndgrad.autograd.Float64Test;
import ndgrad.autograd.Tensor;
import ndgrad.core.Rng;
import ndgrad.core.memory.Scope;
import org.junit.jupiter.api.Test;

/**
 * Attention's dropout: unbiased (the mean over many draws is the output without dropout, as inverted dropout
 * promises), different from it in any one draw, and refused without a generator. Masks, scales and leading
 * dimensions are checked against PyTorch in the registry.
 */
class AttentionTest extends Float64Test {
    @Test
    void dropoutOnTheWeightsIsUnbiased() {
        Rng r = new Rng(1);
        Tensor q = Tensor.randn(r, 2, 3, 4);
        Tensor k = Tensor.randn(r, 2, 5, 4);
        Tensor v = Tensor.randn(r, 2, 5, 2);
        double[] plain = Attention.scaledDotProduct(q, k, v, false).toDoubleArray();
        double[] mean = new double[plain.length];
        int n = 4000;
        Rng drops = new Rng(2);
        for (int i = 0; i < n; i++) {
            try (Scope scope = Scope.open()) {
                double[] y = Attention.scaledDotProduct(q, k, v, Attention.options().dropout(0.3, drops))
                        .toDoubleArray();
                for (int j = 0; j < y.length; j++) {
                    mean[j] += y[j] / n;
                }
            }
        }
        assertArrayEquals(plain, mean, 0.05);
        double[] once = Attention.scaledDotProduct(q, k, v, Attention.options().dropout(0.3, new Rng(3)))
                .toDoubleArray();
        assertTrue(!java.util.Arrays.equals(plain, once));
        assertEquals("Attention: expected dropout in [0, 1) and, above 0, an Rng; got 0.3 and no Rng",
                assertThrows(IllegalArgumentException.class, () -> Attention.options().dropout(0.3, null))
                        .getMessage());
    }
}
