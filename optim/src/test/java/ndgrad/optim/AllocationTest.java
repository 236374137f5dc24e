package ndgrad.optim;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.stream.IntStream;
import ndgrad.autograd.Tensor;
import ndgrad.core.ArrayPool;
import ndgrad.core.Rng;
import ndgrad.core.Scope;
import ndgrad.nn.Activation;
import ndgrad.nn.Linear;
import ndgrad.nn.Losses;
import ndgrad.nn.Sequential;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.factory.Nd4j;

/** Issue 8: a training loop that repeats its shapes allocates nothing, neither pooled arrays nor ND4J buffers. */
class AllocationTest {

    @Test
    void aRepeatedTrainingStepAllocatesNoArrayAndNoNd4jBufferAfterItsFirst() {
        // sizes on both sides of the Java-loop threshold: (40, 96) activations go to BLAS and ND4J, (40, 10)
        // ones stay in Java
        Rng rng = new Rng(5);
        Sequential model = new Sequential(new Linear(64, 96, rng), Activation.relu(), new Linear(96, 48, rng),
                Activation.tanh(), new Linear(48, 10, rng));
        Sgd opt = new Sgd(model.parameters(), 0.05);
        Tensor x = Tensor.randn(rng, 40, 64);
        int[] labels = IntStream.range(0, 40).map(i -> i % 10).toArray();
        Runnable step = () -> {
            try (Scope s = Scope.open()) {
                Tensor loss = Losses.crossEntropy(model.forward(x), labels);
                opt.zeroGrad();
                loss.backward();
                opt.step();
            }
        };
        step.run();
        long misses = ArrayPool.stats().misses();
        long buffers = Nd4j.getDeallocatorService().nextValue();
        for (int i = 0; i < 5; i++) {
            step.run();
        }
        assertEquals(misses, ArrayPool.stats().misses(), "pool misses after the first step");
        // each new ND4J DataBuffer takes an id from this counter; taking one more adds 1
        assertEquals(buffers + 1, Nd4j.getDeallocatorService().nextValue(),
                "ND4J buffers created after the first step");
    }
}
