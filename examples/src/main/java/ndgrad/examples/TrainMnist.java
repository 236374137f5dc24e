package ndgrad.examples;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import ndgrad.autograd.Autograd;
import ndgrad.autograd.Tensor;
import ndgrad.core.Rng;
import ndgrad.core.memory.Scope;
import ndgrad.nn.Losses;
import ndgrad.nn.Conv2d;
import ndgrad.nn.Sequential;
import ndgrad.optim.LrScheduler;
import ndgrad.optim.Optimizer;
import org.knowm.xchart.XYChart;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Trains an MLP classifier on MNIST with softmax cross-entropy: shuffled minibatches, one {@link Scope} per step,
 * a per-epoch lr schedule, and the train loss and test accuracy logged after every epoch.
 *
 * <p>Usage: {@code TrainMnist.History h = TrainMnist.train(model, opt, schedule, Mnist.bundled(), 15, 64, rng);}
 */
public final class TrainMnist {
    private static final Logger LOG = LoggerFactory.getLogger(TrainMnist.class);

    /**
     * Per epoch: mean train loss, test accuracy, seconds, test loss, and the train accuracy over the epoch's batches
     * (each scored as the model stood when it trained on it, so it costs no extra pass).
     */
    public record History(List<Double> loss, List<Double> accuracy, List<Double> seconds, List<Double> testLoss,
            List<Double> trainAccuracy) {
    }

    /** Trains {@code model} for {@code epochs}; {@code progress} receives (epoch, step, steps) after each step. */
    public static History train(Sequential model, Optimizer<?> opt, LrScheduler schedule, Mnist data, int epochs,
            int batch, Rng rng, Progress progress) {
        History h = new History(new ArrayList<>(), new ArrayList<>(), new ArrayList<>(), new ArrayList<>(),
                new ArrayList<>());
        int n = data.trainY().length;
        int steps = n / batch;
        Tensor images = Tensor.of(data.trainX());
        for (int epoch = 1; epoch <= epochs; epoch++) {
            long t0 = System.nanoTime();
            model.train();
            int[] order = rng.permutation(n);
            double lossSum = 0;
            int right = 0;
            for (int b = 0; b < steps; b++) {
                long[] rows = Arrays.stream(order, b * batch, (b + 1) * batch).asLongStream().toArray();
                int[] y = Arrays.stream(rows).mapToInt(r -> data.trainY()[(int) r]).toArray();
                try (Scope step = Scope.open()) {
                    Tensor logits = model.forward(images.indexSelect(0, rows));
                    right += correct(logits, y);
                    Tensor loss = Losses.crossEntropy(logits, y);
                    opt.zeroGrad();
                    loss.backward();
                    opt.step();
                    lossSum += Diverged.check(loss.item(), "train mnist", (long) (epoch - 1) * steps + b + 1);
                }
                progress.update(epoch, b + 1, steps);
            }
            if (schedule != null) {
                schedule.step();
            }
            double seconds = (System.nanoTime() - t0) / 1e9;
            h.loss().add(lossSum / steps);
            double[] test = lossAndAccuracy(model, data.testX(), data.testY());
            h.accuracy().add(test[1]);
            h.testLoss().add(test[0]);
            h.trainAccuracy().add(right / (double) (steps * batch));
            h.seconds().add(seconds);
            LOG.info("epoch {}/{}: train loss {}, test accuracy {}%, {} s, {} steps/s", epoch, epochs,
                    String.format("%.4f", lossSum / steps), String.format("%.2f", 100 * h.accuracy().get(epoch - 1)),
                    String.format("%.1f", seconds), Math.round(steps / seconds));
        }
        return h;
    }

    /** The fraction of {@code x}'s rows whose arg-max prediction equals the label. */
    public static double accuracy(Sequential model, INDArray x, int[] labels) {
        int[] predicted = predict(model, x);
        int correct = 0;
        for (int i = 0; i < labels.length; i++) {
            correct += predicted[i] == labels[i] ? 1 : 0;
        }
        return correct / (double) labels.length;
    }

    /** How many rows of {@code logits} have their arg-max at the label. */
    private static int correct(Tensor logits, int[] labels) {
        int[] best = argmax(logits);
        int right = 0;
        for (int i = 0; i < labels.length; i++) {
            right += best[i] == labels[i] ? 1 : 0;
        }
        return right;
    }

