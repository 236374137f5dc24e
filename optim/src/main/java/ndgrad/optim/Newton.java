package ndgrad.optim;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;
import ndgrad.autograd.Autograd;
import ndgrad.autograd.GradOptions;
import ndgrad.autograd.Tensor;
import ndgrad.core.NdArrays;
import ndgrad.core.memory.Scope;
import ndgrad.core.numdiff.Cholesky;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Newton's method with second derivatives from autograd (Nocedal &amp; Wright, Numerical Optimization, ch. 3, 6
 * and 7). Each step computes g = ∇f and a direction d with (H + λI) d = -g, then a backtracking Armijo line search
 * along d from t = 1, so a pure Newton step is taken whenever it decreases f enough.
 * <ul>
 * <li>Full mode (small parameter counts): H is formed row by row (one backward pass per parameter) and the system
 * is solved by Cholesky; λ starts at the damping option and grows ×10 until H + λI is positive definite
 * (Levenberg–Marquardt style).</li>
 * <li>Newton-CG mode (larger counts): the system is solved by conjugate gradients using Hessian-vector products
 * only, stopping at the tolerance, the iteration limit, or negative curvature (Alg. 7.1, truncated).</li>
 * </ul>
 * Near a minimum of a smooth function with positive definite Hessian and λ = 0, the error falls quadratically.
 *
 * <p>Newton is an {@link Optimizer} whose step needs the loss, as PyTorch's LBFGS needs its closure: its learning
 * rate is the line search's first step t0, which schedules may change, and its state dict holds its options.
 *
 * <p>Usage: {@code Newton opt = new Newton(params, Newton.options()); double f = opt.step(() -> loss(params));}
 */
public final class Newton extends Optimizer<Newton.Options> {
    /** Starting damping λ, CG mode with its iteration limit and relative tolerance, and the line search. */
    public record Options(double damping, boolean conjugateGradient, int cgIterations, double cgTolerance,
            LineSearch.Options lineSearch) implements Optimizer.Options<Options> {
        /** Checks the values. */
        public Options {
            if (!(damping >= 0) || cgIterations < 1 || !(cgTolerance > 0)) {
                throw new IllegalArgumentException("Newton.Options: expected damping >= 0, cgIterations >= 1, "
                        + "cgTolerance > 0; got " + damping + ", " + cgIterations + ", " + cgTolerance);
            }
        }

        /** The learning rate: the line search's first step t0. */
        @Override
        public double lr() {
            return lineSearch.initialStep();
        }

        @Override
        public Options withLr(double lr) {
            return new Options(damping, conjugateGradient, cgIterations, cgTolerance, lineSearch.initialStep(lr));
        }

        /** A copy with starting damping λ. */
        public Options damping(double value) {
            return new Options(value, conjugateGradient, cgIterations, cgTolerance, lineSearch);
        }

        /** A copy in Newton-CG mode with this iteration limit. */
        public Options conjugateGradient(int iterations) {
            return new Options(damping, true, iterations, cgTolerance, lineSearch);
        }
    }

    /** Full Hessian, no starting damping, CG limits 100 / 1e-10, the default line search. */
    public static Options options() {
        return new Options(0, false, 100, 1e-10, LineSearch.options());
    }

    /** Newton's method over {@code params} (leaves that require grad), all in one system. */
    public Newton(List<Tensor> params, Options options) {
        super(List.of(new Group<>(params, options)));
    }

    /** One step; {@code loss} computes f from the parameters. Returns f after the step. */
    public double step(Supplier<Tensor> loss) {
        try (Scope step = Scope.open()) {
            return newtonStep(loss, groups().get(0).options());
        }
    }

    private List<Tensor> params() {
        return groups().get(0).params();
    }

    /** Refused: a Newton step needs the loss itself, not only its gradient. */
    @Override
    public void step() {
        throw new IllegalStateException("Newton: a step needs the loss to differentiate twice; call step(() -> loss)");
    }

    /** Never called: {@link #step()} is refused. */
    @Override
    protected void update(Options o, State s) {
        throw new IllegalStateException("Newton: a step needs the loss; call step(() -> loss)");
    }

