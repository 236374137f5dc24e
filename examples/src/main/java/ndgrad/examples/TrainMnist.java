package ndgrad.examples;

import java.io.IOException;
import java.util.List;
import ndgrad.autograd.Autograd;
import ndgrad.autograd.Tensor;
import ndgrad.core.Idx;
import ndgrad.core.Rng;
import ndgrad.core.Scope;
import ndgrad.optim.Sgd;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Trains a 784-128-10 ReLU MLP with softmax cross-entropy and plain SGD on the bundled MNIST subset: the first
 * 8,000 digits train, the last 2,000 test. Every step runs in a {@link Scope}, so its arrays are freed at once.
 *
 * <p>Usage: {@code mvn -B -q -pl examples exec:java -Dexec.args="--epochs 5"}
 */
public final class TrainMnist {
    private static final Logger LOG = LoggerFactory.getLogger(TrainMnist.class);

    /** Epochs, batch size, learning rate, how many of the first 8,000 digits to train on, and the seed. */
    public record Settings(int epochs, int batch, double lr, int trainSize, long seed) {
        static Settings parse(String[] args) {
            Settings s = new Settings(5, 32, 0.1, 8000, 42);
            for (int i = 0; i + 1 < args.length; i += 2) {
                int v = Integer.parseInt(args[i + 1]);
                switch (args[i]) {
                    case "--epochs" -> s = new Settings(v, s.batch, s.lr, s.trainSize, s.seed);
                    case "--train-size" -> s = new Settings(s.epochs, s.batch, s.lr, Math.min(v, 8000), s.seed);
                    default -> throw new IllegalArgumentException("unknown option " + args[i]
                            + " (expected --epochs N, --train-size N)");
                }
            }
            if (args.length % 2 != 0 || s.epochs < 1 || s.trainSize < s.batch) {
                throw new IllegalArgumentException("expected --epochs N (N >= 1) and --train-size N (N >= 32)");
            }
            return s;
        }
    }

    public static void main(String[] args) throws IOException {
        Settings s;
        try {
            s = Settings.parse(args);
        } catch (IllegalArgumentException e) {
            LOG.error("train-mnist: {}", e.getMessage());
            System.exit(2);
            return;
        }
        INDArray images = Idx.readImages(resource("mnist-10k-images-idx3-ubyte.gz"), "bundled MNIST images");
        int[] labels = Idx.readLabels(resource("mnist-10k-labels-idx1-ubyte.gz"), "bundled MNIST labels");
        LOG.info("test accuracy {}%", String.format("%.2f", 100 * train(s, images, labels)));
    }

    /** Trains with {@code s} and returns the accuracy on digits 8,000 to 9,999. */
    public static double train(Settings s, INDArray images, int[] labels) {
        Rng rng = new Rng(s.seed());
        Tensor w1 = Tensor.randn(rng, 784, 128).mul(Math.sqrt(2.0 / 784)).requiresGrad();
        Tensor b1 = Tensor.zeros(128).requiresGrad();
        Tensor w2 = Tensor.randn(rng, 128, 10).mul(Math.sqrt(1.0 / 128)).requiresGrad();
        Tensor b2 = Tensor.zeros(10).requiresGrad();
        Sgd opt = new Sgd(List.of(w1, b1, w2, b2), s.lr());
        int steps = s.trainSize() / s.batch();
        for (int epoch = 1; epoch <= s.epochs(); epoch++) {
            long t0 = System.nanoTime();
            int[] order = rng.permutation(s.trainSize());
            double lossSum = 0;
            for (int b = 0; b < steps; b++) {
                int[] rows = java.util.Arrays.copyOfRange(order, b * s.batch(), (b + 1) * s.batch());
                try (Scope step = Scope.open()) {
                    Tensor x = Tensor.of(Scope.track(Nd4j.pullRows(images, 1, rows)));
                    Tensor logits = x.matmul(w1).add(b1).relu().matmul(w2).add(b2);
                    Tensor loss = crossEntropy(logits, rows, labels);
                    opt.zeroGrad();
                    loss.backward();
                    opt.step();
                    lossSum += loss.item();
                }
            }
            double seconds = (System.nanoTime() - t0) / 1e9;
            double acc = accuracy(images, labels, w1, b1, w2, b2);
            LOG.info("epoch {}: train loss {}, test accuracy {}%, {} s, {} steps/s", epoch,
                    String.format("%.4f", lossSum / steps), String.format("%.2f", 100 * acc),
                    String.format("%.1f", seconds), Math.round(steps / seconds));
        }
        return accuracy(images, labels, w1, b1, w2, b2);
    }

    /** Mean of -log softmax(logits)[label] over the batch, composed from logSoftmax and a one-hot mask. */
    static Tensor crossEntropy(Tensor logits, int[] rows, int[] labels) {
        double[] oneHot = new double[rows.length * 10];
        for (int i = 0; i < rows.length; i++) {
            oneHot[i * 10 + labels[rows[i]]] = 1;
        }
        return logits.logSoftmax(1).mul(Tensor.of(oneHot, rows.length, 10)).sum().neg().div(rows.length);
    }

    private static double accuracy(INDArray images, int[] labels, Tensor w1, Tensor b1, Tensor w2, Tensor b2) {
        try (Scope s = Scope.open(); Autograd.GradMode off = Autograd.noGrad()) {
            Tensor x = Tensor.of(images).slice(0, 8000, 10000);
            INDArray predicted = Scope.track(Nd4j.argMax(x.matmul(w1).add(b1).relu().matmul(w2).add(b2).data(), 1));
            int correct = 0;
            for (int i = 0; i < 2000; i++) {
                correct += predicted.getInt(i) == labels[8000 + i] ? 1 : 0;
            }
            return correct / 2000.0;
        }
    }

    private static java.io.InputStream resource(String file) {
        return TrainMnist.class.getResourceAsStream("/mnist/" + file);
    }
}
