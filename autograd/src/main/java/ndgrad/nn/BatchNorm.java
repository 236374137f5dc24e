package ndgrad.nn;

import ndgrad.autograd.Autograd;
import ndgrad.autograd.Tensor;
import ndgrad.core.NdArrays;
import ndgrad.core.ShapeException;
import org.nd4j.linalg.api.buffer.DataType;

/**
 * Batch normalization over the channel dimension 1, as {@code torch.nn.BatchNorm1d}/{@code BatchNorm2d} (Ioffe &amp;
 * Szegedy 2015): in training, y = (x - mean) / √(var + eps) · weight + bias with the batch's mean and biased
 * variance over every dimension but 1, and the buffers updated as running = (1 - momentum)·running + momentum·batch
 * statistic, with the unbiased variance; in evaluation, the running statistics. {@link BatchNorm1d} and
 * {@link BatchNorm2d} fix the input's rank.
 */
public abstract class BatchNorm extends Layer {
    private final String layer;
    private final int[] ranks;
    private final double eps;
    private final double momentum;
    private final Tensor weight;
    private final Tensor bias;
    private final Tensor runningMean;
    private final Tensor runningVar;
    private final Tensor batches;

    BatchNorm(String layer, int features, double eps, double momentum, int... ranks) {
        Layers.checkPositive(layer, "num_features", features);
        if (!(eps > 0) || !(momentum >= 0 && momentum <= 1)) {
            throw new IllegalArgumentException(layer + ": expected eps > 0 and momentum in [0, 1], got eps=" + eps
                    + ", momentum=" + momentum);
        }
        this.layer = layer;
        this.ranks = ranks;
        this.eps = eps;
        this.momentum = momentum;
        this.weight = param("weight", Tensor.ones(features));
        this.bias = param("bias", Tensor.zeros(features));
        this.runningMean = buffer("running_mean", Tensor.zeros(features));
        this.runningVar = buffer("running_var", Tensor.ones(features));
        this.batches = buffer("num_batches_tracked", Tensor.of(NdArrays.create(new double[] {0}, new long[0],
                DataType.LONG)));
    }

    @Override
    public Tensor forward(Tensor x) {
        Layers.checkDtype(layer, x, weight);
        long c = weight.size(0);
        if (java.util.Arrays.stream(ranks).noneMatch(r -> r == x.dim()) || x.size(1) != c) {
            throw new ShapeException(layer + ": expected input of rank " + java.util.Arrays.toString(ranks)
                    + " with " + c + " channels in dim 1, got " + x.shapeString());
        }
        long[] stat = new long[x.dim()];
        java.util.Arrays.fill(stat, 1);
        stat[1] = c;
        int[] axes = java.util.stream.IntStream.range(0, x.dim()).filter(a -> a != 1).toArray();
        Tensor mean;
        Tensor var;
        if (isTraining()) {
            long count = x.numel() / c;
            if (count < 2) {
                throw new ShapeException(layer + ": training needs more than one value per channel, got input "
                        + x.shapeString());
            }
            mean = x.mean(true, axes);
            var = x.var(0, true, axes);
            try (Autograd.GradMode off = Autograd.noGrad()) {
                runningMean.copyFrom(runningMean.mul(1 - momentum).add(mean.detach().reshape(c).mul(momentum)));
                runningVar.copyFrom(runningVar.mul(1 - momentum).add(var.detach().reshape(c)
                        .mul(momentum * count / (count - 1))));
                batches.copyFrom(batches.add(1));
            }
        } else {
            mean = runningMean.reshape(stat);
            var = runningVar.reshape(stat);
        }
        return x.sub(mean).div(var.add(eps).sqrt()).mul(weight.reshape(stat)).add(bias.reshape(stat));
    }

    /** The scale γ, shape (C). */
    public Tensor weight() {
        return weight;
    }

    /** The running mean, shape (C). */
    public Tensor runningMean() {
        return runningMean;
    }

    /** The running (unbiased) variance, shape (C). */
    public Tensor runningVar() {
        return runningVar;
    }

    @Override
    public String toString() {
        return layer + "(" + weight.size(0) + ", eps=" + eps + ", momentum=" + momentum + ")";
    }
}
