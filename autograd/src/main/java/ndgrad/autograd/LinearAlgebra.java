package ndgrad.autograd;

import static ndgrad.autograd.Definition.op;
import static ndgrad.autograd.Function.tensors;

import java.util.Arrays;
import ndgrad.core.ShapeException;
import ndgrad.core.Shapes;
import ndgrad.core.kernels.Products;

/** The matrix products, each one definition: 2-D products as one BLAS gemm, batched products, and linear layers. */
final class LinearAlgebra {
    private LinearAlgebra() {
    }

    /**
     * The matrix product of {@link Tensor#matmul}, as {@code torch.matmul}: a 1-D operand becomes a row (first) or a
     * column (second) and loses that dimension again; 2-D products are one gemm ({@link #mm}); otherwise the
     * dimensions before the last two are batch dimensions, broadcast against each other and flattened into one for
     * {@link #bmm}, a 2-D operand standing for every batch.
     */
    static Tensor matmul(Tensor a, Tensor b) {
        if (a.dtype() != b.dtype()) {
            throw new ShapeException("matmul: dtypes differ: " + a.dtype() + " and " + b.dtype());
        }
        if (a.dim() < 1 || b.dim() < 1) {
            throw new ShapeException("matmul: expected operands of at least 1 dimension, got shapes "
                    + a.shapeString() + " and " + b.shapeString());
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
        long[] batch = Shapes.broadcast("matmul", batchShape(a), batchShape(b));
        long count = Shapes.numel(batch);
        long[] out = Arrays.copyOf(batch, batch.length + 2);
        out[batch.length] = a.size(-2);
        out[batch.length + 1] = b.size(-1);
        return bmm(batches(a, batch, count), batches(b, batch, count), false, false).reshape(out);
    }

    /** The dimensions of a matrix operand before its last two. */
    private static long[] batchShape(Tensor m) {
        return Arrays.copyOf(m.shape(), m.dim() - 2);
    }

    /** A matrix operand as 3-D (count, rows, cols) over the broadcast {@code batch}, or itself when 2-D. */
    private static Tensor batches(Tensor m, long[] batch, long count) {
        if (m.dim() == 2) {
            return m;
        }
        long[] full = Arrays.copyOf(batch, batch.length + 2);
        full[batch.length] = m.size(-2);
        full[batch.length + 1] = m.size(-1);
        return m.expand(full).reshape(count, m.size(-2), m.size(-1));
    }

    /**
     * op(a)·op(b), op transposing when its flag is set, as one BLAS gemm that reads transposed operands in place; an
     * operand of other than 2 dimensions is the matrix of its rows, and the result keeps a's leading dimensions when a
     * is not transposed ({@link Products#gemm}: {@link #linear}'s input and gradients of shape (*, n)). Its backward is
     * again this op with other flags, so it is differentiable any number of times without transpose nodes: for C = A·B,
     * dA = G·Bᵀ, dB = Aᵀ·G; for C = A·Bᵀ, dA = G·B, dB = Gᵀ·A; for C = Aᵀ·B, dA = B·Gᵀ, dB = A·G; for C = Aᵀ·Bᵀ, dA =
     * Bᵀ·Gᵀ, dB = Gᵀ·Aᵀ.
     */
    static Tensor mm(Tensor a, Tensor b, boolean ta, boolean tb) {
        return op("matmul", (c, x) -> {
            c.save(x[0], x[1]);
            return c.output(Products.gemm(x[0].array(), x[1].array(), ta, tb));
        }, (c, g) -> {
            Tensor p = c.saved(0);
            Tensor q = c.saved(1);
            return tensors(c.inputGrad(0, () -> ta ? mm(q, g, tb, true) : mm(g, q, false, !tb)),
                    c.inputGrad(1, () -> tb ? mm(g, p, true, ta) : mm(p, g, !ta, false)));
        }, "G·Bᵀ", "Aᵀ·G").apply(a, b);
    }

    /**
     * Batched products of 3-D operands (a 2-D one standing for every batch) with transposes as flags, one BLAS gemm
     * per batch ({@link Products#bmm}); the backward is this op again with other flags, as for {@link #mm}, and a 2-D
     * operand's gradient is the batch's sum of products ({@link #bmmSum}).
     */
    static Tensor bmm(Tensor a, Tensor b, boolean ta, boolean tb) {
        return op("matmul", (c, x) -> {
            c.save(x[0], x[1]);
            return c.output(Products.bmm(x[0].array(), x[1].array(), ta, tb));
        }, (c, g) -> {
            Tensor p = c.saved(0);
            Tensor q = c.saved(1);
            return tensors(c.inputGrad(0, () -> product(p.dim() == 2, ta ? q : g, ta ? g : q, ta ? tb : false,
                    ta ? true : !tb)), c.inputGrad(1, () -> product(q.dim() == 2, tb ? g : p, tb ? p : g,
                    tb ? true : !ta, tb ? ta : false)));
        }, "G·Bᵀ", "Aᵀ·G").apply(a, b);
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
            return c.output(Products.bmm(x[0].array(), x[1].array(), ta, tb, true));
        }, (c, g) -> {
            Tensor p = c.saved(0);
            Tensor q = c.saved(1);
            return tensors(c.inputGrad(0, () -> ta ? product(p.dim() == 2, q, g, tb, true)
                    : product(p.dim() == 2, g, q, false, !tb)), c.inputGrad(1, () -> tb
                    ? product(q.dim() == 2, g, p, true, ta) : product(q.dim() == 2, p, g, !ta, false)));
        }, "Σ G·Bᵀ", "Σ Aᵀ·G").apply(a, b);
    }

    /**
     * x·Wᵀ + b, PyTorch's {@code F.linear}, as one node for x of shape (*, in): one gemm over x's rows that reads W
     * transposed in place, the bias added in place (a BLAS rank-1 update for large outputs); backward dx = G·W,
     * dW = Gᵀ·x, db = G summed over the rows, with x's leading dimensions folded into rows (a plain x is not copied:
     * {@link #mm}).
     */
    static Tensor linear(Tensor input, Tensor weight, Tensor bias) {
        if (input.dim() < 1 || weight.dim() != 2 || input.size(-1) != weight.size(1)
                || input.dtype() != weight.dtype()) {
            throw new ShapeException("linear: expected input (*, in) and weight (out, in) of one dtype, got "
                    + input.shapeString() + " " + input.dtype() + " and " + weight.shapeString() + " "
                    + weight.dtype());
        }
        if (bias == null) {
            return mm(input, weight, false, true);
        }
        long[] shape = input.shape();
        shape[shape.length - 1] = weight.size(0);
        if (bias.dtype() != input.dtype() || !Arrays.equals(Shapes.broadcast("linear", shape, bias.shape()), shape)) {
            throw new ShapeException("linear: expected a bias of " + input.dtype() + " that broadcasts to "
                    + Shapes.str(shape) + " (e.g. (" + shape[shape.length - 1] + ")), got " + bias.shapeString() + " "
                    + bias.dtype());
        }
        return op("linear", (c, x) -> {
            c.save(x[0], x[1]);
            Tensor out = c.output(Products.gemm(x[0].array(), x[1].array(), false, true));
            Products.axpy(1, x[2].array(), out.array());
            return out;
        }, (c, g) -> tensors(c.inputGrad(0, () -> mm(g, c.saved(1), false, false)),
                c.inputGrad(1, () -> mm(g, c.saved(0), true, false)), c.inputGrad(2, () -> g)),
                "G·W", "Gᵀ·x", "1 (summed over the batch)").apply(input, weight, bias);
    }
}
