package ndgrad.nn;

import ndgrad.autograd.Tensor;
import ndgrad.core.ShapeException;

/** Argument checks shared by the layers' constructors and forwards. */
final class Layers {
    private Layers() {
    }

    static void checkConv(String layer, int in, int out, int kernel, int stride, int padding, int dilation,
            int groups) {
        if (in < 1 || out < 1 || kernel < 1 || stride < 1 || padding < 0 || dilation < 1 || groups < 1) {
            throw new IllegalArgumentException(layer + ": expected positive sizes, kernel, stride, dilation and "
                    + "groups and padding >= 0, got in=" + in + ", out=" + out + ", kernel=" + kernel + ", stride="
                    + stride + ", padding=" + padding + ", dilation=" + dilation + ", groups=" + groups);
        }
        if (in % groups != 0 || out % groups != 0) {
            throw new IllegalArgumentException(layer + ": in (" + in + ") and out (" + out + ") channels must both "
                    + "be divisible by groups (" + groups + ")");
        }
    }

    static void checkPositive(String layer, String what, int... values) {
        for (int v : values) {
            if (v < 1) {
                throw new IllegalArgumentException(layer + ": " + what + " must be positive, got " + v);
            }
        }
    }

    /** A pooling window: positive kernel and stride, padding in [0, kernel/2] as PyTorch requires. */
    static void checkPool(String layer, int kernel, int stride, int padding) {
        checkPositive(layer, "kernel and stride", kernel, stride);
        if (padding < 0 || padding > kernel / 2) {
            throw new IllegalArgumentException(layer + ": padding must be in [0, kernel/2] = [0, " + kernel / 2
                    + "], got " + padding);
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
