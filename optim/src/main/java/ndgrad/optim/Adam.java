package ndgrad.optim;

import java.util.List;
import ndgrad.autograd.Tensor;
import ndgrad.core.kernels.Chunk;

/**
 * Adam (Kingma &amp; Ba 2015) and AdamW (Loshchilov &amp; Hutter 2019), exactly as {@code torch.optim.Adam} and
 * {@code torch.optim.AdamW}: at step t, with g = ∇p + λp for Adam (coupled L2 decay), or p ← p (1 - lr λ) first
 * and g = ∇p for AdamW (decoupled),
 * <pre>
 * m ← lerp(m, g, 1 - β1);   v ← β2 v + (1 - β2) g²;   v̂ ← max(v̂, v) (amsgrad)
 * p ← p - (lr / (1 - β1^t)) · m / (√v(or v̂) / √(1 - β2^t) + ε)
 * </pre>
 *
 * <p>Usage: {@code new Adam(params, Adam.options().lr(1e-3))}; for AdamW, {@link AdamW}.
 */
public final class Adam extends Optimizer<Adam.Options> {
    /** lr, beta1, beta2, eps, weightDecay, amsgrad, and whether weight decay is decoupled (AdamW). */
    public record Options(double lr, double beta1, double beta2, double eps, double weightDecay, boolean amsgrad,
            boolean decoupled) implements Optimizer.Options<Options> {
        /** Checks the values as PyTorch does. */
        public Options {
            require(lr >= 0 && Double.isFinite(lr), "Adam", "learning rate", lr);
            require(eps >= 0, "Adam", "epsilon value", eps);
            require(beta1 >= 0 && beta1 < 1, "Adam", "beta parameter at index 0", beta1);
            require(beta2 >= 0 && beta2 < 1, "Adam", "beta parameter at index 1", beta2);
            require(weightDecay >= 0, "Adam", "weight_decay value", weightDecay);
        }




        /** A copy with this learning rate. */
        public Options lr(double value) {
            return withLr(value);
        }

        /** A copy with (β1, β2). */
        public Options betas(double b1, double b2) {
            return new Options(lr, b1, b2, eps, weightDecay, amsgrad, decoupled);
        }

        /** A copy with ε. */
        public Options eps(double value) {
            return new Options(lr, beta1, beta2, value, weightDecay, amsgrad, decoupled);
        }

        /** A copy with weight decay λ (coupled for Adam, decoupled for AdamW). */
        public Options weightDecay(double value) {
            return new Options(lr, beta1, beta2, eps, value, amsgrad, decoupled);
        }

        /** A copy with weight decay decoupled (AdamW's, PyTorch's {@code decoupled_weight_decay}) or coupled (L2). */
        public Options decoupledWeightDecay(boolean value) {
            return new Options(lr, beta1, beta2, eps, weightDecay, amsgrad, value);
        }

        /** A copy with the AMSGrad variant on or off (Reddi et al. 2018). */
        public Options amsgrad(boolean value) {
            return new Options(lr, beta1, beta2, eps, weightDecay, value, decoupled);
        }
    }

    /** Adam with PyTorch's defaults: lr 1e-3, betas (0.9, 0.999), eps 1e-8, no weight decay. */
    public static Options options() {
        return new Options(1e-3, 0.9, 0.999, 1e-8, 0, false, false);
    }


    /** One group of parameters. */
    public Adam(List<Tensor> params, Options options) {
        this(List.of(new Group<>(params, options)));
    }

    /** Several groups, each with its options. */
    public Adam(List<Group<Options>> groups) {
        super(groups);
    }

    @Override
    protected void update(Options o, State s) {
        step(o, s);
    }

    /** One Adam or AdamW update of the parameter in place, in one pass over it, its gradient and its buffers. */
    static void step(Options o, State s) {
        double decay = o.decoupled() ? 1 - o.lr() * o.weightDecay() : 1;
        double coupled = o.decoupled() ? 0 : o.weightDecay();
        double b1 = o.beta1();
        double b2 = o.beta2();
        double eps = o.eps();
        double stepSize = o.lr() / (1 - Math.pow(b1, s.step()));
        double correction2 = Math.sqrt(1 - Math.pow(b2, s.step()));
        boolean ams = o.amsgrad();
        s.pass(ams ? List.of("exp_avg", "exp_avg_sq", "max_exp_avg_sq") : List.of("exp_avg", "exp_avg_sq"), c -> {
            Chunk g = coupled == 0 ? c.grad() : c.scratch(0).set(c.grad()).axpy(coupled, c.param());
            Chunk m = c.buffer("exp_avg").lerp(g, 1 - b1);
            Chunk v = c.buffer("exp_avg_sq").scaleAddcmul(b2, 1 - b2, g, g);
            Chunk second = ams ? c.buffer("max_exp_avg_sq").max(v) : v;
            if (decay != 1) {
                c.param().scale(decay);
            }
            c.param().addcdivSqrt(-stepSize, m, second, 1 / correction2, eps);
        });
    }
}
