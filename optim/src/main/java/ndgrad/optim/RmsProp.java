package ndgrad.optim;

import java.util.List;
import ndgrad.autograd.Tensor;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.ops.transforms.Transforms;

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
        INDArray g = o.weightDecay() == 0 ? grad : tmp(grad.add(tmp(p.mul(o.weightDecay()))));
        INDArray v = s.buffer("square_avg", tmp(p.ulike().assign(0)));
        v.muli(o.alpha()).addi(tmp(tmp(g.mul(g)).muli(1 - o.alpha())));
        INDArray avg;
        if (o.centered()) {
            INDArray mean = s.buffer("grad_avg", tmp(p.ulike().assign(0)));
            lerp(mean, g, 1 - o.alpha());
            avg = tmp(Transforms.sqrt(tmp(v.sub(tmp(mean.mul(mean)))), false));
        } else {
            avg = tmp(Transforms.sqrt(v, true));
        }
        avg.addi(o.eps());
        if (o.momentum() > 0) {
            INDArray buf = s.buffer("momentum_buffer", tmp(p.ulike().assign(0)));
            buf.muli(o.momentum()).addi(tmp(g.div(avg)));
            p.addi(tmp(buf.mul(-o.lr())));
        } else {
            p.addi(tmp(tmp(g.div(avg)).muli(-o.lr())));
        }
    }
}
