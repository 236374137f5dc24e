package ndgrad.autograd;

import static ndgrad.autograd.Function.tensors;

import ndgrad.core.DTypes;
import ndgrad.core.ShapeException;
import ndgrad.core.kernels.Pointwise;
import ndgrad.core.kernels.Pointwise.Comparison;
import ndgrad.core.kernels.Pointwise.Binary;
import ndgrad.core.kernels.Pointwise.Scalar;
import ndgrad.core.kernels.Pointwise.Unary;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * The elementwise ops, each one definition: its name, its forward, what it saves, its backward and its local
 * derivative as text. Binary ops broadcast as NumPy does; the engine sums a broadcast input's gradient back to its
 * shape. {@link Tensor}'s fluent methods call these.
 */
final class Elementwise {
    private Elementwise() {
    }

    /** {@link Definition#op}, marked elementwise (the trace shows the values of its local derivatives). */
    private static Definition op(String name, Definition.Forward forward, Definition.Backward backward,
            String... rules) {
        return Definition.op(name, forward, backward, rules).elementwise();
    }

    /** {@link Definition#unary}, marked elementwise. */
    private static Definition unary(String name, String rule, Definition.Forward1 forward,
            Definition.Backward1 backward) {
        return Definition.unary(name, rule, forward, backward).elementwise();
    }

    static final Function ADD = op("add",
            (c, x) -> c.output(Pointwise.binary(Binary.ADD, x[0].array(), x[1].array())),
            (c, g) -> tensors(g, g), "1", "1");

    static final Function SUB = op("sub",
            (c, x) -> c.output(Pointwise.binary(Binary.SUB, x[0].array(), x[1].array())),
            (c, g) -> tensors(g, c.inputGrad(1, g::neg)), "1", "-1");

    static final Function MUL = op("mul",
            (c, x) -> {
                c.save(x[0], x[1]);
                return c.output(Pointwise.binary(Binary.MUL, x[0].array(), x[1].array()));
            },
            (c, g) -> tensors(c.inputGrad(0, () -> g.mul(c.saved(1))), c.inputGrad(1, () -> g.mul(c.saved(0)))),
            "b", "a");

    /** d/da = 1/b, d/db = -a/b² = -out/b. */
    static final Function DIV = op("div",
            (c, x) -> {
                Tensor out = c.output(Pointwise.binary(Binary.DIV, x[0].array(), x[1].array()));
                c.save(x[1], out);
                return out;
            },
            (c, g) -> tensors(c.inputGrad(0, () -> g.div(c.saved(0))),
                    c.inputGrad(1, () -> g.mul(c.saved(1)).div(c.saved(0)).neg())), "1/b", "-a/b²");

    static final Function NEG = unary("neg", "-1",
            (c, x) -> c.output(Pointwise.unary(Unary.NEG, x.array())), (c, g) -> g.neg());

    /** 1/x: d/dx = -1/x² = -out². */
    static final Function RECIPROCAL = unary("reciprocal", "-1/x²",
            (c, x) -> c.save(c.output(Pointwise.scalar(Scalar.POW, x.array(), -1))),
            (c, g) -> g.mul(c.saved(0).mul(c.saved(0))).neg());

    static final Function EXP = unary("exp", "exp(x)",
            (c, x) -> c.save(c.output(Pointwise.unary(Unary.EXP, x.array()))), (c, g) -> g.mul(c.saved(0)));

    static final Function LOG = unary("log", "1/x",
            (c, x) -> c.output(Pointwise.unary(Unary.LOG, c.save(x).array())), (c, g) -> g.div(c.saved(0)));

    /** ln(1 + x), exact for small x (PyTorch's {@code torch.log1p}): d/dx = 1/(1 + x). */
    static final Function LOG1P = unary("log1p", "1/(1 + x)",
            (c, x) -> c.output(Pointwise.unary(Unary.LOG1P, c.save(x).array())), (c, g) -> g.div(c.saved(0).add(1)));

    static final Function SIN = unary("sin", "cos x",
            (c, x) -> c.output(Pointwise.unary(Unary.SIN, c.save(x).array())), (c, g) -> g.mul(c.saved(0).cos()));

    static final Function COS = unary("cos", "-sin x",
            (c, x) -> c.output(Pointwise.unary(Unary.COS, c.save(x).array())),
            (c, g) -> g.mul(c.saved(0).sin()).neg());

    static final Function SQRT = unary("sqrt", "1/(2√x)",
            (c, x) -> c.save(c.output(Pointwise.unary(Unary.SQRT, x.array()))), (c, g) -> g.div(c.saved(0).mul(2)));

