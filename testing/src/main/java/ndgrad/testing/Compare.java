package ndgrad.testing;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The battery's comparison of two results: same shape, and element by element |a - b| ≤ rtol·(max(|a|, |b|) + s)
 * with s the largest finite magnitude of the expected tensor, so that elements near zero are held to the tensor's
 * own scale; NaN must meet NaN and an infinity the same infinity. A failure lists the first elements out of
 * tolerance with both values and the inputs' values at the same position.
 */
final class Compare {
    private static final int SHOWN = 5;
    private static final int SHOWN_VALUES = 24;

    private Compare() {
    }

    /** Asserts that {@code got} matches {@code want}, or throws an AssertionError saying where and how. */
    static void values(String what, Nd want, Nd got, double rtol, Nd[] inputs) {
        if (!Arrays.equals(want.shape(), got.shape())) {
            throw new AssertionError(what + ": shape " + Arrays.toString(got.shape()) + ", expected "
                    + Arrays.toString(want.shape()) + describe(inputs));
        }
        double scale = 0;
        for (double v : want.data()) {
            scale = Double.isFinite(v) ? Math.max(scale, Math.abs(v)) : scale;
        }
        List<String> bad = new ArrayList<>();
        int count = 0;
        long[] index = new long[want.rank()];
        for (int i = 0; i < want.numel(); i++) {
            double a = want.data()[i];
            double b = got.data()[i];
            if (!close(a, b, rtol, scale)) {
                count++;
                if (bad.size() < SHOWN) {
                    Nd.unravel(i, want.shape(), index);
                    bad.add("at " + Arrays.toString(index) + ": " + b + ", expected " + a + " (error "
                            + String.format("%.3g", Math.abs(a - b)) + ")" + at(inputs, index));
                }
            }
        }
        if (count > 0) {
            throw new AssertionError(what + ": " + count + " of " + want.numel() + " elements differ beyond rtol "
                    + rtol + " (scale " + scale + ")\n  " + String.join("\n  ", bad) + describe(inputs));
        }
    }

    /** {@link #values} for each of several results (gradients); both null, or both of one length. */
    static void all(String what, Nd[] want, Nd[] got, double rtol, Nd[] inputs) {
        if (want == null && got == null) {
            return;
        }
        if (want == null || got == null || want.length != got.length) {
            throw new AssertionError(what + ": " + count(got) + " results, expected " + count(want));
        }
        for (int i = 0; i < want.length; i++) {
            values(what + " (input " + i + ")", want[i], got[i], rtol, inputs);
        }
    }

    private static String count(Nd[] r) {
        return r == null ? "no" : String.valueOf(r.length);
    }

    static boolean close(double a, double b, double rtol, double scale) {
        if (Double.isNaN(a) || Double.isNaN(b)) {
            return Double.isNaN(a) && Double.isNaN(b);
        }
        if (Double.isInfinite(a) || Double.isInfinite(b)) {
            return a == b;
        }
        return Math.abs(a - b) <= rtol * (Math.max(Math.abs(a), Math.abs(b)) + scale);
    }

    /** The inputs' values at {@code index}, for those of the same shape as the compared tensor. */
    private static String at(Nd[] inputs, long[] index) {
        StringBuilder sb = new StringBuilder();
        for (int k = 0; inputs != null && k < inputs.length; k++) {
            if (inputs[k] != null && inputs[k].rank() == index.length && inputs[k].numel() > 0
                    && fits(inputs[k].shape(), index)) {
                sb.append(sb.length() == 0 ? "; input " : ", input ").append(k).append(" there: ")
                        .append(inputs[k].get(index));
            }
        }
        return sb.toString();
    }

    private static boolean fits(long[] shape, long[] index) {
        for (int d = 0; d < shape.length; d++) {
            if (index[d] >= shape[d]) {
                return false;
            }
        }
        return true;
    }

    /** The inputs, each with its shape and (up to 24 of) its values. */
    static String describe(Nd[] inputs) {
        if (inputs == null || inputs.length == 0) {
            return "";
        }
        StringBuilder sb = new StringBuilder("\n  inputs:");
        for (int k = 0; k < inputs.length; k++) {
            Nd x = inputs[k];
            double[] shown = Arrays.copyOf(x.data(), Math.min(x.numel(), SHOWN_VALUES));
            sb.append("\n    ").append(k).append(": shape ").append(Arrays.toString(x.shape())).append(" ")
                    .append(Arrays.toString(shown)).append(x.numel() > SHOWN_VALUES ? " …" : "");
        }
        return sb.toString();
    }
}
