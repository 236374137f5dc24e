package ndgrad.nn;

import ndgrad.autograd.Tensor;
import ndgrad.core.ShapeException;

/**
 * Convolution as PyTorch's {@code F.conv2d} (cross-correlation, zero padding, groups), composed: the windows of the
 * input as columns (C·kh·kw, N·oh·ow) (im2col, {@link Windows}), then one product with the weight per group for the
 * whole batch (one BLAS gemm), the result's (O, N) turned back to (N, O).
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
        long n = x.size(0);
        long og = ws[0] / groups;
        long k = ws[1] * ws[2] * ws[3];
        Tensor cols = w.columns(x, 0);
        Tensor[] outs = new Tensor[groups];
        for (int g = 0; g < groups; g++) {
            Tensor colsG = groups == 1 ? cols : cols.slice(0, g * k, (g + 1) * k);
            Tensor wG = groups == 1 ? weight : weight.slice(0, g * og, (g + 1) * og);
            outs[g] = wG.reshape(og, k).matmul(colsG);
        }
        Tensor out = groups == 1 ? outs[0] : Tensor.concat(0, outs);
        if (bias != null) {
            out = out.add(bias.reshape(ws[0], 1));
        }
        return w.toBatchFirst(out, ws[0]);
    }
}
