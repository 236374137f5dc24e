package ndgrad.examples;

import ndgrad.core.DTypes;
import ndgrad.core.NdArrays;
import ndgrad.core.Rng;
import ndgrad.core.io.Datasets;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import ndgrad.autograd.GradCheck;
import ndgrad.autograd.Tensor;
import ndgrad.nn.Losses;
import ndgrad.nn.Sequential;
import ndgrad.optim.LrFinder;
import ndgrad.optim.Optimizer;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * The synthetic jobs of the command line: training on regression, xor, moons and spiral, compare-optimizers,
 * lr-find and gradcheck.
 *
 * <p>Usage: {@code ndgrad train moons}, {@code ndgrad compare-optimizers}, {@code ndgrad lr-find},
 * {@code ndgrad gradcheck}
 */
final class Toys {
    private Toys() {
    }

    /** {@code train regression|xor|moons|spiral}, full batch, float64. */
    static int train(Ndgrad.Train o) throws IOException {
        try (var float64 = DTypes.use(DataType.DOUBLE)) {
            Rng rng = new Rng(o.seed);
            if (o.task.equals("regression")) {
                return regression(o, rng);
            }
            Datasets.Labeled d = switch (o.task) {
                case "xor" -> Datasets.xor(200, rng);
                case "moons" -> Datasets.moons(200, 0.1, rng);
                case "spiral" -> Datasets.spiral(100, 3, rng);
                default -> throw new IllegalArgumentException("unknown task '" + o.task
                        + "' (expected mnist, regression, xor, moons or spiral)");
            };
            int[] hidden = o.hidden == null ? new int[] {16, 16} : o.hidden;
            String activation = o.activation != null ? o.activation : o.task.equals("spiral") ? "relu" : "tanh";
            Sequential model = Cli.mlp(Ndgrad.sizes(2, hidden, d.classes()), activation, 0, rng);
            Optimizer<?> opt = Cli.optimizer(o.optimizer, model.parameters(), o.lr == null ? 0.05 : o.lr, o.momentum,
                    o.weightDecay);
            int steps = o.epochs == null ? 1000 : o.epochs;
            List<Double> losses = TrainClassifier.train(model, opt, d, steps);
            double acc = TrainMnist.accuracy(model, d.x(), d.labels());
            Ndgrad.log().info("{}: {} after {} full-batch steps: loss {}, train accuracy {}%", o.task, model, steps,
                    String.format("%.4f", losses.get(steps - 1)), String.format("%.1f", 100 * acc));
            Path boundary = Plots.draw(boundary(o.task, model, d), o.out.dir().resolve(o.task + "-boundary.png"));
            Path curve = Plots.lines(o.out.dir().resolve(o.task + "-loss.png"), o.task + " training loss", "step",
                    "cross-entropy", false, true, Map.of("loss", Plots.series(losses)));
            Ndgrad.log().info("plots written to {}: {}", o.out.dir().toAbsolutePath(), List.of(boundary.getFileName(),
                    curve.getFileName()));
            return 0;
        }
    }

    /** Linear regression: the closed form (least squares via the normal equations) beside gradient descent. */
    private static int regression(Ndgrad.Train o, Rng rng) throws IOException {
        Datasets.Regression d = Datasets.linear(200, new double[] {2, -3, 0.5}, 1, 0.1, rng);
        double[] closed = LinearRegression.closedForm(d);
        Tensor w = Tensor.zeros(3, 1).requiresGrad();
        Tensor b = Tensor.zeros(1).requiresGrad();
        Optimizer<?> opt = Cli.optimizer(o.optimizer, List.of(w, b), o.lr == null ? 0.1 : o.lr, o.momentum,
                o.weightDecay);
        List<Double> losses = LinearRegression.gradientDescent(d, w, b, opt, o.epochs == null ? 200 : o.epochs);
        Ndgrad.log().info("true w {} b {}", java.util.Arrays.toString(d.weights()), d.bias());
        Ndgrad.log().info("closed form w {} b {}", java.util.Arrays.toString(java.util.Arrays.copyOf(closed, 3)),
                closed[3]);
        Ndgrad.log().info("gradient descent ({} steps) w {} b {}", losses.size(), java.util.Arrays.toString(
                w.toDoubleArray()), b.item());
        Path curve = Plots.save(regressionChart(losses, LinearRegression.mse(d, closed)),
                o.out.dir().resolve("regression-loss.png"));
        Ndgrad.log().info("plots written to {}: {}", o.out.dir().toAbsolutePath(), List.of(curve.getFileName()));
        return 0;
    }

