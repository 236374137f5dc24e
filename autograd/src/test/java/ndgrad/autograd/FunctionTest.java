package ndgrad.autograd;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ndgrad.teaching.BackwardTrace;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Users' own ops through the public Function API: several outputs, needsInputGrad, once-differentiable rules, saved
 * values and the errors it gives (a user's op gradient-checked with a planted mistake: examples' SwishOpTest).
 */
class FunctionTest {

    /** (sin x, cos x) as one op with two outputs. */
    static final class SinCos extends Function {
        int backwardCalls;

        SinCos() {
            super("sincos", "cos x (and -sin x)");
        }

        @Override
        protected Tensor[] forward(Context ctx, Tensor... in) {
            ctx.save(in[0]);
            return tensors(in[0].sin(), in[0].cos());
        }

        @Override
        protected Tensor[] backward(Context ctx, Tensor... g) {
            backwardCalls++;
            Tensor x = ctx.saved(0);
            return tensors(g[0].mul(x.cos()).sub(g[1].mul(x.sin())));
        }
    }

    @Test
    void anOpWithTwoOutputsRunsItsBackwardOnceWithBothGradients() {
        Tensor x = new Inputs(3).normal(5);
        Tensor w = new Inputs(4).normal(5);
        SinCos op = new SinCos();
        Tensor[] out = op.applyAll(x);
        assertEquals(2, out.length);
        out[0].mul(w).add(out[1].mul(out[1])).sum().backward();
        assertEquals(1, op.backwardCalls, "one backward for both outputs");
        Tensor x2 = Tensor.of(x.data().dup()).requiresGrad();
        x2.sin().mul(w).add(x2.cos().mul(x2.cos())).sum().backward();
        assertArrayEquals(x2.grad().toDoubleArray(), x.grad().toDoubleArray(), 1e-14);
        GradCheck.assertGradients(GradCheck.Options.defaults(), in -> {
            Tensor[] sc = new SinCos().applyAll(in[0]);
            return sc[0].mul(sc[1]).add(sc[1]);
        }, x);
        // an output that no gradient reaches counts as zeros
        Tensor x3 = Tensor.of(x.data().dup()).requiresGrad();
        new SinCos().applyAll(x3)[1].sum().backward();
        assertArrayEquals(x3.detach().sin().neg().toDoubleArray(), x3.grad().toDoubleArray(), 1e-15);
    }

    /** a·b that records which inputs it was asked a gradient for. */
    static final class Product extends Function {
        final List<Boolean> asked = new ArrayList<>();

        Product() {
            super("product", "b", "a");
        }

        @Override
        protected Tensor[] forward(Context ctx, Tensor... in) {
            ctx.save(in[0], in[1]);
            return tensors(in[0].mul(in[1]));
        }

        @Override
        protected Tensor[] backward(Context ctx, Tensor... g) {
            asked.add(ctx.needsInputGrad(0));
            asked.add(ctx.needsInputGrad(1));
            return tensors(ctx.inputGrad(0, () -> g[0].mul(ctx.saved(1))), ctx.inputGrad(1, () -> {
                throw new AssertionError("input 1 needs no gradient");
            }));
        }
    }

    @Test
    void needsInputGradSaysWhichInputsTakeAGradient() {
        Tensor a = new Inputs(5).normal(3);
        Tensor b = new Inputs(6).normal(3).detach();
        Product op = new Product();
        op.apply(a, b).sum().backward();
        assertEquals(List.of(true, false), op.asked);
        assertArrayEquals(b.toDoubleArray(), a.grad().toDoubleArray(), 0);
        try (Autograd.GradMode off = Autograd.noGrad()) {
            Tensor y = new Product().apply(a, b);
            assertFalse(y.isRequiresGrad(), "with grad mode off nothing is recorded");
            assertNull(y.op());
        }
    }

    /** x³ whose backward is marked once-differentiable. */
    static final class Cube extends Function {
        Cube() {
            super("cube", "3x²");
        }

