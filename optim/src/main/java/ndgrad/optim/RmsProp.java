package ndgrad.optim;

import java.util.ArrayList;
import java.util.List;
import ndgrad.autograd.Tensor;
import ndgrad.core.kernels.Chunk;

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
    protected void update(Options o, State s) {
        double wd = o.weightDecay();
        double alpha = o.alpha();
        double mu = o.momentum();
        boolean centered = o.centered();
        List<String> names = new ArrayList<>(List.of("square_avg"));
        if (centered) {
            names.add("grad_avg");
        }
        if (mu > 0) {
            names.add("momentum_buffer");
        }
        s.pass(names, c -> {
            Chunk g = wd == 0 ? c.grad() : c.scratch(0).set(c.grad()).axpy(wd, c.param());
            Chunk second = c.buffer("square_avg").scaleAddcmul(alpha, 1 - alpha, g, g);
            if (centered) {
                Chunk avg = c.buffer("grad_avg").lerp(g, 1 - alpha);
                second = c.scratch(1).set(second).addcmul(-1, avg, avg);
            }
            if (mu > 0) {
                Chunk buf = c.buffer("momentum_buffer").scale(mu).addcdivSqrt(1, g, second, 1, o.eps());
                c.param().axpy(-o.lr(), buf);
            } else {
                c.param().addcdivSqrt(-o.lr(), g, second, 1, o.eps());
            }
        });
    }
}
