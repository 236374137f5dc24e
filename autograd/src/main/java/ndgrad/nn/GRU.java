package ndgrad.nn;

import ndgrad.autograd.Tensor;
import ndgrad.core.Rng;

/**
 * Gated recurrent unit (Cho et al. 2014), as {@code torch.nn.GRU}: gate rows in PyTorch's order r, z, n;
 * r = σ(W_ir x + b_ir + W_hr h + b_hr), z = σ(W_iz x + b_iz + W_hz h + b_hz),
 * n = tanh(W_in x + b_in + r·(W_hn h + b_hn)), h_t = (1 - z)·n + z·h_(t-1). See {@link Recurrent} for layers,
 * directions and states.
 *
 * <p>Usage: {@code GRU gru = new GRU(8, 32, rng); Tensor out = gru.forward(x);}
 */
public final class GRU extends Recurrent {
    /** One batch-first layer, its weights from {@link Rng#global()}. */
    public GRU(int input, int hidden) {
        this(input, hidden, options(), Rng.global());
    }

    /** With PyTorch's options, its weights from {@link Rng#global()}. */
    public GRU(int input, int hidden, Options options) {
        this(input, hidden, options, Rng.global());
    }

    /** One batch-first layer from input features to hidden units. */
    public GRU(int input, int hidden, Rng rng) {
        this(input, hidden, options(), rng);
    }

    /** With PyTorch's options: layers, bias, batch_first, dropout, bidirectional. */
    public GRU(int input, int hidden, Options options, Rng rng) {
        super("GRU", 3, input, hidden, options, rng);
    }

    @Override
    Tensor[] direction(Tensor gx, Tensor h, Tensor c, Tensor[] w, boolean reverse) {
        return stepwise(gx, h, reverse, (gi, prev) -> {
            Tensor[] a = gi.chunk(3, 1);
            Tensor[] b = prev.linear(w[1], w[3]).chunk(3, 1);
            Tensor r = a[0].add(b[0]).sigmoid();
            Tensor z = a[1].add(b[1]).sigmoid();
            Tensor n = a[2].add(r.mul(b[2])).tanh();
            return z.rsub(1).mul(n).add(z.mul(prev));
        });
    }
}
