package ndgrad.autograd;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import ndgrad.core.ShapeException;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;

/** The engine's behaviour: accumulation, graph retention, grad mode, hooks, in-place checks and errors. */
class EngineTest extends Float64Test {
    @Test
    void gradientsAccumulateAcrossBackwardCallsUntilZeroed() {
        Tensor x = Tensor.of(1, 2).requiresGrad();
        x.mul(x).sum().backward();
        x.mul(3).sum().backward();
        assertArrayEquals(new double[] {5, 7}, x.grad().toDoubleArray());
        Tensor buffer = x.grad();
        x.zeroGrad();
        assertArrayEquals(new double[] {0, 0}, x.grad().toDoubleArray());
        x.mul(x).sum().backward();
        assertSame(buffer, x.grad(), "the gradient buffer is reused, not reallocated");
        assertArrayEquals(new double[] {2, 4}, x.grad().toDoubleArray());
    }

    @Test
    void aTensorUsedTwiceGetsBothContributions() {
        Tensor x = Tensor.scalar(3).requiresGrad();
        Tensor y = x.mul(x).add(x);
        y.backward();
        assertEquals(7.0, x.grad().item());
    }

    @Test
    void broadcastInputsGetGradientsOfTheirOwnShape() {
        Tensor w = Tensor.ones(3, 4).requiresGrad();
        Tensor b = Tensor.of(1, 2, 3, 4).requiresGrad();
        Tensor c = Tensor.ones(3, 1).requiresGrad();
        w.add(b).mul(c).sum().backward();
        assertArrayEquals(new long[] {4}, b.grad().shape());
        assertArrayEquals(new double[] {3, 3, 3, 3}, b.grad().toDoubleArray());
        assertArrayEquals(new double[] {14, 14, 14}, c.grad().toDoubleArray());
    }

    @Test
    void backwardWithAGradientOnANonScalar() {
        Tensor x = Tensor.of(1, 2, 3).requiresGrad();
        x.mul(x).backward(Tensor.of(1, 0, -1));
        assertArrayEquals(new double[] {2, 0, -6}, x.grad().toDoubleArray());
    }

    @Test
    void backwardOnANonScalarWithoutAGradientIsRefused() {
        Tensor x = Tensor.of(1, 2, 3).requiresGrad();
        AutogradException e = assertThrows(AutogradException.class, () -> x.mul(2).backward());
        assertTrue(e.getMessage().contains("one-element") && e.getMessage().contains("[3]"), e.getMessage());
        Tensor y = x.mul(2);
        AutogradException wrong = assertThrows(AutogradException.class, () -> y.backward(Tensor.ones(2)));
        assertTrue(wrong.getMessage().contains("[2]") && wrong.getMessage().contains("[3]"), wrong.getMessage());
    }

    @Test
    void backwardTwiceThroughAFreedGraphIsRefusedUnlessRetained() {
        Tensor x = Tensor.scalar(2).requiresGrad();
        Tensor y = x.mul(x).exp();
        y.backward(null, GradOptions.defaults().retainGraph(true));
        y.backward();
        assertEquals(2 * (2 * 2 * Math.exp(4)), x.grad().item(), 1e-9, "d/dx e^(x²) = 2x e^(x²), twice");
        AutogradException e = assertThrows(AutogradException.class, y::backward);
        assertTrue(e.getMessage().contains("second time") && e.getMessage().contains("exp"), e.getMessage());
    }

    @Test
    void gradOfATensorThatDoesNotRequireItIsAClearError() {
        Tensor c = Tensor.of(1, 2).named("c");
        AutogradException e = assertThrows(AutogradException.class, c::grad);
        assertTrue(e.getMessage().contains("'c'") && e.getMessage().contains("does not require grad"));
        Tensor x = Tensor.of(1, 2).requiresGrad();
        AutogradException notYet = assertThrows(AutogradException.class, x::grad);
        assertTrue(notYet.getMessage().contains("no gradient yet"), notYet.getMessage());
        Tensor y = x.mul(2);
        AutogradException nonLeaf = assertThrows(AutogradException.class, y::grad);
        assertTrue(nonLeaf.getMessage().contains("not a leaf"), nonLeaf.getMessage());
        AutogradException noGraph = assertThrows(AutogradException.class, () -> c.mul(2).sum().backward());
        assertTrue(noGraph.getMessage().contains("does not require grad"), noGraph.getMessage());
        AutogradException viaGrad = assertThrows(AutogradException.class, () -> Autograd.grad(x.sum(), c));
        assertTrue(viaGrad.getMessage().contains("input 0"), viaGrad.getMessage());
    }

    @Test
    void retainGradKeepsAnIntermediateGradient() {
        Tensor x = Tensor.of(1, 2).requiresGrad();
        Tensor y = x.mul(3).retainGrad();
        y.mul(y).sum().backward();
        assertArrayEquals(new double[] {6, 12}, y.grad().toDoubleArray());
        assertArrayEquals(new double[] {18, 36}, x.grad().toDoubleArray());
    }

