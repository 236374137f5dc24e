package ndgrad.testing;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.function.Function;
import java.util.stream.Stream;
import ndgrad.autograd.Autograd;
import ndgrad.autograd.AutogradException;
import ndgrad.autograd.GradCheck;
import ndgrad.autograd.GradOptions;
import ndgrad.autograd.Tensor;
import ndgrad.core.DTypes;
import ndgrad.core.NdArrays;
import ndgrad.core.Restore;
import ndgrad.core.Rng;
import ndgrad.core.ShapeException;
import ndgrad.core.kernels.Kernels;
import ndgrad.core.memory.Scope;
import ndgrad.nn.Layer;
import org.junit.jupiter.api.DynamicContainer;
import org.junit.jupiter.api.DynamicNode;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.function.Executable;
import org.nd4j.linalg.api.buffer.DataType;

/**
 * The battery of checks for an {@link OpSpec}, as JUnit 5 dynamic tests or as a report: for each sample, the
 * forward against the reference in float64 and float32, gradcheck and gradgradcheck in float64, the recorded
 * backward against the plain one, Java against ND4J kernels, non-contiguous inputs against contiguous ones, and
 * values computed elsewhere; for the spec, its bad inputs and mixed dtypes. A check that does not apply (no
 * reference, a kink, a spec that skips it with a reason) makes no test. A failure names the op, the sample, the
 * element, both values and the input's value there.
 *
 * <p>Usage:
 * <pre>{@code
 * // in a @TestFactory method:
 * Stream<DynamicNode> swish = OpTests.of(OpSpec.of("swish", x -> x[0].mul(x[0].sigmoid())).sample(Arg.normal(3, 4))
 *     .randomShapes(4));
 * }</pre>
 */
public final class OpTests {
    /** Relative tolerance of float64 results against a reference or each other. */
    static final double RTOL64 = 1e-12;
    /** Relative tolerance against values computed elsewhere (PyTorch's kernels sum in other orders). */
    static final double RTOL_EXPECTED = 1e-10;
    private static final String SECOND_ORDER_HINT = "the first derivatives check out, so the backward is right but "
            + "its own derivative is not. The usual cause: a value saved with ctx.save that was computed outside the "
            + "graph (forward runs with recording off), which a second derivative takes as a constant; save inputs "
            + "and outputs, and compute the rest again in backward";

    private OpTests() {
    }

    /** One planned check: its name, its kind and what it runs. */
    public record Planned(String name, Check kind, Executable body) {
    }

    /** The outcome of one check: passed, or the failure's message. */
    public record Outcome(String name, Check kind, boolean passed, String message) {
        @Override
        public String toString() {
            return (passed ? "passed: " : "FAILED: ") + name + (passed ? "" : "\n    " + message.replace("\n",
                    "\n    "));
        }
    }

    /** The outcomes of a spec's checks. */
    public record Report(String op, List<Outcome> outcomes) {
        /** Whether every check passed. */
        public boolean passed() {
            return outcomes.stream().allMatch(Outcome::passed);
        }

        /** The failed checks. */
        public List<Outcome> failures() {
            return outcomes.stream().filter(o -> !o.passed()).toList();
        }

        @Override
        public String toString() {
            List<Outcome> failed = failures();
            StringBuilder sb = new StringBuilder(op).append(": ").append(outcomes.size() - failed.size())
                    .append(" of ").append(outcomes.size()).append(" checks passed");
            failed.forEach(o -> sb.append("\n").append(o));
            return sb.toString();
        }
    }

    /** The battery as JUnit 5 dynamic tests: a container per sample, and the spec's own checks. */
    public static Stream<DynamicNode> of(OpSpec spec) {
        List<DynamicNode> nodes = new ArrayList<>();
        List<Sample> samples = samples(spec);
        for (int i = 0; i < samples.size(); i++) {
            List<DynamicNode> tests = plan(spec, samples.get(i), i).stream()
                    .map(p -> (DynamicNode) DynamicTest.dynamicTest(p.kind().title(), p.body())).toList();
            nodes.add(DynamicContainer.dynamicContainer(spec.name() + " " + samples.get(i).label(), tests));
        }
        specChecks(spec).forEach(p -> nodes.add(DynamicTest.dynamicTest(p.name(), p.body())));
        return Stream.of(DynamicContainer.dynamicContainer(spec.name(), nodes));
    }

