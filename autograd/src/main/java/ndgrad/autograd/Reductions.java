package ndgrad.autograd;

import static ndgrad.autograd.Definition.unary;

import java.util.Arrays;
import ndgrad.core.ShapeException;
import ndgrad.core.Shapes;
import ndgrad.core.kernels.Pointwise;
import ndgrad.core.kernels.Pointwise.Comparison;
import ndgrad.core.kernels.Reduce;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * The reductions, each one definition with its checks: sums, and the extrema that split the gradient among ties or
 * give it to the first; and what is composed from them: means, variances, log-sum-exp and softmax.
 */
final class Reductions {
    private Reductions() {
    }

    /** The sum over {@code axes} (all when none): the gradient is broadcast back over the summed axes. */
    static Tensor sum(Tensor x, boolean keepDims, int... dims) {
        if (x.dtype() == org.nd4j.linalg.api.buffer.DataType.BOOL) {
            return sum(x.to(org.nd4j.linalg.api.buffer.DataType.LONG), keepDims, dims);
        }
        int[] axes = Shapes.axes("sum", dims, x.dim());
        long[] from = x.shape();
        long[] kept = Shapes.keepDims(from, axes);
        return unary("sum", "1 (broadcast)", (c, a) -> c.output(Reduce.sum(a.array(), keepDims, axes)),
                (c, g) -> (g.dim() == 0 ? g : g.reshape(kept)).expand(from)).apply(x);
    }

    /** Draws of category indices from rows of weights, checked as PyTorch checks them (see Tensor#multinomial). */
    static Tensor multinomial(Tensor probs, int samples, boolean replacement, ndgrad.core.Rng rng) {
        long c = probs.dim() == 0 ? 0 : probs.size(-1);
        if ((probs.dim() != 1 && probs.dim() != 2) || c == 0 || !probs.dtype().isFPType()) {
            throw new ShapeException("multinomial: expected floating weights of shape (C) or (N, C) with C > 0, got "
                    + probs.shapeString() + " " + probs.dtype());
        }
        if (samples < 1 || !replacement && samples > c) {
            throw new ShapeException("multinomial: cannot draw " + samples + " samples" + (replacement ? ""
                    : " without replacement") + " from " + c + " categories");
        }
        double[] w = probs.toDoubleArray();
        for (int r = 0; r < w.length / c; r++) {
            double total = 0;
            int nonzero = 0;
            for (int i = 0; i < c; i++) {
                double p = w[(int) (r * c + i)];
                if (!(p >= 0) || Double.isInfinite(p)) {
                    throw new ShapeException("multinomial: weights must be finite and non-negative, got " + p
                            + " in row " + r);
                }
                total += p;
                nonzero += p > 0 ? 1 : 0;
            }
            if (!(total > 0) || !replacement && nonzero < samples) {
                throw new ShapeException("multinomial: row " + r + " has " + nonzero + " nonzero weights (sum "
                        + total + "); " + samples + " draws" + (replacement ? "" : " without replacement")
                        + " need " + (replacement ? "one" : samples));
            }
        }
        return Tensor.constant(rng.multinomial(probs.array(), samples, replacement));
    }

    /** The running sums along {@code dim}, as {@code torch.cumsum}: d/dx is the reverse running sum of g. */
    static Tensor cumsum(Tensor x, int dim) {
        return scan(x, Shapes.axis("cumsum", dim, x.dim()), false);
    }

    /** Running sums along dim, from the end when {@code reverse}: each direction's gradient is the other. */
    private static Tensor scan(Tensor x, int dim, boolean reverse) {
        return unary(reverse ? "cumsumReverse" : "cumsum", "1 for every later (earlier) position",
                (c, a) -> c.output(Reduce.cumsum(a.array(), dim, reverse)), (c, g) -> scan(g, dim, !reverse))
                .apply(x);
    }

    /**
     * Summed down to {@code shape}, of which x's shape is a broadcast (PyTorch's {@code sum_to_size}); the adjoint
     * of {@link ShapeOps#expand}.
     */
    static Tensor sumTo(Tensor x, long... shape) {
        long[] from = x.shape();
        if (Arrays.equals(from, shape)) {
            return x;
        }
        return unary("sumTo", "1 (broadcast)", (c, a) -> c.output(Reduce.sumTo(a.array(), shape)),
                (c, g) -> g.expand(from)).apply(x);
    }

    /**
     * The maximum (or minimum) over {@code axes}, as {@code torch.amax}/{@code amin}: the elements equal to it
     * share its gradient equally.
     */
    static Tensor amax(String name, Tensor x, boolean max, boolean keepDims, int... dims) {
        int[] axes = Shapes.axes(name, dims, x.dim());
        long[] kept = Shapes.keepDims(x.shape(), axes);
        if (x.numel() == 0) {
            throw new ShapeException(name + ": cannot reduce an empty tensor of shape " + x.shapeString());
        }
        return unary(name, "1/k at the k elements equal to the " + (max ? "maximum" : "minimum"), (c, a) -> {
            INDArray v = max ? Reduce.max(a.array(), keepDims, axes) : Reduce.min(a.array(), keepDims, axes);
            Tensor out = c.output(v);
            c.save(a, out);
            return out;
        }, (c, g) -> {
            Tensor hit = Tensor.constant(Pointwise.compare(Comparison.EQ, c.saved(0).array(), c.saved(1).detach()
                    .reshape(kept).broadcastData(c.saved(0).shape()), c.saved(0).dtype()));
            return g.reshape(kept).mul(hit.div(hit.sum(true, axes)));
        }).apply(x);
    }

