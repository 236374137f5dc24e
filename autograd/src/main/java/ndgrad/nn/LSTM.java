package ndgrad.nn;

import ndgrad.autograd.Tensor;
import ndgrad.core.Rng;

/**
 * Long short-term memory (Hochreiter &amp; Schmidhuber 1997), as {@code torch.nn.LSTM}: with gate rows in PyTorch's
 * order i, f, g, o of W_ih x_t + b_ih + W_hh h + b_hh, c_t = σ(f)·c_(t-1) + σ(i)·tanh(g), h_t = σ(o)·tanh(c_t).
 * See {@link Recurrent} for layers, directions and states.
 *
 * <p>Usage: {@code LSTM lstm = new LSTM(8, 32, rng); Recurrent.Output o = lstm.forward(x, h0, c0);}
 */
public final class LSTM extends Recurrent {
    /** One batch-first layer, its weights from {@link Rng#global()}. */
    public LSTM(int input, int hidden) {
        this(input, hidden, options(), Rng.global());
    }

    /** With PyTorch's options, its weights from {@link Rng#global()}. */
    public LSTM(int input, int hidden, Options options) {
        this(input, hidden, options, Rng.global());
    }

    /** One batch-first layer from input features to hidden units. */
    public LSTM(int input, int hidden, Rng rng) {
        this(input, hidden, options(), rng);
    }

    /** With PyTorch's options: layers, bias, batch_first, dropout, bidirectional. */
    public LSTM(int input, int hidden, Options options, Rng rng) {
        super("LSTM", 4, input, hidden, options, rng);
    }

    @Override
    Tensor[] direction(Tensor gx, Tensor h, Tensor c, Tensor[] w, boolean reverse) {
        return gx.lstm(h, c, w[1], w[3], reverse);
    }
}
