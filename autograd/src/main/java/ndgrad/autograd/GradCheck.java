package ndgrad.autograd;

import ndgrad.core.NdArrays;
import ndgrad.core.Rng;
import ndgrad.core.ShapeException;
import ndgrad.core.kernels.Copies;
import ndgrad.core.numdiff.FiniteDifference;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.Function;
import java.util.function.UnaryOperator;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Gradient checking: compares the gradients autograd computes with central finite differences, after
 * {@code torch.autograd.gradcheck}. For every input that requires grad and every element of it, and every output
 * element, the analytical Jacobian entry (from backward) must satisfy |a - n| ≤ atol + rtol·|n| against the
 * numerical one n = (f(x + eps) - f(x - eps)) / 2eps. Inputs must be float64, finite, and leaves.
 *
 * <p>The fast mode (PyTorch's {@code fast_mode}) compares vᵀJu for random directions u and v instead of every
 * entry: two evaluations of f per direction. {@link #checkSecondOrder} checks the gradients of the backward pass
 * itself (PyTorch's {@code gradgradcheck}).
 *
 * <p>Usage: {@code GradCheck.assertGradients(t -> t.mul(t).add(t.tanh()), x);}
 */
public final class GradCheck {
    private GradCheck() {
    }

    /** Step and tolerances, fast mode with its number of random directions, and the seed of those directions. */
    public record Options(double eps, double atol, double rtol, boolean fast, int directions, long seed) {
        /** PyTorch's defaults: eps 1e-6, atol 1e-5, rtol 1e-3; every element checked. */
        public static Options defaults() {
            return new Options(1e-6, 1e-5, 1e-3, false, 4, 0);
        }

        /** Checks the values at the public boundary. */
        public Options {
            if (!(eps > 0) || !(atol >= 0) || !(rtol >= 0) || directions < 1) {
                throw new IllegalArgumentException("GradCheck.Options: expected eps > 0, atol >= 0, rtol >= 0 and "
                        + "directions >= 1, got eps=" + eps + ", atol=" + atol + ", rtol=" + rtol + ", directions="
                        + directions);
            }
        }

        /** A copy with this finite-difference step. */
        public Options eps(double value) {
            return new Options(value, atol, rtol, fast, directions, seed);
        }

        /** A copy with these tolerances. */
        public Options tolerances(double absolute, double relative) {
            return new Options(eps, absolute, relative, fast, directions, seed);
        }

        /** A copy in fast mode, checking {@code count} random directional derivatives per input. */
        public Options fast(int count) {
            return new Options(eps, atol, rtol, true, count, seed);
        }

        /** A copy with this seed for the random directions. */
        public Options seed(long value) {
            return new Options(eps, atol, rtol, fast, directions, value);
        }
    }

    /**
     * One compared entry: input index, element of the input (its index per dimension, or the direction number in
     * fast mode), output element (flat index; -1 in fast mode), the input's value at that element (NaN in fast mode),
     * the two derivatives and the errors.
     */
    public record Entry(int input, long[] element, long output, double value, double analytical, double numerical) {
        /** |analytical - numerical|. */
        public double absError() {
            return Math.abs(analytical - numerical);
        }

        /** |analytical - numerical| / max(|numerical|, tiny). */
        public double relError() {
            return absError() / Math.max(Math.abs(numerical), Double.MIN_NORMAL);
        }

        boolean within(Options o) {
            return absError() <= o.atol() + o.rtol() * Math.abs(numerical);
        }

        @Override
        public String toString() {
            String where = output < 0 ? "direction " + element[0] : "element " + Arrays.toString(element)
                    + " (value " + value + "), output element " + output;
            return "input " + input + ", " + where + ": analytical " + analytical + " vs numerical " + numerical
                    + " (abs error " + String.format("%.3g", absError()) + ", rel error "
                    + String.format("%.3g", relError()) + ")";
        }
    }

    /** The outcome: every failing entry (first ones), the worst entry by relative error, and the count. */
    public record Report(boolean passed, long checked, List<Entry> failures, Entry worst, Options options) {
        /** A readable report: which input and element failed, analytical vs numerical, and the worst error. */
        @Override
        public String toString() {
            StringBuilder sb = new StringBuilder(passed ? "GradCheck passed: " : "GradCheck FAILED: ");
            sb.append(checked).append(" entries checked with eps=").append(options.eps()).append(", atol=")
                    .append(options.atol()).append(", rtol=").append(options.rtol())
                    .append(options.fast() ? " (fast mode)" : "");
            if (!passed) {
                sb.append("; ").append(failures.size()).append(" out of tolerance");
                failures.stream().limit(10).forEach(f -> sb.append("\n  ").append(f));
            }
            if (worst != null) {
                sb.append("\n  worst relative error: ").append(worst);
            }
            return sb.toString();
        }
    }

    /** Checks a function of one input with default options. */
    public static Report check(UnaryOperator<Tensor> f, Tensor x) {
        return check(Options.defaults(), in -> f.apply(in[0]), x);
    }

    /** Checks {@code f} at {@code inputs} (those that require grad are checked). */
    public static Report check(Options options, Function<Tensor[], Tensor> f, Tensor... inputs) {
        validate(inputs);
        Tensor y = f.apply(inputs);
        if (y.dtype() != DataType.DOUBLE) {
            throw new ShapeException("GradCheck: the function returned dtype " + y.dtype()
                    + "; gradcheck needs DOUBLE outputs (use DOUBLE inputs)");
        }
        List<Entry> entries = new ArrayList<>();
        Rng rng = new Rng(options.seed());
        for (int k = 0; k < inputs.length; k++) {
            if (inputs[k].isRequiresGrad()) {
                if (options.fast()) {
                    checkDirections(options, f, inputs, y, k, rng, entries);
                } else {
                    checkElements(options, f, inputs, y, k, entries);
                }
            }
        }
        List<Entry> failures = entries.stream().filter(e -> !e.within(options)).toList();
        Entry worst = entries.stream().max((a, b) -> Double.compare(a.relError(), b.relError())).orElse(null);
        return new Report(failures.isEmpty(), entries.size(), failures, worst, options);
    }

    /** Every Jacobian entry of input k: one backward per output element, two evaluations per input element. */
    private static void checkElements(Options options, Function<Tensor[], Tensor> f, Tensor[] inputs, Tensor y,
            int k, List<Entry> entries) {
        INDArray x = inputs[k].data();
        long outputs = y.numel();
        double[][] analytical = new double[(int) outputs][];
        for (int j = 0; j < outputs; j++) {
            double[] hot = new double[(int) outputs];
            hot[j] = 1;
            INDArray e = NdArrays.create(hot, y.shape(), y.dtype());
            analytical[j] = vjp(y, inputs[k], Tensor.of(e));
        }
        double[] values = inputs[k].toDoubleArray();
        for (long i = 0; i < x.length(); i++) {
            double[] numerical = FiniteDifference.centralPartial(x, i, options.eps(), () -> evaluate(f, inputs));
            long[] element = x.rank() == 0 ? new long[0] : unravel(i, x.shape());
            for (int j = 0; j < outputs; j++) {
                entries.add(new Entry(k, element, j, values[(int) i], analytical[j][(int) i], numerical[j]));
            }
        }
    }

    /** vᵀ J u for random unit directions u (of input k) and v (of the output). */
    private static void checkDirections(Options options, Function<Tensor[], Tensor> f, Tensor[] inputs, Tensor y,
            int k, Rng rng, List<Entry> entries) {
        INDArray x = inputs[k].data();
        for (int d = 0; d < options.directions(); d++) {
            INDArray u = unit(rng.normal(DataType.DOUBLE, x.shape()));
            INDArray v = unit(rng.normal(DataType.DOUBLE, y.shape()));
            double[] vJ = vjp(y, inputs[k], Tensor.of(v));
            double analytical = dot(vJ, Copies.values(u));
            double[] numerical = FiniteDifference.centralDirectional(x, u, options.eps(), () -> evaluate(f, inputs));
            entries.add(new Entry(k, new long[] {d}, -1, Double.NaN, analytical, dot(numerical, Copies.values(v))));
        }
    }

    /** vᵀ J for input x, flat; zeros where y does not depend on x. */
    private static double[] vjp(Tensor y, Tensor x, Tensor v) {
        if (!y.isRequiresGrad()) {
            return new double[(int) x.numel()];
        }
        GradOptions keep = GradOptions.defaults().retainGraph(true).allowUnused(true);
        return Autograd.grad(List.of(y), List.of(x), List.of(v), keep).get(0).toDoubleArray();
    }

    private static INDArray evaluate(Function<Tensor[], Tensor> f, Tensor[] inputs) {
        try (Autograd.GradMode off = Autograd.noGrad()) {
            return f.apply(inputs).data();
        }
    }

    /**
     * Checks the second derivatives: the gradient of g(x, v) = vᵀ ∂f/∂x (computed by backward with createGraph)
     * with respect to x and to v, for a random v, by the same comparison as {@link #check}.
     */
    public static Report checkSecondOrder(Options options, Function<Tensor[], Tensor> f, Tensor... inputs) {
        validate(inputs);
        Tensor probe;
        try (Autograd.GradMode off = Autograd.noGrad()) {
            probe = f.apply(inputs);
        }
        Tensor v = Tensor.of(new Rng(options.seed() + 1).normal(DataType.DOUBLE, probe.shape())).requiresGrad();
        List<Tensor> wrt = Arrays.stream(inputs).filter(Tensor::isRequiresGrad).toList();
        Tensor[] all = Arrays.copyOf(inputs, inputs.length + 1);
        all[inputs.length] = v;
        Function<Tensor[], Tensor> backwardPass = in -> {
            try (Autograd.GradMode on = Autograd.setGradEnabled(true)) {
                Tensor y = f.apply(Arrays.copyOf(in, inputs.length));
                if (!y.isRequiresGrad()) {
                    return Tensor.concat(0, wrt.stream().map(t -> Tensor.zerosLike(t).flatten())
                            .toArray(Tensor[]::new));
                }
                GradOptions create = GradOptions.defaults().createGraph(true).allowUnused(true);
                List<Tensor> g = Autograd.grad(List.of(y), wrt, List.of(in[inputs.length]), create);
                return Tensor.concat(0, g.stream().map(Tensor::flatten).toArray(Tensor[]::new));
            }
        };
        return check(options, backwardPass, all);
    }

    /** Throws an {@link AssertionError} with the report unless {@code f}'s gradients at x check out. */
    public static void assertGradients(UnaryOperator<Tensor> f, Tensor x) {
        assertGradients(Options.defaults(), in -> f.apply(in[0]), x);
    }

    /** Throws an {@link AssertionError} with the report unless {@code f}'s gradients check out. */
    public static void assertGradients(Options options, Function<Tensor[], Tensor> f, Tensor... inputs) {
        Report r = check(options, f, inputs);
        if (!r.passed()) {
            throw new AssertionError(r.toString());
        }
    }

    /** Throws an {@link AssertionError} with the report unless {@code f}'s second derivatives check out. */
    public static void assertSecondOrder(Options options, Function<Tensor[], Tensor> f, Tensor... inputs) {
        Report r = checkSecondOrder(options, f, inputs);
        if (!r.passed()) {
            throw new AssertionError("second order: " + r);
        }
    }

    private static void validate(Tensor[] inputs) {
        boolean any = false;
        for (int k = 0; k < inputs.length; k++) {
            Tensor t = inputs[k];
            if (!t.isRequiresGrad()) {
                continue;
            }
            any = true;
            if (t.dtype() != DataType.DOUBLE) {
                throw new ShapeException("GradCheck: input " + k + " (" + t.describe() + ") is " + t.dtype()
                        + "; gradcheck needs DOUBLE inputs, as float32 differences are too coarse "
                        + "(create it under DTypes.use(DataType.DOUBLE))");
            }
            if (!t.isLeaf()) {
                throw new AutogradException("GradCheck: input " + k + " (" + t.describe() + ") is not a leaf");
            }
            double[] v = t.toDoubleArray();
            for (int i = 0; i < v.length; i++) {
                if (!Double.isFinite(v[i])) {
                    throw new IllegalArgumentException("GradCheck: input " + k + " element "
                            + Arrays.toString(t.dim() == 0 ? new long[0] : unravel(i, t.shape())) + " is " + v[i]
                            + "; finite differences need finite inputs");
                }
            }
        }
        if (!any) {
            throw new AutogradException("GradCheck: no input requires grad; call requiresGrad() on those to check");
        }
    }

    private static INDArray unit(INDArray a) {
        double[] v = Copies.values(a);
        double norm = Math.max(Math.sqrt(dot(v, v)), Double.MIN_NORMAL);
        for (int i = 0; i < v.length; i++) {
            v[i] /= norm;
        }
        return NdArrays.create(v, a.shape(), a.dataType());
    }

    private static double dot(double[] a, double[] b) {
        double s = 0;
        for (int i = 0; i < a.length; i++) {
            s += a[i] * b[i];
        }
        return s;
    }

    private static long[] unravel(long flat, long[] shape) {
        long[] idx = new long[shape.length];
        long rest = flat;
        for (int d = shape.length - 1; d >= 0; d--) {
            idx[d] = rest % shape[d];
            rest /= shape[d];
        }
        return idx;
    }
}
