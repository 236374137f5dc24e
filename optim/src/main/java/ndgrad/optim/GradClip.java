package ndgrad.optim;

import ndgrad.core.kernels.Copies;
import ndgrad.core.kernels.Pointwise;
import ndgrad.core.kernels.Reduce;
import java.util.List;
import ndgrad.autograd.Autograd;
import ndgrad.autograd.Tensor;

/**
 * Gradient clipping in place, as {@code torch.nn.utils.clip_grad_norm_} and {@code clip_grad_value_}.
 *
 * <p>Usage: {@code double norm = GradClip.byNorm(model.parameters(), 1.0);}
 */
public final class GradClip {
    private GradClip() {
    }

    /**
     * Scales all gradients by min(1, maxNorm / (‖g‖ + 1e-6)), where ‖g‖ is the 2-norm of all of them together, and
     * returns ‖g‖ (before clipping). Parameters without a gradient are ignored.
     */
    public static double byNorm(List<Tensor> params, double maxNorm) {
        if (!(maxNorm >= 0)) {
            throw new IllegalArgumentException("GradClip.byNorm: maxNorm must be >= 0, got " + maxNorm);
        }
        double sq = 0;
        for (Tensor p : params) {
            if (p.hasGrad()) {
                double n = Reduce.norm2(p.grad().data());
                sq += n * n;
            }
        }
        double norm = Math.sqrt(sq);
        double coef = maxNorm / (norm + 1e-6);
        if (coef < 1) {
            try (Autograd.GradMode off = Autograd.noGrad()) {
                params.stream().filter(Tensor::hasGrad).forEach(p -> p.grad().muli(coef));
            }
        }
        return norm;
    }

    /** Clamps every gradient element to [-clip, clip]. */
    public static void byValue(List<Tensor> params, double clip) {
        if (!(clip >= 0)) {
            throw new IllegalArgumentException("GradClip.byValue: clip must be >= 0, got " + clip);
        }
        try (Autograd.GradMode off = Autograd.noGrad()) {
            params.stream().filter(Tensor::hasGrad)
                    .forEach(p -> p.grad().modify(g -> Copies.assign(g, Pointwise.clamp(g, -clip, clip))));
        }
    }
}
