package ndgrad.nn;

import ndgrad.autograd.Tensor;
import ndgrad.core.ShapeException;
import ndgrad.core.kernels.Pooling;

/**
 * Average pooling to a fixed output size over (N, C, H, W), as {@code torch.nn.AdaptiveAvgPool2d}: output cell
 * (i, j) averages rows ⌊iH/oh⌋ to ⌈(i+1)H/oh⌉ and the matching columns; (1, 1) is the mean over H and W.
 *
 * <p>Usage: {@code Tensor pooled = new AdaptiveAvgPool2d(1, 1).forward(features); // (N, C, 1, 1)}
 */
public final class AdaptiveAvgPool2d extends Layer {
    private final int oh;
    private final int ow;

    /** Pooling to oh × ow. */
    public AdaptiveAvgPool2d(int oh, int ow) {
        Layers.checkPositive("AdaptiveAvgPool2d", "the output size", oh, ow);
        this.oh = oh;
        this.ow = ow;
    }

    @Override
    public Tensor forward(Tensor x) {
        if (x.dim() != 4) {
            throw new ShapeException("AdaptiveAvgPool2d: expected input (N, C, H, W), got " + x.shapeString());
        }
        long h = x.size(2);
        long w = x.size(3);
        Tensor[] rows = new Tensor[oh];
        for (int i = 0; i < oh; i++) {
            Tensor band = x.slice(2, i * h / oh, ceilDiv((i + 1) * h, oh));
            Tensor[] cells = new Tensor[ow];
            for (int j = 0; j < ow; j++) {
                cells[j] = band.slice(3, j * w / ow, ceilDiv((j + 1) * w, ow)).mean(true, 2, 3);
            }
            rows[i] = ow == 1 ? cells[0] : Tensor.concat(3, cells);
        }
        return oh == 1 ? rows[0] : Tensor.concat(2, rows);
    }

    private static long ceilDiv(long a, long b) {
        return (a + b - 1) / b;
    }

    @Override
    public String toString() {
        return "AdaptiveAvgPool2d(" + oh + ", " + ow + ")";
    }
}
