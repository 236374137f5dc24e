package ndgrad.nn;

import ndgrad.autograd.Autograd;
import ndgrad.autograd.Tensor;
import ndgrad.core.NdArrays;
import ndgrad.core.ShapeException;
import org.nd4j.linalg.api.buffer.DataType;

/**
 * Batch normalization over the channel dimension 1, as {@code torch.nn.BatchNorm1d}/{@code BatchNorm2d} (Ioffe &amp;
 * Szegedy 2015): in training, y = (x - mean) / √(var + eps) · weight + bias with the batch's mean and biased
 * variance over every dimension but 1, and the buffers updated as running = (1 - m)·running + m·batch statistic,
 * with the unbiased variance, where m is the momentum, or 1/num_batches_tracked when the momentum is null (a
 * cumulative average, as PyTorch's {@code momentum=None}); in evaluation, the running statistics. Without
 * {@code affine} there is no weight or bias; without {@code trackRunningStats} there are no buffers and the batch's
 * statistics are used in evaluation too, as in PyTorch. {@link BatchNorm1d} and {@link BatchNorm2d} fix the input's
 * rank.
 */
public abstract class BatchNorm extends Layer {
    private final String layer;
    private final int[] ranks;
    private final int features;
    private final double eps;
    private final Double momentum;
    private final Tensor weight;
    private final Tensor bias;
    private final Tensor runningMean;
    private final Tensor runningVar;
    private final Tensor batches;

    BatchNorm(String layer, int features, double eps, Double momentum, boolean affine, boolean trackRunningStats,
            int... ranks) {
        Layers.checkPositive(layer, "num_features", features);
        if (!(eps > 0) || momentum != null && !(momentum >= 0 && momentum <= 1)) {
            throw new IllegalArgumentException(layer + ": expected eps > 0 and momentum in [0, 1] or null, got eps="
                    + eps + ", momentum=" + momentum);
        }
        this.layer = layer;
        this.ranks = ranks;
        this.eps = eps;
        this.momentum = momentum;
        this.weight = affine ? param("weight", Tensor.ones(features)) : null;
        this.bias = affine ? param("bias", Tensor.zeros(features)) : null;
        this.runningMean = trackRunningStats ? buffer("running_mean", Tensor.zeros(features)) : null;
        this.runningVar = trackRunningStats ? buffer("running_var", Tensor.ones(features)) : null;
        this.batches = trackRunningStats ? buffer("num_batches_tracked", Tensor.of(NdArrays.create(new double[] {0},
                new long[0], DataType.LONG))) : null;
        this.features = features;
    }

    @Override
    public Tensor forward(Tensor x) {
        Tensor state = weight != null ? weight : runningMean;
        if (state != null) {
            Layers.checkDtype(layer, x, state);
        }
        long c = features;
        if (java.util.Arrays.stream(ranks).noneMatch(r -> r == x.dim()) || x.size(1) != c) {
            throw new ShapeException(layer + ": expected input of rank " + java.util.Arrays.toString(ranks)
                    + " with " + c + " channels in dim 1, got " + x.shapeString());
        }
        boolean training = isTraining() || runningMean == null;
        if (training && x.numel() / c < 2) {
            throw new ShapeException(layer + ": training needs more than one value per channel, got input "
                    + x.shapeString());
        }
        double m = 0;
        if (isTraining() && runningMean != null) {
            try (Autograd.GradMode off = Autograd.noGrad()) {
                batches.copyFrom(batches.add(1));
            }
            m = momentum != null ? momentum : 1.0 / batches.item();
        }
        return x.batchNorm(runningMean, runningVar, weight, bias, training, m, eps);
    }

    /** The scale γ, shape (C), or null without affine. */
    public Tensor weight() {
        return weight;
    }

    /** The running mean, shape (C), or null without running statistics. */
    public Tensor runningMean() {
        return runningMean;
    }

    /** The running (unbiased) variance, shape (C), or null without running statistics. */
    public Tensor runningVar() {
        return runningVar;
    }

    @Override
    public String toString() {
        return layer + "(" + features + ", eps=" + eps + ", momentum=" + (momentum == null ? "None" : momentum)
                + (weight == null ? ", affine=false" : "") + (runningMean == null ? ", track_running_stats=false" : "")
                + ")";
    }
}
