package ndgrad.nn;

/**
 * Batch normalization of (N, C) or (N, C, L) input, as {@code torch.nn.BatchNorm1d} (see {@link BatchNorm}).
 *
 * <p>Usage: {@code BatchNorm1d bn = new BatchNorm1d(128); Tensor y = bn.forward(h); bn.eval();}
 */
public final class BatchNorm1d extends BatchNorm {
    /** PyTorch's defaults: eps 1e-5, momentum 0.1. */
    public BatchNorm1d(int features) {
        this(features, 1e-5, 0.1);
    }

    /** With eps and momentum. */
    public BatchNorm1d(int features, double eps, double momentum) {
        this(features, eps, (Double) momentum, true, true);
    }

    /**
     * With all of PyTorch's options, in its order: eps, momentum (null for a cumulative average), affine (a weight
     * and bias) and track_running_stats.
     */
    public BatchNorm1d(int features, double eps, Double momentum, boolean affine, boolean trackRunningStats) {
        super("BatchNorm1d", features, eps, momentum, affine, trackRunningStats, 2, 3);
    }
}
