package ndgrad.autograd;

import static ndgrad.autograd.Definition.op;
import static ndgrad.autograd.Definition.unary;
import static ndgrad.autograd.Function.tensors;

import java.util.Arrays;
import java.util.Collections;
import ndgrad.core.ArrayOps;
import ndgrad.core.Kernels;
import ndgrad.core.NdArrays;
import ndgrad.core.Pool;
import ndgrad.core.ShapeException;
import ndgrad.core.Shapes;
import ndgrad.core.Unfold;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * The shape and indexing ops, each one definition. Each backward is the adjoint op: reshape back, the inverse
 * permutation, sum over what was expanded, pad what was sliced, scatter-add what was gathered.
 */
final class ShapeOps {
    private ShapeOps() {
    }

    /** The same values in shape {@code to}: a view or a copy, as {@code torch.reshape}. */
    static Tensor reshape(Tensor x, long[] to) {
        long[] from = x.shape();
        return unary("reshape", "reshape back", (c, a) -> c.output(Kernels.reshape(a.array(), to)),
                (c, g) -> g.reshape(from)).apply(x);
    }

    /** The same memory seen as {@code to} (the caller checked that this is a view). */
    static Tensor view(Tensor x, long[] to) {
        long[] from = x.shape();
        return unary("view", "reshape back", (c, a) -> c.output(ArrayOps.viewAs(a.array(), to)),
                (c, g) -> g.reshape(from)).apply(x);
    }

    /** Dimensions reordered (a view): the gradient takes the inverse order. */
    static Tensor permute(Tensor x, int[] dims, int[] inverse) {
        return unary("permute", "permute back", (c, a) -> c.output(ArrayOps.permute(a.array(), dims)),
                (c, g) -> g.permute(inverse)).apply(x);
    }

    /** Broadcast to {@code shape} (a copy): the gradient is summed back. */
    static Tensor expand(Tensor x, long[] shape) {
        long[] from = x.shape();
        return unary("expand", "1 (summed back)", (c, a) -> c.output(a.broadcastData(shape)),
                (c, g) -> g.sumTo(from)).apply(x);
    }

    /** Elements [s, e) along axis {@code a} (a view): the gradient is padded back with zeros. */
    static Tensor slice(Tensor x, int a, long s, long e) {
        long n = x.size(a);
        return unary("slice", "1 inside the slice, 0 outside", (c, t) -> c.output(ArrayOps.slice(t.array(), a, s, e)),
                (c, g) -> g.pad(a, s, n - e)).apply(x);
    }

    /** Zeros added along axis {@code a}: the gradient is the slice that holds x. */
    static Tensor pad(Tensor x, int a, long before, long after) {
        long n = x.size(a);
        return unary("pad", "1 (sliced back)", (c, t) -> c.output(ArrayOps.pad(t.array(), a, before, after)),
                (c, g) -> g.slice(a, before, before + n)).apply(x);
    }

    /**
     * Entries {@code indices} along axis {@code a} (negative counts from the end; a row copy): the gradient is scatter-added back. The indices
     * are checked and turned into block offsets once, at the forward, which every backward uses.
     */
    static Tensor indexSelect(Tensor x, int a, long[] indices) {
        return indexSelect(x, Kernels.picks("indexSelect", x.shape(), a, indices));
    }

    private static Tensor indexSelect(Tensor x, Kernels.Picks p) {
        return unary("indexSelect", "1 at the selected entries (summed over repeats)",
                (c, t) -> c.output(Kernels.indexSelect(t.array(), p)), (c, g) -> indexAdd(g, p)).apply(x);
    }

    /** Zeros of the picked-from shape with block j of x added at pick j (repeats accumulate). */
    private static Tensor indexAdd(Tensor x, Kernels.Picks p) {
        return unary("indexAdd", "1 at the entries added to", (c, t) -> c.output(Kernels.indexAdd(t.array(), p)),
                (c, g) -> indexSelect(g, p)).apply(x);
    }

