package ndgrad.autograd;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.function.Function;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.nd4j.linalg.api.buffer.DataType;

/**
 * Every differentiable op, first and second order, in float64 against central differences (eps 1e-6) with
 * tolerances 100× tighter in atol and 1000× tighter in rtol than PyTorch's gradcheck defaults.
 */
class OpGradCheckTest {
    static final GradCheck.Options TIGHT = GradCheck.Options.defaults().tolerances(1e-7, 1e-6);

    record Case(String name, Function<Tensor[], Tensor> f, Tensor[] inputs) {
        @Override
        public String toString() {
            return name;
        }
    }

    static Case c(String name, Function<Tensor[], Tensor> f, Tensor... inputs) {
        return new Case(name, f, inputs);
    }

    static Stream<Case> cases() {
        Inputs r = new Inputs(7);
        return Stream.of(
                // elementwise arithmetic, with broadcasting both ways
                c("add same shape", x -> x[0].add(x[1]), r.normal(3, 4), r.normal(3, 4)),
                c("add (3,4)+(4)", x -> x[0].add(x[1]), r.normal(3, 4), r.normal(4)),
                c("add (4)+(3,4)", x -> x[0].add(x[1]), r.normal(4), r.normal(3, 4)),
                c("add rank0+(2,3)", x -> x[0].add(x[1]), r.normal(), r.normal(2, 3)),
                c("sub (3,1)-(1,4)", x -> x[0].sub(x[1]), r.normal(3, 1), r.normal(1, 4)),
                c("mul (2,3,4)*(3,1)", x -> x[0].mul(x[1]), r.normal(2, 3, 4), r.normal(3, 1)),
                c("mul self", x -> x[0].mul(x[0]), r.normal(2, 3)),
                c("div (3,4)/(4)", x -> x[0].div(x[1]), r.normal(3, 4), r.positive(4)),
                c("div (2,1)/(1,3)", x -> x[0].div(x[1]), r.normal(2, 1), r.awayFromZero(1, 3)),
                c("neg", x -> x[0].neg(), r.normal(2, 3)),
                c("scalar add/sub/rsub", x -> x[0].add(2.5).sub(1.25).rsub(3), r.normal(2, 3)),
                c("scalar mul/div", x -> x[0].mul(-1.5).div(3), r.normal(2, 3)),
                c("pow 3", x -> x[0].pow(3), r.normal(2, 3)),
                c("pow 0.5", x -> x[0].pow(0.5), r.positive(2, 3)),
                c("pow -2", x -> x[0].pow(-2), r.awayFromZero(2, 3)),
                c("pow 0", x -> x[0].pow(0), r.normal(3)),
                c("pow tensor (3,4)^(4)", x -> x[0].pow(x[1]), r.positive(3, 4), r.normal(4)),
                c("maximum (3,4),(4)", x -> x[0].maximum(x[1]), r.distinct(3, 4), r.normal(4)),
                c("minimum (3,4),(3,1)", x -> x[0].minimum(x[1]), r.distinct(3, 4), r.normal(3, 1)),
                c("where broadcast", x -> Tensor.where(x[0].gt(0), x[1], x[2]), r.awayFromZero(3, 4), r.normal(3, 4),
                        r.normal(4)),
                c("maskedFill", x -> x[0].maskedFill(x[0].lt(0), 2.0).mul(x[0]), r.awayFromZero(3, 4)),
                // elementwise functions
                c("exp", x -> x[0].exp(), r.normal(2, 3)),
                c("sin", x -> x[0].sin(), r.normal(2, 3)),
                c("cos", x -> x[0].cos(), r.normal(2, 3)),
                c("log", x -> x[0].log(), r.positive(2, 3)),
                c("sqrt", x -> x[0].sqrt(), r.positive(2, 3)),
                c("abs", x -> x[0].abs(), r.awayFromZero(2, 3)),
                c("tanh", x -> x[0].tanh(), r.normal(2, 3)),
                c("sigmoid", x -> x[0].sigmoid(), r.normal(2, 3)),
                c("relu", x -> x[0].relu(), r.awayFromZero(2, 3)),
                c("leakyRelu", x -> x[0].leakyRelu(0.1), r.awayFromZero(2, 3)),
                c("softplus", x -> x[0].softplus(), r.normal(2, 3)),
                c("erf", x -> x[0].erf(), r.normal(2, 3)),
                c("gelu", x -> x[0].gelu(), r.normal(2, 3)),
                c("geluTanh", x -> x[0].geluTanh(), r.normal(2, 3)),
                c("clamp", x -> x[0].clamp(-0.1, 0.1).add(x[0].mul(0.5).clamp(-0.4, Double.POSITIVE_INFINITY)),
                        r.awayFromZero(3, 4)),
                // matrix products
                c("matmul 2-D", x -> x[0].matmul(x[1]), r.normal(2, 3), r.normal(3, 4)),
                c("matmul 3-D batched", x -> x[0].matmul(x[1]), r.normal(2, 2, 3), r.normal(2, 3, 2)),
                c("matmul 3-D @ 2-D", x -> x[0].matmul(x[1]), r.normal(2, 2, 3), r.normal(3, 2)),
                c("matmul 2-D @ 3-D", x -> x[0].matmul(x[1]), r.normal(2, 3), r.normal(2, 3, 2)),
                c("matmul (1,2,3) @ (2,3,2)", x -> x[0].matmul(x[1]), r.normal(1, 2, 3), r.normal(2, 3, 2)),
                c("matmul of transposes", x -> x[0].t().matmul(x[1].t()), r.normal(3, 2), r.normal(4, 3)),
                c("gemm A·B", x -> LinearAlgebra.mm(x[0], x[1], false, false), r.normal(2, 3), r.normal(3, 4)),
                c("gemm A·Bᵀ", x -> LinearAlgebra.mm(x[0], x[1], false, true), r.normal(2, 3), r.normal(4, 3)),
                c("gemm Aᵀ·B", x -> LinearAlgebra.mm(x[0], x[1], true, false), r.normal(3, 2), r.normal(3, 4)),
                c("gemm Aᵀ·Bᵀ", x -> LinearAlgebra.mm(x[0], x[1], true, true), r.normal(3, 2), r.normal(4, 3)),
                c("gemm of a transposed view", x -> LinearAlgebra.mm(x[0].t(), x[1], false, true), r.normal(3, 2),
                        r.normal(4, 3)),
                c("linear with bias", x -> x[0].linear(x[1], x[2]), r.normal(4, 3), r.normal(5, 3), r.normal(5)),
                c("linear without bias, squared", x -> x[0].linear(x[1], null).pow(2), r.normal(4, 3), r.normal(2, 3)),
                // shape ops
                c("reshape", x -> x[0].reshape(3, -1).mul(x[0].reshape(3, 2)), r.normal(2, 3)),
                c("view", x -> x[0].view(3, -1).mul(x[0].view(6).view(3, 2)), r.normal(2, 3)),
                c("flatten", x -> x[0].flatten(), r.normal(2, 3)),
                c("permute", x -> x[0].permute(2, 0, 1).mul(x[1]), r.normal(2, 3, 4), r.normal(4, 2, 3)),
                c("transpose", x -> x[0].transpose(0, 2), r.normal(2, 3, 4)),
                c("t", x -> x[0].t().reshape(-1), r.normal(2, 3)),
                c("mT", x -> x[0].mT(), r.normal(2, 3, 4)),
                c("unsqueeze/squeeze", x -> x[0].unsqueeze(1).mul(x[1]).squeeze(-1), r.normal(3), r.normal(4, 1, 1)),
                c("expand", x -> x[0].expand(2, 3, 4), r.normal(3, 1)),
                c("sumTo", x -> x[0].sumTo(3, 1), r.normal(2, 3, 4)),
                c("slice", x -> x[0].slice(1, 1, -1), r.normal(3, 5)),
                c("pad", x -> x[0].pad(0, 2, 1), r.normal(2, 3)),
                c("select", x -> x[0].select(1, -1), r.normal(3, 4)),
                c("row", x -> x[0].row(1), r.normal(3, 4)),
                c("indexSelect with repeats", x -> x[0].indexSelect(0, 2, 0, 2), r.normal(3, 4)),
                c("indexSelect axis 1", x -> x[0].indexSelect(1, 3, 1), r.normal(2, 4)),
                c("concat", x -> Tensor.concat(1, x[0], x[1], x[0]), r.normal(2, 3), r.normal(2, 1)),
                c("stack", x -> Tensor.stack(1, x[0], x[1]), r.normal(2, 3), r.normal(2, 3)),
                // reductions
                c("sum all", x -> x[0].sum(), r.normal(3, 4)),
                c("sum axis 1", x -> x[0].sum(false, 1), r.normal(3, 4)),
                c("sum axes keepDims", x -> x[0].sum(true, 0, 2), r.normal(2, 3, 4)),
                c("mean all", x -> x[0].mean(), r.normal(3, 4)),
                c("mean axis -1", x -> x[0].mean(false, -1), r.normal(3, 4)),
                c("var unbiased", x -> x[0].var(1), r.normal(3, 4)),
                c("var population keepDims", x -> x[0].var(0, true, 0), r.normal(3, 4)),
                c("max all", x -> x[0].max(), r.distinct(3, 4)),
                c("max axis 1", x -> x[0].amax(false, 1), r.distinct(3, 4)),
                c("min axis 0 keepDims", x -> x[0].amin(true, 0), r.distinct(3, 4)),
                c("softmax axis 1", x -> x[0].softmax(1), r.normal(3, 4)),
                c("softmax axis 0", x -> x[0].softmax(0), r.normal(3, 4)),
                c("logSoftmax", x -> x[0].logSoftmax(-1), r.normal(3, 4)),
                c("logSumExp axis 1", x -> x[0].logSumExp(false, 1), r.normal(3, 4)),
                c("logSumExp all keepDims", x -> x[0].logSumExp(true), r.normal(3, 4)),
                c("crossEntropy (fused)", x -> x[0].crossEntropy(new int[] {2, 0, 1, 2}), r.normal(4, 3)),
                c("crossEntropy of large logits", x -> x[0].mul(100).crossEntropy(new int[] {1, 0}), r.normal(2, 3)),
                // the ops of the engine issue: 1-D matmul, reciprocal, gather/scatterAdd, max with indices, losses
                c("matmul dot 1-D·1-D", x -> x[0].matmul(x[1]), r.normal(4), r.normal(4)),
                c("matmul 2-D·1-D", x -> x[0].matmul(x[1]), r.normal(3, 4), r.normal(4)),
                c("matmul 1-D·2-D", x -> x[0].matmul(x[1]), r.normal(4), r.normal(4, 3)),
                c("matmul 3-D·1-D", x -> x[0].matmul(x[1]), r.normal(2, 3, 4), r.normal(4)),
                c("matmul 1-D·3-D", x -> x[0].matmul(x[1]), r.normal(4), r.normal(2, 4, 3)),
                c("reciprocal", x -> x[0].reciprocal(), r.awayFromZero(3, 4)),
                c("rdiv", x -> x[0].rdiv(2.5), r.awayFromZero(3, 4)),
                c("gather dim 1 with repeats", x -> x[0].gather(1, index(new double[] {0, 4, 4, 1, 2, 2, 2, 3},
                        2, 4)), r.normal(2, 5)),
                c("gather dim 0", x -> x[0].gather(0, index(new double[] {2, 0, 1, 1}, 1, 4)), r.normal(3, 4)),
                c("scatterAdd dim 1", x -> x[0].scatterAdd(1, index(new double[] {0, 4, 4, 1, 2, 2, 3, 0}, 2, 4),
                        x[1]), r.normal(2, 5), r.normal(2, 4)),
                c("max(dim) values", x -> x[0].max(1).values(), r.distinct(3, 4)),
                c("min(dim, keepDim) values", x -> x[0].min(0, true).values(), r.distinct(3, 4)),
                c("amax of dims", x -> x[0].amax(0, 2), r.distinct(2, 3, 2)),
                c("crossEntropy weighted, ignored, smoothed", x -> ndgrad.nn.Losses.crossEntropy(x[0],
                        new int[] {2, -100, 1, 0}, ndgrad.nn.Losses.CrossEntropyOptions.defaults().weight(
                                Tensor.of(new double[] {0.5, 1, 2}, 3).to(DataType.DOUBLE)).labelSmoothing(0.2)),
                        r.normal(4, 3)),
                c("crossEntropy probability targets, sum", x -> ndgrad.nn.Losses.crossEntropy(x[0], x[1].softmax(1),
                        ndgrad.nn.Losses.CrossEntropyOptions.defaults().reduction(ndgrad.nn.Losses.Reduction.SUM)),
                        r.normal(4, 3), r.normal(4, 3)),
                c("unfold k3 s2 p1 d1", x -> x[0].unfold(new ndgrad.core.kernels.Unfold.Geometry(2, 2, 5, 4, 3, 3, 2, 2, 1, 1,
                        1, 1), 0), r.normal(2, 2, 5, 4)),
                c("unfold k2 dilation 2, padding filled with 2.5", x -> x[0].unfold(new ndgrad.core.kernels.Unfold.Geometry(1,
                        1, 5, 5, 2, 2, 1, 1, 1, 0, 2, 2), 2.5).pow(2), r.normal(1, 1, 5, 5)),
                c("maxPool2d k3 s2 p1", x -> x[0].maxPool2d(new ndgrad.core.kernels.Unfold.Geometry(1, 2, 5, 5, 3, 3, 2, 2, 1, 1,
                        1, 1)).pow(2), r.distinct(1, 2, 5, 5)),
                // a composition: a two-layer MLP and its mean squared error
                c("mlp", x -> x[0].matmul(x[1]).add(x[2]).tanh().matmul(x[3]).sub(1).pow(2).mean(),
                        r.normal(4, 3), r.normal(3, 5), r.normal(5), r.normal(5, 2)));
    }

