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
    private final Tensor inWeight;
    private final Tensor inBias;
    private final Linear out;

    /** Self-attention, its weights from {@link Rng#global()}. */
    public MultiheadAttention(int embed, int heads, boolean causal) {
        this(embed, heads, causal, Rng.global());
    }

    /** Self-attention over {@code embed} features in {@code heads} heads, causal (each position sees the past) or not. */
    public MultiheadAttention(int embed, int heads, boolean causal, Rng rng) {
        Layers.checkPositive("MultiheadAttention", "embed_dim and num_heads", embed, heads);
        if (embed % heads != 0) {
            throw new IllegalArgumentException("MultiheadAttention: embed_dim " + embed + " must be divisible by "
                    + "num_heads " + heads);
        }
        double bound = Math.sqrt(6.0 / (embed + 3 * embed));
        this.heads = heads;
        this.causal = causal;
        this.inWeight = param("in_proj_weight", Tensor.uniform(rng, -bound, bound, 3L * embed, embed));
        this.inBias = param("in_proj_bias", Tensor.zeros(3L * embed));
        this.out = child("out_proj", new Linear(embed, embed, rng));
        Init.zeros(out.bias());
    }

    @Override
    public Tensor forward(Tensor x) {
        Layers.checkDtype("MultiheadAttention", x, inWeight);
        long e = inWeight.size(1);
        if (x.dim() != 3 || x.size(2) != e) {
            throw new ShapeException("MultiheadAttention: expected input (batch, seq, " + e + "), got "
                    + x.shapeString());
        }
        long b = x.size(0);
        long t = x.size(1);
        long d = e / heads;
        Tensor qkv = x.reshape(b * t, e).linear(inWeight, inBias).reshape(b, t, 3, heads, d);
        Tensor[] parts = new Tensor[3];
        for (int i = 0; i < 3; i++) {
            parts[i] = qkv.select(2, i).permute(0, 2, 1, 3).reshape(b * heads, t, d);
        }
        Tensor y = Attention.scaledDotProduct(parts[0], parts[1], parts[2], causal);
        return out.forward(y.reshape(b, heads, t, d).permute(0, 2, 1, 3).reshape(b * t, e)).reshape(b, t, e);
    }

    @Override
    public String toString() {
        return "MultiheadAttention(" + inWeight.size(1) + ", heads=" + heads + (causal ? ", causal" : "") + ")";
    }
}