    private double newtonStep(Supplier<Tensor> loss, Options options) {
        Tensor f = loss.get();
        List<Tensor> g = Autograd.grad(List.of(f), params(), null, GradOptions.defaults().createGraph(true)
                .allowUnused(true));
        Tensor flatG = Tensor.concat(0, g.stream().map(Tensor::flatten).toArray(Tensor[]::new));
        double[] grad = flatG.toDoubleArray();
        double[] d = options.conjugateGradient() ? cgDirection(flatG, grad, options)
                : choleskyDirection(flatG, grad, options);
        double slope = 0;
        for (int i = 0; i < d.length; i++) {
            slope += grad[i] * d[i];
        }
        if (!(slope < 0)) {
            return f.item();
        }
        return LineSearch.backtrack(loss, params(), unflatten(d), f.item(), slope, options.lineSearch()).loss();
    }

    /** (H + λI)⁻¹(-g) with H formed row by row, λ raised until the Cholesky factorization succeeds. */
    private double[] choleskyDirection(Tensor flatG, double[] grad, Options options) {
        int n = grad.length;
        double[][] h = new double[n][];
        for (int i = 0; i < n; i++) {
            double[] e = new double[n];
            e[i] = 1;
            h[i] = hessianTimes(flatG, e);
        }
        double lambda = options.damping();
        for (int attempt = 0; attempt < 60; attempt++) {
            double[][] l = Cholesky.factor(h, lambda, 0);
            if (l != null) {
                double[] minusG = new double[n];
                for (int i = 0; i < n; i++) {
                    minusG[i] = -grad[i];
                }
                return Cholesky.solve(l, minusG);
            }
            lambda = lambda == 0 ? 1e-8 * Math.max(1, maxAbsDiagonal(h)) : lambda * 10;
        }
        throw new IllegalStateException("Newton: the Hessian could not be made positive definite (damping reached "
                + lambda + ")");
    }

    /** Truncated conjugate gradients on (H + λI) d = -g using Hessian-vector products only. */
    private double[] cgDirection(Tensor flatG, double[] grad, Options options) {
        int n = grad.length;
        double[] d = new double[n];
        double[] r = new double[n];
        for (int i = 0; i < n; i++) {
            r[i] = -grad[i];
        }
        double[] p = r.clone();
        double rr = dot(r, r);
        double stop = options.cgTolerance() * options.cgTolerance() * rr;
        for (int k = 0; k < options.cgIterations() && rr > stop; k++) {
            double[] hp = hessianTimes(flatG, p);
            for (int i = 0; i < n; i++) {
                hp[i] += options.damping() * p[i];
            }
            double curvature = dot(p, hp);
            if (curvature <= 0) {
                return k == 0 ? r : d;
            }
            double alpha = rr / curvature;
            for (int i = 0; i < n; i++) {
                d[i] += alpha * p[i];
                r[i] -= alpha * hp[i];
            }
            double next = dot(r, r);
            for (int i = 0; i < n; i++) {
                p[i] = r[i] + next / rr * p[i];
            }
            rr = next;
        }
        return d;
    }

    /** H v, by differentiating g·v (Pearlmutter 1994). */
    private double[] hessianTimes(Tensor flatG, double[] v) {
        if (!flatG.isRequiresGrad()) {
            return new double[v.length];
        }
        try (Scope product = Scope.open()) {
            Tensor vt = Tensor.of(NdArrays.create(v, new long[] {v.length}, flatG.dtype()));
            List<Tensor> hv = Autograd.grad(List.of(flatG), params(), List.of(vt), GradOptions.defaults()
                    .retainGraph(true).allowUnused(true));
            return Tensor.concat(0, hv.stream().map(Tensor::flatten).toArray(Tensor[]::new)).toDoubleArray();
        }
    }

    private List<Tensor> unflatten(double[] d) {
        List<Tensor> out = new ArrayList<>();
        int offset = 0;
        for (Tensor p : params()) {
            double[] part = java.util.Arrays.copyOfRange(d, offset, offset + (int) p.numel());
            INDArray a = NdArrays.create(part, p.shape(), p.dtype());
            out.add(Tensor.of(a));
            offset += (int) p.numel();
        }
        return out;
    }

    private static double maxAbsDiagonal(double[][] h) {
        double m = 0;
        for (int i = 0; i < h.length; i++) {
            m = Math.max(m, Math.abs(h[i][i]));
        }
        return m;
    }

    private static double dot(double[] a, double[] b) {
        double s = 0;
        for (int i = 0; i < a.length; i++) {
            s += a[i] * b[i];
        }
        return s;
    }
}
