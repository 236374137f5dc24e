package ndgrad.examples;

import ndgrad.core.NdArrays;
import ndgrad.autograd.Tensor;
import ndgrad.core.Rng;
import ndgrad.core.Shapes;
import ndgrad.core.io.Npz;
import ndgrad.core.kernels.Copies;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import ndgrad.nn.Sequential;
import ndgrad.optim.LrScheduler;
import ndgrad.optim.Optimizer;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * The {@code ndgrad} command line. Mistakes (a bad option, an unknown name, a missing or corrupt file, nonsense
 * hyperparameters) print one line and exit with code 2; output files go to {@code --out} (default {@code out/}).
 *
 * <p>Usage: {@code ndgrad train mnist --epochs 15}, {@code ndgrad --help}
 */
@Command(name = "ndgrad", mixinStandardHelpOptions = true, version = "ndgrad 0.1.0",
        description = "Train, compare and check neural nets with ndgrad.",
        subcommands = {Ndgrad.Train.class, Toys.Compare.class, Toys.LrFind.class, Toys.GradCheckCommand.class,
            Toys.NumGrad.class, Explain.class, Diagnose.class, Ndgrad.Predict.class, Playground.class})
public final class Ndgrad {
    /**
     * The command line's logger, looked up when a command first logs: --help never sets up logging, which took a
     * fifth of its start-up.
     */
    static Logger log() {
        return LoggerFactory.getLogger(Ndgrad.class);
    }

    /**
     * Runs the command line and returns its exit code (0 ok, 1 internal error, 2 bad input, 3 training diverged).
     */
    public static int run(String... args) {
        return run(new PrintWriter(System.out, true), new PrintWriter(System.err, true), args);
    }

    /** As {@link #run(String...)}, with the command's output and error lines going to the given writers. */
    public static int run(PrintWriter out, PrintWriter err, String... args) {
        CommandLine cli = new CommandLine(new Ndgrad()).setOut(out).setErr(err);
        // an expression may start with a minus ("-x"): explain reads an argument it does not know as the expression
        cli.getSubcommands().get("explain").setUnmatchedOptionsArePositionalParams(true);
        cli.setParameterExceptionHandler((e, a) -> {
            PrintWriter w = e.getCommandLine().getErr();
            w.println("ndgrad: " + oneLine(e.getMessage()) + " (see --help)");
            w.flush();
            return 2;
        });
        cli.setExecutionExceptionHandler((e, c, p) -> {
            if (e instanceof Diverged) {
                c.getErr().println("ndgrad: " + oneLine(e.getMessage()));
                c.getErr().flush();
                return Diverged.EXIT_CODE;
            }
            boolean user = e instanceof IllegalArgumentException || e instanceof IOException;
            c.getErr().println("ndgrad: " + (user ? "" : "internal error: " + e.getClass().getSimpleName() + ": ")
                    + oneLine(e.getMessage()));
            c.getErr().flush();
            return user ? 2 : 1;
        });
        cli.setExecutionStrategy(parsed -> {
            CommandLine leaf = parsed.asCommandLineList().get(parsed.asCommandLineList().size() - 1);
            if (!leaf.isUsageHelpRequested() && !leaf.isVersionHelpRequested()) {
                try {
                    Npz.maxInputBytes();
                    leaf.getCommandSpec().mixins().values().forEach(m -> {
                        if (m.userObject() instanceof OutDir d) {
                            d.check();
                        }
                    });
                    if (leaf.getCommand() instanceof Outputs o) {
                        o.checkOutputs();
                    }
                } catch (IllegalArgumentException e) {
                    throw new CommandLine.ParameterException(leaf, e.getMessage(), e);
                }
            }
            return new CommandLine.RunLast().execute(parsed);
        });
        try {
            return cli.execute(args);
        } catch (OutOfMemoryError e) {
            err.println("ndgrad: out of memory (" + e.getMessage() + "): the model or the data is too large for this "
                    + "machine or for the JVM's heap; try smaller sizes, or NDGRAD_JAVA_OPTS=-Xmx...");
            err.flush();
            return 2;
        }
    }

