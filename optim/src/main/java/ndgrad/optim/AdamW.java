package ndgrad.optim;

import java.util.List;
import ndgrad.autograd.Tensor;

/**
 * AdamW (Loshchilov &amp; Hutter, "Decoupled weight decay regularization", 2019), exactly as
 * {@code torch.optim.AdamW}: Adam whose weight decay shrinks the parameter instead of adding to the gradient. At
 * step t, with g = ∇p,
 * <pre>
 * p ← p (1 - lr λ)
 * m ← lerp(m, g, 1 - β1);   v ← β2 v + (1 - β2) g²;   v̂ ← max(v̂, v) (amsgrad)
 * p ← p - (lr / (1 - β1^t)) · m / (√v(or v̂) / √(1 - β2^t) + ε)
 * </pre>
 *
 * <p>Usage: {@code new AdamW(params, AdamW.options().lr(1e-3).weightDecay(0.01))}
 */
public final class AdamW extends Optimizer<Adam.Options> {
    /** PyTorch's defaults: lr 1e-3, betas (0.9, 0.999), eps 1e-8, decoupled weight decay 0.01. */
    public static Adam.Options options() {
        return new Adam.Options(1e-3, 0.9, 0.999, 1e-8, 0.01, false, true);
    }

    /** One group of parameters. */
    public AdamW(List<Tensor> params, Adam.Options options) {
        this(List.of(new Group<>(params, options)));
    }

    /** Several groups, each with its options (their weight decay must be decoupled: {@link #options()}). */
    public AdamW(List<Group<Adam.Options>> groups) {
        super(groups);
        for (Group<Adam.Options> g : groups) {
            if (!g.options().decoupled()) {
                throw new IllegalArgumentException("AdamW: options with coupled weight decay are Adam's; start from "
                        + "AdamW.options()");
            }
        }
    }

    @Override
    protected void update(Adam.Options o, State s) {
        Adam.step(o, s);
    }
}
