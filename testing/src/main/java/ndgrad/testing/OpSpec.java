package ndgrad.testing;

import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.function.BiFunction;
import java.util.function.Function;
import java.util.function.Supplier;
import ndgrad.autograd.GradCheck;
import ndgrad.autograd.Tensor;
import ndgrad.nn.Layer;

/**
 * One op under test, as PyTorch's OpInfo: its name, how to call it, its samples, a reference that computes its
 * output independently, and what it promises (differentiable, once-differentiable, which inputs are bad).
 * {@link OpTests} turns a spec into the battery of checks ({@link Check}); a {@link Layer} is specified the same
 * way, its parameters checked as inputs.
 *
 * <p>Usage:
 * <pre>{@code
 * OpSpec.of("swish", x -> x[0].mul(x[0].sigmoid()))
 *     .reference(x -> x[0].map(v -> v / (1 + Math.exp(-v))))
 *     .sample(Sample.of(Arg.normal(3, 4)))
 *     .randomShapes(4);
 * }</pre>
 */
public final class OpSpec {
    /** A call that must be refused with a {@link ndgrad.core.ShapeException} naming the op. */
    public record BadInput(String label, List<Arg> args, Function<Tensor[], Tensor> call) {
    }

    /** The spec's settings: a fresh copy for every change, never changed once a spec holds it. */
    private final Settings s;

    private OpSpec(Settings s) {
        this.s = s;
    }

    /** An op called {@code name}, computed by {@code call} from the inputs its samples describe. */
    public static OpSpec of(String name, Function<Tensor[], Tensor> call) {
        Settings b = new Settings(name);
        b.call = call;
        return new OpSpec(b);
    }

    /**
     * A layer called {@code name}, made by {@code factory} (called under {@code DTypes.use} of each dtype checked;
     * every instance gets the parameter values of the first float64 one): its forward of the sample's inputs is
     * checked, and its parameters are checked as differentiable inputs after the sample's, in
     * {@link Layer#namedParameters()} order; a reference gets their values after the inputs too.
     */
    public static OpSpec layer(String name, Supplier<? extends Layer> factory) {
        return layer(name, factory, (l, x) -> l.forward(x));
    }

    /** A layer as {@link #layer(String, Supplier)}, computed by {@code call} (for outputs other than forward's). */
    @SuppressWarnings("unchecked")
    public static <L extends Layer> OpSpec layer(String name, Supplier<L> factory, BiFunction<L, Tensor[], Tensor>
            call) {
        Settings b = new Settings(name);
        b.layer = (Supplier<Layer>) factory;
        b.layerCall = (BiFunction<Layer, Tensor[], Tensor>) call;
        return new OpSpec(b);
    }

    /** With a reference for samples that have none of their own. */
    public OpSpec reference(Function<Nd[], Nd> f) {
        return with(b -> b.reference = f);
    }

    /** With one more sample. */
    public OpSpec sample(Sample s) {
        return with(b -> b.samples.add(s));
    }

    /** With one more sample of these inputs. */
    public OpSpec sample(Arg... args) {
        return sample(Sample.of(args));
    }

    /**
     * With {@code count} more samples of random shapes, rank 0 to 4, for an op that takes inputs of any shape that
     * broadcast together: each input keeps the first sample's way of drawing values, some of its dimensions are 1
     * and some leading ones missing, so broadcasting is exercised.
     */
    public OpSpec randomShapes(int count) {
        if (count < 0) {
            throw new IllegalArgumentException("randomShapes: expected a count >= 0, got " + count);
        }
        return with(b -> b.randomShapes = count);
    }

    /** Not differentiable: its output never requires grad (a comparison, an index); only forward checks run. */
    public OpSpec notDifferentiable() {
        return with(b -> b.differentiable = false);
    }

    /**
     * Once-differentiable (its backward is not itself differentiable): gradgradcheck then expects the error that a
     * second derivative through it raises.
     */
    public OpSpec onceDifferentiable() {
        return with(b -> b.onceDifferentiable = true);
    }

    /** Float64 only: no float32 checks. */
    public OpSpec float64Only() {
        return with(b -> b.float32 = false);
    }

    /** With gradcheck's step and tolerances (PyTorch's defaults otherwise: eps 1e-6, atol 1e-5, rtol 1e-3). */
    public OpSpec gradCheck(GradCheck.Options options) {
        return with(b -> b.gradCheck = options);
    }

    /**
     * With other options for gradgradcheck than for gradcheck, e.g. {@code options.fast(3)} (PyTorch's fast_mode:
     * random directional derivatives) for a layer whose every second derivative would take minutes.
     */
    public OpSpec secondOrder(GradCheck.Options options) {
        return with(b -> b.secondOrder = options);
    }