        @Override
        protected Tensor[] forward(Context ctx, Tensor... in) {
            ctx.save(in[0]);
            return tensors(in[0].pow(3));
        }

        @Override
        protected Tensor[] backward(Context ctx, Tensor... g) {
            return tensors(g[0].mul(ctx.saved(0).pow(2).mul(3)));
        }

        @Override
        protected boolean onceDifferentiable() {
            return true;
        }
    }

    @Test
    void aOnceDifferentiableOpRefusesASecondDerivativeByName() {
        Tensor x = new Inputs(7).normal(4);
        GradCheck.assertGradients(t -> new Cube().apply(t), x);
        Tensor g = Autograd.grad(List.of(new Cube().apply(x).sum()), List.of(x), null,
                GradOptions.defaults().createGraph(true)).get(0);
        assertArrayEquals(x.detach().pow(2).mul(3).toDoubleArray(), g.toDoubleArray(), 1e-15);
        AutogradException e = assertThrows(AutogradException.class, () -> g.sum().backward());
        assertTrue(e.getMessage().startsWith("cube: its backward is once-differentiable"), e.getMessage());
    }

    @Test
    void aSavedInputChangedInPlaceIsRefusedByName() {
        Tensor x = new Inputs(8).normal(3);
        Tensor a = x.mul(1);
        Tensor y = new Product().apply(a, x);
        try (Autograd.GradMode off = Autograd.noGrad()) {
            a.addi(Tensor.onesLike(a));
        }
        AutogradException e = assertThrows(AutogradException.class, () -> y.sum().backward());
        assertTrue(e.getMessage().startsWith("product: a value needed for its gradient")
                && e.getMessage().contains("modified by an in-place operation"), e.getMessage());
    }

    @Test
    void nonDifferentiableOutputsCarryNoGradient() {
        Function signAndAbs = new Function("signAndAbs", "sign(x)") {
            @Override
            protected Tensor[] forward(Context ctx, Tensor... in) {
                Tensor sign = in[0].gt(0).to(in[0].dtype()).mul(2).sub(1);
                ctx.markNonDifferentiable(sign);
                ctx.save(sign);
                return tensors(in[0].abs(), sign);
            }

            @Override
            protected Tensor[] backward(Context ctx, Tensor... g) {
                return tensors(g[0].mul(ctx.saved(0)));
            }
        };
        Tensor x = new Inputs(9).awayFromZero(4);
        Tensor[] out = signAndAbs.applyAll(x);
        assertTrue(out[0].isRequiresGrad());
        assertFalse(out[1].isRequiresGrad());
        out[0].sum().backward();
        assertArrayEquals(out[1].toDoubleArray(), x.grad().toDoubleArray(), 0);
    }

    @Test
    void mistakesInAUserOpAreNamed() {
        Function none = new Function("twoGrads") {
            @Override
            protected Tensor[] forward(Context ctx, Tensor... in) {
                return tensors(in[0].mul(2));
            }

            @Override
            protected Tensor[] backward(Context ctx, Tensor... g) {
                return tensors(g[0], g[0]);
            }
        };
        Tensor x = new Inputs(10).normal(2);
        AutogradException e = assertThrows(AutogradException.class, () -> none.apply(x).sum().backward());
        assertEquals("backward of 'twoGrads' returned 2 gradients for its 1 inputs", e.getMessage());
        Function identity = new Function("identity", "1") {
            @Override
            protected Tensor[] forward(Context ctx, Tensor... in) {
                return tensors(in[0]);
            }

            @Override
            protected Tensor[] backward(Context ctx, Tensor... g) {
                return tensors(g[0]);
            }
        };
        Tensor y = identity.apply(x);
        assertFalse(y == x, "an input returned as it is becomes a view of it");
        assertEquals("identity", y.op());
        y.mul(3).sum().backward();
        assertArrayEquals(new double[] {3, 3}, x.grad().toDoubleArray(), 0);
        AutogradException two = assertThrows(AutogradException.class, () -> new SinCos().apply(x));
        assertTrue(two.getMessage().contains("use applyAll"), two.getMessage());
    }

