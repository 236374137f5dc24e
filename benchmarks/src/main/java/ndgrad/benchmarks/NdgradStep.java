package ndgrad.benchmarks;

import java.util.ArrayList;
import java.util.List;
import ndgrad.autograd.Tensor;
import ndgrad.core.Rng;
import ndgrad.nn.Activation;
import ndgrad.nn.Linear;
import ndgrad.optim.Adam;
import ndgrad.nn.Flatten;
import ndgrad.nn.MaxPool2d;
import ndgrad.nn.Conv2d;
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

    /**
     * The MNIST CNN step of ../shared/peers/torch_cnn.py: conv 5×5 to 32, relu, max pool 2, conv 5×5 to 64, relu, max
     * pool 2, 1024-128 relu, 10; cross-entropy on one fixed batch of 64 uniform [0, 1) images, Adam 1e-3.
     */
    static Runnable cnn() {
        Rng rng = new Rng(1);
        Sequential model = new Sequential(new Conv2d(1, 32, 5, rng), Activation.relu(), new MaxPool2d(2),
                new Conv2d(32, 64, 5, rng), Activation.relu(), new MaxPool2d(2), new Flatten(), new Linear(1024, 128,
                rng), Activation.relu(), new Linear(128, 10, rng));
        Adam opt = new Adam(model.parameters(), Adam.options());
        Tensor x = Tensor.uniform(rng, 0, 1, 64, 1, 28, 28).keep();
        int[] labels = new int[64];
        for (int i = 0; i < labels.length; i++) {
            labels[i] = rng.nextInt(10);
        }
        return () -> {
            Tensor loss = Losses.crossEntropy(model.forward(x), labels);
            opt.zeroGrad();
            loss.backward();
            opt.step();
        };
    }
}
