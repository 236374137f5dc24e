package ndgrad.examples;

import java.io.IOException;
import java.util.Arrays;
import ndgrad.autograd.Autograd;
import ndgrad.autograd.Tensor;
import ndgrad.core.Idx;
import ndgrad.core.Rng;
import ndgrad.core.Scope;
import ndgrad.nn.Activation;
import ndgrad.nn.Linear;
import ndgrad.nn.Losses;
import ndgrad.nn.Sequential;
import ndgrad.optim.Adam;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Trains a 784-128-10 ReLU MLP with softmax cross-entropy and Adam (lr 1e-3) on the bundled MNIST subset: the
 * first 8,000 digits train, the last 2,000 test. Every step runs in a {@link Scope}, so its arrays are freed at once.
 *
 * <p>Usage: {@code mvn -B -q -pl examples exec:java -Dexec.args="--epochs 5"}
 */
public final class TrainMnist {
    private static final Logger LOG = LoggerFactory.getLogger(TrainMnist.class);

    /** Epochs, batch size, learning rate, how many of the first 8,000 digits to train on, and the seed. */
    public record Settings(int epochs, int batch, double lr, int trainSize, long seed) {
        static Settings parse(String[] args) {
            Settings s = new Settings(5, 32, 1e-3, 8000, 42);
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
        Sequential model = new Sequential(new Linear(784, 128, rng), Activation.relu(), new Linear(128, 10, rng));
        Adam opt = new Adam(model.parameters(), Adam.options().lr(s.lr()));
        int steps = s.trainSize() / s.batch();
        for (int epoch = 1; epoch <= s.epochs(); epoch++) {
            long t0 = System.nanoTime();
            int[] order = rng.permutation(s.trainSize());
            double lossSum = 0;
            for (int b = 0; b < steps; b++) {
                int[] rows = Arrays.copyOfRange(order, b * s.batch(), (b + 1) * s.batch());
                int[] y = Arrays.stream(rows).map(r -> labels[r]).toArray();
                try (Scope step = Scope.open()) {
                    Tensor x = Tensor.of(Scope.track(Nd4j.pullRows(images, 1, rows)));
                    Tensor loss = Losses.crossEntropy(model.forward(x), y);
                    opt.zeroGrad();
                    loss.backward();
                    opt.step();
                    lossSum += loss.item();
                }
            }
            double seconds = (System.nanoTime() - t0) / 1e9;
            LOG.info("epoch {}: train loss {}, test accuracy {}%, {} s, {} steps/s", epoch,
                    String.format("%.4f", lossSum / steps), String.format("%.2f", 100 * accuracy(model, images,
                            labels)), String.format("%.1f", seconds), Math.round(steps / seconds));
        }
        return accuracy(model, images, labels);
    }

    private static double accuracy(Sequential model, INDArray images, int[] labels) {
        try (Scope s = Scope.open(); Autograd.GradMode off = Autograd.noGrad()) {
            Tensor x = Tensor.of(images).slice(0, 8000, 10000);
            INDArray predicted = Scope.track(Nd4j.argMax(model.forward(x).data(), 1));
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
