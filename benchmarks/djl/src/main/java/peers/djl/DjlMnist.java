package peers.djl;

import ai.djl.Model;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Activation;
import ai.djl.nn.Parameter;
import ai.djl.nn.SequentialBlock;
import ai.djl.nn.core.Linear;
import ai.djl.nn.norm.Dropout;
import ai.djl.training.DefaultTrainingConfig;
import ai.djl.training.GradientCollector;
import ai.djl.training.Trainer;
import ai.djl.training.dataset.ArrayDataset;
import ai.djl.training.dataset.Batch;
import ai.djl.training.initializer.UniformInitializer;
import ai.djl.training.loss.Loss;
import ai.djl.training.optimizer.Optimizer;
import ai.djl.training.tracker.Tracker;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.zip.GZIPInputStream;

/**
 * ndgrad's main job ({@code ndgrad train mnist}) in DJL: 784-256-128-10 ReLU MLP with dropout 0.2 after each hidden
 * ReLU, Adam 1e-3 with a per-epoch cosine schedule (lr = 1e-3 (1 + cos(pi e / 15)) / 2 in epoch e = 0..14, as
 * ndgrad's LrScheduler.cosine(opt, 15, 0)), 15 epochs of shuffled batches of 64 on the bundled 8,000 training digits,
 * test accuracy on the 2,000 others after each epoch. Weights and biases start uniform in +-1/sqrt(fan_in), as in
 * ndgrad and PyTorch (DJL's own default would be Xavier weights and zero biases).
 *
 * <p>"train" time is the sum of the epochs' training loops, evaluation excluded (what ndgrad prints as "after N s
 * of training"); "elapsed" includes the evaluations (what peers/mnist/torch_mnist.py prints).
 *
 * <p>Usage: {@code DjlMnist [DATA_DIR [SEED [schedule: epoch|step|none [DROPOUT]]]]}; the last line is
 * {@code RESULT train_seconds test_accuracy peak_rss_mb elapsed_seconds}.
 */
public final class DjlMnist {
    private DjlMnist() {
    }

