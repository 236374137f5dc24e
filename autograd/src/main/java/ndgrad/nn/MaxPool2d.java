package ndgrad.nn;

import ndgrad.autograd.Tensor;

/**
 * Max pooling over (N, C, H, W), as {@code torch.nn.MaxPool2d}: padding counts as -∞, and each window's gradient
 * goes to its (first) maximum, as PyTorch's. Stride defaults to the kernel size; sizes are one int or a pair
 * (height, width); {@code ceilMode} rounds the output size up as PyTorch's {@code ceil_mode}. PyTorch's
 * {@code return_indices=True} is {@link #forwardWithIndices}.
 *
 * <p>Usage: {@code Tensor y = new MaxPool2d(2).forward(x); // halves H and W}
 */
public final class MaxPool2d extends Layer {
    private final int[] kernel;
    private final int[] stride;
    private final int[] padding;
    private final int[] dilation;
    private final boolean ceilMode;

    /** k×k windows with stride k. */
    public MaxPool2d(int kernel) {
        this(kernel, kernel, 0);
    }

    /** k×k windows with the given stride and padding (at most half the kernel, as PyTorch requires). */
    public MaxPool2d(int kernel, int stride, int padding) {
        this(new int[] {kernel}, new int[] {stride}, new int[] {padding}, new int[] {1}, false);
    }

    /**
     * With all of PyTorch's options in its order (return_indices aside), each size one int or a pair (height,
     * width).
     */
    public MaxPool2d(int[] kernel, int[] stride, int[] padding, int[] dilation, boolean ceilMode) {
        this.kernel = Layers.pair("MaxPool2d", "kernel_size", kernel);
        this.stride = Layers.pair("MaxPool2d", "stride", stride);
        this.padding = Layers.pair("MaxPool2d", "padding", padding);
        this.dilation = Layers.pair("MaxPool2d", "dilation", dilation);
        this.ceilMode = ceilMode;
        Layers.checkPool("MaxPool2d", this.kernel, this.stride, this.padding, this.dilation);
    }

    @Override
    public Tensor forward(Tensor x) {
        Windows w = windows(x);
        return w.extend(x, Double.NEGATIVE_INFINITY).maxPool2d(w.geometry);
    }

    /**
     * The pooled values and, as int64 (N, C, oh, ow), the index h·W + w of each maximum in its (H, W) plane, as
     * PyTorch's {@code return_indices=True} gives them (the first maximum of a window when several are equal).
     */
    public Tensor.ValuesIndices forwardWithIndices(Tensor x) {
        Windows w = windows(x);
        long c = w.geometry.c();
        Tensor.ValuesIndices max = w.columns(x, Double.NEGATIVE_INFINITY).reshape(c, (long) kernel[0] * kernel[1],
                w.geometry.n() * w.oh * w.ow).max(1);
        return new Tensor.ValuesIndices(w.toBatchFirst(max.values(), c), w.planeIndices(max.indices()));
    }

    private Windows windows(Tensor x) {
        return new Windows("MaxPool2d", x.shape(), kernel, stride, padding, dilation, ceilMode);
    }

    @Override
    public String toString() {
        return "MaxPool2d(kernel=" + Layers.str(kernel) + ", stride=" + Layers.str(stride) + ", padding="
                + Layers.str(padding) + (dilation[0] != 1 || dilation[1] != 1 ? ", dilation=" + Layers.str(dilation)
                : "") + (ceilMode ? ", ceil_mode=true" : "") + ")";
    }
}
