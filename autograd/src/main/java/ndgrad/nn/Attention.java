package ndgrad.nn;

import ndgrad.autograd.Tensor;
import ndgrad.core.DTypes;
import ndgrad.core.NdArrays;
import ndgrad.core.Restore;
import ndgrad.core.Rng;
import ndgrad.core.ShapeException;
import org.nd4j.linalg.api.buffer.DataType;

/**
 * Scaled dot-product attention (Vaswani et al. 2017), softmax(Q Kᵀ · scale + M) V for Q (..., L, E), K (..., S, E)
 * and V (..., S, Ev) with any leading dimensions that broadcast, as PyTorch's
 * {@code F.scaled_dot_product_attention(q, k, v, attn_mask, dropout_p, is_causal, scale)}: the scale defaults to
 * 1/√E; M is -∞ above the diagonal when causal (query i sees keys j ≤ i), and a mask adds to it: a bool mask lets
 * a query see the keys where it is true, a floating one is added to the scores. Dropout, when asked for, drops
 * attention weights with probability p and scales the rest by 1/(1-p). Composed from matmul, softmax, where and
 * constants.
 *
 * <p>Usage: {@code Tensor y = Attention.scaledDotProduct(q, k, v, Attention.options().mask(keep).scale(0.125));}
 */
public final class Attention {
    private Attention() {
    }

    /**
     * PyTorch's keyword arguments: a mask (bool or floating, broadcast to (..., L, S)) or null, causal, a scale
     * (NaN for 1/√E), and the dropout probability with the generator that draws it.
     */
    public record Options(Tensor mask, boolean causal, double scale, double dropout, Rng rng) {
        /** Checks the dropout probability and its generator. */
        public Options {
            if (!(dropout >= 0 && dropout < 1) || dropout > 0 && rng == null) {
                throw new IllegalArgumentException("Attention: expected dropout in [0, 1) and, above 0, an Rng; got "
                        + dropout + (rng == null ? " and no Rng" : ""));
            }
        }

        /** With this mask: bool (true where a query may see a key) or floating (added to the scores). */
        public Options mask(Tensor m) {
            return new Options(m, causal, scale, dropout, rng);
        }

        /** Causal or not. */
        public Options causal(boolean on) {
            return new Options(mask, on, scale, dropout, rng);
        }

        /** Scores multiplied by {@code s} instead of 1/√E. */
        public Options scale(double s) {
            return new Options(mask, causal, s, dropout, rng);
        }

        /** Attention weights dropped with probability p, drawn from {@code r}. */
        public Options dropout(double p, Rng r) {
            return new Options(mask, causal, scale, p, r);
        }
    }

    /** No mask, not causal, scale 1/√E, no dropout. */
    public static Options options() {
        return new Options(null, false, Double.NaN, 0, null);
    }

    /** softmax(Q Kᵀ / √E (+ the causal mask)) V. */
    public static Tensor scaledDotProduct(Tensor q, Tensor k, Tensor v, boolean causal) {
        return scaledDotProduct(q, k, v, options().causal(causal));
    }

    /** softmax(Q Kᵀ · scale + M) V with the options' mask, causality, scale and dropout. */
    public static Tensor scaledDotProduct(Tensor q, Tensor k, Tensor v, Options o) {
        if (q.dim() < 2 || k.dim() < 2 || v.dim() < 2 || q.size(-1) != k.size(-1) || k.size(-2) != v.size(-2)
                || q.dtype() != k.dtype() || k.dtype() != v.dtype()) {
            throw new ShapeException("Attention: expected Q (..., L, E), K (..., S, E) and V (..., S, Ev) of one "
                    + "dtype, got " + q.shapeString() + " " + q.dtype() + ", " + k.shapeString() + " " + k.dtype()
                    + ", " + v.shapeString() + " " + v.dtype());
        }
        Tensor scores = q.matmul(k.mT()).mul(Double.isNaN(o.scale()) ? 1 / Math.sqrt(q.size(-1)) : o.scale());
        int lq = (int) q.size(-2);
        int lk = (int) k.size(-2);
        if (o.causal()) {
            double[] m = new double[lq * lk];
            for (int i = 0; i < lq; i++) {
                for (int j = i + 1; j < lk; j++) {
                    m[i * lk + j] = Double.NEGATIVE_INFINITY;
                }
            }
            scores = scores.add(Tensor.of(NdArrays.create(m, new long[] {lq, lk}, q.dtype())));
        }
        if (o.mask() != null) {
            Tensor mask = o.mask();
            if (mask.dim() < 2 || mask.size(-2) != lq && mask.size(-2) != 1 || mask.size(-1) != lk
                    && mask.size(-1) != 1 || mask.dtype() != DataType.BOOL && mask.dtype() != q.dtype()) {
                throw new ShapeException("Attention: expected a bool mask or one of dtype " + q.dtype()
                        + " broadcasting to (..., " + lq + ", " + lk + "), got " + mask.shapeString() + " "
                        + mask.dtype());
            }
            scores = mask.dtype() == DataType.BOOL ? Tensor.where(mask, scores, Tensor.full(
                    Double.NEGATIVE_INFINITY).to(q.dtype())) : scores.add(mask);
        }
        Tensor weights = scores.softmax(-1);
        if (o.dropout() > 0) {
            try (Restore type = DTypes.use(weights.dtype())) {
                weights = weights.mul(Tensor.bernoulli(o.rng(), 1 - o.dropout(), 1 / (1 - o.dropout()),
                        weights.shape()));
            }
        }
        return weights.matmul(v);
    }
}
