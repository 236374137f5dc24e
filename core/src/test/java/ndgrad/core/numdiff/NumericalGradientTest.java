package ndgrad.core.numdiff;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ndgrad.core.NdArrays;
import ndgrad.core.Rng;
import ndgrad.core.ShapeException;
import java.util.function.ToDoubleFunction;
import ndgrad.core.numdiff.FiniteDifference.Scheme;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/** Every numerical method against analytic gradients, with the error orders the theory predicts. */
class NumericalGradientTest {
    /** f(x) = Σ sin(x_i) e^(x_{i+1}/2) (cyclic); ∂f/∂x_i = cos(x_i) e^(x_{i+1}/2) + ½ sin(x_{i-1}) e^(x_i/2). */
    static final ToDoubleFunction<INDArray> SIN_EXP = a -> {
        double[] x = a.toDoubleVector();
        double s = 0;
        for (int i = 0; i < x.length; i++) {
            s += Math.sin(x[i]) * Math.exp(x[(i + 1) % x.length] / 2);
        }
        return s;
    };

    static double[] sinExpGradient(double[] x) {
        int n = x.length;
        double[] g = new double[n];
        for (int i = 0; i < n; i++) {
            g[i] = Math.cos(x[i]) * Math.exp(x[(i + 1) % n] / 2) + 0.5 * Math.sin(x[(i - 1 + n) % n])
                    * Math.exp(x[i] / 2);
        }
        return g;
    }

    /** Rosenbrock's function of a 2-vector. */
    static final ToDoubleFunction<INDArray> ROSENBROCK = a -> {
        double x = a.getDouble(0);
        double y = a.getDouble(1);
        return (1 - x) * (1 - x) + 100 * (y - x * x) * (y - x * x);
    };

    static INDArray rosenbrockGradient(INDArray a) {
        double x = a.getDouble(0);
        double y = a.getDouble(1);
        return vec(-2 * (1 - x) - 400 * x * (y - x * x), 200 * (y - x * x));
    }

    static INDArray vec(double... v) {
        return NdArrays.create(v, new long[] {v.length}, DataType.DOUBLE);
    }

    static double maxError(INDArray estimate, double[] exact) {
        double e = 0;
        for (int i = 0; i < exact.length; i++) {
            e = Math.max(e, Math.abs(estimate.getDouble(i) - exact[i]));
        }
        return e;
    }

    static final INDArray X = vec(0.3, -0.7, 1.1);

    double error(Scheme s, double eps, boolean richardson) {
        INDArray g = FiniteDifference.gradient(SIN_EXP, X, FiniteDifference.options(s).eps(eps).richardson(richardson));
        return maxError(g, sinExpGradient(X.toDoubleVector()));
    }

    /** Halving h in the truncation regime divides the error by 2^p: 2 forward/backward, 4 central, 16 5-point. */
    @Test
    void errorOrdersMatchTheory() {
        assertEquals(2, error(Scheme.FORWARD, 1e-3, false) / error(Scheme.FORWARD, 5e-4, false), 0.05);
        assertEquals(2, error(Scheme.BACKWARD, 1e-3, false) / error(Scheme.BACKWARD, 5e-4, false), 0.05);
        assertEquals(4, error(Scheme.CENTRAL, 1e-2, false) / error(Scheme.CENTRAL, 5e-3, false), 0.05);
        assertEquals(16, error(Scheme.FIVE_POINT, 1e-1, false) / error(Scheme.FIVE_POINT, 5e-2, false), 0.5);
        double r = error(Scheme.CENTRAL, 1e-1, true) / error(Scheme.CENTRAL, 5e-2, true);
        assertEquals(16, r, 1.0, "Richardson on central removes the h² term: order 4");
        assertTrue(error(Scheme.CENTRAL, 1e-2, true) < error(Scheme.CENTRAL, 1e-2, false) / 100);
    }

    /** The default steps balance truncation and round-off: near-optimal accuracy for each scheme in float64. */
    @Test
    void defaultStepsAreNearOptimal() {
        assertEquals(Math.pow(Math.ulp(1.0), 1.0 / 3), Scheme.CENTRAL.defaultEps(DataType.DOUBLE), 1e-20);
        double forward = error(Scheme.FORWARD, Scheme.FORWARD.defaultEps(DataType.DOUBLE), false);
        double central = error(Scheme.CENTRAL, Scheme.CENTRAL.defaultEps(DataType.DOUBLE), false);
        double five = error(Scheme.FIVE_POINT, Scheme.FIVE_POINT.defaultEps(DataType.DOUBLE), false);
        assertTrue(forward < 1e-7, "forward " + forward);
        assertTrue(central < 1e-9, "central " + central);
        assertTrue(five < 1e-11, "5-point " + five);
        assertTrue(error(Scheme.CENTRAL, 1e-12, false) > 100 * central, "too small an h is ruined by round-off");
        INDArray g = FiniteDifference.gradient(SIN_EXP, X, FiniteDifference.options(Scheme.CENTRAL));
        assertArrayEquals(new double[] {0.3, -0.7, 1.1}, X.toDoubleVector(), 0.0, "x is not changed");
        assertArrayEquals(X.shape(), g.shape());
    }

