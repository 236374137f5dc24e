package ndgrad.nn;

import java.util.List;
import ndgrad.autograd.Autograd;
import ndgrad.autograd.Tensor;
import ndgrad.core.memory.Scope;

/**
 * Modules applied in order; children are named "0", "1", … as in {@code torch.nn.Sequential}.
 *
 * <p>Usage: {@code new Sequential(new Linear(784, 128, rng), Activation.relu(), new Linear(128, 10, rng))}
 */
public final class Sequential extends Layer {
    private final List<Layer> layers;

    /** The layers, applied first to last. */
    public Sequential(Layer... layers) {
        this.layers = List.of(layers);
        for (int i = 0; i < layers.length; i++) {
            child(Integer.toString(i), layers[i]);
        }
    }

    @Override
    public Tensor forward(Tensor x) {
        Tensor y = x;
        for (Layer m : layers) {
            y = m.forward(y);
        }
        return y;
    }

    /**
     * A table of the layers: each one's output shape for an input of {@code inputShape} (batch included; the model
     * runs once on zeros, in evaluation mode and without a graph, then returns to its mode) and its parameter
     * count, then the total.
     */
    public String summary(long... inputShape) {
        boolean training = isTraining();
        eval();
        StringBuilder s = new StringBuilder(String.format("%-4s %-50s %-18s %10s%n", "#", "layer", "output",
                "parameters"));
        long total = 0;
        try (Autograd.GradMode off = Autograd.noGrad(); Scope scope = Scope.open()) {
            Tensor y = Tensor.zeros(inputShape);
            for (int i = 0; i < layers.size(); i++) {
                y = layers.get(i).forward(y);
                long count = layers.get(i).parameterCount();
                total += count;
                s.append(String.format("%-4d %-50s %-18s %,10d%n", i, layers.get(i), y.shapeString(), count));
            }
        } finally {
            if (training) {
                train();
            }
        }
        return s.append(String.format("%-74s %,10d%n", "total", total)).toString();
    }

    /** The layers, in order. */
    public List<Layer> layers() {
        return layers;
    }

    @Override
    public String toString() {
        return "Sequential" + layers;
    }
}
