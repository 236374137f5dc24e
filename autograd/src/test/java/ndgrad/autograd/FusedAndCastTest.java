package ndgrad.autograd;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.function.Function;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;

/**
 * Two properties of ops that the registry's per-op checks do not state: the fused cross-entropy equals its
 * composition, and a dtype round trip casts the gradient back. Every op's gradcheck and gradgradcheck, on both
 * kernel paths, is the registry's (testing/src/test/java/ndgrad/testing/*Entries.java).
 */
class FusedAndCastTest {
    /** The fused cross-entropy equals its composition, -(logSoftmax · onehot).sum(1), in values and gradients. */
    @Test
    void fusedCrossEntropyEqualsTheComposition() {
        int[] labels = {2, 0, 1, 2};
        Tensor oneHot = Tensor.of(new double[][] {{0, 0, 1}, {1, 0, 0}, {0, 1, 0}, {0, 0, 1}}).to(DataType.DOUBLE);
        Tensor a = new Inputs(12).normal(4, 3);
        Tensor b = Tensor.of(a.data().dup()).requiresGrad();
        Tensor v = Tensor.of(new double[] {0.5, -1, 2, 0.25}).to(DataType.DOUBLE);
        Tensor fused = a.crossEntropy(labels);
        Tensor composed = b.logSoftmax(1).mul(oneHot).sum(false, 1).neg();
        assertArrayEquals(composed.toDoubleArray(), fused.toDoubleArray(), 1e-14);
        fused.backward(v);
        composed.backward(v);
        assertArrayEquals(b.grad().toDoubleArray(), a.grad().toDoubleArray(), 1e-14);
    }

    /**
     * to(DataType): the gradient is cast back. A float32 round trip rounds values by ~6e-8 relative, so the finite
     * differences use eps 1e-2 (rounding error / eps ≈ 1e-5) and atol 1e-4; the exact gradient is also asserted.
     */
    @Test
    void castRoundTrip() {
        Tensor x = new Inputs(11).normal(2, 3);
        Function<Tensor[], Tensor> f = in -> in[0].to(DataType.FLOAT)
                .mul(2).to(DataType.DOUBLE).mul(in[0]);
        GradCheck.Options coarse = GradCheck.Options.defaults().eps(1e-2).tolerances(1e-4, 1e-4);
        assertTrue(GradCheck.check(coarse, f, x).passed(), () -> GradCheck.check(coarse, f, x).toString());
        assertTrue(GradCheck.checkSecondOrder(coarse, f, x).passed());
        Tensor w = Tensor.of(1, 2).requiresGrad();
        w.to(DataType.DOUBLE).mul(3).sum().backward();
        assertEquals(DataType.FLOAT, w.grad().dtype());
        assertArrayEquals(new double[] {3, 3}, w.grad().toDoubleArray());
    }
}
