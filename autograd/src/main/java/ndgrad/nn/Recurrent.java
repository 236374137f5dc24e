package ndgrad.nn;

import java.util.ArrayList;
import java.util.List;
import java.util.function.BinaryOperator;
import ndgrad.autograd.Tensor;
import ndgrad.core.Rng;
import ndgrad.core.ShapeException;

/**
 * A stack of recurrent layers, as PyTorch's {@code nn.RNN}, {@code nn.LSTM} and {@code nn.GRU}: {@code numLayers}
 * layers, each in one or two directions (the second reads the sequence backwards; their outputs are concatenated),
 * dropout between layers in training. Parameters {@code weight_ih_l{k}} (G·H, input), {@code weight_hh_l{k}}
 * (G·H, H), {@code bias_ih_l{k}} and {@code bias_hh_l{k}} (G·H), with {@code _reverse} for the second direction, in
 * PyTorch's order, layout and gate order, initialized uniform in ±1/√H, so PyTorch's weights load as they are.
 * States h0, c0 and the returned h_n, c_n are (layers·directions, batch, H), as in PyTorch, whatever batchFirst.
 * {@link RNN}, {@link LSTM} and {@link GRU} give a direction's steps.
 *
 * <p>One difference from PyTorch: the input is batch-first, (batch, seq, input), unless the options say
 * {@code batchFirst(false)}.
 */
public abstract class Recurrent extends Layer {
    /** The outputs: every step's h (batch, seq, D·H, or seq-first), and the last h and c (L·D, batch, H); c is null
     * but for LSTM. */
    public record Output(Tensor output, Tensor hn, Tensor cn) {
    }

    /**
     * The options of PyTorch's constructor after input and hidden size, with its defaults but batchFirst.
     *
     * <p>Usage: {@code new LSTM(32, 64, Recurrent.options().numLayers(2).bidirectional(true), rng)}
     */
    public record Options(int numLayers, boolean bias, boolean batchFirst, double dropout, boolean bidirectional) {
        /** Checks the values, naming the option. */
        public Options {
            if (numLayers < 1 || !(dropout >= 0 && dropout < 1)) {
                throw new IllegalArgumentException("Recurrent: expected num_layers >= 1 and dropout in [0, 1), got "
                        + "num_layers=" + numLayers + ", dropout=" + dropout);
            }
        }

        /** With {@code n} stacked layers. */
        public Options numLayers(int n) {
            return new Options(n, bias, batchFirst, dropout, bidirectional);
        }

        /** With or without the biases. */
        public Options bias(boolean on) {
            return new Options(numLayers, on, batchFirst, dropout, bidirectional);
        }

        /** Input and output (batch, seq, features) if true, (seq, batch, features) if false. */
        public Options batchFirst(boolean on) {
            return new Options(numLayers, bias, on, dropout, bidirectional);
        }

        /** Dropout with probability p on each layer's output but the last, in training. */
        public Options dropout(double p) {
            return new Options(numLayers, bias, batchFirst, p, bidirectional);
        }

        /** A second direction per layer. */
        public Options bidirectional(boolean on) {
            return new Options(numLayers, bias, batchFirst, dropout, on);
        }
    }

    /** One layer, with biases, batch-first, no dropout, one direction. */
    public static Options options() {
        return new Options(1, true, true, 0, false);
    }

    private final String layer;
    private final int input;
    private final long hidden;
    private final Options options;
    /** Whether the cell carries a cell state c beside h (LSTM's four gates). */
    private final boolean cellState;
    /** Per layer and direction (index layer·D + direction): weight_ih, weight_hh, bias_ih, bias_hh (null without). */
    private final List<Tensor[]> weights = new ArrayList<>();
    private final Dropout dropout;

    Recurrent(String layer, int gates, int input, int hidden, Options options, Rng rng) {
        Layers.checkPositive(layer, "input_size and hidden_size", input, hidden);
        this.layer = layer;
        this.input = input;
        this.hidden = hidden;
        this.options = options;
        this.cellState = gates == 4;
        double bound = 1 / Math.sqrt(hidden);
        int directions = options.bidirectional() ? 2 : 1;
        for (int l = 0; l < options.numLayers(); l++) {
            long in = l == 0 ? input : (long) directions * hidden;
            for (int d = 0; d < directions; d++) {
                String suffix = "_l" + l + (d == 1 ? "_reverse" : "");
                Tensor[] w = new Tensor[4];
                w[0] = param("weight_ih" + suffix, Tensor.uniform(rng, -bound, bound, (long) gates * hidden, in));
                w[1] = param("weight_hh" + suffix, Tensor.uniform(rng, -bound, bound, (long) gates * hidden, hidden));
                if (options.bias()) {
                    w[2] = param("bias_ih" + suffix, Tensor.uniform(rng, -bound, bound, (long) gates * hidden));
                    w[3] = param("bias_hh" + suffix, Tensor.uniform(rng, -bound, bound, (long) gates * hidden));
                }
                weights.add(w);
            }
        }
        this.dropout = options.dropout() > 0 && options.numLayers() > 1 ? new Dropout(options.dropout(), rng.split())
                : null;
    }

