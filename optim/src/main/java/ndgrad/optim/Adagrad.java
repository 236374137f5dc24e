package ndgrad.optim;

import java.util.List;
import ndgrad.autograd.Tensor;
import ndgrad.core.kernels.Chunk;

/**
 * Adagrad (Duchi, Hazan &amp; Singer 2011), exactly as {@code torch.optim.Adagrad}: at step t, with g = ∇p + λp,
 * <pre>
 * lr_t = lr / (1 + (t - 1) · lrDecay);   S ← S + g²  (S starts at initialAccumulatorValue);
 * p ← p - lr_t · g / (√S + ε)
 * </pre>
 *
 * <p>Usage: {@code new Adagrad(params, Adagrad.options().lr(0.1))}
 */
public final class Adagrad extends Optimizer<Adagrad.Options> {
    /** lr, lrDecay, weightDecay, initialAccumulatorValue, eps. */
    public record Options(double lr, double lrDecay, double weightDecay, double initialAccumulatorValue,
            double eps) implements Optimizer.Options<Options> {
        /** Checks the values as PyTorch does. */
        public Options {
            require(lr >= 0 && Double.isFinite(lr), "Adagrad", "learning rate", lr);
            require(lrDecay >= 0, "Adagrad", "lr_decay value", lrDecay);
            require(weightDecay >= 0, "Adagrad", "weight_decay value", weightDecay);
            require(initialAccumulatorValue >= 0, "Adagrad", "initial_accumulator_value value",
                    initialAccumulatorValue);
            require(eps >= 0, "Adagrad", "epsilon value", eps);
        }




        /** A copy with this learning rate. */
        public Options lr(double value) {
            return withLr(value);
        }

        /** A copy with learning-rate decay. */
        public Options lrDecay(double value) {
            return new Options(lr, value, weightDecay, initialAccumulatorValue, eps);
        }

        /** A copy with L2 weight decay λ. */
        public Options weightDecay(double value) {
            return new Options(lr, lrDecay, value, initialAccumulatorValue, eps);
        }

        /** A copy with the accumulator's starting value. */
        public Options initialAccumulatorValue(double value) {
            return new Options(lr, lrDecay, weightDecay, value, eps);
        }

        /** A copy with ε. */
        public Options eps(double value) {
            return new Options(lr, lrDecay, weightDecay, initialAccumulatorValue, value);
        }
    }

    /** PyTorch's defaults: lr 0.01, no decay, no weight decay, accumulator 0, eps 1e-10. */
    public static Options options() {
        return new Options(0.01, 0, 0, 0, 1e-10);
    }

    /** One group of parameters. */
    public Adagrad(List<Tensor> params, Options options) {
        this(List.of(new Group<>(params, options)));
    }

    /** Several groups, each with its options. */
    public Adagrad(List<Group<Options>> groups) {
        super(groups);
    }

    @Override
    protected void update(Options o, State s) {
        double wd = o.weightDecay();
        double clr = o.lr() / (1 + (s.step() - 1) * o.lrDecay());
        s.buffer("sum", o.initialAccumulatorValue());
        s.pass(List.of("sum"), c -> {
            Chunk g = wd == 0 ? c.grad() : c.scratch(0).set(c.grad()).axpy(wd, c.param());
            Chunk sum = c.buffer("sum").addcmul(1, g, g);
            c.param().addcdivSqrt(-clr, g, sum, 1, o.eps());
        });
    }
}
