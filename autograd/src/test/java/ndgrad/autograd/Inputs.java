package ndgrad.autograd;

import ndgrad.core.Rng;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/** Seeded float64 leaves for gradient checks, kept away from kinks and singularities where asked. */
final class Inputs {
    private final Rng rng;

    Inputs(long seed) {
        rng = new Rng(seed);
    }

    /** Standard normal values. */
    Tensor normal(long... shape) {
        return Tensor.of(rng.normal(DataType.DOUBLE, shape)).requiresGrad();
    }

    /** Values in [0.5, 2): safe for log, sqrt, division and fractional powers. */
    Tensor positive(long... shape) {
        return Tensor.of(rng.uniform(DataType.DOUBLE, 0.5, 2, shape)).requiresGrad();
    }

    /** Values with 0.2 ≤ |x| < 1.5, random signs: at least 0.2 from the kink of relu, abs and friends. */
    Tensor awayFromZero(long... shape) {
        INDArray u = rng.uniform(DataType.DOUBLE, 0.2, 1.5, shape);
        for (long i = 0; i < u.length(); i++) {
            if (rng.nextDouble() < 0.5) {
                u.putScalar(i, -u.getDouble(i));
            }
        }
        return Tensor.of(u).requiresGrad();
    }

    /** Distinct values 0.1·(permutation of 0..n-1) - 0.5·0.1·n, so maxima and minima are unique. */
    Tensor distinct(long... shape) {
        long n = 1;
        for (long d : shape) {
            n *= d;
        }
        int[] p = rng.permutation((int) n);
        double[] v = new double[(int) n];
        for (int i = 0; i < n; i++) {
            v[i] = 0.1 * p[i] - 0.05 * n;
        }
        return Tensor.of(ndgrad.core.NdArrays.create(v, shape, DataType.DOUBLE)).requiresGrad();
    }
}
