package ndgrad.nn;

import ndgrad.autograd.Tensor;
import ndgrad.core.NdArrays;
import ndgrad.core.ShapeException;
import ndgrad.core.Shapes;
import ndgrad.core.kernels.Unfold;
import org.nd4j.linalg.api.buffer.DataType;

/**
 * The sliding windows of convolution and pooling over (N, C, H, W) input: its geometry checked with the layer's
 * name, and the columns (C·kh·kw, N·oh·ow) from {@link Tensor#unfold}. Output sizes follow PyTorch
 * ({@code pooling_output_shape}): ⌊(H + 2p - d(k - 1) - 1) / s⌋ + 1, or with {@code ceilMode} rounded up, less one
 * if the last window would start past the input and its left padding. The windows that ceil mode adds read past the
 * bottom and right edges; {@link #extend} pads the input there.
 */
final class Windows {
    final Unfold.Geometry geometry;
    final int oh;
    final int ow;
    private final long[] shape;
    private final int[] kernel;
    private final int[] stride;
    private final int[] padding;
    /** The rows and columns that ceil mode's last windows read past the bottom and right padding. */
    private final int[] extra = new int[2];

    Windows(String layer, long[] shape, int[] kernel, int[] stride, int[] padding, int[] dilation) {
        this(layer, shape, kernel, stride, padding, dilation, false);
    }

    Windows(String layer, long[] shape, int[] kernel, int[] stride, int[] padding, int[] dilation,
            boolean ceilMode) {
        if (shape.length != 4) {
            throw new ShapeException(layer + ": expected input of shape (N, C, H, W), got " + Shapes.str(shape));
        }
        for (int axis = 0; axis < 2; axis++) {
            long span = (long) dilation[axis] * (kernel[axis] - 1) + 1;
            long in = shape[2 + axis];
            long padded = in + 2L * padding[axis];
            if (span > padded) {
                throw new ShapeException(layer + ": the kernel spans " + span + " (kernel " + kernel[axis]
                        + ", dilation " + dilation[axis] + ") but the padded input is only " + padded + " along "
                        + (axis == 0 ? "H" : "W") + " (input " + in + ", padding " + padding[axis]
                        + "); use a smaller kernel or more padding");
            }
            if (ceilMode) {
                long out = Math.floorDiv(padded - span + stride[axis] - 1, stride[axis]) + 1;
                if ((out - 1) * stride[axis] >= in + padding[axis]) {
                    out--;
                }
                extra[axis] = (int) Math.max(0, (out - 1) * stride[axis] + span - padded);
            }
        }
        this.shape = shape.clone();
        this.kernel = kernel.clone();
        this.stride = stride.clone();
        this.padding = padding.clone();
        geometry = new Unfold.Geometry(shape[0], (int) shape[1], (int) shape[2] + extra[0],
                (int) shape[3] + extra[1], kernel[0], kernel[1], stride[0], stride[1], padding[0], padding[1],
                dilation[0], dilation[1]);
        oh = geometry.oh();
        ow = geometry.ow();
    }

    /** x with the rows and columns that ceil mode reads past its edges, filled with {@code fill}; else x itself. */
    Tensor extend(Tensor x, double fill) {
        if (extra[0] == 0 && extra[1] == 0) {
            return x;
        }
        Tensor y = extra[0] == 0 ? x : x.pad(2, 0, extra[0]);
        y = extra[1] == 0 ? y : y.pad(3, 0, extra[1]);
        if (fill == 0) {
            return y;
        }
        int h = geometry.h();
        int w = geometry.w();
        double[] edge = new double[h * w];
        for (int i = 0; i < h; i++) {
            for (int j = 0; j < w; j++) {
                edge[i * w + j] = i >= shape[2] || j >= shape[3] ? fill : 0;
            }
        }
        return y.add(Tensor.of(NdArrays.create(edge, new long[] {h, w}, x.dtype())));
    }

    /** The columns of x, (C·kh·kw, N·oh·ow), padding filled with {@code fill}. */
    Tensor columns(Tensor x, double fill) {
        return extend(x, fill).unfold(geometry, fill);
    }

    /** Pooling: {@code reduce} applied to the windows of x seen as (C, kh·kw, N·oh·ow) along dim 1. */
    Tensor pool(Tensor x, double fill, java.util.function.UnaryOperator<Tensor> reduce) {
        long c = geometry.c();
        Tensor cols = columns(x, fill).reshape(c, (long) geometry.kh() * geometry.kw(), geometry.n() * oh * ow);
        return toBatchFirst(reduce.apply(cols), c);
    }

    /**
     * Average pooling's divisor per output position (oh, ow), as PyTorch's {@code avg_pool2d}: the window clipped
     * to the padded input, or, without {@code countIncludePad}, to the input.
     */
    Tensor divisor(boolean countIncludePad, DataType type) {
        double[] d = new double[oh * ow];
        for (int i = 0; i < oh; i++) {
            for (int j = 0; j < ow; j++) {
                d[i * ow + j] = extent(0, i, countIncludePad) * extent(1, j, countIncludePad);
            }
        }
        return Tensor.of(NdArrays.create(d, new long[] {oh, ow}, type));
    }

    private long extent(int axis, int o, boolean countIncludePad) {
        long start = (long) o * stride[axis] - padding[axis];
        long end = Math.min(start + kernel[axis], shape[2 + axis] + padding[axis]);
        return countIncludePad ? end - start : Math.min(end, shape[2 + axis]) - Math.max(start, 0);
    }

    /**
     * PyTorch's max-pooling indices: for each window's position {@code local} (ky·kw + kx, as the columns order it,
     * a tensor (C, N·oh·ow)), the flat index h·W + w of that element in its (H, W) plane, int64 (N, C, oh, ow).
     */
    Tensor planeIndices(Tensor local) {
        long c = geometry.c();
        long n = geometry.n();
        double[] at = local.toDoubleArray();
        double[] out = new double[at.length];
        long cols = n * oh * ow;
        for (int ci = 0; ci < c; ci++) {
            for (long col = 0; col < cols; col++) {
                int k = (int) at[(int) (ci * cols + col)];
                long y = (col / ow) % oh;
                long x = col % ow;
                long h = y * stride[0] - padding[0] + (long) (k / kernel[1]) * geometry.dh();
                long w = x * stride[1] - padding[1] + (long) (k % kernel[1]) * geometry.dw();
                long nIndex = col / ((long) oh * ow);
                out[(int) (((nIndex * c + ci) * oh + y) * ow + x)] = h * shape[3] + w;
            }
        }
        return Tensor.of(NdArrays.create(out, new long[] {n, c, oh, ow}, DataType.LONG));
    }

    /** A result (channels, N·oh·ow), channel first, as (N, channels, oh, ow). */
    Tensor toBatchFirst(Tensor y, long channels) {
        long n = geometry.n();
        return y.reshape(channels, n, (long) oh * ow).permute(1, 0, 2).contiguous().reshape(n, channels, oh, ow);
    }
}