    /** d/dx = sign(x), 0 at 0 (as PyTorch). */
    static final Function ABS = unary("abs", "sign(x)",
            (c, x) -> c.output(Pointwise.unary(Unary.ABS, c.save(x).array())),
            (c, g) -> g.mul(Tensor.constant(Pointwise.unary(Unary.SIGN, c.saved(0).array()))));

    /** d/dx = 1 - tanh² x, from the saved output by {@link #TANH_BACKWARD}, recorded or not. */
    static final Function TANH = unary("tanh", "1 - tanh²(x)",
            (c, x) -> c.save(c.output(Pointwise.unary(Unary.TANH, x.array()))),
            (c, g) -> Elementwise.TANH_BACKWARD.apply(g, c.saved(0)));

    /**
     * g·(1 - y²), tanh's gradient from its output y in one pass, as an op of its own (PyTorch's
     * {@code tanh_backward}), so that a recorded backward runs the same rule: d/dg = 1 - y², d/dy = -2gy.
     */
    static final Function TANH_BACKWARD = op("tanhBackward", (c, x) -> {
        c.save(x[0], x[1]);
        return c.output(Pointwise.binary(Binary.TANH_GRAD, x[0].array(), x[1].array()));
    }, (c, gg) -> tensors(c.inputGrad(0, () -> Elementwise.TANH_BACKWARD.apply(gg, c.saved(1))),
            c.inputGrad(1, () -> gg.mul(c.saved(0)).mul(c.saved(1)).mul(-2))), "1 - y²", "-2·g·y");

    /** The logistic sigmoid 1/(1+e^-x): d/dx = σ(x)(1-σ(x)), from the saved output by {@link #SIGMOID_BACKWARD}. */
    static final Function SIGMOID = unary("sigmoid", "σ(x)(1 - σ(x))",
            (c, x) -> c.save(c.output(Pointwise.unary(Unary.SIGMOID, x.array()))),
            (c, g) -> Elementwise.SIGMOID_BACKWARD.apply(g, c.saved(0)));

    /**
     * g·y(1 - y), the sigmoid's gradient from its output y in one pass (PyTorch's {@code sigmoid_backward}):
     * d/dg = y(1 - y), d/dy = g(1 - 2y).
     */
    static final Function SIGMOID_BACKWARD = op("sigmoidBackward", (c, x) -> {
        c.save(x[0], x[1]);
        return c.output(Pointwise.binary(Binary.SIGMOID_GRAD, x[0].array(), x[1].array()));
    }, (c, gg) -> tensors(c.inputGrad(0, () -> Elementwise.SIGMOID_BACKWARD.apply(gg, c.saved(1))),
            c.inputGrad(1, () -> gg.mul(c.saved(0)).mul(c.saved(1).mul(-2).add(1)))), "y(1 - y)", "g(1 - 2y)");

    /** max(x, 0): d/dx = 1 where x > 0, else 0 (0 at the kink, as PyTorch), by {@link #RELU_BACKWARD}. */
    static final Function RELU = unary("relu", "1 if x > 0 else 0",
            (c, x) -> c.save(c.output(Pointwise.unary(Unary.RELU, x.array()))),
            (c, g) -> Elementwise.RELU_BACKWARD.apply(g, c.saved(0)));

    /**
     * g where y > 0, else 0: relu's gradient from its output y in one pass (PyTorch's {@code threshold_backward}):
     * d/dg is this op again, and y, which only decides where the gradient passes, gets none.
     */
    static final Function RELU_BACKWARD = op("reluBackward", (c, x) -> {
        c.save(x[1]);
        return c.output(Pointwise.binary(Binary.RELU_GRAD, x[0].array(), x[1].array()));
    }, (c, gg) -> tensors(c.inputGrad(0, () -> Elementwise.RELU_BACKWARD.apply(gg, c.saved(0))), null),
            "1 if y > 0 else 0", "0");

    /** ln(1 + e^x), stably: d/dx = σ(x) (PyTorch's {@code softplus}, beta 1). */
    static final Function SOFTPLUS = unary("softplus", "σ(x)",
            (c, x) -> c.output(Pointwise.softplus(c.save(x).array())), (c, g) -> g.mul(c.saved(0).sigmoid()));

    /** The error function: d/dx = 2/√π e^(-x²). */
    static final Function ERF = unary("erf", "2/√π·exp(-x²)",
            (c, x) -> c.output(Pointwise.erf(c.save(x).array())),
            (c, g) -> g.mul(c.saved(0).mul(c.saved(0)).neg().exp().mul(2 / Math.sqrt(Math.PI))));

