package ndgrad.optim;

/**
 * A learning-rate schedule over an optimizer's groups, as {@code torch.optim.lr_scheduler}: each group's lr is a
 * function of its initial lr and the number of {@link #step()} calls so far (the epoch), using PyTorch's closed forms.
 *
 * <p>Usage: {@code LrScheduler s = LrScheduler.cosine(opt, 100, 0); for (...) { train(); s.step(); }}
 */
public final class LrScheduler {
    /** lr of a group from its initial lr and the epoch. */
    @FunctionalInterface
    private interface Rule {
        double lr(double base, int epoch);
    }

    private final Optimizer<?> optimizer;
    private final double[] base;
    private final Rule rule;
    private int epoch;

    private LrScheduler(Optimizer<?> optimizer, Rule rule) {
        this.optimizer = optimizer;
        this.rule = rule;
        base = new double[optimizer.groups().size()];
        for (int i = 0; i < base.length; i++) {
            base[i] = optimizer.lr(i);
        }
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
        if (!(startFactor > 0 && startFactor <= 1) || epochs < 1) {
            throw new IllegalArgumentException("linear warmup: expected 0 < startFactor <= 1 and epochs >= 1, got "
                    + startFactor + " and " + epochs);
        }
        return new LrScheduler(optimizer, (b, e) -> b * (startFactor + (1 - startFactor) * Math.min(e, epochs) / epochs));
    }

    /** Advances one epoch and sets every group's lr. */
    public void step() {
        epoch++;
        apply();
    }

    /** How many times {@link #step()} was called. */
    public int epoch() {
        return epoch;
    }

    private void apply() {
        for (int i = 0; i < base.length; i++) {
            optimizer.setLr(i, rule.lr(base[i], epoch));
        }
    }
}
