package ndgrad.optim;

/**
 * Lowers every group's lr by a factor when a metric has stopped improving, as
 * {@code torch.optim.lr_scheduler.ReduceLROnPlateau} in mode "min" with a relative threshold: a value improves when
 * it is below best · (1 - threshold); after more than {@code patience} epochs without improvement, lr ←
 * max(lr · factor, minLr) (skipped when the change is below 1e-8), then {@code cooldown} epochs pass before bad
 * epochs count again.
 *
 * <p>Usage: {@code ReduceLrOnPlateau s = new ReduceLrOnPlateau(opt, 0.1, 10, 1e-4, 0, 0); s.step(validationLoss);}
 */
public final class ReduceLrOnPlateau {
    private static final String BEST = "plateau.best";
    private static final String BAD = "plateau.bad";
    private static final String COOLDOWN = "plateau.cooldown";
    private final Optimizer<?> optimizer;
    private final double factor;
    private final int patience;
    private final double threshold;
    private final int cooldown;
    private final double minLr;

    /** PyTorch's defaults are factor 0.1, patience 10, threshold 1e-4, cooldown 0, minLr 0. */
    public ReduceLrOnPlateau(Optimizer<?> optimizer, double factor, int patience, double threshold, int cooldown,
            double minLr) {
        if (!(factor > 0 && factor < 1) || patience < 0 || !(threshold >= 0) || cooldown < 0 || !(minLr >= 0)) {
            throw new IllegalArgumentException("ReduceLrOnPlateau: expected 0 < factor < 1, patience >= 0, "
                    + "threshold >= 0, cooldown >= 0, minLr >= 0; got " + factor + ", " + patience + ", " + threshold
                    + ", " + cooldown + ", " + minLr);
        }
        this.optimizer = optimizer;
        this.factor = factor;
        this.patience = patience;
        this.threshold = threshold;
        this.cooldown = cooldown;
        this.minLr = minLr;
    }

    /**
     * Records this epoch's metric (lower is better) and lowers the lr if it has plateaued. The best value and the
     * counters live in the optimizer ({@code plateau.*}), saved and loaded with it.
     */
    public void step(double metric) {
        java.util.Map<String, Double> m = optimizer.schedule;
        double best = m.getOrDefault(BEST, Double.POSITIVE_INFINITY);
        int bad = m.getOrDefault(BAD, 0.0).intValue();
        int cooldownLeft = m.getOrDefault(COOLDOWN, 0.0).intValue();
        if (metric < best * (1 - threshold)) {
            best = metric;
            bad = 0;
        } else {
            bad++;
        }
        if (cooldownLeft > 0) {
            cooldownLeft--;
            bad = 0;
        }
        if (bad > patience) {
            for (int i = 0; i < optimizer.groups().size(); i++) {
                double old = optimizer.lr(i);
                double next = Math.max(old * factor, minLr);
                if (old - next > 1e-8) {
                    optimizer.setLr(i, next);
                }
            }
            cooldownLeft = cooldown;
            bad = 0;
        }
        m.put(BEST, best);
        m.put(BAD, (double) bad);
        m.put(COOLDOWN, (double) cooldownLeft);
    }
}
