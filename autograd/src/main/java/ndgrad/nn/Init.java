package ndgrad.nn;

import ndgrad.autograd.Autograd;
import ndgrad.autograd.Tensor;
import ndgrad.core.Rng;
import ndgrad.core.ShapeException;

/**
 * Seeded parameter initializers, in place, following {@code torch.nn.init}. Fans are PyTorch's: for a weight of
 * shape (out, in, …), fan_in = in·receptive and fan_out = out·receptive.
 *
 * <p>Usage: {@code Init.kaimingNormal(fc.weight(), rng);}
 */
public final class Init {
    private Init() {
    }

    /** Fills with zeros. */
    public static Tensor zeros(Tensor t) {
        return fill(t, Tensor.zerosLike(t));
    }

    /** Samples N(mean, std²). */
    public static Tensor normal(Tensor t, Rng rng, double mean, double std) {
        return fill(t, Tensor.of(rng.normal(t.dtype(), t.shape())).mul(std).add(mean));
    }

    /** Samples U(low, high). */
    public static Tensor uniform(Tensor t, Rng rng, double low, double high) {
        return fill(t, Tensor.of(rng.uniform(t.dtype(), low, high, t.shape())));
    }

    /** Xavier/Glorot uniform: U(-a, a), a = gain·√(6 / (fan_in + fan_out)) (Glorot &amp; Bengio 2010). */
    public static Tensor xavierUniform(Tensor t, Rng rng, double gain) {
        double a = gain * Math.sqrt(6.0 / (fanIn(t) + fanOut(t)));
        return uniform(t, rng, -a, a);
    }

    /** Xavier/Glorot normal: N(0, std²), std = gain·√(2 / (fan_in + fan_out)). */
    public static Tensor xavierNormal(Tensor t, Rng rng, double gain) {
        return normal(t, rng, 0, gain * Math.sqrt(2.0 / (fanIn(t) + fanOut(t))));
    }

    /**
     * Kaiming/He uniform for a leaky-ReLU slope {@code a} (0 for ReLU): U(-b, b), b = gain·√(3 / fan_in),
     * gain = √(2 / (1 + a²)) (He et al. 2015).
     */
    public static Tensor kaimingUniform(Tensor t, Rng rng, double a) {
        double bound = Math.sqrt(2.0 / (1 + a * a)) * Math.sqrt(3.0 / fanIn(t));
        return uniform(t, rng, -bound, bound);
    }

    /** Kaiming/He normal for ReLU: N(0, 2 / fan_in). */
    public static Tensor kaimingNormal(Tensor t, Rng rng) {
        return normal(t, rng, 0, Math.sqrt(2.0 / fanIn(t)));
    }

    /** fan_in of a weight of shape (out, in, receptive…). */
    public static long fanIn(Tensor t) {
        requireMatrix(t);
        return t.numel() / t.size(0);
    }

    /** fan_out of a weight of shape (out, in, receptive…). */
    public static long fanOut(Tensor t) {
        requireMatrix(t);
        return t.numel() / t.size(1);
    }

    private static void requireMatrix(Tensor t) {
        if (t.dim() < 2) {
            throw new ShapeException("Init: fan in and fan out need a tensor of rank 2 or more, got shape "
                    + t.shapeString());
        }
    }

    private static Tensor fill(Tensor t, Tensor values) {
        try (Autograd.GradMode off = Autograd.noGrad()) {
            return t.copyFrom(values);
        }
    }
}
