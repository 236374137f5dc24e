package ndgrad.nn;

import ndgrad.autograd.Tensor;
import ndgrad.core.DTypes;
import ndgrad.core.Restore;
import ndgrad.core.Rng;

/**
 * In training, zeros each element with probability p and scales the rest by 1/(1-p) (inverted dropout, as
 * {@code torch.nn.Dropout}; Srivastava et al. 2014); in evaluation, the identity.
 *
 * <p>Usage: {@code new Sequential(new Linear(784, 128, rng), Activation.relu(), new Dropout(0.2, rng),
 * new Linear(128, 10, rng))}
 */
public final class Dropout extends Layer {
    private final double p;
    private final Rng rng;

    /** Drops with probability p, drawing from {@link Rng#global()}. */
    public Dropout(double p) {
        this(p, Rng.global());
    }

    /** @param p the drop probability, in [0, 1) */
    public Dropout(double p, Rng rng) {
        if (!(p >= 0 && p < 1)) {
            throw new IllegalArgumentException("Dropout: p must be in [0, 1), got " + p);
        }
        this.p = p;
        this.rng = rng;
    }

    @Override
    public Tensor forward(Tensor x) {
        if (!isTraining() || p == 0) {
            return x;
        }
        try (Restore type = DTypes.use(x.dtype())) {
            return x.mul(Tensor.bernoulli(rng, 1 - p, 1 / (1 - p), x.shape()));
        }
    }

    @Override
    public String toString() {
        return "Dropout(" + p + ")";
    }
}
