package ndgrad.testing;

import java.math.BigDecimal;
import java.math.MathContext;
import java.util.Arrays;
import java.util.function.DoubleBinaryOperator;

/**
 * Reference implementations of ndgrad's ops in plain Java loops over doubles, written from the definitions (PyTorch's
 * documentation) and sharing no code with ndgrad: the registry checks every op's forward against these.
 */
final class Ref {
    private Ref() {
    }

    // ---------------------------------------------------------------- elementwise

    /** The logistic sigmoid. */
    static double sigmoid(double v) {
        return v >= 0 ? 1 / (1 + Math.exp(-v)) : Math.exp(v) / (1 + Math.exp(v));
    }

    /** ln(1 + e^v), computed without overflow. */
    static double softplus(double v) {
        return Math.max(v, 0) + Math.log1p(Math.exp(-Math.abs(v)));
    }

    private static final MathContext WIDE = new MathContext(60);
    private static final BigDecimal TWO_OVER_SQRT_PI = new BigDecimal(
            "1.12837916709551257389615890312154517168810125865799771368817144342128493688298");

    /**
     * The error function from its Taylor series 2/√π Σ (-1)^n x^(2n+1) / (n! (2n+1)), summed in 60-digit decimals
     * so that the alternating terms cancel without loss; beyond |x| = 6, erf is ±1 to double precision.
     */
    static double erf(double x) {
        if (Double.isNaN(x)) {
            return x;
        }
        if (Math.abs(x) > 6) {
            return Math.signum(x);
        }
        BigDecimal v = new BigDecimal(x);
        BigDecimal v2 = v.multiply(v, WIDE);
        BigDecimal power = v;
        BigDecimal factorial = BigDecimal.ONE;
        BigDecimal sum = BigDecimal.ZERO;
        for (int n = 0; n < 400; n++) {
            if (n > 0) {
                power = power.multiply(v2, WIDE).negate();
                factorial = factorial.multiply(BigDecimal.valueOf(n));
            }
            BigDecimal term = power.divide(factorial.multiply(BigDecimal.valueOf(2L * n + 1)), WIDE);
            sum = sum.add(term, WIDE);
            if (term.abs().compareTo(new BigDecimal("1e-40")) < 0) {
                break;
            }
        }
        return sum.multiply(TWO_OVER_SQRT_PI, WIDE).doubleValue();
    }

    /** x Φ(x), with Φ from erf. */
    static double gelu(double x) {
        return 0.5 * x * (1 + erf(x / Math.sqrt(2)));
    }

    /** GELU's tanh approximation. */
    static double geluTanh(double x) {
        return 0.5 * x * (1 + Math.tanh(Math.sqrt(2 / Math.PI) * (x + 0.044715 * x * x * x)));
    }

    /** f of three inputs elementwise, broadcasting. */
    static Nd zip3(Nd a, Nd b, Nd c, TriOp f) {
        long[] out = Nd.broadcast(Nd.broadcast(a.shape(), b.shape()), c.shape());
        double[] v = new double[(int) Nd.numel(out)];
        long[] index = new long[out.length];
        for (int i = 0; i < v.length; i++) {
            Nd.unravel(i, out, index);
            v[i] = f.apply(a.data()[(int) Nd.broadcastOffset(a.shape(), index)],
                    b.data()[(int) Nd.broadcastOffset(b.shape(), index)],
                    c.data()[(int) Nd.broadcastOffset(c.shape(), index)]);
        }
        return new Nd(out, v);
    }

    /** A function of three doubles. */
    @FunctionalInterface
    interface TriOp {
        double apply(double a, double b, double c);
    }

    /** x broadcast to {@code shape}. */
    static Nd expand(Nd x, long... shape) {
        return zip3(x, new Nd(shape, new double[(int) Nd.numel(shape)]), Nd.scalar(0), (a, b, c) -> a);
    }

    // ---------------------------------------------------------------- reductions

