package ndgrad.optim;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;
import ndgrad.autograd.Autograd;
import ndgrad.autograd.Tensor;
import ndgrad.core.memory.Scope;

/**
 * Backtracking line search with the Armijo condition (Nocedal &amp; Wright, Numerical Optimization, Alg. 3.1):
 * from step t = t0, shrink t ← ρ t until f(x + t d) ≤ f(x) + c t ∇f·d. Usable with any descent direction d; with
 * d = -∇f it is gradient descent that needs no learning rate.
 *
 * <p>Usage: {@code LineSearch.Result r = LineSearch.gradientStep(closure, params, LineSearch.options());}
 */
public final class LineSearch {
    private LineSearch() {
    }

    /** The first step t0, the sufficient-decrease constant c, the shrink factor ρ and the most shrinks allowed. */
    public record Options(double initialStep, double c, double shrink, int maxShrinks) {
        /** Checks the values. */
        public Options {
            if (!(initialStep > 0) || !(c > 0 && c < 1) || !(shrink > 0 && shrink < 1) || maxShrinks < 1) {
                throw new IllegalArgumentException("LineSearch.Options: expected initialStep > 0, 0 < c < 1, "
                        + "0 < shrink < 1, maxShrinks >= 1; got " + initialStep + ", " + c + ", " + shrink + ", "
                        + maxShrinks);
            }
        }

        /** A copy with another first step. */
        public Options initialStep(double value) {
            return new Options(value, c, shrink, maxShrinks);
        }
    }

    /** t0 = 1, c = 1e-4, ρ = 0.5, up to 50 shrinks (Nocedal &amp; Wright's usual choices). */
    public static Options options() {
        return new Options(1, 1e-4, 0.5, 50);
    }

    /** The step accepted, the loss there, and how many times the loss was evaluated. */
    public record Result(double step, double loss, int evaluations) {
    }

    /**
     * Moves {@code params} to x + t d for the first t that satisfies Armijo's condition, given f(x) = {@code f0} and
     * the slope ∇f·d (negative for a descent direction). When no t does within maxShrinks, params are left at x and
     * the step is 0.
     */
    public static Result backtrack(Supplier<Tensor> loss, List<Tensor> params, List<Tensor> direction, double f0,
            double slope, Options o) {
        if (!(slope < 0)) {
            throw new IllegalArgumentException("LineSearch: the direction is not a descent direction (slope "
                    + slope + " >= 0)");
        }
        try (Autograd.GradMode off = Autograd.noGrad(); Scope call = Scope.open()) {
            List<Tensor> start = new ArrayList<>();
            params.forEach(p -> start.add(p.dup()));
            double t = o.initialStep();
            for (int k = 1; k <= o.maxShrinks(); k++, t *= o.shrink()) {
                try (Scope trial = Scope.open()) {
                    for (int i = 0; i < params.size(); i++) {
                        params.get(i).copyFrom(start.get(i).add(direction.get(i).mul(t)));
                    }
                    double f = loss.get().item();
                    if (f <= f0 + o.c() * t * slope) {
                        return new Result(t, f, k);
                    }
                }
            }
            for (int i = 0; i < params.size(); i++) {
                params.get(i).copyFrom(start.get(i));
            }
            return new Result(0, f0, o.maxShrinks());
        }
    }

    /** One gradient-descent step with a backtracking line search along -∇f; the closure computes the loss. */
    public static Result gradientStep(Supplier<Tensor> loss, List<Tensor> params, Options o) {
        try (Scope step = Scope.open()) {
            return descend(loss, params, o);
        }
    }

    private static Result descend(Supplier<Tensor> loss, List<Tensor> params, Options o) {
        Tensor f = loss.get();
        List<Tensor> g = Autograd.grad(List.of(f), params, null, ndgrad.autograd.GradOptions.defaults()
                .allowUnused(true));
        double slope = 0;
        List<Tensor> d = new ArrayList<>();
        for (Tensor gi : g) {
            slope -= gi.mul(gi).sum().item();
            d.add(gi.neg());
        }
        return backtrack(loss, params, d, f.item(), slope, o);
    }
}
