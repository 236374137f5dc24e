package ndgrad.autograd;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ndgrad.core.DTypes;
import ndgrad.core.ShapeException;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;

/** GradCheck finds wrong gradients, says where, and refuses inputs it cannot check. */
class GradCheckTest {

    /** x² whose backward is wrong by a factor of 1.5 for every element, through a hook on the intermediate. */
    private static Tensor wrongSquare(Tensor x) {
        Tensor y = x.mul(x);
        if (y.isRequiresGrad()) {
            y.registerHook(g -> g.mul(1.5));
        }
        return y;
    }

    @Test
    void aWrongGradientFailsWithInputElementAndBothValues() {
        Tensor a = Tensor.of(new Inputs(1).normal(2, 2).data()).requiresGrad();
        Tensor x = Tensor.of(org.nd4j.linalg.factory.Nd4j.create(new double[] {1, 2, 3}, new long[] {3},
                DataType.DOUBLE)).requiresGrad();
        GradCheck.Report r = GradCheck.check(GradCheck.Options.defaults(), in -> in[0].sum().add(wrongSquare(in[1])
                .sum()), a, x);
        assertFalse(r.passed());
        assertEquals(3, r.failures().size(), "the three elements of input 1 fail, input 0 passes");
        GradCheck.Entry first = r.failures().get(0);
        assertEquals(1, first.input());
        assertEquals(3.0, first.analytical(), 1e-12, "1.5 · 2x at x = 1");
        assertEquals(2.0, first.numerical(), 1e-6);
        assertTrue(r.toString().contains("input 1, element [0]") && r.toString().contains("worst relative error"),
                r.toString());
        AssertionError e = assertThrows(AssertionError.class, () -> GradCheck.assertGradients(GradCheckTest::wrongSquare,
                x));
        assertTrue(e.getMessage().contains("FAILED"), e.getMessage());
    }

    @Test
    void fastModeAlsoCatchesAWrongGradient() {
        Tensor x = new Inputs(3).normal(4);
        GradCheck.Report r = GradCheck.check(GradCheck.Options.defaults().fast(3), in -> wrongSquare(in[0]), x);
        assertFalse(r.passed(), r.toString());
        assertEquals(3, r.checked());
    }

    /**
     * f(x) = 2x of one element: each direction is a unit vector of one component (±1) on both sides, so vᵀJu is
     * exactly ±2; the report says fast mode, and a passing report names no failure.
     */
    @Test
    void fastModeUsesUnitDirections() {
        Tensor x = new Inputs(1).normal(1);
        GradCheck.Report r = GradCheck.check(GradCheck.Options.defaults().fast(4), in -> in[0].mul(2), x);
        assertTrue(r.passed(), r.toString());
        assertEquals(2.0, Math.abs(r.worst().analytical()), 1e-15, r.toString());
        assertTrue(r.toString().startsWith("GradCheck passed: 4 entries checked with eps=1.0E-6, atol=1.0E-5, "
                + "rtol=0.001 (fast mode)"), r.toString());
        assertFalse(r.toString().contains("out of tolerance"), r.toString());
        assertFalse(GradCheck.check(t -> t.mul(2), x).toString().contains("fast mode"));
    }

    @Test
    void secondOrderCatchesAWrongSecondDerivative() {
        // a hook returning g·x.detach()/x leaves every first derivative exact (the factor is 1) but, recorded with
        // createGraph, adds a term -g/x to the second derivative of x³
        Tensor x = new Inputs(5).positive(3);
        java.util.function.Function<Tensor[], Tensor> f = in -> {
            Tensor y = in[0].pow(3);
            if (y.isRequiresGrad()) {
                y.registerHook(g -> g.mul(in[0].detach()).div(in[0]));
            }
            return y;
        };
        GradCheck.Options o = GradCheck.Options.defaults();
        assertTrue(GradCheck.check(o, f, x).passed());
        GradCheck.Report wrong = GradCheck.checkSecondOrder(o, f, x);
        assertFalse(wrong.passed(), wrong.toString());
        assertTrue(GradCheck.checkSecondOrder(o, in -> in[0].pow(3), x).passed());
    }

