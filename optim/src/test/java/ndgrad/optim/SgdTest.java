package ndgrad.optim;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;
import ndgrad.autograd.Tensor;
import ndgrad.core.DTypes;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;

class SgdTest {

    @Test
    void stepSubtractsLrTimesGradientAndSkipsParametersWithoutOne() {
        try (var d = DTypes.use(DataType.DOUBLE)) {
            Tensor w = Tensor.of(1, -2).requiresGrad();
            Tensor unused = Tensor.of(5).requiresGrad();
            Sgd opt = new Sgd(List.of(w, unused), 0.1);
            w.mul(w).sum().backward();
            opt.step();
            assertArrayEquals(new double[] {1 - 0.1 * 2, -2 - 0.1 * -4}, w.toDoubleArray(), 1e-15);
            assertArrayEquals(new double[] {5}, unused.toDoubleArray());
            opt.zeroGrad();
            assertArrayEquals(new double[] {0, 0}, w.grad().toDoubleArray());
        }
    }

    @Test
    void fiftyStepsOnAQuadraticMatchTheClosedForm() {
        // f(w) = ½ Σ c_i w_i²: each step multiplies w_i by (1 - lr c_i), so after n steps w_i = w0_i (1 - lr c_i)^n
        try (var d = DTypes.use(DataType.DOUBLE)) {
            Tensor c = Tensor.of(1, 4);
            Tensor w = Tensor.of(3, -1).requiresGrad();
            Sgd opt = new Sgd(List.of(w), 0.2);
            for (int i = 0; i < 50; i++) {
                opt.zeroGrad();
                w.mul(w).mul(c).sum().mul(0.5).backward();
                opt.step();
            }
            assertArrayEquals(new double[] {3 * Math.pow(0.8, 50), -Math.pow(0.2, 50)}, w.toDoubleArray(), 1e-15);
        }
    }

    /** Matrix parameters, contiguous and not (a transposed view), take the same exact update. */
    @Test
    void matrixParametersOfAnyLayoutAreUpdatedExactly() {
        try (var d = DTypes.use(DataType.DOUBLE)) {
            Tensor m = Tensor.of(new double[][] {{1, 2, 3}, {4, 5, 6}}).requiresGrad();
            Tensor t = Tensor.of(Tensor.of(new double[][] {{1, 4}, {2, 5}, {3, 6}}).data().transpose()).requiresGrad();
            Sgd opt = new Sgd(List.of(m, t), Sgd.options().lr(0.1).momentum(0.5));
            for (int k = 0; k < 2; k++) {
                opt.zeroGrad();
                m.mul(m).sum().add(t.mul(t).sum()).backward();
                opt.step();
            }
            // p1 = p (1 - 0.2); b1 = 2p; p2 = p1 - 0.1 (0.5 b1 + 2 p1) = p (0.8 - 0.1 - 0.16) = 0.54 p
            double[] expected = {0.54, 1.08, 1.62, 2.16, 2.70, 3.24};
            assertArrayEquals(expected, m.toDoubleArray(), 1e-14);
            assertArrayEquals(expected, t.toDoubleArray(), 1e-14);
        }
    }

    @Test
    void badArgumentsAreRefused() {
        Tensor w = Tensor.of(1).requiresGrad();
        assertThrows(IllegalArgumentException.class, () -> new Sgd(List.of(w), -0.1));
        assertThrows(IllegalArgumentException.class, () -> new Sgd(List.of(w), Double.NaN));
        assertThrows(IllegalArgumentException.class, () -> new Sgd(List.of(Tensor.of(1)), 0.1));
    }
}
