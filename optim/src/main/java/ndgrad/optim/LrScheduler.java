package ndgrad.optim;

/**
 * A learning-rate schedule over an optimizer's groups, as {@code torch.optim.lr_scheduler}: each group's lr is a
 * function of its initial lr and the number of {@link #step()} calls so far (the epoch), using PyTorch's closed forms.
 * Both live in the optimizer and are saved and loaded with it, so a resumed run is the same whether the schedule is
 * created before or after {@code opt.load}. Schedules on one optimizer share its epoch.
 *
 * <p>Usage: {@code LrScheduler s = LrScheduler.cosine(opt, 100, 0);
 * for (int epoch = 0; epoch < 100; epoch++) { train(); s.step(); }}
 */
public final class LrScheduler {
    private static final String INITIAL = "initial_lr.";
    private static final String EPOCH = "epoch";

    /** lr of a group from its initial lr and the epoch. */
    @FunctionalInterface
    private interface Rule {
        double lr(double base, int epoch);
    }

    private final Optimizer<?> optimizer;
    private final Rule rule;

    /**
     * Attaches to {@code optimizer}: each group's initial lr is its lr now, unless the optimizer already remembers
     * one (a schedule was attached before, or a state with a schedule was loaded), as PyTorch's {@code initial_lr};
     * the epoch is the remembered one, or 0. Then it sets each group's lr for that epoch.
     */
    private LrScheduler(Optimizer<?> optimizer, Rule rule) {
        this.optimizer = optimizer;
        this.rule = rule;
        for (int i = 0; i < optimizer.groups().size(); i++) {
            optimizer.schedule.putIfAbsent(INITIAL + i, optimizer.lr(i));
        }
        optimizer.schedule.putIfAbsent(EPOCH, 0.0);
        apply();
    }

    /** lr = base · γ^⌊epoch / stepSize⌋ (StepLR). */
    public static LrScheduler step(Optimizer<?> optimizer, int stepSize, double gamma) {
        if (stepSize < 1) {
            throw new IllegalArgumentException("step schedule: stepSize must be >= 1, got " + stepSize);
        }
        return new LrScheduler(optimizer, (b, e) -> b * Math.pow(gamma, e / stepSize));
    }

    /** lr = base · γ^epoch (ExponentialLR). */
    public static LrScheduler exponential(Optimizer<?> optimizer, double gamma) {
        return new LrScheduler(optimizer, (b, e) -> b * Math.pow(gamma, e));
    }

    /** lr = ηmin + (base - ηmin)(1 + cos(π epoch / tMax)) / 2 (CosineAnnealingLR; Loshchilov &amp; Hutter 2017). */
    public static LrScheduler cosine(Optimizer<?> optimizer, int tMax, double etaMin) {
        if (tMax < 1) {
            throw new IllegalArgumentException("cosine schedule: tMax must be >= 1, got " + tMax);
        }
        return new LrScheduler(optimizer, (b, e) -> etaMin + (b - etaMin) * (1 + Math.cos(Math.PI * e / tMax)) / 2);
    }

    /**
     * Linear warmup: lr = base · (s + (1 - s) · min(epoch, n) / n), from start factor s to 1 over n epochs
     * (PyTorch's LinearLR with end factor 1).
     */
    public static LrScheduler linearWarmup(Optimizer<?> optimizer, double startFactor, int epochs) {
        return linear(optimizer, startFactor, 1, epochs);
    }

    /**
     * lr = base · (s + (e - s) · min(epoch, n) / n): the factor goes linearly from s to e over n steps, then stays
     * (PyTorch's LinearLR). micrograd's demo schedule 1 - 0.9·k/100 is {@code linear(opt, 1, 0.1, 100)} at base 1.
     */
    public static LrScheduler linear(Optimizer<?> optimizer, double startFactor, double endFactor, int steps) {
        if (!(startFactor > 0 && startFactor <= 1) || !(endFactor >= 0 && endFactor <= 1) || steps < 1) {
            throw new IllegalArgumentException("linear schedule: expected 0 < startFactor <= 1, 0 <= endFactor <= 1 "
                    + "and steps >= 1, got " + startFactor + ", " + endFactor + " and " + steps);
        }
        return new LrScheduler(optimizer, (b, e) -> b * (startFactor + (endFactor - startFactor)
                * Math.min(e, steps) / steps));
    }

    /**
     * lr = base · factor(epoch), for any function of the step (PyTorch's LambdaLR); a factor that is negative or not
     * finite is refused when it is applied.
     */
    public static LrScheduler lambda(Optimizer<?> optimizer, java.util.function.IntToDoubleFunction factor) {
        return new LrScheduler(optimizer, (b, e) -> {
            double f = factor.applyAsDouble(e);
            if (!(f >= 0 && Double.isFinite(f))) {
                throw new IllegalArgumentException("lambda schedule: the factor at step " + e + " is " + f
                        + "; expected a finite value >= 0");
            }
            return b * f;
        });
    }

    /** Advances one epoch and sets every group's lr. */
    public void step() {
        optimizer.schedule.put(EPOCH, epoch() + 1.0);
        apply();
    }

    /** How many times {@link #step()} was called, counting the steps of a schedule saved with the optimizer. */
    public int epoch() {
        return optimizer.schedule.get(EPOCH).intValue();
    }

    private void apply() {
        for (int i = 0; i < optimizer.groups().size(); i++) {
            optimizer.setLr(i, rule.lr(optimizer.schedule.get(INITIAL + i), epoch()));
        }
    }
}