    /** An int64 index tensor. */
    static Tensor index(double[] values, long... shape) {
        return Tensor.of(ndgrad.core.NdArrays.create(values, shape, DataType.LONG));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void firstDerivatives(Case c) {
        GradCheck.Report report = GradCheck.check(TIGHT, c.f(), c.inputs());
        assertTrue(report.passed(), report::toString);
        assertTrue(report.checked() > 0);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void secondDerivatives(Case c) {
        GradCheck.Report report = GradCheck.checkSecondOrder(TIGHT, c.f(), c.inputs());
        assertTrue(report.passed(), report::toString);
    }

    /** The fused cross-entropy equals its composition, -(logSoftmax · onehot).sum(1), in values and gradients. */
    @Test
    void fusedCrossEntropyEqualsTheComposition() {
        int[] labels = {2, 0, 1, 2};
        Tensor oneHot = Tensor.of(new double[][] {{0, 0, 1}, {1, 0, 0}, {0, 1, 0}, {0, 0, 1}}).to(DataType.DOUBLE);
        Tensor a = new Inputs(12).normal(4, 3);
        Tensor b = Tensor.of(a.data().dup()).requiresGrad();
        Tensor v = Tensor.of(new double[] {0.5, -1, 2, 0.25}).to(DataType.DOUBLE);
        Tensor fused = a.crossEntropy(labels);
        Tensor composed = b.logSoftmax(1).mul(oneHot).sum(false, 1).neg();
        assertArrayEquals(composed.toDoubleArray(), fused.toDoubleArray(), 1e-14);
        fused.backward(v);
        composed.backward(v);
        assertArrayEquals(b.grad().toDoubleArray(), a.grad().toDoubleArray(), 1e-14);
    }

    /**
     * to(DataType): the gradient is cast back. A float32 round trip rounds values by ~6e-8 relative, so the finite
     * differences use eps 1e-2 (rounding error / eps ≈ 1e-5) and atol 1e-4; the exact gradient is also asserted.
     */
    @Test
    void castRoundTrip() {
        Tensor x = new Inputs(11).normal(2, 3);
        Function<Tensor[], Tensor> f = in -> in[0].to(DataType.FLOAT)
                .mul(2).to(DataType.DOUBLE).mul(in[0]);
        GradCheck.Options coarse = GradCheck.Options.defaults().eps(1e-2).tolerances(1e-4, 1e-4);
        assertTrue(GradCheck.check(coarse, f, x).passed(), () -> GradCheck.check(coarse, f, x).toString());
        assertTrue(GradCheck.checkSecondOrder(coarse, f, x).passed());
        Tensor w = Tensor.of(1, 2).requiresGrad();
        w.to(DataType.DOUBLE).mul(3).sum().backward();
        assertEquals(DataType.FLOAT, w.grad().dtype());
        assertArrayEquals(new double[] {3, 3}, w.grad().toDoubleArray());
    }

    static Stream<Arguments> fastModeCases() {
        return cases().map(Arguments::of);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("fastModeCases")
    void fastMode(Case c) {
        GradCheck.Report report = GradCheck.check(TIGHT.fast(3), c.f(), c.inputs());
        assertTrue(report.passed(), report::toString);
    }
}
