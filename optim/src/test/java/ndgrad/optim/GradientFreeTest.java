package ndgrad.optim;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.function.Supplier;
import ndgrad.autograd.Float64Test;
import ndgrad.autograd.Tensor;
import ndgrad.core.Rng;
import ndgrad.core.io.Datasets;
import ndgrad.core.numdiff.FiniteDifference;
import ndgrad.core.numdiff.StochasticGradient;
import org.junit.jupiter.api.Test;

/** Optimizers driven by estimated gradients through {@link GradientSource}. */
class GradientFreeTest extends Float64Test {

    @Test
    void spsaWithAdamMinimizesAQuadratic() {
        Tensor w = Tensor.of(3, -2, 1, 0.5, -1).requiresGrad();
        Tensor c = Tensor.of(1, 2, 3, 4, 5);
        Supplier<Tensor> loss = () -> w.sub(c).pow(2).sum();
        Adam opt = new Adam(List.of(w), Adam.options().lr(0.05));
        GradientSource spsa = GradientSource.estimated(loss, StochasticGradient.spsa(1e-3, 2, new Rng(1)));
        double first = opt.step(spsa);
        for (int k = 0; k < 800; k++) {
            opt.step(spsa);
        }
        assertTrue(first > 30);
        assertArrayEquals(new double[] {1, 2, 3, 4, 5}, w.toDoubleArray(), 0.05);
    }

    @Test
    void spsaWithAdamFitsALinearRegression() {
        Datasets.Regression d = Datasets.linear(100, new double[] {2, -3, 0.5}, 1, 0.1, new Rng(3));
        Tensor x = Tensor.of(d.x());
        Tensor y = Tensor.of(d.y());
        Tensor w = Tensor.zeros(3, 1).requiresGrad();
        Tensor b = Tensor.zeros(1).requiresGrad();
        Adam opt = new Adam(List.of(w, b), Adam.options().lr(0.05));
        GradientSource spsa = GradientSource.estimated(() -> x.matmul(w).add(b).sub(y).pow(2).mean(),
                StochasticGradient.spsa(1e-3, 4, new Rng(4)));
        for (int k = 0; k < 1000; k++) {
            opt.step(spsa);
        }
        assertArrayEquals(new double[] {2, -3, 0.5}, w.toDoubleArray(), 0.05);
        assertEquals(1, b.item(), 0.05);
    }

    @Test
    void centralDifferencesWithGradientDescentMinimizeAQuadratic() {
        Tensor w = Tensor.of(3, -2, 1).requiresGrad();
        Tensor a = Tensor.of(1, 4, 2);
        Sgd gd = new Sgd(List.of(w), 0.2);
        GradientSource fd = GradientSource.estimated(() -> w.sub(1).pow(2).mul(a).sum(), FiniteDifference.estimator(
                FiniteDifference.options(FiniteDifference.Scheme.CENTRAL)));
        for (int k = 0; k < 200; k++) {
            gd.step(fd);
        }
        assertArrayEquals(new double[] {1, 1, 1}, w.toDoubleArray(), 1e-8);
    }

    @Test
    void centralDifferencesWithGradientDescentFitALinearRegression() {
        Datasets.Regression d = Datasets.linear(100, new double[] {2, -3, 0.5}, 1, 0.1, new Rng(2));
        Tensor x = Tensor.of(d.x());
        Tensor y = Tensor.of(d.y());
        Tensor w = Tensor.zeros(3, 1).requiresGrad();
        Tensor b = Tensor.zeros(1).requiresGrad();
        Supplier<Tensor> loss = () -> x.matmul(w).add(b).sub(y).pow(2).mean();
        Sgd gd = new Sgd(List.of(w, b), 0.2);
        GradientSource fd = GradientSource.estimated(loss, FiniteDifference.estimator(FiniteDifference.options(
                FiniteDifference.Scheme.CENTRAL)));
        for (int k = 0; k < 300; k++) {
            gd.step(fd);
        }
        Tensor w2 = Tensor.zeros(3, 1).requiresGrad();
        Tensor b2 = Tensor.zeros(1).requiresGrad();
        Sgd exact = new Sgd(List.of(w2, b2), 0.2);
        for (int k = 0; k < 300; k++) {
            exact.step(GradientSource.autograd(() -> x.matmul(w2).add(b2).sub(y).pow(2).mean()));
        }
        assertArrayEquals(w2.toDoubleArray(), w.toDoubleArray(), 1e-7, "same path as with autograd's gradients");
        assertEquals(b2.item(), b.item(), 1e-7);
        assertArrayEquals(new double[] {2, -3, 0.5}, w.toDoubleArray(), 0.05);
    }
}
