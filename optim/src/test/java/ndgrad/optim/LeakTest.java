package ndgrad.optim;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.function.Supplier;
import ndgrad.autograd.Float64Test;
import ndgrad.autograd.Tensor;
import ndgrad.core.NdArrays;
import ndgrad.core.Rng;
import ndgrad.core.kernels.Copies;
import ndgrad.core.memory.Scope;
import ndgrad.core.numdiff.FiniteDifference;
import ndgrad.nn.Activation;
import ndgrad.nn.Linear;
import ndgrad.nn.Sequential;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Issue 13: no helper leaves arrays outside the scope it runs in. Each runs five times inside a scope after a first
 * run; an array made behind the scope's back (a {@code dup}, {@code castTo}, {@code concat} or reduction of ND4J's)
 * would be a new ND4J buffer at every run, while the scope's arrays come back from the pool.
 */
class LeakTest extends Float64Test {
    /** Runs {@code call} once, then five times more, each inside a scope, and counts the ND4J buffers made. */
    private static void allocatesNothingAfterItsFirstRun(String what, Runnable call) {
        try (Scope first = Scope.open()) {
            call.run();
        }
        long buffers = Nd4j.getDeallocatorService().nextValue();
        for (int i = 0; i < 5; i++) {
            try (Scope again = Scope.open()) {
                call.run();
            }
        }
        // each new ND4J DataBuffer takes an id from this counter; taking one more adds 1
        assertEquals(buffers + 1, Nd4j.getDeallocatorService().nextValue(), what + ": ND4J buffers made");
    }

    /** f(x) = Σ sin(x_i) x_i, read in Java so that the function itself allocates nothing. */
    private static double f(INDArray x) {
        double s = 0;
        for (double v : Copies.values(x)) {
            s += Math.sin(v) * v;
        }
        return s;
    }

    /** ∇f as a new array of the current scope. */
    private static INDArray gradientOfF(INDArray x) {
        double[] v = Copies.values(x);
        for (int i = 0; i < v.length; i++) {
            v[i] = Math.cos(v[i]) * v[i] + Math.sin(v[i]);
        }
        return NdArrays.create(v, x.shape(), DataType.DOUBLE);
    }

    @Test
    void finiteDifferencesIncludingTheHessianPath() {
        INDArray x = NdArrays.create(new double[] {0.3, -1.2, 2.0}, new long[] {3}, DataType.DOUBLE);
        INDArray v = NdArrays.create(new double[] {1, 0.5, -2}, new long[] {3}, DataType.DOUBLE);
        allocatesNothingAfterItsFirstRun("hessian", () -> FiniteDifference.hessian(LeakTest::gradientOfF, x, 1e-5));
        allocatesNothingAfterItsFirstRun("hvp", () -> FiniteDifference.hvp(LeakTest::gradientOfF, x, v, 1e-5));
        allocatesNothingAfterItsFirstRun("jacobian", () -> FiniteDifference.jacobian(LeakTest::gradientOfF, x, 1e-5));
        allocatesNothingAfterItsFirstRun("directional", () -> FiniteDifference.directional(LeakTest::f, x, v,
                1e-5));
        allocatesNothingAfterItsFirstRun("gradient", () -> FiniteDifference.gradient(LeakTest::f, x,
                FiniteDifference.options(FiniteDifference.Scheme.CENTRAL)));
        double[] h = Copies.values(FiniteDifference.hessian(LeakTest::gradientOfF, x, 1e-5));
        double[] xs = Copies.values(x);
        for (int i = 0; i < 3; i++) {
            double d2 = -Math.sin(xs[i]) * xs[i] + 2 * Math.cos(xs[i]);
            assertEquals(d2, h[4 * i], 1e-6, "the Hessian's diagonal still holds f''");
        }
    }

    @Test
    void toDoubleArrayGradientSourceAndGradientMonitor() {
        Rng rng = new Rng(4);
        Tensor t = Tensor.randn(rng, 3, 5);
        allocatesNothingAfterItsFirstRun("toDoubleArray", t::toDoubleArray);

        Tensor w = Tensor.of(0.5, -0.3, 1.2).requiresGrad();
        Tensor c = Tensor.of(1, 2, 3);
        Supplier<Tensor> loss = () -> w.sub(c).pow(2).sum();
        Sgd sgd = new Sgd(List.of(w), 0.1);
        GradientSource estimated = GradientSource.estimated(loss, FiniteDifference.estimator(
                FiniteDifference.options(FiniteDifference.Scheme.CENTRAL)));
        allocatesNothingAfterItsFirstRun("GradientSource.estimated", () -> sgd.step(estimated));
        // w - c shrinks by 1 - 2·0.1 per step; the sixth step used the gradient 2 (w - c) after five
        assertEquals(2 * (0.5 - 1) * Math.pow(0.8, 5), w.grad().toDoubleArray()[0], 1e-6,
                "the estimated gradient is still right");

        Sequential model = new Sequential(new Linear(3, 4, rng), Activation.tanh(), new Linear(4, 1, rng));
        GradientMonitor monitor = new GradientMonitor(model.namedParameters(), 1e-8, 1e3);
        Adam adam = new Adam(model.parameters(), Adam.options());
        Tensor x = Tensor.randn(rng, 8, 3);
        allocatesNothingAfterItsFirstRun("GradientMonitor", () -> {
            Tensor l = model.forward(x).pow(2).mean();
            adam.zeroGrad();
            l.backward();
            monitor.beforeStep();
            adam.step();
            monitor.afterStep();
        });
        assertTrue(monitor.updateRatios().get("0.weight").stream().allMatch(r -> r > 0 && r < 1));
    }
}
