package ndgrad.core.numdiff;

import ndgrad.core.NdArrays;
import ndgrad.core.ShapeException;
import ndgrad.core.Shapes;
import ndgrad.core.kernels.Copies;
import ndgrad.core.memory.Scope;
import java.util.function.Function;
import java.util.function.Supplier;
import java.util.function.ToDoubleFunction;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Finite-difference derivatives of functions of arrays: gradients, Jacobians, Hessians, Hessian-vector products and
 * directional derivatives, by perturbing a copy of x (or x itself, restored exactly).
 *
 * <p>Schemes and their truncation errors (Nocedal &amp; Wright, Numerical Optimization, sec. 8.1; Fornberg 1988 for
 * the 5-point stencil): forward (f(x+h) - f(x))/h and backward, O(h); central (f(x+h) - f(x-h))/2h, O(h²);
 * 5-point (-f(x+2h) + 8f(x+h) - 8f(x-h) + f(x-2h))/12h, O(h⁴). Round-off adds O(ε|f|/h), ε the unit round-off,
 * so the total error is smallest near h ≈ ε^(1/(p+1)) for a scheme of order p: the default eps is ε^(1/2) for
 * forward/backward, ε^(1/3) for central, ε^(1/5) for 5-point (float64: 1.5e-8, 6.1e-6, 7.4e-4), and each element gets
 * h_i = eps · max(1, |x_i|) so the step is relative for large values. Richardson extrapolation combines D(h) and D(h/2)
 * as (2^p D(h/2) - D(h)) / (2^p - 1), raising the order by one or two.
 *
 * <p>Usage: {@code INDArray g = FiniteDifference.gradient(f, x, FiniteDifference.options(
 * FiniteDifference.Scheme.CENTRAL));}
 */
public final class FiniteDifference {
    private FiniteDifference() {
    }

    /** A difference scheme, with its order p (truncation error O(h^p)). */
    public enum Scheme {
        FORWARD(1), BACKWARD(1), CENTRAL(2), FIVE_POINT(4);

        private final int order;

        Scheme(int order) {
            this.order = order;
        }

        /** The order p of the truncation error O(h^p). */
        public int order() {
            return order;
        }

        /** The default relative step for a dtype of unit round-off ε: ε^(1/(p+1)). */
        public double defaultEps(DataType type) {
            double unit = type == DataType.DOUBLE ? Math.ulp(1.0) : Math.ulp(1.0f);
            return Math.pow(unit, 1.0 / (order + 1));
        }
    }

    /** The scheme, the relative step eps (NaN: the scheme's default for the dtype), Richardson extrapolation. */
    public record Options(Scheme scheme, double eps, boolean richardson) {
        /** A copy with this relative step. */
        public Options eps(double value) {
            if (!(value > 0)) {
                throw new IllegalArgumentException("FiniteDifference: eps must be positive, got " + value);
            }
            return new Options(scheme, value, richardson);
        }

        /** A copy with Richardson extrapolation on or off. */
        public Options richardson(boolean on) {
            return new Options(scheme, eps, on);
        }

        double epsFor(DataType type) {
            return Double.isNaN(eps) ? scheme.defaultEps(type) : eps;
        }
    }

    /** {@code scheme} with its default step and no extrapolation. */
    public static Options options(Scheme scheme) {
        return new Options(scheme, Double.NaN, false);
    }

    /** ∂f/∂x_i by the options' scheme at element i (C order) of {@code x}; x is restored exactly. */
    public static double partial(ToDoubleFunction<INDArray> f, INDArray x, long i, Options o) {
        double h = o.epsFor(x.dataType()) * Math.max(1, Math.abs(x.getDouble(i)));
        double d = difference(f, x, i, h, o.scheme());
        if (!o.richardson()) {
            return d;
        }
        double half = difference(f, x, i, h / 2, o.scheme());
        double k = Math.pow(2, o.scheme().order());
        return (k * half - d) / (k - 1);
    }

