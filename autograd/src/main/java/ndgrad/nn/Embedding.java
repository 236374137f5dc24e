package ndgrad.nn;

import ndgrad.autograd.Autograd;
import ndgrad.autograd.Tensor;
import ndgrad.core.NdArrays;
import ndgrad.core.Rng;
import ndgrad.core.ShapeException;

/**
 * A lookup table, as {@code torch.nn.Embedding}: ids of any shape (int64) give rows of the weight (num, dim), shape
 * ids.shape + (dim); repeated ids accumulate their rows' gradients. The weight starts standard normal, as in
 * PyTorch; with a padding index, that row starts at zero and never gets a gradient.
 *
 * <p>Usage: {@code Embedding emb = new Embedding(1000, 32, rng); Tensor v = emb.forward(ids); // ids (B, T)}
 */
public final class Embedding extends Layer {
    private final Tensor weight;
    private final long paddingIdx;
    private final Tensor keep;

    /** A table of {@code num} vectors of {@code dim}, drawn from {@link Rng#global()}. */
    public Embedding(int num, int dim) {
        this(num, dim, Rng.global());
    }

    /** A table of num rows of size dim, no padding index. */
    public Embedding(int num, int dim, Rng rng) {
        this(num, dim, -1, rng);
    }

    /** With a padding index in [0, num), or -1 for none. */
    public Embedding(int num, int dim, int paddingIdx, Rng rng) {
        Layers.checkPositive("Embedding", "num_embeddings and embedding_dim", num, dim);
        if (paddingIdx < -1 || paddingIdx >= num) {
            throw new IllegalArgumentException("Embedding: padding index " + paddingIdx + " is outside [0, " + num
                    + ") (use -1 for none)");
        }
        Tensor w = Tensor.randn(rng, num, dim);
        this.paddingIdx = paddingIdx;
        if (paddingIdx >= 0) {
            double[] m = new double[num];
            java.util.Arrays.fill(m, 1);
            m[paddingIdx] = 0;
            keep = Tensor.of(NdArrays.create(m, new long[] {num, 1}, w.dtype()));
            try (Autograd.GradMode off = Autograd.noGrad()) {
                w = w.mul(keep);
            }
        } else {
            keep = null;
        }
        this.weight = param("weight", w);
    }

    /** The rows of {@code ids} (an integer tensor), shape ids.shape + (dim). */
    @Override
    public Tensor forward(Tensor ids) {
        if (ids.dtype().isFPType()) {
            throw new ShapeException("Embedding: expected integer ids, got " + ids.dtype() + "; convert the ids, e.g. "
                    + "build them with DataType.LONG");
        }
        double[] v = ids.toDoubleArray();
        long[] rows = new long[v.length];
        long num = weight.size(0);
        for (int i = 0; i < v.length; i++) {
            rows[i] = (long) v[i];
            if (rows[i] < 0 || rows[i] >= num) {
                throw new ShapeException("Embedding: id " + rows[i] + " at position " + i + " is outside [0, " + num
                        + "); the table has " + num + " rows");
            }
        }
        Tensor table = keep == null ? weight : weight.mul(keep).add(weight.detach().mul(keep.rsub(1)));
        long[] shape = java.util.Arrays.copyOf(ids.shape(), ids.dim() + 1);
        shape[ids.dim()] = weight.size(1);
        return table.indexSelect(0, rows).reshape(shape);
    }

    /** The table, shape (num, dim). */
    public Tensor weight() {
        return weight;
    }

    @Override
    public String toString() {
        return "Embedding(" + weight.size(0) + ", " + weight.size(1) + (paddingIdx >= 0 ? ", padding_idx="
                + paddingIdx : "") + ")";
    }
}
