package ndgrad.nn;

import ndgrad.autograd.Tensor;
import ndgrad.core.Rng;

/**
 * 2-D convolution over (N, C, H, W), as {@code torch.nn.Conv2d}: weight (out, in/groups, kh, kw), bias (out);
 * stride, zero padding, dilation and groups; PyTorch's default initialization, uniform in ±1/√(in/groups·kh·kw)
 * (kaiming_uniform with a = √5), the bias too.
 *
 * <p>Usage: {@code Conv2d conv = new Conv2d(1, 32, 5, rng); Tensor y = conv.forward(images); // (N, 32, 24, 24)}
 */
public final class Conv2d extends Layer {
    private final Tensor weight;
    private final Tensor bias;
    private final int[] stride;
    private final int[] padding;
    private final int[] dilation;
    private final int groups;

    /** A k×k convolution with stride 1, no padding, bias. */
    public Conv2d(int in, int out, int kernel, Rng rng) {
        this(in, out, kernel, 1, 0, 1, 1, true, rng);
    }

    /** A k×k convolution with the given stride, padding, dilation, groups and bias. */
    public Conv2d(int in, int out, int kernel, int stride, int padding, int dilation, int groups, boolean bias,
            Rng rng) {
        Layers.checkConv("Conv2d", in, out, kernel, stride, padding, dilation, groups);
        double bound = 1 / Math.sqrt((double) in / groups * kernel * kernel);
        this.weight = param("weight", Tensor.uniform(rng, -bound, bound, out, in / groups, kernel, kernel));
        this.bias = bias ? param("bias", Tensor.uniform(rng, -bound, bound, out)) : null;
        this.stride = new int[] {stride, stride};
        this.padding = new int[] {padding, padding};
        this.dilation = new int[] {dilation, dilation};
        this.groups = groups;
    }

    @Override
    public Tensor forward(Tensor x) {
        return Convolution.conv2d("Conv2d", x, weight, bias, stride, padding, dilation, groups);
    }

    /** The weight, shape (out, in/groups, k, k). */
    public Tensor weight() {
        return weight;
    }

    /** The bias, shape (out), or null. */
    public Tensor bias() {
        return bias;
    }

    @Override
    public String toString() {
        return "Conv2d(" + weight.size(1) * groups + ", " + weight.size(0) + ", kernel=" + weight.size(2) + ", stride="
                + stride[0] + ", padding=" + padding[0] + (dilation[0] != 1 ? ", dilation=" + dilation[0] : "")
                + (groups != 1 ? ", groups=" + groups : "") + (bias == null ? ", bias=false" : "") + ")";
    }
}