    private static double difference(ToDoubleFunction<INDArray> f, INDArray x, long i, double h, Scheme s) {
        double x0 = x.getDouble(i);
        try {
            return switch (s) {
                case FORWARD -> (at(f, x, i, x0 + h) - f.applyAsDouble(restore(x, i, x0))) / h;
                case BACKWARD -> (f.applyAsDouble(restore(x, i, x0)) - at(f, x, i, x0 - h)) / h;
                case CENTRAL -> (at(f, x, i, x0 + h) - at(f, x, i, x0 - h)) / (2 * h);
                case FIVE_POINT -> (-at(f, x, i, x0 + 2 * h) + 8 * at(f, x, i, x0 + h) - 8 * at(f, x, i, x0 - h)
                        + at(f, x, i, x0 - 2 * h)) / (12 * h);
            };
        } finally {
            x.putScalar(i, x0);
        }
    }

    private static double at(ToDoubleFunction<INDArray> f, INDArray x, long i, double v) {
        x.putScalar(i, v);
        return f.applyAsDouble(x);
    }

    private static INDArray restore(INDArray x, long i, double v) {
        x.putScalar(i, v);
        return x;
    }

    /** ∇f at {@code x} (float64, shape of x), one partial per element; {@code x} is not changed. */
    public static INDArray gradient(ToDoubleFunction<INDArray> f, INDArray x, Options o) {
        double[] g = new double[Math.toIntExact(x.length())];
        try (Scope call = Scope.open()) {
            INDArray work = Copies.copy(x);
            for (int i = 0; i < g.length; i++) {
                g[i] = partial(f, work, i, o);
            }
        }
        return NdArrays.create(g, x.shape(), DataType.DOUBLE);
    }

    /** A {@link GradientEstimator} by these options, counting evaluations. */
    public static GradientEstimator estimator(Options o) {
        return (f, x) -> {
            long[] n = {0};
            INDArray g = gradient(GradientEstimator.counted(f, n), x, o);
            return new GradientEstimator.Estimate(g, n[0], Double.NaN);
        };
    }

    /** The Jacobian (m, n) of a function with m outputs of an n-element x, by central differences. */
    public static INDArray jacobian(Function<INDArray, INDArray> f, INDArray x, double eps) {
        int n = Math.toIntExact(x.length());
        double[] j = jacobianValues(f, x, eps);
        return NdArrays.create(j, new long[] {n == 0 ? 0 : j.length / n, n}, DataType.DOUBLE);
    }

    /** The Jacobian's values in C order, the evaluations' arrays freed with a scope of the call. */
    private static double[] jacobianValues(Function<INDArray, INDArray> f, INDArray x, double eps) {
        try (Scope call = Scope.open()) {
            INDArray work = Copies.copy(x);
            int n = Math.toIntExact(work.length());
            double[][] columns = new double[n][];
            for (int i = 0; i < n; i++) {
                double h = eps * Math.max(1, Math.abs(work.getDouble(i)));
                columns[i] = centralPartial(work, i, h, () -> f.apply(work));
            }
            int m = columns.length == 0 ? 0 : columns[0].length;
            double[] j = new double[m * n];
            for (int r = 0; r < m; r++) {
                for (int c = 0; c < n; c++) {
                    j[r * n + c] = columns[c][r];
                }
            }
            return j;
        }
    }

    /**
     * The Hessian (n, n) from central differences of a gradient function, symmetrized: H = (J + Jᵀ)/2 with J the
     * Jacobian of {@code gradient}. Pass an autograd gradient or {@code x -> gradient(f, x, options)}.
     */
    public static INDArray hessian(Function<INDArray, INDArray> gradient, INDArray x, double eps) {
        int n = Math.toIntExact(x.length());
        double[] j = jacobianValues(gradient, x, eps);
        double[] h = new double[n * n];
        for (int r = 0; r < n; r++) {
            for (int c = 0; c < n; c++) {
                h[r * n + c] = 0.5 * (j[r * n + c] + j[c * n + r]);
            }
        }
        return NdArrays.create(h, new long[] {n, n}, DataType.DOUBLE);
    }

