package ndgrad.autograd;

import static ndgrad.autograd.Definition.op;
import static ndgrad.autograd.Function.tensors;

import java.util.Arrays;
import ndgrad.core.Kernels;
import ndgrad.core.ShapeException;
import ndgrad.core.Shapes;

/** The matrix products, each one definition: 2-D products as one BLAS gemm, batched products, and linear layers. */
final class LinearAlgebra {
    private LinearAlgebra() {
    }

    /**
     * The matrix product of {@link Tensor#matmul}: 1-D operands become a row or a column and lose that dimension
     * again; 2-D products are one gemm ({@link #mm}); 3-D ones are batched, a 2-D operand broadcast over the batch.
     */
    static Tensor matmul(Tensor a, Tensor b) {
        if (a.dtype() != b.dtype()) {
            throw new ShapeException("matmul: dtypes differ: " + a.dtype() + " and " + b.dtype());
        }
        if (a.dim() < 1 || a.dim() > 3 || b.dim() < 1 || b.dim() > 3) {
            throw new ShapeException("matmul: expected 1-D, 2-D or 3-D operands, got shapes " + a.shapeString()
                    + " and " + b.shapeString());
        }
        long inner = b.size(b.dim() == 1 ? 0 : -2);
        if (a.size(-1) != inner) {
            throw new ShapeException("matmul: shapes " + a.shapeString() + " and " + b.shapeString()
                    + " cannot be multiplied (" + a.size(-1) + " != " + inner + ")");
        }
        if (b.dim() == 1) {
            return matmul(a, b.unsqueeze(1)).squeeze(-1);
        }
        if (a.dim() == 1) {
            return matmul(a.unsqueeze(0), b).squeeze(-2);
        }
        if (a.dim() == 2 && b.dim() == 2) {
            return mm(a, b, false, false);
        }
        return bmm(a, b, false, false);
    }

    /**
     * op(a)·op(b) for 2-D a and b, op transposing when its flag is set, as one BLAS gemm that reads transposed
     * operands in place. Its backward is again this op with other flags, so it is differentiable any number of
     * times without transpose nodes: for C = A·B, dA = G·Bᵀ, dB = Aᵀ·G; for C = A·Bᵀ, dA = G·B, dB = Gᵀ·A; for
     * C = Aᵀ·B, dA = B·Gᵀ, dB = A·G; for C = Aᵀ·Bᵀ, dA = Bᵀ·Gᵀ, dB = Gᵀ·Aᵀ.
     */
    static Tensor mm(Tensor a, Tensor b, boolean ta, boolean tb) {
        return op("matmul", (c, x) -> {
            c.save(x[0], x[1]);
            return c.output(Kernels.gemm(x[0].array(), x[1].array(), ta, tb));
        }, (c, g) -> {
            Tensor p = c.saved(0);
            Tensor q = c.saved(1);
            return tensors(c.inputGrad(0, () -> ta ? mm(q, g, tb, true) : mm(g, q, false, !tb)),
                    c.inputGrad(1, () -> tb ? mm(g, p, true, ta) : mm(p, g, !ta, false)));
        }, "G·Bᵀ", "Aᵀ·G").apply(a, b);
    }

    /**
     * Batched products of 3-D operands (a 2-D one standing for every batch) with transposes as flags, one BLAS gemm
     * per batch ({@link Kernels#bmm}); the backward is this op again with other flags, as for {@link #mm}, and a 2-D
     * operand's gradient is the batch's sum of products ({@link #bmmSum}).
     */
    static Tensor bmm(Tensor a, Tensor b, boolean ta, boolean tb) {
        long batch = Math.max(a.dim() == 3 ? a.size(0) : 1, b.dim() == 3 ? b.size(0) : 1);
        if (a.dim() == 3 && b.dim() == 3 && a.size(0) != b.size(0) && a.size(0) != 1 && b.size(0) != 1) {
            throw new ShapeException("matmul: batch sizes differ: " + a.shapeString() + " and " + b.shapeString());
        }
        Tensor pa = a.dim() == 3 && a.size(0) != batch ? a.expand(batch, a.size(1), a.size(2)) : a;
        Tensor pb = b.dim() == 3 && b.size(0) != batch ? b.expand(batch, b.size(1), b.size(2)) : b;
        return op("matmul", (c, x) -> {
            c.save(x[0], x[1]);
            return c.output(Kernels.bmm(x[0].array(), x[1].array(), ta, tb));
        }, (c, g) -> {
            Tensor p = c.saved(0);
            Tensor q = c.saved(1);
            return tensors(c.inputGrad(0, () -> product(p.dim() == 2, ta ? q : g, ta ? g : q, ta ? tb : false,
                    ta ? true : !tb)), c.inputGrad(1, () -> product(q.dim() == 2, tb ? g : p, tb ? p : g,
                    tb ? true : !ta, tb ? ta : false)));
        }, "G·Bᵀ", "Aᵀ·G").apply(pa, pb);
    }

