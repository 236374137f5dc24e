package ndgrad.autograd;

import static ndgrad.autograd.Definition.op;
import static ndgrad.autograd.Definition.unary;
import static ndgrad.autograd.Function.tensors;

import java.util.Arrays;
import java.util.Collections;
import ndgrad.core.NdArrays;
import ndgrad.core.ShapeException;
import ndgrad.core.Shapes;
import ndgrad.core.kernels.Copies;
import ndgrad.core.kernels.Indexing;
import ndgrad.core.kernels.Pooling;
import ndgrad.core.kernels.Unfold;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * The shape and indexing ops, each one definition. Each backward is the adjoint op: reshape back, the inverse
 * permutation, sum over what was expanded, pad what was sliced, scatter-add what was gathered.
 */
final class ShapeOps {
    private ShapeOps() {
    }

    /**
     * The same values in {@code shape} (one entry may be -1), as {@code torch.reshape}: like it, a view or a copy
     * (a copy of small arrays and of plain float arrays, cheaper than ND4J's view); x itself when the shape is
     * x's. The gradient is reshaped back.
     */
    static Tensor reshape(Tensor x, long... shape) {
        long[] to = inferShape(x, shape);
        if (Arrays.equals(to, x.shape())) {
            return x;
        }
        long[] from = x.shape();
        return unary("reshape", "reshape back", (c, a) -> c.output(Copies.reshape(a.array(), to)),
                (c, g) -> g.reshape(from)).apply(x);
    }

    /** The same memory seen as {@code shape} (one entry may be -1), as {@code torch.view}: never a copy. */
    static Tensor view(Tensor x, long... shape) {
        long[] to = inferShape(x, shape);
        if (Arrays.equals(to, x.shape())) {
            return x;
        }
        if (!Copies.viewable(x.array(), to)) {
            throw new ShapeException("view: " + x.describe() + " is not contiguous in C order, so it cannot be seen "
                    + "as " + Shapes.str(to) + " without a copy; use reshape(...) instead");
        }
        long[] from = x.shape();
        return unary("view", "reshape back", (c, a) -> c.output(Copies.viewAs(a.array(), to)),
                (c, g) -> g.reshape(from)).apply(x);
    }

    /** {@code shape} with its -1 (if any) filled in from x's element count; refused if it cannot hold them. */
    private static long[] inferShape(Tensor x, long[] shape) {
        long[] out = shape.clone();
        long numel = x.numel();
        int free = -1;
        long known = 1;
        for (int i = 0; i < out.length; i++) {
            if (out[i] == -1 && free < 0) {
                free = i;
            } else if (out[i] < 0) {
                throw new ShapeException("reshape: invalid shape " + Shapes.str(shape)
                        + " (sizes must be >= 0, with at most one -1)");
            } else {
                known *= out[i];
            }
        }
        if (free >= 0 && known > 0 && numel % known == 0) {
            out[free] = numel / known;
        }
        if (Shapes.numel(out) != numel || (free >= 0 && known == 0)) {
            throw new ShapeException("reshape: cannot view shape " + x.shapeString() + " (" + numel
                    + " elements) as " + Shapes.str(shape));
        }
        return out;
    }

    /** Dimensions reordered (a view): result dim i is x's dim {@code dims[i]}; the gradient takes the inverse order. */
    static Tensor permute(Tensor x, int... dims) {
        int rank = x.dim();
        if (dims.length != rank) {
            throw new ShapeException("permute: " + Arrays.toString(dims) + " has " + dims.length
                    + " dims, tensor has shape " + x.shapeString());
        }
        int[] d = new int[rank];
        int[] inverse = new int[rank];
        boolean[] seen = new boolean[rank];
        for (int i = 0; i < rank; i++) {
            d[i] = Shapes.axis("permute", dims[i], rank);
            if (seen[d[i]]) {
                throw new ShapeException("permute: dim " + dims[i] + " repeats in " + Arrays.toString(dims));
            }
            seen[d[i]] = true;
            inverse[d[i]] = i;
        }
        return unary("permute", "permute back", (c, a) -> c.output(Copies.permute(a.array(), d)),
                (c, g) -> g.permute(inverse)).apply(x);
    }

    /** Dims {@code a} and {@code b} swapped: a {@link #permute}. */
    static Tensor transpose(Tensor x, int a, int b) {
        int[] d = new int[x.dim()];
        Arrays.setAll(d, i -> i);
        int i = Shapes.axis("transpose", a, x.dim());
        int j = Shapes.axis("transpose", b, x.dim());
        d[i] = j;
        d[j] = i;
        return permute(x, d);
    }

    /** The transpose of a 2-D tensor. */
    static Tensor t(Tensor x) {
        if (x.dim() != 2) {
            throw new ShapeException("t: expected a 2-D tensor, got shape " + x.shapeString()
                    + "; use transpose(a, b) or permute");
        }
        return transpose(x, 0, 1);
    }