    /** A binary op of this family on two tensors of one dtype whose shapes broadcast. */
    static Tensor binary(Function op, Tensor a, Tensor b) {
        numeric(op.name(), a);
        a.checkBinary(op.name(), b);
        return op.apply(a, b);
    }

    /** Refuses arithmetic on a bool mask, which PyTorch would promote: the caller converts it, and says to what. */
    private static void numeric(String op, Tensor x) {
        if (x.dtype() == DataType.BOOL) {
            throw new ShapeException(op + ": " + x.describe() + " is a bool mask (a comparison's result); convert it "
                    + "first with to(DataType.FLOAT) or to(DataType.LONG)");
        }
    }

    /** x + s for a constant s: d/dx = 1. */
    static Tensor add(Tensor x, double s) {
        numeric("add", x);
        return unary("add", "1", (c, a) -> c.output(Pointwise.scalar(Scalar.ADD, a.array(), s)), (c, g) -> g).apply(x);
    }

    /** x·s for a constant s: d/dx = s. */
    static Tensor mul(Tensor x, double s) {
        numeric("mul", x);
        return unary("mul", String.valueOf(s), (c, a) -> c.output(Pointwise.scalar(Scalar.MUL, a.array(), s)),
                (c, g) -> g.mul(s)).apply(x);
    }

    /** x / s for a constant s: d/dx = 1/s. */
    static Tensor div(Tensor x, double s) {
        numeric("div", x);
        return unary("div", "1/" + s, (c, a) -> c.output(Pointwise.scalar(Scalar.DIV, a.array(), s)),
                (c, g) -> g.div(s)).apply(x);
    }

    /** x^p for a constant p: d/dx = p x^(p-1) (zero for p = 0, as in PyTorch). */
    static Tensor pow(Tensor x, double p) {
        numeric("pow", x);
        return unary("pow", p + "·x^" + (p - 1), (c, a) -> c.output(Pointwise.scalar(Scalar.POW, c.save(a).array(), p)),
                (c, g) -> p == 0 ? g.mul(0) : g.mul(c.saved(0).pow(p - 1).mul(p))).apply(x);
    }

    /**
     * a^b elementwise, broadcasting: d/da = b a^(b-1), taken as 0 where b = 0 (PyTorch's {@code pow_backward_self});
     * d/db = a^b ln a, taken as 0 where a = 0 and b ≥ 0 (PyTorch's {@code pow_backward_exponent}).
     */
    static Tensor pow(Tensor a, Tensor b) {
        long[] shape = a.checkBinary("pow", b);
        return op("pow", (c, x) -> {
            Tensor out = c.output(Pointwise.pow(x[0].broadcastData(shape), x[1].broadcastData(shape)));
            c.save(x[0], x[1], out);
            return out;
        }, (c, g) -> {
            Tensor base = c.saved(0);
            Tensor e = c.saved(1);
            return tensors(c.inputGrad(0, () -> g.mul(where(mask(e, Comparison.EQ, 0), Tensor.zerosLike(e),
                    e.mul(base.pow(e.sub(1)))))), c.inputGrad(1, () -> {
                Tensor zeroBase = mask(base, Comparison.EQ, 0).mul(mask(e, Comparison.GE, 0));
                Tensor out = c.saved(2);
                return g.mul(out.mul(where(zeroBase, Tensor.zerosLike(out), base.log())));
            }));
        }, "b·a^(b-1)", "a^b·ln a").apply(a, b);
    }

    /** The elementwise maximum or minimum, broadcasting; at ties each input gets half the gradient, as PyTorch. */
    static Tensor extremum(String name, Tensor a, Tensor b, boolean max) {
        long[] shape = a.checkBinary(name, b);
        return op(name, (c, x) -> {
            c.save(x[0], x[1]);
            return c.output(Pointwise.extremum(x[0].broadcastData(shape), x[1].broadcastData(shape), max));
        }, (c, g) -> {
            INDArray x = c.saved(0).broadcastData(shape);
            INDArray y = c.saved(1).broadcastData(shape);
            DataType type = g.dtype();
            Tensor wins = Tensor.constant(Pointwise.compare(max ? Comparison.GT : Comparison.LT, x, y, type))
                    .add(Tensor.constant(Pointwise.compare(Comparison.EQ, x, y, type)).mul(0.5));
            return tensors(c.inputGrad(0, () -> g.mul(wins)), c.inputGrad(1, () -> g.mul(wins.rsub(1))));
        }, max ? "1 if a > b, ½ if a = b" : "1 if a < b, ½ if a = b",
                max ? "1 if b > a, ½ if a = b" : "1 if b < a, ½ if a = b").apply(a, b);
    }

