package ndgrad.autograd;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ndgrad.core.Rng;
import ndgrad.core.memory.ArrayPool;
import ndgrad.core.memory.Scope;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.ndarray.INDArray;

/** A step's intermediates are released when its scope closes; parameters, their gradients and views live on. */
class ScopeTest {
    /** A 2-16-16-1 tanh MLP with its parameters created outside any scope. */
    static final class Mlp {
        final Tensor w1;
        final Tensor b1;
        final Tensor w2;
        final Tensor b2;
        final Tensor w3;
        final Tensor b3;

        Mlp(Rng rng) {
            w1 = Tensor.randn(rng, 2, 16).mul(0.5).keep().requiresGrad();
            b1 = Tensor.zeros(16).requiresGrad();
            w2 = Tensor.randn(rng, 16, 16).mul(0.25).keep().requiresGrad();
            b2 = Tensor.zeros(16).requiresGrad();
            w3 = Tensor.randn(rng, 16, 1).mul(0.25).keep().requiresGrad();
            b3 = Tensor.zeros(1).requiresGrad();
        }

        Tensor loss(Tensor x, Tensor y) {
            Tensor h = x.matmul(w1).add(b1).tanh().matmul(w2).add(b2).tanh();
            return h.matmul(w3).add(b3).sub(y).pow(2).mean();
        }

        void sgd(double lr) {
            try (var off = Autograd.noGrad()) {
                for (Tensor p : new Tensor[] {w1, b1, w2, b2, w3, b3}) {
                    p.subi(p.grad().mul(lr));
                    p.zeroGrad();
                }
            }
        }
    }

    @Test
    void intermediatesAreReleasedAndParametersKept() {
        Mlp m = new Mlp(new Rng(1));
        Tensor x = Tensor.of(new double[] {0.5, -1}, 1, 2);
        Tensor loss;
        Tensor transposed;
        try (Scope step = Scope.open()) {
            loss = m.loss(x, Tensor.of(1));
            transposed = m.w2.t();
            loss.backward();
            assertTrue(step.size() > 10, "the step's arrays belong to the scope: " + step.size());
            assertFalse(step.owns(m.w2.data()));
            assertFalse(step.owns(transposed.data()), "a transpose shares its parameter's memory");
            assertFalse(step.owns(m.w2.grad().data()), "gradients outlive the step");
        }
        IllegalStateException e = assertThrows(IllegalStateException.class, loss::item);
        assertTrue(e.getMessage().contains("released"), e.getMessage());
        assertEquals(16 * 16, m.w2.toDoubleArray().length, "parameters survive the scope");
        assertTrue(Double.isFinite(m.w1.grad().toDoubleArray()[0]));
        assertTrue(Double.isFinite(transposed.toDoubleArray()[0]));
    }

    @Test
    void keepMovesAValueToTheEnclosingScope() {
        Tensor kept;
        Tensor inner;
        try (Scope outer = Scope.open()) {
            try (Scope step = Scope.open()) {
                inner = Tensor.of(1, 2).mul(3);
                kept = Tensor.of(1, 2).mul(2).keep();
                assertTrue(outer.size() == 1 && step.size() > 0, "kept moved to the outer scope");
            }
            assertThrows(IllegalStateException.class, inner::toDoubleArray);
            assertArrayEquals(new double[] {2, 4}, kept.toDoubleArray());
            assertTrue(outer.owns(kept.data()));
        }
        assertThrows(IllegalStateException.class, kept::toDoubleArray);
    }

    @Test
    void closingAnOuterScopeClosesTheInnerOnes() {
        Scope outer = Scope.open();
        Scope.open();
        Tensor t = Tensor.ones(2);
        outer.close();
        assertEquals(null, Scope.current());
        assertThrows(IllegalStateException.class, t::toDoubleArray);
    }

    @Test
    void everyIntermediateOfATrainingStepIsClosedWithItsScope() {
        Mlp m = new Mlp(new Rng(2));
        Tensor[] made;
        try (Scope step = Scope.open()) {
            Tensor x = Tensor.uniform(new Rng(3), -1, 1, 8, 2);
            Tensor h = x.matmul(m.w1).add(m.b1).tanh().retainGrad();
            Tensor expanded = m.b2.expand(8, 16);
            Tensor loss = h.matmul(m.w2).add(expanded).tanh().matmul(m.w3).add(m.b3).pow(2).mean();
            loss.backward();
            made = new Tensor[] {x, h, expanded, loss, h.grad(), x.gt(0)};
            for (Tensor t : made) {
                assertTrue(step.owns(t.data()), t.describe() + " belongs to the step");
            }
            m.sgd(0.1);
        }
        for (Tensor t : made) {
            assertTrue(isReleased(t), t.describe() + " was closed with the scope");
        }
        for (Tensor p : new Tensor[] {m.w1, m.b1, m.w2, m.b2, m.w3, m.b3}) {
            assertFalse(isReleased(p) || isReleased(p.grad()), p.describe() + " and its gradient outlive the step");
        }
    }

    /**
     * The next step reuses the released arrays (same shapes, from the pool) and overwrites them; a tensor that the
     * user kept from the old step, or a view or detached copy of one, must refuse to read instead of showing the
     * new step's values.
     */
    @Test
    void aRecycledArrayIsNeverVisibleThroughATensorTheUserStillHolds() {
        ArrayPool.clear();
        Tensor old;
        Tensor view;
        Tensor detached;
        INDArray oldArray;
        try (Scope step = Scope.open()) {
            old = Tensor.of(new double[] {1, 2, 3, 4}, 2, 2).mul(10);
            view = old.reshape(4);
            detached = old.detach();
            oldArray = old.data();
        }
        Tensor fresh;
        try (Scope step = Scope.open()) {
            Tensor.of(new double[] {5, 6, 7, 8}, 2, 2);
            fresh = Tensor.of(new double[] {-1, -2, -3, -4}, 2, 2).mul(1);
            assertTrue(ArrayPool.stats().hits() >= 2, "the old arrays were reused: " + ArrayPool.stats());
            assertTrue(fresh.data() == oldArray || step.owns(oldArray), "the old array is back in use");
            for (Tensor stale : new Tensor[] {old, view, detached}) {
                IllegalStateException e = assertThrows(IllegalStateException.class, stale::toDoubleArray);
                assertTrue(e.getMessage().contains("released"), e.getMessage());
                assertThrows(IllegalStateException.class, () -> stale.add(fresh));
                assertTrue(stale.toString().contains("<released>"), stale.toString());
            }
            assertArrayEquals(new double[] {-1, -2, -3, -4}, fresh.toDoubleArray());
        }
    }

    private static boolean isReleased(Tensor t) {
        try {
            t.data();
            return false;
        } catch (IllegalStateException e) {
            return true;
        }
    }
}
