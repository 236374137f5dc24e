package ndgrad.nn;

import ndgrad.autograd.Tensor;
import ndgrad.core.Rng;
import ndgrad.core.ShapeException;

/**
 * One batch-first recurrent layer over (batch, seq, input), as PyTorch's {@code nn.RNN}, {@code nn.LSTM} and
 * {@code nn.GRU} with {@code batch_first=True}, one layer, one direction: parameters {@code weight_ih_l0} (G·H,
 * input), {@code weight_hh_l0} (G·H, H), {@code bias_ih_l0} and {@code bias_hh_l0} (G·H) in PyTorch's layout and
 * gate order, initialized uniform in ±1/√H, so PyTorch's weights load as they are. States h0, c0 and the returned
 * h_n, c_n are (1, batch, H), as in PyTorch. {@link RNN}, {@link LSTM} and {@link GRU} give the cell.
 */
public abstract class Recurrent extends Layer {
    /** The outputs: every step's h (batch, seq, H), and the last h and c (1, batch, H); c is null but for LSTM. */
    public record Output(Tensor output, Tensor hn, Tensor cn) {
    }

    private final String layer;
    private final long hidden;
    /** Whether the cell carries a cell state c beside h (LSTM's four gates). */
    private final boolean cellState;
    final Tensor wIh;
    final Tensor wHh;
    final Tensor bIh;
    final Tensor bHh;

    Recurrent(String layer, int gates, int input, int hidden, Rng rng) {
        Layers.checkPositive(layer, "input_size and hidden_size", input, hidden);
        this.layer = layer;
        this.hidden = hidden;
        this.cellState = gates == 4;
        double bound = 1 / Math.sqrt(hidden);
        wIh = param("weight_ih_l0", Tensor.uniform(rng, -bound, bound, (long) gates * hidden, input));
        wHh = param("weight_hh_l0", Tensor.uniform(rng, -bound, bound, (long) gates * hidden, hidden));
        bIh = param("bias_ih_l0", Tensor.uniform(rng, -bound, bound, (long) gates * hidden));
        bHh = param("bias_hh_l0", Tensor.uniform(rng, -bound, bound, (long) gates * hidden));
    }

    /** The outputs of every step (batch, seq, H), from zero initial states. */
    @Override
    public Tensor forward(Tensor x) {
        return run(x, null, null).output();
    }

    /** Every output and the final states, from h0 (and c0 for LSTM; null for zeros), each (1, batch, H). */
    public Output run(Tensor x, Tensor h0, Tensor c0) {
        Layers.checkDtype(layer, x, wIh);
        if (x.dim() != 3 || x.size(2) != wIh.size(1)) {
            throw new ShapeException(layer + ": expected input (batch, seq, " + wIh.size(1) + ") with batch_first, got "
                    + x.shapeString());
        }
        long batch = x.size(0);
        if (!cellState && c0 != null) {
            throw new IllegalArgumentException(layer + ": has no cell state; pass c0 only to an LSTM");
        }
        Tensor h = state("h0", h0, batch, x);
        Tensor c = cellState ? state("c0", c0, batch, x) : null;
        Tensor[] outs = new Tensor[(int) x.size(1)];
        for (int t = 0; t < outs.length; t++) {
            Tensor[] hc = cell(x.select(1, t), h, c);
            h = hc[0];
            c = hc[1];
            outs[t] = h;
        }
        return new Output(Tensor.stack(1, outs), h.unsqueeze(0), cellState ? c.unsqueeze(0) : null);
    }

    private Tensor state(String name, Tensor s, long batch, Tensor x) {
        if (s == null) {
            return Tensor.zeros(batch, hidden).to(x.dtype());
        }
        Layers.checkDtype(layer + " " + name, s, wIh);
        if (s.dim() != 3 || s.size(0) != 1 || s.size(1) != batch || s.size(2) != hidden) {
            throw new ShapeException(layer + ": expected " + name + " of shape (1, " + batch + ", " + hidden
                    + ") (layers, batch, hidden; not batch-first), got " + s.shapeString());
        }
        return s.squeeze(0);
    }

    /** One step: the new h and c from the input x (batch, input) and the previous h and c (batch, H). */
    abstract Tensor[] cell(Tensor x, Tensor h, Tensor c);

    /** Rows [i·H, (i+1)·H) of the gate pre-activations g (batch, G·H): gate i. */
    Tensor gate(Tensor g, int i) {
        return g.slice(1, i * hidden, (i + 1) * hidden);
    }

    @Override
    public String toString() {
        return layer + "(" + wIh.size(1) + ", " + hidden + ", batch_first=true)";
    }
}
