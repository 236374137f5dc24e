package ndgrad.autograd;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import ndgrad.core.Rng;
import ndgrad.core.memory.ArrayPool;
import ndgrad.core.memory.Scope;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Issue 13: code written as in PyTorch, with no Scope, recycles its arrays; what it reads after a step still reads,
 * and what can no longer be read says what to do.
 */
class UnscopedTest {
    private final Rng rng = new Rng(11);
    private final Tensor w = Tensor.randn(rng, 4, 3).requiresGrad();
    private final Tensor x = Tensor.randn(rng, 5, 4);

    @BeforeEach
    void noScopeIsOpen() {
        assertEquals(null, Scope.current());
    }

    private Tensor logits() {
        return x.matmul(w);
    }

    private static Tensor loss(Tensor logits) {
        return logits.tanh().pow(2).mean();
    }

    @Test
    void aStepsLossAndLogitsReadAfterItsStepAndRefuseAfterTheNextBackward() {
        Tensor logits = logits();
        Tensor loss = loss(logits);
        loss.backward();
        double expected = 0;
        double[] values = logits.toDoubleArray();
        for (double v : values) {
            expected += Math.pow(Math.tanh(v), 2) / values.length;
        }
        assertEquals(expected, loss.item(), 1e-6, "the loss reads after backward, as loss.item() after step()");
        double total = 0;
        total += loss.item();
        assertEquals(expected, total, 1e-6);
        w.zeroGrad();
        Tensor next = loss(logits());
        assertEquals(expected, loss.item(), 1e-6, "and after the next forward");
        next.backward();
        for (Tensor stale : new Tensor[] {loss, logits}) {
            IllegalStateException e = assertThrows(IllegalStateException.class, stale::toDoubleArray);
            assertTrue(e.getMessage().contains("a later backward() reused its memory")
                    && e.getMessage().contains("keep()"), e.getMessage());
        }
        assertEquals(expected, next.item(), 1e-6, "this step's loss reads");
    }

    /** One training step with no scope: a fresh batch, a target computed from it without a graph, SGD. */
    private double step(Rng data) {
        Tensor batch = Tensor.uniform(data, -1, 1, 5, 4);
        Tensor target = batch.sum(true, 1).tanh().mul(0.5);
        Tensor loss = batch.matmul(w).tanh().sum(true, 1).sub(target).pow(2).mean();
        w.zeroGrad();
        loss.backward();
        try (Scope update = Scope.open(); Autograd.GradMode off = Autograd.noGrad()) {
            w.subi(w.grad().mul(0.1));
        }
        return loss.item();
    }

    @Test
    void aStepsBatchAndWhatWasComputedFromItGoBackWithItsGraph() {
        Rng data = new Rng(3);
        for (int i = 0; i < 3; i++) {
            step(data);
        }
        long misses = ArrayPool.stats().misses();
        double first = step(data);
        for (int i = 0; i < 20; i++) {
            step(data);
        }
        assertEquals(misses, ArrayPool.stats().misses(), "no array made after the third step");
        assertTrue(Double.isFinite(first));
    }

    @Test
    void batchesPreparedAheadAndConstantsStayWhileAStepsOwnBatchGoesUnlessKept() {
        loss(logits()).backward();
        // a second training run on this thread: its batches are prepared ahead, after the first run's backwards
        List<Tensor> prepared = List.of(Tensor.randn(rng, 5, 4), Tensor.randn(rng, 5, 4), Tensor.randn(rng, 5, 4));
        List<double[]> values = prepared.stream().map(Tensor::toDoubleArray).toList();
        Tensor constant = null;
        for (int epoch = 0; epoch < 3; epoch++) {
            for (Tensor batch : prepared) {
                constant = constant == null ? Tensor.full(0.25, 5, 3) : constant;
                loss(batch.matmul(w).add(constant)).backward();
            }
        }
        for (int i = 0; i < 3; i++) {
            assertArrayEquals(values.get(i), prepared.get(i).toDoubleArray(), 0.0, "prepared batch " + i);
        }
        assertEquals(0.25, constant.toDoubleArray()[7], 0.0, "a constant made in the loop, used by each step");
        Tensor kept = Tensor.randn(rng, 5, 4).keep();
        double[] keptValues = kept.toDoubleArray();
        loss(kept.matmul(w)).backward();
        Tensor stored = Tensor.randn(rng, 5, 4);
        loss(stored.matmul(w)).backward();
        for (int i = 0; i < 3; i++) {
            loss(Tensor.randn(rng, 5, 4).matmul(w)).backward();
        }
        assertArrayEquals(keptValues, kept.toDoubleArray(), 0.0, "a step's batch that was kept");
        IllegalStateException e = assertThrows(IllegalStateException.class, stored::toDoubleArray);
        assertTrue(e.getMessage().contains("keep()"), "a step's batch stored for later without keep(): "
                + e.getMessage());
    }