    /** Reduces over {@code axes} (all when empty) with a fold from {@code init}; keeps them as size 1 when asked. */
    static Nd reduce(Nd x, int[] axes, boolean keepDims, double init, DoubleBinaryOperator fold) {
        boolean[] reduced = reducedAxes(x.rank(), axes);
        long[] kept = x.shape().clone();
        for (int d = 0; d < kept.length; d++) {
            kept[d] = reduced[d] ? 1 : kept[d];
        }
        double[] out = new double[(int) Nd.numel(kept)];
        Arrays.fill(out, init);
        long[] index = new long[x.rank()];
        for (int i = 0; i < x.numel(); i++) {
            Nd.unravel(i, x.shape(), index);
            for (int d = 0; d < index.length; d++) {
                index[d] = reduced[d] ? 0 : index[d];
            }
            int at = (int) Nd.offset(kept, index);
            out[at] = fold.applyAsDouble(out[at], x.data()[i]);
        }
        return new Nd(keepDims ? kept : dropped(kept, reduced), out);
    }

    private static boolean[] reducedAxes(int rank, int[] axes) {
        boolean[] reduced = new boolean[rank];
        if (axes.length == 0) {
            Arrays.fill(reduced, true);
        }
        for (int a : axes) {
            reduced[a < 0 ? a + rank : a] = true;
        }
        return reduced;
    }

    private static long[] dropped(long[] shape, boolean[] reduced) {
        return java.util.stream.IntStream.range(0, shape.length).filter(d -> !reduced[d]).mapToLong(d -> shape[d])
                .toArray();
    }

    static Nd sum(Nd x, boolean keepDims, int... axes) {
        return reduce(x, axes, keepDims, 0, Double::sum);
    }

    static long count(Nd x, int... axes) {
        boolean[] reduced = reducedAxes(x.rank(), axes);
        long n = 1;
        for (int d = 0; d < reduced.length; d++) {
            n *= reduced[d] ? x.shape()[d] : 1;
        }
        return n;
    }

    static Nd mean(Nd x, boolean keepDims, int... axes) {
        long n = count(x, axes);
        return sum(x, keepDims, axes).map(v -> v / n);
    }

    /** Σ(x - mean)² / (N - correction). */
    static Nd var(Nd x, int correction, boolean keepDims, int... axes) {
        Nd m = mean(x, true, axes);
        Nd d2 = x.zip(m, (a, b) -> (a - b) * (a - b));
        long n = count(x, axes);
        return sum(d2, keepDims, axes).map(v -> v / (n - correction));
    }

    static Nd amax(Nd x, boolean keepDims, int... axes) {
        return reduce(x, axes, keepDims, Double.NEGATIVE_INFINITY, (a, b) -> Double.isNaN(a) || a >= b ? a : b);
    }

    static Nd amin(Nd x, boolean keepDims, int... axes) {
        return reduce(x, axes, keepDims, Double.POSITIVE_INFINITY, (a, b) -> Double.isNaN(a) || a <= b ? a : b);
    }

    /** ln Σ exp over axes, shifted by the maximum. */
    static Nd logSumExp(Nd x, boolean keepDims, int... axes) {
        Nd m = amax(x, true, axes).map(v -> Double.isFinite(v) ? v : 0);
        Nd s = sum(x.zip(m, (a, b) -> Math.exp(a - b)), true, axes).zip(m, (a, b) -> Math.log(a) + b);
        return keepDims ? s : s.reshape(dropped(s.shape(), reducedAxes(x.rank(), axes)));
    }

    static Nd softmax(Nd x, int axis) {
        Nd lse = logSumExp(x, true, axis);
        return x.zip(lse, (a, b) -> Math.exp(a - b));
    }

    static Nd logSoftmax(Nd x, int axis) {
        return x.zip(logSumExp(x, true, axis), (a, b) -> a - b);
    }

    /** The first extreme along {@code dim}: [values, indices]. */
    static Nd[] extremeAlong(Nd x, int dim, boolean keepDim, boolean max) {
        int a = dim < 0 ? dim + x.rank() : dim;
        long[] kept = x.shape().clone();
        kept[a] = 1;
        double[] best = new double[(int) Nd.numel(kept)];
        double[] at = new double[best.length];
        Arrays.fill(best, Double.NaN);
        Arrays.fill(at, -1);
        long[] index = new long[x.rank()];
        for (int i = 0; i < x.numel(); i++) {
            Nd.unravel(i, x.shape(), index);
            long pos = index[a];
            index[a] = 0;
            int o = (int) Nd.offset(kept, index);
            double v = x.data()[i];
            boolean better = at[o] < 0 || !Double.isNaN(best[o]) && (Double.isNaN(v) || (max ? v > best[o]
                    : v < best[o]));
            if (better) {
                best[o] = v;
                at[o] = pos;
            }
        }
        long[] shape = keepDim ? kept : dropped(kept, reducedAxes(x.rank(), new int[] {a}));
        return new Nd[] {new Nd(shape, best), new Nd(shape.clone(), at)};
    }

