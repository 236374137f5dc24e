package ndgrad.nn;

import java.util.Arrays;
import ndgrad.autograd.Tensor;
import ndgrad.core.ShapeException;

/**
 * Layer normalization over the trailing dimensions, as {@code torch.nn.LayerNorm} (Ba, Kiros &amp; Hinton 2016):
 * y = (x - mean) / √(var + eps) · weight + bias, mean and biased variance over the last {@code shape.length} dims;
 * weight and bias have that shape (none with {@code elementwiseAffine} false). The arguments come in PyTorch's
 * order, {@code (normalized_shape, eps, elementwise_affine)}: {@code new LayerNorm(6, 1e-3)} is eps 1e-3.
 *
 * <p>Usage: {@code LayerNorm ln = new LayerNorm(64); Tensor y = ln.forward(h); // h: (..., 64)}
 */
public final class LayerNorm extends Layer {
    private final long[] shape;
    private final double eps;
    private final Tensor weight;
    private final Tensor bias;

    /** Normalizing over the last dimension, of size {@code normalizedShape}; eps 1e-5, with weight and bias. */
    public LayerNorm(long normalizedShape) {
        this(new long[] {normalizedShape}, 1e-5, true);
    }

    /** Over the last dimension, with this eps (PyTorch's {@code LayerNorm(n, eps)}). */
    public LayerNorm(long normalizedShape, double eps) {
        this(new long[] {normalizedShape}, eps, true);
    }

    /** Over the trailing dimensions of this shape; eps 1e-5, with weight and bias. */
    public LayerNorm(long[] normalizedShape) {
        this(normalizedShape, 1e-5, true);
    }

    /** PyTorch's {@code LayerNorm(normalized_shape, eps, elementwise_affine)}. */
    public LayerNorm(long[] normalizedShape, double eps, boolean elementwiseAffine) {
        if (normalizedShape.length == 0 || Arrays.stream(normalizedShape).anyMatch(s -> s < 1) || !(eps > 0)) {
            throw new IllegalArgumentException("LayerNorm: expected a non-empty positive shape and eps > 0, got "
                    + Arrays.toString(normalizedShape) + ", eps=" + eps);
        }
        this.shape = normalizedShape.clone();
        this.eps = eps;
        this.weight = elementwiseAffine ? param("weight", Tensor.ones(shape)) : null;
        this.bias = elementwiseAffine ? param("bias", Tensor.zeros(shape)) : null;
    }

    @Override
    public Tensor forward(Tensor x) {
        if (weight != null) {
            Layers.checkDtype("LayerNorm", x, weight);
        }
        long[] s = x.shape();
        if (s.length < shape.length || !Arrays.equals(Arrays.copyOfRange(s, s.length - shape.length, s.length),
                shape)) {
            throw new ShapeException("LayerNorm: expected input ending in " + Arrays.toString(shape) + ", got "
                    + x.shapeString());
        }
        int[] axes = java.util.stream.IntStream.range(s.length - shape.length, s.length).toArray();
        Tensor mean = x.mean(true, axes);
        Tensor var = x.var(0, true, axes);
        Tensor normalized = x.sub(mean).div(var.add(eps).sqrt());
        return weight == null ? normalized : normalized.mul(weight).add(bias);
    }

    @Override
    public String toString() {
        return "LayerNorm(" + Arrays.toString(shape) + ", eps=" + eps + (weight == null ? ", elementwiseAffine=false"
                : "") + ")";
    }
}
