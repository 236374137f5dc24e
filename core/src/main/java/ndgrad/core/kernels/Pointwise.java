package ndgrad.core.kernels;

import static ndgrad.core.kernels.Access.*;

import java.util.Arrays;
import java.util.Locale;
import java.util.function.BiFunction;
import java.util.function.DoubleUnaryOperator;
import java.util.function.Supplier;
import ndgrad.core.Shapes;
import ndgrad.core.memory.Scope;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.BaseScalarOp;
import org.nd4j.linalg.api.ops.CustomOp;
import org.nd4j.linalg.api.ops.DynamicCustomOp;
import org.nd4j.linalg.api.ops.Op;
import org.nd4j.linalg.api.ops.impl.controlflow.Select;
import org.nd4j.linalg.api.ops.impl.scalar.Pow;
import org.nd4j.linalg.api.ops.impl.scalar.ScalarAdd;
import org.nd4j.linalg.api.ops.impl.scalar.ScalarDivision;
import org.nd4j.linalg.api.ops.impl.scalar.ScalarMultiplication;
import org.nd4j.linalg.api.ops.impl.transforms.floating.Sqrt;
import org.nd4j.linalg.api.ops.impl.transforms.pairwise.arithmetic.AddOp;
import org.nd4j.linalg.api.ops.impl.transforms.pairwise.arithmetic.DivOp;
import org.nd4j.linalg.api.ops.impl.transforms.pairwise.arithmetic.MulOp;
import org.nd4j.linalg.api.ops.impl.transforms.pairwise.arithmetic.SubOp;
import org.nd4j.linalg.api.ops.impl.transforms.same.Abs;
import org.nd4j.linalg.api.ops.impl.transforms.same.Negative;
import org.nd4j.linalg.api.ops.impl.transforms.same.Sign;
import org.nd4j.linalg.api.ops.impl.transforms.strict.Cos;
import org.nd4j.linalg.api.ops.impl.transforms.strict.Erf;
import org.nd4j.linalg.api.ops.impl.transforms.strict.Exp;
import org.nd4j.linalg.api.ops.impl.transforms.strict.Log;
import org.nd4j.linalg.api.ops.impl.transforms.strict.Log1p;
import org.nd4j.linalg.api.ops.impl.transforms.strict.Sigmoid;
import org.nd4j.linalg.api.ops.impl.transforms.strict.Sin;
import org.nd4j.linalg.api.ops.impl.transforms.strict.Tanh;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.BooleanIndexing;
import org.nd4j.linalg.indexing.conditions.Conditions;
import org.nd4j.linalg.ops.transforms.Transforms;

/**
 * Elementwise kernels: arithmetic with NumPy broadcasting, functions of one array, an array and a number,
 * comparisons and casts. Each result is a new array of the broadcast shape.
 *
 * <p>Usage: {@code INDArray c = Pointwise.binary(Pointwise.Binary.ADD, a, b);}
 */
public final class Pointwise {


    /** Elementwise binary ops; both operands broadcast to a common shape. */
    public enum Binary {
        ADD(AddOp::new) {
            @Override
            void apply(Chunk x, Chunk y) {
                x.axpy(1, y);
            }
        },
        SUB(SubOp::new) {
            @Override
            void apply(Chunk x, Chunk y) {
                x.axpy(-1, y);
            }
        },
        MUL(MulOp::new) {
            @Override
            void apply(Chunk x, Chunk y) {
                x.mul(y);
            }
        },
        DIV(DivOp::new) {
            @Override
            void apply(Chunk x, Chunk y) {
                x.div(y);
            }
        },
        /**
         * relu's backward: x where y (relu's output) is positive, else 0, as PyTorch's {@code threshold_backward}
         * (where y is NaN, PyTorch passes x, the Java path gives NaN and libnd4j's {@code relu_bp} 0).
         */
        RELU_GRAD(() -> DynamicCustomOp.builder("relu_bp").addFloatingPointArguments(0.0).build()) {
            @Override
            void apply(Chunk x, Chunk y) {
                x.reluGrad(y);
            }

            @Override
            INDArray[] nd4jInputs(INDArray x, INDArray y) {
                return new INDArray[] {y, x};
            }
        },
        /** tanh's backward: x·(1 - y²), given tanh's output y. */
        TANH_GRAD(null) {
            @Override
            void apply(Chunk x, Chunk y) {
                x.tanhGrad(y);
            }

            @Override
            INDArray composed(INDArray x, INDArray y) {
                return binary(MUL, x, scalar(Scalar.ADD, scalar(Scalar.MUL, binary(MUL, y, y), -1), 1));
            }
        },
        /** the logistic sigmoid's backward: x·y·(1 - y), given the sigmoid's output y. */
        SIGMOID_GRAD(null) {
            @Override
            void apply(Chunk x, Chunk y) {
                x.sigmoidGrad(y);
            }

            @Override
            INDArray composed(INDArray x, INDArray y) {
                return binary(MUL, binary(MUL, x, y), scalar(Scalar.ADD, scalar(Scalar.MUL, y, -1), 1));
            }
        };