    /** Runs every check of the battery and reports each outcome, for use outside JUnit. */
    public static Report run(OpSpec spec) {
        List<Outcome> outcomes = new ArrayList<>();
        for (Planned p : planAll(spec)) {
            try {
                p.body().execute();
                outcomes.add(new Outcome(p.name(), p.kind(), true, ""));
            } catch (Throwable t) {
                outcomes.add(new Outcome(p.name(), p.kind(), false, t.getClass().getSimpleName() + ": "
                        + t.getMessage()));
            }
        }
        return new Report(spec.name(), outcomes);
    }

    /** Every check the battery runs for {@code spec}, named "op › sample › check". */
    public static List<Planned> planAll(OpSpec spec) {
        List<Planned> all = new ArrayList<>();
        List<Sample> samples = samples(spec);
        for (int i = 0; i < samples.size(); i++) {
            for (Planned p : plan(spec, samples.get(i), i)) {
                all.add(new Planned(spec.name() + " › " + samples.get(i).label() + " › " + p.name(), p.kind(),
                        p.body()));
            }
        }
        specChecks(spec).forEach(p -> all.add(new Planned(spec.name() + " › " + p.name(), p.kind(), p.body())));
        return all;
    }

    /** The given samples, then the random-shape ones. */
    static List<Sample> samples(OpSpec spec) {
        List<Sample> all = new ArrayList<>(spec.samples());
        if (spec.randomShapes() > 0) {
            if (all.isEmpty()) {
                throw new IllegalArgumentException(spec.name() + ": randomShapes needs a first sample to take "
                        + "the inputs' kinds from");
            }
            Rng rng = new Rng(spec.seedValue() ^ 0x5DEECE66DL);
            for (int k = 0; k < spec.randomShapes(); k++) {
                all.add(RandomShapes.sample(all.get(0), rng));
            }
        }
        return all;
    }

    // ---------------------------------------------------------------- planning

    private static List<Planned> plan(OpSpec spec, Sample sample, int index) {
        Case c = new Case(spec, sample, index);
        List<Planned> p = new ArrayList<>();
        boolean floats = c.args().stream().anyMatch(a -> a.kind() == Arg.Kind.DIFFERENTIABLE);
        boolean differentiable = spec.differentiable() && (floats || spec.layer() != null);
        add(p, spec, Check.FORWARD, c.reference() != null, c::forward);
        add(p, spec, Check.FLOAT32, spec.float32(), c::float32);
        add(p, spec, Check.GRADIENT_FLOW, floats || spec.layer() != null, c::gradientFlow);
        add(p, spec, Check.GRADCHECK, differentiable && sample.smooth(), c::gradcheck);
        add(p, spec, Check.GRADGRADCHECK, differentiable && sample.smooth(), c::gradgradcheck);
        add(p, spec, Check.RECORDED, differentiable && !spec.isOnceDifferentiable(), c::recorded);
        add(p, spec, Check.KERNELS, true, c::kernels);
        add(p, spec, Check.LAYOUT, !c.args().isEmpty(), c::layout);
        add(p, spec, Check.EXPECTED, sample.expected() != null, c::expected);
        return p;
    }

    private static List<Planned> specChecks(OpSpec spec) {
        List<Planned> p = new ArrayList<>();
        for (OpSpec.BadInput bad : spec.badInputs()) {
            add(p, spec, Check.BAD_INPUT, true, () -> refuses(spec, bad.label(), bad.args(), bad.call(), null,
                    IllegalArgumentException.class),
                    Check.BAD_INPUT.title() + ": " + bad.label());
        }
        List<Sample> samples = samples(spec);
        Sample first = samples.isEmpty() ? null : samples.get(0);
        long differentiable = first == null ? 0 : first.args().stream().filter(a -> a.kind() == Arg.Kind
                .DIFFERENTIABLE).count();
        boolean mixable = spec.layer() != null ? differentiable >= 1 && !spec.layer().get().parameters().isEmpty()
                : differentiable >= 2;
        if (mixable) {
            add(p, spec, Check.MIXED_DTYPES, true, () -> refuses(spec, "float32 with float64", first.args(),
                    first.callOr(spec.call()), first, ShapeException.class), Check.MIXED_DTYPES.title());
        }
        return p;
    }

