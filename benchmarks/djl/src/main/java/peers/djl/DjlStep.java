package peers.djl;

import ai.djl.Model;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Activation;
import ai.djl.nn.SequentialBlock;
import ai.djl.nn.core.Linear;
import ai.djl.training.DefaultTrainingConfig;
import ai.djl.training.GradientCollector;
import ai.djl.training.Trainer;
import ai.djl.training.loss.Loss;
import ai.djl.training.optimizer.Optimizer;
import ai.djl.training.tracker.Tracker;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * One MLP training step (forward, backward, plain SGD lr 0.01, float32, one fixed batch) written as a DJL user
 * writes it: SequentialBlock of Linear blocks, a Loss, a Trainer, its GradientCollector, trainer.step(). The
 * configs are those of peers/java, peers/torch/mlp.py and ndgrad's Bench: tiny 2-16-16-1 tanh MSE batch 1, small
 * 784-128-64-10 relu softmax cross-entropy batch 32, big 784-512-512-10 relu cross-entropy batch 256.
 * Timed as ndgrad's Bench --child step times its JVMs: warm-up 4 s, then 3 s in 10 batches; the median of the
 * 10 batches' ms/step (the mean of the middle two).
 *
 * <p>Usage: {@code DjlStep CONFIG [WARMUP_S TIMED_S]} prints {@code RESULT ms_per_step peak_rss_mb
 * per_step_median_ms} (the line peers/versus.sh parses: it reads the first two), after comment lines with the
 * settings and the loss before and after. The third figure, the median of the single steps' times of the timed
 * part, is what peers/torch/mlp.py reports; on a busy machine it leaves out preemptions that the batch figure
 * counts.
 */
public final class DjlStep {
    private DjlStep() {
    }

    public static void main(String[] args) throws Exception {
        Env.offline();
        String config = args[0];
        double warmupS = args.length > 1 ? Double.parseDouble(args[1]) : 4;
        double timedS = args.length > 2 ? Double.parseDouble(args[2]) : 3;
        if (List.of("cnn", "lstm", "eval-cnn").contains(config)) {
            System.out.println(Env.settings());
            Engine.getInstance().setRandomSeed(7);
            Models.run(config, warmupS, timedS);
            return;
        }
        int[] sizes = switch (config) {
            case "tiny" -> new int[] {2, 16, 16, 1};
            case "small" -> new int[] {784, 128, 64, 10};
            case "big" -> new int[] {784, 512, 512, 10};
            default -> throw new IllegalArgumentException("config: tiny, small, big, cnn, lstm or eval-cnn, got "
                    + config);
        };
        int batch = switch (config) {
            case "tiny" -> 1;
            case "small" -> 32;
            default -> 256;
        };
        boolean tanhMse = config.equals("tiny");
        System.out.println(Env.settings());
        Engine.getInstance().setRandomSeed(7);

        // ---- the user's code: model, loss, optimizer, trainer, one fixed batch, the step
        SequentialBlock net = new SequentialBlock();
        for (int l = 1; l < sizes.length; l++) {
            net.add(Linear.builder().setUnits(sizes[l]).build());
            if (l + 1 < sizes.length) {
                net.add(tanhMse ? Activation.tanhBlock() : Activation.reluBlock());
            }
        }
        try (Model model = Model.newInstance("mlp")) {
            model.setBlock(net);
            Loss loss = tanhMse ? Loss.l2Loss("mse", 1) : Loss.softmaxCrossEntropyLoss(); // L2Loss weight 1 = MSE
            DefaultTrainingConfig tc = new DefaultTrainingConfig(loss)
                    .optOptimizer(Optimizer.sgd().setLearningRateTracker(Tracker.fixed(0.01f)).build());
            try (Trainer trainer = model.newTrainer(tc)) {
                trainer.initialize(new Shape(batch, sizes[0]));
                NDManager manager = trainer.getManager();
                NDArray x = manager.randomUniform(0, 1, new Shape(batch, sizes[0]));
                NDArray y = tanhMse ? manager.randomUniform(-1, 1, new Shape(batch, 1))
                        : manager.randomInteger(0, sizes[sizes.length - 1], new Shape(batch), DataType.INT64);
                Runnable step = () -> {
                    // every array an op makes is attached to its input's manager: without a per-step manager
                    // to close, a step's activations and gradients are never freed (native memory grows)
                    try (NDManager stepManager = manager.newSubManager()) {
                        x.tempAttach(stepManager);
                        y.tempAttach(stepManager);
                        try (GradientCollector gc = trainer.newGradientCollector()) {
                            NDArray l = trainer.getLoss().evaluate(new NDList(y), trainer.forward(new NDList(x)));
                            gc.backward(l);
                        }
                        trainer.step();
                    }
                };
                // ---- end of the user's code

                float first = loss(trainer, x, y);
                runFor(step, (long) (warmupS * 1e9), 0);
                long[] stepNs = new long[1 << 20];
                int[] n = {0};
                Runnable timedStep = () -> {
                    long t0 = System.nanoTime();
                    step.run();
                    if (n[0] < stepNs.length) {
                        stepNs[n[0]++] = System.nanoTime() - t0;
                    }
                };
                double[] ms = new double[10];
                for (int b = 0; b < ms.length; b++) {
                    long[] t = runFor(timedStep, (long) (timedS * 1e9 / ms.length), 2);
                    ms[b] = t[1] / 1e6 / t[0];
                }
                double[] sorted = ms.clone();
                Arrays.sort(sorted);
                long[] steps = Arrays.copyOf(stepNs, n[0]);
                Arrays.sort(steps);
                double perStepMedian = (steps[(steps.length - 1) / 2] + steps[steps.length / 2]) / 2e6;
                System.out.printf(Locale.ROOT, "# djl %s loss first=%.5f last=%.5f batches_ms=%s per_step_median_ms="
                        + "%.4f p10=%.4f p90=%.4f steps=%d rss_mb=%.0f%n", config, first, loss(trainer, x, y),
                        Arrays.toString(Arrays.stream(ms).map(v -> Math.round(v * 1e4) / 1e4).toArray()),
                        perStepMedian, steps[steps.length / 10] / 1e6, steps[steps.length * 9 / 10] / 1e6,
                        steps.length, Env.procStatusMb("VmRSS:"));
                // the median of the 10 batches' ms/step (as ndgrad's Bench), peak RSS, the median single step
                System.out.println("RESULT " + (sorted[4] + sorted[5]) / 2 + " " + Env.procStatusMb("VmHWM:") + " "
                        + perStepMedian);
            }
        }
    }

    /** The loss on (x, y), forward only. */
    private static float loss(Trainer trainer, NDArray x, NDArray y) {
        try (NDManager m = trainer.getManager().newSubManager()) {
            x.tempAttach(m);
            y.tempAttach(m);
            return trainer.getLoss().evaluate(new NDList(y), trainer.evaluate(new NDList(x))).getFloat();
        }
    }

    /** Runs {@code step} for at least {@code ns} nanoseconds and {@code minSteps} steps; returns {steps, ns}. */
    static long[] runFor(Runnable step, long ns, int minSteps) {
        long t0 = System.nanoTime();
        long steps = 0;
        long elapsed;
        do {
            step.run();
            steps++;
            elapsed = System.nanoTime() - t0;
        } while (elapsed < ns || steps < minSteps);
        return new long[] {steps, elapsed};
    }
}