        private final Supplier<CustomOp> nd4j;
        /** The op's name in error messages. */
        private final String label = name().toLowerCase(Locale.ROOT);

        Binary(Supplier<CustomOp> nd4j) {
            this.nd4j = nd4j;
        }

        /** x ← x op y, elementwise. */
        abstract void apply(Chunk x, Chunk y);

        /** ND4J's op (a custom op: its arrays come from the reused per-thread context, see {@link #exec}). */
        CustomOp nd4j() {
            return nd4j.get();
        }

        /** The operands in the order ND4J's op takes them. */
        INDArray[] nd4jInputs(INDArray x, INDArray y) {
            return new INDArray[] {x, y};
        }

        /** For an op with no ND4J counterpart: its result from other kernels, when it cannot run as one loop. */
        INDArray composed(INDArray x, INDArray y) {
            throw new IllegalStateException(this + " has an ND4J op");
        }
    }

    /**
     * Elementwise functions of one array. The cheap ones run as vector loops in the array's precision at any size;
     * the others compute each element with {@code java.lang.Math} in double, which native code beats on large
     * arrays.
     */
    public enum Unary {
        NEG(true, x -> -x, Negative::new), EXP(false, Math::exp, Exp::new), LOG(false, Math::log, Log::new),
        SIN(false, Math::sin, Sin::new), COS(false, Math::cos, Cos::new), SQRT(true, Math::sqrt, Sqrt::new),
        ABS(true, Math::abs, Abs::new), SIGN(false, Math::signum, Sign::new), TANH(false, Chunk::tanh, Tanh::new),
        SIGMOID(false, x -> 1 / (1 + Math.exp(-x)), Sigmoid::new), LOG1P(false, Math::log1p, Log1p::new),
        /** On the native path a custom op (see {@link #unary}). */
        RELU(true, x -> x <= 0 ? 0 : x, null);

        private final boolean cheap;
        private final DoubleUnaryOperator f;
        private final BiFunction<INDArray, INDArray, Op> nd4j;

        Unary(boolean cheap, DoubleUnaryOperator f, BiFunction<INDArray, INDArray, Op> nd4j) {
            this.cheap = cheap;
            this.f = f;
            this.nd4j = nd4j;
        }

        /** x ← f(x), elementwise: a dedicated loop for the cheap ops, else {@link Chunk#map}. */
        void apply(Chunk x) {
            switch (this) {
                case NEG -> x.scale(-1);
                case SQRT -> x.sqrt();
                case ABS -> x.abs();
                case RELU -> x.relu();
                case TANH -> x.tanh();
                default -> x.map(f);
            }
        }

        Op nd4j(INDArray x, INDArray out) {
            return nd4j.apply(x, out);
        }
    }

    /** Elementwise ops of an array and a number. */
    public enum Scalar {
        ADD(ScalarAdd::new), MUL(ScalarMultiplication::new), DIV(ScalarDivision::new), POW(Pow::new);

