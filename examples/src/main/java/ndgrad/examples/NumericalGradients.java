package ndgrad.examples;

import ndgrad.core.NdArrays;
import ndgrad.core.Rng;
import ndgrad.core.kernels.Copies;
import ndgrad.core.kernels.Products;
import ndgrad.core.numdiff.FiniteDifference;
import ndgrad.core.numdiff.GradientEstimator;
import ndgrad.core.numdiff.LocalGradient;
import ndgrad.core.numdiff.StochasticGradient;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.ToDoubleFunction;
import java.util.function.UnaryOperator;
import ndgrad.autograd.Autograd;
import ndgrad.autograd.Tensor;
import ndgrad.core.numdiff.FiniteDifference.Scheme;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Every numerical gradient method on one function, against autograd's exact gradient: the estimate, its error and
 * its cost in evaluations; and the error of forward, central and 5-point differences as h shrinks, which falls as
 * h^p (truncation) until round-off, growing as 1/h, takes over.
 *
 * <p>Usage: {@code List<NumericalGradients.Row> rows = NumericalGradients.compare(NumericalGradients.function("rosenbrock"), x);}
 */
public final class NumericalGradients {
    /** The functions on offer, with their default points. */
    public static final Map<String, double[]> FUNCTIONS = Map.of("rosenbrock", new double[] {-1.5, 2},
            "quadratic", new double[] {1, -2, 0.5}, "sinexp", new double[] {0.3, -0.7, 1.1});

    /** One method's result. */
    public record Row(String method, double[] gradient, double error, long evaluations) {
    }

    private NumericalGradients() {
    }

    /** A scalar function of a 1-D tensor, by name. */
    public static UnaryOperator<Tensor> function(String name) {
        return switch (name) {
            case "rosenbrock" -> p -> p.select(0, 0).rsub(1).pow(2).add(p.select(0, 1).sub(p.select(0, 0).pow(2))
                    .pow(2).mul(100));
            case "quadratic" -> x -> x.mul(x).mul(Tensor.arange(1, x.numel() + 1, 1).to(x.dtype())).sum().mul(0.5)
                    .add(x.sum());
            case "sinexp" -> x -> x.sin().mul(Tensor.concat(0, x.slice(0, 1, x.numel()), x.slice(0, 0, 1)).div(2)
                    .exp()).sum();
            default -> throw new IllegalArgumentException("unknown function '" + name + "' (expected one of "
                    + FUNCTIONS.keySet() + ")");
        };
    }

    /** f as a function of a float64 array (no graph). */
    static ToDoubleFunction<INDArray> values(UnaryOperator<Tensor> f) {
        return a -> {
            try (Autograd.GradMode off = Autograd.noGrad()) {
                return f.apply(Tensor.of(a)).item();
            }
        };
    }

    /** Every method at {@code x}. */
    public static List<Row> compare(UnaryOperator<Tensor> f, double[] x) {
        INDArray at = NdArrays.create(x, new long[] {x.length}, DataType.DOUBLE);
        Tensor t = Tensor.of(Copies.copy(at)).requiresGrad();
        double[] exact = Autograd.grad(f.apply(t), t).get(0).toDoubleArray();
        ToDoubleFunction<INDArray> fx = values(f);
        Map<String, GradientEstimator> methods = new LinkedHashMap<>();
        for (Scheme s : Scheme.values()) {
            methods.put(s.name().toLowerCase().replace('_', '-'), FiniteDifference.estimator(FiniteDifference.options(s)));
        }
        methods.put("central + Richardson", FiniteDifference.estimator(FiniteDifference.options(Scheme.CENTRAL)
                .eps(1e-3).richardson(true)));
        methods.put("SPSA (1000 samples)", StochasticGradient.spsa(1e-4, 1000, new Rng(1)));
        methods.put("Gaussian smoothing (1000)", StochasticGradient.gaussianSmoothing(1e-4, 1000, new Rng(1)));
        methods.put("local regression (40 samples)", (g, a) -> {
            INDArray samples = new Rng(2).uniform(DataType.DOUBLE, -1e-3, 1e-3, 40, x.length);
            Products.axpy(1, a, samples);
            double[][] rows = NdArrays.rows(samples);
            double[] v = new double[40];
            for (int i = 0; i < 40; i++) {
                v[i] = g.applyAsDouble(NdArrays.create(rows[i], new long[] {x.length}, DataType.DOUBLE));
            }
            LocalGradient.Fit fit = LocalGradient.fit(a, samples, v, 0);
            return new GradientEstimator.Estimate(fit.gradient(), 40, fit.residual());
        });
        List<Row> rows = new ArrayList<>();
        rows.add(new Row("autograd (exact)", exact, 0, 1));
        methods.forEach((name, m) -> {
            GradientEstimator.Estimate e = m.estimate(fx, at);
            double[] g = Copies.values(e.gradient());
            double err = 0;
            for (int i = 0; i < g.length; i++) {
                err = Math.max(err, Math.abs(g[i] - exact[i]));
            }
            rows.add(new Row(name, g, err, e.evaluations()));
        });
        return rows;
    }

