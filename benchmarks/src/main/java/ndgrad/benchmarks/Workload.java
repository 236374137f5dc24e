package ndgrad.benchmarks;

import java.util.List;
import ndgrad.core.Rng;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * One training-step configuration (float32): layer sizes, activation (tanh or relu), loss (MSE for one output,
 * softmax cross-entropy otherwise), batch; with one fixed seeded batch of inputs and targets.
 *
 * <p>Usage: {@code Workload w = Workload.named("small");}
 */
record Workload(String name, int[] sizes, boolean tanh, int batch, INDArray x, INDArray y, int[] labels) {
    static final List<String> NAMES = List.of("tiny", "small", "big");

    /** tiny 2-16-16-1 tanh MSE batch 1; small 784-128-64-10 relu CE batch 32; big 784-512-512-10 relu CE batch 256. */
    static Workload named(String name) {
        return switch (name) {
            case "tiny" -> create(name, new int[] {2, 16, 16, 1}, true, 1);
            case "small" -> create(name, new int[] {784, 128, 64, 10}, false, 32);
            case "big" -> create(name, new int[] {784, 512, 512, 10}, false, 256);
            default -> throw new IllegalArgumentException("unknown configuration '" + name + "' (expected " + NAMES
                    + ")");
        };
    }

    private static Workload create(String name, int[] sizes, boolean tanh, int batch) {
        Rng rng = new Rng(7);
        INDArray x = rng.uniform(DataType.FLOAT, 0, 1, batch, sizes[0]);
        int classes = sizes[sizes.length - 1];
        int[] labels = new int[batch];
        for (int i = 0; i < batch; i++) {
            labels[i] = rng.nextInt(classes);
        }
        INDArray y = classes == 1 ? rng.uniform(DataType.FLOAT, -1, 1, batch, 1)
                : org.nd4j.linalg.factory.Nd4j.zeros(DataType.FLOAT, batch, classes);
        for (int i = 0; classes > 1 && i < batch; i++) {
            y.putScalar(i, labels[i], 1f);
        }
        return new Workload(name, sizes, tanh, batch, x, y, labels);
    }

    /** Multiply-adds of one step (forward + backward ≈ 3 × the forward matmuls), for FLOP rates. */
    double flops() {
        double f = 0;
        for (int i = 0; i + 1 < sizes.length; i++) {
            f += 2.0 * batch * sizes[i] * sizes[i + 1];
        }
        return 3 * f;
    }
}
