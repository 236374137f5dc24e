package ndgrad.nn;

/**
 * Batch normalization of (N, C, H, W) input per channel, as {@code torch.nn.BatchNorm2d} (see {@link BatchNorm}).
 *
 * <p>Usage: {@code new Sequential(new Conv2d(1, 32, 5, rng), new BatchNorm2d(32), Activation.relu())}
 */
public final class BatchNorm2d extends BatchNorm {
    /** PyTorch's defaults: eps 1e-5, momentum 0.1. */
    public BatchNorm2d(int features) {
        this(features, 1e-5, 0.1);
    }

    /** With eps and momentum. */
    public BatchNorm2d(int features, double eps, double momentum) {
        this(features, eps, (Double) momentum, true, true);
    }

    /**
     * With all of PyTorch's options, in its order: eps, momentum (null for a cumulative average), affine (a weight
     * and bias) and track_running_stats.
     */
    public BatchNorm2d(int features, double eps, Double momentum, boolean affine, boolean trackRunningStats) {
        super("BatchNorm2d", features, eps, momentum, affine, trackRunningStats, 4);
    }
}