    /**
     * The maximum (or minimum) along {@code dim} and the index of its first occurrence, as {@code torch.max(x,
     * dim)}: the whole gradient goes to that one entry (scattered back at the indices), unlike {@link #amax}.
     */
    static Tensor.ValuesIndices maxAlong(String name, Tensor x, int axis, boolean keepDim, boolean max) {
        int dim = Shapes.axis(name, axis, x.dim());
        if (x.numel() == 0) {
            throw new ShapeException(name + ": cannot reduce an empty tensor of shape " + x.shapeString());
        }
        long[] shape = x.shape();
        long[] kept = Shapes.keepDims(shape, new int[] {dim});
        Tensor[] r = new Function(name, "1 at the first " + (max ? "maximum" : "minimum") + ", 0 elsewhere") {
            @Override
            protected Tensor[] forward(Context c, Tensor... in) {
                INDArray[] vi = Reduce.extremeAlong(in[0].array(), dim, max);
                Tensor values = c.output(vi[0]);
                Tensor flat = Tensor.constant(vi[1]);
                Tensor at = c.save(flat.reshape(kept));
                Tensor indices = keepDim ? at : flat;
                c.markNonDifferentiable(indices);
                return tensors(keepDim ? values.reshape(kept) : values, indices);
            }

            @Override
            protected Tensor[] backward(Context c, Tensor... g) {
                return tensors(ShapeOps.scatterAddValid(Tensor.zerosOf(g[0].dtype(), shape), dim, c.saved(0),
                        g[0].reshape(kept)));
            }
        }.applyAll(x);
        return new Tensor.ValuesIndices(r[0], r[1]);
    }

    /** The mean over {@code axes} (all when none): the sum divided by the count. */
    static Tensor mean(Tensor x, boolean keepDims, int... dims) {
        int[] axes = Shapes.axes("mean", dims, x.dim());
        return sum(x, keepDims, axes).div(count(x, axes));
    }

    /** The variance over {@code axes} with Bessel's {@code correction}, as {@code torch.var}: Σ(x - mean)² / (n - c). */
    static Tensor var(Tensor x, int correction, boolean keepDims, int... dims) {
        int[] axes = Shapes.axes("var", dims, x.dim());
        long count = count(x, axes);
        if (count - correction <= 0) {
            throw new ShapeException("var: " + count + " elements with correction " + correction
                    + " leave no degrees of freedom (shape " + x.shapeString() + ")");
        }
        Tensor d = x.sub(mean(x, true, axes));
        return sum(d.mul(d), keepDims, axes).div(count - correction);
    }

    /** The number of elements over {@code axes} (checked). */
    private static long count(Tensor x, int[] axes) {
        long count = 1;
        for (int a : axes) {
            count *= x.size(a);
        }
        return count;
    }

    /** ln Σ exp(x) over {@code axes}, computed as m + ln Σ exp(x - m) with m the (constant) maximum. */
    static Tensor logSumExp(Tensor x, boolean keepDims, int... dims) {
        int[] axes = Shapes.axes("logSumExp", dims, x.dim());
        Tensor m = stableShift(x, axes);
        Tensor r = sum(x.sub(m).exp(), true, axes).log().add(m);
        return keepDims ? r : r.reshape(Shapes.dropDims(r.shape(), axes));
    }

    /** e^x / Σ e^x along {@code axis}, with the maximum subtracted first for stability. */
    static Tensor softmax(Tensor x, int axis) {
        int a = Shapes.axis("softmax", axis, x.dim());
        Tensor e = x.sub(stableShift(x, new int[] {a})).exp();
        return e.div(sum(e, true, a));
    }

    /** x - logSumExp(x) along {@code axis}: log-probabilities without overflow. */
    static Tensor logSoftmax(Tensor x, int axis) {
        int a = Shapes.axis("logSoftmax", axis, x.dim());
        return x.sub(logSumExp(x, true, a));
    }

    /** The constant max over {@code axes} (kept), 0 where it is not finite; shifting by it changes no gradient. */
    private static Tensor stableShift(Tensor x, int[] axes) {
        return Tensor.constant(Pointwise.zeroInfinities(Reduce.max(x.array(), true, axes)));
    }

    /** The index (int64, no gradient) of the first maximum or minimum along {@code dim}, as {@code torch.argmax}. */
    static Tensor argExtreme(String op, Tensor x, int dim, boolean keepDim, boolean max) {
        int a = Shapes.axis(op, dim, x.dim());
        if (x.size(a) == 0) {
            throw new ShapeException(op + ": cannot reduce an empty dimension " + dim + " of shape "
                    + x.shapeString());
        }
        Tensor i = Tensor.constant(Reduce.extremeAlong(x.array(), a, max)[1]);
        return keepDim ? i.unsqueeze(a) : i;
    }
}
