package ndgrad.testing;

import static ndgrad.testing.Registry.entry;
import static ndgrad.testing.Registry.op;
import static ndgrad.testing.Registry.shapes;
import static ndgrad.testing.Registry.unary;

import java.util.List;
import java.util.function.DoubleBinaryOperator;
import java.util.function.Function;
import ndgrad.autograd.GradCheck;
import ndgrad.autograd.Tensor;
import ndgrad.testing.Registry.Entry;
import org.nd4j.linalg.api.buffer.DataType;

/** The elementwise ops: functions of one input, arithmetic of two, where, and the comparisons. */
final class ElementwiseEntries {
    private ElementwiseEntries() {
    }

    static List<Entry> entries() {
        return List.of(
                entry(shapes(unary("neg", Tensor::neg, v -> -v), Arg::normal).sample(Torch.sample("neg: values")),
                        "neg()"),
                entry(shapes(unary("reciprocal", Tensor::reciprocal, v -> 1 / v), Arg::awayFromZero)
                        .sample(Torch.sample("reciprocal: values"))
                        .sample(Torch.edge("reciprocal: zero and infinities")), "reciprocal()"),
                entry(shapes(unary("exp", Tensor::exp, Math::exp), Arg::normal).sample(Torch.sample("exp: values"))
                        .sample(Torch.edge("exp: large and infinite")), "exp()"),
                entry(shapes(unary("log", Tensor::log, Math::log), Arg::positive).sample(Torch.sample("log: values"))
                        .sample(Torch.edge("log: zero, infinity, negative")), "log()"),
                entry(shapes(unary("log1p", Tensor::log1p, Math::log1p), Arg::positive)
                        .sample(Torch.sample("log1p: values")).sample(Torch.edge("log1p: tiny, -1, infinity")),
                        "log1p()"),
                entry(shapes(unary("sin", Tensor::sin, Math::sin), Arg::normal).sample(Torch.sample("sin: values"))
                        .sample(Torch.edge("sin: large")), "sin()"),
                entry(shapes(unary("cos", Tensor::cos, Math::cos), Arg::normal).sample(Torch.sample("cos: values"))
                        .sample(Torch.edge("cos: large")), "cos()"),
                entry(shapes(unary("sqrt", Tensor::sqrt, Math::sqrt), Arg::positive)
                        .sample(Torch.sample("sqrt: values")).sample(Torch.edge("sqrt: zero and infinity")), "sqrt()"),
                entry(shapes(unary("abs", Tensor::abs, Math::abs), Arg::awayFromZero)
                        .sample(Torch.sample("abs: values")).sample(Torch.edge("abs: kinks")), "abs()"),
                entry(shapes(unary("tanh", Tensor::tanh, Math::tanh), Arg::normal).sample(Torch.sample("tanh: values"))
                        .sample(Torch.edge("tanh: saturated")), "tanh()"),
                entry(shapes(unary("sigmoid", Tensor::sigmoid, Ref::sigmoid), Arg::normal)
                        .sample(Torch.sample("sigmoid: values")).sample(Torch.edge("sigmoid: saturated")),
                        "sigmoid()"),
                entry(shapes(unary("relu", Tensor::relu, v -> v > 0 ? v : 0 * v), Arg::awayFromZero)
                        .sample(Torch.sample("relu: values")).sample(Torch.edge("relu: kinks")), "relu()"),
                entry(shapes(unary("leakyRelu", x -> x.leakyRelu(0.1), v -> v > 0 ? v : 0.1 * v), Arg::awayFromZero)
                        .sample(Torch.sample("leakyRelu: values"))
                        .sample(Torch.edge("leakyRelu: kinks").call(x -> x[0].leakyRelu(0.01))
                                .reference(x -> x[0].map(v -> v > 0 ? v : 0.01 * v))), "leakyRelu(double)"),
                entry(shapes(unary("softplus", Tensor::softplus, Ref::softplus), Arg::normal)
                        .sample(Torch.sample("softplus: values")).sample(Torch.sample("softplus: large")),
                        "softplus()"),
                entry(shapes(unary("erf", Tensor::erf, Ref::erf), Arg::normal).sample(Torch.sample("erf: values"))
                        .sample(Torch.sample("erf: tails")), "erf()"),
                entry(shapes(unary("gelu", Tensor::gelu, Ref::gelu), Arg::normal).sample(Torch.sample("gelu: values"))
                        .sample(Torch.sample("gelu: tails")), "gelu()"),
                entry(shapes(unary("geluTanh", Tensor::geluTanh, Ref::geluTanh), Arg::normal)
                        .sample(Torch.sample("geluTanh: values")), "geluTanh()"),
                entry(shapes(unary("clamp", x -> x.clamp(-0.5, 0.8), v -> Math.min(Math.max(v, -0.5), 0.8)),
                        Arg::normal).sample(Torch.sample("clamp: values"))
                        .sample(Torch.edge("clamp: at the bounds"))
                        .sample(Torch.sample("clamp: one-sided").call(x -> x[0].clamp(-0.25, Double.POSITIVE_INFINITY))
                                .reference(x -> x[0].map(v -> Math.max(v, -0.25))))
                        .badInput("min above max", x -> x[0].clamp(1, 0), Arg.normal(2)), "clamp(double,double)"),
                entry(shapes(unary("pow scalar", x -> x.pow(3), v -> v * v * v), Arg::normal)
                        .sample(Torch.sample("pow scalar: values"))
                        .sample(power(Torch.sample("pow scalar: fractional"), 0.5))
                        .sample(power(Torch.sample("pow scalar: negative"), -2))
                        .sample(power(Torch.edge("pow scalar: zero exponent"), 0))
                        .sample(power(Torch.edge("pow scalar: zero base"), 2))
                        .sample(power(Torch.edge("pow scalar: zero base, fractional"), 0.5)), "pow(double)"),
                entry(shapes(unary("add scalar", x -> x.add(2.5), v -> v + 2.5), Arg::normal)
                        .sample(Torch.sample("add scalar: values")), "add(double)"),
                entry(shapes(unary("sub scalar", x -> x.sub(1.25), v -> v - 1.25), Arg::normal)
                        .sample(Torch.sample("sub scalar: values")), "sub(double)"),
                entry(shapes(unary("mul scalar", x -> x.mul(-1.5), v -> v * -1.5), Arg::normal)
                        .sample(Torch.sample("mul scalar: values")), "mul(double)"),
                entry(shapes(unary("div scalar", x -> x.div(3), v -> v / 3), Arg::normal)
                        .sample(Torch.sample("div scalar: values")), "div(double)"),
                entry(shapes(unary("rsub", x -> x.rsub(3), v -> 3 - v), Arg::normal)
                        .sample(Torch.sample("rsub: values")), "rsub(double)"),
                entry(shapes(unary("rdiv", x -> x.rdiv(2.5), v -> 2.5 / v), Arg::awayFromZero)
                        .sample(Torch.sample("rdiv: values")), "rdiv(double)"),
                entry(shapes(unary("to", x -> x.to(DataType.FLOAT).to(DataType.DOUBLE), v -> (float) v), Arg::normal)
                        .gradCheck(GradCheck.Options.defaults().eps(1e-2).tolerances(1e-4, 1e-4))
                        .sample(Sample.of(Arg.normal(2, 3)).label("float32 to float64 and back")
                                .call(x -> x[0].to(DataType.DOUBLE).to(DataType.FLOAT).to(DataType.DOUBLE)))
                        .badInput("to an unsupported type", x -> x[0].to(DataType.UTF8), Arg.normal(2)), "to(DataType)"),
                entry(op("to int64", x -> x[0].to(DataType.LONG)).notDifferentiable()
                        .reference(x -> x[0].map(v -> (double) (long) v)).sample(Arg.normal(2, 3))
                        .sample(Torch.sample("to int64: truncation"))
                        .sample(Sample.of(Arg.normal(3, 2)).call(x -> x[0].gt(0).to(DataType.DOUBLE))
                                .reference(x -> x[0].map(v -> v > 0 ? 1 : 0)).label("a bool mask to float64"))
                        .sample(Sample.of(Arg.normal(4)).call(x -> x[0].to(DataType.LONG).to(DataType.DOUBLE))
                                .reference(x -> x[0].map(v -> (double) (long) v)).label("there and back"))
                        .sample(Sample.of(Arg.normal(2, 3)).call(x -> x[0].gt(0).sum())
                                .reference(x -> Nd.scalar(java.util.Arrays.stream(x[0].data()).filter(v -> v > 0)
                                        .count())).label("a mask's sum counts, in int64"))
                        .badInput("arithmetic on a bool mask", x -> x[0].gt(0).mul(2), Arg.normal(3))
                        .errorName("mul"), "to(DataType)"),
                binary("add", Tensor::add, Double::sum, Arg::normal, "add(Tensor)"),
                binary("sub", Tensor::sub, (a, b) -> a - b, Arg::normal, "sub(Tensor)"),
                entry(binarySpec("mul", Tensor::mul, (a, b) -> a * b, Arg::normal)
                        .sample(Sample.of(Arg.normal(2, 3)).label("x times itself").call(x -> x[0].mul(x[0]))
                                .reference(x -> x[0].map(v -> v * v))), "mul(Tensor)"),
                entry(binarySpec("div", Tensor::div, (a, b) -> a / b, Arg::awayFromZero)
                        .sample(Torch.edge("div: by zero")), "div(Tensor)"),
                entry(binarySpec("pow", Tensor::pow, Math::pow, Arg::positive, Arg::normal)
                        .sample(Torch.edge("pow: zero base")), "pow(Tensor)"),
                entry(binarySpec("maximum", Tensor::maximum, Math::max, Arg::normal, Arg::distinct)
                        .sample(Torch.edge("maximum: ties")), "maximum(Tensor)"),
                entry(binarySpec("minimum", Tensor::minimum, Math::min, Arg::normal, Arg::distinct)
                        .sample(Torch.edge("minimum: ties")), "minimum(Tensor)"),
                entry(op("where", x -> Tensor.where(x[0], x[1], x[2]))
                        .reference(x -> Ref.zip3(x[0], x[1], x[2], (c, a, b) -> c != 0 ? a : b))
                        .sample(Arg.mask(3, 4), Arg.normal(3, 4), Arg.normal(4))
                        .sample(Arg.mask(4), Arg.normal(3, 1), Arg.normal())
                        .sample(Arg.mask(), Arg.normal(2, 3), Arg.normal(2, 1, 3))
                        .randomShapes(3).sample(Torch.sample("where: broadcast"))
                        .sample(Sample.of(Arg.normal(3, 4), Arg.normal(3, 4), Arg.normal(4)).label("a bool mask")
                                .call(x -> Tensor.where(x[0].gt(0), x[1], x[2]))
                                .reference(x -> Ref.zip3(x[0], x[1], x[2], (c, a, b) -> c > 0 ? a : b)))
                        .badInput("shapes that do not broadcast", x -> Tensor.where(x[0], x[1], x[2]), Arg.mask(3),
                                Arg.normal(4), Arg.normal(4)), "where(Tensor,Tensor,Tensor)"),
                entry(op("maskedFill", x -> x[0].maskedFill(x[1], 2.0))
                        .reference(x -> x[0].zip(x[1], (v, m) -> m != 0 ? 2.0 : v))
                        .sample(Arg.normal(3, 4), Arg.mask(4)).sample(Arg.normal(2, 3), Arg.mask(2, 3))
                        .sample(Arg.normal(), Arg.mask()).sample(Torch.sample("maskedFill: values"))
                        .errorName("where"), "maskedFill(Tensor,double)"),
                comparison("gt", Tensor::gt, (a, b) -> a > b ? 1 : 0, "gt(Tensor)"),
                comparison("ge", Tensor::ge, (a, b) -> a >= b ? 1 : 0, "ge(Tensor)"),
                comparison("lt", Tensor::lt, (a, b) -> a < b ? 1 : 0, "lt(Tensor)"),
                comparison("le", Tensor::le, (a, b) -> a <= b ? 1 : 0, "le(Tensor)"),
                comparison("eq", Tensor::eq, (a, b) -> a == b ? 1 : 0, "eq(Tensor)"),
                comparison("ne", Tensor::ne, (a, b) -> a != b ? 1 : 0, "ne(Tensor)"),
                entry(shapes(unary("gt scalar", x -> x.gt(0.5), v -> v > 0.5 ? 1 : 0), Arg::normal)
                        .notDifferentiable().sample(Torch.sample("gt scalar: values")), "gt(double)"),
                entry(shapes(unary("lt scalar", x -> x.lt(0.5), v -> v < 0.5 ? 1 : 0), Arg::normal)
                        .notDifferentiable().sample(Torch.sample("lt scalar: values")), "lt(double)"));
    }

