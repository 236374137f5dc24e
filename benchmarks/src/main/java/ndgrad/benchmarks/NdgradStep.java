package ndgrad.benchmarks;

import java.util.ArrayList;
import java.util.List;
import ndgrad.autograd.Autograd;
import ndgrad.autograd.Tensor;
import ndgrad.core.Rng;
import ndgrad.nn.Activation;
import ndgrad.nn.Linear;
import ndgrad.optim.Adam;
import ndgrad.nn.Flatten;
import ndgrad.nn.MaxPool2d;
import ndgrad.nn.Conv2d;
import ndgrad.nn.Embedding;
import ndgrad.nn.LSTM;
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

    /**
     * Issue 32's eval-cnn configuration: {@link #cnn}'s network in evaluation, its forward over 2,000 uniform digits
     * in batches of 500 with no graph, each batch's predicted class read back; one "step" is the whole pass.
     */
    static Runnable evalCnn() {
        Rng rng = new Rng(1);
        Sequential model = new Sequential(new Conv2d(1, 32, 5, rng), Activation.relu(), new MaxPool2d(2),
                new Conv2d(32, 64, 5, rng), Activation.relu(), new MaxPool2d(2), new Flatten(), new Linear(1024, 128,
                rng), Activation.relu(), new Linear(128, 10, rng));
        model.eval();
        Tensor x = Tensor.uniform(rng, 0, 1, 2000, 1, 28, 28).keep();
        return () -> {
            try (Autograd.GradMode off = Autograd.noGrad()) {
                for (int i = 0; i < 2000; i += 500) {
                    model.forward(x.slice(0, i, i + 500)).argmax(1).toDoubleArray();
                }
            }
        };
    }

    /**
     * A character-level LSTM language model's step (issue 32's lstm configuration): Embedding(96, 32), LSTM(32 to
     * 128) over 64 steps, batch 32, Linear(128 to 96) at every step, cross-entropy on int64 targets, Adam 1e-3, on
     * one fixed batch of ids drawn uniformly.
     */
    static Runnable lstm() {
        Rng rng = new Rng(1);
        Embedding embed = new Embedding(96, 32, rng);
        LSTM lstm = new LSTM(32, 128, rng);
        Linear out = new Linear(128, 96, rng);
        List<Tensor> params = new ArrayList<>(embed.parameters());
        params.addAll(lstm.parameters());
        params.addAll(out.parameters());
        Adam opt = new Adam(params, Adam.options());
        long[] ids = new long[32 * 64];
        long[] next = new long[ids.length];
        for (int i = 0; i < ids.length; i++) {
            ids[i] = rng.nextInt(96);
            next[i] = rng.nextInt(96);
        }
        Tensor x = Tensor.of(ids, 32, 64);
        Tensor y = Tensor.of(next, 32 * 64);
        return () -> {
            Tensor h = lstm.forward(embed.forward(x));
            Tensor loss = Losses.crossEntropy(out.forward(h).reshape(-1, 96), y);
            opt.zeroGrad();
            loss.backward();
            opt.step();
        };
    }
}
