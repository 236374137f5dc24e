package ndgrad.examples;

import java.util.ArrayList;
import java.util.List;
import ndgrad.autograd.Tensor;
import ndgrad.core.io.Datasets;
import ndgrad.core.memory.Scope;
import ndgrad.nn.Losses;
import ndgrad.nn.Sequential;
import ndgrad.optim.GradientMonitor;
import ndgrad.optim.Optimizer;

/**
 * Full-batch training of a classifier on a small 2-D data set (xor, moons, spiral): softmax cross-entropy, one
 * scope per step, the loss recorded at every step.
 *
 * <p>Usage: {@code List<Double> losses = TrainClassifier.train(model, new Adam(model.parameters(), o), moons, 1000);}
 */
public final class TrainClassifier {
    private TrainClassifier() {
    }

    /** Takes {@code steps} full-batch steps; returns the loss before each. */
    public static List<Double> train(Sequential model, Optimizer<?> opt, Datasets.Labeled data, int steps) {
        return train(model, opt, data, steps, null);
    }

    /** As above, with {@code monitor} (may be null) recording gradient health around every optimizer step. */
    public static List<Double> train(Sequential model, Optimizer<?> opt, Datasets.Labeled data, int steps,
            GradientMonitor monitor) {
        Tensor x = Tensor.of(data.x());
        List<Double> losses = new ArrayList<>();
        model.train();
        for (int k = 0; k < steps; k++) {
            try (Scope s = Scope.open()) {
                Tensor loss = Losses.crossEntropy(model.forward(x), data.labels());
                opt.zeroGrad();
                loss.backward();
                if (monitor != null) {
                    monitor.beforeStep();
                }
                opt.step();
                if (monitor != null) {
                    monitor.afterStep();
                }
                losses.add(Diverged.check(loss.item(), "train", losses.size() + 1));
            }
        }
        return losses;
    }
}
