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
        super("BatchNorm2d", features, eps, momentum, 4);
    }
}
