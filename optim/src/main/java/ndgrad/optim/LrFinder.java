package ndgrad.optim;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;
import ndgrad.autograd.Autograd;
import ndgrad.autograd.Tensor;
import ndgrad.core.memory.Scope;

/**
 * The learning-rate range test (Smith, "Cyclical Learning Rates for Training Neural Networks", 2017): train for a
 * few steps while the lr grows exponentially from {@code start} to {@code end}, record the loss (smoothed with an
 * exponential moving average, debiased), stop once it exceeds 4× its best, and suggest the lr where the smoothed
 * loss falls fastest against log(lr), fastai's "steep" rule ({@code fastai.callback.schedule.steep}): leaving out
 * the first tenth of the planned steps, where the average is still settling, and the last 5, where the loss turns up
 * toward divergence. The parameters and the optimizer's state and lrs are restored afterwards.
 *
 * <p>Usage: {@code LrFinder.Result r = LrFinder.run(opt, () -> loss(nextBatch()), 1e-6, 1, 100);}
 */
public final class LrFinder {
    private LrFinder() {
    }

    /**
     * The lrs tried, their smoothed losses, and the suggested lr: NaN when no step lowered the smoothed loss (every lr
     * tried was too large, or too small to move it), so there is nothing to suggest.
     */
    public record Result(double[] lrs, double[] losses, double suggestion) {
    }

    /** Runs the test for up to {@code steps} steps; {@code loss} computes the loss of the next batch. */
    public static <O extends Optimizer.Options<O>> Result run(Optimizer<O> opt, Supplier<Tensor> loss, double start,
            double end, int steps) {
        if (!(start > 0 && end > start) || steps < 3) {
            throw new IllegalArgumentException("LrFinder: expected 0 < start < end and steps >= 3, got " + start
                    + ", " + end + ", " + steps);
        }
        List<Tensor> params = new ArrayList<>();
        opt.groups().forEach(g -> params.addAll(g.params()));
        try (Scope call = Scope.open()) {
            return sweep(opt, params, loss, start, end, steps);
        }
    }

    private static <O extends Optimizer.Options<O>> Result sweep(Optimizer<O> opt, List<Tensor> params,
            Supplier<Tensor> loss, double start, double end, int steps) {
        List<Tensor> saved = new ArrayList<>();
        try (Autograd.GradMode off = Autograd.noGrad()) {
            params.forEach(p -> saved.add(p.dup()));
        }
        StateDict<O> state = opt.stateDict();
        List<Double> lrs = new ArrayList<>();
        List<Double> losses = new ArrayList<>();
        double avg = 0;
        double best = Double.POSITIVE_INFINITY;
        for (int i = 0; i < steps; i++) {
            double lr = start * Math.pow(end / start, i / (double) (steps - 1));
            for (int g = 0; g < opt.groups().size(); g++) {
                opt.setLr(g, lr);
            }
            try (Scope step = Scope.open()) {
                Tensor l = loss.get();
                opt.zeroGrad();
                l.backward();
                opt.step();
                avg = 0.98 * avg + 0.02 * l.item();
            }
            double smoothed = avg / (1 - Math.pow(0.98, i + 1));
            lrs.add(lr);
            losses.add(smoothed);
            best = Math.min(best, smoothed);
            if (!Double.isFinite(smoothed) || smoothed > 4 * best) {
                break;
            }
        }
        try (Autograd.GradMode off = Autograd.noGrad()) {
            for (int i = 0; i < params.size(); i++) {
                params.get(i).copyFrom(saved.get(i));
            }
        }
        opt.loadStateDict(state);
        opt.zeroGrad();
        return new Result(lrs.stream().mapToDouble(Double::doubleValue).toArray(),
                losses.stream().mapToDouble(Double::doubleValue).toArray(), steepest(lrs, losses, steps));
    }

    private static double steepest(List<Double> lrs, List<Double> losses, int steps) {
        int from = steps / 10;
        int to = losses.size() - 5;
        if (to - from < 2) {
            from = 0;
            to = losses.size();
        }
        int at = from;
        double slope = 0;
        for (int i = from + 1; i < to; i++) {
            double s = (losses.get(i) - losses.get(i - 1)) / (Math.log(lrs.get(i)) - Math.log(lrs.get(i - 1)));
            if (s < slope) {
                slope = s;
                at = i - 1;
            }
        }
        return slope < 0 ? lrs.get(at) : Double.NaN;
    }
}
