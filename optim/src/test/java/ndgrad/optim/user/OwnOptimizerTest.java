package ndgrad.optim.user;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;
import ndgrad.autograd.Float64Test;
import ndgrad.autograd.Tensor;
import ndgrad.core.kernels.Chunk;
import ndgrad.optim.Optimizer;
import org.junit.jupiter.api.Test;

/** An optimizer written outside the library, as a user writes one: options record, named state, one fused pass. */
class OwnOptimizerTest extends Float64Test {
    /** Heavy ball: buf ← β buf + g; p ← p - lr buf. */
    static final class HeavyBall extends Optimizer<HeavyBall.Options> {
        record Options(double lr, double beta) implements Optimizer.Options<Options> {
        }

        HeavyBall(List<Tensor> params, Options o) {
            super(List.of(new Group<>(params, o)));
        }

        @Override
        protected void update(Options o, State s) {
            s.pass(List.of("buf"), c -> {
                Chunk buf = c.buffer("buf").scale(o.beta()).axpy(1, c.grad());
                c.param().axpy(-o.lr(), buf);
            });
        }
    }

    /** A rule that asks for a buffer it did not name, or a third scratch chunk. */
    static final class Mistaken extends Optimizer<HeavyBall.Options> {
        private final boolean scratch;

        Mistaken(List<Tensor> params, boolean scratch) {
            super(List.of(new Group<>(params, new HeavyBall.Options(1, 0))));
            this.scratch = scratch;
        }

        @Override
        protected void update(HeavyBall.Options o, State s) {
            s.pass(List.of("buf"), c -> {
                if (scratch) {
                    c.scratch(2);
                } else {
                    c.buffer("exp_avg");
                }
            });
        }
    }

    /** Two steps from p = (1, 2) with g = (1, -1), lr 0.5, β 0.5: buf (1, -1) then (1.5, -1.5). */
    @Test
    void aUsersOptimizerKeepsItsNamedBuffer() {
        Tensor p = Tensor.of(1.0, 2.0).requiresGrad();
        HeavyBall opt = new HeavyBall(List.of(p), new HeavyBall.Options(0.5, 0.5));
        p.setGrad(Tensor.of(1.0, -1.0));
        opt.step();
        opt.step();
        assertArrayEquals(new double[] {1 - 0.5 - 0.75, 2 + 0.5 + 0.75}, p.toDoubleArray(), 1e-15);
        assertArrayEquals(new double[] {1.5, -1.5},
                opt.stateDict().entries().get(0).buffers().get("buf").toDoubleVector(), 1e-15);
        assertEquals(2, opt.stateDict().entries().get(0).step());
        assertArrayEquals(new double[] {1, -1}, p.grad().toDoubleArray(), "the gradient is left as it was");
        opt.setLr(0, 0.25);
        assertEquals(new HeavyBall.Options(0.25, 0.5), opt.groups().get(0).options());
    }

    @Test
    void aRuleAskingForWhatItDidNotNameIsTold() {
        Tensor p = Tensor.of(1.0, 2.0).requiresGrad();
        p.setGrad(Tensor.of(1.0, -1.0));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new Mistaken(List.of(p), false).step());
        assertEquals("no buffer 'exp_avg' in this pass; it has [buf]", e.getMessage());
        assertThrows(IndexOutOfBoundsException.class, () -> new Mistaken(List.of(p), true).step());
        assertArrayEquals(new double[] {1, 2}, p.toDoubleArray(), "a failed rule wrote nothing");
    }
}
