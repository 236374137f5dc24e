package ndgrad.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import ndgrad.autograd.Autograd;
import ndgrad.autograd.Function;
import ndgrad.autograd.Tensor;
import ndgrad.core.NdArrays;
import ndgrad.core.ShapeException;
import ndgrad.core.kernels.Kernels;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;

/**
 * Every check of the battery fails when it should: a bug planted for each check is caught by it (and the report
 * names it), and a correct op passes all. A check that could not fail would prove nothing.
 */
class OpTestsTest {
    /** The kinds of the checks that failed. */
    private static Set<Check> failed(OpSpec spec) {
        OpTests.Report r = OpTests.run(spec);
        return r.failures().stream().map(OpTests.Outcome::kind).collect(Collectors.toCollection(TreeSet::new));
    }

    private static OpSpec tanh(java.util.function.Function<Tensor[], Tensor> call) {
        return OpSpec.of("tanh", call).reference(x -> x[0].map(Math::tanh)).sample(Arg.normal(2, 3));
    }

    /** x·c with its backward g·c·k: right for k = 1; the factor is applied where {@code wrong} says. */
    static final class Scale extends Function {
        private final double c;
        private final java.util.function.BooleanSupplier wrong;

        Scale(double c, java.util.function.BooleanSupplier wrong) {
            super("scale");
            this.c = c;
            this.wrong = wrong;
        }

        @Override
        protected Tensor[] forward(Context ctx, Tensor... in) {
            return tensors(in[0].mul(c));
        }

        @Override
        protected Tensor[] backward(Context ctx, Tensor... g) {
            return tensors(g[0].mul(wrong.getAsBoolean() ? c * 1.01 : c));
        }
    }

    @Test
    void aCorrectOpPassesEveryCheck() {
        OpTests.Report r = OpTests.run(tanh(x -> x[0].tanh()).randomShapes(2));
        assertTrue(r.passed(), r.toString());
        assertEquals(Set.of(Check.FORWARD, Check.FLOAT32, Check.GRADIENT_FLOW, Check.GRADCHECK, Check.GRADGRADCHECK,
                Check.RECORDED, Check.KERNELS, Check.LAYOUT), r.outcomes().stream().map(OpTests.Outcome::kind)
                .collect(Collectors.toSet()));
        assertEquals(3 * 8, r.outcomes().size(), "three samples of eight checks");
    }

    @Test
    void eachPlantedBugIsCaughtByItsCheck() {
        Map<Check, OpSpec> planted = Map.of(
                Check.FORWARD, tanh(x -> x[0].tanh().add(1e-9)),
                Check.FLOAT32, tanh(x -> x[0].dtype() == DataType.FLOAT ? x[0].tanh().mul(1.001) : x[0].tanh()),
                Check.GRADIENT_FLOW, tanh(x -> x[0].detach().tanh()),
                Check.GRADCHECK, tanh(x -> new Scale(1, () -> true).apply(x[0]).tanh()),
                Check.RECORDED, tanh(x -> new Scale(1, Autograd::isGradEnabled).apply(x[0]).tanh()),
                Check.KERNELS, tanh(x -> Kernels.path() == Kernels.Path.ND4J ? x[0].tanh().mul(1 + 1e-9)
                        : x[0].tanh()),
                Check.LAYOUT, OpSpec.of("copy", x -> storageOrder(x[0])).reference(x -> x[0]).notDifferentiable()
                        .sample(Arg.normal(2, 3)));
        planted.forEach((check, spec) -> assertTrue(failed(spec).contains(check), check + " missed its bug: "
                + OpTests.run(spec)));
        assertEquals(Set.of(Check.LAYOUT), failed(planted.get(Check.LAYOUT)), "only the layouts see storage order");
        assertEquals(Set.of(Check.KERNELS), failed(planted.get(Check.KERNELS)), "only the kernel paths differ");
        assertEquals(Set.of(Check.FLOAT32), failed(planted.get(Check.FLOAT32)));
    }

    /** The first values of the array's buffer, in storage order: right only for a plain C-order array. */
    private static Tensor storageOrder(Tensor x) {
        double[] raw = x.data().data().asDouble();
        return Tensor.of(NdArrays.create(Arrays.copyOf(raw, (int) x.numel()), x.shape(), x.dtype()));
    }