    /** A size-1 dimension inserted at {@code axis} (a reshape). */
    static Tensor unsqueeze(Tensor x, int axis) {
        int a = Shapes.axis("unsqueeze", axis, x.dim() + 1);
        long[] from = x.shape();
        long[] s = new long[from.length + 1];
        for (int i = 0, j = 0; i < s.length; i++) {
            s[i] = i == a ? 1 : from[j++];
        }
        return reshape(x, s);
    }

    /** The size-1 dimension {@code axis} removed (a reshape). */
    static Tensor squeeze(Tensor x, int axis) {
        int a = Shapes.axis("squeeze", axis, x.dim());
        long[] from = x.shape();
        if (from[a] != 1) {
            throw new ShapeException("squeeze: dimension " + axis + " of shape " + x.shapeString()
                    + " has size " + from[a] + ", expected 1");
        }
        long[] s = new long[from.length - 1];
        for (int i = 0, j = 0; i < from.length; i++) {
            if (i != a) {
                s[j++] = from[i];
            }
        }
        return reshape(x, s);
    }

    /** Broadcast to {@code shape} (a copy; x itself when already that shape): the gradient is summed back. */
    static Tensor expand(Tensor x, long... shape) {
        long[] from = x.shape();
        if (!Arrays.equals(Shapes.broadcast("expand", from, shape), shape)) {
            throw new ShapeException("expand: shape " + x.shapeString() + " cannot be expanded to "
                    + Shapes.str(shape));
        }
        if (Arrays.equals(from, shape)) {
            return x;
        }
        return unary("expand", "1 (summed back)", (c, a) -> c.output(a.broadcastData(shape)),
                (c, g) -> g.sumTo(from)).apply(x);
    }

    /**
     * Elements {@code start} (inclusive) to {@code end} (exclusive) along {@code axis}, negatives counting back (a
     * view): the gradient is padded back with zeros.
     */
    static Tensor slice(Tensor x, int axis, long start, long end) {
        int a = Shapes.axis("slice", axis, x.dim());
        long n = x.size(a);
        long s = start < 0 ? start + n : start;
        long e = end < 0 ? end + n : end;
        if (s < 0 || e > n || s > e) {
            throw new ShapeException("slice: range [" + start + ", " + end + ") is out of bounds for axis " + axis
                    + " of shape " + x.shapeString());
        }
        return unary("slice", "1 inside the slice, 0 outside", (c, t) -> c.output(Copies.slice(t.array(), a, s, e)),
                (c, g) -> g.pad(a, s, n - e)).apply(x);
    }

    /** Zeros added along {@code axis}, {@code before} and {@code after}: the gradient is the slice that holds x. */
    static Tensor pad(Tensor x, int axis, long before, long after) {
        int a = Shapes.axis("pad", axis, x.dim());
        if (before < 0 || after < 0) {
            throw new ShapeException("pad: expected non-negative padding, got before=" + before + ", after=" + after);
        }
        long n = x.size(a);
        return unary("pad", "1 (sliced back)", (c, t) -> c.output(Copies.pad(t.array(), a, before, after)),
                (c, g) -> g.slice(a, before, before + n)).apply(x);
    }

    /** Index {@code index} (negative counts back) along {@code axis}, that axis dropped: a slice and a squeeze. */
    static Tensor select(Tensor x, String op, int axis, long index) {
        int a = Shapes.axis(op, axis, x.dim());
        long n = x.size(a);
        long i = index < 0 ? index + n : index;
        if (i < 0 || i >= n) {
            throw new ShapeException(op + ": index " + index + " is out of range for axis " + a + " of shape "
                    + x.shapeString());
        }
        return squeeze(slice(x, a, i, i + 1), a);
    }

    /**
     * The slices of x along {@code axis}, that axis dropped, as {@code torch.unbind} but copies (ND4J's views cost
     * more than copying a slice): one op with an output per slice, whose backward stacks the slices' gradients (zeros
     * for a slice without one) in one array.
     */
    static Tensor[] unbind(Tensor x, int axis) {
        int a = Shapes.axis("unbind", axis, x.dim());
        int n = Math.toIntExact(x.size(a));
        return new Function("unbind", "1 (the slices' gradients stacked back)") {
            @Override
            protected Tensor[] forward(Context c, Tensor... in) {
                Tensor[] out = new Tensor[n];
                long[] shape = Shapes.dropDims(in[0].shape(), new int[] {a});
                for (int i = 0; i < n; i++) {
                    out[i] = c.output(Copies.cut(in[0].array(), a, i, i + 1, shape));
                }
                return out;
            }

            @Override
            protected Tensor[] backward(Context c, Tensor... g) {
                return tensors(stack(a, g));
            }
        }.applyAll(x);
    }

