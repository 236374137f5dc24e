package ndgrad.nn;

import java.util.Arrays;
import ndgrad.autograd.Tensor;
import ndgrad.core.ShapeException;

/**
 * Layer normalization over the trailing dimensions, as {@code torch.nn.LayerNorm} (Ba, Kiros &amp; Hinton 2016):
 * y = (x - mean) / √(var + eps) · weight + bias, mean and biased variance over the last {@code shape.length} dims;
 * weight and bias have that shape.
 *
 * <p>Usage: {@code LayerNorm ln = new LayerNorm(64); Tensor y = ln.forward(h); // h: (..., 64)}
 */
public final class LayerNorm extends Layer {
    private final long[] shape;
    private final double eps;
    private final Tensor weight;
    private final Tensor bias;

    /** Normalizing over trailing dims of this shape, eps 1e-5. */
    public LayerNorm(long... shape) {
        this(1e-5, shape);
    }

    /** With eps. */
    public LayerNorm(double eps, long... shape) {
        if (shape.length == 0 || Arrays.stream(shape).anyMatch(s -> s < 1) || !(eps > 0)) {
            throw new IllegalArgumentException("LayerNorm: expected a non-empty positive shape and eps > 0, got "
                    + Arrays.toString(shape) + ", eps=" + eps);
        }
        this.shape = shape.clone();
        this.eps = eps;
        this.weight = param("weight", Tensor.ones(shape));
        this.bias = param("bias", Tensor.zeros(shape));
    }

    @Override
    public Tensor forward(Tensor x) {
        Layers.checkDtype("LayerNorm", x, weight);
        long[] s = x.shape();
        if (s.length < shape.length || !Arrays.equals(Arrays.copyOfRange(s, s.length - shape.length, s.length),
                shape)) {
            throw new ShapeException("LayerNorm: expected input ending in " + Arrays.toString(shape) + ", got "
                    + x.shapeString());
        }
        int[] axes = java.util.stream.IntStream.range(s.length - shape.length, s.length).toArray();
        Tensor mean = x.mean(true, axes);
        Tensor var = x.var(0, true, axes);
        return x.sub(mean).div(var.add(eps).sqrt()).mul(weight).add(bias);
    }

    @Override
    public String toString() {
        return "LayerNorm(" + Arrays.toString(shape) + ", eps=" + eps + ")";
    }
}
