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

    /** A k×k convolution with stride 1, no padding, bias, its weights from {@link Rng#global()}. */
    public Conv2d(int in, int out, int kernel) {
        this(in, out, kernel, Rng.global());
    }

    /** A k×k convolution with stride 1, no padding, bias. */
    public Conv2d(int in, int out, int kernel, Rng rng) {
        this(in, out, kernel, 1, 0, 1, 1, true, rng);
    }

    /** With stride, padding, dilation, groups and bias, its weights from {@link Rng#global()}. */
    public Conv2d(int in, int out, int kernel, int stride, int padding, int dilation, int groups, boolean bias) {
        this(in, out, kernel, stride, padding, dilation, groups, bias, Rng.global());
    }

    /** A k×k convolution with the given stride, padding, dilation, groups and bias. */
    public Conv2d(int in, int out, int kernel, int stride, int padding, int dilation, int groups, boolean bias,
            Rng rng) {
        this(in, out, new int[] {kernel}, new int[] {stride}, new int[] {padding}, new int[] {dilation}, groups, bias,
                rng);
    }

    /** With each size one int or a pair (height, width), as PyTorch takes them. */
    public Conv2d(int in, int out, int[] kernel, int[] stride, int[] padding, int[] dilation, int groups,
            boolean bias, Rng rng) {
        this.stride = Layers.pair("Conv2d", "stride", stride);
        this.padding = Layers.pair("Conv2d", "padding", padding);
        this.dilation = Layers.pair("Conv2d", "dilation", dilation);
        int[] k = Layers.pair("Conv2d", "kernel_size", kernel);
        Layers.checkConv("Conv2d", in, out, k, this.stride, this.padding, this.dilation, groups);
        double bound = 1 / Math.sqrt((double) in / groups * k[0] * k[1]);
        this.weight = param("weight", Tensor.uniform(rng, -bound, bound, out, in / groups, k[0], k[1]));
        this.bias = bias ? param("bias", Tensor.uniform(rng, -bound, bound, out)) : null;
        this.groups = groups;
    }

    @Override
    public Tensor forward(Tensor x) {
        return Convolution.conv2d("Conv2d", x, weight, bias, stride, padding, dilation, groups);
    }

    /** The weight, shape (out, in/groups, kh, kw). */
    public Tensor weight() {
        return weight;
    }

    /** The bias, shape (out), or null. */
    public Tensor bias() {
        return bias;
    }

    @Override
    public String toString() {
        int[] k = {(int) weight.size(2), (int) weight.size(3)};
        return "Conv2d(" + weight.size(1) * groups + ", " + weight.size(0) + ", kernel=" + Layers.str(k) + ", stride="
                + Layers.str(stride) + ", padding=" + Layers.str(padding) + (dilation[0] != 1 || dilation[1] != 1
                ? ", dilation=" + Layers.str(dilation) : "") + (groups != 1 ? ", groups=" + groups : "")
                + (bias == null ? ", bias=false" : "") + ")";
    }
}