    /** A message as one line: a file name or an expression may hold line breaks or other control characters. */
    static String oneLine(String message) {
        return String.valueOf(message).replaceAll("\\p{Cntrl}", "?");
    }

    /** A command whose output files are checked before it runs ({@link OutDir#file}). */
    interface Outputs {
        void checkOutputs();
    }

    public static void main(String[] args) {
        System.exit(run(args.length == 0 ? new String[] {"--help"} : args));
    }

    /** {@code ndgrad train <task>}: an MLP on MNIST, or a synthetic task. */
    @Command(name = "train", mixinStandardHelpOptions = true,
            description = "Train on mnist (bundled subset or --data DIR) or on a synthetic task: regression, xor, "
                    + "moons, spiral, sequence (the adding problem, by an LSTM or GRU).")
    static final class Train implements Callable<Integer>, Outputs {
        /** The options each kind of task takes, besides --out, --seed and --no-progress (mnist takes them all). */
        private static final Map<String, List<String>> TAKES = Map.of(
                "sequence", List.of("--model", "--hidden", "--lr", "--epochs", "--batch-size"),
                "regression", List.of("--optimizer", "--lr", "--momentum", "--weight-decay", "--epochs"),
                "xor, moons and spiral", List.of("--hidden", "--activation", "--optimizer", "--lr", "--momentum",
                        "--weight-decay", "--epochs"));
        private static final List<String> MOMENTUM = List.of("momentum", "nesterov", "rmsprop");

        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;
        @Parameters(index = "0", paramLabel = "TASK", description = "mnist, regression, xor, moons, spiral or "
                + "sequence")
        String task;
        @Option(names = "--model", defaultValue = "mlp", description = "mnist: mlp or cnn (conv 5x5-32, batch norm, "
                + "pool, conv 5x5-64, batch norm, pool, 1024-128-10); sequence: lstm (default) or gru")
        String model;
        @Option(names = "--hidden", split = ",", description = "hidden layer sizes (default: mnist 256,128; "
                + "others 16,16)")
        int[] hidden;
        @Option(names = "--activation", description = "relu, tanh, sigmoid, gelu, leaky-relu (default: relu; "
                + "tanh for xor and moons)")
        String activation;
        @Option(names = "--optimizer", defaultValue = "adam", description = "sgd, momentum, nesterov, rmsprop, adam,"
                + " adamw, adagrad")
        String optimizer;
        @Option(names = "--lr", description = "learning rate (default: mnist 1e-3, xor/moons/spiral 0.05, regression "
                + "0.1)")
        Double lr;
        @Option(names = "--momentum", defaultValue = "0.9", description = "for momentum, nesterov, rmsprop")
        double momentum;
        @Option(names = "--weight-decay", defaultValue = "0")
        double weightDecay;
        @Option(names = "--dropout", defaultValue = "0.2", description = "after each hidden layer (mnist)")
        double dropout;
        @Option(names = "--schedule", defaultValue = "cosine", description = "none, step, exponential, cosine, "
                + "warmup (per epoch)")
        String schedule;
        @Option(names = "--epochs", description = "epochs (default: mnist 15); for the synthetic tasks, full-batch "
                + "steps (default 1000; regression 200)")
        Integer epochs;
        @Option(names = "--batch-size", defaultValue = "64")
        int batch;
        @Option(names = "--seed", defaultValue = "42")
        long seed;
        @Option(names = "--train-size", description = "use only the first N training digits")
        Integer trainSize;
        @Option(names = "--data", description = "directory with the four full-MNIST IDX files")
        Path data;
        @Option(names = "--save", description = "write the trained model (.npz) here")
        Path save;
        @Option(names = "--resume", description = "start from a model saved with --save")
        Path resume;
        @Mixin
        OutDir out;
        @Option(names = "--no-progress", description = "no progress bar")
        boolean noProgress;