    @Test
    void noGradRecordsNothingAndRestoresTheMode() {
        Tensor x = Tensor.of(1, 2).requiresGrad();
        try (var off = Autograd.noGrad()) {
            Tensor y = x.mul(2);
            assertFalse(y.isRequiresGrad());
            assertTrue(y.isLeaf());
            assertFalse(Autograd.isGradEnabled());
        }
        assertTrue(Autograd.isGradEnabled());
        assertTrue(x.mul(2).isRequiresGrad());
    }

    @Test
    void gradModeIsPerThread() throws InterruptedException {
        boolean[] seen = new boolean[1];
        try (var off = Autograd.noGrad()) {
            Thread t = new Thread(() -> seen[0] = Autograd.isGradEnabled());
            t.start();
            t.join();
        }
        assertTrue(seen[0], "another thread keeps its own grad mode");
    }

    @Test
    void hooksSeeAndMayReplaceTheGradient() {
        Tensor x = Tensor.of(1, 2).requiresGrad();
        Tensor y = x.mul(x);
        double[] seen = new double[2];
        y.registerHook(g -> {
            System.arraycopy(g.toDoubleArray(), 0, seen, 0, 2);
            return g.mul(10);
        });
        Tensor.Hook h = x.registerHook(g -> g.add(1));
        y.sum().backward(null, GradOptions.defaults().retainGraph(true));
        assertArrayEquals(new double[] {1, 1}, seen);
        assertArrayEquals(new double[] {21, 41}, x.grad().toDoubleArray());
        h.remove();
        x.zeroGrad();
        y.sum().backward();
        assertArrayEquals(new double[] {20, 40}, x.grad().toDoubleArray());
    }

    @Test
    void anInPlaceChangeToASavedValueIsDetected() {
        Tensor x = Tensor.of(1, 2).requiresGrad();
        Tensor a = Tensor.of(3, 4).named("a");
        Tensor y = x.mul(a).sum();
        a.addi(Tensor.of(1, 1));
        AutogradException e = assertThrows(AutogradException.class, y::backward);
        assertTrue(e.getMessage().contains("mul") && e.getMessage().contains("'a'")
                && e.getMessage().contains("version 0") && e.getMessage().contains("in-place"), e.getMessage());
    }

    @Test
    void anInPlaceChangeThroughAViewIsDetected() {
        Tensor x = Tensor.of(1, 2, 3, 4).requiresGrad();
        Tensor a = Tensor.of(1, 2, 3, 4);
        Tensor view = a.view(2, 2);
        Tensor y = x.exp().mul(a).sum();
        view.muli(2);
        assertThrows(AutogradException.class, y::backward);
        assertEquals(8.0, a.get(3), "view shares memory");
        assertThrows(ShapeException.class, () -> Tensor.of(new double[] {1, 2, 3, 4, 5, 6}, 2, 3).t().view(6));
    }

    @Test
    void anInPlaceChangeToAValueBackwardDoesNotNeedIsAllowed() {
        Tensor x = Tensor.of(1, 2).requiresGrad();
        Tensor a = Tensor.of(3, 4);
        Tensor y = x.add(a).sum();
        a.fill(0);
        y.backward();
        assertArrayEquals(new double[] {1, 1}, x.grad().toDoubleArray());
    }

    @Test
    void inPlaceOnATensorThatRequiresGradIsRefusedOutsideNoGrad() {
        Tensor w = Tensor.of(1, 2).requiresGrad();
        AutogradException e = assertThrows(AutogradException.class, () -> w.subi(Tensor.of(1, 1)));
        assertTrue(e.getMessage().contains("subi") && e.getMessage().contains("noGrad"), e.getMessage());
        try (var off = Autograd.noGrad()) {
            w.subi(Tensor.of(1, 1));
        }
        assertArrayEquals(new double[] {0, 1}, w.toDoubleArray());
    }

    @Test
    void shapeMismatchesNameTheOpAndBothShapes() {
        Tensor a = Tensor.ones(3, 4);
        ShapeException add = assertThrows(ShapeException.class, () -> a.add(Tensor.ones(3)));
        assertTrue(add.getMessage().startsWith("add:") && add.getMessage().contains("[3, 4]")
                && add.getMessage().contains("[3]"), add.getMessage());
        ShapeException mm = assertThrows(ShapeException.class, () -> a.matmul(Tensor.ones(3, 2)));
        assertTrue(mm.getMessage().contains("matmul") && mm.getMessage().contains("4 != 3"), mm.getMessage());
        ShapeException dt = assertThrows(ShapeException.class, () -> a.mul(a.to(DataType.FLOAT)));
        assertTrue(dt.getMessage().contains("DOUBLE") && dt.getMessage().contains("FLOAT"), dt.getMessage());
        ShapeException ax = assertThrows(ShapeException.class, () -> a.sum(false, 2));
        assertTrue(ax.getMessage().contains("axis 2") && ax.getMessage().contains("rank 2"), ax.getMessage());
        assertThrows(ShapeException.class, () -> a.reshape(5, -1));
        assertThrows(ShapeException.class, () -> a.slice(0, 1, 9));
        assertThrows(ShapeException.class, () -> a.indexSelect(1, 4));
        assertThrows(ShapeException.class, () -> Tensor.concat(0, a, Tensor.ones(3, 3)));
        assertThrows(ShapeException.class, () -> a.item());
    }

