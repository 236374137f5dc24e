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
}
