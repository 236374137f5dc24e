package ndgrad.autograd;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;

/** Forward values and gradients worked out by hand or taken from PyTorch's documentation. */
class ValuesTest extends Float64Test {
    @Test
    void softmaxOfOneTwoThree() {
        // softmax([1,2,3]) = e^i / (e + e^2 + e^3) = [0.09003057, 0.24472847, 0.66524096]
        Tensor x = Tensor.of(1, 2, 3).requiresGrad();
        Tensor s = x.softmax(0);
        assertArrayEquals(new double[] {0.09003057317038046, 0.24472847105479764, 0.6652409557748219},
                s.toDoubleArray(), 1e-15);
        // d s_2 / d x = s_2 (e_2 - s): [-s0 s2, -s1 s2, s2 (1 - s2)]
        s.select(0, 2).backward();
        double s0 = 0.09003057317038046;
        double s1 = 0.24472847105479764;
        double s2 = 0.6652409557748219;
        assertArrayEquals(new double[] {-s0 * s2, -s1 * s2, s2 * (1 - s2)}, x.grad().toDoubleArray(), 1e-15);
    }

    @Test
    void stableWhereNaiveFormulasOverflow() {
        Tensor big = Tensor.of(1000, 1001, 1002);
        assertEquals(1002 + Math.log(1 + Math.exp(-1) + Math.exp(-2)), big.logSumExp(false).item(), 1e-12);
        assertArrayEquals(Tensor.of(0, 1, 2).softmax(0).toDoubleArray(), big.softmax(0).toDoubleArray(), 1e-15);
        assertArrayEquals(new double[] {1000, 0, Math.log(2)}, Tensor.of(1000, -1000, 0).softplus().toDoubleArray(),
                1e-12);
        Tensor allMinusInf = Tensor.of(Double.NEGATIVE_INFINITY, Double.NEGATIVE_INFINITY);
        assertEquals(Double.NEGATIVE_INFINITY, allMinusInf.logSumExp(false).item());
    }

    @Test
    void geluMatchesPyTorchDocumentedDefinition() {
        // GELU(x) = x Φ(x); Φ(1) = 0.8413447460685429, Φ(-1) = 0.15865525393145707 (standard normal CDF)
        assertArrayEquals(new double[] {0.8413447460685429, -0.15865525393145707, 0},
                Tensor.of(1, -1, 0).gelu().toDoubleArray(), 1e-12);
        // tanh form at 1: 0.5 (1 + tanh(√(2/π) · 1.044715)) = 0.8411919906082768
        assertEquals(0.8411919906082768, Tensor.of(1).geluTanh().item(), 1e-12);
    }

    @Test
    void sinAndCosValuesAndDerivatives() {
        Tensor x = Tensor.of(0, Math.PI / 6, Math.PI / 2).requiresGrad();
        assertArrayEquals(new double[] {0, 0.5, 1}, x.sin().toDoubleArray(), 1e-15);
        x.sin().add(x.cos()).sum().backward();
        // d/dx (sin x + cos x) = cos x - sin x
        assertArrayEquals(new double[] {1, Math.sqrt(3) / 2 - 0.5, -1}, x.grad().toDoubleArray(), 1e-15);
    }

    @Test
    void tiesShareTheGradientAsInPyTorch() {
        Tensor a = Tensor.of(1, 2, 3).requiresGrad();
        Tensor b = Tensor.of(3, 2, 1).requiresGrad();
        a.maximum(b).sum().backward();
        assertArrayEquals(new double[] {0, 0.5, 1}, a.grad().toDoubleArray());
        assertArrayEquals(new double[] {1, 0.5, 0}, b.grad().toDoubleArray());
        Tensor m = Tensor.of(5, 1, 5).requiresGrad();
        m.max().backward();
        assertArrayEquals(new double[] {0.5, 0, 0.5}, m.grad().toDoubleArray());
    }

    @Test
    void kinksFollowPyTorch() {
        Tensor x = Tensor.of(-1, 0, 1).requiresGrad();
        x.relu().add(x.abs()).add(x.clamp(0, 1)).sum().backward();
        // relu'(0) = 0, abs'(0) = 0, clamp passes the gradient on the closed interval [0, 1]
        assertArrayEquals(new double[] {-1, 1, 3}, x.grad().toDoubleArray());
        Tensor z = Tensor.of(0.0).requiresGrad();
        z.pow(2).backward();
        assertEquals(0, z.grad().item());
        Tensor e = Tensor.of(2.0).requiresGrad();
        Tensor base = Tensor.of(0.0).requiresGrad();
        base.pow(e).backward();
        assertEquals(0, e.grad().item(), "d(0^e)/de is taken as 0, as in PyTorch");
    }

    @Test
    void varianceAndMeanAlongAxes() {
        Tensor x = Tensor.of(new double[][] {{1, 2, 3, 4}, {2, 4, 6, 8}});
        assertArrayEquals(new double[] {5.0 / 3, 20.0 / 3}, x.var(1).toDoubleArray(), 1e-14);
        assertArrayEquals(new double[] {1.25, 5}, x.var(0, false, 1).toDoubleArray(), 1e-14);
        assertArrayEquals(new double[] {1.5, 3, 4.5, 6}, x.mean(false, 0).toDoubleArray());
        assertArrayEquals(new long[] {2, 1}, x.mean(true, 1).shape());
        assertEquals(30.0, x.sum().item());
        assertArrayEquals(new double[] {2, 4, 6, 8}, x.amax(false, 0).toDoubleArray());
    }

