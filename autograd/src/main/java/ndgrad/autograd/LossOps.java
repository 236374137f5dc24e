package ndgrad.autograd;

import static ndgrad.autograd.Definition.op;
import static ndgrad.autograd.Definition.unary;
import static ndgrad.autograd.Function.tensors;

import ndgrad.core.NdArrays;
import ndgrad.core.ShapeException;
import ndgrad.core.kernels.Fused;

/** The fused losses, each one definition (the others are composed in {@code ndgrad.nn.Losses}). */
final class LossOps {
    private LossOps() {
    }

    /**
     * Softmax cross-entropy of each row of (N, C) logits against integer labels: logsumexp(x_i) - x_i[y_i], shape
     * (N), PyTorch's {@code cross_entropy} with reduction 'none'. The forward pass computes each row's max-shifted
     * log-sum-exp in one pass and keeps the probabilities when a gradient is needed; the backward is
     * {@link #crossEntropyBackward} over them, recorded or not.
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
                return c.output(Fused.crossEntropy(a.array(), labels, null));
            }
            Tensor probs = c.scratch(a.dtype(), a.shape());
            Tensor out = c.output(Fused.crossEntropy(a.array(), labels, probs.array()));
            c.save(a);
            return out;
        }, (c, g) -> crossEntropyBackward(c.saved(1), c.saved(0), labels, g)).apply(x);
    }

    /**
     * (softmax(x) - onehot(y))·g_i in each row i, cross-entropy's gradient in one pass over the probabilities
     * {@code probs} its forward kept (PyTorch's fused backward, as an op of its own so that a recorded backward runs
     * the same rule). Its own derivatives, with p = softmax(x) computed again as a differentiable op (the kept
     * probabilities carry no graph): d/dg_i = Σ_c gg_ic (p_ic - onehot_ic), and d/dx_ik = g_i p_ik (gg_ik - Σ_c
     * gg_ic p_ic).
     */
    private static Tensor crossEntropyBackward(Tensor x, Tensor probs, int[] labels, Tensor g) {
        int n = labels.length;
        return op("crossEntropyBackward", (c, in) -> {
            c.save(in[0], in[2]);
            return c.output(Fused.crossEntropyBackward(in[1].array(), labels, in[2].array()));
        }, (c, gg) -> {
            Tensor p = c.saved(0).softmax(1);
            Tensor s = p.mul(gg);
            return tensors(c.inputGrad(0, () -> s.sub(p.mul(s.sum(1, true))).mul(c.saved(1).reshape(n, 1))), null,
                    c.inputGrad(2, () -> s.sum(1).sub(gg.mul(oneHot(labels, x)).sum(1))));
        }, "g·(softmax(x) ⊙ (gg - Σ softmax(x) gg))", "-", "Σ (softmax(x) - onehot)·gg").apply(x, probs, g);
    }

    /** The rows' labels one-hot, of x's shape and dtype. */
    private static Tensor oneHot(int[] labels, Tensor x) {
        int classes = (int) x.size(1);
        double[] hot = new double[labels.length * classes];
        for (int i = 0; i < labels.length; i++) {
            hot[i * classes + labels[i]] = 1;
        }
        return Tensor.constant(NdArrays.create(hot, x.shape(), x.dtype()));
    }
}