    /** Max-abs gradient error per scheme (forward, central, 5-point) for each relative step in {@code hs}. */
    public static Map<String, double[]> errorVsH(UnaryOperator<Tensor> f, double[] x, double[] hs) {
        INDArray at = NdArrays.create(x, new long[] {x.length}, DataType.DOUBLE);
        Tensor t = Tensor.of(Copies.copy(at)).requiresGrad();
        double[] exact = Autograd.grad(f.apply(t), t).get(0).toDoubleArray();
        Map<String, double[]> out = new LinkedHashMap<>();
        for (Scheme s : new Scheme[] {Scheme.FORWARD, Scheme.CENTRAL, Scheme.FIVE_POINT}) {
            double[] err = new double[hs.length];
            for (int k = 0; k < hs.length; k++) {
                double[] g = Copies.values(FiniteDifference.gradient(values(f), at,
                        FiniteDifference.options(s).eps(hs[k])));
                for (int i = 0; i < g.length; i++) {
                    err[k] = Math.max(err[k], Math.abs(g[i] - exact[i]));
                }
            }
            out.put(s.name().toLowerCase().replace('_', '-'), err);
        }
        return out;
    }

    /**
     * Whether a scheme is exact for this function, its errors (for h from largest to smallest) round-off alone: below
     * 1e-9 already at the largest h, where truncation would be largest, so no order can be read from them (a
     * five-point rule on a polynomial of degree 4, whose error then only grows as 1/h).
     */
    public static boolean exact(double[] errors) {
        return errors.length > 0 && errors[0] < 1e-9;
    }

    /**
     * Reference slopes for the error-against-h plot: h, h² and h⁴ (the orders of forward, central and five-point
     * differences), each through its scheme's error at the largest h, over the h from there to 1e-4 (where
     * truncation rules); none for a scheme that is exact here.
     */
    public static Map<String, double[][]> slopes(double[] hs, Map<String, double[]> errors) {
        Map<String, double[][]> out = new java.util.LinkedHashMap<>();
        String[][] orders = {{"forward", "1", "h"}, {"central", "2", "h²"}, {"five-point", "4", "h⁴"}};
        for (String[] o : orders) {
            double[] e = errors.get(o[0]);
            if (e == null || exact(e) || !(e[0] > 0)) {
                continue;
            }
            int p = Integer.parseInt(o[1]);
            double h0 = hs[0];
            double h1 = Math.max(1e-4, h0 * 1e-3);
            out.put("slope " + p + " (" + o[2] + ")", new double[][] {{h0, h1}, {e[0], e[0] * Math.pow(h1 / h0, p)}});
        }
        return out;
    }

    /** The observed order: the largest slope of log(error) against log(h) between neighbouring steps. */
    public static double order(double[] hs, double[] errors) {
        double best = 0;
        for (int k = 1; k < hs.length; k++) {
            if (errors[k] > 0 && errors[k - 1] > 0) {
                best = Math.max(best, Math.log(errors[k - 1] / errors[k]) / Math.log(hs[k - 1] / hs[k]));
            }
        }
        return best;
    }
}
