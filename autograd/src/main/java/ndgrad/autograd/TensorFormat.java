package ndgrad.autograd;

import java.math.BigDecimal;
import java.math.MathContext;
import java.math.RoundingMode;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import ndgrad.core.DTypes;
import ndgrad.core.kernels.Copies;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * {@link Tensor#toString()} as PyTorch prints a tensor ({@code torch/_tensor_str.py}, default print options):
 * precision 4, one row per line within 80 columns, past 1,000 elements only the first and last 3 of each dimension
 * around {@code ...}, every value padded to one width, floats whose values are all whole as {@code 2.}, scientific
 * notation when the nonzero magnitudes span more than 1000 (or pass 1e8, or go below 1e-4 with a fraction),
 * integers as integers; then the dtype unless it is the default float type or int64, and {@code requires_grad=True}
 * or {@code grad_fn=<MulBackward>}. Rounding is half-even on the exact value, as Python's {@code format}.
 */
final class TensorFormat {
    private static final int PRECISION = 4;
    private static final int THRESHOLD = 1000;
    private static final int EDGE = 3;
    private static final int LINEWIDTH = 80;
    private static final String PREFIX = "tensor(";

    private final INDArray data;
    private final boolean integral;
    private final boolean bool;
    private final boolean summarize;
    private boolean intMode = true;
    private boolean sciMode;
    private int width = 1;

    private TensorFormat(INDArray data) {
        this.data = data;
        this.integral = !data.dataType().isFPType();
        this.bool = data.dataType() == DataType.BOOL;
        this.summarize = data.length() > THRESHOLD;
        measure();
    }

    /** The whole text, as PyTorch's {@code repr}. */
    static String repr(Tensor t) {
        long[] shape = t.shape();
        List<String> suffixes = new ArrayList<>();
        String body;
        if (t.isReleased()) {
            body = "<released>";
            suffixes.add("size=" + size(shape));
        } else if (t.numel() == 0) {
            body = "[]";
            if (shape.length != 1) {
                suffixes.add("size=" + size(shape));
            }
        } else {
            body = new TensorFormat(t.array()).tensor(new long[0], PREFIX.length());
        }
        if (t.name() != null) {
            suffixes.add("name='" + t.name() + "'");
        }
        DataType type = t.dtype();
        boolean implied = type == DTypes.defaultType() || t.numel() > 0 && (type == DataType.LONG
                || type == DataType.BOOL);
        if (!implied) {
            suffixes.add("dtype=" + name(type));
        }
        if (t.node() != null) {
            String op = t.node().name();
            suffixes.add("grad_fn=<" + Character.toUpperCase(op.charAt(0)) + op.substring(1) + "Backward>");
        } else if (t.isRequiresGrad()) {
            suffixes.add("requires_grad=True");
        }
        StringBuilder out = new StringBuilder(PREFIX).append(body);
        int last = out.length() - out.lastIndexOf("\n") + 1;
        for (String s : suffixes) {
            if (last + s.length() + 2 > LINEWIDTH) {
                out.append(",\n").append(" ".repeat(PREFIX.length())).append(s);
                last = PREFIX.length() + s.length();
            } else {
                out.append(", ").append(s);
                last += s.length() + 2;
            }
        }
        return out.append(')').toString();
    }

    /** PyTorch's name of a dtype, without {@code torch.}. */
    private static String name(DataType type) {
        return switch (type) {
            case DOUBLE -> "float64";
            case FLOAT -> "float32";
            case HALF -> "float16";
            case LONG -> "int64";
            case INT -> "int32";
            case SHORT -> "int16";
            case BYTE -> "int8";
            case UBYTE -> "uint8";
            case BOOL -> "bool";
            default -> type.toString().toLowerCase(java.util.Locale.ROOT);
        };
    }

    private static String size(long[] shape) {
        return shape.length == 1 ? "(" + shape[0] + ",)" : Arrays.toString(shape).replace('[', '(').replace(']', ')');
    }

    /** The indices shown along a dimension of {@code n}: all, or the first and last {@link #EDGE} (-1 for ...). */
    private long[] shown(long n) {
        if (!summarize || n <= 2 * EDGE) {
            long[] all = new long[(int) n];
            Arrays.setAll(all, i -> i);
            return all;
        }
        return new long[] {0, 1, 2, -1, n - 3, n - 2, n - 1};
    }

    /** Decides the mode and the width from every value shown, as PyTorch's {@code _Formatter}. */
    private void measure() {
        List<long[]> shown = new ArrayList<>();
        collect(new long[0], shown);
        if (integral) {
            shown.forEach(i -> width = Math.max(width, text(i).length()));
            return;
        }
        double[] nonzero = shown.stream().mapToDouble(i -> Copies.at(data, i)).filter(v -> Double.isFinite(v)
                && v != 0).toArray();
        if (nonzero.length == 0) {
            return;
        }
        double min = Arrays.stream(nonzero).map(Math::abs).min().getAsDouble();
        double max = Arrays.stream(nonzero).map(Math::abs).max().getAsDouble();
        intMode = Arrays.stream(nonzero).allMatch(v -> v == Math.ceil(v));
        sciMode = max / min > 1000 || max > 1e8 || !intMode && min < 1e-4;
        for (double v : nonzero) {
            width = Math.max(width, number(v).length());
        }
    }

    private void collect(long[] index, List<long[]> into) {
        if (index.length == data.rank()) {
            into.add(index);
            return;
        }
        for (long i : shown(data.size(index.length))) {
            if (i >= 0) {
                collect(with(index, i), into);
            }
        }
    }

    private static long[] with(long[] index, long i) {
        long[] next = Arrays.copyOf(index, index.length + 1);
        next[index.length] = i;
        return next;
    }

    /** The sub-tensor at {@code index}, its opening bracket at column {@code indent} - 1. */
    private String tensor(long[] index, int indent) {
        int dim = data.rank() - index.length;
        if (dim == 0) {
            return format(index);
        }
        long[] rows = shown(data.size(index.length));
        List<String> parts = new ArrayList<>();
        for (long i : rows) {
            parts.add(i < 0 ? (dim == 1 ? " ..." : "...") : dim == 1 ? format(with(index, i))
                    : tensor(with(index, i), indent + 1));
        }
        if (dim > 1) {
            return "[" + String.join("," + "\n".repeat(dim - 1) + " ".repeat(indent + 1), parts) + "]";
        }
        int perLine = Math.max(1, (LINEWIDTH - indent) / (width + 2));
        List<String> lines = new ArrayList<>();
        for (int i = 0; i < parts.size(); i += perLine) {
            lines.add(String.join(", ", parts.subList(i, Math.min(parts.size(), i + perLine))));
        }
        return "[" + String.join(",\n" + " ".repeat(indent + 1), lines) + "]";
    }

    /** The value at {@code index}, right-aligned to the common width. */
    private String format(long[] index) {
        String s = integral ? text(index) : number(Copies.at(data, index));
        return " ".repeat(Math.max(0, width - s.length())) + s;
    }

    /** An integer as digits, a bool as PyTorch's {@code True} and {@code False}. */
    private String text(long[] index) {
        long v = Copies.longAt(data, index);
        return bool ? v != 0 ? "True" : "False" : Long.toString(v);
    }

    /** A floating value in this tensor's mode, unpadded. */
    private String number(double v) {
        if (Double.isNaN(v)) {
            return "nan";
        }
        if (Double.isInfinite(v)) {
            return v > 0 ? "inf" : "-inf";
        }
        return sciMode ? sci(v) : intMode ? whole(v) + "." : fixed(v);
    }

    private static String sign(double v, String digits) {
        return v == 0 && 1 / v < 0 ? "-" + digits : digits;
    }

    private static String whole(double v) {
        return sign(v, new BigDecimal(v).setScale(0, RoundingMode.HALF_EVEN).toPlainString());
    }

    private static String fixed(double v) {
        return sign(v, new BigDecimal(v).setScale(PRECISION, RoundingMode.HALF_EVEN).toPlainString());
    }

    /** {@code 1.2346e+05}: Python's {@code {:.4e}}. */
    private static String sci(double v) {
        if (v == 0) {
            return sign(v, "0." + "0".repeat(PRECISION) + "e+00");
        }
        BigDecimal d = new BigDecimal(v).round(new MathContext(PRECISION + 1, RoundingMode.HALF_EVEN));
        int exponent = d.precision() - d.scale() - 1;
        String mantissa = d.movePointLeft(exponent).setScale(PRECISION, RoundingMode.HALF_EVEN).toPlainString();
        return mantissa + "e" + (exponent < 0 ? "-" : "+") + (Math.abs(exponent) < 10 ? "0" : "") + Math.abs(exponent);
    }
}
