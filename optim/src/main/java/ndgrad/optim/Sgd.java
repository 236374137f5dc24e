package ndgrad.optim;

import java.util.List;
import ndgrad.autograd.Autograd;
import ndgrad.autograd.Tensor;

/**
 * Plain stochastic gradient descent: for every parameter p with a gradient, {@code p ← p - lr · ∇p}, in place and
 * with grad mode off (PyTorch's {@code torch.optim.SGD} with momentum 0, dampening 0, weight decay 0). Parameters
 * without a gradient are skipped, as in PyTorch.
 *
 * <p>Usage: {@code Sgd opt = new Sgd(params, 0.1); opt.zeroGrad(); loss.backward(); opt.step();}
 */
public final class Sgd {
    private final List<Tensor> params;
    private final double lr;

    /** @param lr the learning rate, ≥ 0 */
    public Sgd(List<Tensor> params, double lr) {
        if (!(lr >= 0) || Double.isInfinite(lr)) {
            throw new IllegalArgumentException("Sgd: invalid learning rate " + lr + " (expected a finite lr >= 0)");
        }
        for (int i = 0; i < params.size(); i++) {
            if (!params.get(i).isLeaf() || !params.get(i).isRequiresGrad()) {
                throw new IllegalArgumentException("Sgd: parameter " + i + " (" + params.get(i).describe()
                        + ") must be a leaf that requires grad");
            }
        }
        this.params = List.copyOf(params);
        this.lr = lr;
    }

    /** Applies one update to every parameter that has a gradient. */
    public void step() {
        try (Autograd.GradMode off = Autograd.noGrad()) {
            for (Tensor p : params) {
                if (p.hasGrad()) {
                    p.subi(p.grad().mul(lr));
                }
            }
        }
    }

    /** Zeros every parameter's gradient in place. */
    public void zeroGrad() {
        params.forEach(Tensor::zeroGrad);
    }
}
