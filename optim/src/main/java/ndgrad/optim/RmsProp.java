package ndgrad.optim;

import java.util.List;
import ndgrad.autograd.Tensor;
import ndgrad.core.Kernels;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * RMSprop, exactly as {@code torch.optim.RMSprop} (Hinton, lecture 6e; centered form from Graves 2013): with
 * g = ∇p + λp,
 * <pre>
 * v ← α v + (1 - α) g²
 * ḡ ← lerp(ḡ, g, 1 - α);  d ← √(v - ḡ²) + ε      (centered)      d ← √v + ε   (otherwise)
 * b ← μ b + g / d;  p ← p - lr b                  (μ &gt; 0)        p ← p - lr g / d
 * </pre>
 *
 * <p>Usage: {@code new RmsProp(params, RmsProp.options().lr(1e-3).centered(true))}
 */
public final class RmsProp extends Optimizer<RmsProp.Options> {
    /** lr, alpha, eps, weightDecay, momentum, centered. */
    public record Options(double lr, double alpha, double eps, double weightDecay, double momentum,
            boolean centered) implements Optimizer.Options<Options> {
        /** Checks the values as PyTorch does. */
        public Options {
            require(lr >= 0 && Double.isFinite(lr), "RmsProp", "learning rate", lr);
            require(alpha >= 0, "RmsProp", "alpha value", alpha);
            require(eps >= 0, "RmsProp", "epsilon value", eps);
            require(weightDecay >= 0, "RmsProp", "weight_decay value", weightDecay);
            require(momentum >= 0, "RmsProp", "momentum value", momentum);
        }

        @Override
        public Options withLr(double value) {
            return new Options(value, alpha, eps, weightDecay, momentum, centered);
        }

        /** A copy with this learning rate. */
        public Options lr(double value) {
            return withLr(value);
        }

        /** A copy with smoothing constant α. */
        public Options alpha(double value) {
            return new Options(lr, value, eps, weightDecay, momentum, centered);
        }

        /** A copy with ε. */
        public Options eps(double value) {
            return new Options(lr, alpha, value, weightDecay, momentum, centered);
        }

        /** A copy with L2 weight decay λ. */
        public Options weightDecay(double value) {
            return new Options(lr, alpha, eps, value, momentum, centered);
        }

        /** A copy with momentum μ. */
        public Options momentum(double value) {
            return new Options(lr, alpha, eps, weightDecay, value, centered);
        }

        /** A copy, centered or not. */
        public Options centered(boolean value) {
            return new Options(lr, alpha, eps, weightDecay, momentum, value);
        }
    }

    /** PyTorch's defaults: lr 0.01, alpha 0.99, eps 1e-8, no weight decay, no momentum, not centered. */
    public static Options options() {
        return new Options(0.01, 0.99, 1e-8, 0, 0, false);
    }

    /** One group of parameters. */
    public RmsProp(List<Tensor> params, Options options) {
        this(List.of(new Group<>(params, options)));
    }

    /** Several groups, each with its options. */
    public RmsProp(List<Group<Options>> groups) {
        super(groups);
    }

    @Override
    protected void update(INDArray p, INDArray grad, Options o, State s) {
        INDArray g = decayed(grad, p, o.weightDecay());
        INDArray v = s.buffer("square_avg", p, 0);
        decay(v, o.alpha(), 1 - o.alpha(), mul(g, g));
        INDArray second = v;
        if (o.centered()) {
            INDArray mean = s.buffer("grad_avg", p, 0);
            lerp(mean, g, 1 - o.alpha());
            second = Kernels.copy(v);
            Kernels.axpy(-1, mul(mean, mean), second);
        }
        INDArray avg = denominator(second, 1, o.eps());
        if (o.momentum() > 0) {
            INDArray buf = s.buffer("momentum_buffer", p, 0);
            Kernels.scale(buf, o.momentum());
            Kernels.axpy(1, Kernels.binary(Kernels.Binary.DIV, g, avg), buf);
            Kernels.axpy(-o.lr(), buf, p);
        } else {
            addDivided(p, o.lr(), g, avg);
        }
    }
}
