package ndgrad.nn;

import ndgrad.autograd.Tensor;
import ndgrad.core.Rng;
import ndgrad.core.ShapeException;

/**
 * Multi-head self-attention over (batch, seq, embed), as {@code torch.nn.MultiheadAttention(batch_first=True)} with
 * query = key = value: Q, K, V = x W_inᵀ + b_in split in three, each split into heads of embed/heads; per head
 * {@link Attention#scaledDotProduct}; the heads joined and projected by {@code out_proj}. Parameters as PyTorch names
 * them: {@code in_proj_weight} (3E, E), {@code in_proj_bias} (3E), {@code out_proj.weight} (E, E),
 * {@code out_proj.bias} (E). Initialized as PyTorch does: in_proj_weight by xavier_uniform_, out_proj.weight as a
 * Linear's, both biases zero.
 *
 * <p>Usage: {@code MultiheadAttention mha = new MultiheadAttention(32, 4, true, rng); Tensor y = mha.forward(x);}
 */
public final class MultiheadAttention extends Layer {
    private final int heads;
    private final boolean causal;
    private final double dropout;
    private final Rng rng;
    private final Tensor inWeight;
    private final Tensor inBias;
    private final Linear out;

    /** Self-attention, its weights from {@link Rng#global()}. */
    public MultiheadAttention(int embed, int heads, boolean causal) {
        this(embed, heads, causal, Rng.global());
    }

    /** Self-attention over {@code embed} features in {@code heads} heads, causal (each position sees the past) or not. */
    public MultiheadAttention(int embed, int heads, boolean causal, Rng rng) {
        this(embed, heads, causal, 0, rng);
    }

    /** With PyTorch's {@code dropout} on the attention weights, in training only. */
    public MultiheadAttention(int embed, int heads, boolean causal, double dropout, Rng rng) {
        Layers.checkPositive("MultiheadAttention", "embed_dim and num_heads", embed, heads);
        if (embed % heads != 0) {
            throw new IllegalArgumentException("MultiheadAttention: embed_dim " + embed + " must be divisible by "
                    + "num_heads " + heads);
        }
        double bound = Math.sqrt(6.0 / (embed + 3 * embed));
        if (!(dropout >= 0 && dropout < 1)) {
            throw new IllegalArgumentException("MultiheadAttention: dropout must be in [0, 1), got " + dropout);
        }
        this.heads = heads;
        this.causal = causal;
        this.dropout = dropout;
        this.inWeight = param("in_proj_weight", Tensor.uniform(rng, -bound, bound, 3L * embed, embed));
        this.inBias = param("in_proj_bias", Tensor.zeros(3L * embed));
        this.out = child("out_proj", new Linear(embed, embed, rng));
        Init.zeros(out.bias());
        this.rng = rng.split();
    }

    @Override
    public Tensor forward(Tensor x) {
        return forward(x, null, null);
    }

    /**
     * Self-attention with PyTorch's masks: {@code attnMask} (L, L) or (batch·heads, L, L) and {@code keyPaddingMask}
     * (batch, L), each bool (true where a query may NOT look, as in {@code nn.MultiheadAttention}; the opposite of
     * {@link Attention}'s bool masks) or floating (added to the scores); null for none.
     */
    public Tensor forward(Tensor x, Tensor attnMask, Tensor keyPaddingMask) {
        Layers.checkDtype("MultiheadAttention", x, inWeight);
        long e = inWeight.size(1);
        if (x.dim() != 3 || x.size(2) != e) {
            throw new ShapeException("MultiheadAttention: expected input (batch, seq, " + e + "), got "
                    + x.shapeString());
        }
        long b = x.size(0);
        long t = x.size(1);
        long d = e / heads;
        Tensor qkv = x.linear(inWeight, inBias).reshape(b, t, 3, heads, d);
        Tensor[] parts = new Tensor[3];
        for (int i = 0; i < 3; i++) {
            parts[i] = qkv.select(2, i).permute(0, 2, 1, 3);
        }
        Tensor mask = null;
        if (attnMask != null) {
            boolean batched = attnMask.dim() == 3 && attnMask.size(0) == b * heads && attnMask.size(1) == t
                    && attnMask.size(2) == t;
            if (!batched && (attnMask.dim() != 2 || attnMask.size(0) != t || attnMask.size(1) != t)) {
                throw new ShapeException("MultiheadAttention: expected attn_mask of shape (" + t + ", " + t + ") or ("
                        + b * heads + ", " + t + ", " + t + "), got " + attnMask.shapeString());
            }
            mask = additive(batched ? attnMask.reshape(b, heads, t, t) : attnMask, x.dtype());
        }
        if (keyPaddingMask != null) {
            if (keyPaddingMask.dim() != 2 || keyPaddingMask.size(0) != b || keyPaddingMask.size(1) != t) {
                throw new ShapeException("MultiheadAttention: expected key_padding_mask of shape (" + b + ", " + t
                        + "), got " + keyPaddingMask.shapeString());
            }
            Tensor pad = additive(keyPaddingMask.reshape(b, 1, 1, t), x.dtype());
            mask = mask == null ? pad : mask.add(pad);
        }
        Attention.Options o = Attention.options().causal(causal).mask(mask);
        if (isTraining() && dropout > 0) {
            o = o.dropout(dropout, rng);
        }
        Tensor y = Attention.scaledDotProduct(parts[0], parts[1], parts[2], o);
        return out.forward(y.permute(0, 2, 1, 3).reshape(b, t, e));
    }

    /** A PyTorch module mask as scores to add: -∞ where a bool mask is true, a floating mask as it is. */
    private static Tensor additive(Tensor mask, org.nd4j.linalg.api.buffer.DataType type) {
        if (mask.dtype() == org.nd4j.linalg.api.buffer.DataType.BOOL) {
            return Tensor.where(mask, Tensor.full(Double.NEGATIVE_INFINITY).to(type), Tensor.zeros().to(type));
        }
        if (mask.dtype() != type) {
            throw new ShapeException("MultiheadAttention: expected a bool mask or one of dtype " + type + ", got "
                    + mask.dtype());
        }
        return mask;
    }

    @Override
    public String toString() {
        return "MultiheadAttention(" + inWeight.size(1) + ", heads=" + heads + (causal ? ", causal" : "")
                + (dropout > 0 ? ", dropout=" + dropout : "") + ")";
    }
}