    /**
     * x split along {@code axis} into {@code chunks} pieces of ceil(n / chunks) entries (the last smaller, and fewer
     * pieces when fewer fill it), as {@code torch.chunk} but copies: one op with an output per piece, whose backward
     * joins the pieces' gradients (zeros for a piece without one).
     */
    static Tensor[] chunk(Tensor x, int chunks, int axis) {
        int a = Shapes.axis("chunk", axis, x.dim());
        if (chunks <= 0) {
            throw new ShapeException("chunk: expected a positive number of chunks, got " + chunks);
        }
        long n = x.size(a);
        long size = Math.max(1, (n + chunks - 1) / chunks);
        int pieces = (int) Math.max(1, (n + size - 1) / size);
        return new Function("chunk", "1 (the pieces' gradients joined back)") {
            @Override
            protected Tensor[] forward(Context c, Tensor... in) {
                Tensor[] out = new Tensor[pieces];
                for (int i = 0; i < pieces; i++) {
                    long start = i * size;
                    long[] shape = in[0].shape();
                    shape[a] = Math.min(n, start + size) - start;
                    out[i] = c.output(Copies.cut(in[0].array(), a, start, start + shape[a], shape));
                }
                return out;
            }

            @Override
            protected Tensor[] backward(Context c, Tensor... g) {
                return tensors(concat(a, g));
            }
        }.applyAll(x);
    }

    /**
     * Tensors of one shape and dtype stacked along a new dimension {@code axis}, copied into one array: the adjoint
     * of {@link #unbind}, which gives each its gradient.
     */
    static Tensor stack(int axis, Tensor... ts) {
        if (ts.length == 0) {
            throw new ShapeException("stack: expected at least one tensor");
        }
        int a = Shapes.axis("stack", axis, ts[0].dim() + 1);
        for (int i = 0; i < ts.length; i++) {
            if (!Arrays.equals(ts[i].shape(), ts[0].shape()) || ts[i].dtype() != ts[0].dtype()) {
                throw new ShapeException("stack: tensor " + i + " has shape " + ts[i].shapeString() + " and dtype "
                        + ts[i].dtype() + ", tensor 0 has " + ts[0].shapeString() + " and " + ts[0].dtype()
                        + "; all must be equal");
            }
        }
        return op("stack", (c, x) -> {
            INDArray[] arrays = new INDArray[x.length];
            for (int i = 0; i < x.length; i++) {
                arrays[i] = x[i].array();
            }
            return c.output(Copies.stack(a, arrays));
        }, (c, g) -> unbind(g, a), "1 (the gradient unbound)").apply(ts);
    }

    /**
     * Entries {@code indices} along axis {@code a} (negative counts from the end; a row copy): the gradient is scatter-added back. The indices
     * are checked and turned into block offsets once, at the forward, which every backward uses.
     */
    static Tensor indexSelect(Tensor x, int a, long[] indices) {
        return indexSelect(x, Indexing.picks("indexSelect", x.shape(), a, indices));
    }

    private static Tensor indexSelect(Tensor x, Indexing.Picks p) {
        return unary("indexSelect", "1 at the selected entries (summed over repeats)",
                (c, t) -> c.output(Indexing.indexSelect(t.array(), p)), (c, g) -> indexAdd(g, p)).apply(x);
    }

