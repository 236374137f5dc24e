package ndgrad.core.kernels;

import java.util.function.DoubleUnaryOperator;

/**
 * A run of consecutive elements of a float32 or float64 array, copied into a Java array so that a fused update
 * ({@link Fused#pass}) can work on it in the array's own precision with a few in-place primitives, as PyTorch's
 * optimizers do with {@code lerp_}, {@code addcmul_} and {@code addcdiv_}. Each primitive is one loop over at most
 * 1,024 elements, which stay in the CPU's first-level cache, and the JIT turns it into vector instructions (in float32
 * for float32 arrays: Java 17 converts floats to doubles one at a time, five times slower for Adam).
 *
 * <p>Usage: {@code Fused.pass(2, c -> { c[0].lerp(c[2], 1 - beta1); c[1].scale(beta2).addcmul(1 - beta2, c[2], c[2]); },
 * expAvg, expAvgSq, grad);}
 */
public final class Chunk {
    private final float[] f;
    private final double[] d;
    private int n;

    Chunk(boolean float32, int capacity) {
        f = float32 ? new float[capacity] : null;
        d = float32 ? null : new double[capacity];
    }

    /** A float64 chunk over {@code values} (for the strided path, which reads any dtype as doubles). */
    Chunk(double[] values) {
        f = null;
        d = values;
    }

    float[] floats() {
        return f;
    }

    double[] doubles() {
        return d;
    }

    /** How many elements this chunk holds now. */
    public int length() {
        return n;
    }

    void length(int len) {
        n = len;
    }

    /** this ← x. */
    public Chunk set(Chunk x) {
        n = x.n;
        if (f != null) {
            System.arraycopy(x.f, 0, f, 0, n);
        } else {
            System.arraycopy(x.d, 0, d, 0, n);
        }
        return this;
    }

    /** this ← s·this. */
    public Chunk scale(double s) {
        if (f != null) {
            float a = (float) s;
            for (int i = 0; i < n; i++) {
                f[i] *= a;
            }
        } else {
            for (int i = 0; i < n; i++) {
                d[i] *= s;
            }
        }
        return this;
    }

    /** Every element ← v. */
    public Chunk fill(double v) {
        if (f != null) {
            java.util.Arrays.fill(f, 0, n, (float) v);
        } else {
            java.util.Arrays.fill(d, 0, n, v);
        }
        return this;
    }

    /** this ← this + s. */
    public Chunk add(double s) {
        if (f != null) {
            float a = (float) s;
            for (int i = 0; i < n; i++) {
                f[i] += a;
            }
        } else {
            for (int i = 0; i < n; i++) {
                d[i] += s;
            }
        }
        return this;
    }

    /** this ← this / s. */
    public Chunk div(double s) {
        if (f != null) {
            float a = (float) s;
            for (int i = 0; i < n; i++) {
                f[i] /= a;
            }
        } else {
            for (int i = 0; i < n; i++) {
                d[i] /= s;
            }
        }
        return this;
    }

    /** this ← this · x, elementwise. */
    public Chunk mul(Chunk x) {
        if (f != null) {
            for (int i = 0; i < n; i++) {
                f[i] *= x.f[i];
            }
        } else {
            for (int i = 0; i < n; i++) {
                d[i] *= x.d[i];
            }
        }
        return this;
    }

    /** this ← this / x, elementwise. */
    public Chunk div(Chunk x) {
        if (f != null) {
            for (int i = 0; i < n; i++) {
                f[i] /= x.f[i];
            }
        } else {
            for (int i = 0; i < n; i++) {
                d[i] /= x.d[i];
            }
        }
        return this;
    }

    /**
     * this ← max(this, 0), elementwise (NaN stays NaN, as in PyTorch). {@code Math.max} becomes a vector
     * instruction; a comparison and a branch per element ran 50 times slower on data that changes (measured).
     */
    public Chunk relu() {
        if (f != null) {
            for (int i = 0; i < n; i++) {
                f[i] = Math.max(f[i], 0f);
            }
        } else {
            for (int i = 0; i < n; i++) {
                d[i] = Math.max(d[i], 0);
            }
        }
        return this;
    }

