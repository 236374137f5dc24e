package ndgrad.examples;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import ndgrad.autograd.Autograd;
import ndgrad.autograd.Tensor;
import ndgrad.core.Rng;
import ndgrad.nn.GRU;
import ndgrad.nn.LSTM;
import ndgrad.nn.Layer;
import ndgrad.nn.Linear;
import ndgrad.nn.Losses;
import ndgrad.nn.Recurrent;
import ndgrad.optim.Adam;

/**
 * The adding problem (Hochreiter &amp; Schmidhuber 1997): each sequence has T steps of (value in [0, 1), marker), two
 * of them marked; the target is the sum of the two marked values. A recurrent layer reads the sequence and a linear
 * layer answers from its last state. Predicting the mean (1) scores a mean squared error of about 1/6; a net that
 * learned the task scores far less. Fresh seeded batches every step, Adam.
 *
 * <p>Usage: {@code ndgrad train sequence --model gru --epochs 1000}
 */
final class TrainSequence {
    private TrainSequence() {
    }

    /** The mean squared error of predicting the mean, 1: the variance of a sum of two uniform values, 2·(1/12). */
    static final double MEAN_MSE = 1.0 / 6;

    /** A recurrent layer and the linear read-out of its last state. */
    static final class Adder extends Layer {
        final Recurrent rnn;
        final Linear out;

        Adder(String cell, int hidden, Rng rng) {
            rnn = switch (cell) {
                case "lstm" -> new LSTM(2, hidden, rng);
                case "gru" -> new GRU(2, hidden, rng);
                default -> throw new IllegalArgumentException("unknown --model '" + cell + "' for the sequence task "
                        + "(expected lstm or gru)");
            };
            out = new Linear(hidden, 1, rng);
        }

        @Override
        public Tensor forward(Tensor x) {
            return out.forward(rnn.forward(x, null).hn().squeeze(0));
        }
    }

    /** The training loss per update (log), beside the line of predicting the mean. */
    static org.knowm.xchart.XYChart chart(String cell, List<Double> losses) {
        return Plots.chart("Adding problem: " + cell.toUpperCase() + " training loss", "update", "mean squared error",
                false, true, Map.of("train loss", Plots.series(losses)), Map.of("predicting the mean (1/6 = 0.167)",
                Plots.level(MEAN_MSE, 1, losses.size())));
    }

    /** A batch of the adding problem: inputs (batch, steps, 2) and targets (batch, 1). */
    static Tensor[] batch(int batch, int steps, Rng rng) {
        double[] x = new double[batch * steps * 2];
        double[] y = new double[batch];
        for (int b = 0; b < batch; b++) {
            int first = rng.nextInt(steps / 2);
            int second = steps / 2 + rng.nextInt(steps - steps / 2);
            for (int t = 0; t < steps; t++) {
                double v = rng.nextDouble();
                x[(b * steps + t) * 2] = v;
                if (t == first || t == second) {
                    x[(b * steps + t) * 2 + 1] = 1;
                    y[b] += v;
                }
            }
        }
        return new Tensor[] {Tensor.of(x, batch, steps, 2), Tensor.of(y, batch, 1)};
    }

    /** Trains on {@code updates} fresh batches; returns the loss of each. */
    static List<Double> train(Adder model, Adam opt, int updates, int batch, int steps, Rng rng) {
        List<Double> losses = new ArrayList<>();
        for (int k = 0; k < updates; k++) {
            Tensor[] b = batch(batch, steps, rng);
            Tensor loss = Losses.mse(model.forward(b[0]), b[1]);
            opt.zeroGrad();
            loss.backward();
            opt.step();
            losses.add(Diverged.check(loss.item(), "train sequence", losses.size() + 1));
        }
        return losses;
    }

    /** The mean squared error on a fresh batch of 1,000 sequences. */
    static double test(Adder model, int steps, Rng rng) {
        try (Autograd.GradMode off = Autograd.noGrad()) {
            Tensor[] b = batch(1000, steps, rng);
            return Losses.mse(model.forward(b[0]), b[1]).item();
        }
    }

    /**
     * The largest --batch-size and --hidden taken: 4,096 sequences of 20 steps (hidden 32) take about 1 GB, as does
     * a hidden size of 512 (batch 64, and the test batch of 1,000).
     */
    static final int MAX_BATCH = 4096;
    static final int MAX_HIDDEN = 512;

    static int run(Ndgrad.Train o) throws IOException {
        if (o.hidden != null && o.hidden.length != 1) {
            throw new IllegalArgumentException("train sequence takes one --hidden size, got "
                    + java.util.Arrays.toString(o.hidden));
        }
        int hidden = o.hidden == null ? 32 : o.hidden[0];
        if (hidden < 1 || hidden > MAX_HIDDEN || o.batch > MAX_BATCH) {
            throw new IllegalArgumentException("train sequence: --hidden " + hidden + " --batch-size " + o.batch
                    + ": expected --hidden 1 to " + MAX_HIDDEN + " and --batch-size 1 to " + MAX_BATCH);
        }
        Rng rng = new Rng(o.seed);
        String cell = o.spec.commandLine().getParseResult().hasMatchedOption("--model") ? o.model : "lstm";
        Adder model = new Adder(cell, hidden, rng);
        Adam opt = new Adam(model.parameters(), Adam.options().lr(o.lr == null ? 1e-2 : o.lr));
        int updates = o.epochs == null ? 1500 : o.epochs;
        int steps = 20;
        long t0 = System.nanoTime();
        List<Double> losses = train(model, opt, updates, o.batch, steps, rng);
        double seconds = (System.nanoTime() - t0) / 1e9;
        double test = test(model, steps, rng);
        Ndgrad.log().info("adding problem, {} steps per sequence: {} after {} updates of batch {} in {} s: train loss {}"
                + " -> {}, test MSE {} (predicting the mean scores {})", steps, model.rnn, updates, o.batch,
                String.format("%.1f", seconds), String.format("%.4f", losses.get(0)),
                String.format("%.4f", losses.get(updates - 1)), String.format("%.4f", test), String.format("%.3f",
                MEAN_MSE));
        Path plot = Plots.save(chart(cell, losses), o.out.dir().resolve("sequence-loss.png"));
        Ndgrad.log().info("plot written to {}", plot.toAbsolutePath());
        return 0;
    }
}