    @Test
    void theTraceShowsAUserOpsRule() {
        Tensor x = Tensor.of(new double[] {0.5}, 1).requiresGrad().named("x");
        String trace = BackwardTrace.run(new Cube().apply(x).sum()).toString();
        assertTrue(trace.contains("cube") && trace.contains("3x²"), trace);
    }

    /** a·b of two inputs with one rule given: forward runs with recording off, and a missing rule is named. */
    static final class Mul extends Function {
        boolean recordingInForward = true;
        int inputs = -1;

        Mul() {
            super("product", "b");
        }

        @Override
        protected Tensor[] forward(Context ctx, Tensor... in) {
            recordingInForward = Autograd.isGradEnabled();
            inputs = ctx.inputCount();
            ctx.save(in[0], in[1]);
            return tensors(in[0].mul(in[1]));
        }

        @Override
        protected Tensor[] backward(Context ctx, Tensor... g) {
            assertThrows(AutogradException.class, () -> ctx.saved(2), "saved(2) of two");
            return tensors(g[0].mul(ctx.saved(1)), g[0].mul(ctx.saved(0)));
        }
    }

    @Test
    void forwardRunsUnrecordedAndTheContextAnswersAboutItsInputs() {
        Tensor a = Tensor.of(2.0, 3.0).requiresGrad().named("a");
        Tensor b = Tensor.of(3.0, 4.0).requiresGrad().named("b");
        Mul p = new Mul();
        Tensor y = p.apply(a, b);
        assertFalse(p.recordingInForward, "forward runs with recording off");
        assertTrue(Autograd.isGradEnabled(), "and the mode comes back");
        assertEquals(2, p.inputs);
        assertEquals("product", y.op());
        BackwardTrace t = BackwardTrace.run(y.sum());
        assertEquals("b", t.steps().get(1).inputs().get(0).rule());
        assertEquals("∂product/∂input1", t.steps().get(1).inputs().get(1).rule(), "no rule given for input 1");
        assertEquals(null, t.steps().get(1).inputs().get(0).local(), "a user op of two outputs is not known to be "
                + "elementwise, so its Jacobian is not shown");
        assertEquals("b", p.rule(0));
        assertEquals(null, p.rule(1));
        y.sum().backward();
        assertArrayEquals(new double[] {3, 4}, a.grad().toDoubleArray());
        assertArrayEquals(new double[] {2, 3}, b.grad().toDoubleArray());
    }

    /** Anomaly mode is per thread and nests; an op whose input is already not finite is not blamed. */
    @Test
    void anomalyModeNestsAndBlamesOnlyTheOpThatMadeTheFirstNonFiniteValue() {
        assertFalse(Autograd.isAnomalyEnabled());
        try (Autograd.GradMode outer = Autograd.detectAnomaly()) {
            try (Autograd.GradMode inner = Autograd.detectAnomaly()) {
                assertTrue(Autograd.isAnomalyEnabled());
            }
            assertTrue(Autograd.isAnomalyEnabled(), "closing the inner one restores the outer's mode");
            Tensor inf = Tensor.of(Double.POSITIVE_INFINITY, 1.0).requiresGrad();
            assertEquals(Double.POSITIVE_INFINITY, inf.exp().toDoubleArray()[0], "inf in, inf out: not the op's doing");
            Tensor x = Tensor.of(0.0, 1.0).requiresGrad();
            Tensor y = x.sqrt().sum();
            AnomalyException e = assertThrows(AnomalyException.class, y::backward);
            assertTrue(e.getMessage().startsWith("anomaly: the backward of 'sqrt' produced NaN or infinity in the "
                    + "gradient of its input 0 (inputs [[2]]), created at ndgrad.autograd.FunctionTest"), e.getMessage());
        }
        assertFalse(Autograd.isAnomalyEnabled());
    }
}