    /** Gradient descent's MSE per step (log) beside the closed form's, {@code best}, which it should approach. */
    static org.knowm.xchart.XYChart regressionChart(List<Double> losses, double best) {
        return Plots.chart("linear regression, MSE", "step", "MSE", false, true, Map.of("gradient descent",
                Plots.series(losses)), Map.of(String.format("closed form (normal equations): %.4g", best),
                Plots.level(best, 1, losses.size())));
    }

    /** {@code ndgrad compare-optimizers}. */
    @Command(name = "compare-optimizers", mixinStandardHelpOptions = true,
            description = "GD, SGD, momentum, Nesterov, RMSprop, Adam, AdamW, Adagrad and Newton on Rosenbrock, a "
                    + "quadratic and a small MLP: final loss and steps to tolerance, loss curves, Rosenbrock paths.")
    static final class Compare implements Callable<Integer> {
        @Option(names = "--steps", defaultValue = "1000")
        int steps;
        @Option(names = "--tolerance", defaultValue = "1e-4", description = "loss level for 'steps to tolerance'")
        double tolerance;
        @Mixin
        OutDir out;

        @Override
        public Integer call() throws IOException {
            if (steps < 1 || !(tolerance > 0)) {
                throw new IllegalArgumentException("expected --steps >= 1 and --tolerance > 0");
            }
            List<Path> plots = new ArrayList<>();
            for (String problem : CompareOptimizers.PROBLEMS) {
                Map<String, CompareOptimizers.Run> runs = CompareOptimizers.run(problem, steps);
                StringBuilder t = new StringBuilder("\n" + problem + "\n| method | final loss | steps to "
                        + tolerance + " |\n|---|---:|---:|\n");
                Map<String, double[][]> paths = new LinkedHashMap<>();
                runs.forEach((name, r) -> {
                    int to = r.stepsTo(tolerance);
                    t.append(String.format("| %s | %.3e | %s |%n", name, r.losses()[r.losses().length - 1],
                            to < 0 ? "not reached" : Integer.toString(to)));
                    if (r.path() != null) {
                        paths.put(name, r.path());
                    }
                });
                Ndgrad.log().info("{}", t);
                plots.add(Plots.save(curves(problem, runs, tolerance), out.dir().resolve("compare-" + problem
                        + ".png")));
                if (problem.equals("rosenbrock")) {
                    plots.add(Plots.draw(rosenbrock(paths), out.dir().resolve("rosenbrock-paths.png")));
                }
            }
            Ndgrad.log().info("plots written to {}: {}", out.dir().toAbsolutePath(), plots.stream().map(Path::getFileName)
                    .toList());
            return 0;
        }
    }

    /**
     * The decision regions of a 2-D classifier over the training points' box with a tenth of margin on each side,
     * with the points and a class legend.
     */
    static Plots.Field boundary(String task, Sequential model, Datasets.Labeled d) {
        double[][] points = NdArrays.rows(d.x());
        double[] b = Playground.bounds(points);
        double[] xr = {b[0], b[1]};
        double[] yr = {b[2], b[3]};
        INDArray grid = NdArrays.matrix(Plots.grid(xr, yr), DataType.DOUBLE);
        double[] regions = java.util.Arrays.stream(TrainMnist.predict(model, grid)).asDoubleStream().toArray();
        return Plots.field(task + " decision regions and training points", "x1", "x2", xr, yr, regions, true,
                Map.of(), new Plots.Points(points, d.labels()), Map.of());
    }