        @Override
        public void checkOutputs() {
            if (save != null) {
                OutDir.file(save, "--save");
            }
        }

        /** Refuses an option given on the command line that this task would not use. */
        private void rejectInapplicable() {
            List<String> given = spec.commandLine().getParseResult().matchedOptions().stream()
                    .map(CommandLine.Model.OptionSpec::longestName).toList();
            String kind = switch (task) {
                case "mnist" -> null;
                case "xor", "moons", "spiral" -> "xor, moons and spiral";
                default -> task;
            };
            List<String> takes = kind == null ? null : TAKES.get(kind);
            if (takes != null) {
                List<String> wrong = given.stream().filter(o -> !takes.contains(o) && !List.of("--out", "--seed",
                        "--no-progress").contains(o)).toList();
                if (!wrong.isEmpty()) {
                    throw new IllegalArgumentException("train " + task + ": " + String.join(", ", wrong)
                            + (wrong.size() == 1 ? " does" : " do") + " not apply (train " + kind + " takes "
                            + String.join(", ", takes) + ", --seed and --out)");
                }
            }
            if (given.contains("--momentum") && !MOMENTUM.contains(optimizer)) {
                throw new IllegalArgumentException("--momentum applies to --optimizer momentum, nesterov or rmsprop, "
                        + "not " + optimizer);
            }
        }

        @Override
        public Integer call() throws IOException {
            rejectInapplicable();
            if (epochs != null && epochs < 1 || batch < 1 || !(dropout >= 0 && dropout < 1)) {
                throw new IllegalArgumentException("expected --epochs >= 1, --batch-size >= 1, 0 <= --dropout < 1");
            }
            if (lr != null && !(lr > 0 && Double.isFinite(lr))) {
                throw new IllegalArgumentException("--lr " + lr + ": expected a finite number > 0");
            }
            if (!(momentum >= 0 && Double.isFinite(momentum)) || !(weightDecay >= 0 && Double.isFinite(weightDecay))) {
                throw new IllegalArgumentException("--momentum " + momentum + " --weight-decay " + weightDecay
                        + ": expected finite numbers >= 0");
            }
            if (task.equals("sequence")) {
                return TrainSequence.run(this);
            }
            if (!task.equals("mnist")) {
                return Toys.train(this);
            }
            int epochs = this.epochs == null ? 15 : this.epochs;
            double lr = this.lr == null ? 1e-3 : this.lr;
            String activation = this.activation == null ? "relu" : this.activation;
            Mnist mnist = data == null ? Mnist.bundled() : Mnist.fromDirectory(data);
            if (trainSize != null) {
                if (trainSize < 1) {
                    throw new IllegalArgumentException("--train-size " + trainSize + ": expected at least 1 (up to the "
                            + mnist.trainY().length + " training digits)");
                }
                mnist = mnist.limitTrain(trainSize);
            }
            if (batch > mnist.trainY().length) {
                throw new IllegalArgumentException("--batch-size " + batch + " exceeds the " + mnist.trainY().length
                        + " training digits");
            }
            Rng rng = new Rng(seed);
            int[] sizes = sizes(784, hidden == null ? new int[] {256, 128} : hidden, 10);
            if (!model.equals("mlp") && !model.equals("cnn")) {
                throw new IllegalArgumentException("unknown --model '" + model + "' (expected mlp or cnn)");
            }
            if (model.equals("cnn") && (hidden != null || this.activation != null || resume != null || save != null)) {
                throw new IllegalArgumentException("--model cnn has a fixed architecture; --hidden, --activation, "
                        + "--save and --resume apply to the mlp");
            }
            Sequential model;
            double dropout = this.dropout;
            if (resume == null) {
                model = this.model.equals("cnn") ? Cli.cnn(dropout, rng) : Cli.mlp(sizes, activation, dropout, rng);
            } else {
                Saved read = read(resume, rng);
                model = read.model();
                Arch saved = read.arch();
                if (hidden != null && !java.util.Arrays.equals(sizes, saved.sizes())
                        || this.activation != null && !this.activation.equals(saved.activation())
                        || spec.commandLine().getParseResult().hasMatchedOption("--dropout")
                        && dropout != saved.dropout()) {
                    throw new IllegalArgumentException("--resume " + resume + " holds a " + saved + " model; "
                            + "--hidden, --activation and --dropout must match it or be left out");
                }
                sizes = saved.sizes();
                activation = saved.activation();
                dropout = saved.dropout();
            }
            Optimizer<?> opt = Cli.optimizer(optimizer, model.parameters(), lr, momentum, weightDecay);
            LrScheduler sched = Cli.schedule(schedule, opt, epochs);
            log().info("training on {} digits ({} test), {} with lr {}, {} schedule, {} epochs of batch {}:\n{}",
                    mnist.trainY().length, mnist.testY().length, optimizer, lr, schedule, epochs, batch,
                    model.summary(batch, 784));
            TrainMnist.History h;
            try (TerminalProgress bar = noProgress || System.console() == null ? null : new TerminalProgress(epochs)) {
                h = TrainMnist.train(model, opt, sched, mnist, epochs, batch, rng, bar == null ? (e, s, n) -> { }
                        : bar);
            }
            double total = h.seconds().stream().mapToDouble(Double::doubleValue).sum();
            log().info("final test accuracy {}% after {} s of training", String.format("%.2f",
                    100 * h.accuracy().get(epochs - 1)), String.format("%.1f", total));
            if (save != null) {
                save(model, sizes, activation, dropout, save);
                log().info("model saved to {}", save);
            }
            List<Path> plots = new java.util.ArrayList<>();
            for (Map.Entry<String, org.knowm.xchart.XYChart> c : TrainMnist.charts(this.model.equals("cnn")
                    ? "mnist-cnn" : "mnist", h).entrySet()) {
                plots.add(Plots.save(c.getValue(), out.dir().resolve(c.getKey())));
            }
            log().info("plots written to {}: {}", out.dir().toAbsolutePath(), plots.stream().map(Path::getFileName).toList());
            return 0;
        }
    }

