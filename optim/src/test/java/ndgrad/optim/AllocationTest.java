package ndgrad.optim;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.function.Function;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import ndgrad.autograd.Tensor;
import ndgrad.core.Rng;
import ndgrad.core.memory.ArrayPool;
import ndgrad.core.memory.Scope;
import ndgrad.nn.Activation;
import ndgrad.nn.Linear;
import ndgrad.nn.Losses;
import ndgrad.nn.Sequential;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.nd4j.linalg.factory.Nd4j;

/** Issue 8: a training loop that repeats its shapes allocates nothing, neither pooled arrays nor ND4J buffers. */
class AllocationTest {

    static Stream<Arguments> optimizers() {
        return Stream.of(
                Arguments.of("SGD", (Function<List<Tensor>, Optimizer<?>>) p -> new Sgd(p, 0.05)),
                Arguments.of("SGD Nesterov, weight decay", (Function<List<Tensor>, Optimizer<?>>) p -> new Sgd(p,
                        Sgd.options().lr(0.05).momentum(0.9).nesterov(true).weightDecay(1e-4))),
                Arguments.of("Adam AMSGrad, weight decay", (Function<List<Tensor>, Optimizer<?>>) p -> new Adam(p,
                        Adam.options().amsgrad(true).weightDecay(1e-4))),
                Arguments.of("AdamW", (Function<List<Tensor>, Optimizer<?>>) p -> new AdamW(p, AdamW.options())),
                Arguments.of("RMSprop centered, momentum", (Function<List<Tensor>, Optimizer<?>>) p -> new RmsProp(p,
                        RmsProp.options().centered(true).momentum(0.9))),
                Arguments.of("Adagrad", (Function<List<Tensor>, Optimizer<?>>) p -> new Adagrad(p,
                        Adagrad.options())));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("optimizers")
    void aRepeatedTrainingStepAllocatesNoArrayAndNoNd4jBufferAfterItsFirst(String name,
            Function<List<Tensor>, Optimizer<?>> optimizer) {
        assertNoAllocationAfter(1, optimizer, true);
    }

    /**
     * Issue 13: the same loop written as in PyTorch, with no Scope: the arrays of a freed graph return to the pool
     * one backward later, so from the third step on nothing is allocated either.
     */
    @ParameterizedTest(name = "{0}")
    @MethodSource("optimizers")
    void withoutAScopeTheStepAllocatesNothingFromItsThird(String name, Function<List<Tensor>, Optimizer<?>> optimizer) {
        assertNoAllocationAfter(2, optimizer, false);
    }

    private static void assertNoAllocationAfter(int warmup, Function<List<Tensor>, Optimizer<?>> optimizer,
            boolean scoped) {
        // sizes on both sides of the Java-loop threshold: (40, 96) activations and the (96, 64) weight go to BLAS
        // and ND4J, the (40, 10) ones stay in Java
        Rng rng = new Rng(5);
        Sequential model = new Sequential(new Linear(64, 96, rng), Activation.relu(), new Linear(96, 48, rng),
                Activation.tanh(), new Linear(48, 10, rng));
        Optimizer<?> opt = optimizer.apply(model.parameters());
        Tensor x = Tensor.randn(rng, 40, 64);
        int[] labels = IntStream.range(0, 40).map(i -> i % 10).toArray();
        double[] total = new double[1];
        Runnable step = () -> {
            Scope s = scoped ? Scope.open() : null;
            Tensor logits = model.forward(x);
            Tensor loss = Losses.crossEntropy(logits, labels);
            opt.zeroGrad();
            loss.backward();
            opt.step();
            total[0] += loss.item();
            if (s != null) {
                s.close();
            }
        };
        for (int i = 0; i < warmup; i++) {
            step.run();
        }
        long misses = ArrayPool.stats().misses();
        long buffers = Nd4j.getDeallocatorService().nextValue();
        for (int i = 0; i < 5; i++) {
            step.run();
        }
        assertEquals(misses, ArrayPool.stats().misses(), "pool misses after the warm-up");
        // each new ND4J DataBuffer takes an id from this counter; taking one more adds 1
        assertEquals(buffers + 1, Nd4j.getDeallocatorService().nextValue(),
                "ND4J buffers created after the warm-up");
        assertTrue(Double.isFinite(total[0]));
    }
}