    // ---------------------------------------------------------------- products

    /** torch.matmul: 1-D operands as row or column, batch dimensions broadcast. */
    static Nd matmul(Nd a, Nd b) {
        Nd a2 = a.rank() == 1 ? a.reshape(1, a.size(0)) : a;
        Nd b2 = b.rank() == 1 ? b.reshape(b.size(0), 1) : b;
        long n = a2.size(-2);
        long k = a2.size(-1);
        long m = b2.size(-1);
        long[] batchA = Arrays.copyOf(a2.shape(), a2.rank() - 2);
        long[] batchB = Arrays.copyOf(b2.shape(), b2.rank() - 2);
        long[] batch = Nd.broadcast(batchA, batchB);
        long[] out = Arrays.copyOf(batch, batch.length + 2);
        out[batch.length] = n;
        out[batch.length + 1] = m;
        double[] v = new double[(int) Nd.numel(out)];
        long[] index = new long[out.length];
        long[] ia = new long[a2.rank()];
        long[] ib = new long[b2.rank()];
        for (int o = 0; o < v.length; o++) {
            Nd.unravel(o, out, index);
            for (int d = 0; d < batchA.length; d++) {
                ia[d] = batchA[d] == 1 ? 0 : index[batch.length - batchA.length + d];
            }
            for (int d = 0; d < batchB.length; d++) {
                ib[d] = batchB[d] == 1 ? 0 : index[batch.length - batchB.length + d];
            }
            double s = 0;
            for (long j = 0; j < k; j++) {
                ia[ia.length - 2] = index[out.length - 2];
                ia[ia.length - 1] = j;
                ib[ib.length - 2] = j;
                ib[ib.length - 1] = index[out.length - 1];
                s += a2.get(ia) * b2.get(ib);
            }
            v[o] = s;
        }
        long[] shape = out;
        if (a.rank() == 1) {
            shape = removeAxis(shape, shape.length - 2);
        }
        if (b.rank() == 1) {
            shape = removeAxis(shape, shape.length - 1);
        }
        return new Nd(shape, v);
    }

    private static long[] removeAxis(long[] shape, int axis) {
        long[] out = new long[shape.length - 1];
        for (int d = 0, j = 0; d < shape.length; d++) {
            if (d != axis) {
                out[j++] = shape[d];
            }
        }
        return out;
    }

    /** x·Wᵀ + b. */
    static Nd linear(Nd x, Nd w, Nd b) {
        Nd y = matmul(x, transpose(w, 0, 1));
        return b == null ? y : y.zip(b, Double::sum);
    }

    // ---------------------------------------------------------------- shapes

    /** Dimensions reordered: result dim i is input dim {@code dims[i]}. */
    static Nd permute(Nd x, int... dims) {
        long[] out = new long[dims.length];
        for (int i = 0; i < dims.length; i++) {
            out[i] = x.shape()[dims[i]];
        }
        double[] v = new double[x.numel()];
        long[] index = new long[out.length];
        long[] from = new long[out.length];
        for (int o = 0; o < v.length; o++) {
            Nd.unravel(o, out, index);
            for (int i = 0; i < dims.length; i++) {
                from[dims[i]] = index[i];
            }
            v[o] = x.get(from);
        }
        return new Nd(out, v);
    }

    static Nd transpose(Nd x, int a, int b) {
        int[] dims = java.util.stream.IntStream.range(0, x.rank()).toArray();
        int p = a < 0 ? a + x.rank() : a;
        int q = b < 0 ? b + x.rank() : b;
        dims[p] = q;
        dims[q] = p;
        return permute(x, dims);
    }

    /** Sums x down to {@code shape}, of which x's shape is a broadcast. */
    static Nd sumTo(Nd x, long... shape) {
        double[] v = new double[(int) Nd.numel(shape)];
        long[] index = new long[x.rank()];
        for (int i = 0; i < x.numel(); i++) {
            Nd.unravel(i, x.shape(), index);
            v[(int) Nd.broadcastOffset(shape, index)] += x.data()[i];
        }
        return new Nd(shape.clone(), v);
    }