    /** {@code ndgrad predict}: classify one digit with a saved model. */
    @Command(name = "predict", mixinStandardHelpOptions = true, description = "Classify a digit with a saved model.")
    static final class Predict implements Callable<Integer> {
        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;
        @Option(names = "--model", required = true, description = "a model saved by train mnist --save")
        Path model;
        @Option(names = "--image", required = true, description = "a PNG file (any size up to 8192x8192: cropped to"
                + " the ink, scaled and centred as MNIST's digits), or the index of a bundled test digit (0-1999)")
        String image;

        @Override
        public Integer call() throws IOException {
            Sequential m = load(model, new Rng(0));
            INDArray x;
            if (image.matches("[-+]?\\d+")) {
                x = bundledTestDigit(image);
            } else {
                Images.Digit d = Images.readDigit(Path.of(image));
                if (d.blank()) {
                    log().warn("{}: the image is blank or nearly so (no ink stands out from its background); the "
                            + "prediction means little", image);
                }
                x = d.pixels();
            }
            double[] p = TrainMnist.probabilities(m, x);
            Integer[] order = java.util.stream.IntStream.range(0, p.length).boxed()
                    .sorted((a, b) -> Double.compare(p[b], p[a])).toArray(Integer[]::new);
            spec.commandLine().getOut().println(String.format(java.util.Locale.ROOT,
                    "%s: predicted digit %d (%.1f%%); then %d (%.1f%%), %d (%.1f%%)", image, order[0],
                    100 * p[order[0]], order[1], 100 * p[order[1]], order[2], 100 * p[order[2]]));
            spec.commandLine().getOut().flush();
            return 0;
        }
    }