    @Test
    void rosenbrockAndAQuadratic() {
        INDArray p = vec(-1.5, 2);
        INDArray g = FiniteDifference.gradient(ROSENBROCK, p, FiniteDifference.options(Scheme.FIVE_POINT));
        assertArrayEquals(rosenbrockGradient(p).toDoubleVector(), g.toDoubleVector(), 1e-7);
        // f = ½ xᵀAx + bᵀx, A = [[3, 1], [1, 2]], b = (1, -1): ∇f = Ax + b exactly for central differences
        ToDoubleFunction<INDArray> q = a -> {
            double x = a.getDouble(0);
            double y = a.getDouble(1);
            return 0.5 * (3 * x * x + 2 * x * y + 2 * y * y) + x - y;
        };
        assertArrayEquals(new double[] {3 * 2 + 1 * -1 + 1, 2 + 2 * -1 - 1}, FiniteDifference.gradient(q, vec(2, -1),
                FiniteDifference.options(Scheme.CENTRAL)).toDoubleVector(), 1e-8);
    }

    @Test
    void jacobianHessianAndHvp() {
        INDArray x = vec(0.5, -1.2);
        INDArray j = FiniteDifference.jacobian(a -> vec(a.getDouble(0) * a.getDouble(1), Math.sin(a.getDouble(0)),
                Math.exp(a.getDouble(1))), x, 1e-6);
        assertArrayEquals(new long[] {3, 2}, j.shape());
        assertArrayEquals(new double[] {-1.2, 0.5, Math.cos(0.5), 0, 0, Math.exp(-1.2)},
                j.reshape(6).toDoubleVector(), 1e-8);
        INDArray p = vec(-1.5, 2);
        INDArray h = FiniteDifference.hessian(NumericalGradientTest::rosenbrockGradient, p, 1e-6);
        assertArrayEquals(new double[] {1902, 600, 600, 200}, h.reshape(4).toDoubleVector(), 1e-5);
        assertEquals(h.getDouble(0, 1), h.getDouble(1, 0), 0.0, "symmetrized");
        INDArray fromValues = FiniteDifference.hessian(a -> FiniteDifference.gradient(ROSENBROCK, a,
                FiniteDifference.options(Scheme.FIVE_POINT)), p, 1e-4);
        assertArrayEquals(new double[] {1902, 600, 600, 200}, fromValues.reshape(4).toDoubleVector(), 1e-3,
                "Hessian from function values alone");
        INDArray hv = FiniteDifference.hvp(NumericalGradientTest::rosenbrockGradient, p, vec(0.3, -0.7), 1e-6);
        assertArrayEquals(new double[] {1902 * 0.3 - 600 * 0.7, 600 * 0.3 - 200 * 0.7}, hv.toDoubleVector(), 1e-5);
    }

    /** ∇f·v from two evaluations, and no unit direction rises faster than ∇f/|∇f|. */
    @Test
    void directionalDerivativeAndSteepestAscent() {
        double[] g = sinExpGradient(X.toDoubleVector());
        INDArray v = vec(0.2, -1, 0.4);
        assertEquals(g[0] * 0.2 - g[1] + g[2] * 0.4, FiniteDifference.directional(SIN_EXP, X, v, 1e-6), 1e-8);
        double norm = Math.sqrt(g[0] * g[0] + g[1] * g[1] + g[2] * g[2]);
        INDArray steepest = vec(g[0] / norm, g[1] / norm, g[2] / norm);
        assertEquals(norm, FiniteDifference.directional(SIN_EXP, X, steepest, 1e-6), 1e-8);
        Rng rng = new Rng(4);
        double best = Double.NEGATIVE_INFINITY;
        for (int k = 0; k < 500; k++) {
            INDArray u = rng.normal(DataType.DOUBLE, 3);
            u.divi(u.norm2Number());
            double d = FiniteDifference.directional(SIN_EXP, X, u, 1e-6);
            assertTrue(d <= norm + 1e-8, "direction " + u + " rises by " + d + " > |g| = " + norm);
            best = Math.max(best, d);
        }
        assertTrue(best > 0.95 * norm, "random directions come close to |g|: " + best + " vs " + norm);
    }