    /** Tensors joined along {@code axis}, all other sizes equal: each gets its slice of the gradient. */
    static Tensor concat(int axis, Tensor[] ts) {
        if (ts.length == 0) {
            throw new ShapeException("concat: expected at least one tensor");
        }
        int a = Shapes.axis("concat", axis, ts[0].dim());
        long[] offsets = new long[ts.length + 1];
        for (int i = 0; i < ts.length; i++) {
            long[] si = ts[i].shape();
            long[] expected = ts[0].shape();
            if (si.length == expected.length) {
                expected[a] = si[a];
            }
            if (!Arrays.equals(expected, si) || ts[i].dtype() != ts[0].dtype()) {
                throw new ShapeException("concat: tensor " + i + " has shape " + ts[i].shapeString() + " and dtype "
                        + ts[i].dtype() + ", but tensor 0 has " + ts[0].shapeString() + " and " + ts[0].dtype()
                        + "; all sizes but axis " + axis + " must match");
            }
            offsets[i + 1] = offsets[i] + si[a];
        }
        return op("concat", (c, x) -> {
            INDArray[] arrays = new INDArray[x.length];
            for (int i = 0; i < x.length; i++) {
                arrays[i] = x[i].array();
            }
            return c.output(ArrayOps.concat(a, arrays));
        }, (c, g) -> {
            Tensor[] parts = new Tensor[ts.length];
            for (int i = 0; i < ts.length; i++) {
                parts[i] = g.slice(a, offsets[i], offsets[i + 1]);
            }
            return parts;
        }, Collections.nCopies(ts.length, "1 (its slice)").toArray(new String[0])).apply(ts);
    }

    /**
     * Entries of x picked along {@code dim} by the int64 {@code index} (torch.gather): the gradient is scatter-added
     * back, so repeated indices accumulate.
     */
    static Tensor gather(Tensor x, int dim, Tensor index) {
        checkIndex("gather", dim, index, x);
        return gatherValid(x, dim, index);
    }

    /** {@link #gather} of an index known to be valid (one the engine made). */
    private static Tensor gatherValid(Tensor x, int dim, Tensor index) {
        long[] shape = x.shape();
        return op("gather", (c, t) -> {
            c.save(t[1]);
            return c.output(ArrayOps.gather(t[0].array(), dim, t[1].array()));
        }, (c, g) -> tensors(c.inputGrad(0, () -> scatterAddValid(Tensor.zerosOf(g.dtype(), shape), dim,
                c.saved(0), g)),
                null), "1 at each gathered entry (summed over repeats)", "-").apply(x, index);
    }

    /**
     * {@code base} plus each entry of {@code src} added at the position {@code index} names along {@code dim}
     * (torch.scatter_add, out of place; src has index's shape): d/dbase = 1, d/dsrc = the gradient gathered at index.
     */
    static Tensor scatterAdd(Tensor base, int dim, Tensor index, Tensor src) {
        if (src.dtype() != base.dtype() || !Arrays.equals(src.shape(), index.shape())) {
            throw new ShapeException("scatterAdd: expected src of dtype " + base.dtype() + " and the index's shape "
                    + index.shapeString() + ", got " + src.shapeString() + " " + src.dtype());
        }
        checkIndex("scatterAdd", dim, index, base);
        return scatterAddValid(base, dim, index, src);
    }

    /** {@link #scatterAdd} of an index known to be valid (one the engine made). */
    static Tensor scatterAddValid(Tensor base, int dim, Tensor index, Tensor src) {
        return op("scatterAdd", (c, t) -> {
            c.save(t[1]);
            return c.output(ArrayOps.scatterAdd(t[0].array(), dim, t[1].array(), t[2].array()));
        }, (c, g) -> tensors(c.inputGrad(0, () -> g), null, c.inputGrad(2, () -> gatherValid(g, dim, c.saved(0)))),
                "1", "-", "1 gathered at index").apply(base, index, src);
    }

