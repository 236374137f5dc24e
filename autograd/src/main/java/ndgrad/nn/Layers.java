package ndgrad.nn;

import ndgrad.autograd.Tensor;
import ndgrad.core.ShapeException;

/** Argument checks shared by the layers' constructors and forwards. */
final class Layers {
    private Layers() {
    }

    /** A convolution's sizes: each a pair (or one value for 1-D), positive but padding, which is at least 0. */
    static void checkConv(String layer, int in, int out, int[] kernel, int[] stride, int[] padding, int[] dilation,
            int groups) {
        if (in < 1 || out < 1 || groups < 1 || !positive(kernel) || !positive(stride) || !positive(dilation)
                || java.util.Arrays.stream(padding).anyMatch(p -> p < 0)) {
            throw new IllegalArgumentException(layer + ": expected positive sizes, kernel, stride, dilation and "
                    + "groups and padding >= 0, got in=" + in + ", out=" + out + ", kernel=" + str(kernel)
                    + ", stride=" + str(stride) + ", padding=" + str(padding) + ", dilation=" + str(dilation)
                    + ", groups=" + groups);
        }
        if (in % groups != 0 || out % groups != 0) {
            throw new IllegalArgumentException(layer + ": in (" + in + ") and out (" + out + ") channels must both "
                    + "be divisible by groups (" + groups + ")");
        }
    }

    private static boolean positive(int[] v) {
        return java.util.Arrays.stream(v).allMatch(x -> x >= 1);
    }

    /** {@code v} as a pair, as PyTorch's {@code _pair}: one value repeated, or two; anything else is refused. */
    static int[] pair(String layer, String what, int... v) {
        if (v == null || v.length < 1 || v.length > 2) {
            throw new IllegalArgumentException(layer + ": " + what + " must be one int or a pair, got "
                    + (v == null ? "null" : java.util.Arrays.toString(v)));
        }
        return v.length == 1 ? new int[] {v[0], v[0]} : v.clone();
    }

    /** A size as PyTorch prints it: {@code 3} when square, {@code (3, 5)} otherwise. */
    static String str(int[] v) {
        return v.length == 1 || v[0] == v[1] ? Integer.toString(v[0]) : "(" + v[0] + ", " + v[1] + ")";
    }

    static void checkPositive(String layer, String what, int... values) {
        for (int v : values) {
            if (v < 1) {
                throw new IllegalArgumentException(layer + ": " + what + " must be positive, got " + v);
            }
        }
    }

    /** A pooling window: positive kernel, stride and dilation, padding in [0, kernel/2] as PyTorch requires. */
    static void checkPool(String layer, int[] kernel, int[] stride, int[] padding, int[] dilation) {
        for (int a = 0; a < 2; a++) {
            checkPositive(layer, "kernel, stride and dilation", kernel[a], stride[a], dilation[a]);
            if (padding[a] < 0 || padding[a] > kernel[a] / 2) {
                throw new IllegalArgumentException(layer + ": padding must be in [0, kernel/2] = [0, " + kernel[a] / 2
                        + "], got " + padding[a]);
            }
        }
    }

    /** The input's dtype must be the parameters': a layer never converts (nor lets an op inside it refuse). */
    static void checkDtype(String layer, Tensor x, Tensor parameter) {
        if (x.dtype() != parameter.dtype()) {
            throw new ShapeException(layer + ": input of dtype " + x.dtype() + ", but the layer's parameters are "
                    + parameter.dtype() + "; convert the input with to(DataType." + parameter.dtype() + ")");
        }
    }
}
