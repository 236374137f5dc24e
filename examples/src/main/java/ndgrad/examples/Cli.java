package ndgrad.examples;

import java.util.ArrayList;
import java.util.List;
import ndgrad.autograd.Tensor;
import ndgrad.core.Rng;
import ndgrad.nn.Activation;
import ndgrad.nn.BatchNorm2d;
import ndgrad.nn.Conv2d;
import ndgrad.nn.Flatten;
import ndgrad.nn.MaxPool2d;
import ndgrad.nn.Unflatten;
import ndgrad.nn.Dropout;
import ndgrad.nn.Linear;
import ndgrad.nn.Layer;
import ndgrad.nn.Sequential;
import ndgrad.optim.Adagrad;
import ndgrad.optim.Adam;
import ndgrad.optim.AdamW;
import ndgrad.optim.LrScheduler;
import ndgrad.optim.Optimizer;
import ndgrad.optim.RmsProp;
import ndgrad.optim.Sgd;

/**
 * Builds models, optimizers and schedules from the names the command line accepts; a bad name or value is an
 * {@link IllegalArgumentException} with one clear line.
 *
 * <p>Usage: {@code Optimizer<?> opt = Cli.optimizer("adam", model.parameters(), 1e-3, 0, 0);}
 */
final class Cli {
    static final List<String> OPTIMIZERS = List.of("sgd", "momentum", "nesterov", "rmsprop", "adam", "adamw",
            "adagrad");
    static final List<String> ACTIVATIONS = List.of("relu", "tanh", "sigmoid", "gelu", "leaky-relu");
    static final List<String> SCHEDULES = List.of("none", "step", "exponential", "cosine", "warmup");

    private Cli() {
    }

    /** An MLP with the given layer sizes, activation between layers, and dropout after each activation. */
    static Sequential mlp(int[] sizes, String activation, double dropout, Rng rng) {
        checkSizes(sizes);
        List<Layer> layers = new ArrayList<>();
        for (int i = 0; i + 1 < sizes.length; i++) {
            layers.add(new Linear(sizes[i], sizes[i + 1], rng));
            if (i + 2 < sizes.length) {
                layers.add(activation(activation));
                if (dropout > 0) {
                    layers.add(new Dropout(dropout, rng));
                }
            }
        }
        return new Sequential(layers.toArray(new Layer[0]));
    }

    /**
     * Refuses layer sizes that are not positive, a weight matrix of more than 2^31 - 1 elements (an array's limit),
     * and parameters that with their gradients and two optimizer buffers (float32) would take more than half this
     * machine's memory (the rest is for the data, the activations and the JVM).
     */
    static void checkSizes(int[] sizes) {
        if (sizes.length < 2 || java.util.Arrays.stream(sizes).anyMatch(s -> s < 1)) {
            throw new IllegalArgumentException("layer sizes must be positive, got " + java.util.Arrays.toString(sizes));
        }
        long params = 0;
        for (int i = 0; i + 1 < sizes.length; i++) {
            long weights = (long) sizes[i] * sizes[i + 1];
            if (weights > Integer.MAX_VALUE) {
                throw new IllegalArgumentException("layer sizes " + java.util.Arrays.toString(sizes) + ": layer "
                        + (i + 1) + " would have " + sizes[i] + " x " + sizes[i + 1] + " = " + weights + " weights, "
                        + "more than the 2147483647 elements an array can hold");
            }
            params += weights + sizes[i + 1];
        }
        long need = params * 4 * 4;
        long have = ((com.sun.management.OperatingSystemMXBean) java.lang.management.ManagementFactory
                .getOperatingSystemMXBean()).getTotalMemorySize();
        if (need > have / 2) {
            throw new IllegalArgumentException(String.format("layer sizes %s: %,d parameters would take %.1f GB with "
                    + "their gradients and the optimizer's buffers, more than half this machine's %.1f GB",
                    java.util.Arrays.toString(sizes), params, need / 1e9, have / 1e9));
        }
    }

    /**
     * The MNIST CNN: conv 5×5 to 32, batch norm, relu, max pool 2; conv 5×5 to 64, batch norm, relu, max pool 2;
     * linear 1024 to 128, relu, dropout; linear to 10. The input is a (N, 784) batch of digits.
     */
    static Sequential cnn(double dropout, Rng rng) {
        List<Layer> layers = new ArrayList<>(List.of(new Unflatten(1, 28, 28),
                new Conv2d(1, 32, 5, rng), new BatchNorm2d(32), Activation.relu(), new MaxPool2d(2),
                new Conv2d(32, 64, 5, rng), new BatchNorm2d(64), Activation.relu(), new MaxPool2d(2),
                new Flatten(), new Linear(1024, 128, rng), Activation.relu()));
        if (dropout > 0) {
            layers.add(new Dropout(dropout, rng));
        }
        layers.add(new Linear(128, 10, rng));
        return new Sequential(layers.toArray(new Layer[0]));
    }

    static Activation activation(String name) {
        return switch (name) {
            case "relu" -> Activation.relu();
            case "tanh" -> Activation.tanh();
            case "sigmoid" -> Activation.sigmoid();
            case "gelu" -> Activation.gelu();
            case "leaky-relu" -> Activation.leakyRelu(0.01);
            default -> throw new IllegalArgumentException("unknown activation '" + name + "' (expected one of "
                    + ACTIVATIONS + ")");
        };
    }

    /** An optimizer by name; momentum applies to momentum/nesterov/rmsprop, weightDecay to all. */
    static Optimizer<?> optimizer(String name, List<Tensor> params, double lr, double momentum, double weightDecay) {
        if (!(lr > 0) || !(momentum >= 0 && momentum < 1) || !(weightDecay >= 0)) {
            throw new IllegalArgumentException("expected lr > 0, 0 <= momentum < 1 and weight decay >= 0, got lr="
                    + lr + ", momentum=" + momentum + ", weight decay=" + weightDecay);
        }
        return switch (name) {
            case "sgd" -> new Sgd(params, Sgd.options().lr(lr).weightDecay(weightDecay));
            case "momentum" -> new Sgd(params, Sgd.options().lr(lr).momentum(momentum).weightDecay(weightDecay));
            case "nesterov" -> new Sgd(params, Sgd.options().lr(lr).momentum(momentum).nesterov(true)
                    .weightDecay(weightDecay));
            case "rmsprop" -> new RmsProp(params, RmsProp.options().lr(lr).momentum(momentum).weightDecay(weightDecay));
            case "adam" -> new Adam(params, Adam.options().lr(lr).weightDecay(weightDecay));
            case "adamw" -> new AdamW(params, AdamW.options().lr(lr).weightDecay(weightDecay));
            case "adagrad" -> new Adagrad(params, Adagrad.options().lr(lr).weightDecay(weightDecay));
            default -> throw new IllegalArgumentException("unknown optimizer '" + name + "' (expected one of "
                    + OPTIMIZERS + ")");
        };
    }

    /** A per-epoch schedule by name over {@code epochs}, or null for "none". */
    static LrScheduler schedule(String name, Optimizer<?> opt, int epochs) {
        return switch (name) {
            case "none" -> null;
            case "step" -> LrScheduler.step(opt, Math.max(1, epochs / 3), 0.3);
            case "exponential" -> LrScheduler.exponential(opt, 0.9);
            case "cosine" -> LrScheduler.cosine(opt, epochs, 0);
            case "warmup" -> LrScheduler.linearWarmup(opt, 0.1, Math.max(1, epochs / 5));
            default -> throw new IllegalArgumentException("unknown schedule '" + name + "' (expected one of "
                    + SCHEDULES + ")");
        };
    }
}