    private static void add(List<Planned> p, OpSpec spec, Check kind, boolean applies, Executable body) {
        add(p, spec, kind, applies, body, kind.title());
    }

    private static void add(List<Planned> p, OpSpec spec, Check kind, boolean applies, Executable body, String name) {
        if (applies && spec.skipReason(kind) == null) {
            p.add(new Planned(name, kind, body));
        }
    }

    /**
     * Calls the op with {@code args} (the last floating one in float32 when {@code mixFrom} is given; for a layer,
     * every input) and expects an exception of type {@code expected} whose message names it.
     */
    private static void refuses(OpSpec spec, String label, List<Arg> args, Function<Tensor[], Tensor> call,
            Sample mixFrom, Class<? extends RuntimeException> expected) {
        try (Scope scope = Scope.open(); Restore d = DTypes.use(DataType.DOUBLE)) {
            Rng rng = new Rng(spec.seedValue());
            int last = -1;
            for (int k = 0; k < args.size(); k++) {
                last = args.get(k).kind() == Arg.Kind.DIFFERENTIABLE ? k : last;
            }
            Tensor[] in = new Tensor[args.size()];
            for (int k = 0; k < in.length; k++) {
                DataType type = mixFrom != null && spec.layer() == null && k == last ? DataType.FLOAT
                        : mixFrom != null && spec.layer() != null ? DataType.FLOAT : DataType.DOUBLE;
                in[k] = Case.tensor(args.get(k), args.get(k).draw(rng), type, Layout.CONTIGUOUS);
            }
            Function<Tensor[], Tensor> f = call;
            if (spec.layer() != null) {
                Layer layer = spec.layer().get();
                f = x -> spec.layerCall().apply(layer, x);
            }
            List<String> names = mixFrom == null || spec.errorName() != null ? List.of(spec.errorNameOrName())
                    : List.of("FLOAT", "DOUBLE");
            String want = expected.getSimpleName() + " naming " + String.join(" and ", names);
            Tensor out;
            try {
                out = f.apply(in);
            } catch (RuntimeException e) {
                if (!expected.isInstance(e)) {
                    throw new AssertionError(spec.name() + " (" + label + "): expected an " + want + ", got " + e, e);
                }
                String message = e.getMessage() == null ? "" : e.getMessage().toLowerCase(Locale.ROOT);
                if (!names.stream().allMatch(n -> message.contains(n.toLowerCase(Locale.ROOT)))) {
                    throw new AssertionError(spec.name() + " (" + label + "): expected an " + want + ", got: "
                            + e.getMessage(), e);
                }
                return;
            }
            throw new AssertionError(spec.name() + " (" + label + "): expected an " + want + ", but it returned "
                    + out.describe());
        }
    }

    // ---------------------------------------------------------------- one sample

    /** One sample of one spec: its drawn values, and the checks over them. */
    private static final class Case {
        private final OpSpec spec;
        private final Sample sample;
        private final double[][] values;
        private final long seed;
        /** A layer's parameters, from its float64 instance, copied into every other instance. */
        private Nd[] params;

        Case(OpSpec spec, Sample sample, int index) {
            this.spec = spec;
            this.sample = sample;
            this.seed = spec.seedValue() * 1_000_003L + index;
            Rng rng = new Rng(seed);
            values = new double[sample.args().size()][];
            for (int k = 0; k < values.length; k++) {
                values[k] = sample.args().get(k).draw(rng);
            }
        }

        List<Arg> args() {
            return sample.args();
        }

        Function<Nd[], Nd> reference() {
            return sample.referenceOr(spec.reference());
        }

        static boolean floating(Arg a) {
            return a.kind() != Arg.Kind.INDEX;
        }

        /** A tensor of {@code type} in {@code layout} holding {@code v}; differentiable args require grad. */
        static Tensor tensor(Arg a, double[] v, DataType type, Layout layout) {
            long[] shape = a.shape();
            Tensor t = Tensor.of(layout.array(v, shape, floating(a) ? type : DataType.LONG));
            return a.kind() == Arg.Kind.DIFFERENTIABLE ? t.requiresGrad() : t;
        }

        /** The values of arg k as float32 would hold them. */
        private double[] rounded(int k) {
            double[] v = values[k].clone();
            if (floating(args().get(k))) {
                for (int i = 0; i < v.length; i++) {
                    v[i] = (float) v[i];
                }
            }
            return v;
        }

