package ndgrad.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.stream.Stream;
import ndgrad.autograd.Function;
import ndgrad.autograd.Tensor;
import ndgrad.testing.Arg;
import ndgrad.testing.Check;
import ndgrad.testing.OpSpec;
import ndgrad.testing.OpTests;
import org.junit.jupiter.api.DynamicNode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.slf4j.LoggerFactory;

/**
 * The README's ndgrad-testing example, as a user writes it: an op of one's own, swish(x) = x·σ(x)
 * ({@link SwishOpTest.Swish}), given to the battery in a few lines; and the same op with a planted mistake that only
 * the second derivative sees, which the battery reports with its hint.
 */
class OpBatteryTest {
    /**
     * The planted mistake: σ(x) computed in forward, where recording is off, and saved. The first derivative is
     * right; a second derivative takes the saved σ as a constant.
     */
    static class SwishSavingSigmoid extends Function {
        SwishSavingSigmoid() {
            super("swish", "σ(x)(1 + x(1 - σ(x)))");
        }

        @Override
        protected Tensor[] forward(Context ctx, Tensor... in) {
            Tensor s = in[0].sigmoid();
            ctx.save(in[0], s);
            return tensors(in[0].mul(s));
        }

        @Override
        protected Tensor[] backward(Context ctx, Tensor... grads) {
            Tensor x = ctx.saved(0);
            Tensor s = ctx.saved(1);
            return tensors(grads[0].mul(s.mul(x.mul(s.rsub(1)).add(1))));
        }
    }

    static OpSpec swish(Function f) {
        return OpSpec.of("swish", x -> f.apply(x[0]))
                .reference(x -> x[0].map(v -> v / (1 + Math.exp(-v))))
                .sample(Arg.normal(3, 4))
                .randomShapes(4);
    }

    @TestFactory
    Stream<DynamicNode> swishPassesTheBattery() {
        return OpTests.of(swish(new SwishOpTest.Swish()));
    }

    @Test
    void aValueSavedOutsideTheGraphFailsOnlyTheSecondDerivativeWithItsHint() {
        OpTests.Report report = OpTests.run(swish(new SwishSavingSigmoid()));
        LoggerFactory.getLogger(OpBatteryTest.class).info("{}", report);
        List<OpTests.Outcome> failed = report.failures();
        assertEquals(5, failed.size(), report.toString());
        assertTrue(failed.stream().allMatch(o -> o.kind() == Check.GRADGRADCHECK), report.toString());
        OpTests.Outcome first = failed.get(0);
        assertTrue(first.message().contains("second order GradCheck FAILED")
                && first.message().contains("a value saved with ctx.save that was computed outside the graph")
                && first.message().contains("(value "), first.message());
        assertTrue(report.toString().startsWith("swish: "), report.toString());
        assertTrue(OpTests.run(swish(new SwishOpTest.Swish())).passed());
    }
}