    /** The Hessian-vector product H v ≈ (∇f(x + h v) - ∇f(x - h v)) / 2h, h = eps · max(1, |x|∞) / |v|∞. */
    public static INDArray hvp(Function<INDArray, INDArray> gradient, INDArray x, INDArray v, double eps) {
        double[] hv;
        try (Scope call = Scope.open()) {
            INDArray work = NdArrays.create(Copies.values(x), x.shape(), DataType.DOUBLE);
            hv = centralDirectional(work, v, step(work, v, eps), () -> gradient.apply(work));
        }
        return NdArrays.create(hv, x.shape(), DataType.DOUBLE);
    }

    /**
     * The directional derivative ∇f(x)·v from two evaluations, (f(x + h v) - f(x - h v)) / 2h (v need not be a
     * unit vector; h = eps · max(1, |x|∞) / |v|∞).
     */
    public static double directional(ToDoubleFunction<INDArray> f, INDArray x, INDArray v, double eps) {
        try (Scope call = Scope.open()) {
            INDArray work = Copies.copy(x);
            return centralDirectional(work, v, step(work, v, eps), () -> NdArrays.create(
                    new double[] {f.applyAsDouble(work)}, new long[0], DataType.DOUBLE))[0];
        }
    }

    private static double step(INDArray x, INDArray v, double eps) {
        return eps * Math.max(1, maxAbs(x)) / Math.max(maxAbs(v), 1e-300);
    }

    private static double maxAbs(INDArray a) {
        double m = 0;
        for (double d : Copies.values(a)) {
            m = Math.max(m, Math.abs(d));
        }
        return m;
    }

    /**
     * The partial derivative of every output element of {@code f} with respect to element {@code index} (C order)
     * of {@code x}, as {@code (f(x + h e_i) - f(x - h e_i)) / 2h}. {@code f} must read {@code x} each call.
     */
    public static double[] centralPartial(INDArray x, long index, double h, Supplier<INDArray> f) {
        double original = x.getDouble(index);
        try {
            x.putScalar(index, original + h);
            double[] plus = Copies.values(f.get());
            x.putScalar(index, original - h);
            double[] minus = Copies.values(f.get());
            return difference(plus, minus, h);
        } finally {
            x.putScalar(index, original);
        }
    }

    /**
     * The derivative of every output element of {@code f} along direction {@code u} (same shape as {@code x}, a
     * float32 or float64 array), as {@code (f(x + h u) - f(x - h u)) / 2h}; x is restored afterwards.
     */
    public static double[] centralDirectional(INDArray x, INDArray u, double h, Supplier<INDArray> f) {
        if (!java.util.Arrays.equals(x.shape(), u.shape())) {
            throw new ShapeException("centralDirectional: direction shape " + Shapes.str(u.shape())
                    + " does not match x shape " + Shapes.str(x.shape()));
        }
        double[] original = Copies.values(x);
        double[] direction = Copies.values(u);
        double[] moved = new double[original.length];
        try {
            for (int i = 0; i < moved.length; i++) {
                moved[i] = original[i] + h * direction[i];
            }
            Copies.write(x, moved);
            double[] plus = Copies.values(f.get());
            for (int i = 0; i < moved.length; i++) {
                moved[i] = original[i] - h * direction[i];
            }
            Copies.write(x, moved);
            double[] minus = Copies.values(f.get());
            return difference(plus, minus, h);
        } finally {
            Copies.write(x, original);
        }
    }

    private static double[] difference(double[] plus, double[] minus, double h) {
        double[] d = new double[plus.length];
        for (int i = 0; i < d.length; i++) {
            d[i] = (plus[i] - minus[i]) / (2 * h);
        }
        return d;
    }
}
