package ndgrad.autograd;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.stream.IntStream;
import ndgrad.core.DTypes;
import ndgrad.core.NdArrays;
import ndgrad.core.memory.Scope;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;

/**
 * Printing as PyTorch prints (issue 33). Each expected string is what PyTorch 1.13 (Debian's python3-torch) printed
 * for {@code repr} of the same tensor, with two differences: the dtype without {@code torch.}, and grad_fn names
 * without PyTorch's version digit ({@code MulBackward}, not {@code MulBackward0}).
 */
class TensorFormatTest {
    private static Tensor float64(double[] v, long... shape) {
        return Tensor.of(NdArrays.create(v, shape, DataType.DOUBLE));
    }

    private static Tensor float32(double... v) {
        return Tensor.of(NdArrays.create(v, new long[] {v.length}, DataType.FLOAT));
    }

    private static Tensor int64(long[] v, long... shape) {
        return Tensor.of(org.nd4j.linalg.factory.Nd4j.createFromArray(v).reshape(shape));
    }

    @Test
    void valuesRowsDtypeAndGradientAsPyTorch() {
        try (var f = DTypes.use(DataType.FLOAT)) {
            Tensor x = float64(new double[] {1, 2, 3, 4}, 2, 2).requiresGrad();
            // torch.tensor([[1.,2.],[3.,4.]], dtype=torch.float64, requires_grad=True)
            assertEquals("tensor([[1., 2.],\n        [3., 4.]], dtype=float64, requires_grad=True)", x.toString());
            assertEquals("tensor([[2., 4.],\n        [6., 8.]], dtype=float64, grad_fn=<MulBackward>)",
                    x.mul(2).toString());
            assertEquals("tensor(2.5000)", Tensor.of(NdArrays.create(new double[] {2.5}, new long[0],
                    DataType.FLOAT)).toString());
            assertEquals("tensor(2.5000, dtype=float64)", float64(new double[] {2.5}).toString());
            assertEquals("tensor([])", float32().toString());
            assertEquals("tensor([], size=(0, 3))", Tensor.of(NdArrays.create(new double[0], new long[] {0, 3},
                    DataType.FLOAT)).toString());
            assertEquals("tensor([[[0.],\n         [0.]]])", Tensor.of(NdArrays.create(new double[2],
                    new long[] {1, 2, 1}, DataType.FLOAT)).toString());
            assertEquals("tensor([ 1., -2.], name='w')", float32(1, -2).named("w").toString());
        }
    }

    @Test
    void numbersAsPyTorchFormatsThem() {
        try (var f = DTypes.use(DataType.FLOAT)) {
            // torch.tensor([1.23456789, -20.5, 3.0]), torch.tensor([1e-5, 1.0, 2e5]), [nan, inf, -1.5]
            assertEquals("tensor([  1.2346, -20.5000,   3.0000])", float32(1.23456789, -20.5, 3.0).toString());
            assertEquals("tensor([1.0000e-05, 1.0000e+00, 2.0000e+05])", float32(1e-5, 1.0, 2e5).toString());
            assertEquals("tensor([    nan,     inf, -1.5000])", float32(Double.NaN, Double.POSITIVE_INFINITY,
                    -1.5).toString());
            // torch.tensor([1, -20, 300]): int64 prints as integers, and its dtype is implied
            assertEquals("tensor([  1, -20, 300])", int64(new long[] {1, -20, 300}, 3).toString());
            assertEquals("tensor([9007199254740993])", int64(new long[] {9007199254740993L}, 1).toString(),
                    "2^53 + 1 exactly, not as the nearest double");
            // a tie at four decimals rounds to even, as Python's format: 1/32 = 0.03125 -> 0.0312
            assertEquals("tensor([0.0312, 0.5000])", float32(0.03125, 0.5).toString());
        }
    }

    @Test
    void largeTensorsAreSummarisedAndLongRowsWrapped() {
        try (var f = DTypes.use(DataType.FLOAT)) {
            // torch.arange(1001.)
            assertEquals("tensor([   0.,    1.,    2.,  ...,  998.,  999., 1000.])",
                    float32(IntStream.rangeClosed(0, 1000).asDoubleStream().toArray()).toString());
            // torch.arange(24.).reshape(2, 3, 4)
            assertEquals("""
                    tensor([[[ 0.,  1.,  2.,  3.],
                             [ 4.,  5.,  6.,  7.],
                             [ 8.,  9., 10., 11.]],

                            [[12., 13., 14., 15.],
                             [16., 17., 18., 19.],
                             [20., 21., 22., 23.]]])""", Tensor.of(NdArrays.create(IntStream.range(0, 24)
                    .asDoubleStream().toArray(), new long[] {2, 3, 4}, DataType.FLOAT)).toString());
            // torch.arange(2000).reshape(40, 50)
            assertEquals("""
                    tensor([[   0,    1,    2,  ...,   47,   48,   49],
                            [  50,   51,   52,  ...,   97,   98,   99],
                            [ 100,  101,  102,  ...,  147,  148,  149],
                            ...,
                            [1850, 1851, 1852,  ..., 1897, 1898, 1899],
                            [1900, 1901, 1902,  ..., 1947, 1948, 1949],
                            [1950, 1951, 1952,  ..., 1997, 1998, 1999]])""", int64(IntStream.range(0, 2000)
                    .asLongStream().toArray(), 40, 50).toString());
            // torch.linspace(0, 1, 30)
            assertEquals("""
                    tensor([0.0000, 0.0345, 0.0690, 0.1034, 0.1379, 0.1724, 0.2069, 0.2414, 0.2759,
                            0.3103, 0.3448, 0.3793, 0.4138, 0.4483, 0.4828, 0.5172, 0.5517, 0.5862,
                            0.6207, 0.6552, 0.6897, 0.7241, 0.7586, 0.7931, 0.8276, 0.8621, 0.8966,
                            0.9310, 0.9655, 1.0000])""", float32(IntStream.range(0, 30).mapToDouble(i -> i / 29.0)
                    .toArray()).toString());
        }
    }

    @Test
    void aReleasedTensorSaysSo() {
        Tensor gone;
        try (var f = DTypes.use(DataType.FLOAT)) {
            try (Scope s = Scope.open()) {
                gone = Tensor.ones(2);
            }
            assertEquals("tensor(<released>, size=(2,))", gone.toString());
        }
    }

    /** Masks and integers as PyTorch 1.13 prints them: {@code repr(x > 0)}, {@code repr(torch.arange(5))}. */
    @Test
    void masksAndIntegersAsPyTorch() {
        Tensor x = Tensor.of(new double[] {1, -2, 3, 0}, 2, 2);
        assertEquals("tensor([[ True, False],\n        [ True, False]])", x.gt(0).toString());
        assertEquals("tensor([True])", Tensor.of(new double[] {1}).gt(0).toString());
        assertEquals("tensor([0, 1, 2, 3, 4])", Tensor.arange(5).toString());
        assertEquals("tensor(2)", x.gt(0).sum().toString());
    }
}
