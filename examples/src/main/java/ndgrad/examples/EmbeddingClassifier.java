package ndgrad.examples;

import java.util.Arrays;
import java.util.List;
import ndgrad.autograd.Tensor;
import ndgrad.core.NdArrays;
import ndgrad.core.Rng;
import ndgrad.nn.*;
import ndgrad.optim.Adam;
import org.nd4j.linalg.api.buffer.DataType;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A small text classifier: token ids and a 0/1 mask of real tokens in, the mean of the real tokens' embeddings, two
 * linear layers out. The seeded synthetic task: a sequence of up to 5 tokens from a vocabulary of 20 (0 pads) belongs
 * to class 0, 1 or 2 by the group its tokens come from ({1..6}, {7..12}, {13..18}). The model's layers and
 * parameters sit in fields, registered without a call.
 *
 * <p>Usage: {@code mvn -B -q -pl examples exec:java -Dexec.mainClass=ndgrad.examples.EmbeddingClassifier}
 */
public final class EmbeddingClassifier {
    private static final Logger LOG = LoggerFactory.getLogger(EmbeddingClassifier.class);

    private EmbeddingClassifier() {
    }

    /** Embedding(20, 8, padding 0), mean over the unmasked tokens, Linear(8, 16), relu, Linear(16, 3), a scale. */
    public static final class Model extends Layer {
        final Embedding emb;
        final List<Linear> mlp;
        final Tensor temperature;

        /** A model with seeded initial weights. */
        public Model(Rng rng) {
            emb = new Embedding(20, 8, 0, rng);
            mlp = List.of(new Linear(8, 16, rng), new Linear(16, 3, rng));
            temperature = Tensor.ones(1).requiresGrad();
        }

        @Override
        public Tensor forward(Tensor ids) {
            throw new UnsupportedOperationException("Model takes token ids and a mask: forward(ids, mask)");
        }

        /** Logits (N, 3) from ids (N, T) int64 and a mask (N, T) of 1 for real tokens, 0 for padding. */
        @Override
        public Tensor forward(Tensor... in) {
            Tensor mask = in[1].unsqueeze(2);
            Tensor mean = emb.forward(in[0]).mul(mask).sum(1).div(mask.sum(1));
            return mlp.get(1).forward(mlp.get(0).forward(mean).relu()).mul(temperature);
        }
    }

    /** n labelled sequences: ids (n, 5) int64, mask (n, 5), labels. */
    public record Data(Tensor ids, Tensor mask, int[] labels) {
    }

    /** The seeded synthetic task described above. */
    public static Data data(int n, Rng rng) {
        double[] tokens = new double[n * 5];
        double[] mask = new double[n * 5];
        int[] labels = new int[n];
        for (int i = 0; i < n; i++) {
            labels[i] = rng.nextInt(3);
            int len = 2 + rng.nextInt(4);
            for (int t = 0; t < len; t++) {
                tokens[i * 5 + t] = 1 + labels[i] * 6 + rng.nextInt(6);
                mask[i * 5 + t] = 1;
            }
        }
        return new Data(Tensor.of(NdArrays.create(tokens, new long[] {n, 5}, DataType.LONG)), Tensor.of(mask, n, 5),
                labels);
    }

    /** Trains with Adam on full batches; returns the first and last loss. */
    public static double[] train(Model m, Data d, int steps, double lr) {
        Adam opt = new Adam(m.parameters(), Adam.options().lr(lr));
        double first = Double.NaN;
        double last = Double.NaN;
        for (int step = 0; step < steps; step++) {
            Tensor loss = Losses.crossEntropy(m.forward(d.ids(), d.mask()), d.labels());
            opt.zeroGrad();
            loss.backward();
            opt.step();
            last = loss.item();
            first = step == 0 ? last : first;
        }
        return new double[] {first, last};
    }

    /** The fraction of sequences classified right. */
    public static double accuracy(Model m, Data d) {
        double[] predicted = m.forward(d.ids(), d.mask()).argmax(1).toDoubleArray();
        return (double) java.util.stream.IntStream.range(0, predicted.length)
                .filter(i -> predicted[i] == d.labels()[i]).count() / predicted.length;
    }

    public static void main(String[] args) {
        Rng rng = new Rng(0);
        Model m = new Model(rng);
        Data train = data(300, rng);
        Data test = data(300, rng);
        double[] loss = train(m, train, 60, 0.05);
        LOG.info("{}: loss {} -> {}; accuracy train {}, test {}", m, String.format("%.4f", loss[0]),
                String.format("%.4f", loss[1]), accuracy(m, train), accuracy(m, test));
        LOG.info("parameters: {}", m.namedParameters().stream().map(p -> p.name() + " " + Arrays.toString(
                p.value().shape())).toList());
    }
}
