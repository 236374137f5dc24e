package ndgrad.autograd;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ndgrad.teaching.BackwardTrace;
import java.util.List;
import ndgrad.core.NdArrays;
import ndgrad.core.ShapeException;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;

/**
 * A tensor's state outside the ops: setting and zeroing gradients (each a change that backward notices when the
 * gradient was saved), modify, requiresGrad on leaves only, and printing.
 */
class TensorStateTest extends Float64Test {
    @Test
    void setGradCopiesAndReusesTheBuffer() {
        Tensor w = Tensor.of(1, 2).requiresGrad();
        Tensor g = Tensor.of(0.5, -1);
        w.setGrad(g);
        assertArrayEquals(new double[] {0.5, -1}, w.grad().toDoubleArray());
        g.fill(7);
        assertArrayEquals(new double[] {0.5, -1}, w.grad().toDoubleArray(), "a copy, not the caller's tensor");
        Tensor buffer = w.grad();
        w.setGrad(Tensor.of(3, 4));
        assertSame(buffer, w.grad(), "the second setGrad writes into the same buffer");
        assertArrayEquals(new double[] {3, 4}, buffer.toDoubleArray());
        w.mul(w).sum().backward();
        assertArrayEquals(new double[] {5, 8}, w.grad().toDoubleArray(), "backward adds to a set gradient");
        assertTrue(assertThrows(ShapeException.class, () -> w.setGrad(Tensor.of(1, 2, 3))).getMessage()
                .contains("setGrad: gradient of shape [3]"));
        assertThrows(ShapeException.class, () -> w.setGrad(Tensor.of(1, 2).to(DataType.FLOAT)));
        assertThrows(AutogradException.class, () -> w.mul(2).setGrad(Tensor.of(1, 2)));
        assertThrows(AutogradException.class, () -> Tensor.of(1, 2).setGrad(Tensor.of(1, 2)));
    }

    /** A gradient saved by an op (here for w.grad()²) and then changed is refused at that op's backward. */
    @Test
    void changingASavedGradientIsNoticed() {
        for (String change : List.of("setGrad", "zeroGrad", "backward")) {
            Tensor w = Tensor.of(1, 2).requiresGrad();
            w.mul(w).sum().backward();
            Tensor v = Tensor.of(3, 4).requiresGrad();
            Tensor uses = v.mul(w.grad());
            switch (change) {
                case "setGrad" -> w.setGrad(Tensor.of(9, 9));
                case "zeroGrad" -> {
                    w.zeroGrad();
                    w.grad();
                }
                default -> w.mul(w).sum().backward();
            }
            AutogradException e = assertThrows(AutogradException.class, () -> uses.sum().backward(), change);
            assertTrue(e.getMessage().contains("modified by an in-place operation"), e.getMessage());
        }
    }

    @Test
    void zeroGradZerosWithoutAPassAndForgetsARecordedGradient() {
        Tensor w = Tensor.of(1, 2).requiresGrad();
        w.mul(w).sum().backward();
        w.zeroGrad();
        assertArrayEquals(new double[] {0, 0}, w.grad().toDoubleArray());
        w.mul(3).sum().backward();
        assertArrayEquals(new double[] {3, 3}, w.grad().toDoubleArray(), "written, not added to stale values");
        Tensor x = Tensor.of(2.0).requiresGrad();
        x.pow(3).backward(null, GradOptions.defaults().createGraph(true));
        assertTrue(x.grad().isRequiresGrad(), "a recorded gradient");
        x.zeroGrad();
        assertFalse(x.hasGrad(), "a recorded gradient is forgotten, not zeroed in place");
        Tensor none = Tensor.of(1.0).requiresGrad();
        none.zeroGrad();
        assertFalse(none.hasGrad());
    }

    @Test
    void modifyRunsInPlaceUnderTheInPlaceRules() {
        Tensor t = Tensor.of(1, 2);
        assertSame(t, t.modify(a -> a.getDouble(0)));
        Tensor w = Tensor.of(1, 2).requiresGrad();
        Tensor saved = w.mul(w);
        try (Autograd.GradMode off = Autograd.noGrad()) {
            w.modify(a -> ndgrad.core.kernels.Copies.fill(a, 5));
        }
        assertArrayEquals(new double[] {5, 5}, w.toDoubleArray());
        assertThrows(AutogradException.class, () -> saved.sum().backward(), "modify bumps the version");
        assertThrows(AutogradException.class, () -> w.modify(a -> a.getDouble(0)), "not while recording");
    }

