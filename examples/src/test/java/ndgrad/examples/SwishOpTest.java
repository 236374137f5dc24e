package ndgrad.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ndgrad.autograd.Function;
import ndgrad.autograd.GradCheck;
import ndgrad.autograd.Tensor;
import ndgrad.core.Rng;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;

/** The README's example, as a user writes it outside ndgrad's packages: an op of one's own, gradient-checked. */
class SwishOpTest {
    /** swish(x) = x·σ(x); {@code planted} writes 1 - σ as σ in the rule, a mistake GradCheck must catch. */
    static class Swish extends Function {
        private final boolean planted;

        Swish() {
            this(false);
        }

        Swish(boolean planted) {
            super("swish", "σ(x)(1 + x(1 - σ(x)))");
            this.planted = planted;
        }

        @Override
        protected Tensor[] forward(Context ctx, Tensor... in) {
            ctx.save(in[0]);
            return tensors(in[0].mul(in[0].sigmoid()));
        }

        @Override
        protected Tensor[] backward(Context ctx, Tensor... grads) {
            Tensor x = ctx.saved(0);
            Tensor s = x.sigmoid();
            return tensors(grads[0].mul(s.mul(x.mul(planted ? s : s.rsub(1)).add(1))));
        }
    }

    @Test
    void swishIsRight() {
        Tensor x = Tensor.randn(new Rng(1), 3, 4).to(DataType.DOUBLE).requiresGrad();
        GradCheck.assertGradients(t -> new Swish().apply(t), x);
        GradCheck.assertSecondOrder(GradCheck.Options.defaults(), in -> new Swish().apply(in[0]), x);
        // swish'(1) = σ(1)(2 - σ(1)) = 0.9276705118714869: torch.autograd.grad of x * torch.sigmoid(x) at 1.0
        Tensor one = Tensor.of(new double[] {1}, 1).to(DataType.DOUBLE).requiresGrad();
        new Swish().apply(one).sum().backward();
        assertEquals(0.9276705118714869, one.grad().item(), 1e-15);
    }

    @Test
    void aPlantedMistakeFailsWithItsReport() {
        Tensor x = Tensor.randn(new Rng(1), 2, 3).to(DataType.DOUBLE).requiresGrad();
        GradCheck.Report r = GradCheck.check(GradCheck.Options.defaults(), in -> new Swish(true).apply(in[0]), x);
        org.slf4j.LoggerFactory.getLogger(SwishOpTest.class).info("{}", r);
        assertFalse(r.passed());
        assertTrue(r.toString().contains("input 0, element [0, 0]"), r.toString());
    }
}
