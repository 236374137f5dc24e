package ndgrad.examples;

/**
 * Training stopped because the loss became NaN or infinite: the command line prints one line and exits with code
 * {@value #EXIT_CODE}, and saves nothing.
 *
 * <p>Usage: {@code losses.add(Diverged.check(loss.item(), "train xor", step));}
 */
final class Diverged extends RuntimeException {
    private static final long serialVersionUID = 1L;
    /** The exit code of a run whose training diverged (bad input is 2). */
    static final int EXIT_CODE = 3;

    private Diverged(String message) {
        super(message);
    }

    /** Stops with {@code message}: what diverged, and what to try. */
    static Diverged because(String message) {
        return new Diverged(message);
    }

    /** Returns {@code loss} when finite; otherwise stops training, naming the job and the step. */
    static double check(double loss, String job, long step) {
        if (!Double.isFinite(loss)) {
            throw new Diverged(job + ": training diverged: the loss became " + loss + " at step " + step
                    + "; nothing was saved. Try a smaller --lr");
        }
        return loss;
    }
}
