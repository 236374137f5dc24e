package ndgrad.autograd;

import static ndgrad.autograd.Definition.unary;

import ndgrad.core.Kernels;
import ndgrad.core.NdArrays;
import ndgrad.core.Scope;
import ndgrad.core.ShapeException;

/** The fused losses, each one definition (the others are composed in {@code ndgrad.nn.Losses}). */
final class LossOps {
    private LossOps() {
    }

    /**
     * Softmax cross-entropy of each row of (N, C) logits against integer labels against integer labels:
     * logsumexp(x_i) - x_i[y_i], shape (N), PyTorch's {@code cross_entropy} with reduction 'none'. The forward pass
     * computes each row's max-shifted log-sum-exp in one pass and keeps the probabilities when a gradient is needed;
     * the backward is (softmax(x) - onehot)·g in one pass over them, or with the differentiable
     * {@link Tensor#softmax} when the backward is itself recorded (createGraph), so higher derivatives stay exact.
     */
    static Tensor crossEntropy(Tensor x, int[] labels) {
        if (x.dim() != 2 || x.size(0) != labels.length) {
            throw new ShapeException("crossEntropy: expected logits of shape (N, C) with N = " + labels.length
                    + " labels, got " + x.shapeString());
        }
        for (int i = 0; i < labels.length; i++) {
            if (labels[i] < 0 || labels[i] >= x.size(1)) {
                throw new ShapeException("crossEntropy: label " + labels[i] + " at row " + i + " is outside [0, "
                        + x.size(1) + ")");
            }
        }
        return unary("crossEntropy", "softmax(x) - onehot(y)", (c, a) -> {
            if (!c.needsInputGrad(0)) {
                return c.output(Kernels.crossEntropy(a.array(), labels, null));
            }
            Tensor probs = Tensor.owned(Scope.allocate(a.dtype(), a.shape()));
            Tensor out = c.output(Kernels.crossEntropy(a.array(), labels, probs.array()));
            c.save(a);
            c.saveTemporary(probs);
            return out;
        }, (c, g) -> {
            if (!Autograd.isGradEnabled()) {
                return Tensor.owned(Kernels.crossEntropyBackward(c.saved(1).array(), labels, g.array()));
            }
            Tensor logits = c.saved(0);
            int classes = (int) logits.size(1);
            double[] hot = new double[labels.length * classes];
            for (int i = 0; i < labels.length; i++) {
                hot[i * classes + labels[i]] = -1;
            }
            return logits.softmax(1).add(Tensor.owned(NdArrays.create(hot, logits.shape(), logits.dtype())))
                    .mul(g.reshape(labels.length, 1));
        }).apply(x);
    }
}
