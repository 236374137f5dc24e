package ndgrad.core.numdiff;

import ndgrad.core.NdArrays;
import ndgrad.core.ShapeException;
import ndgrad.core.Shapes;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * The gradient at x from scattered samples (x_i, f(x_i)) near it, by kernel-weighted least squares: with weights
 * w_i = exp(-β‖x_i - x‖²), fit f(x_i) ≈ c + g·(x_i - x) and return g (a local linear regression, as in
 * Cleveland's LOESS with a Gaussian kernel). The fit's weighted RMS residual is the error estimate: 0 for a linear
 * f, O(spread²·‖H‖) for a smooth one, so g is exact for linear f and off by O(spread) for a quadratic.
 *
 * <p>Usage: {@code LocalGradient.Fit fit = LocalGradient.fit(x, samples, values, 1.0);}
 */
public final class LocalGradient {
    private LocalGradient() {
    }

    /** The gradient (float64, shape of x), the fitted value c ≈ f(x), and the weighted RMS residual. */
    public record Fit(INDArray gradient, double value, double residual) {
    }

    /**
     * Fits from {@code samples} (k, n) and their {@code values} (k). Needs at least n + 1 samples whose offsets from
     * x span all n dimensions (with non-negligible weight).
     */
    public static Fit fit(INDArray x, INDArray samples, double[] values, double beta) {
        int n = (int) x.length();
        int k = values.length;
        if (samples.rank() != 2 || samples.size(0) != k || samples.size(1) != n) {
            throw new ShapeException("LocalGradient: samples must have shape (" + k + ", " + n + ") for " + k
                    + " values and x of " + n + " elements, got " + Shapes.str(samples.shape()));
        }
        if (k < n + 1) {
            throw new IllegalArgumentException("LocalGradient: " + k + " samples cannot determine a gradient in "
                    + n + " dimensions plus a value (need at least " + (n + 1) + ")");
        }
        if (!(beta >= 0)) {
            throw new IllegalArgumentException("LocalGradient: beta must be >= 0, got " + beta);
        }
        double[] center = x.castTo(DataType.DOUBLE).reshape(n).toDoubleVector();
        double[][] a = new double[k][n + 1];
        double[] w = new double[k];
        for (int i = 0; i < k; i++) {
            a[i][0] = 1;
            double d2 = 0;
            for (int j = 0; j < n; j++) {
                a[i][j + 1] = samples.getDouble(i, j) - center[j];
                d2 += a[i][j + 1] * a[i][j + 1];
            }
            w[i] = Math.exp(-beta * d2);
        }
        double[][] m = new double[n + 1][n + 1];
        double[] rhs = new double[n + 1];
        for (int i = 0; i < k; i++) {
            for (int p = 0; p <= n; p++) {
                rhs[p] += w[i] * a[i][p] * values[i];
                for (int q = 0; q <= n; q++) {
                    m[p][q] += w[i] * a[i][p] * a[i][q];
                }
            }
        }
        double[][] factor = Cholesky.factor(m, 0, 1e-12);
        if (factor == null) {
            throw new IllegalArgumentException("LocalGradient: the samples are degenerate: their offsets from x do not "
                    + "span all " + n + " dimensions (or their kernel weights vanish; lower beta or add samples "
                    + "around x)");
        }
        double[] theta = Cholesky.solve(factor, rhs);
        double rss = 0;
        double wsum = 0;
        for (int i = 0; i < k; i++) {
            double r = values[i];
            for (int p = 0; p <= n; p++) {
                r -= a[i][p] * theta[p];
            }
            rss += w[i] * r * r;
            wsum += w[i];
        }
        double[] g = java.util.Arrays.copyOfRange(theta, 1, n + 1);
        return new Fit(NdArrays.create(g, x.shape(), DataType.DOUBLE), theta[0], Math.sqrt(rss / wsum));
    }
}
