package ndgrad.nn;

import ndgrad.autograd.Tensor;
import ndgrad.core.DTypes;
import ndgrad.core.Rng;
import ndgrad.core.ShapeException;

/**
 * y = x Wᵀ + b, with W of shape (out, in) and b of shape (out), as {@code torch.nn.Linear}. PyTorch's default
 * initialization: W and b uniform in ±1/√in (kaiming_uniform with a = √5 gives exactly this bound).
 *
 * <p>Usage: {@code Linear fc = new Linear(784, 128, rng); Tensor y = fc.forward(x); // x: (batch, 784)}
 */
public final class Linear extends Layer {
    private final Tensor weight;
    private final Tensor bias;

    /** A layer with bias, its weights from {@link Rng#global()}. */
    public Linear(long in, long out) {
        this(in, out, true, Rng.global());
    }

    /** With or without bias, its weights from {@link Rng#global()}. */
    public Linear(long in, long out, boolean bias) {
        this(in, out, bias, Rng.global());
    }

    /** A layer with bias, of the default dtype. */
    public Linear(long in, long out, Rng rng) {
        this(in, out, true, rng);
    }

    /** A layer with or without bias, of the default dtype ({@link DTypes}). */
    public Linear(long in, long out, boolean bias, Rng rng) {
        if (in < 1 || out < 1) {
            throw new IllegalArgumentException("Linear: sizes must be positive, got in=" + in + ", out=" + out);
        }
        double bound = 1 / Math.sqrt(in);
        weight = param("weight", Tensor.uniform(rng, -bound, bound, out, in));
        this.bias = bias ? param("bias", Tensor.uniform(rng, -bound, bound, out)) : null;
    }

    @Override
    public Tensor forward(Tensor x) {
        Layers.checkDtype("Linear", x, weight);
        if (x.dim() < 1 || x.size(-1) != weight.size(1)) {
            throw new ShapeException("Linear: expected input (..., " + weight.size(1) + "), got " + x.shapeString());
        }
        return x.linear(weight, bias);
    }

    /** W, shape (out, in). */
    public Tensor weight() {
        return weight;
    }

    /** b, shape (out), or null without bias. */
    public Tensor bias() {
        return bias;
    }

    @Override
    public String toString() {
        return "Linear(" + weight.size(1) + ", " + weight.size(0) + (bias == null ? ", bias=false" : "") + ")";
    }
}