    @Test
    void shapesOfShapeOps() {
        Tensor x = Tensor.arange(24).reshape(2, 3, 4);
        assertArrayEquals(new long[] {4, 2, 3}, x.permute(2, 0, 1).shape());
        assertEquals(13.0, x.permute(2, 0, 1).get(1, 1, 0));
        assertArrayEquals(new double[] {4, 5, 6, 7, 4, 5, 6, 7}, x.select(0, 0).indexSelect(0, 1, 1).toDoubleArray());
        assertArrayEquals(new long[] {2, 5, 4}, Tensor.concat(1, x, x.slice(1, 0, 2)).shape());
        assertArrayEquals(new long[] {2, 2, 3, 4}, Tensor.stack(1, x, x).shape());
        assertArrayEquals(new double[] {0, 0, 1, 2, 0}, Tensor.of(1, 2).pad(0, 2, 1).toDoubleArray());
        assertArrayEquals(new long[] {3, 1}, Tensor.ones(2, 3, 4).sumTo(3, 1).shape());
        assertEquals(8.0, Tensor.ones(2, 3, 4).sumTo(3, 1).get(0, 0));
        assertArrayEquals(new double[] {0, 0.5, 1, 1.5}, Tensor.arange(0, 2, 0.5).toDoubleArray());
    }

    /** indexSelect keeps the indices it was given: changing the caller's array afterwards changes no gradient. */
    @Test
    void indexSelectKeepsItsIndicesForBackward() {
        Tensor x = Tensor.arange(6.0).reshape(3, 2).requiresGrad();
        long[] ids = {2, 0, 2};
        Tensor y = x.indexSelect(0, ids);
        ids[0] = 1;
        y.mul(Tensor.of(new double[] {1, 2, 3, 4, 5, 6}, 3, 2)).sum().backward();
        assertArrayEquals(new double[] {3, 4, 0, 0, 6, 8}, x.grad().toDoubleArray());
    }

    /** Reductions in PyTorch's argument order (dims, then keepdim) and in the keepDims-first order agree. */
    @Test
    void reductionsTakePyTorchsArgumentOrder() {
        Tensor x = Tensor.of(new double[] {1, 5, 3, 4, 2, 6}, 2, 3);
        assertArrayEquals(new double[] {9, 12}, x.sum(1).toDoubleArray());
        assertArrayEquals(new long[] {2, 1}, x.sum(1, true).shape());
        assertArrayEquals(new double[] {2.5, 3.5, 4.5}, x.mean(0).toDoubleArray());
        assertArrayEquals(new long[] {1, 3}, x.mean(0, true).shape());
        assertArrayEquals(new double[] {5, 6}, x.amax(1).toDoubleArray());
        assertArrayEquals(new long[] {2, 1}, x.amin(1, true).shape());
        assertArrayEquals(new double[] {1, 2}, x.amin(1, true).toDoubleArray());
        Tensor.ValuesIndices m = x.max(1);
        assertArrayEquals(new double[] {5, 6}, m.values().toDoubleArray());
        assertArrayEquals(new double[] {1, 2}, m.indices().toDoubleArray());
        assertEquals(DataType.LONG, m.indices().dtype());
        assertArrayEquals(new double[] {0, 1, 0}, x.argmin(0).toDoubleArray());
        assertEquals(5, x.argmax().item());
        assertEquals(21, x.sum().item());
    }

    /** torch.arange(5), arange(2, 5), arange(1, 2, 0.25) and arange(3, 0, -1.5). */
    @Test
    void arangeTakesOneTwoOrThreeArguments() {
        assertArrayEquals(new double[] {0, 1, 2, 3, 4}, Tensor.arange(5).toDoubleArray());
        assertArrayEquals(new double[] {2, 3, 4}, Tensor.arange(2, 5).toDoubleArray());
        assertArrayEquals(new double[] {1, 1.25, 1.5, 1.75}, Tensor.arange(1, 2, 0.25).toDoubleArray());
        assertArrayEquals(new double[] {3, 1.5}, Tensor.arange(3, 0, -1.5).toDoubleArray());
        assertEquals(0, Tensor.arange(2, 2).numel());
    }

    /**
     * multinomial against its definition: over 40,000 draws each category's frequency is within 4.5 standard errors
     * of its weight's share; without replacement, a row's draws are distinct, and never a zero-weight category.
     */
    @Test
    void multinomialDrawsInProportionToTheWeights() {
        double[] w = {1, 0, 3, 6};
        int n = 40_000;
        double[] draws = Tensor.of(w).multinomial(n, true, new ndgrad.core.Rng(3)).toDoubleArray();
        int[] count = new int[4];
        for (double d : draws) {
            count[(int) d]++;
        }
        for (int k = 0; k < 4; k++) {
            double p = w[k] / 10;
            assertEquals(p, count[k] / (double) n, 4.5 * Math.sqrt(p * (1 - p) / n) + 1e-12, "category " + k);
        }
        Tensor rows = Tensor.of(new double[] {5, 0, 1, 1, 1, 1, 2, 0}, 2, 4);
        for (int seed = 0; seed < 50; seed++) {
            double[] d = rows.multinomial(3, false, new ndgrad.core.Rng(seed)).toDoubleArray();
            assertTrue(d[0] != d[1] && d[1] != d[2] && d[0] != d[2] && d[0] != 1 && d[1] != 1 && d[2] != 1, "row 0");
            assertTrue(d[3] != d[4] && d[4] != d[5] && d[3] != d[5] && d[3] != 3 && d[4] != 3 && d[5] != 3, "row 1");
        }
    }
}