    @Test
    void nanAndInfInputsAreRefusedWithTheirPosition() {
        Tensor x = Tensor.of(org.nd4j.linalg.factory.Nd4j.create(new double[] {1, Double.NaN, 3, 4},
                new long[] {2, 2}, DataType.DOUBLE)).requiresGrad();
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> GradCheck.check(t -> t.exp(), x));
        assertTrue(e.getMessage().contains("input 0 element [0, 1]") && e.getMessage().contains("NaN"),
                e.getMessage());
        Tensor inf = Tensor.of(org.nd4j.linalg.factory.Nd4j.create(new double[] {Double.POSITIVE_INFINITY},
                new long[] {1}, DataType.DOUBLE)).requiresGrad();
        assertTrue(assertThrows(IllegalArgumentException.class, () -> GradCheck.check(t -> t.exp(), inf))
                .getMessage().contains("Infinity"));
    }

    @Test
    void float32InputsAndNoGradInputsAreRefused() {
        Tensor f = Tensor.of(1, 2).requiresGrad();
        assertEquals(DataType.FLOAT, f.dtype());
        ShapeException e = assertThrows(ShapeException.class, () -> GradCheck.check(t -> t.exp(), f));
        assertTrue(e.getMessage().contains("DOUBLE"), e.getMessage());
        try (var d = DTypes.use(DataType.DOUBLE)) {
            Tensor c = Tensor.of(1, 2);
            assertThrows(AutogradException.class, () -> GradCheck.check(t -> t.exp(), c));
        }
    }

    @Test
    void checkingLeavesTheInputsUnchanged() {
        Tensor x = new Inputs(9).normal(3, 2);
        double[] before = x.toDoubleArray();
        GradCheck.assertGradients(t -> t.tanh().sum(), x);
        org.junit.jupiter.api.Assertions.assertArrayEquals(before, x.toDoubleArray(), 0.0);
    }

    @Test
    void optionsAreChecked() {
        assertThrows(IllegalArgumentException.class, () -> GradCheck.Options.defaults().eps(0));
        assertThrows(IllegalArgumentException.class, () -> GradCheck.Options.defaults().tolerances(-1, 0));
    }

    /** 2x, whose backward is 2g(1 + δ): every analytical entry is off by exactly 2δ from the exact central difference. */
    private static Tensor scaledTwice(Tensor x, double delta) {
        Tensor y = x.mul(2);
        if (y.isRequiresGrad()) {
            y.registerHook(g -> g.mul(1 + delta));
        }
        return y;
    }

    /** An entry passes when |analytical - numerical| ≤ atol + rtol·|numerical|: each term alone decides. */
    @Test
    void theToleranceIsAbsolutePlusRelativeToTheNumericalValue() {
        try (var d = DTypes.use(DataType.DOUBLE)) {
            Tensor x = Tensor.of(0.5, -1.5).requiresGrad();
            GradCheck.Options o = GradCheck.Options.defaults();
            java.util.function.Function<Tensor[], Tensor> f = in -> scaledTwice(in[0], 1e-3);
            assertTrue(GradCheck.check(o.tolerances(0, 1.1e-3), f, x).passed(), "error 2e-3 ≤ 1.1e-3 · 2");
            assertFalse(GradCheck.check(o.tolerances(0, 0.9e-3), f, x).passed(), "error 2e-3 > 0.9e-3 · 2");
            assertTrue(GradCheck.check(o.tolerances(2.1e-3, 0), f, x).passed(), "error 2e-3 ≤ atol 2.1e-3");
            assertFalse(GradCheck.check(o.tolerances(1.9e-3, 0), f, x).passed(), "error 2e-3 > atol 1.9e-3");
            assertTrue(GradCheck.check(o.tolerances(1.2e-3, 0.45e-3), f, x).passed(), "1.2e-3 + 0.45e-3 · 2 ≥ 2e-3");
            assertFalse(GradCheck.check(o.tolerances(0.9e-3, 0.45e-3), f, x).passed(), "0.9e-3 + 0.9e-3 < 2e-3");
            GradCheck.Entry e = GradCheck.check(o, f, x).worst();
            assertEquals(2e-3, e.absError(), 1e-9);
            assertEquals(1e-3, e.relError(), 1e-9);
            assertEquals(4, GradCheck.check(o, f, x).checked(), "2 elements by 2 outputs");
        }
    }

    /**
     * A gradient wrong at one element of a 2-D input is reported at that element, by its index per dimension, with
     * the input's value there.
     */
    @Test
    void theReportNamesTheElementOfA2dInputAndItsValue() {
        try (var d = DTypes.use(DataType.DOUBLE)) {
            Tensor x = Tensor.of(new double[] {1, 2, 3, 4, 5, 6}, 2, 3).requiresGrad();
            Tensor bump = Tensor.of(new double[] {0, 0, 0, 0, 1, 0}, 2, 3);
            GradCheck.Report r = GradCheck.check(GradCheck.Options.defaults(), in -> {
                Tensor y = in[0].mul(1.0);
                if (y.isRequiresGrad()) {
                    y.registerHook(g -> g.add(bump.mul(g)));
                }
                return y.sum();
            }, x);
            assertEquals(1, r.failures().size(), r.toString());
            GradCheck.Entry e = r.failures().get(0);
            org.junit.jupiter.api.Assertions.assertArrayEquals(new long[] {1, 1}, e.element());
            assertEquals(5.0, e.value());
            assertEquals(0, e.output());
            assertTrue(r.toString().contains("input 0, element [1, 1] (value 5.0), output element 0: analytical 2.0 "
                    + "vs numerical"), r.toString());
            org.junit.jupiter.api.Assertions.assertArrayEquals(new long[] {1, 1}, r.worst().element(),
                    "the worst entry is the one with the largest relative error");
        }
    }

    /** With a step of 2^-20 every value is exact, so an error equal to the tolerance still passes. */
    @Test
    void anErrorEqualToTheToleranceStillPasses() {
        try (var d = DTypes.use(DataType.DOUBLE)) {
            Tensor x = Tensor.of(0.5).requiresGrad();
            java.util.function.Function<Tensor[], Tensor> f = in -> scaledTwice(in[0], 0x1p-10);
            GradCheck.Options o = GradCheck.Options.defaults().eps(0x1p-20);
            GradCheck.Report r = GradCheck.check(o.tolerances(0x1p-9, 0), f, x);
            assertEquals(0x1p-9, r.worst().absError(), "analytical 2 + 2^-9 against the exact 2");
            assertTrue(r.passed(), r.toString());
            assertTrue(r.toString().startsWith("GradCheck passed: 1 entries checked"), r.toString());
            assertFalse(GradCheck.check(o.tolerances(0x1p-10, 0), f, x).passed());
        }
    }

    /** Fast mode takes unit directions: vᵀJu of 2x is 2 vᵀu, never more than 2 in size. */
    @Test
    void fastModeDirectionsAreUnitVectors() {
        Tensor x = new Inputs(13).normal(50);
        GradCheck.Report r = GradCheck.check(GradCheck.Options.defaults().fast(5), in -> in[0].mul(2), x);
        assertTrue(r.passed(), r.toString());
        assertEquals(5, r.checked());
        assertTrue(r.worst().analytical() != 0 && Math.abs(r.worst().analytical()) <= 2 + 1e-12, r.toString());
        assertTrue(Double.isNaN(r.worst().value()), "a direction has no single input value");
    }

    @Test
    void optionsAcceptTheirBoundaries() {
        GradCheck.Options o = GradCheck.Options.defaults().tolerances(0, 0).fast(1).seed(7);
        assertEquals(0, o.atol());
        assertEquals(0, o.rtol());
        assertEquals(1, o.directions());
        assertEquals(7, o.seed());
        assertThrows(IllegalArgumentException.class, () -> GradCheck.Options.defaults().tolerances(0, -1e-300));
        assertThrows(IllegalArgumentException.class, () -> GradCheck.Options.defaults().fast(0));
        assertThrows(IllegalArgumentException.class, () -> GradCheck.Options.defaults().eps(Double.NaN));
    }
}