        /** The inputs, a layer's parameters after the sample's args, and the call over them. */
        private record Subject(Tensor[] inputs, Function<Tensor[], Tensor> call, int args, DataType type) {
            /** The inputs whose gradient is checked. */
            List<Tensor> differentiable() {
                return Arrays.stream(inputs).filter(Tensor::isRequiresGrad).toList();
            }
        }

        private Subject subject(DataType type, Layout layout, boolean round) {
            try (Restore d = DTypes.use(type)) {
                int n = args().size();
                List<Tensor> in = new ArrayList<>();
                for (int k = 0; k < n; k++) {
                    double[] v = round ? rounded(k) : values[k];
                    Layout l = layout.appliesTo(args().get(k).shape()) ? layout : Layout.CONTIGUOUS;
                    in.add(tensor(args().get(k), v, type, l));
                }
                if (spec.layer() == null) {
                    return new Subject(in.toArray(new Tensor[0]), sample.callOr(spec.call()), n, type);
                }
                Layer layer = spec.layer().get();
                List<Tensor> ps = layer.parameters();
                Nd[] values64 = layerParams();
                try (Autograd.GradMode off = Autograd.noGrad()) {
                    for (int i = 0; i < ps.size(); i++) {
                        double[] v = values64[i].data().clone();
                        for (int j = 0; round && j < v.length; j++) {
                            v[j] = (float) v[j];
                        }
                        ps.get(i).copyFrom(Tensor.of(NdArrays.create(v, ps.get(i).shape(), ps.get(i).dtype())));
                    }
                }
                in.addAll(ps);
                return new Subject(in.toArray(new Tensor[0]), x -> spec.layerCall().apply(layer, Arrays.copyOf(x, n)),
                        n, type);
            }
        }

        /** The parameter values of the layer made in float64, which every instance of this case gets. */
        private Nd[] layerParams() {
            if (params == null) {
                try (Restore d = DTypes.use(DataType.DOUBLE)) {
                    params = spec.layer().get().parameters().stream().map(Nd::of).toArray(Nd[]::new);
                }
            }
            return params;
        }

        /** The reference's output for the inputs as given, or rounded to float32 (a layer's parameters after them). */
        private Nd referenceOutput(boolean round) {
            return reference().apply(inputs(round));
        }

        /** Output and gradients of one subject, read out before the graph is freed. */
        private record Result(Nd output, Nd[] grads, Nd[] second) {
        }

        /**
         * Runs the subject: its output and, when {@code grads}, the gradients of sum(output · R) for a fixed R, and
         * with {@code second} also the gradient of sum(grads · U) (a Hessian-vector product) for a fixed U.
         */
        private Result run(Subject s, boolean grads, boolean second, boolean createGraph) {
            try (Scope scope = Scope.open(); Restore d = DTypes.use(s.type())) {
                Tensor out = s.call().apply(s.inputs());
                Nd output = Nd.of(out);
                List<Tensor> wrt = s.differentiable();
                if (!grads || !out.isRequiresGrad() || wrt.isEmpty()) {
                    return new Result(output, null, null);
                }
                Rng rng = new Rng(seed + 1);
                Tensor r = Tensor.of(NdArrays.create(normal(rng, out.numel()), out.shape(), out.dtype()));
                GradOptions o = GradOptions.defaults().allowUnused(true).retainGraph(true)
                        .createGraph(createGraph || second);
                List<Tensor> g = Autograd.grad(List.of(out), wrt, List.of(r), o);
                Nd[] first = g.stream().map(Nd::of).toArray(Nd[]::new);
                if (!second) {
                    return new Result(output, first, null);
                }
                Tensor sum = null;
                for (Tensor gi : g) {
                    Tensor u = Tensor.of(NdArrays.create(normal(rng, gi.numel()), gi.shape(), gi.dtype()));
                    Tensor term = gi.mul(u).sum();
                    sum = sum == null ? term : sum.add(term);
                }
                if (sum == null || !sum.isRequiresGrad()) {
                    return new Result(output, first, new Nd[0]);
                }
                List<Tensor> h = Autograd.grad(List.of(sum), wrt, null, GradOptions.defaults().allowUnused(true));
                return new Result(output, first, h.stream().map(Nd::of).toArray(Nd[]::new));
            }
        }

