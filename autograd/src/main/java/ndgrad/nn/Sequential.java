package ndgrad.nn;

import java.util.List;
import ndgrad.autograd.Tensor;

/**
 * Modules applied in order; children are named "0", "1", … as in {@code torch.nn.Sequential}.
 *
 * <p>Usage: {@code new Sequential(new Linear(784, 128, rng), Activation.relu(), new Linear(128, 10, rng))}
 */
public final class Sequential extends Module {
    private final List<Module> layers;

    /** The layers, applied first to last. */
    public Sequential(Module... layers) {
        this.layers = List.of(layers);
        for (int i = 0; i < layers.length; i++) {
            child(Integer.toString(i), layers[i]);
        }
    }

    @Override
    public Tensor forward(Tensor x) {
        Tensor y = x;
        for (Module m : layers) {
            y = m.forward(y);
        }
        return y;
    }

    /** The layers, in order. */
    public List<Module> layers() {
        return layers;
    }

    @Override
    public String toString() {
        return "Sequential" + layers;
    }
}