    /**
     * The sliding windows of x (N, C, H, W) as columns (C·kh·kw, N·oh·ow), padding read as {@code fill} (im2col,
     * {@link Unfold}): the gradient is folded back (col2im), whose own gradient is this op again, with zero fill.
     */
    static Tensor unfold(Tensor x, Unfold.Geometry g, double fill) {
        if (!java.util.Arrays.equals(x.shape(), g.input())) {
            throw new ShapeException("unfold: expected input of shape " + Shapes.str(g.input()) + ", got "
                    + x.shapeString());
        }
        return unary("unfold", "1 at each window entry it fills (summed back by fold)",
                (c, t) -> c.output(Unfold.unfold(t.array(), g, fill)), (c, grad) -> fold(grad, g)).apply(x);
    }

    /** The adjoint of {@link #unfold}: columns (C·kh·kw, N·oh·ow) summed back into (N, C, H, W) (col2im). */
    static Tensor fold(Tensor cols, Unfold.Geometry g) {
        return unary("fold", "1 (unfolded back)", (c, t) -> c.output(Unfold.fold(t.array(), g)),
                (c, grad) -> unfold(grad, g, 0)).apply(cols);
    }

    /**
     * Max pooling of x (N, C, H, W) over the windows of {@code g} ({@link Pool}): each output the first largest input
     * of its window, its gradient to that input alone (as PyTorch's {@code max_pool2d}); the backward scatters
     * along the kept offsets, and its own gradient selects along them, so it differentiates again.
     */
    static Tensor maxPool(Tensor x, Unfold.Geometry g) {
        int[] at = new int[(int) (g.n() * g.c() * g.oh() * g.ow())];
        return unary("maxPool", "1 at the window's maximum, 0 elsewhere",
                (c, t) -> c.output(Pool.max(t.array(), g, at)), (c, grad) -> poolScatter(grad, at, g)).apply(x);
    }

    /** The gradient of {@link #maxPool}: dy added at the maxima's offsets into zeros of the input's shape. */
    private static Tensor poolScatter(Tensor dy, int[] at, Unfold.Geometry g) {
        return unary("maxPoolBackward", "1 at each maximum's offset",
                (c, t) -> c.output(Pool.scatter(t.array(), at, g)), (c, grad) -> unary("maxPoolSelect",
                        "1 at each maximum's offset", (c2, t) -> c2.output(Pool.select(t.array(), at, g)),
                        (c2, gg) -> poolScatter(gg, at, g)).apply(grad)).apply(dy);
    }

    /** x in a plain C-order array of its own (itself when it has one), as {@code Tensor.contiguous}: d/dx = 1. */
    static Tensor contiguous(Tensor x) {
        return NdArrays.isPlain(x.array()) ? x : unary("contiguous", "1", (c, t) -> c.output(Kernels.copy(t.array())),
                (c, g) -> g).apply(x);
    }

    /**
     * Checks an index tensor: integer, of {@code target}'s rank, no larger than it along the other dims, and every
     * entry in [0, target's size along dim).
     */
    private static void checkIndex(String op, int dim, Tensor index, Tensor target) {
        if (index.dtype().isFPType() || index.dim() != target.dim()) {
            throw new ShapeException(op + ": expected an integer index of rank " + target.dim() + ", got "
                    + index.dtype() + " of shape " + index.shapeString());
        }
        for (int d = 0; d < target.dim(); d++) {
            if (d != dim && index.size(d) > target.size(d)) {
                throw new ShapeException(op + ": index of shape " + index.shapeString() + " is larger than "
                        + target.shapeString() + " in dim " + d);
            }
        }
        for (double v : index.toDoubleArray()) {
            if (v < 0 || v >= target.size(dim)) {
                throw new ShapeException(op + ": index " + (long) v + " is out of range for dim " + dim + " of size "
                        + target.size(dim));
            }
        }
    }
}