        private final Supplier<BaseScalarOp> nd4j;

        Scalar(Supplier<BaseScalarOp> nd4j) {
            this.nd4j = nd4j;
        }

        /** Whether it runs as a vector loop (all but pow). */
        boolean cheap() {
            return this != POW;
        }

        /** x ← x op s, elementwise. */
        void apply(Chunk x, double s) {
            switch (this) {
                case ADD -> x.add(s);
                case MUL -> x.scale(s);
                case DIV -> x.div(s);
                default -> x.map(v -> Math.pow(v, s));
            }
        }

        /** A new ND4J op of this kind, without arrays (see {@link #execScalar}). */
        BaseScalarOp nd4j() {
            return nd4j.get();
        }
    }

    /**
     * {@code op(a, b)} elementwise in a new array of the broadcast shape (both of a's dtype): a vector loop in the
     * arrays' precision when they are plain and of one shape, else strided Java loops for small arrays and ND4J for
     * large ones.
     */
    public static INDArray binary(Binary op, INDArray a, INDArray b) {
        long[] shape = Shapes.broadcast(op.label, a.shape(), b.shape());
        boolean alike = alike(a, b) && Arrays.equals(shape, a.shape());
        if (!alike && op.nd4j == null) {
            return op.composed(a, b);
        }
        INDArray out = Scope.allocate(a.dataType(), shape);
        if (alike) {
            Fused.run(1, true, c -> op.apply(c[0].set(c[1]), c[2]), out, a, b);
        } else if (java(a, Shapes.numel(shape), Kernels.ELEMENTWISE_LIMIT)) {
            Strided x = Strided.of(a, shape);
            Strided y = Strided.of(b, shape);
            double[] by = chunk(Shapes.numel(shape));
            stream(Strided.of(out, shape), (buf, len) -> {
                x.read(buf, len);
                y.read(by, len);
                op.apply(chunkOf(buf, len), chunkOf(by, len));
            });
        } else {
            exec(op.nd4j(), out, op.nd4jInputs(a, b), NO_INTS);
        }
        return out;
    }

    /** {@code op(x)} elementwise in a new array. */
    public static INDArray unary(Unary op, INDArray x) {
        long[] shape = x.shape();
        INDArray out = Scope.allocate(x.dataType(), shape);
        boolean small = java(x, x.length(), Kernels.ELEMENTWISE_LIMIT);
        if ((op.cheap || small) && alike(out, x)) {
            Fused.run(1, true, c -> op.apply(c[0].set(c[1])), out, x);
        } else if (small) {
            Strided a = Strided.of(x, shape);
            stream(Strided.of(out, shape), (buf, len) -> {
                a.read(buf, len);
                op.apply(chunkOf(buf, len));
            });
        } else if (op == Unary.RELU) {
            exec(Access.state().ops().relu, out, new INDArray[] {x}, NO_INTS);
        } else {
            Nd4j.exec(op.nd4j(x, out));
        }
        return out;
    }

    /** {@code op(x, s)} elementwise in a new array. */
    public static INDArray scalar(Scalar op, INDArray x, double s) {
        long[] shape = x.shape();
        INDArray out = Scope.allocate(x.dataType(), shape);
        boolean small = java(x, x.length(), Kernels.ELEMENTWISE_LIMIT);
        if ((op.cheap() || small) && alike(out, x)) {
            Fused.run(1, true, c -> op.apply(c[0].set(c[1]), s), out, x);
        } else if (small) {
            Strided a = Strided.of(x, shape);
            stream(Strided.of(out, shape), (buf, len) -> {
                a.read(buf, len);
                op.apply(chunkOf(buf, len), s);
            });
        } else {
            execScalar(op, x, out, s);
        }
        return out;
    }

    /** Elementwise comparisons, giving 1 where true and 0 where false. */
    public enum Comparison {
        GT, GE, LT, LE, EQ, NE
    }

