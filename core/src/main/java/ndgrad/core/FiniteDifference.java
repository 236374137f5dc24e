package ndgrad.core;

import java.util.function.Supplier;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Central finite differences of a function of an array, evaluated by perturbing the array in place and restoring
 * it exactly afterwards. The central difference {@code (f(x + h e) - f(x - h e)) / 2h} has truncation error
 * O(h^2) and round-off error O(ε/h); h ≈ 1e-6 balances them in float64 (ε ≈ 1.1e-16) for well-scaled functions.
 *
 * <p>Usage: {@code double[] dfdx3 = FiniteDifference.centralPartial(x, 3, 1e-6, () -> f(x));}
 */
public final class FiniteDifference {
    private FiniteDifference() {
    }

    /**
     * The partial derivative of every output element of {@code f} with respect to element {@code index} (C order)
     * of {@code x}, as {@code (f(x + h e_i) - f(x - h e_i)) / 2h}. {@code f} must read {@code x} each call.
     */
    public static double[] centralPartial(INDArray x, long index, double h, Supplier<INDArray> f) {
        double original = x.getDouble(index);
        try {
            x.putScalar(index, original + h);
            double[] plus = values(f.get());
            x.putScalar(index, original - h);
            double[] minus = values(f.get());
            return difference(plus, minus, h);
        } finally {
            x.putScalar(index, original);
        }
    }

    /**
     * The derivative of every output element of {@code f} along direction {@code u} (same shape as {@code x}), as
     * {@code (f(x + h u) - f(x - h u)) / 2h}; x is restored from a copy afterwards.
     */
    public static double[] centralDirectional(INDArray x, INDArray u, double h, Supplier<INDArray> f) {
        if (!java.util.Arrays.equals(x.shape(), u.shape())) {
            throw new ShapeException("centralDirectional: direction shape " + Shapes.str(u.shape())
                    + " does not match x shape " + Shapes.str(x.shape()));
        }
        INDArray original = x.dup();
        INDArray step = u.castTo(x.dataType()).mul(h);
        try {
            x.addi(step);
            double[] plus = values(f.get());
            x.assign(original).subi(step);
            double[] minus = values(f.get());
            return difference(plus, minus, h);
        } finally {
            x.assign(original);
            original.close();
            step.close();
        }
    }

    private static double[] values(INDArray y) {
        return y.castTo(DataType.DOUBLE).reshape(y.length()).toDoubleVector();
    }

    private static double[] difference(double[] plus, double[] minus, double h) {
        double[] d = new double[plus.length];
        for (int i = 0; i < d.length; i++) {
            d[i] = (plus[i] - minus[i]) / (2 * h);
        }
        return d;
    }
}
