package ndgrad.nn;

/** Argument checks shared by the layers' constructors. */
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
}