    @Test
    void requiresGradOnlyOnLeavesAndFloatingTypes() {
        Tensor w = Tensor.of(1, 2).requiresGrad();
        assertSame(w, w.requiresGrad(false));
        assertFalse(w.isRequiresGrad());
        w.requiresGrad(true);
        Tensor y = w.mul(2);
        AutogradException e = assertThrows(AutogradException.class, () -> y.requiresGrad(false));
        assertTrue(e.getMessage().contains("from 'mul'") && e.getMessage().contains("only leaves"), e.getMessage());
        Tensor ids = Tensor.of(NdArrays.create(new double[] {1, 2}, new long[] {2}, DataType.LONG));
        assertThrows(ShapeException.class, ids::requiresGrad);
        ids.requiresGrad(false);
        assertThrows(AutogradException.class, () -> Tensor.of(1.0).retainGrad());
        Tensor kept = w.mul(3).retainGrad();
        kept.sum().backward();
        assertArrayEquals(new double[] {1, 1}, kept.grad().toDoubleArray());
        Tensor notKept = w.mul(3);
        notKept.sum().backward();
        assertThrows(AutogradException.class, notKept::grad);
    }

    @Test
    void describingNamesShapeDtypeAndOrigin() {
        Tensor x = Tensor.of(new double[] {1, 2, 3, 4}, 2, 2).named("x").requiresGrad();
        assertEquals("tensor 'x' of shape [2, 2] and dtype DOUBLE", x.describe());
        assertEquals("tensor of shape [2, 2] and dtype DOUBLE from 'mul'", x.mul(2).describe());
        assertEquals("mul", x.mul(2).op());
        assertEquals(null, x.op());
        assertEquals("x", x.name());
    }

    @Test
    void contiguousCopiesOnlyWhatIsNotPlain() {
        Tensor x = Tensor.of(new double[] {1, 2, 3, 4, 5, 6}, 2, 3);
        assertSame(x, x.contiguous(), "a plain array is its own contiguous tensor");
        Tensor t = x.t();
        assertFalse(NdArrays.isPlain(t.data()));
        Tensor c = t.contiguous();
        assertTrue(NdArrays.isPlain(c.data()), "the transposed view copied into a plain C-order array");
        assertArrayEquals(new double[] {1, 4, 2, 5, 3, 6}, c.toDoubleArray());
    }

    @Test
    void smallEdgesOfTheApi() {
        assertArrayEquals(new double[] {0.5, 0.5}, Tensor.of(-1, 2).clamp(0.5, 0.5).toDoubleArray(),
                "a clamp to one value is allowed");
        assertThrows(IllegalArgumentException.class, () -> Tensor.of(1).clamp(1, Math.nextDown(1.0)));
        ShapeException empty = assertThrows(ShapeException.class, () -> Tensor.zeros(0, 3).max(0));
        assertTrue(empty.getMessage().startsWith("max: cannot reduce an empty tensor"), empty.getMessage());
        assertTrue(GradOptions.defaults().createGraph(true).retainGraph(), "createGraph implies retainGraph");
        assertFalse(GradOptions.defaults().createGraph(false).retainGraph());
        Tensor x = Tensor.of(2.0).requiresGrad();
        Tensor y = x.pow(3);
        y.backward(null, GradOptions.defaults().createGraph(true));
        y.backward(null, GradOptions.defaults().createGraph(true));
        assertEquals(24.0, x.grad().item(), "the graph was kept for the second backward: 12 + 12");
        assertEquals("3.0·x^2.0", BackwardTrace.run(Tensor.of(2.0).requiresGrad().named("x").pow(3))
                .steps().get(0).inputs().get(0).rule().replace("(x)", "x"));
    }