        private static double[] normal(Rng rng, long n) {
            double[] v = new double[(int) n];
            for (int i = 0; i < v.length; i++) {
                v[i] = rng.nextGaussian();
            }
            return v;
        }

        private String where() {
            return spec.name() + " " + sample.label();
        }

        // ------------------------------------------------------------ the checks

        void forward() {
            Nd want = referenceOutput(false);
            Nd got = run(subject(DataType.DOUBLE, Layout.CONTIGUOUS, false), false, false, false).output();
            Compare.values(where() + ": float64 output against the reference", want, got, RTOL64, inputs(false));
        }

        void float32() {
            boolean grads = spec.differentiable();
            Result r64 = run(subject(DataType.DOUBLE, Layout.CONTIGUOUS, true), grads, false, false);
            Result r32 = run(subject(DataType.FLOAT, Layout.CONTIGUOUS, true), grads, false, false);
            Nd want = (reference() != null ? referenceOutput(true) : r64.output()).map(v -> (float) v);
            Compare.values(where() + ": float32 output against float64 (" + (reference() != null ? "the reference"
                    : "ndgrad") + ", from the same float32 inputs, rounded to float32)", want, r32.output(),
                    spec.rtol32(), inputs(true));
            if (sample.smooth()) {
                Compare.all(where() + ": float32 gradient against float64", r64.grads(), r32.grads(), spec.rtol32(),
                        inputs(true));
            }
        }

        void gradientFlow() {
            try (Scope scope = Scope.open(); Restore d = DTypes.use(DataType.DOUBLE)) {
                Subject s = subject(DataType.DOUBLE, Layout.CONTIGUOUS, false);
                Tensor out = s.call().apply(s.inputs());
                boolean expected = spec.differentiable() && !s.differentiable().isEmpty();
                if (out.isRequiresGrad() != expected) {
                    throw new AssertionError(where() + ": the output " + (expected ? "does not require grad, but "
                            + "the op is differentiable and an input requires grad" : "requires grad, but the op is "
                            + "not differentiable") + " (" + out.describe() + ")");
                }
            }
        }

        /**
         * Runs with no scope open, as a user's gradcheck does: the engine recycles each evaluation's arrays, where a
         * scope would keep them all until the check ends.
         */
        void gradcheck() {
            try (Restore d = DTypes.use(DataType.DOUBLE)) {
                Subject s = subject(DataType.DOUBLE, Layout.CONTIGUOUS, false);
                GradCheck.Report r = GradCheck.check(spec.gradCheckOptions(), s.call(), s.inputs());
                if (!r.passed()) {
                    throw new AssertionError(where() + ": " + r + inputsText(false));
                }
            }
        }

        /** As {@link #gradcheck}, with no scope open. */
        void gradgradcheck() {
            try (Restore d = DTypes.use(DataType.DOUBLE)) {
                Subject s = subject(DataType.DOUBLE, Layout.CONTIGUOUS, false);
                if (spec.isOnceDifferentiable()) {
                    try {
                        GradCheck.checkSecondOrder(spec.secondOrderOptions(), s.call(), s.inputs());
                    } catch (AutogradException e) {
                        if (e.getMessage().contains("once-differentiable")) {
                            return;
                        }
                        throw e;
                    }
                    throw new AssertionError(where() + ": once-differentiable, but a second derivative through it "
                            + "raised no error");
                }
                GradCheck.Report r = GradCheck.checkSecondOrder(spec.secondOrderOptions(), s.call(), s.inputs());
                if (!r.passed()) {
                    boolean firstOk = GradCheck.check(spec.gradCheckOptions(), s.call(), s.inputs()).passed();
                    throw new AssertionError(where() + ": second order " + r + (firstOk ? "\n  Hint: "
                            + SECOND_ORDER_HINT : "") + inputsText(false));
                }
            }
        }

        void recorded() {
            Subject s = subject(DataType.DOUBLE, Layout.CONTIGUOUS, false);
            Nd[] plain = run(s, true, false, false).grads();
            Nd[] recorded = run(s, true, false, true).grads();
            Compare.all(where() + ": gradient with createGraph against without", plain, recorded, RTOL64,
                    inputs(false));
        }