    /** A PyTorch case of pow with a constant exponent p. */
    private static Sample power(Sample s, double p) {
        return s.call(x -> x[0].pow(p)).reference(x -> x[0].map(v -> Math.pow(v, p)));
    }

    private static Entry binary(String name, java.util.function.BinaryOperator<Tensor> f, DoubleBinaryOperator ref,
            Function<long[], Arg> arg, String covers) {
        return entry(binarySpec(name, f, ref, arg), covers);
    }

    private static OpSpec binarySpec(String name, java.util.function.BinaryOperator<Tensor> f,
            DoubleBinaryOperator ref, Function<long[], Arg> second) {
        return binarySpec(name, f, ref, Arg::normal, second);
    }

    /**
     * A broadcasting op of two inputs: same shapes, broadcasting both ways, rank 0 against rank 2, size-1 dimensions
     * against each other, rank 4, random shapes, its PyTorch case and shapes that do not broadcast.
     */
    private static OpSpec binarySpec(String name, java.util.function.BinaryOperator<Tensor> f,
            DoubleBinaryOperator ref, Function<long[], Arg> first, Function<long[], Arg> second) {
        OpSpec s = op(name, x -> f.apply(x[0], x[1])).reference(x -> x[0].zip(x[1], ref))
                .sample(first.apply(new long[] {3, 4}), second.apply(new long[] {3, 4}))
                .sample(first.apply(new long[] {3, 4}), second.apply(new long[] {4}))
                .sample(first.apply(new long[] {4}), second.apply(new long[] {3, 4}))
                .sample(first.apply(new long[0]), second.apply(new long[] {2, 3}))
                .sample(first.apply(new long[] {3, 1}), second.apply(new long[] {1, 4}))
                .sample(first.apply(new long[] {2, 1, 3, 2}), second.apply(new long[] {3, 1}))
                .randomShapes(3)
                .badInput("shapes that do not broadcast", x -> f.apply(x[0], x[1]), Arg.normal(3, 4), Arg.normal(3));
        String torch = name + ": broadcast";
        return Torch.CASES.containsKey(torch) ? s.sample(Torch.sample(torch)) : s;
    }

    /** A comparison: 0/1 in the inputs' dtype, no gradient; ties and infinities from its PyTorch case. */
    private static Entry comparison(String name, java.util.function.BinaryOperator<Tensor> f, DoubleBinaryOperator ref,
            String covers) {
        return entry(op(name, x -> f.apply(x[0], x[1])).reference(x -> x[0].zip(x[1], ref)).notDifferentiable()
                .sample(Arg.normal(3, 4), Arg.normal(4)).sample(Arg.normal(), Arg.normal(2, 1))
                .sample(Torch.sample(name + ": values"))
                .sample(Sample.of(Arg.of(new double[] {Double.NaN, 1, 2, Double.NaN}, 4), Arg.of(new double[] {1,
                        Double.NaN, 2, Double.NaN}, 4)).label("NaN on either side"))
                .badInput("shapes that do not broadcast", x -> f.apply(x[0], x[1]), Arg.normal(3, 4), Arg.normal(3)),
                covers);
    }
}
