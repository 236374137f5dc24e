package ndgrad.nn;

import ndgrad.autograd.Tensor;

/**
 * Max pooling over (N, C, H, W), as {@code torch.nn.MaxPool2d}: padding counts as -∞, and each window's gradient
 * goes to its (first) maximum, as PyTorch's. Stride defaults to the kernel size.
 *
 * <p>Usage: {@code Tensor y = new MaxPool2d(2).forward(x); // halves H and W}
 */
public final class MaxPool2d extends Layer {
    private final int kernel;
    private final int stride;
    private final int padding;

    /** k×k windows with stride k. */
    public MaxPool2d(int kernel) {
        this(kernel, kernel, 0);
    }

    /** k×k windows with the given stride and padding (at most half the kernel, as PyTorch requires). */
    public MaxPool2d(int kernel, int stride, int padding) {
        Layers.checkPool("MaxPool2d", kernel, stride, padding);
        this.kernel = kernel;
        this.stride = stride;
        this.padding = padding;
    }

    @Override
    public Tensor forward(Tensor x) {
        Windows w = new Windows("MaxPool2d", x.shape(), new int[] {kernel, kernel}, new int[] {stride, stride},
                new int[] {padding, padding}, new int[] {1, 1});
        return x.maxPool2d(w.geometry);
    }

    @Override
    public String toString() {
        return "MaxPool2d(kernel=" + kernel + ", stride=" + stride + ", padding=" + padding + ")";
    }
}