        void kernels() {
            boolean second = spec.differentiable() && !spec.isOnceDifferentiable();
            for (DataType type : spec.float32() ? List.of(DataType.DOUBLE, DataType.FLOAT) : List.of(
                    DataType.DOUBLE)) {
                double rtol = type == DataType.DOUBLE ? RTOL64 : spec.rtol32();
                Subject s = subject(type, Layout.CONTIGUOUS, false);
                Result java;
                Result nd4j;
                try (Restore k = Kernels.use(Kernels.Path.JAVA)) {
                    java = run(s, spec.differentiable(), second, false);
                }
                try (Restore k = Kernels.use(Kernels.Path.ND4J)) {
                    nd4j = run(s, spec.differentiable(), second, false);
                }
                String what = where() + " " + type + ": ND4J kernels against Java kernels, ";
                Compare.values(what + "output", java.output(), nd4j.output(), rtol, inputs(false));
                Compare.all(what + "gradient", java.grads(), nd4j.grads(), rtol, inputs(false));
                Compare.all(what + "second derivative", java.second(), nd4j.second(), rtol, inputs(false));
            }
        }

        void layout() {
            boolean second = spec.differentiable() && !spec.isOnceDifferentiable();
            for (Layout layout : List.of(Layout.COLUMN_MAJOR, Layout.SLICED, Layout.EXPANDED)) {
                if (args().stream().noneMatch(a -> layout.appliesTo(a.shape()))) {
                    continue;
                }
                Result want = run(contiguousLike(layout), spec.differentiable(), second, false);
                Result got = run(subject(DataType.DOUBLE, layout, false), spec.differentiable(), second, false);
                String what = where() + ": " + layout.title() + " inputs against contiguous ones, ";
                Compare.values(what + "output", want.output(), got.output(), RTOL64, inputs(false));
                Compare.all(what + "gradient", want.grads(), got.grads(), RTOL64, inputs(false));
                Compare.all(what + "second derivative", want.second(), got.second(), RTOL64, inputs(false));
            }
        }

        /** Contiguous inputs holding the values a layout holds (an expanded input repeats its first slice). */
        private Subject contiguousLike(Layout layout) {
            Subject s = subject(DataType.DOUBLE, Layout.CONTIGUOUS, false);
            if (layout != Layout.EXPANDED) {
                return s;
            }
            Tensor[] in = s.inputs().clone();
            try (Restore d = DTypes.use(DataType.DOUBLE)) {
                for (int k = 0; k < s.args(); k++) {
                    Arg a = args().get(k);
                    in[k] = tensor(a, layout.values(values[k], a.shape()), DataType.DOUBLE, Layout.CONTIGUOUS);
                }
            }
            return new Subject(in, s.call(), s.args(), s.type());
        }

        void expected() {
            Sample.Expected e = sample.expected();
            try (Scope scope = Scope.open(); Restore d = DTypes.use(DataType.DOUBLE)) {
                Subject s = subject(DataType.DOUBLE, Layout.CONTIGUOUS, false);
                Tensor out = s.call().apply(s.inputs());
                String what = where() + " against " + e.source() + ": ";
                Compare.values(what + "output", e.output(), Nd.of(out), RTOL_EXPECTED, inputs(false));
                if (e.grads().isEmpty()) {
                    return;
                }
                Tensor r = Tensor.of(NdArrays.create(e.weights().data(), e.weights().shape(), out.dtype()));
                List<Integer> at = new ArrayList<>(e.grads().keySet());
                List<Tensor> wrt = at.stream().map(i -> s.inputs()[i]).toList();
                List<Tensor> g = Autograd.grad(List.of(out), wrt, List.of(r), GradOptions.defaults()
                        .allowUnused(true));
                for (int i = 0; i < at.size(); i++) {
                    Compare.values(what + "gradient of input " + at.get(i), e.grads().get(at.get(i)), Nd.of(g.get(i)),
                            RTOL_EXPECTED, inputs(false));
                }
            }
        }

        /** The inputs' values, as given or rounded to float32, and a layer's parameters after them. */
        private Nd[] inputs(boolean round) {
            List<Nd> in = new ArrayList<>();
            for (int k = 0; k < args().size(); k++) {
                in.add(new Nd(args().get(k).shape(), round ? rounded(k) : values[k]));
            }
            if (spec.layer() != null) {
                for (Nd p : layerParams()) {
                    in.add(round ? p.map(v -> (float) v) : p);
                }
            }
            return in.toArray(new Nd[0]);
        }

        private String inputsText(boolean round) {
            return Compare.describe(inputs(round));
        }
    }
}