    @Test
    void aDeepChainDoesNotOverflowTheStack() {
        Tensor x = Tensor.scalar(1).requiresGrad();
        Tensor y = x;
        for (int i = 0; i < 20_000; i++) {
            y = y.add(0.0);
        }
        y.backward();
        assertEquals(1.0, x.grad().item());
    }

    @Test
    void createGraphGivesSecondDerivatives() {
        Tensor x = Tensor.scalar(2).requiresGrad();
        Tensor y = x.pow(3);
        Tensor dy = Autograd.grad(List.of(y), List.of(x), null, GradOptions.defaults().createGraph(true)).get(0);
        assertEquals(12.0, dy.item(), 1e-12);
        Tensor d2y = Autograd.grad(dy, x).get(0);
        assertEquals(12.0, d2y.item(), 1e-12);
        assertFalse(x.hasGrad(), "Autograd.grad leaves .grad untouched");
        x.pow(3).backward(null, GradOptions.defaults().createGraph(true));
        Tensor g = x.grad();
        assertTrue(g.isRequiresGrad(), "with createGraph, .grad carries a graph");
        x.zeroGrad();
        assertFalse(x.hasGrad());
    }

    @Test
    void unusedInputsAreAnErrorUnlessAllowed() {
        Tensor x = Tensor.of(1, 2).requiresGrad();
        Tensor z = Tensor.of(5).requiresGrad();
        assertThrows(AutogradException.class, () -> Autograd.grad(x.sum(), x, z));
        List<Tensor> g = Autograd.grad(List.of(x.sum()), List.of(x, z), null,
                GradOptions.defaults().allowUnused(true));
        assertArrayEquals(new double[] {0}, g.get(1).toDoubleArray());
    }

    @Test
    void hessianOfRosenbrockAtItsMinimum() {
        // f = (1-x)² + 100 (y - x²)²; H(1,1) = [[802, -400], [-400, 200]] (by hand)
        Tensor p = Tensor.of(1, 1);
        Tensor h = Autograd.hessian(Rosenbrock::f, p);
        assertArrayEquals(new long[] {2, 2}, h.shape());
        assertArrayEquals(new double[] {802, -400, -400, 200}, h.toDoubleArray(), 1e-9);
        // at (-1.5, 2): H = [[2 - 400 y + 1200 x², -400 x], [-400 x, 200]] = [[1902, 600], [600, 200]]
        assertArrayEquals(new double[] {1902, 600, 600, 200}, Autograd.hessian(Rosenbrock::f, Tensor.of(-1.5, 2))
                .toDoubleArray(), 1e-9);
    }

    @Test
    void hvpEqualsHessianTimesVector() {
        Tensor p = Tensor.of(-1.5, 2);
        Tensor v = Tensor.of(0.3, -0.7);
        Tensor hv = Autograd.hvp(Rosenbrock::f, p, v);
        assertArrayEquals(new double[] {1902 * 0.3 - 600 * 0.7, 600 * 0.3 - 200 * 0.7}, hv.toDoubleArray(), 1e-9);
        assertArrayEquals(new double[] {0, 0}, Autograd.hvp(t -> t.sum(), p, v).toDoubleArray(),
                "a linear function has a zero Hessian");
    }

    @Test
    void jacobianOfAnElementwiseAndAMatrixMap() {
        Tensor x = Tensor.of(1, 2, 3);
        Tensor j = Autograd.jacobian(t -> t.mul(t), x);
        assertArrayEquals(new double[] {2, 0, 0, 0, 4, 0, 0, 0, 6}, j.toDoubleArray());
        Tensor a = Tensor.of(new double[][] {{1, 2, 3}, {4, 5, 6}});
        assertArrayEquals(a.toDoubleArray(), Autograd.jacobian(t -> a.matmul(t.reshape(3, 1)).flatten(), x)
                .toDoubleArray());
        assertNull(x.name());
    }

    /** The Rosenbrock function of a 2-vector. */
    static final class Rosenbrock {
        private Rosenbrock() {
        }

        static Tensor f(Tensor p) {
            Tensor x = p.select(0, 0);
            Tensor y = p.select(0, 1);
            return x.rsub(1).pow(2).add(y.sub(x.pow(2)).pow(2).mul(100));
        }
    }
}
