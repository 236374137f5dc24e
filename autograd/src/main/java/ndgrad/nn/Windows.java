package ndgrad.nn;

import ndgrad.autograd.Tensor;
import ndgrad.core.NdArrays;
import ndgrad.core.ShapeException;
import org.nd4j.linalg.api.buffer.DataType;

/**
 * The sliding windows of convolution and pooling over (N, C, H, W) input, as a gather (im2col): the padded input,
 * flattened per sample, read at an index of shape (N, C·kh·kw·L) where L = oh·ow windows. Its gradient is the
 * scatter-add back (col2im), and both are differentiable again. Output sizes follow PyTorch:
 * floor((H + 2p - d(k - 1) - 1) / s) + 1.
 */
final class Windows {
    final int channels;
    final int kh;
    final int kw;
    final int oh;
    final int ow;
    private final int[] stride;
    private final int[] padding;
    private final int[] dilation;
    private final long[] inShape;

    Windows(String layer, long[] shape, int[] kernel, int[] stride, int[] padding, int[] dilation) {
        if (shape.length != 4) {
            throw new ShapeException(layer + ": expected input of shape (N, C, H, W), got " + ndgrad.core.Shapes.str(
                    shape));
        }
        this.inShape = shape;
        this.channels = (int) shape[1];
        this.kh = kernel[0];
        this.kw = kernel[1];
        this.stride = stride;
        this.padding = padding;
        this.dilation = dilation;
        this.oh = out(layer, shape[2], 0);
        this.ow = out(layer, shape[3], 1);
    }

    private int out(String layer, long size, int axis) {
        int k = axis == 0 ? kh : kw;
        long span = (long) dilation[axis] * (k - 1) + 1;
        long padded = size + 2L * padding[axis];
        if (span > padded) {
            throw new ShapeException(layer + ": the kernel spans " + span + " (kernel " + k + ", dilation "
                    + dilation[axis] + ") but the padded input is only " + padded + " along " + (axis == 0 ? "H" : "W")
                    + " (input " + size + ", padding " + padding[axis] + "); use a smaller kernel or more padding");
        }
        return (int) ((padded - span) / stride[axis] + 1);
    }

    /** The windows of x, shape (N, C, kh·kw, L), padding filled with {@code fill} (0, or -∞ for max pooling). */
    Tensor columns(Tensor x, double fill) {
        long n = inShape[0];
        int hp = (int) inShape[2] + 2 * padding[0];
        int wp = (int) inShape[3] + 2 * padding[1];
        Tensor padded = x;
        if (padding[0] > 0 || padding[1] > 0) {
            padded = x.pad(2, padding[0], padding[0]).pad(3, padding[1], padding[1]);
            if (fill != 0) {
                padded = padded.add(border(x, hp, wp, fill));
            }
        }
        int per = channels * kh * kw * oh * ow;
        double[] idx = new double[(int) n * per];
        int k = 0;
        for (int c = 0; c < channels; c++) {
            for (int i = 0; i < kh; i++) {
                for (int j = 0; j < kw; j++) {
                    for (int y = 0; y < oh; y++) {
                        for (int z = 0; z < ow; z++) {
                            int row = y * stride[0] + i * dilation[0];
                            int col = z * stride[1] + j * dilation[1];
                            idx[k++] = (double) c * hp * wp + row * wp + col;
                        }
                    }
                }
            }
        }
        for (int s = 1; s < n; s++) {
            System.arraycopy(idx, 0, idx, s * per, per);
        }
        Tensor index = Tensor.of(NdArrays.create(idx, new long[] {n, per}, DataType.LONG));
        return padded.reshape(n, (long) channels * hp * wp).gather(1, index)
                .reshape(n, channels, (long) kh * kw, (long) oh * ow);
    }

    /** A constant of x's dtype, padded shape, {@code fill} on the padding border and 0 inside. */
    private Tensor border(Tensor x, int hp, int wp, double fill) {
        double[] v = new double[channels * hp * wp];
        for (int c = 0; c < channels; c++) {
            for (int r = 0; r < hp; r++) {
                for (int q = 0; q < wp; q++) {
                    boolean inside = r >= padding[0] && r < hp - padding[0] && q >= padding[1] && q < wp - padding[1];
                    v[(c * hp + r) * wp + q] = inside ? 0 : fill;
                }
            }
        }
        return Tensor.of(NdArrays.create(v, new long[] {1, channels, hp, wp}, x.dtype()));
    }
}
