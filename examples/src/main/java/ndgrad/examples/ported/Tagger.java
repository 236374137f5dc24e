package ndgrad.examples.ported;

import ndgrad.autograd.Tensor;
import ndgrad.nn.Embedding;
import ndgrad.nn.LSTM;
import ndgrad.nn.Layer;
import ndgrad.nn.Linear;
import ndgrad.nn.Recurrent;

/**
 * A tagger, ported line by line from the PyTorch class {@code Tagger} in
 * {@code examples/src/test/python/port_from_pytorch.py}: embedded int64 ids through a two-layer bidirectional LSTM,
 * then log-probabilities of a tag per position. PyTorch's {@code state_dict} loads as it is.
 *
 * <p>Usage: {@code Tensor logp = new Tagger(50, 16, 32, 7).eval().forward(Tensor.of(ids, 3, 9));}
 */
public final class Tagger extends Layer {
    final Embedding embed;
    final LSTM lstm;
    final Linear out;

    /** A vocabulary of {@code vocab} ids, embedded in {@code dim}, {@code hidden} units per direction, {@code tags}. */
    public Tagger(int vocab, int dim, int hidden, int tags) {
        embed = new Embedding(vocab, dim);
        lstm = new LSTM(dim, hidden, Recurrent.options().numLayers(2).bidirectional(true).batchFirst(true)
                .dropout(0.1));
        out = new Linear(2 * hidden, tags);
    }

    @Override
    public Tensor forward(Tensor ids) {
        Tensor h = lstm.forward(embed.forward(ids));
        return out.forward(h).logSoftmax(-1);
    }
}