    /** The local-derivative rules of the extrema as the backward trace shows them (PyTorch's tie conventions). */
    @Test
    void theExtremaStateTheirRules() {
        Tensor a = Tensor.of(1.0).requiresGrad().named("a");
        Tensor b = Tensor.of(2.0).requiresGrad().named("b");
        assertEquals(List.of("1 if a > b, ½ if a = b", "1 if b > a, ½ if a = b"), rules(a.maximum(b)));
        assertEquals(List.of("1 if a < b, ½ if a = b", "1 if b < a, ½ if a = b"), rules(a.minimum(b)));
        Tensor x = Tensor.of(1.0, 3.0).requiresGrad().named("x");
        assertEquals(List.of("1/k at the k elements equal to the maximum"), rules(x.amax()));
        assertEquals(List.of("1/k at the k elements equal to the minimum"), rules(x.amin()));
        assertEquals(List.of("1 at the first maximum, 0 elsewhere"), rules(x.max(0).values()));
        assertEquals(List.of("1 at the first minimum, 0 elsewhere"), rules(x.min(0).values()));
    }

    private static List<String> rules(Tensor out) {
        return BackwardTrace.run(out.sum()).steps().get(1).inputs().stream().map(BackwardTrace.Input::rule).toList();
    }

    @Test
    void reshapeInfersAndRefusesAtTheEdges() {
        assertArrayEquals(new long[] {0, 3}, Tensor.zeros(0, 3).reshape(-1, 3).shape(), "-1 of an empty tensor");
        assertThrows(ShapeException.class, () -> Tensor.zeros(0, 3).reshape(0, -1), "-1 beside a 0 is undefined");
        assertThrows(ShapeException.class, () -> Tensor.zeros(0, 3).reshape(-1, 0), "first, as PyTorch refuses it");
        assertTrue(assertThrows(ShapeException.class, () -> Tensor.zeros(6).reshape(-1, -1)).getMessage()
                .contains("at most one -1"), "two -1s are named as such");
        assertThrows(ShapeException.class, () -> Tensor.zeros(6).reshape(-2, 3));
        assertArrayEquals(new long[] {1, 6}, Tensor.zeros(6).reshape(1, -1).shape());
        assertArrayEquals(new double[] {2, 3}, Tensor.of(1, 2, 3, 4).slice(0, -3, -1).toDoubleArray(),
                "negative start and end count back");
        Tensor w = Tensor.of(1, 2).requiresGrad();
        assertSame(w, w.setGrad(Tensor.of(0, 0)));
    }

    /**
     * An output with no graph: gradcheck's analytical side is zero. A detached one still moves with the input, which
     * the central differences see (2 against 0); a constant does not, and passes, first and second order.
     */
    @Test
    void gradcheckOfOutputsWithoutAGraph() {
        Tensor x = Tensor.of(1, 2).requiresGrad();
        GradCheck.Report detached = GradCheck.check(GradCheck.Options.defaults(), in -> in[0].detach().mul(2), x);
        assertFalse(detached.passed());
        assertEquals(0.0, detached.worst().analytical());
        assertEquals(2.0, detached.worst().numerical(), 1e-6);
        GradCheck.Report constant = GradCheck.check(GradCheck.Options.defaults(), in -> Tensor.of(3, 4).mul(2), x);
        assertTrue(constant.passed() && constant.checked() == 4, constant.toString());
        assertTrue(GradCheck.checkSecondOrder(GradCheck.Options.defaults(), in -> Tensor.of(3, 4).mul(2), x)
                .passed());
        GradCheck.Report linear = GradCheck.checkSecondOrder(GradCheck.Options.defaults(), in -> in[0].mul(2), x);
        assertTrue(linear.passed() && linear.checked() == 2 * 2 + 2 * 2, linear.toString());
    }

    /**
     * Max pooling differentiates to every order: for one 2×2 window of [[1, 3], [2, 0]], f = max⁴ = 81 has
     * derivatives 4·27, 12·9, 24·3 and 24 at the maximum's element, 0 elsewhere.
     */
    @Test
    void maxPoolingToTheFourthDerivative() {
        Tensor x = Tensor.of(new double[] {1, 3, 2, 0}, 1, 1, 2, 2).requiresGrad();
        ndgrad.core.kernels.Unfold.Geometry g = new ndgrad.core.kernels.Unfold.Geometry(1, 1, 2, 2, 2, 2, 2, 2, 0, 0, 1, 1);
        Tensor f = x.maxPool2d(g).pow(4).sum();
        GradOptions create = GradOptions.defaults().createGraph(true);
        double[] expected = {108, 108, 72, 24};
        for (double e : expected) {
            f = Autograd.grad(List.of(f), List.of(x), null, create).get(0);
            assertArrayEquals(new double[] {0, e, 0, 0}, f.toDoubleArray());
            f = f.sum();
        }
    }
}
