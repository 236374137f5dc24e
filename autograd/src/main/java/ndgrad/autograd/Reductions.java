package ndgrad.autograd;

import static ndgrad.autograd.Definition.unary;

import ndgrad.core.ArrayOps;
import ndgrad.core.Kernels;
import ndgrad.core.ShapeException;
import ndgrad.core.Shapes;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * The reductions, each one definition: sums, and the extrema that split the gradient among ties. The means,
 * variances, log-sum-exp and softmax are composed from them in {@link Tensor}.
 */
final class Reductions {
    private Reductions() {
    }

    /** The sum over {@code axes} (sorted, distinct): the gradient is broadcast back over the summed axes. */
    static Tensor sum(Tensor x, boolean keepDims, int[] axes) {
        long[] from = x.shape();
        long[] kept = Shapes.keepDims(from, axes);
        return unary("sum", "1 (broadcast)", (c, a) -> c.output(Kernels.sum(a.array(), keepDims, axes)),
                (c, g) -> (g.dim() == 0 ? g : g.reshape(kept)).expand(from)).apply(x);
    }

    /**
     * Summed down to {@code shape}, of which x's shape is a broadcast (PyTorch's {@code sum_to_size}); the adjoint
     * of {@link ShapeOps#expand}.
     */
    static Tensor sumTo(Tensor x, long[] shape) {
        long[] from = x.shape();
        return unary("sumTo", "1 (broadcast)", (c, a) -> c.output(Kernels.sumTo(a.array(), shape)),
                (c, g) -> g.expand(from)).apply(x);
    }

    /**
     * The maximum (or minimum) over {@code axes}, as {@code torch.amax}/{@code amin}: the elements equal to it
     * share its gradient equally.
     */
    static Tensor amax(String name, Tensor x, boolean max, boolean keepDims, int[] axes) {
        long[] kept = Shapes.keepDims(x.shape(), axes);
        if (x.numel() == 0) {
            throw new ShapeException(name + ": cannot reduce an empty tensor of shape " + x.shapeString());
        }
        return unary(name, "1/k at the k elements equal to the " + (max ? "maximum" : "minimum"), (c, a) -> {
            INDArray v = max ? Kernels.max(a.array(), keepDims, axes) : ArrayOps.min(a.array(), keepDims, axes);
            Tensor out = c.output(v);
            c.save(a, out);
            return out;
        }, (c, g) -> {
            Tensor hit = c.saved(0).eq(c.saved(1).detach().reshape(kept));
            return g.reshape(kept).mul(hit.div(hit.sum(true, axes)));
        }).apply(x);
    }

    /**
     * The maximum (or minimum) along {@code dim} and the index of its first occurrence, as {@code torch.max(x,
     * dim)}: the whole gradient goes to that one entry (scattered back at the indices), unlike {@link #amax}.
     */
    static Tensor[] maxAlong(String name, Tensor x, int dim, boolean keepDim, boolean max) {
        if (x.numel() == 0) {
            throw new ShapeException(name + ": cannot reduce an empty tensor of shape " + x.shapeString());
        }
        long[] shape = x.shape();
        long[] kept = Shapes.keepDims(shape, new int[] {dim});
        return new Function(name, "1 at the first " + (max ? "maximum" : "minimum") + ", 0 elsewhere") {
            @Override
            protected Tensor[] forward(Context c, Tensor... in) {
                INDArray[] vi = ArrayOps.extremeAlong(in[0].array(), dim, max);
                Tensor values = c.output(vi[0]);
                Tensor flat = Tensor.owned(vi[1]);
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
    }
}