    /** Elements [s, e) along {@code axis}. */
    static Nd slice(Nd x, int axis, long s, long e) {
        int a = axis < 0 ? axis + x.rank() : axis;
        long[] out = x.shape().clone();
        out[a] = e - s;
        double[] v = new double[(int) Nd.numel(out)];
        long[] index = new long[out.length];
        for (int o = 0; o < v.length; o++) {
            Nd.unravel(o, out, index);
            index[a] += s;
            v[o] = x.get(index);
        }
        return new Nd(out, v);
    }

    /** {@code before} zeros in front and {@code after} behind along {@code axis}. */
    static Nd pad(Nd x, int axis, long before, long after) {
        int a = axis < 0 ? axis + x.rank() : axis;
        long[] out = x.shape().clone();
        out[a] += before + after;
        double[] v = new double[(int) Nd.numel(out)];
        long[] index = new long[out.length];
        for (int o = 0; o < v.length; o++) {
            Nd.unravel(o, out, index);
            index[a] -= before;
            v[o] = index[a] >= 0 && index[a] < x.shape()[a] ? x.get(index) : 0;
        }
        return new Nd(out, v);
    }

    /** The entries at {@code picks} along {@code axis}. */
    static Nd indexSelect(Nd x, int axis, long... picks) {
        int a = axis < 0 ? axis + x.rank() : axis;
        long[] out = x.shape().clone();
        out[a] = picks.length;
        double[] v = new double[(int) Nd.numel(out)];
        long[] index = new long[out.length];
        for (int o = 0; o < v.length; o++) {
            Nd.unravel(o, out, index);
            long p = picks[(int) index[a]];
            index[a] = p < 0 ? p + x.shape()[a] : p;
            v[o] = x.get(index);
        }
        return new Nd(out, v);
    }

    /** Joined along {@code axis}. */
    static Nd concat(int axis, Nd... xs) {
        int a = axis < 0 ? axis + xs[0].rank() : axis;
        long[] out = xs[0].shape().clone();
        out[a] = Arrays.stream(xs).mapToLong(x -> x.shape()[a]).sum();
        double[] v = new double[(int) Nd.numel(out)];
        long[] index = new long[out.length];
        for (int o = 0; o < v.length; o++) {
            Nd.unravel(o, out, index);
            int k = 0;
            while (index[a] >= xs[k].shape()[a]) {
                index[a] -= xs[k].shape()[a];
                k++;
            }
            v[o] = xs[k].get(index);
        }
        return new Nd(out, v);
    }

    /** A dimension of size 1 inserted at {@code axis}. */
    static Nd unsqueeze(Nd x, int axis) {
        int a = axis < 0 ? axis + x.rank() + 1 : axis;
        long[] out = new long[x.rank() + 1];
        for (int d = 0, j = 0; d < out.length; d++) {
            out[d] = d == a ? 1 : x.shape()[j++];
        }
        return x.reshape(out);
    }

    /** out[i][j] = x[i][index[i][j]] along {@code dim} (torch.gather). */
    static Nd gather(Nd x, int dim, Nd index) {
        double[] v = new double[index.numel()];
        long[] at = new long[index.rank()];
        for (int o = 0; o < v.length; o++) {
            Nd.unravel(o, index.shape(), at);
            at[dim] = (long) index.data()[o];
            v[o] = x.get(at);
        }
        return new Nd(index.shape(), v);
    }

    /** base with src[i][j] added at [i][index[i][j]] along {@code dim} (torch.scatter_add). */
    static Nd scatterAdd(Nd base, int dim, Nd index, Nd src) {
        double[] v = base.data().clone();
        long[] at = new long[index.rank()];
        for (int o = 0; o < index.numel(); o++) {
            Nd.unravel(o, index.shape(), at);
            at[dim] = (long) index.data()[o];
            v[(int) Nd.offset(base.shape(), at)] += src.data()[o];
        }
        return new Nd(base.shape(), v);
    }

    // ---------------------------------------------------------------- windows