    /** The (first) arg-max of each row of {@code logits}, from one bulk read of them (no op, so no array, a step). */
    private static int[] argmax(Tensor logits) {
        double[] v = logits.toDoubleArray();
        int classes = (int) logits.size(1);
        int[] best = new int[v.length / classes];
        for (int i = 0; i < best.length; i++) {
            for (int c = 1; c < classes; c++) {
                best[i] = v[i * classes + c] > v[i * classes + best[i]] ? c : best[i];
            }
        }
        return best;
    }

    /** {mean cross-entropy, accuracy} over {@code x}'s rows, in evaluation mode with grad mode off, one pass. */
    static double[] lossAndAccuracy(Sequential model, INDArray x, int[] labels) {
        double[] sums = new double[2];
        inChunks(model, x, (logits, from) -> {
            int[] y = Arrays.copyOfRange(labels, from, from + (int) logits.size(0));
            sums[0] += Losses.crossEntropy(logits, y).item() * y.length;
            sums[1] += correct(logits, y);
        });
        return new double[] {sums[0] / labels.length, sums[1] / labels.length};
    }

    /**
     * The job's charts by file name, each file starting with {@code name} (mnist, or mnist-cnn for the CNN): the train
     * and test loss per epoch, and the train and test accuracy per epoch in percent, on an axis fitted to them.
     */
    static Map<String, XYChart> charts(String name, History h) {
        Map<String, XYChart> c = new LinkedHashMap<>();
        Map<String, double[][]> loss = new LinkedHashMap<>();
        loss.put("train loss", Plots.series(h.loss()));
        loss.put("test loss", Plots.series(h.testLoss()));
        c.put(name + "-loss.png", Plots.chart("MNIST loss", "epoch", "cross-entropy", false, false, loss));
        Map<String, double[][]> accuracy = new LinkedHashMap<>();
        accuracy.put("train accuracy (over the epoch's batches)", Plots.series(h.trainAccuracy().stream()
                .map(a -> 100 * a).toList()));
        accuracy.put("test accuracy", Plots.series(h.accuracy().stream().map(a -> 100 * a).toList()));
        c.put(name + "-accuracy.png", Plots.chart("MNIST accuracy", "epoch", "accuracy (%)", false, false,
                accuracy));
        return c;
    }

    /** The class probabilities (softmax of the logits) of one row {@code x}, in evaluation mode, grad mode off. */
    public static double[] probabilities(Sequential model, INDArray x) {
        model.eval();
        try (Scope s = Scope.open(); Autograd.GradMode off = Autograd.noGrad()) {
            return model.forward(Tensor.of(x)).softmax(1).toDoubleArray();
        }
    }

    /** The arg-max class of each row of {@code x}, in evaluation mode with grad mode off ({@link #inChunks}). */
    public static int[] predict(Sequential model, INDArray x) {
        int[] best = new int[(int) x.size(0)];
        inChunks(model, x, (logits, from) -> {
            int[] b = argmax(logits);
            System.arraycopy(b, 0, best, from, b.length);
        });
        return best;
    }

    /**
     * Gives {@code each} the logits of {@code x}'s rows and the first row's index, in evaluation mode with grad mode
     * off, each chunk in a scope of its own: all rows at once, or for a convolutional model {@value #EVAL_ROWS} at a
     * time (the windows of 2,000 digits at once would take gigabytes).
     */
    private static void inChunks(Sequential model, INDArray x, java.util.function.ObjIntConsumer<Tensor> each) {
        model.eval();
        int rows = (int) x.size(0);
        int chunk = model.layers().stream().anyMatch(l -> l instanceof Conv2d) ? EVAL_ROWS : rows;
        Tensor all = Tensor.of(x);
        for (int from = 0; from < rows; from += chunk) {
            try (Scope s = Scope.open(); Autograd.GradMode off = Autograd.noGrad()) {
                each.accept(model.forward(chunk == rows ? all : all.slice(0, from, Math.min(rows, from + chunk))),
                        from);
            }
        }
    }

    private static final int EVAL_ROWS = 500;

    /** Receives training progress. */
    @FunctionalInterface
    public interface Progress {
        void update(int epoch, int step, int steps);
    }
}
