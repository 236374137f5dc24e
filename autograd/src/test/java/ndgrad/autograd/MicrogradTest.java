package ndgrad.autograd;

import static org.junit.jupiter.api.Assertions.assertEquals;

import ndgrad.core.DTypes;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;

/**
 * micrograd's own tests ({@code test/test_engine.py} in karpathy/micrograd), whose reference values come from
 * PyTorch in float64, and the neuron example from Karpathy's "spelled-out intro to backpropagation" lecture.
 */
class MicrogradTest {

    /** test_sanity_check: x = -4 gives y = -20 and dy/dx = 46 (PyTorch, double). */
    @Test
    void sanityCheck() {
        try (var d = DTypes.use(DataType.DOUBLE)) {
            Tensor x = Tensor.scalar(-4.0).requiresGrad();
            Tensor z = x.mul(2).add(2).add(x);
            Tensor q = z.relu().add(z.mul(x));
            Tensor h = z.mul(z).relu();
            Tensor y = h.add(q).add(q.mul(x));
            y.backward();
            assertEquals(-20.0, y.item(), 0.0);
            assertEquals(46.0, x.grad().item(), 0.0);
        }
    }

    /**
     * test_more_ops: g = 24.70408163265306, dg/da = 138.83381924198252, dg/db = 645.5772594752186 (the PyTorch
     * float64 values printed in micrograd's README as 24.7041, 138.8338, 645.5773); micrograd's tolerance is 1e-6.
     */
    @Test
    void moreOps() {
        try (var d = DTypes.use(DataType.DOUBLE)) {
            Tensor a = Tensor.scalar(-4.0).requiresGrad();
            Tensor b = Tensor.scalar(2.0).requiresGrad();
            Tensor c = a.add(b);
            Tensor dd = a.mul(b).add(b.pow(3));
            c = c.add(c.add(1));
            c = c.add(c.add(1)).add(a.neg());
            dd = dd.add(dd.mul(2).add(b.add(a).relu()));
            dd = dd.add(dd.mul(3).add(b.sub(a).relu()));
            Tensor e = c.sub(dd);
            Tensor f = e.pow(2);
            Tensor g = f.div(2.0);
            g = g.add(Tensor.scalar(10.0).div(f));
            g.backward();
            assertEquals(24.70408163265306, g.item(), 1e-12);
            assertEquals(138.83381924198252, a.grad().item(), 1e-10);
            assertEquals(645.5772594752186, b.grad().item(), 1e-10);
        }
    }

    /**
     * The neuron o = tanh(x1 w1 + x2 w2 + b) with x1=2, x2=0, w1=-3, w2=1, b=6.8813735870195432: o = √2/2, and
     * by hand do/dn = 1 - o² = 0.5, so dx1 = w1/2 = -1.5, dw1 = x1/2 = 1, dx2 = w2/2 = 0.5, dw2 = x2/2 = 0.
     */
    @Test
    void neuron() {
        try (var d = DTypes.use(DataType.DOUBLE)) {
            Tensor x1 = Tensor.scalar(2).requiresGrad();
            Tensor x2 = Tensor.scalar(0).requiresGrad();
            Tensor w1 = Tensor.scalar(-3).requiresGrad();
            Tensor w2 = Tensor.scalar(1).requiresGrad();
            Tensor b = Tensor.scalar(6.8813735870195432).requiresGrad();
            Tensor o = x1.mul(w1).add(x2.mul(w2)).add(b).tanh();
            o.backward();
            assertEquals(Math.sqrt(0.5), o.item(), 1e-15);
            assertEquals(-1.5, x1.grad().item(), 1e-12);
            assertEquals(1.0, w1.grad().item(), 1e-12);
            assertEquals(0.5, x2.grad().item(), 1e-12);
            assertEquals(0.0, w2.grad().item(), 1e-12);
            assertEquals(0.5, b.grad().item(), 1e-12);
        }
    }
}
