package ndgrad.nn;

import ndgrad.autograd.Tensor;
import ndgrad.core.Rng;

/**
 * Long short-term memory (Hochreiter &amp; Schmidhuber 1997), as {@code torch.nn.LSTM(batch_first=True)}: with gate
 * rows in PyTorch's order i, f, g, o of W_ih x_t + b_ih + W_hh h + b_hh,
 * c_t = σ(f)·c_(t-1) + σ(i)·tanh(g), h_t = σ(o)·tanh(c_t). See {@link Recurrent}.
 *
 * <p>Usage: {@code LSTM lstm = new LSTM(8, 32, rng); Recurrent.Output o = lstm.run(x, h0, c0);}
 */
public final class LSTM extends Recurrent {
    /** A layer from input features to hidden units. */
    public LSTM(int input, int hidden, Rng rng) {
        super("LSTM", 4, input, hidden, rng);
    }

    @Override
    Tensor[] cell(Tensor x, Tensor h, Tensor c) {
        Tensor g = x.linear(wIh, bIh).add(h.linear(wHh, bHh));
        Tensor next = gate(g, 1).sigmoid().mul(c).add(gate(g, 0).sigmoid().mul(gate(g, 2).tanh()));
        return new Tensor[] {gate(g, 3).sigmoid().mul(next.tanh()), next};
    }
}