    @Test
    void keptOrHandedOutValuesAreNeverRecycled() {
        Tensor logits = logits();
        Tensor kept = logits.keep();
        Tensor other = logits();
        INDArray raw = other.data();
        double[] before = raw.dup().data().asDouble();
        double[] keptBefore = kept.toDoubleArray();
        loss(logits).backward();
        loss(other).backward();
        for (int i = 0; i < 3; i++) {
            loss(logits()).backward();
        }
        assertArrayEquals(keptBefore, kept.toDoubleArray(), 0.0);
        assertArrayEquals(keptBefore, logits.toDoubleArray(), 0.0, "keep() covers the tensor it was called on");
        assertArrayEquals(before, raw.data().asDouble(), 0.0, "an array handed out by data() is left alone");
    }

    @Test
    void theGradientsABackwardHandsOutOutliveItsTemporaries() {
        Tensor h = logits().retainGrad();
        Tensor[] seen = new Tensor[1];
        h.registerHook(g -> {
            seen[0] = g;
            return null;
        });
        loss(h).backward();
        double[] retained = h.grad().toDoubleArray();
        assertArrayEquals(retained, seen[0].toDoubleArray(), 0.0);
        Tensor y = loss(logits());
        Tensor dw = Autograd.grad(y, w).get(0);
        double[] captured = dw.toDoubleArray();
        for (int i = 0; i < 3; i++) {
            Tensor t = loss(logits());
            w.zeroGrad();
            t.backward();
        }
        assertArrayEquals(retained, h.grad().toDoubleArray(), 0.0, "a retained gradient");
        assertArrayEquals(retained, seen[0].toDoubleArray(), 0.0, "what a hook saw");
        assertArrayEquals(captured, dw.toDoubleArray(), 0.0, "Autograd.grad's result");
    }

    @Test
    void anUnreachableTensorWithoutAGraphReturnsToThePool() throws InterruptedException {
        ArrayPool.clear(); // a pool filled to its limit by earlier tests closes what comes back instead
        INDArray[] raw = new INDArray[1];
        makeAndDrop(raw);
        INDArray back = null;
        for (int i = 0; i < 100 && back != raw[0]; i++) {
            System.gc();
            Thread.sleep(10);
            back = Scope.allocate(DataType.FLOAT, 123, 7);
        }
        assertSame(raw[0], back, "the collector found the tensor unreachable and its array came back");
    }

    /** A tensor of an unusual shape with no graph, of which only the raw array survives the call. */
    private static void makeAndDrop(INDArray[] raw) {
        Tensor t = Tensor.ones(123, 7).mul(2);
        raw[0] = t.array();
    }

    @Test
    void aTensorOverAScopesArrayOrAViewOfItRefusesToReadOnceTheScopeCloses() {
        Tensor whole;
        Tensor view;
        try (Scope s = Scope.open()) {
            INDArray a = Scope.allocate(DataType.FLOAT, 2, 3);
            a.assign(1);
            whole = Tensor.of(a);
            view = Tensor.of(a.reshape(6));
            assertEquals(6, view.sum().item(), 0.0);
        }
        ArrayPool.clear();
        for (Tensor t : new Tensor[] {whole, view}) {
            IllegalStateException e = assertThrows(IllegalStateException.class, t::toDoubleArray);
            assertTrue(e.getMessage().contains("Scope"), e.getMessage());
        }
    }

    @Test
    void backwardRefusesASavedValueThatWasReleased() {
        Tensor y;
        try (Scope outer = Scope.open()) {
            try (Scope inner = Scope.open()) {
                Tensor h = w.exp();
                y = h.sum();
                Scope.keep(y.data());
            }
            Tensor graph = y;
            AutogradException e = assertThrows(AutogradException.class, graph::backward);
            assertTrue(e.getMessage().startsWith("exp: a value needed for its gradient")
                    && e.getMessage().contains("released"), e.getMessage());
        }
    }
}
