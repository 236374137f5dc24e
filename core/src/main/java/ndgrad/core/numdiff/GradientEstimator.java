package ndgrad.core.numdiff;

import java.util.function.ToDoubleFunction;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Anything that estimates ∇f(x) of a scalar function of an array from evaluations of f: finite differences
 * ({@link FiniteDifference#estimator}), SPSA and Gaussian smoothing ({@link StochasticGradient}).
 *
 * <p>Usage: {@code GradientEstimator.Estimate e = FiniteDifference.estimator(options).estimate(f, x);}
 */
@FunctionalInterface
public interface GradientEstimator {
    /** The estimated gradient (shape of x, float64), how many times f was evaluated, and an error estimate or NaN. */
    record Estimate(INDArray gradient, long evaluations, double error) {
    }

    /** Estimates ∇f at {@code x}; x is left unchanged. */
    Estimate estimate(ToDoubleFunction<INDArray> f, INDArray x);

    /** f wrapped so that its calls are counted in {@code count[0]}. */
    static ToDoubleFunction<INDArray> counted(ToDoubleFunction<INDArray> f, long[] count) {
        return a -> {
            count[0]++;
            return f.applyAsDouble(a);
        };
    }
}
