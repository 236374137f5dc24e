package ndgrad.nn;

import ndgrad.autograd.Tensor;
import ndgrad.core.ShapeException;

/**
 * Loss functions composed from tensor ops, with PyTorch's definitions and reductions ({@code torch.nn.functional}).
 *
 * <p>Usage: {@code Tensor loss = Losses.crossEntropy(model.forward(x), labels);}
 */
public final class Losses {
    private Losses() {
    }

    /** How per-element losses are combined: their mean, their sum, or none (the per-element tensor). */
    public enum Reduction { MEAN, SUM, NONE }

    /** Mean squared error (x - y)², as {@code mse_loss}. */
    public static Tensor mse(Tensor input, Tensor target) {
        return mse(input, target, Reduction.MEAN);
    }

    /** Squared error with a reduction. */
    public static Tensor mse(Tensor input, Tensor target, Reduction r) {
        Tensor d = input.sub(sameShape("mse", input, target));
        return reduce(d.mul(d), r);
    }

    /** Absolute error |x - y|, as {@code l1_loss}. */
    public static Tensor l1(Tensor input, Tensor target, Reduction r) {
        return reduce(input.sub(sameShape("l1", input, target)).abs(), r);
    }

    /**
     * Huber loss with threshold δ: ½ d² where |d| &lt; δ, else δ(|d| - ½ δ), as {@code huber_loss}; composed as
     * ½ m² + δ(|d| - m) with m = min(|d|, δ).
     */
    public static Tensor huber(Tensor input, Tensor target, double delta, Reduction r) {
        if (!(delta > 0)) {
            throw new IllegalArgumentException("huber: delta must be positive, got " + delta);
        }
        Tensor a = input.sub(sameShape("huber", input, target)).abs();
        Tensor m = a.clamp(Double.NEGATIVE_INFINITY, delta);
        return reduce(m.mul(m).mul(0.5).add(a.sub(m).mul(delta)), r);
    }

    /**
     * Binary cross-entropy on logits x with targets y in [0, 1]: softplus(x) - x·y, which equals
     * max(x, 0) - x·y + ln(1 + e^-|x|) and never overflows ({@code binary_cross_entropy_with_logits}).
     */
    public static Tensor bceWithLogits(Tensor logits, Tensor target, Reduction r) {
        return reduce(logits.softplus().sub(logits.mul(sameShape("bceWithLogits", logits, target))), r);
    }

    /** Softmax cross-entropy of (N, C) logits against integer class labels, mean over the batch. */
    public static Tensor crossEntropy(Tensor logits, int[] labels) {
        return crossEntropy(logits, labels, Reduction.MEAN);
    }

    /**
     * Softmax cross-entropy -log softmax(x)[label] of (N, C) logits against integer labels in [0, C), as
     * {@code cross_entropy}; computed by the fused, stable {@link Tensor#crossEntropy(int[])}.
     */
    public static Tensor crossEntropy(Tensor logits, int[] labels, Reduction r) {
        return reduce(logits.crossEntropy(labels), r);
    }

    private static Tensor sameShape(String op, Tensor input, Tensor target) {
        if (!java.util.Arrays.equals(input.shape(), target.shape())) {
            throw new ShapeException(op + ": input shape " + input.shapeString() + " and target shape "
                    + target.shapeString() + " differ");
        }
        return target;
    }

    private static Tensor reduce(Tensor t, Reduction r) {
        return switch (r) {
            case MEAN -> t.mean();
            case SUM -> t.sum();
            case NONE -> t;
        };
    }
}
