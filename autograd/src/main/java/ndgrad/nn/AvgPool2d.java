package ndgrad.nn;

import ndgrad.autograd.Tensor;

/**
 * Average pooling over (N, C, H, W), as {@code torch.nn.AvgPool2d}: each window's sum divided by its size, which
 * with {@code countIncludePad} (PyTorch's default) counts the zero padding and without it only the input; windows
 * that {@code ceilMode} adds count only up to the padding's edge, as PyTorch's. Stride defaults to the kernel size;
 * sizes are one int or a pair (height, width).
 *
 * <p>Usage: {@code Tensor y = new AvgPool2d(2).forward(x);}
 */
public final class AvgPool2d extends Layer {
    private final int[] kernel;
    private final int[] stride;
    private final int[] padding;
    private final boolean ceilMode;
    private final boolean countIncludePad;

    /** k×k windows with stride k. */
    public AvgPool2d(int kernel) {
        this(kernel, kernel, 0);
    }

    /** k×k windows with the given stride and zero padding (at most half the kernel). */
    public AvgPool2d(int kernel, int stride, int padding) {
        this(new int[] {kernel}, new int[] {stride}, new int[] {padding}, false, true);
    }

    /** With PyTorch's options in its order (divisor_override aside), each size one int or a pair (height, width). */
    public AvgPool2d(int[] kernel, int[] stride, int[] padding, boolean ceilMode, boolean countIncludePad) {
        this.kernel = Layers.pair("AvgPool2d", "kernel_size", kernel);
        this.stride = Layers.pair("AvgPool2d", "stride", stride);
        this.padding = Layers.pair("AvgPool2d", "padding", padding);
        this.ceilMode = ceilMode;
        this.countIncludePad = countIncludePad;
        Layers.checkPool("AvgPool2d", this.kernel, this.stride, this.padding, new int[] {1, 1});
    }

    @Override
    public Tensor forward(Tensor x) {
        Windows w = new Windows("AvgPool2d", x.shape(), kernel, stride, padding, new int[] {1, 1}, ceilMode);
        return w.pool(x, 0, cols -> cols.sum(1)).div(w.divisor(countIncludePad, x.dtype()));
    }

    @Override
    public String toString() {
        return "AvgPool2d(kernel=" + Layers.str(kernel) + ", stride=" + Layers.str(stride) + ", padding="
                + Layers.str(padding) + (ceilMode ? ", ceil_mode=true" : "")
                + (countIncludePad ? "" : ", count_include_pad=false") + ")";
    }
}