    /**
     * The loss per step of each optimizer (log-log, each in its colour) beside the tolerance's line; a curve ends at the
     * last positive loss before one of 0 (a log axis has no 0, and a floor would draw a flat line that never was).
     */
    static org.knowm.xchart.XYChart curves(String problem, Map<String, CompareOptimizers.Run> runs,
            double tolerance) {
        Map<String, double[][]> curves = new LinkedHashMap<>();
        int longest = 1;
        for (Map.Entry<String, CompareOptimizers.Run> e : runs.entrySet()) {
            double[] losses = e.getValue().losses();
            int n = 0;
            while (n < losses.length && losses[n] > 0) {
                n++;
            }
            double[] xs = new double[n];
            for (int i = 0; i < n; i++) {
                xs[i] = i + 1;
            }
            curves.put(e.getKey(), new double[][] {xs, java.util.Arrays.copyOf(losses, n)});
            longest = Math.max(longest, losses.length);
        }
        String level = Math.abs(Math.log10(tolerance) - Math.rint(Math.log10(tolerance))) < 1e-12
                ? Plots.decade(tolerance) : String.format("%.3g", tolerance);
        return Plots.chart(problem + ": loss per step", "step", "loss", true, true, curves, Map.of("tolerance "
                + level, Plots.level(tolerance, 1, longest)));
    }

    /** The Rosenbrock plot: log(1 + f) with each optimizer's path, its start (-1.5, 2) and minimum (1, 1) marked. */
    static Plots.Field rosenbrock(Map<String, double[][]> paths) {
        double[] xr = {-2, 2};
        double[] yr = {-1, 3};
        Map<String, double[]> marks = new LinkedHashMap<>();
        marks.put("start", paths.values().iterator().next()[0]);
        marks.put("minimum (1, 1)", new double[] {1, 1});
        return Plots.field("Rosenbrock: log(1 + f) and each optimizer's path", "x", "y", xr, yr,
                Plots.evaluate(xr, yr, (a, b) -> Math.log1p((1 - a) * (1 - a) + 100 * (b - a * a) * (b - a * a))),
                false, paths, null, marks);
    }

    /** {@code ndgrad lr-find}. */
    @Command(name = "lr-find", mixinStandardHelpOptions = true,
            description = "LR range test (Smith 2017): loss while the lr grows exponentially; suggests an lr.")
    static final class LrFind implements Callable<Integer> {
        @Option(names = "--problem", defaultValue = "mnist", description = "mnist or moons")
        String problem;
        @Option(names = "--optimizer", defaultValue = "sgd")
        String optimizer;
        @Option(names = "--start", defaultValue = "1e-5")
        double start;
        @Option(names = "--end", defaultValue = "10")
        double end;
        @Option(names = "--steps", defaultValue = "100")
        int steps;
        @Mixin
        OutDir out;

        @Override
        public Integer call() throws IOException {
            if (!(start > 0 && end > start && Double.isFinite(end)) || steps < 2) {
                throw new IllegalArgumentException("lr-find: expected 0 < --start < --end (finite) and --steps >= 2, "
                        + "got --start " + start + " --end " + end + " --steps " + steps);
            }
            Problem p = Problem.of(problem, new Rng(1));
            LrFinder.Result r = find(Cli.optimizer(optimizer, p.model().parameters(), start, 0.9, 0), p.batches(),
                    start, end, steps);
            if (Double.isNaN(r.suggestion())) {
                double[] l = r.losses();
                throw Diverged.because("lr-find: no lr from " + start + " to " + r.lrs()[l.length - 1] + " lowered the "
                        + "loss (it went from " + String.format("%.4g", l[0]) + " to " + String.format("%.4g",
                        l[l.length - 1]) + " in " + l.length + " steps); nothing to suggest. Try a smaller --start");
            }
            String suggested = String.format("%.3g", r.suggestion());
            Ndgrad.log().info("{} with {}: tried {} lrs from {} to {}; suggested lr {} (steepest descent of the "
                    + "smoothed loss)", problem, optimizer, r.lrs().length, start, r.lrs()[r.lrs().length - 1],
                    suggested);
            Path plot = Plots.save(lrChart(r, problem + ", " + optimizer), out.dir().resolve("lr-find-" + problem
                    + ".png"));
            Ndgrad.log().info("plot written to {}", plot.toAbsolutePath());
            return 0;
        }
    }