    @Test
    void expectedValuesBadInputsAndMixedDtypesFailWhenTheyShould() {
        Nd out = Nd.of(new double[] {Math.tanh(0.5)}, 1);
        Nd weights = Nd.of(new double[] {1}, 1);
        Nd rightGrad = Nd.of(new double[] {1 - Math.tanh(0.5) * Math.tanh(0.5)}, 1);
        OpSpec expected = OpSpec.of("tanh", x -> x[0].tanh()).sample(Sample.of(Arg.of(new double[] {0.5}, 1))
                .expect("by hand", out, weights, Map.of(0, rightGrad.map(v -> v * 1.0001))));
        assertEquals(Set.of(Check.EXPECTED), failed(expected));
        assertTrue(OpTests.run(OpSpec.of("tanh", x -> x[0].tanh()).sample(Sample.of(Arg.of(new double[] {0.5}, 1))
                .expect("by hand", out, weights, Map.of(0, rightGrad)))).passed());

        OpSpec lenient = OpSpec.of("add", x -> x[0].add(x[1].to(x[0].dtype()))).sample(Arg.normal(2), Arg.normal(2))
                .badInput("no check", x -> x[0].add(x[1]), Arg.normal(2), Arg.normal(2))
                .badInput("another exception", x -> {
                    throw new IllegalStateException("add: not a shape problem");
                }, Arg.normal(2))
                .badInput("another name", x -> x[0].sub(x[1]), Arg.normal(2), Arg.normal(3));
        OpTests.Report r = OpTests.run(lenient);
        List<String> names = r.failures().stream().map(OpTests.Outcome::name).toList();
        assertEquals(List.of("add › bad input refused: no check", "add › bad input refused: another exception",
                "add › bad input refused: another name", "add › mixed dtypes refused"), names, r.toString());
        assertTrue(r.failures().get(2).message().contains("sub: shapes"), r.toString());
    }

    /** x², its backward once-differentiable: gradgradcheck expects the error, and fails if none comes. */
    static final class Square extends Function {
        private final boolean once;

        Square(boolean once) {
            super("square");
            this.once = once;
        }

        @Override
        protected Tensor[] forward(Context ctx, Tensor... in) {
            ctx.save(in[0]);
            return tensors(in[0].mul(in[0]));
        }

        @Override
        protected Tensor[] backward(Context ctx, Tensor... g) {
            return tensors(g[0].mul(ctx.saved(0)).mul(2));
        }

        @Override
        protected boolean onceDifferentiable() {
            return once;
        }
    }

    @Test
    void onceDifferentiableOpsExpectTheErrorOfASecondDerivative() {
        OpSpec once = OpSpec.of("square", x -> new Square(true).apply(x[0])).onceDifferentiable()
                .sample(Arg.normal(3));
        OpTests.Report r = OpTests.run(once);
        assertTrue(r.passed(), r.toString());
        assertFalse(r.outcomes().stream().anyMatch(o -> o.kind() == Check.RECORDED), "no recorded backward to compare");
        assertEquals(Set.of(Check.GRADGRADCHECK), failed(OpSpec.of("square", x -> new Square(false).apply(x[0]))
                .onceDifferentiable().sample(Arg.normal(3))), "declared once-differentiable, but differentiable");
    }

    @Test
    void skippedChecksAndFloat64OnlySpecsMakeNoTests() {
        OpSpec spec = tanh(x -> x[0].tanh()).skip(Check.LAYOUT, "a reason").float64Only();
        Set<Check> kinds = OpTests.run(spec).outcomes().stream().map(OpTests.Outcome::kind).collect(Collectors.toSet());
        assertFalse(kinds.contains(Check.LAYOUT) || kinds.contains(Check.FLOAT32), kinds.toString());
        org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class, () -> spec.skip(Check.KERNELS,
                " "));
        org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class, () -> tanh(x -> x[0])
                .randomShapes(-1));
        org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class, () -> OpTests.run(OpSpec.of(
                "gather", x -> x[0]).sample(Arg.normal(2), Arg.indices(2, 2)).randomShapes(1)),
                "an index's shape is the op's to fix, not random");
        assertTrue(OpTests.of(spec).findFirst().isPresent());
    }

    @Test
    void randomShapesBroadcastAndKeepEachInputsDraw() {
        OpSpec spec = OpSpec.of("add", x -> x[0].add(x[1])).sample(Arg.positive(3, 4), Arg.mask(4)).randomShapes(6);
        List<Sample> samples = OpTests.samples(spec);
        assertEquals(7, samples.size());
        for (Sample s : samples.subList(1, 7)) {
            long[] a = s.args().get(0).shape();
            long[] b = s.args().get(1).shape();
            assertTrue(a.length <= 4 && b.length <= a.length, Arrays.toString(a) + " " + Arrays.toString(b));
            Nd.broadcast(a, b);
            assertEquals(Arg.Kind.CONSTANT, s.args().get(1).kind(), "a mask stays a constant");
            assertTrue(s.label().startsWith("("), s.label());
        }
        assertTrue(samples.stream().skip(1).anyMatch(s -> s.args().get(0).shape().length >= 2)
                && samples.stream().skip(1).anyMatch(s -> s.args().get(0).shape().length <= 1));
        assertTrue(OpTests.run(spec).passed());
        ShapeException e = org.junit.jupiter.api.Assertions.assertThrows(ShapeException.class,
                () -> Tensor.of(1, 2).add(Tensor.of(1, 2, 3)));
        assertTrue(e.getMessage().startsWith("add:"));
    }
}