    /**
     * this ← 0 where relu's output {@code out} is 0 (or negative), else this: relu's backward. The 0/1 factor is
     * min(max(out, 0)·2^k·2^k, 1), with 2^2k above the reciprocal of the smallest subnormal, so it is exact for
     * every number and runs as vector instructions, where a branch per element mispredicts on half of them. A NaN
     * output gives a NaN gradient.
     */
    public Chunk reluGrad(Chunk out) {
        if (f != null) {
            for (int i = 0; i < n; i++) {
                f[i] *= Math.min(Math.max(out.f[i], 0f) * 0x1p100f * 0x1p100f, 1f);
            }
        } else {
            for (int i = 0; i < n; i++) {
                d[i] *= Math.min(Math.max(out.d[i], 0) * 0x1p600 * 0x1p600, 1);
            }
        }
        return this;
    }

    /** this ← this·(1 - y²): tanh's backward, given tanh's output y. */
    public Chunk tanhGrad(Chunk y) {
        if (f != null) {
            for (int i = 0; i < n; i++) {
                f[i] *= 1 - y.f[i] * y.f[i];
            }
        } else {
            for (int i = 0; i < n; i++) {
                d[i] *= 1 - y.d[i] * y.d[i];
            }
        }
        return this;
    }

    /** this ← this·y·(1 - y): the sigmoid's backward, given its output y. */
    public Chunk sigmoidGrad(Chunk y) {
        if (f != null) {
            for (int i = 0; i < n; i++) {
                f[i] *= y.f[i] * (1 - y.f[i]);
            }
        } else {
            for (int i = 0; i < n; i++) {
                d[i] *= y.d[i] * (1 - y.d[i]);
            }
        }
        return this;
    }

    /** this ← tanh(this), with {@link #tanh(double)}. */
    public Chunk tanh() {
        if (f != null) {
            for (int i = 0; i < n; i++) {
                f[i] = (float) tanh(f[i]);
            }
        } else {
            for (int i = 0; i < n; i++) {
                d[i] = tanh(d[i]);
            }
        }
        return this;
    }

    /**
     * tanh x in Java, with the method of the Cephes library's {@code tanh.c} (S. Moshier): for |x| &gt; 0.625,
     * 1 - 2/(e^(2|x|) + 1) with x's sign; else x + x³·P(x²)/Q(x²), a rational approximation with a relative error
     * under 2.5e-16. Java 17's {@code Math.tanh} is a native call (fdlibm through JNI), whose transition cost more
     * than the computation (a sixth of a small tanh step's time).
     */
    static double tanh(double x) {
        double z = Math.abs(x);
        if (z > 0.625) {
            z = 1 - 2 / (Math.exp(2 * z) + 1);
            return x < 0 ? -z : z;
        }
        if (x == 0) {
            return x;
        }
        double s = x * x;
        double p = (TANH_P0 * s + TANH_P1) * s + TANH_P2;
        double q = ((s + TANH_Q0) * s + TANH_Q1) * s + TANH_Q2;
        return x + x * s * (p / q);
    }

    private static final double TANH_P0 = -9.64399179425052238628E-1;
    private static final double TANH_P1 = -9.92877231001918586564E1;
    private static final double TANH_P2 = -1.61468768441708447952E3;
    private static final double TANH_Q0 = 1.12811678491632931402E2;
    private static final double TANH_Q1 = 2.23548839060100448583E3;
    private static final double TANH_Q2 = 4.84406305325125486048E3;

    /** this ← √this. */
    public Chunk sqrt() {
        if (f != null) {
            for (int i = 0; i < n; i++) {
                f[i] = (float) Math.sqrt(f[i]);
            }
        } else {
            for (int i = 0; i < n; i++) {
                d[i] = Math.sqrt(d[i]);
            }
        }
        return this;
    }

