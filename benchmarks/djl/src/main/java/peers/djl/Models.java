package peers.djl;

import ai.djl.Model;
import ai.djl.modality.nlp.DefaultVocabulary;
import ai.djl.modality.nlp.embedding.TrainableWordEmbedding;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Activation;
import ai.djl.nn.Blocks;
import ai.djl.nn.LambdaBlock;
import ai.djl.nn.SequentialBlock;
import ai.djl.nn.convolutional.Conv2d;
import ai.djl.nn.core.Linear;
import ai.djl.nn.pooling.Pool;
import ai.djl.nn.recurrent.LSTM;
import ai.djl.training.DefaultTrainingConfig;
import ai.djl.training.GradientCollector;
import ai.djl.training.Trainer;
import ai.djl.training.loss.Loss;
import ai.djl.training.optimizer.Optimizer;
import ai.djl.training.tracker.Tracker;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * ndgrad's cnn, lstm and eval-cnn benchmark configurations written as a DJL user writes them, timed as {@link
 * DjlStep} times the MLP steps (warm-up, then the median of 10 batches):
 * <ul>
 * <li>cnn: conv 5×5 to 32, relu, max pool 2, conv 5×5 to 64, relu, max pool 2, 1024-128 relu, 10; softmax
 * cross-entropy, Adam 1e-3, one fixed batch of 64 uniform images;</li>
 * <li>lstm: an embedding of 96 tokens in 32 dimensions, LSTM(32 to 128) batch-first over 64 steps, batch 32, Linear(128
 * to 96) at every step, cross-entropy, Adam 1e-3, one fixed batch of ids;</li>
 * <li>eval-cnn: the cnn's forward over 2,000 uniform images in batches of 500, no gradient, each batch's predicted
 * classes read back; one step is the whole pass.</li>
 * </ul>
 */
final class Models {
    private Models() {
    }

    static void run(String config, double warmupS, double timedS) throws Exception {
        try (Model model = Model.newInstance(config)) {
            boolean lstm = config.equals("lstm");
            model.setBlock(lstm ? lstm() : cnn());
            DefaultTrainingConfig tc = new DefaultTrainingConfig(Loss.softmaxCrossEntropyLoss())
                    .optOptimizer(Optimizer.adam().optLearningRateTracker(Tracker.fixed(1e-3f)).build());
            try (Trainer trainer = model.newTrainer(tc)) {
                NDManager manager = trainer.getManager();
                Runnable step;
                if (config.equals("eval-cnn")) {
                    trainer.initialize(new Shape(500, 1, 28, 28));
                    NDArray x = manager.randomUniform(0, 1, new Shape(2000, 1, 28, 28));
                    step = () -> {
                        try (NDManager m = manager.newSubManager()) {
                            x.tempAttach(m);
                            for (int i = 0; i < 2000; i += 500) {
                                trainer.evaluate(new NDList(x.get(i + ":" + (i + 500)))).head().argMax(1).toLongArray();
                            }
                        }
                    };
                } else {
                    trainer.initialize(lstm ? new Shape(32, 64) : new Shape(64, 1, 28, 28));
                    NDArray x = lstm ? manager.randomInteger(0, 96, new Shape(32, 64), DataType.INT64)
                            : manager.randomUniform(0, 1, new Shape(64, 1, 28, 28));
                    NDArray y = lstm ? manager.randomInteger(0, 96, new Shape(32 * 64), DataType.INT64)
                            : manager.randomInteger(0, 10, new Shape(64), DataType.INT64);
                    step = () -> {
                        try (NDManager m = manager.newSubManager()) {
                            x.tempAttach(m);
                            y.tempAttach(m);
                            try (GradientCollector gc = trainer.newGradientCollector()) {
                                gc.backward(trainer.getLoss().evaluate(new NDList(y), trainer.forward(new NDList(x))));
                            }
                            trainer.step();
                        }
                    };
                }
                DjlStep.runFor(step, (long) (warmupS * 1e9), 0);
                double[] ms = new double[10];
                for (int b = 0; b < ms.length; b++) {
                    long[] t = DjlStep.runFor(step, (long) (timedS * 1e9 / ms.length), 2);
                    ms[b] = t[1] / 1e6 / t[0];
                }
                double[] sorted = ms.clone();
                Arrays.sort(sorted);
                System.out.printf(Locale.ROOT, "# djl %s batches_ms=%s%n", config, Arrays.toString(ms));
                System.out.println("RESULT " + (sorted[4] + sorted[5]) / 2 + " " + Env.procStatusMb("VmHWM:"));
            }
        }
    }

    private static SequentialBlock cnn() {
        return new SequentialBlock()
                .add(Conv2d.builder().setKernelShape(new Shape(5, 5)).setFilters(32).build())
                .add(Activation.reluBlock())
                .add(Pool.maxPool2dBlock(new Shape(2, 2)))
                .add(Conv2d.builder().setKernelShape(new Shape(5, 5)).setFilters(64).build())
                .add(Activation.reluBlock())
                .add(Pool.maxPool2dBlock(new Shape(2, 2)))
                .add(Blocks.batchFlattenBlock())
                .add(Linear.builder().setUnits(128).build())
                .add(Activation.reluBlock())
                .add(Linear.builder().setUnits(10).build());
    }

    private static SequentialBlock lstm() {
        List<String> tokens = new ArrayList<>();
        for (int i = 0; i < 96; i++) {
            tokens.add("t" + i);
        }
        return new SequentialBlock()
                .add(TrainableWordEmbedding.builder().setVocabulary(new DefaultVocabulary(tokens))
                        .setEmbeddingSize(32).build())
                .add(LSTM.builder().setStateSize(128).setNumLayers(1).optBatchFirst(true).optReturnState(false)
                        .build())
                .add(Linear.builder().setUnits(96).build())
                .add(new LambdaBlock(l -> new NDList(l.head().reshape(-1, 96))));
    }
}