    /** op(a)·op(b) per batch, or summed over the batch when {@code sum} (for a 2-D operand's gradient). */
    private static Tensor product(boolean sum, Tensor a, Tensor b, boolean ta, boolean tb) {
        return sum ? bmmSum(a, b, ta, tb) : bmm(a, b, ta, tb);
    }

    /**
     * Σ_s op(a[s])·op(b[s]) over a batch of 3-D a and b (either may be 2-D, standing for every batch), as a 2-D
     * result, each gemm adding into it: d/da[s] = G·op(b[s])ᵀ, d/db[s] = op(a[s])ᵀ·G, batched products again.
     */
    static Tensor bmmSum(Tensor a, Tensor b, boolean ta, boolean tb) {
        return op("matmulSum", (c, x) -> {
            c.save(x[0], x[1]);
            return c.output(Kernels.bmm(x[0].array(), x[1].array(), ta, tb, true));
        }, (c, g) -> {
            Tensor p = c.saved(0);
            Tensor q = c.saved(1);
            return tensors(c.inputGrad(0, () -> ta ? product(p.dim() == 2, q, g, tb, true)
                    : product(p.dim() == 2, g, q, false, !tb)), c.inputGrad(1, () -> tb
                    ? product(q.dim() == 2, g, p, true, ta) : product(q.dim() == 2, p, g, !ta, false)));
        }, "Σ G·Bᵀ", "Σ Aᵀ·G").apply(a, b);
    }

    /**
     * x·Wᵀ + b, PyTorch's {@code F.linear}, as one node: one gemm that reads W transposed in place, the bias added in
     * place (a BLAS rank-1 update for large outputs); backward dx = G·W, dW = Gᵀ·x, db = G summed over the batch.
     */
    static Tensor linear(Tensor input, Tensor weight, Tensor bias) {
        if (input.dim() != 2 || weight.dim() != 2 || input.size(1) != weight.size(1)
                || input.dtype() != weight.dtype()) {
            throw new ShapeException("linear: expected input (N, in) and weight (out, in) of one dtype, got "
                    + input.shapeString() + " " + input.dtype() + " and " + weight.shapeString() + " "
                    + weight.dtype());
        }
        if (bias == null) {
            return mm(input, weight, false, true);
        }
        long[] shape = {input.size(0), weight.size(0)};
        if (bias.dtype() != input.dtype() || !Arrays.equals(Shapes.broadcast("linear", shape, bias.shape()), shape)) {
            throw new ShapeException("linear: expected a bias of " + input.dtype() + " that broadcasts to "
                    + Shapes.str(shape) + " (e.g. (" + shape[1] + ")), got " + bias.shapeString() + " "
                    + bias.dtype());
        }
        return op("linear", (c, x) -> {
            c.save(x[0], x[1]);
            Tensor out = c.output(Kernels.gemm(x[0].array(), x[1].array(), false, true));
            Kernels.axpy(1, x[2].array(), out.array());
            return out;
        }, (c, g) -> tensors(c.inputGrad(0, () -> mm(g, c.saved(1), false, false)),
                c.inputGrad(1, () -> mm(g, c.saved(0), true, false)), c.inputGrad(2, () -> g)),
                "G·W", "Gᵀ·x", "1 (summed over the batch)").apply(input, weight, bias);
    }
}