    /** With the relative tolerance of float32 results against float64 ones (1e-5 otherwise). */
    public OpSpec float32Tolerance(double rtol) {
        return with(b -> b.rtol32 = rtol);
    }

    /** With a call that must fail with a ShapeException naming the op (see {@link #errorName}). */
    public OpSpec badInput(String label, Function<Tensor[], Tensor> call, Arg... args) {
        return with(b -> b.badInputs.add(new BadInput(label, List.of(args), call)));
    }

    /**
     * With the name errors must give, when it is not the spec's (a layer's class, an overload's op). Set, it is also
     * what a refusal of mixed dtypes must name; unset, that refusal need only name both dtypes, since a user's op or
     * layer usually leaves the check to the ops inside it.
     */
    public OpSpec errorName(String value) {
        return with(b -> b.errorName = value);
    }

    /** With the seed of the values drawn (0 otherwise). */
    public OpSpec seed(long value) {
        return with(b -> b.seed = value);
    }

    /** Without one check, for the reason given (which the test report shows). */
    public OpSpec skip(Check check, String reason) {
        if (reason == null || reason.isBlank()) {
            throw new IllegalArgumentException("skip: give the reason for skipping " + check);
        }
        return with(b -> b.skipped.put(check, reason));
    }

    /** The op's name. */
    public String name() {
        return s.name;
    }

    Function<Tensor[], Tensor> call() {
        return s.call;
    }

    Supplier<Layer> layer() {
        return s.layer;
    }

    BiFunction<Layer, Tensor[], Tensor> layerCall() {
        return s.layerCall;
    }

    Function<Nd[], Nd> reference() {
        return s.reference;
    }

    /** The samples given, without the random ones. */
    public List<Sample> samples() {
        return Collections.unmodifiableList(s.samples);
    }

    int randomShapes() {
        return s.randomShapes;
    }

    boolean differentiable() {
        return s.differentiable;
    }

    boolean isOnceDifferentiable() {
        return s.onceDifferentiable;
    }

    boolean float32() {
        return s.float32;
    }

    GradCheck.Options gradCheckOptions() {
        return s.gradCheck;
    }

    GradCheck.Options secondOrderOptions() {
        return s.secondOrder != null ? s.secondOrder : s.gradCheck;
    }

    double rtol32() {
        return s.rtol32;
    }

    List<BadInput> badInputs() {
        return Collections.unmodifiableList(s.badInputs);
    }

    String errorNameOrName() {
        return s.errorName != null ? s.errorName : s.name;
    }

    /** The name set with {@link #errorName}, or null. */
    String errorName() {
        return s.errorName;
    }

    long seedValue() {
        return s.seed;
    }

    /** Why {@code check} is skipped, or null when it runs. */
    String skipReason(Check check) {
        return s.skipped.get(check);
    }

    private OpSpec with(java.util.function.Consumer<Settings> change) {
        Settings b = s.copy();
        change.accept(b);
        return new OpSpec(b);
    }

    @Override
    public String toString() {
        return s.name;
    }

    private static final class Settings {
        private final String name;
        private Function<Tensor[], Tensor> call;
        private Supplier<Layer> layer;
        private BiFunction<Layer, Tensor[], Tensor> layerCall;
        private Function<Nd[], Nd> reference;
        private final List<Sample> samples = new ArrayList<>();
        private int randomShapes;
        private boolean differentiable = true;
        private boolean onceDifferentiable;
        private boolean float32 = true;
        private GradCheck.Options gradCheck = GradCheck.Options.defaults();
        private GradCheck.Options secondOrder;
        private double rtol32 = 1e-5;
        private final List<BadInput> badInputs = new ArrayList<>();
        private String errorName;
        private long seed;
        private final Map<Check, String> skipped = new EnumMap<>(Check.class);

        Settings(String name) {
            if (name == null || name.isBlank()) {
                throw new IllegalArgumentException("OpSpec: expected a name");
            }
            this.name = name;
        }

        /** A copy to change (the lists and the map copied, their elements shared: they are immutable). */
        Settings copy() {
            Settings c = new Settings(name);
            c.call = call;
            c.layer = layer;
            c.layerCall = layerCall;
            c.reference = reference;
            c.samples.addAll(samples);
            c.randomShapes = randomShapes;
            c.differentiable = differentiable;
            c.onceDifferentiable = onceDifferentiable;
            c.float32 = float32;
            c.gradCheck = gradCheck;
            c.secondOrder = secondOrder;
            c.rtol32 = rtol32;
            c.badInputs.addAll(badInputs);
            c.errorName = errorName;
            c.seed = seed;
            c.skipped.putAll(skipped);
            return c;
        }
    }
}