    /** A window geometry, as ndgrad's Unfold.Geometry lists it. */
    record Windows(int kh, int kw, int sh, int sw, int ph, int pw, int dh, int dw) {
        long oh(long h) {
            return (h + 2L * ph - (long) dh * (kh - 1) - 1) / sh + 1;
        }

        long ow(long w) {
            return (w + 2L * pw - (long) dw * (kw - 1) - 1) / sw + 1;
        }
    }

    /** im2col: columns (C·kh·kw, N·oh·ow) of x (N, C, H, W), the padding read as {@code fill}. */
    static Nd unfold(Nd x, Windows g, double fill) {
        long n = x.size(0);
        long c = x.size(1);
        long h = x.size(2);
        long w = x.size(3);
        long oh = g.oh(h);
        long ow = g.ow(w);
        long[] out = {c * g.kh() * g.kw(), n * oh * ow};
        double[] v = new double[(int) Nd.numel(out)];
        for (long ci = 0; ci < c; ci++) {
            for (int i = 0; i < g.kh(); i++) {
                for (int j = 0; j < g.kw(); j++) {
                    long row = (ci * g.kh() + i) * g.kw() + j;
                    for (long ni = 0; ni < n; ni++) {
                        for (long y = 0; y < oh; y++) {
                            for (long z = 0; z < ow; z++) {
                                long r = y * g.sh() - g.ph() + (long) i * g.dh();
                                long s = z * g.sw() - g.pw() + (long) j * g.dw();
                                boolean inside = r >= 0 && r < h && s >= 0 && s < w;
                                v[(int) (row * out[1] + (ni * oh + y) * ow + z)] = inside ? x.get(ni, ci, r, s) : fill;
                            }
                        }
                    }
                }
            }
        }
        return new Nd(out, v);
    }

    /** Max pooling of (N, C, H, W); padding never wins. */
    static Nd maxPool(Nd x, Windows g) {
        return pool(x, g, false, true, true);
    }

    /**
     * Max or average pooling of (N, C, H, W) as PyTorch's {@code pooling_output_shape} and {@code avg_pool2d} define
     * them: with {@code ceil}, the output size rounded up, less one when the last window starts past the input and
     * its left padding; the average's divisor is the window clipped to the padded input, or to the input without
     * {@code countIncludePad}.
     */
    static Nd pool(Nd x, Windows g, boolean ceil, boolean max, boolean countIncludePad) {
        long n = x.size(0);
        long c = x.size(1);
        long h = x.size(2);
        long w = x.size(3);
        long oh = ceil ? ceilSize(h, g.kh(), g.sh(), g.ph(), g.dh()) : g.oh(h);
        long ow = ceil ? ceilSize(w, g.kw(), g.sw(), g.pw(), g.dw()) : g.ow(w);
        long[] out = {n, c, oh, ow};
        double[] v = new double[(int) Nd.numel(out)];
        int o = 0;
        for (long ni = 0; ni < n; ni++) {
            for (long ci = 0; ci < c; ci++) {
                for (long y = 0; y < oh; y++) {
                    for (long z = 0; z < ow; z++) {
                        double best = Double.NEGATIVE_INFINITY;
                        double sum = 0;
                        for (int i = 0; i < g.kh(); i++) {
                            for (int j = 0; j < g.kw(); j++) {
                                long r = y * g.sh() - g.ph() + (long) i * g.dh();
                                long s = z * g.sw() - g.pw() + (long) j * g.dw();
                                if (r >= 0 && r < h && s >= 0 && s < w) {
                                    double e = x.get(ni, ci, r, s);
                                    best = Double.isNaN(best) || e > best || Double.isNaN(e) ? e : best;
                                    sum += e;
                                }
                            }
                        }
                        long r0 = y * g.sh() - g.ph();
                        long s0 = z * g.sw() - g.pw();
                        long r1 = Math.min(r0 + g.kh(), h + g.ph());
                        long s1 = Math.min(s0 + g.kw(), w + g.pw());
                        long count = countIncludePad ? (r1 - r0) * (s1 - s0)
                                : (Math.min(r1, h) - Math.max(r0, 0)) * (Math.min(s1, w) - Math.max(s0, 0));
                        v[o++] = max ? best : sum / count;
                    }
                }
            }
        }
        return new Nd(out, v);
    }

