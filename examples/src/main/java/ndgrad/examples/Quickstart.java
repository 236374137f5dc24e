package ndgrad.examples;

import ndgrad.autograd.Autograd;
import ndgrad.autograd.GradCheck;
import ndgrad.autograd.Tensor;
import ndgrad.core.DTypes;
import org.nd4j.linalg.api.buffer.DataType;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The README's quick start: a value, its gradient, a gradient check and a Hessian.
 *
 * <p>Usage: {@code mvn -B -q -pl examples exec:java -Dexec.mainClass=ndgrad.examples.Quickstart}
 */
public final class Quickstart {
    private static final Logger LOG = LoggerFactory.getLogger(Quickstart.class);

    public static void main(String[] args) {
        try (var float64 = DTypes.use(DataType.DOUBLE)) {
            Tensor x = Tensor.scalar(2.0).named("x").requiresGrad();
            Tensor y = x.mul(x).add(x.tanh());                        // y = x² + tanh x
            y.backward();
            LOG.info("y = {}, dy/dx = {}", y.item(), x.grad().item()); // 4.964, 4.071 = 2x + 1 - tanh² x
            GradCheck.assertGradients(t -> t.mul(t).add(t.tanh()), x);
            Tensor h = Autograd.hessian(t -> t.pow(3).sum(), Tensor.of(1, 2));
            LOG.info("Hessian of x³ + y³ at (1, 2): {}", h);         // [[6, 0], [0, 12]]
        }
    }
}
