package ndgrad.core.io;

import ndgrad.core.DTypes;
import ndgrad.core.NdArrays;
import ndgrad.core.Rng;
import ndgrad.core.memory.Scope;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Small seeded synthetic data sets for examples and tests: two moons (as scikit-learn's {@code make_moons}), the
 * CS231n spiral, XOR, and linear regression with known weights. Arrays have the default dtype ({@link DTypes}) and
 * are owned by the caller.
 *
 * <p>Usage: {@code Datasets.Labeled moons = Datasets.moons(200, 0.1, new Rng(0));}
 */
public final class Datasets {
    private Datasets() {
    }

    /** Points (n, 2) with integer class labels. */
    public record Labeled(INDArray x, int[] labels, int classes) {
    }

    /** Inputs (n, d) and targets (n, 1) from y = x·w + b + noise, with the true w and b. */
    public record Regression(INDArray x, INDArray y, double[] weights, double bias) {
    }

    /** Two interleaving half circles, n points (half each), Gaussian noise of std {@code noise}. */
    public static Labeled moons(int n, double noise, Rng rng) {
        double[] x = new double[2 * n];
        int[] y = new int[n];
        for (int i = 0; i < n; i++) {
            boolean outer = i < n / 2;
            int k = outer ? i : i - n / 2;
            int count = outer ? n / 2 : n - n / 2;
            double t = Math.PI * k / Math.max(1, count - 1);
            x[2 * i] = (outer ? Math.cos(t) : 1 - Math.cos(t)) + noise * rng.nextGaussian();
            x[2 * i + 1] = (outer ? Math.sin(t) : 0.5 - Math.sin(t)) + noise * rng.nextGaussian();
            y[i] = outer ? 0 : 1;
        }
        return new Labeled(create(x, n, 2), y, 2);
    }

    /** {@code classes} spiral arms of {@code perClass} points each (CS231n's example). */
    public static Labeled spiral(int perClass, int classes, Rng rng) {
        int n = perClass * classes;
        double[] x = new double[2 * n];
        int[] y = new int[n];
        for (int c = 0; c < classes; c++) {
            for (int i = 0; i < perClass; i++) {
                int row = c * perClass + i;
                double r = i / (double) Math.max(1, perClass - 1);
                double t = c * 4 + 4.0 * i / Math.max(1, perClass - 1) + 0.2 * rng.nextGaussian();
                x[2 * row] = r * Math.sin(t);
                x[2 * row + 1] = r * Math.cos(t);
                y[row] = c;
            }
        }
        return new Labeled(create(x, n, 2), y, classes);
    }

    /** Points uniform in [-1, 1]², labeled 1 where x·y &lt; 0 (XOR of the signs). */
    public static Labeled xor(int n, Rng rng) {
        double[] x = new double[2 * n];
        int[] y = new int[n];
        for (int i = 0; i < n; i++) {
            x[2 * i] = 2 * rng.nextDouble() - 1;
            x[2 * i + 1] = 2 * rng.nextDouble() - 1;
            y[i] = x[2 * i] * x[2 * i + 1] < 0 ? 1 : 0;
        }
        return new Labeled(create(x, n, 2), y, 2);
    }

    /** n samples of d standard normal features with y = x·w + b + N(0, noise²). */
    public static Regression linear(int n, double[] w, double b, double noise, Rng rng) {
        int d = w.length;
        double[] x = new double[n * d];
        double[] y = new double[n];
        for (int i = 0; i < n; i++) {
            double s = b;
            for (int j = 0; j < d; j++) {
                x[i * d + j] = rng.nextGaussian();
                s += x[i * d + j] * w[j];
            }
            y[i] = s + noise * rng.nextGaussian();
        }
        return new Regression(create(x, n, d), create(y, n, 1), w.clone(), b);
    }

    private static INDArray create(double[] v, long... shape) {
        return Scope.release(NdArrays.create(v, shape, DTypes.defaultType()));
    }
}
