package ndgrad.nn;

import ndgrad.autograd.Tensor;
import ndgrad.core.Rng;

/**
 * The Elman RNN with tanh, as {@code torch.nn.RNN}: h_t = tanh(W_ih x_t + b_ih + W_hh h_(t-1) + b_hh). See
 * {@link Recurrent} for layers, directions and states.
 *
 * <p>Usage: {@code RNN rnn = new RNN(8, 16, rng); Recurrent.Output o = rnn.forward(x, h0);}
 */
public final class RNN extends Recurrent {
    /** One batch-first layer, its weights from {@link Rng#global()}. */
    public RNN(int input, int hidden) {
        this(input, hidden, options(), Rng.global());
    }

    /** With PyTorch's options, its weights from {@link Rng#global()}. */
    public RNN(int input, int hidden, Options options) {
        this(input, hidden, options, Rng.global());
    }

    /** One batch-first layer from input features to hidden units. */
    public RNN(int input, int hidden, Rng rng) {
        this(input, hidden, options(), rng);
    }

    /** With PyTorch's options: layers, bias, batch_first, dropout, bidirectional. */
    public RNN(int input, int hidden, Options options, Rng rng) {
        super("RNN", 1, input, hidden, options, rng);
    }

    @Override
    Tensor[] direction(Tensor gx, Tensor h, Tensor c, Tensor[] w, boolean reverse) {
        return stepwise(gx, h, reverse, (x, prev) -> x.add(prev.linear(w[1], w[3])).tanh());
    }
}