    /** The outputs of every step, from zero initial states. */
    @Override
    public Tensor forward(Tensor x) {
        return forward(x, null, null).output();
    }

    /** Every output and the final states from h0 (null for zeros); for RNN and GRU, as PyTorch's {@code rnn(x, h0)}. */
    public Output forward(Tensor x, Tensor h0) {
        if (cellState && h0 != null) {
            throw new IllegalArgumentException(layer + ": takes h0 and c0 together, forward(x, h0, c0)");
        }
        return forward(x, h0, null);
    }

    /**
     * Every output and the final states, from h0 and c0 (c0 for LSTM only; null for zeros), each (L·D, batch, H):
     * PyTorch's {@code output, (h_n, c_n) = lstm(x, (h0, c0))}.
     */
    public Output forward(Tensor x, Tensor h0, Tensor c0) {
        Tensor[] first = weights.get(0);
        Layers.checkDtype(layer, x, first[0]);
        String order = options.batchFirst() ? "(batch, seq, " : "(seq, batch, ";
        if (x.dim() != 3 || x.size(2) != input) {
            throw new ShapeException(layer + ": expected input " + order + input + ")"
                    + (options.batchFirst() ? " with batch_first" : "") + ", got " + x.shapeString());
        }
        if (!cellState && c0 != null) {
            throw new IllegalArgumentException(layer + ": has no cell state; pass c0 only to an LSTM");
        }
        Tensor seq = options.batchFirst() ? x : x.transpose(0, 1);
        long batch = seq.size(0);
        int directions = options.bidirectional() ? 2 : 1;
        Tensor h0s = state("h0", h0, batch, x);
        Tensor c0s = cellState ? state("c0", c0, batch, x) : null;
        Tensor[] hn = new Tensor[weights.size()];
        Tensor[] cn = new Tensor[weights.size()];
        for (int l = 0; l < options.numLayers(); l++) {
            Tensor[] outs = new Tensor[directions];
            for (int d = 0; d < directions; d++) {
                int i = l * directions + d;
                Tensor[] w = weights.get(i);
                // the input's share of every step's gates in one product over the batch's steps: (batch, seq, G·H)
                Tensor gx = seq.linear(w[0], w[2]);
                Tensor[] r = direction(gx, h0s.select(0, i), cellState ? c0s.select(0, i) : null, w, d == 1);
                outs[d] = r[0];
                hn[i] = r[1];
                cn[i] = r[2];
            }
            seq = directions == 1 ? outs[0] : Tensor.concat(2, outs);
            if (dropout != null && l < options.numLayers() - 1) {
                seq = dropout.forward(seq);
            }
        }
        return new Output(options.batchFirst() ? seq : seq.transpose(0, 1), Tensor.stack(0, hn),
                cellState ? Tensor.stack(0, cn) : null);
    }

    private Tensor state(String name, Tensor s, long batch, Tensor x) {
        long layers = weights.size();
        if (s == null) {
            return Tensor.zeros(layers, batch, hidden).to(x.dtype());
        }
        Layers.checkDtype(layer + " " + name, s, weights.get(0)[0]);
        if (s.dim() != 3 || s.size(0) != layers || s.size(1) != batch || s.size(2) != hidden) {
            throw new ShapeException(layer + ": expected " + name + " of shape (" + layers + ", " + batch + ", "
                    + hidden + ") (layers·directions, batch, hidden; never batch-first), got " + s.shapeString());
        }
        return s;
    }

    /**
     * One direction of one layer over every step: {output (batch, seq, H), h_n, c_n (null without a cell state)} from
     * the input's share of the gates {@code gx} = W_ih x + b_ih (batch, seq, G·H), the initial h and c (batch, H) and
     * the weights weight_ih, weight_hh, bias_ih, bias_hh (biases null without); {@code reverse} reads from the last
     * step.
     */
    abstract Tensor[] direction(Tensor gx, Tensor h, Tensor c, Tensor[] w, boolean reverse);

    /** A direction without a cell state taken step by step: each step's new h from its gates' input share and h. */
    static Tensor[] stepwise(Tensor gx, Tensor h, boolean reverse, BinaryOperator<Tensor> step) {
        Tensor[] inputs = gx.unbind(1);
        Tensor[] steps = new Tensor[inputs.length];
        for (int s = 0; s < steps.length; s++) {
            int t = reverse ? steps.length - 1 - s : s;
            h = step.apply(inputs[t], h);
            steps[t] = h;
        }
        return new Tensor[] {Tensor.stack(1, steps), h, null};
    }

    @Override
    public String toString() {
        return layer + "(" + input + ", " + hidden + (options.numLayers() > 1 ? ", num_layers=" + options.numLayers()
                : "") + (options.bias() ? "" : ", bias=false") + ", batch_first=" + options.batchFirst()
                + (options.dropout() > 0 ? ", dropout=" + options.dropout() : "")
                + (options.bidirectional() ? ", bidirectional=true" : "") + ")";
    }
}
