package ndgrad.nn;

import ndgrad.autograd.Tensor;
import ndgrad.core.Rng;

/**
 * The Elman RNN with tanh, as {@code torch.nn.RNN(batch_first=True)}: h_t = tanh(W_ih x_t + b_ih + W_hh h_(t-1) +
 * b_hh). See {@link Recurrent}.
 *
 * <p>Usage: {@code RNN rnn = new RNN(8, 16, rng); Recurrent.Output o = rnn.run(x, null, null);}
 */
public final class RNN extends Recurrent {
    /** A layer from input features to hidden units. */
    public RNN(int input, int hidden, Rng rng) {
        super("RNN", 1, input, hidden, rng);
    }

    @Override
    Tensor[] cell(Tensor x, Tensor h, Tensor c) {
        return new Tensor[] {x.linear(wIh, bIh).add(h.linear(wHh, bHh)).tanh(), null};
    }
}