    /**
     * The LR range test's chart: the smoothed loss against the lr (log), up to where it passes twice its start (what
     * comes after only explodes, and would squash the part the suggestion is read from), the suggestion marked, and a
     * dashed line along the steepest descent's slope through it.
     */
    static org.knowm.xchart.XYChart lrChart(LrFinder.Result r, String what) {
        double[] lrs = r.lrs();
        double[] l = r.losses();
        int n = 1;
        while (n < l.length && l[n] <= 2 * l[0]) {
            n++;
        }
        int at = Math.min(n - 1, Math.max(0, java.util.Arrays.binarySearch(lrs, r.suggestion())));
        Map<String, double[][]> series = new LinkedHashMap<>();
        series.put("smoothed loss", new double[][] {java.util.Arrays.copyOf(lrs, n), java.util.Arrays.copyOf(l, n)});
        series.put("suggested lr " + String.format("%.3g", r.suggestion()), new double[][] {{lrs[at]}, {l[at]}});
        int a = Math.max(0, at - 2);
        int b = Math.min(n - 1, at + 2);
        double slope = (l[b] - l[a]) / Math.log10(lrs[b] / lrs[a]);
        double[] xs = {lrs[at] / Math.sqrt(10), lrs[at] * Math.sqrt(10)};
        double[] ys = {l[at] - slope * 0.5, l[at] + slope * 0.5};
        return Plots.chart("LR range test (" + what + ")", "learning rate", "smoothed loss", true, false, series,
                Map.of("steepest descent", new double[][] {xs, ys}));
    }

    /**
     * An lr-find problem: a fresh model (seeded), and a supplier of the next batch's loss (64 rows drawn without
     * replacement, reshuffled after each pass), with held-out data to score a model.
     */
    record Problem(Sequential model, java.util.function.Supplier<Tensor> batches, INDArray testX, int[] testY) {
        static Problem of(String name, Rng rng) throws IOException {
            Sequential model;
            INDArray x;
            int[] y;
            INDArray testX;
            int[] testY;
            if (name.equals("mnist")) {
                Mnist m = Mnist.bundled();
                model = Cli.mlp(new int[] {784, 128, 10}, "relu", 0, rng);
                x = m.trainX();
                y = m.trainY();
                testX = m.testX();
                testY = m.testY();
            } else if (name.equals("moons")) {
                Datasets.Labeled d = Datasets.moons(256, 0.1, rng);
                Datasets.Labeled t = Datasets.moons(512, 0.1, rng);
                model = Cli.mlp(new int[] {2, 16, 16, 2}, "tanh", 0, rng);
                x = d.x();
                y = d.labels();
                testX = t.x();
                testY = t.labels();
            } else {
                throw new IllegalArgumentException("unknown problem '" + name + "' (expected mnist or moons)");
            }
            int[] next = {0};
            int[][] order = {rng.permutation(y.length)};
            Tensor all = Tensor.of(x);
            Sequential net = model;
            return new Problem(model, () -> {
                long[] rows = new long[Math.min(64, y.length)];
                for (int i = 0; i < rows.length; i++, next[0]++) {
                    if (next[0] == y.length) {
                        next[0] = 0;
                        order[0] = rng.permutation(y.length);
                    }
                    rows[i] = order[0][next[0]];
                }
                return Losses.crossEntropy(net.forward(all.indexSelect(0, rows)),
                        java.util.Arrays.stream(rows).mapToInt(i -> y[(int) i]).toArray());
            }, testX, testY);
        }
    }

    private static <O extends Optimizer.Options<O>> LrFinder.Result find(Optimizer<O> opt,
            java.util.function.Supplier<Tensor> loss, double start, double end, int steps) {
        return LrFinder.run(opt, loss, start, end, steps);
    }

    /** {@code ndgrad numgrad}. */
    @Command(name = "numgrad", mixinStandardHelpOptions = true,
            description = "Numerical gradients of a function (rosenbrock, quadratic, sinexp) by every method: "
                    + "estimate, error against autograd, cost; and the error of each difference scheme against h.")
    static final class NumGrad implements Callable<Integer> {
        /** The most values --at takes: local regression's 40 samples determine a gradient of up to 39. */
        static final int MAX_POINT = 32;
        @Option(names = "--function", defaultValue = "sinexp")
        String function;
        @Option(names = "--at", split = ",", description = "the point (default: the function's own)")
        double[] at;
        @Mixin
        OutDir out;