    /** {@code a op b} elementwise, broadcasting, as 0/1 values of {@code type} (≥ is not <, ≤ is not >). */
    public static INDArray compare(Comparison op, INDArray a, INDArray b, DataType type) {
        if (op == Comparison.GE || op == Comparison.LE) {
            // strictly, or equal: false where either side is NaN, as IEEE (and PyTorch) compare
            try (INDArray strict = compare(op == Comparison.GE ? Comparison.GT : Comparison.LT, a, b, DataType.BOOL);
                    INDArray equal = compare(Comparison.EQ, a, b, DataType.BOOL);
                    INDArray either = Transforms.or(strict, equal)) {
                return cast(either, type);
            }
        }
        if (op == Comparison.NE) {
            try (INDArray equal = compare(Comparison.EQ, a, b, DataType.BOOL); INDArray not = Transforms.not(equal)) {
                return cast(not, type);
            }
        }
        try (INDArray bool = switch (op) {
            case GT -> a.gt(b);
            case LT -> a.lt(b);
            default -> a.eq(b);
        }) {
            return cast(bool, type);
        }
    }

    /** {@code x op s} elementwise, as 0/1 values of {@code type}. */
    public static INDArray compare(Comparison op, INDArray x, double s, DataType type) {
        try (INDArray bool = switch (op) {
            case GT -> x.gt(s);
            case GE -> x.gte(s);
            case LT -> x.lt(s);
            case LE -> x.lte(s);
            case EQ -> x.eq(s);
            case NE -> x.neq(s);
        }) {
            return cast(bool, type);
        }
    }

    /** {@code x} converted to {@code type} (a new array even when the type is the same). */
    public static INDArray cast(INDArray x, DataType type) {
        return x.dataType() == type ? Copies.copy(x) : Scope.track(x.castTo(type));
    }

    /** a^b elementwise for arrays of one shape. */
    public static INDArray pow(INDArray a, INDArray b) {
        return Scope.track(Transforms.pow(a, b, true));
    }

    /** The elementwise maximum (or minimum) of arrays of one shape. */
    public static INDArray extremum(INDArray a, INDArray b, boolean max) {
        return Scope.track(max ? Transforms.max(a, b, true) : Transforms.min(a, b, true));
    }

    /** {@code cond ≠ 0 ? a : b} elementwise for arrays of one shape. */
    public static INDArray where(INDArray cond, INDArray a, INDArray b) {
        INDArray value = Scope.track(Nd4j.create(a.dataType(), a.shape()));
        try (INDArray c = cond.neq(0)) {
            Nd4j.exec(new Select(new INDArray[] {c, a, b}, new INDArray[] {value}));
        }
        return value;
    }

    /** x where x > 0, else slope·x. */
    public static INDArray leakyRelu(INDArray x, double slope) {
        return Scope.track(Transforms.leakyRelu(x, slope, true));
    }

    /** ln(1 + e^x), computed stably as max(x, 0) + ln(1 + e^-|x|). */
    public static INDArray softplus(INDArray x) {
        return Scope.track(Transforms.max(x, 0.0, true)).addi(Scope.track(Transforms.log1p(Scope.track(
                Transforms.exp(Scope.track(Transforms.abs(x, true)).negi(), false)), false)));
    }

    /** The error function. */
    public static INDArray erf(INDArray x) {
        INDArray value = Scope.track(x.ulike());
        Nd4j.getExecutioner().exec(new Erf(x, value));
        return value;
    }

    /** x limited to [min, max]. */
    public static INDArray clamp(INDArray x, double min, double max) {
        return Transforms.min(Scope.track(Transforms.max(x, min, true)), max, false);
    }

    /** Infinite entries of {@code x} set to 0 in place; returns x. */
    public static INDArray zeroInfinities(INDArray x) {
        BooleanIndexing.replaceWhere(x, 0.0, Conditions.isInfinite());
        return x;
    }

    /** Whether every entry of {@code x} is finite (true for integer types). */
    public static boolean allFinite(INDArray x) {
        return !x.dataType().isFPType() || !(BooleanIndexing.or(x, Conditions.isNan())
                || BooleanIndexing.or(x, Conditions.isInfinite()));
    }
}
