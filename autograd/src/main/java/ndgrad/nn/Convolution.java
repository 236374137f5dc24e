package ndgrad.nn;

import ndgrad.autograd.Tensor;
import ndgrad.core.ShapeException;

/**
 * Convolution as PyTorch's {@code F.conv2d} (cross-correlation, zero padding, groups): the layer's checks and window
 * geometry ({@link Windows}), then {@link Tensor#conv2d}, one op computed sample by sample.
 */
final class Convolution {
    private Convolution() {
    }

    /**
     * x (N, C, H, W) with weight (O, C/groups, kh, kw) and bias (O) or null; returns (N, O, oh, ow).
     * {@code layer} names the module in errors.
     */
    static Tensor conv2d(String layer, Tensor x, Tensor weight, Tensor bias, int[] stride, int[] padding,
            int[] dilation, int groups) {
        Layers.checkDtype(layer, x, weight);
        long[] ws = weight.shape();
        if (x.dim() != 4 || x.size(1) != ws[1] * groups) {
            throw new ShapeException(layer + ": expected input (N, " + ws[1] * groups + ", H, W), got "
                    + x.shapeString() + "; the layer was made for " + ws[1] * groups + " input channels");
        }
        Windows w = new Windows(layer, x.shape(), new int[] {(int) ws[2], (int) ws[3]}, stride, padding, dilation);
        return x.conv2d(weight, bias, w.geometry, groups);
    }
}
