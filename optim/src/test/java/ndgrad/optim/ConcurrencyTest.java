package ndgrad.optim;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.Function;
import java.util.stream.IntStream;
import ndgrad.autograd.Tensor;
import ndgrad.core.Rng;
import ndgrad.core.kernels.Fused;
import ndgrad.core.kernels.Products;
import ndgrad.nn.Activation;
import ndgrad.nn.Linear;
import ndgrad.nn.Losses;
import ndgrad.nn.Sequential;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Issue 13: threads that train their own models at the same time get exactly what they get one after another. The
 * first layer's products are large enough to be split across ndgrad's workers and its Adam update to be cut into
 * parallel ranges, so the threads also compete for the workers.
 */
class ConcurrencyTest {
    private static final List<Function<List<Tensor>, Optimizer<?>>> OPTIMIZERS = List.of(
            p -> new Adam(p, Adam.options()),
            p -> new Sgd(p, Sgd.options().lr(0.05).momentum(0.9).nesterov(true)),
            p -> new RmsProp(p, RmsProp.options().lr(1e-3).centered(true)),
            p -> new AdamW(p, AdamW.options().amsgrad(true)));

    /** Twenty steps without a scope on fresh batches of a seeded stream; the final parameters, flattened. */
    private static double[] train(int job) {
        Rng rng = new Rng(100 + job);
        Sequential model = new Sequential(new Linear(784, 1400, rng), Activation.relu(), new Linear(1400, 10, rng));
        Optimizer<?> opt = OPTIMIZERS.get(job).apply(model.parameters());
        for (int step = 0; step < 20; step++) {
            Tensor x = Tensor.uniform(rng, 0, 1, 64, 784);
            int[] labels = IntStream.range(0, 64).map(i -> rng.nextInt(10)).toArray();
            Tensor loss = Losses.crossEntropy(model.forward(x), labels);
            opt.zeroGrad();
            loss.backward();
            opt.step();
        }
        return model.parameters().stream().flatMapToDouble(p -> java.util.Arrays.stream(p.toDoubleArray()))
                .toArray();
    }

    @Test
    void fourThreadsTrainingFourModelsAtOnceGetExactlyTheResultsOfSequentialRuns() throws Exception {
        assertTrue(64L * 1400 * 784 >= Products.SPLIT_LIMIT && 784L * 1400 >= 2 * Fused.PASS_PART,
                "the first layer's products and updates are split");
        INDArray big = Nd4j.zeros(DataType.FLOAT, 2 * Fused.PASS_PART);
        for (int i = 0; i < Fused.PASS_WARMUP; i++) {
            Fused.pass(1, c -> c[0].add(1), big);
        }
        assertEquals(Fused.PASS_WARMUP, big.getDouble(0), "past the passes that run unsplit while the JIT warms up");
        List<double[]> sequential = new ArrayList<>();
        for (int job = 0; job < 4; job++) {
            sequential.add(train(job));
        }
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
            CountDownLatch start = new CountDownLatch(1);
            List<Future<double[]>> concurrent = new ArrayList<>();
            for (int job = 0; job < 4; job++) {
                int j = job;
                concurrent.add(pool.submit(() -> {
                    start.await();
                    return train(j);
                }));
            }
            start.countDown();
            for (int job = 0; job < 4; job++) {
                assertArrayEquals(sequential.get(job), concurrent.get(job).get(), 0.0, "model " + job);
            }
        } finally {
            pool.shutdown();
        }
    }
}
