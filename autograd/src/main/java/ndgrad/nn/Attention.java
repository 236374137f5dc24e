package ndgrad.nn;

import ndgrad.autograd.Tensor;
import ndgrad.core.NdArrays;
import ndgrad.core.ShapeException;

/**
 * Scaled dot-product attention (Vaswani et al. 2017), softmax(Q Kᵀ / √d + M) V for Q, K, V of shape (batch, seq,
 * d), with M = -∞ above the diagonal when causal (query i sees keys j ≤ i), as PyTorch's
 * {@code F.scaled_dot_product_attention(q, k, v, is_causal=True)}; composed from matmul, softmax and a constant mask.
 *
 * <p>Usage: {@code Tensor y = Attention.scaledDotProduct(q, k, v, true);}
 */
public final class Attention {
    private Attention() {
    }

    /** softmax(Q Kᵀ / √d (+ the causal mask)) V. */
    public static Tensor scaledDotProduct(Tensor q, Tensor k, Tensor v, boolean causal) {
        if (q.dim() != 3 || k.dim() != 3 || v.dim() != 3 || q.size(2) != k.size(2) || k.size(1) != v.size(1)
                || q.dtype() != k.dtype() || k.dtype() != v.dtype()) {
            throw new ShapeException("Attention: expected Q (B, Lq, d), K (B, Lk, d) and V (B, Lk, dv) of one dtype, "
                    + "got " + q.shapeString() + " " + q.dtype() + ", " + k.shapeString() + " " + k.dtype() + ", "
                    + v.shapeString() + " " + v.dtype());
        }
        Tensor scores = q.matmul(k.mT()).div(Math.sqrt(q.size(2)));
        if (causal) {
            int lq = (int) q.size(1);
            int lk = (int) k.size(1);
            double[] m = new double[lq * lk];
            for (int i = 0; i < lq; i++) {
                for (int j = i + 1; j < lk; j++) {
                    m[i * lk + j] = Double.NEGATIVE_INFINITY;
                }
            }
            scores = scores.add(Tensor.of(NdArrays.create(m, new long[] {lq, lk}, q.dtype())));
        }
        return scores.softmax(-1).matmul(v);
    }
}
