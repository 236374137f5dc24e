package ndgrad.nn;

import ndgrad.autograd.Tensor;

/**
 * Average pooling over (N, C, H, W), as {@code torch.nn.AvgPool2d} with {@code count_include_pad=True}: each window's
 * sum divided by k². Stride defaults to the kernel size.
 *
 * <p>Usage: {@code Tensor y = new AvgPool2d(2).forward(x);}
 */
public final class AvgPool2d extends Layer {
    private final int kernel;
    private final int stride;
    private final int padding;

    /** k×k windows with stride k. */
    public AvgPool2d(int kernel) {
        this(kernel, kernel, 0);
    }

    /** k×k windows with the given stride and zero padding (at most half the kernel). */
    public AvgPool2d(int kernel, int stride, int padding) {
        Layers.checkPool("AvgPool2d", kernel, stride, padding);
        this.kernel = kernel;
        this.stride = stride;
        this.padding = padding;
    }

    @Override
    public Tensor forward(Tensor x) {
        Windows w = new Windows("AvgPool2d", x.shape(), new int[] {kernel, kernel}, new int[] {stride, stride},
                new int[] {padding, padding}, new int[] {1, 1});
        return w.pool(x, 0, cols -> cols.mean(1));
    }

    @Override
    public String toString() {
        return "AvgPool2d(kernel=" + kernel + ", stride=" + stride + ", padding=" + padding + ")";
    }
}