        @Override
        public Integer call() throws IOException {
            java.util.function.UnaryOperator<Tensor> f = NumericalGradients.function(function);
            double[] x = at != null ? at : NumericalGradients.FUNCTIONS.get(function);
            if (x != null && java.util.Arrays.stream(x).anyMatch(v -> !Double.isFinite(v))) {
                throw new IllegalArgumentException("--at " + java.util.Arrays.toString(x) + ": expected finite numbers");
            }
            if (x.length > MAX_POINT) {
                throw new IllegalArgumentException("--at: " + x.length + " values, at most " + MAX_POINT + " (local "
                        + "regression fits the gradient from 40 samples)");
            }
            if (function.equals("rosenbrock") && x.length != 2) {
                throw new IllegalArgumentException("rosenbrock takes a point of 2 values, got " + x.length);
            }
            try (var float64 = DTypes.use(DataType.DOUBLE)) {
                StringBuilder t = new StringBuilder("\n" + function + " at " + java.util.Arrays.toString(x)
                        + "\n| method | gradient | max error | evaluations |\n|---|---|---:|---:|\n");
                for (NumericalGradients.Row r : NumericalGradients.compare(f, x)) {
                    t.append(String.format("| %s | %s | %.2e | %d |%n", r.method(), java.util.Arrays.stream(
                            r.gradient()).mapToObj(v -> String.format("%.10f", v)).toList(), r.error(),
                            r.evaluations()));
                }
                double[] hs = new double[12];
                for (int k = 0; k < hs.length; k++) {
                    hs[k] = Math.pow(10, -1 - k);
                }
                Map<String, double[]> err = NumericalGradients.errorVsH(f, x, hs);
                t.append("\nmax error against h\n| h |");
                err.keySet().forEach(s -> t.append(' ').append(s).append(" |"));
                t.append("\n|---|").append("---:|".repeat(err.size())).append('\n');
                for (int k = 0; k < hs.length; k++) {
                    t.append(String.format("| %.0e |", hs[k]));
                    for (double[] e : err.values()) {
                        t.append(String.format(" %.2e |", e[k]));
                    }
                    t.append('\n');
                }
                t.append("measured orders (steepest slope of log error against log h):");
                err.forEach((s, e) -> t.append(NumericalGradients.exact(e) ? " " + s + " exact here (round-off "
                        + "only)" : String.format(" %s %.2f", s, NumericalGradients.order(hs, e))));
                Ndgrad.log().info("{}", t);
                Map<String, double[][]> curves = new LinkedHashMap<>();
                err.forEach((s, e) -> curves.put(s, new double[][] {hs, e}));
                Path plot = Plots.save(Plots.chart(function + ": gradient error against h (truncation falls as h^p, "
                        + "round-off grows as 1/h)", "h", "max abs error", true, true, curves,
                        NumericalGradients.slopes(hs, err)), out.dir().resolve("numgrad-" + function + ".png"));
                Ndgrad.log().info("plot written to {}", plot.toAbsolutePath());
                return 0;
            }
        }
    }

    /** {@code ndgrad gradcheck}. */
    @Command(name = "gradcheck", mixinStandardHelpOptions = true,
            description = "Checks an MLP's gradients (cross-entropy on moons, float64) against central differences, "
                    + "parameter by parameter.")
    static final class GradCheckCommand implements Callable<Integer> {
        @Option(names = "--hidden", split = ",", defaultValue = "8,8")
        int[] hidden;
        @Option(names = "--activation", defaultValue = "tanh")
        String activation;
        @Option(names = "--fast", description = "random directional derivatives instead of every element")
        boolean fast;

        @Override
        public Integer call() {
            try (var float64 = DTypes.use(DataType.DOUBLE)) {
                Rng rng = new Rng(3);
                Datasets.Labeled d = Datasets.moons(32, 0.1, rng);
                Sequential model = Cli.mlp(Ndgrad.sizes(2, hidden, 2), activation, 0, rng);
                Tensor x = Tensor.of(d.x());
                GradCheck.Options options = fast ? GradCheck.Options.defaults().fast(8) : GradCheck.Options
                        .defaults();
                Map<String, GradCheck.Report> reports = CheckGradients.check(model, () -> Losses.crossEntropy(
                        model.forward(x), d.labels()), options);
                reports.forEach((name, r) -> Ndgrad.log().info("{}: {}", name, r));
                boolean all = reports.values().stream().allMatch(GradCheck.Report::passed);
                Ndgrad.log().info(all ? "all gradients check out" : "SOME GRADIENTS ARE WRONG");
                return all ? 0 : 1;
            }
        }
    }
}
