package ndgrad.optim;

import java.util.List;
import ndgrad.autograd.Tensor;
import ndgrad.core.kernels.Chunk;
import ndgrad.core.kernels.Products;

/**
 * Stochastic gradient descent with momentum, dampening, weight decay and Nesterov momentum, exactly as
 * {@code torch.optim.SGD}: with g = ∇p + λp,
 * <pre>
 * b ← g on the first step, else b ← μ b + (1 - τ) g      (when μ ≠ 0)
 * g ← g + μ b (Nesterov) or g ← b                          (when μ ≠ 0)
 * p ← p - lr g
 * </pre>
 * The "exponential moving average" form of momentum, v ← β v + (1 - β) g, is SGD with dampening τ = μ = β
 * (after its first step, which takes v = g). Nesterov needs μ &gt; 0 and τ = 0 (Sutskever et al. 2013).
 *
 * <p>Usage: {@code Sgd opt = new Sgd(model.parameters(), Sgd.options().lr(0.1).momentum(0.9).nesterov(true));}
 */
public final class Sgd extends Optimizer<Sgd.Options> {
    /** lr, momentum μ, dampening τ, weightDecay λ, nesterov. */
    public record Options(double lr, double momentum, double dampening, double weightDecay, boolean nesterov)
            implements Optimizer.Options<Options> {
        /** Checks the values as PyTorch does. */
        public Options {
            require(lr >= 0 && Double.isFinite(lr), "Sgd", "learning rate", lr);
            require(momentum >= 0, "Sgd", "momentum value", momentum);
            require(dampening >= 0 && dampening <= 1, "Sgd", "dampening value", dampening);
            require(weightDecay >= 0, "Sgd", "weight_decay value", weightDecay);
            if (nesterov && (momentum <= 0 || dampening != 0)) {
                throw new IllegalArgumentException("Sgd: Nesterov momentum requires a momentum and zero dampening "
                        + "(momentum=" + momentum + ", dampening=" + dampening + ")");
            }
        }


        /** A copy with this learning rate. */
        public Options lr(double value) {
            return withLr(value);
        }



        /** A copy with momentum μ. */
        public Options momentum(double value) {
            return new Options(lr, value, dampening, weightDecay, nesterov);
        }

        /** A copy with dampening τ. */
        public Options dampening(double value) {
            return new Options(lr, momentum, value, weightDecay, nesterov);
        }

        /** A copy with L2 weight decay λ. */
        public Options weightDecay(double value) {
            return new Options(lr, momentum, dampening, value, nesterov);
        }

        /** A copy with Nesterov momentum on or off. */
        public Options nesterov(boolean value) {
            return new Options(lr, momentum, dampening, weightDecay, value);
        }
    }

    /** Plain SGD with PyTorch's defaults (lr 1e-3 as since PyTorch 2.2; no momentum, dampening or decay). */
    public static Options options() {
        return new Options(1e-3, 0, 0, 0, false);
    }

    /** One group of parameters. */
    public Sgd(List<Tensor> params, Options options) {
        this(List.of(new Group<>(params, options)));
    }

    /** Plain SGD with learning rate {@code lr}. */
    public Sgd(List<Tensor> params, double lr) {
        this(params, options().lr(lr));
    }

    /** Several groups, each with its options. */
    public Sgd(List<Group<Options>> groups) {
        super(groups);
    }

    @Override
    protected void update(Options o, State s) {
        double lr = o.lr();
        double wd = o.weightDecay();
        double mu = o.momentum();
        if (mu == 0 && wd == 0) {
            Products.axpy(-lr, s.grad(), s.param());
            return;
        }
        boolean first = !s.has("momentum_buffer");
        s.pass(mu == 0 ? List.of() : List.of("momentum_buffer"), c -> {
            Chunk g = wd == 0 ? c.grad() : c.scratch(0).set(c.grad()).axpy(wd, c.param());
            if (mu != 0) {
                Chunk buf = c.buffer("momentum_buffer");
                if (first) {
                    buf.set(g);
                } else {
                    buf.scale(mu).axpy(1 - o.dampening(), g);
                }
                g = o.nesterov() ? c.scratch(1).set(g).axpy(mu, buf) : buf;
            }
            c.param().axpy(-lr, g);
        });
    }
}