    static INDArray bundledTestDigit(String number) throws IOException {
        Mnist m = Mnist.bundled();
        long index;
        try {
            index = Long.parseLong(number);
        } catch (NumberFormatException e) {
            index = -1;
        }
        if (index < 0 || index >= m.testY().length) {
            throw new IllegalArgumentException("--image " + number + ": a bundled test digit's index is 0.."
                    + (m.testY().length - 1));
        }
        return NdArrays.rows(m.testX(), (int) index, (int) index + 1);
    }

    static int[] sizes(int in, int[] hidden, int out) {
        int[] s = new int[hidden.length + 2];
        s[0] = in;
        System.arraycopy(hidden, 0, s, 1, hidden.length);
        s[s.length - 1] = out;
        return s;
    }

    /**
     * Writes the model's parameters and its architecture (meta.sizes, meta.activation, meta.dropout) to one .npz,
     * atomically.
     */
    static void save(Sequential model, int[] sizes, String activation, double dropout, Path file) throws IOException {
        for (ndgrad.nn.Parameter p : model.namedParameters()) {
            if (!finite(p.value().data())) {
                throw new IOException("refusing to save " + file + ": parameter " + p.name() + " holds NaN or "
                        + "infinite values");
            }
        }
        Map<String, INDArray> arrays = new LinkedHashMap<>();
        model.namedParameters().forEach(p -> arrays.put(p.name(), p.value().data()));
        arrays.put("meta.sizes", NdArrays.create(java.util.Arrays.stream(sizes).asDoubleStream().toArray(),
                new long[] {sizes.length}, DataType.DOUBLE));
        arrays.put("meta.activation", NdArrays.create(new double[] {Cli.ACTIVATIONS.indexOf(activation)},
                new long[0], DataType.DOUBLE));
        arrays.put("meta.dropout", NdArrays.create(new double[] {dropout}, new long[0], DataType.DOUBLE));
        Npz.write(file, arrays);
    }

    /** A saved model's architecture: layer sizes, activation and dropout. */
    record Arch(int[] sizes, String activation, double dropout) {
        @Override
        public String toString() {
            return java.util.Arrays.stream(sizes).mapToObj(String::valueOf).collect(java.util.stream.Collectors
                    .joining("-")) + " " + activation + " (dropout " + dropout + ")";
        }
    }

    /** A model read back with its architecture. */
    record Saved(Sequential model, Arch arch) {
    }

    /** Rebuilds and loads a model written by {@link #save}. */
    static Sequential load(Path file, Rng rng) throws IOException {
        return read(file, rng).model();
    }

