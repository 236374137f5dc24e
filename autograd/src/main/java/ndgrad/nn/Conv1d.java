package ndgrad.nn;

import ndgrad.autograd.Tensor;
import ndgrad.core.Rng;
import ndgrad.core.ShapeException;

/**
 * 1-D convolution over (N, C, L), as {@code torch.nn.Conv1d}: weight (out, in/groups, k), bias (out); stride, zero
 * padding, dilation and groups; PyTorch's default initialization, uniform in ±1/√(in/groups·k). Computed as a
 * 2-D convolution of height 1.
 *
 * <p>Usage: {@code Conv1d conv = new Conv1d(16, 32, 3, 1, 1, 1, 1, true, rng); Tensor y = conv.forward(seq);}
 */
public final class Conv1d extends Layer {
    private final Tensor weight;
    private final Tensor bias;
    private final int stride;
    private final int padding;
    private final int dilation;
    private final int groups;

    /** A k-wide convolution with stride 1, no padding, bias, its weights from {@link Rng#global()}. */
    public Conv1d(int in, int out, int kernel) {
        this(in, out, kernel, 1, 0, 1, 1, true, Rng.global());
    }

    /** A convolution with the given kernel size, stride, padding, dilation, groups and bias. */
    public Conv1d(int in, int out, int kernel, int stride, int padding, int dilation, int groups, boolean bias,
            Rng rng) {
        Layers.checkConv("Conv1d", in, out, new int[] {kernel}, new int[] {stride}, new int[] {padding},
                new int[] {dilation}, groups);
        double bound = 1 / Math.sqrt((double) in / groups * kernel);
        this.weight = param("weight", Tensor.uniform(rng, -bound, bound, out, in / groups, kernel));
        this.bias = bias ? param("bias", Tensor.uniform(rng, -bound, bound, out)) : null;
        this.stride = stride;
        this.padding = padding;
        this.dilation = dilation;
        this.groups = groups;
    }

    @Override
    public Tensor forward(Tensor x) {
        if (x.dim() != 3) {
            throw new ShapeException("Conv1d: expected input (N, C, L), got " + x.shapeString());
        }
        long[] ws = weight.shape();
        Tensor w = weight.reshape(ws[0], ws[1], 1, ws[2]);
        return Convolution.conv2d("Conv1d", x.unsqueeze(2), w, bias, new int[] {1, stride}, new int[] {0, padding},
                new int[] {1, dilation}, groups).squeeze(2);
    }

    /** The weight, shape (out, in/groups, k). */
    public Tensor weight() {
        return weight;
    }

    @Override
    public String toString() {
        return "Conv1d(" + weight.size(1) * groups + ", " + weight.size(0) + ", kernel=" + weight.size(2) + ", stride="
                + stride + ", padding=" + padding + (dilation != 1 ? ", dilation=" + dilation : "")
                + (groups != 1 ? ", groups=" + groups : "") + (bias == null ? ", bias=false" : "") + ")";
    }
}