    private static long ceilSize(long in, int k, int s, int p, int d) {
        long out = (in + 2L * p - (long) d * (k - 1) - 1 + s - 1) / s + 1;
        return (out - 1) * s >= in + p ? out - 1 : out;
    }

    // ---------------------------------------------------------------- losses

    /** -log softmax(x)[i, y_i] per row. */
    static Nd crossEntropy(Nd x, long[] labels) {
        Nd q = logSoftmax(x, 1);
        double[] v = new double[labels.length];
        for (int i = 0; i < v.length; i++) {
            v[i] = -q.get(i, labels[i]);
        }
        return Nd.of(v, labels.length);
    }

    /** mean, sum or none of per-element losses. */
    static Nd reduce(Nd losses, String reduction) {
        return switch (reduction) {
            case "mean" -> mean(losses, false);
            case "sum" -> sum(losses, false);
            default -> losses;
        };
    }

    // ---------------------------------------------------------------- layers

    /**
     * Cross-correlation of x (N, C, H, W) with w (O, C/groups, kh, kw) and bias b (O) or null, zero padding, as
     * F.conv2d; a 1-D convolution is this with H = kh = 1.
     */
    static Nd conv2d(Nd x, Nd w, Nd b, int sh, int sw, int ph, int pw, int dh, int dw, int groups) {
        long n = x.size(0);
        long c = x.size(1);
        long o = w.size(0);
        long cg = w.size(1);
        long kh = w.size(2);
        long kw = w.size(3);
        Windows g = new Windows((int) kh, (int) kw, sh, sw, ph, pw, dh, dw);
        long oh = g.oh(x.size(2));
        long ow = g.ow(x.size(3));
        long[] out = {n, o, oh, ow};
        double[] v = new double[(int) Nd.numel(out)];
        long og = o / groups;
        int at = 0;
        for (long ni = 0; ni < n; ni++) {
            for (long oc = 0; oc < o; oc++) {
                long group = oc / og;
                for (long y = 0; y < oh; y++) {
                    for (long z = 0; z < ow; z++) {
                        double s = b == null ? 0 : b.data()[(int) oc];
                        for (long ci = 0; ci < cg; ci++) {
                            for (long i = 0; i < kh; i++) {
                                for (long j = 0; j < kw; j++) {
                                    long r = y * sh - ph + i * dh;
                                    long q = z * sw - pw + j * dw;
                                    if (r >= 0 && r < x.size(2) && q >= 0 && q < x.size(3)) {
                                        s += x.get(ni, group * cg + ci, r, q) * w.get(oc, ci, i, j);
                                    }
                                }
                            }
                        }
                        v[at++] = s;
                    }
                }
            }
        }
        return new Nd(out, v);
    }

    /** Average pooling of (N, C, H, W), each window's sum over k² (count_include_pad). */
    static Nd avgPool(Nd x, int k, int stride, int pad) {
        Nd ones = new Nd(new long[] {x.size(1), 1, k, k}, filled((int) x.size(1) * k * k, 1.0 / (k * k)));
        return conv2d(x, ones, null, stride, stride, pad, pad, 1, 1, (int) x.size(1));
    }

    private static double[] filled(int n, double v) {
        double[] d = new double[n];
        Arrays.fill(d, v);
        return d;
    }

    /** Adaptive average pooling to oh × ow: cell (i, j) averages rows ⌊iH/oh⌋ to ⌈(i+1)H/oh⌉ and like columns. */
    static Nd adaptiveAvgPool(Nd x, int oh, int ow) {
        long h = x.size(2);
        long w = x.size(3);
        long[] out = {x.size(0), x.size(1), oh, ow};
        double[] v = new double[(int) Nd.numel(out)];
        int at = 0;
        for (long n = 0; n < out[0]; n++) {
            for (long c = 0; c < out[1]; c++) {
                for (int i = 0; i < oh; i++) {
                    for (int j = 0; j < ow; j++) {
                        long r0 = i * h / oh;
                        long r1 = ((i + 1) * h + oh - 1) / oh;
                        long c0 = j * w / ow;
                        long c1 = ((j + 1) * w + ow - 1) / ow;
                        double s = 0;
                        for (long r = r0; r < r1; r++) {
                            for (long q = c0; q < c1; q++) {
                                s += x.get(n, c, r, q);
                            }
                        }
                        v[at++] = s / ((r1 - r0) * (c1 - c0));
                    }
                }
            }
        }
        return new Nd(out, v);
    }