    /**
     * As {@link #load}, with the architecture. Everything is checked before the model is built: the meta entries
     * first, then the headers of the parameters against the element count the architecture implies, then their data
     * (counted as it inflates); a parameter holding NaN or infinite values is refused.
     */
    static Saved read(Path file, Rng rng) throws IOException {
        Map<String, INDArray> meta = Npz.read(file, (name, shape) -> {
            if (name.startsWith("meta.") && Shapes.numel(shape) > 64) {
                throw new IOException(file + ": entry " + name + " has shape " + Shapes.str(shape) + "; a model's "
                        + "meta entries hold at most 64 values");
            }
            return name.startsWith("meta.");
        });
        INDArray sizes = meta.get("meta.sizes");
        INDArray act = meta.get("meta.activation");
        INDArray dropout = meta.get("meta.dropout");
        if (sizes == null || act == null || dropout == null) {
            throw new IOException(file + ": not a model saved by 'ndgrad train mnist --save' (no meta entries)");
        }
        double[] sv = Copies.values(sizes);
        double a = act.length() == 1 ? act.getDouble(0) : Double.NaN;
        double p = dropout.length() == 1 ? dropout.getDouble(0) : Double.NaN;
        boolean whole = java.util.Arrays.stream(sv).allMatch(v -> v >= 1 && v <= Integer.MAX_VALUE
                && v == Math.rint(v));
        if (!(a >= 0 && a < Cli.ACTIVATIONS.size() && a == Math.rint(a)) || !(p >= 0 && p < 1) || sv.length < 2
                || !whole || sv[0] != 784 || sv[sv.length - 1] != 10) {
            throw new IOException(file + ": its meta entries are not those of a saved MNIST MLP (meta.activation "
                    + "must be 0.." + (Cli.ACTIVATIONS.size() - 1) + ", meta.dropout in [0, 1), meta.sizes whole "
                    + "numbers from 784 to 10; found " + a + ", " + p + ", " + java.util.Arrays.toString(sv) + ")");
        }
        int[] s = java.util.Arrays.stream(sv).mapToInt(v -> (int) v).toArray();
        Arch arch = new Arch(s, Cli.ACTIVATIONS.get((int) a), p);
        try {
            Cli.checkSizes(s);
        } catch (IllegalArgumentException e) {
            throw new IOException(file + ": " + e.getMessage(), e);
        }
        long implied = 0;
        for (int i = 0; i + 1 < s.length; i++) {
            implied += (long) s[i] * s[i + 1] + s[i + 1];
        }
        long[] declared = {0};
        Npz.read(file, (name, shape) -> {
            declared[0] += name.startsWith("meta.") ? 0 : Shapes.numel(shape);
            return false;
        });
        if (declared[0] != implied) {
            throw new IOException(file + ": its parameters hold " + declared[0] + " values, but a " + arch
                    + " model has " + implied);
        }
        Map<String, INDArray> arrays = Npz.read(file, (name, shape) -> !name.startsWith("meta."));
        for (Map.Entry<String, INDArray> e : arrays.entrySet()) {
            if (!finite(e.getValue())) {
                throw new IOException(file + ": parameter " + e.getKey() + " holds NaN or infinite values; such a "
                        + "model predicts nothing (retrain it, or resume from an earlier save)");
            }
        }
        Sequential m = Cli.mlp(s, arch.activation(), p, rng);
        Map<String, Tensor> state = new java.util.LinkedHashMap<>();
        arrays.forEach((name, array) -> state.put(name, Tensor.of(array)));
        try {
            m.loadStateDict(state, true);
        } catch (IllegalArgumentException e) {
            throw new IOException(file + ": " + e.getMessage(), e);
        }
        return new Saved(m, arch);
    }

    private static boolean finite(INDArray a) {
        return java.util.Arrays.stream(Copies.values(a)).allMatch(Double::isFinite);
    }

    /**
     * A progress bar per epoch on a terminal (me.tongfei:progressbar), drawn on stdout with carriage returns and no
     * other control codes; where stdout or stdin is not a terminal (a pipe, a file, CI: {@code System.console()} is
     * null) there is none, and each epoch's summary line is the progress. stderr gets only warnings and errors.
     */
    static final class TerminalProgress implements TrainMnist.Progress, AutoCloseable {
        private final int epochs;
        private me.tongfei.progressbar.ProgressBar bar;
        private int epoch;

        TerminalProgress(int epochs) {
            this.epochs = epochs;
        }

        @Override
        public void update(int epoch, int step, int steps) {
            if (bar == null || epoch != this.epoch) {
                close();
                this.epoch = epoch;
                bar = new me.tongfei.progressbar.ProgressBarBuilder().setTaskName("epoch " + epoch + "/" + epochs)
                        .setInitialMax(steps).setUnit(" steps", 1).setStyle(me.tongfei.progressbar.ProgressBarStyle
                        .ASCII).setConsumer(new me.tongfei.progressbar.ConsoleProgressBarConsumer(System.out))
                        .build();
            }
            bar.stepTo(step);
            if (step == steps) {
                close();
            }
        }

        @Override
        public void close() {
            if (bar != null) {
                bar.close();
                bar = null;
            }
        }
    }
}