    /** Zeros of the picked-from shape with block j of x added at pick j (repeats accumulate). */
    private static Tensor indexAdd(Tensor x, Indexing.Picks p) {
        return unary("indexAdd", "1 at the entries added to", (c, t) -> c.output(Indexing.indexAdd(t.array(), p)),
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
            return c.output(Copies.concat(a, arrays));
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
        int d = Shapes.axis("gather", dim, x.dim());
        checkIndex("gather", d, index, x);
        return gatherValid(x, d, index);
    }

    /**
     * x sorted along {@code dim}, stably, and the indices that sort it, as {@code torch.sort(x, dim, descending,
     * stable=True)}: the values are x gathered at the indices, so the gradient goes back to where each came from.
     */
    static Tensor.ValuesIndices sort(Tensor x, int dim, boolean descending) {
        int d = Shapes.axis("sort", dim, x.dim());
        Tensor index = Tensor.constant(Indexing.sortIndices(x.array(), d, descending));
        return new Tensor.ValuesIndices(gatherValid(x, d, index), index);
    }

    /**
     * The k largest (or smallest) entries along {@code dim}, in order, and their indices, as {@code torch.topk(x, k,
     * dim, largest, sorted=True)}; of equal entries the first comes first.
     */
    static Tensor.ValuesIndices topk(Tensor x, int k, int dim, boolean largest) {
        int d = Shapes.axis("topk", dim, x.dim());
        if (k < 0 || k > x.size(d)) {
            throw new ShapeException("topk: k = " + k + " is out of range for dim " + d + " of size " + x.size(d)
                    + " (input " + x.shapeString() + ")");
        }
        Tensor index = Tensor.constant(Indexing.sortIndices(x.array(), d, largest)).slice(d, 0, k).contiguous();
        return new Tensor.ValuesIndices(gatherValid(x, d, index), index);
    }

    /** {@link #gather} of an index known to be valid (one the engine made). */
    private static Tensor gatherValid(Tensor x, int dim, Tensor index) {
        long[] shape = x.shape();
        return op("gather", (c, t) -> {
            c.save(t[1]);
            return c.output(Indexing.gather(t[0].array(), dim, t[1].array()));
        }, (c, g) -> tensors(c.inputGrad(0, () -> scatterAddValid(Tensor.zerosOf(g.dtype(), shape), dim,
                c.saved(0), g)),
                null), "1 at each gathered entry (summed over repeats)", "-").apply(x, index);
    }

    /**
     * {@code base} plus each entry of {@code src} added at the position {@code index} names along {@code dim}
     * (torch.scatter_add, out of place; src has index's shape): d/dbase = 1, d/dsrc = the gradient gathered at index.
     */
    static Tensor scatterAdd(Tensor base, int dim, Tensor index, Tensor src) {
        int d = Shapes.axis("scatterAdd", dim, base.dim());
        if (src.dtype() != base.dtype() || !Arrays.equals(src.shape(), index.shape())) {
            throw new ShapeException("scatterAdd: expected src of dtype " + base.dtype() + " and the index's shape "
                    + index.shapeString() + ", got " + src.shapeString() + " " + src.dtype());
        }
        checkIndex("scatterAdd", d, index, base);
        return scatterAddValid(base, d, index, src);
    }

    /** {@link #scatterAdd} of an index known to be valid (one the engine made). */
    static Tensor scatterAddValid(Tensor base, int dim, Tensor index, Tensor src) {
        return op("scatterAdd", (c, t) -> {
            c.save(t[1]);
            return c.output(Indexing.scatterAdd(t[0].array(), dim, t[1].array(), t[2].array()));
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
     * Max pooling of x (N, C, H, W) over the windows of {@code g} ({@link Pooling}): each output the first largest input
     * of its window, its gradient to that input alone (as PyTorch's {@code max_pool2d}); the backward scatters
     * along the kept offsets, and its own gradient selects along them, so it differentiates again.
     */
    static Tensor maxPool(Tensor x, Unfold.Geometry g) {
        if (!Arrays.equals(x.shape(), g.input())) {
            throw new ShapeException("maxPool2d: expected input of shape " + Shapes.str(g.input()) + ", got "
                    + x.shapeString());
        }
        if (x.dtype() != DataType.FLOAT && x.dtype() != DataType.DOUBLE) {
            throw new ShapeException("maxPool2d: expected a float32 or float64 input (as PyTorch's max_pool2d on the "
                    + "CPU), got " + x.dtype() + "; convert it with x.to(DataType.FLOAT)");
        }
        long n = g.n() * g.c() * g.oh() * g.ow();
        // the maxima's offsets: an int32 array the graph keeps for the backward (then the pool), not heap garbage
        return unary("maxPool", "1 at the window's maximum, 0 elsewhere", (c, t) -> c.output(Pooling.max(t.array(), g,
                c.scratch(DataType.INT, n).array())), (c, grad) -> poolScatter(grad, c.saved(0), g)).apply(x);
    }

    /**
     * The gradient of {@link #maxPool}: dy added at the maxima's offsets {@code at} (an int32 tensor) into zeros of the
     * input's shape; its own gradient reads gg back at them ({@code maxPoolSelect}), whose gradient is this again.
     */
    private static Tensor poolScatter(Tensor dy, Tensor at, Unfold.Geometry g) {
        return op("maxPoolBackward", (c, x) -> {
            c.save(x[1]);
            return c.output(Pooling.scatter(x[0].array(), x[1].array(), g));
        }, (c, grad) -> tensors(op("maxPoolSelect", (c2, x) -> {
            c2.save(x[1]);
            return c2.output(Pooling.select(x[0].array(), x[1].array(), g));
        }, (c2, gg) -> tensors(poolScatter(gg, c2.saved(0), g), null), "1 at each maximum's offset", "-")
                .apply(grad, c.saved(0)), null), "1 at each maximum's offset", "-").apply(dy, at);
    }

    /** x in a plain C-order array of its own (itself when it has one), as {@code Tensor.contiguous}: d/dx = 1. */
    static Tensor contiguous(Tensor x) {
        return NdArrays.isPlain(x.array()) ? x : unary("contiguous", "1", (c, t) -> c.output(Copies.copy(t.array())),
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