    /** SPSA and Gaussian smoothing: the error falls roughly like 1/√samples, and each sample costs 2 evaluations. */
    @Test
    void stochasticEstimatorsConvergeAsSamplesGrow() {
        INDArray x = vec(0.3, -0.7, 1.1, 0.2, -0.4);
        double[] exact = sinExpGradient(x.toDoubleVector());
        for (boolean spsa : new boolean[] {true, false}) {
            double[] err = new double[3];
            int[] samples = {10, 400, 16000};
            for (int i = 0; i < 3; i++) {
                GradientEstimator e = spsa ? StochasticGradient.spsa(1e-4, samples[i], new Rng(5))
                        : StochasticGradient.gaussianSmoothing(1e-4, samples[i], new Rng(5));
                GradientEstimator.Estimate est = e.estimate(SIN_EXP, x);
                assertEquals(2L * samples[i], est.evaluations());
                err[i] = maxError(est.gradient(), exact);
                assertTrue(est.error() > 0);
            }
            String which = spsa ? "SPSA" : "smoothing";
            assertTrue(err[1] < err[0] / 3 && err[2] < err[1] / 3, which + " errors " + java.util.Arrays.toString(err));
            assertTrue(err[2] < 0.1, which + " with 16,000 samples: " + err[2]);
        }
    }

    @Test
    void kernelEstimatorIsExactForLinearAndFirstOrderInTheSpreadForQuadratic() {
        INDArray x = vec(1, 2);
        Rng rng = new Rng(6);
        INDArray offsets = rng.uniform(DataType.DOUBLE, -1, 1, 30, 2);
        ToDoubleFunction<INDArray> linear = a -> 3 * a.getDouble(0) - 2 * a.getDouble(1) + 5;
        LocalGradient.Fit lin = fit(linear, x, offsets, 1.0, 2.0);
        assertArrayEquals(new double[] {3, -2}, lin.gradient().toDoubleVector(), 1e-10);
        assertEquals(linear.applyAsDouble(x), lin.value(), 1e-10);
        assertEquals(0, lin.residual(), 1e-10);
        // f = x² + 3xy: ∇f(1, 2) = (2x + 3y, 3x) = (8, 3); with uniform weights the bias is exactly linear in spread
        ToDoubleFunction<INDArray> quad = a -> a.getDouble(0) * a.getDouble(0) + 3 * a.getDouble(0) * a.getDouble(1);
        double e1 = maxError(fit(quad, x, offsets, 0, 0.1).gradient(), new double[] {8, 3});
        double e2 = maxError(fit(quad, x, offsets, 0, 0.2).gradient(), new double[] {8, 3});
        assertEquals(2, e2 / e1, 1e-6, "error " + e1 + " at spread 0.1, " + e2 + " at 0.2");
        assertTrue(e1 < 0.1);
        assertTrue(fit(quad, x, offsets, 1.0, 0.1).residual() > 0, "the residual shows the curvature");
    }

    private static LocalGradient.Fit fit(ToDoubleFunction<INDArray> f, INDArray x, INDArray offsets, double beta,
            double spread) {
        INDArray samples = offsets.mul(spread).addiRowVector(x);
        double[] values = new double[(int) samples.size(0)];
        for (int i = 0; i < values.length; i++) {
            values[i] = f.applyAsDouble(samples.getRow(i));
        }
        return LocalGradient.fit(x, samples, values, beta);
    }

    @Test
    void tooFewOrDegenerateSamplesAreRefused() {
        INDArray x = vec(0, 0);
        IllegalArgumentException few = assertThrows(IllegalArgumentException.class, () -> LocalGradient.fit(x,
                NdArrays.create(new double[] {1, 0, 0, 1}, new long[] {2, 2}, DataType.DOUBLE), new double[] {1, 2},
                1));
        assertTrue(few.getMessage().contains("at least 3"), few.getMessage());
        INDArray line = NdArrays.create(new double[] {1, 1, 2, 2, -1, -1, 0.5, 0.5}, new long[] {4, 2},
                DataType.DOUBLE);
        IllegalArgumentException flat = assertThrows(IllegalArgumentException.class, () -> LocalGradient.fit(x,
                line, new double[] {1, 2, 3, 4}, 0.1));
        assertTrue(flat.getMessage().contains("degenerate"), flat.getMessage());
        assertThrows(ShapeException.class, () -> LocalGradient.fit(x, line, new double[] {1, 2, 3}, 0.1));
    }
}