    /** this ← |this|. */
    public Chunk abs() {
        if (f != null) {
            for (int i = 0; i < n; i++) {
                f[i] = Math.abs(f[i]);
            }
        } else {
            for (int i = 0; i < n; i++) {
                d[i] = Math.abs(d[i]);
            }
        }
        return this;
    }

    /** this ← fn(this) element by element, computed in double (for functions with no vector instruction). */
    public Chunk map(DoubleUnaryOperator fn) {
        if (f != null) {
            for (int i = 0; i < n; i++) {
                f[i] = (float) fn.applyAsDouble(f[i]);
            }
        } else {
            for (int i = 0; i < n; i++) {
                d[i] = fn.applyAsDouble(d[i]);
            }
        }
        return this;
    }

    /** this ← max(this, x), elementwise. */
    public Chunk max(Chunk x) {
        if (f != null) {
            for (int i = 0; i < n; i++) {
                f[i] = Math.max(f[i], x.f[i]);
            }
        } else {
            for (int i = 0; i < n; i++) {
                d[i] = Math.max(d[i], x.d[i]);
            }
        }
        return this;
    }

    /** this ← this + a·x. */
    public Chunk axpy(double a, Chunk x) {
        if (f != null) {
            float s = (float) a;
            for (int i = 0; i < n; i++) {
                f[i] += s * x.f[i];
            }
        } else {
            for (int i = 0; i < n; i++) {
                d[i] += a * x.d[i];
            }
        }
        return this;
    }

    /** this ← this + a·x·y (PyTorch's {@code addcmul_}). */
    public Chunk addcmul(double a, Chunk x, Chunk y) {
        if (f != null) {
            float s = (float) a;
            for (int i = 0; i < n; i++) {
                f[i] += s * x.f[i] * y.f[i];
            }
        } else {
            for (int i = 0; i < n; i++) {
                d[i] += a * x.d[i] * y.d[i];
            }
        }
        return this;
    }

    /** this ← s·this + a·x·y (PyTorch's {@code mul_(s).addcmul_(x, y, value=a)} in one pass). */
    public Chunk scaleAddcmul(double s, double a, Chunk x, Chunk y) {
        if (f != null) {
            float fs = (float) s;
            float fa = (float) a;
            for (int i = 0; i < n; i++) {
                f[i] = f[i] * fs + fa * x.f[i] * y.f[i];
            }
        } else {
            for (int i = 0; i < n; i++) {
                d[i] = d[i] * s + a * x.d[i] * y.d[i];
            }
        }
        return this;
    }

    /**
     * this ← this + a·x / (√y·s + eps): the update of the adaptive methods (Adam, RMSprop, Adagrad) in one pass,
     * PyTorch's {@code denom = (y.sqrt() * s).add_(eps); this.addcdiv_(x, denom, value=a)}.
     */
    public Chunk addcdivSqrt(double a, Chunk x, Chunk y, double s, double eps) {
        if (f != null) {
            float fa = (float) a;
            float fs = (float) s;
            float fe = (float) eps;
            for (int i = 0; i < n; i++) {
                f[i] += fa * (x.f[i] / ((float) Math.sqrt(y.f[i]) * fs + fe));
            }
        } else {
            for (int i = 0; i < n; i++) {
                d[i] += a * (x.d[i] / (Math.sqrt(y.d[i]) * s + eps));
            }
        }
        return this;
    }

    /**
     * this moved toward {@code end} by {@code w}, with PyTorch's {@code lerp} formula (exact at both ends):
     * this + w (end - this) for w &lt; 0.5, else end - (end - this)(1 - w).
     */
    public Chunk lerp(Chunk end, double w) {
        boolean low = w < 0.5;
        if (f != null) {
            float a = (float) w;
            float b = (float) (1 - w);
            for (int i = 0; i < n; i++) {
                f[i] = low ? f[i] + a * (end.f[i] - f[i]) : end.f[i] - (end.f[i] - f[i]) * b;
            }
        } else {
            for (int i = 0; i < n; i++) {
                d[i] = low ? d[i] + w * (end.d[i] - d[i]) : end.d[i] - (end.d[i] - d[i]) * (1 - w);
            }
        }
        return this;
    }
}
