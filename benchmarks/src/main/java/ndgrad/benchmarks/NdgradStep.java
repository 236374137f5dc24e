package ndgrad.benchmarks;

import java.util.ArrayList;
import java.util.List;
import ndgrad.autograd.Tensor;
import ndgrad.core.Rng;
import ndgrad.nn.Activation;
import ndgrad.nn.Linear;
import ndgrad.nn.Losses;
import ndgrad.nn.Layer;
import ndgrad.nn.Sequential;
import ndgrad.optim.Sgd;

/**
 * The training step written as a PyTorch user writes it with ndgrad: Sequential of Linear layers, the loss from
 * {@link Losses}, plain SGD, no Scope.
 *
 * <p>Usage: {@code Runnable step = NdgradStep.step(Workload.named("tiny"), 0.01);}
 */
final class NdgradStep {
    private NdgradStep() {
    }

    static Runnable step(Workload w, double lr) {
        Rng rng = new Rng(1);
        List<Layer> layers = new ArrayList<>();
        for (int l = 0; l + 1 < w.sizes().length; l++) {
            layers.add(new Linear(w.sizes()[l], w.sizes()[l + 1], rng));
            if (l + 2 < w.sizes().length) {
                layers.add(w.tanh() ? Activation.tanh() : Activation.relu());
            }
        }
        Sequential model = new Sequential(layers.toArray(new Layer[0]));
        Sgd opt = new Sgd(model.parameters(), lr);
        Tensor x = Tensor.of(w.x());
        Tensor y = Tensor.of(w.y());
        boolean regression = w.sizes()[w.sizes().length - 1] == 1;
        return () -> {
            Tensor out = model.forward(x);
            Tensor loss = regression ? Losses.mse(out, y) : Losses.crossEntropy(out, w.labels());
            opt.zeroGrad();
            loss.backward();
            opt.step();
        };
    }
}
