package ndgrad.core.kernels;

import static ndgrad.core.kernels.Fused.buffers;
import static ndgrad.core.kernels.Fused.get;
import static ndgrad.core.kernels.Fused.plain;
import static ndgrad.core.kernels.Fused.put;

import java.nio.Buffer;
import ndgrad.core.Threads;
import ndgrad.core.memory.Scope;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Batch normalization in training (Ioffe &amp; Szegedy 2015, PyTorch's {@code native_batch_norm} and its backward):
 * each channel's statistics, normalization, scale and shift in passes over that channel's values alone, computed in
 * double precision. An input (N, C, ...) is read as N blocks of C runs of S values (S the product of the dimensions
 * after C), so channel c's values are the runs at (n·C + c)·S. Channels depend on no other channel, so from {@link
 * #SPLIT} values they are split over the cores ({@link Threads}); composed of reductions and broadcasts, the same
 * rule takes some ten passes over the input on one core.
 *
 * <p>Usage: {@code INDArray y = Norms.batchNorm(x, w, b, 1e-5, m, s);
 * INDArray[] d = Norms.batchNormBackward(x, dy, w, m, s, 1e-5);} (m and s receive the means and variances)
 */
public final class Norms {
    /** Inputs of at least this many values have their channels split over the cores. */
    public static final long SPLIT = 1L << 15;

    private Norms() {
    }

    /**
     * y = (x - μ_c)/√(σ²_c + eps)·w_c + b_c with each channel's mean μ_c and biased variance σ²_c over its N·S values
     * (two passes: the mean, then the squared deviations); {@code weight} and {@code bias} (C) may be null (1 and 0).
     * Writes μ and σ² into {@code mean} and {@code var} (C, x's dtype), for the backward and the running statistics.
     */
    public static INDArray batchNorm(INDArray x, INDArray weight, INDArray bias, double eps, INDArray mean,
            INDArray var) {
        Layout l = new Layout(x);
        INDArray y = Scope.allocate(x.dataType(), x.shape());
        double[] w = l.channel(weight, 1);
        double[] b = l.channel(bias, 0);
        double[] mu = new double[l.c];
        double[] s2 = new double[l.c];
        try (Scope copies = Scope.open()) {
            Buffer[] io = buffers(plain(x), y);
            l.split((from, to) -> {
                Rows r = new Rows(l.s);
                for (int c = from; c < to; c++) {
                    double sum = 0;
                    for (int n = 0; n < l.n; n++) {
                        get(io[0], l.at(n, c), r.x, r.f);
                        for (double v : r.x) {
                            sum += v;
                        }
                    }
                    double m = sum / l.count;
                    double sq = 0;
                    for (int n = 0; n < l.n; n++) {
                        get(io[0], l.at(n, c), r.x, r.f);
                        for (double v : r.x) {
                            sq += (v - m) * (v - m);
                        }
                    }
                    mu[c] = m;
                    s2[c] = sq / l.count;
                    double scale = w[c] / Math.sqrt(s2[c] + eps);
                    double shift = b[c] - m * scale;
                    for (int n = 0; n < l.n; n++) {
                        get(io[0], l.at(n, c), r.x, r.f);
                        for (int j = 0; j < l.s; j++) {
                            r.x[j] = r.x[j] * scale + shift;
                        }
                        put(io[1], l.at(n, c), r.x, r.f);
                    }
                }
            });
        }
        l.write(mean, mu);
        l.write(var, s2);
        return y;
    }

    /**
     * The gradients of {@link #batchNorm} from dy, with x̂ = (x - μ)/√(σ² + eps) and M = N·S values per channel:
     * dx = w·(dy - Σdy/M - x̂·Σ(dy·x̂)/M)/√(σ² + eps), dw = Σ dy·x̂, db = Σ dy (two passes over x and dy per
     * channel). Returns {dx, dw (C), db (C)}; {@code weight} null counts as ones.
     */
    public static INDArray[] batchNormBackward(INDArray x, INDArray dy, INDArray weight, INDArray mean, INDArray var,
            double eps) {
        Layout l = new Layout(x);
        INDArray dx = Scope.allocate(x.dataType(), x.shape());
        double[] w = l.channel(weight, 1);
        double[] mu = l.channel(mean, 0);
        double[] s2 = l.channel(var, 0);
        double[] dw = new double[l.c];
        double[] db = new double[l.c];
        try (Scope copies = Scope.open()) {
            Buffer[] io = buffers(plain(x), plain(dy), dx);
            l.split((from, to) -> {
                Rows r = new Rows(l.s);
                for (int c = from; c < to; c++) {
                    double inv = 1 / Math.sqrt(s2[c] + eps);
                    double sum = 0;
                    double dot = 0;
                    for (int n = 0; n < l.n; n++) {
                        get(io[0], l.at(n, c), r.x, r.f);
                        get(io[1], l.at(n, c), r.g, r.f);
                        for (int j = 0; j < l.s; j++) {
                            sum += r.g[j];
                            dot += r.g[j] * (r.x[j] - mu[c]) * inv;
                        }
                    }
                    dw[c] = dot;
                    db[c] = sum;
                    double a = w[c] * inv;
                    double meanG = sum / l.count;
                    double meanGx = dot / l.count;
                    for (int n = 0; n < l.n; n++) {
                        get(io[0], l.at(n, c), r.x, r.f);
                        get(io[1], l.at(n, c), r.g, r.f);
                        for (int j = 0; j < l.s; j++) {
                            r.x[j] = a * (r.g[j] - meanG - (r.x[j] - mu[c]) * inv * meanGx);
                        }
                        put(io[2], l.at(n, c), r.x, r.f);
                    }
                }
            });
        }
        INDArray gw = Scope.allocate(x.dataType(), l.c);
        INDArray gb = Scope.allocate(x.dataType(), l.c);
        l.write(gw, dw);
        l.write(gb, db);
        return new INDArray[] {dx, gw, gb};
    }

    /** The input read as N blocks of C runs of S values. */
    private static final class Layout {
        final int n;
        final int c;
        final int s;
        final long count;
        private final long total;

        Layout(INDArray x) {
            n = (int) x.size(0);
            c = (int) x.size(1);
            s = (int) (x.length() / Math.max(1, (long) n * c));
            count = (long) n * s;
            total = x.length();
        }

        /** The first value of channel {@code ch} in block {@code b}. */
        int at(int b, int ch) {
            return (b * c + ch) * s;
        }

        /** A channel vector's values, or C copies of {@code fill} for null. */
        double[] channel(INDArray v, double fill) {
            double[] out = new double[c];
            if (v == null) {
                java.util.Arrays.fill(out, fill);
            } else {
                get(Access.nio(plain(v)), 0, out, new float[c]);
            }
            return out;
        }

        /** Writes C values into a plain channel vector. */
        void write(INDArray v, double[] values) {
            put(Access.nio(v), 0, values, new float[c]);
        }

        /** Runs {@code body} over channel ranges: one, or one per core from {@link #SPLIT} values. */
        void split(Range body) {
            int parts = total >= SPLIT ? Math.min(c, Threads.count()) : 1;
            Threads.parallel(parts, p -> body.run(c * p / parts, c * (p + 1) / parts));
        }
    }

    /** A range of channels [from, to) of one pass. */
    @FunctionalInterface
    private interface Range {
        void run(int from, int to);
    }

    /** One part's scratch runs: x's, dy's, and a float32 run for conversions. */
    private static final class Rows {
        final double[] x;
        final double[] g;
        final float[] f;

        Rows(int s) {
            x = new double[s];
            g = new double[s];
            f = new float[s];
        }
    }
}
