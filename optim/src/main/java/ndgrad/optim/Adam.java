package ndgrad.optim;

import java.util.List;
import ndgrad.autograd.Tensor;
import ndgrad.core.Kernels;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Adam (Kingma &amp; Ba 2015) and AdamW (Loshchilov &amp; Hutter 2019), exactly as {@code torch.optim.Adam} and
 * {@code torch.optim.AdamW}: at step t, with g = ∇p + λp for Adam (coupled L2 decay), or p ← p (1 - lr λ) first
 * and g = ∇p for AdamW (decoupled),
 * <pre>
 * m ← lerp(m, g, 1 - β1);   v ← β2 v + (1 - β2) g²;   v̂ ← max(v̂, v) (amsgrad)
 * p ← p - (lr / (1 - β1^t)) · m / (√v(or v̂) / √(1 - β2^t) + ε)
 * </pre>
 *
 * <p>Usage: {@code new Adam(params, Adam.options().lr(1e-3))}, {@code new Adam(params, Adam.adamW())}
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

        @Override
        public Options withLr(double value) {
            return new Options(value, beta1, beta2, eps, weightDecay, amsgrad, decoupled);
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

        /** A copy with the AMSGrad variant on or off (Reddi et al. 2018). */
        public Options amsgrad(boolean value) {
            return new Options(lr, beta1, beta2, eps, weightDecay, value, decoupled);
        }
    }

    /** Adam with PyTorch's defaults: lr 1e-3, betas (0.9, 0.999), eps 1e-8, no weight decay. */
    public static Options options() {
        return new Options(1e-3, 0.9, 0.999, 1e-8, 0, false, false);
    }

    /** AdamW with PyTorch's defaults: lr 1e-3, betas (0.9, 0.999), eps 1e-8, decoupled weight decay 0.01. */
    public static Options adamW() {
        return new Options(1e-3, 0.9, 0.999, 1e-8, 0.01, false, true);
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
    protected void update(INDArray p, INDArray grad, Options o, State s) {
        if (o.decoupled()) {
            Kernels.scale(p, 1 - o.lr() * o.weightDecay());
        }
        INDArray g = o.decoupled() ? grad : decayed(grad, p, o.weightDecay());
        INDArray m = s.buffer("exp_avg", p, 0);
        INDArray v = s.buffer("exp_avg_sq", p, 0);
        lerp(m, g, 1 - o.beta1());
        decay(v, o.beta2(), 1 - o.beta2(), mul(g, g));
        INDArray second = v;
        if (o.amsgrad()) {
            second = s.buffer("max_exp_avg_sq", p, 0);
            Kernels.assign(second, Kernels.binary(Kernels.Binary.MAX, second, v));
        }
        double stepSize = o.lr() / (1 - Math.pow(o.beta1(), s.step));
        addDivided(p, stepSize, m, denominator(second, Math.sqrt(1 - Math.pow(o.beta2(), s.step)), o.eps()));
    }
}