    /**
     * (x - mean) / √(var + eps) · γ + β over channel dim 1: with the batch's mean and biased variance over every
     * other dimension when {@code mean} is null, else with the given (running) statistics.
     */
    static Nd batchNorm(Nd x, Nd gamma, Nd beta, Nd mean, Nd var, double eps) {
        // gamma and beta null: no affine; mean and var null: the batch's
        int[] axes = java.util.stream.IntStream.range(0, x.rank()).filter(d -> d != 1).toArray();
        long[] stat = new long[x.rank()];
        Arrays.fill(stat, 1);
        stat[1] = x.size(1);
        Nd m = mean == null ? Ref.mean(x, true, axes) : mean.reshape(stat);
        Nd s = var == null ? Ref.var(x, 0, true, axes) : var.reshape(stat);
        Nd centred = x.zip(m, (a, b) -> a - b).zip(s, (a, b) -> a / Math.sqrt(b + eps));
        return gamma == null ? centred : centred.zip(gamma.reshape(stat), (a, b) -> a * b).zip(beta.reshape(stat),
                Double::sum);
    }

    /** (x - mean) / √(var + eps) · γ + β over the last {@code dims} dimensions, biased variance. */
    static Nd layerNorm(Nd x, Nd gamma, Nd beta, int dims, double eps) {
        return layerNorm(x, dims, eps).zip(gamma, (a, b) -> a * b).zip(beta, Double::sum);
    }

    /** Layer normalization over the last {@code dims} dimensions, without weight and bias. */
    static Nd layerNorm(Nd x, int dims, double eps) {
        int[] axes = java.util.stream.IntStream.range(x.rank() - dims, x.rank()).toArray();
        Nd m = Ref.mean(x, true, axes);
        Nd s = Ref.var(x, 0, true, axes);
        return x.zip(m, (a, b) -> a - b).zip(s, (a, b) -> a / Math.sqrt(b + eps));
    }

    /** The rows of table w (num, dim) at ids, shape ids.shape + (dim). */
    static Nd embedding(Nd ids, Nd w) {
        long dim = w.size(1);
        long[] out = Arrays.copyOf(ids.shape(), ids.rank() + 1);
        out[ids.rank()] = dim;
        double[] v = new double[(int) Nd.numel(out)];
        for (int i = 0; i < ids.numel(); i++) {
            for (long j = 0; j < dim; j++) {
                v[(int) (i * dim + j)] = w.get((long) ids.data()[i], j);
            }
        }
        return new Nd(out, v);
    }

    /** softmax(q kᵀ / √d (+ -∞ above the diagonal when causal)) v, per batch. */
    static Nd attention(Nd q, Nd k, Nd v, boolean causal) {
        return attention(q, k, v, 1 / Math.sqrt(q.size(2)), (b, i, j) -> causal && j > i ? Double.NEGATIVE_INFINITY
                : 0);
    }

    /** An additive attention mask by (flattened leading index, query, key). */
    interface AttentionMask {
        double at(long b, long i, long j);
    }

    /** softmax(q kᵀ · scale + mask) v over (..., L, E) inputs of equal leading dims, in loops per leading index. */
    static Nd attention(Nd q, Nd k, Nd v, double scale, AttentionMask mask) {
        long lq = q.size(q.rank() - 2);
        long lk = k.size(k.rank() - 2);
        long e = q.size(q.rank() - 1);
        long ev = v.size(v.rank() - 1);
        long b = q.numel() / (lq * e);
        Nd q3 = q.reshape(b, lq, e);
        Nd scores = matmul(q3, transpose(k.reshape(b, lk, e), 1, 2));
        double[] s = scores.data().clone();
        for (long n = 0; n < b; n++) {
            for (long i = 0; i < lq; i++) {
                for (long j = 0; j < lk; j++) {
                    int at = (int) ((n * lq + i) * lk + j);
                    s[at] = s[at] * scale + mask.at(n, i, j);
                }
            }
        }
        Nd out = matmul(softmax(new Nd(scores.shape(), s), 2), v.reshape(b, lk, ev));
        long[] shape = q.shape().clone();
        shape[shape.length - 1] = ev;
        return out.reshape(shape);
    }
}
