package ndgrad.core.numdiff;

import ndgrad.core.NdArrays;
import ndgrad.core.Rng;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Gradient estimators for expensive or noisy functions, from a few random two-point differences; each sample costs
 * two evaluations of f whatever the dimension, and the error falls like 1/√samples.
 * <ul>
 * <li>SPSA (Spall, "Multivariate stochastic approximation using a simultaneous perturbation gradient
 * approximation", IEEE TAC 1992): Δ with independent ±1 entries, ĝ = mean of (f(x + cΔ) - f(x - cΔ)) / 2c · Δ
 * (1/Δ_i = Δ_i).</li>
 * <li>Gaussian smoothing (Nesterov &amp; Spokoiny, "Random gradient-free minimization of convex functions", FoCM
 * 2017), antithetic: u ~ N(0, I), ĝ = mean of (f(x + σu) - f(x - σu)) / 2σ · u, the gradient of f smoothed by a
 * Gaussian of std σ.</li>
 * </ul>
 * The error estimate is the standard error of the mean over samples (its 2-norm).
 *
 * <p>Usage: {@code GradientEstimator.Estimate e = StochasticGradient.spsa(1e-4, 100, new Rng(0)).estimate(f, x);}
 */
public final class StochasticGradient {
    private StochasticGradient() {
    }

    /** SPSA with perturbation size c and {@code samples} samples. */
    public static GradientEstimator spsa(double c, int samples, Rng rng) {
        return estimator(c, samples, rng, true);
    }

    /** Gaussian smoothing with std σ and {@code samples} antithetic samples. */
    public static GradientEstimator gaussianSmoothing(double sigma, int samples, Rng rng) {
        return estimator(sigma, samples, rng, false);
    }

    private static GradientEstimator estimator(double c, int samples, Rng rng, boolean rademacher) {
        if (!(c > 0) || samples < 1) {
            throw new IllegalArgumentException("StochasticGradient: expected a positive perturbation and samples "
                    + ">= 1, got " + c + " and " + samples);
        }
        return (f, x) -> {
            INDArray work = x.castTo(DataType.DOUBLE).dup('c');
            int n = (int) work.length();
            double[] mean = new double[n];
            double[] sq = new double[n];
            double[] u = new double[n];
            INDArray base = work.dup();
            for (int k = 0; k < samples; k++) {
                for (int i = 0; i < n; i++) {
                    u[i] = rademacher ? (rng.nextDouble() < 0.5 ? -1 : 1) : rng.nextGaussian();
                }
                INDArray d = NdArrays.create(u, work.shape(), DataType.DOUBLE).muli(c);
                double plus = f.applyAsDouble(work.assign(base).addi(d));
                double minus = f.applyAsDouble(work.assign(base).subi(d));
                double slope = (plus - minus) / (2 * c);
                for (int i = 0; i < n; i++) {
                    double gi = slope * u[i];
                    mean[i] += gi / samples;
                    sq[i] += gi * gi / samples;
                }
            }
            double se = 0;
            for (int i = 0; i < n; i++) {
                se += samples > 1 ? (sq[i] - mean[i] * mean[i]) / (samples - 1) : Double.NaN;
            }
            return new GradientEstimator.Estimate(NdArrays.create(mean, x.shape(), DataType.DOUBLE), 2L * samples,
                    Math.sqrt(se));
        };
    }
}