    /** {@code cond ? a : b} elementwise, broadcasting all three; {@code cond} is nonzero for true. */
    static Tensor where(Tensor cond, Tensor a, Tensor b) {
        long[] shape = ndgrad.core.Shapes.broadcast("where", cond.shape(), a.checkBinary("where", b));
        return op("where", (c, x) -> {
            c.save(x[0]);
            return c.output(Pointwise.where(x[0].broadcastData(shape), x[1].broadcastData(shape),
                    x[2].broadcastData(shape)));
        }, (c, g) -> {
            Tensor zero = Tensor.zerosLike(g);
            return tensors(null, c.inputGrad(1, () -> where(c.saved(0), g, zero)),
                    c.inputGrad(2, () -> where(c.saved(0), zero, g)));
        }, "-", "1 where cond", "1 where not cond").apply(cond, a, b);
    }

    /** x where x > 0, else slope·x: d/dx = 1 where x > 0, else slope. */
    static Tensor leakyRelu(Tensor x, double slope) {
        return unary("leakyRelu", "1 if x > 0 else " + slope,
                (c, a) -> c.output(Pointwise.leakyRelu(c.save(a).array(), slope)),
                (c, g) -> g.mul(mask(c.saved(0), Comparison.GT, 0).mul(1 - slope).add(slope))).apply(x);
    }

    /** x limited to [min, max]: the gradient passes where min ≤ x ≤ max (PyTorch's {@code clamp}). */
    static Tensor clamp(Tensor x, double min, double max) {
        if (!(min <= max)) {
            throw new IllegalArgumentException("clamp: expected min <= max, got min=" + min + ", max=" + max);
        }
        return unary("clamp", "1 if " + min + " ≤ x ≤ " + max + " else 0",
                (c, a) -> c.output(Pointwise.clamp(c.save(a).array(), min, max)), (c, g) -> {
                    INDArray a = c.saved(0).array();
                    return g.mul(Tensor.constant(Pointwise.compare(Comparison.GE, a, min, g.dtype()))
                            .mul(Tensor.constant(Pointwise.compare(Comparison.LE, a, max, g.dtype()))));
                }).apply(x);
    }

    /** Converted to {@code type} (a copy); the gradient is converted back. */
    static Tensor to(Tensor x, DataType type) {
        DataType from = x.dtype();
        if (from == type) {
            return x;
        }
        if (!from.isFPType() || !type.isFPType()) {
            DTypes.requireSupported("to", type);
            return Tensor.constant(Pointwise.cast(x.array(), type));
        }
        return unary("to", "1", (c, a) -> c.output(Pointwise.cast(a.array(), type)), (c, g) -> g.to(from)).apply(x);
    }

    /** A constant bool tensor: {@code x op o}, broadcasting, dtypes checked (not differentiable). */
    static Tensor compare(Tensor x, Comparison op, String name, Tensor o) {
        x.checkBinary(name, o);
        return Tensor.constant(Pointwise.compare(op, x.array(), o.array(), DataType.BOOL));
    }

    /** A constant bool tensor: {@code x op s}. */
    static Tensor compare(Tensor x, Comparison op, double s) {
        return Tensor.constant(Pointwise.compare(op, x.array(), s, DataType.BOOL));
    }

    /** A constant 0/1 tensor of x's dtype, {@code x op s}: a factor in a backward rule. */
    static Tensor mask(Tensor x, Comparison op, double s) {
        return Tensor.constant(Pointwise.compare(op, x.array(), s, x.dtype()));
    }

    /** {@code value} where {@code mask} is nonzero, else x: a {@link #where} with a constant. */
    static Tensor maskedFill(Tensor x, Tensor mask, double value) {
        return where(mask, Tensor.fullOf(value, x.dtype(), x.shape()), x);
    }

    /** GELU, exact: x·Φ(x) = x·(1 + erf(x/√2))/2 (Hendrycks and Gimpel 2016; PyTorch's {@code gelu}). */
    static Tensor gelu(Tensor x) {
        return x.mul(x.div(Math.sqrt(2)).erf().add(1)).mul(0.5);
    }

    /** GELU's tanh approximation: x·(1 + tanh(√(2/π)(x + 0.044715x³)))/2 (PyTorch's {@code approximate='tanh'}). */
    static Tensor geluTanh(Tensor x) {
        return x.mul(x.add(x.pow(3).mul(0.044715)).mul(Math.sqrt(2 / Math.PI)).tanh().add(1)).mul(0.5);
    }
}