    public static void main(String[] args) throws Exception {
        Env.offline();
        Path dir = Path.of(args.length > 0 ? args[0] : "../../data/mnist");
        int seed = args.length > 1 ? Integer.parseInt(args[1]) : 42;
        String schedule = args.length > 2 ? args[2] : "epoch";
        float dropout = args.length > 3 ? Float.parseFloat(args[3]) : 0.2f;
        int epochs = 15;
        int batch = 64;
        float lr = 1e-3f;
        System.out.println(Env.settings());
        Engine.getInstance().setRandomSeed(seed);
        float[] pixels = images(dir.resolve("mnist-10k-images-idx3-ubyte.gz"));
        long[] digits = labels(dir.resolve("mnist-10k-labels-idx1-ubyte.gz"));

        try (NDManager manager = NDManager.newBaseManager(); Model model = Model.newInstance("mnist-mlp")) {
            NDArray x = manager.create(pixels, new Shape(digits.length, 784));
            NDArray y = manager.create(digits);
            NDArray xTest = x.get("8000:");
            NDArray yTest = y.get("8000:");
            ArrayDataset train = new ArrayDataset.Builder().setData(x.get(":8000")).optLabels(y.get(":8000"))
                    .setSampling(batch, true).build();
            int stepsPerEpoch = (int) (train.size() / batch);

            SequentialBlock net = new SequentialBlock();
            int[] sizes = {784, 256, 128, 10};
            for (int l = 1; l < sizes.length; l++) {
                Linear linear = Linear.builder().setUnits(sizes[l]).build();
                UniformInitializer init = new UniformInitializer((float) (1 / Math.sqrt(sizes[l - 1])));
                linear.setInitializer(init, Parameter.Type.WEIGHT);
                linear.setInitializer(init, Parameter.Type.BIAS);
                net.add(linear);
                if (l + 1 < sizes.length) {
                    net.add(Activation.reluBlock());
                    if (dropout > 0) {
                        net.add(Dropout.builder().optRate(dropout).build());
                    }
                }
            }
            model.setBlock(net);
            // Adam calls the tracker with the update count t = 1, 2, ... (one per step)
            Tracker cosine = schedule.equals("none") ? Tracker.fixed(lr) : schedule.equals("step")
                    ? Tracker.cosine().setBaseValue(lr).optFinalValue(0).setMaxUpdates(epochs * stepsPerEpoch).build()
                    : t -> (float) (lr * (1 + Math.cos(Math.PI * ((t - 1) / stepsPerEpoch) / epochs)) / 2);
            DefaultTrainingConfig config = new DefaultTrainingConfig(Loss.softmaxCrossEntropyLoss())
                    .optOptimizer(Optimizer.adam().optLearningRateTracker(cosine).build());
            try (Trainer trainer = model.newTrainer(config)) {
                trainer.initialize(new Shape(batch, 784));
                double trainSeconds = 0;
                double accuracy = 0;
                long start = System.nanoTime();
                for (int epoch = 1; epoch <= epochs; epoch++) {
                    long t0 = System.nanoTime();
                    double lossSum = 0;
                    for (Batch b : trainer.iterateDataset(train)) {
                        try (GradientCollector gc = trainer.newGradientCollector()) {
                            NDArray loss = trainer.getLoss().evaluate(b.getLabels(), trainer.forward(b.getData()));
                            gc.backward(loss);
                            lossSum += loss.getFloat();
                        }
                        trainer.step();
                        b.close();
                    }
                    trainSeconds += (System.nanoTime() - t0) / 1e9;
                    accuracy = accuracy(trainer, xTest, yTest);
                    System.out.printf(Locale.ROOT, "epoch %d loss %.4f test_acc %.2f%% train %.1fs elapsed %.1fs%n",
                            epoch, lossSum / stepsPerEpoch, 100 * accuracy, trainSeconds,
                            (System.nanoTime() - start) / 1e9);
                }
                double elapsed = (System.nanoTime() - start) / 1e9;
                System.out.printf(Locale.ROOT, "final test accuracy %.2f%% after %.1f s of training (%.1f s with "
                        + "evaluation)%n", 100 * accuracy, trainSeconds, elapsed);
                System.out.println("RESULT " + trainSeconds + " " + accuracy + " " + Env.procStatusMb("VmHWM:") + " "
                        + elapsed);
            }
        }
    }

    /** Fraction of rows of x whose arg-max prediction (inference mode: no dropout) equals y. */
    static double accuracy(Trainer trainer, NDArray x, NDArray y) {
        try (NDManager m = trainer.getManager().newSubManager()) {
            x.tempAttach(m);
            y.tempAttach(m);
            NDArray predicted = trainer.evaluate(new NDList(x)).singletonOrThrow().argMax(1);
            return predicted.eq(y).sum().getLong() / (double) y.size();
        }
    }

    /** An IDX image file (magic 0x803), pixels scaled to [0, 1]. */
    static float[] images(Path file) throws IOException {
        ByteBuffer b = ByteBuffer.wrap(gunzip(file));
        if (b.getInt() != 0x803) {
            throw new IOException(file + ": not an IDX image file");
        }
        int n = b.getInt() * b.getInt() * b.getInt();
        float[] v = new float[n];
        for (int i = 0; i < n; i++) {
            v[i] = (b.get() & 0xff) / 255f;
        }
        return v;
    }

    /** An IDX label file (magic 0x801). */
    static long[] labels(Path file) throws IOException {
        ByteBuffer b = ByteBuffer.wrap(gunzip(file));
        if (b.getInt() != 0x801) {
            throw new IOException(file + ": not an IDX label file");
        }
        long[] v = new long[b.getInt()];
        for (int i = 0; i < v.length; i++) {
            v[i] = b.get() & 0xff;
        }
        return v;
    }

    private static byte[] gunzip(Path file) throws IOException {
        try (InputStream in = new GZIPInputStream(Files.newInputStream(file))) {
            return in.readAllBytes();
        }
    }
}
