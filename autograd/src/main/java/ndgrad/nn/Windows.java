package ndgrad.nn;

import ndgrad.autograd.Tensor;
import ndgrad.core.ShapeException;
import ndgrad.core.Shapes;
import ndgrad.core.kernels.Pooling;
import ndgrad.core.kernels.Unfold;

/**
 * The sliding windows of convolution and pooling over (N, C, H, W) input: its geometry checked with the layer's
 * name, and the columns (C·kh·kw, N·oh·ow) from {@link Tensor#unfold}. Output sizes follow PyTorch:
 * ⌊(H + 2p - d(k - 1) - 1) / s⌋ + 1.
 */
final class Windows {
    final Unfold.Geometry geometry;
    final int oh;
    final int ow;

    Windows(String layer, long[] shape, int[] kernel, int[] stride, int[] padding, int[] dilation) {
        if (shape.length != 4) {
            throw new ShapeException(layer + ": expected input of shape (N, C, H, W), got " + Shapes.str(shape));
        }
        for (int axis = 0; axis < 2; axis++) {
            long span = (long) dilation[axis] * (kernel[axis] - 1) + 1;
            long padded = shape[2 + axis] + 2L * padding[axis];
            if (span > padded) {
                throw new ShapeException(layer + ": the kernel spans " + span + " (kernel " + kernel[axis]
                        + ", dilation " + dilation[axis] + ") but the padded input is only " + padded + " along "
                        + (axis == 0 ? "H" : "W") + " (input " + shape[2 + axis] + ", padding " + padding[axis]
                        + "); use a smaller kernel or more padding");
            }
        }
        geometry = new Unfold.Geometry(shape[0], (int) shape[1], (int) shape[2], (int) shape[3], kernel[0],
                kernel[1], stride[0], stride[1], padding[0], padding[1], dilation[0], dilation[1]);
        oh = geometry.oh();
        ow = geometry.ow();
    }

    /** The columns of x, (C·kh·kw, N·oh·ow), padding filled with {@code fill}. */
    Tensor columns(Tensor x, double fill) {
        return x.unfold(geometry, fill);
    }

    /** Pooling: {@code reduce} applied to the windows of x seen as (C, kh·kw, N·oh·ow) along dim 1. */
    Tensor pool(Tensor x, double fill, java.util.function.UnaryOperator<Tensor> reduce) {
        long c = geometry.c();
        Tensor cols = columns(x, fill).reshape(c, (long) geometry.kh() * geometry.kw(), geometry.n() * oh * ow);
        return toBatchFirst(reduce.apply(cols), c);
    }

    /** A result (channels, N·oh·ow), channel first, as (N, channels, oh, ow). */
    Tensor toBatchFirst(Tensor y, long channels) {
        long n = geometry.n();
        return y.reshape(channels, n, (long) oh * ow).permute(1, 0, 2).contiguous().reshape(n, channels, oh, ow);
    }
}
