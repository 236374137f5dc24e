package ndgrad.autograd;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.UnaryOperator;
import ndgrad.core.DTypes;
import ndgrad.core.NdArrays;
import ndgrad.core.Rng;
import ndgrad.core.ShapeException;
import ndgrad.core.Shapes;
import ndgrad.core.kernels.Copies;
import ndgrad.core.kernels.Pointwise;
import ndgrad.core.kernels.Products;
import ndgrad.core.kernels.Unfold;
import ndgrad.core.memory.Scope;
import ndgrad.core.memory.Storage;
import ndgrad.core.kernels.Pointwise.Comparison;
import ndgrad.core.kernels.Pointwise.Scalar;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * An n-dimensional array that records the operations applied to it, so gradients can flow back through them
 * (reverse-mode automatic differentiation, as in PyTorch and micrograd).
 *
 * <p>Each op below is written as its forward value plus a backward rule that turns the gradient of its output into
 * gradients for its inputs. Backward rules are themselves written with tensor ops, so with
 * {@code GradOptions.createGraph} the backward pass is recorded too and can be differentiated again. Broadcasting
 * follows NumPy; the engine sums a broadcast input's gradient back to its shape.
 *
 * <p>Memory: arrays that ndgrad creates belong to the innermost open {@link Scope} of the thread, if any, and are
 * closed with it. A tensor's gradient buffer is never owned by a scope.
 *
 * <p>Usage: {@code Tensor x = Tensor.scalar(2).requiresGrad(); x.mul(x).backward(); x.grad().item(); // 4.0}
 */
public final class Tensor {
    private INDArray data;
    private final int[] version;
    /** Who may let {@link #data} go, and when (a view's: its base's lease). */
    private Storage storage;
    private Function.Context node;
    private boolean requiresGrad;
    private Tensor grad;
    private boolean gradOwned;
    /** The owned gradient buffer holds stale values that count as zeros (set by zeroGrad only when gradOwned). */
    private boolean gradZeroed;
    private boolean retainGrad;
    private String name;
    private List<UnaryOperator<Tensor>> hooks;

    private Tensor(Storage storage, int[] version) {
        this.data = storage.array();
        this.version = version;
        this.storage = storage;
    }

    /** A tensor over an array that nothing may release (a leaf's gradient buffer). */
    private static Tensor unowned(INDArray array) {
        return new Tensor(Storage.pinned(array), new int[1]);
    }

    /**
     * A tensor with no graph over a new array the library computed (a factory's result, a mask, indices, a factor
     * in a backward rule): no graph retires it ({@link Storage#value}).
     */
    static Tensor constant(INDArray array) {
        return new Tensor(Storage.value(array), new int[1]);
    }

    /** A tensor over an op's new output array ({@link Storage#output}). */
    static Tensor adopted(INDArray array) {
        return new Tensor(Storage.output(array), new int[1]);
    }

    /** A tensor over {@code base}'s memory: a view, sharing its version counter and lease. */
    static Tensor viewOf(Tensor base, INDArray view) {
        return new Tensor(base.storage.view(view), base.version);
    }

    /** A view of all of {@code base}, with no graph. */
    static Tensor viewOf(Tensor base) {
        return viewOf(base, base.data);
    }

    /** The array without the release check, for telling views apart. */
    INDArray dataUnchecked() {
        return data;
    }

    // ---------------------------------------------------------------- factories

    /**
     * Wraps an existing array (no copy; its dtype is kept). The caller keeps owning it; when an open scope owns it
     * (or the array a view looks into), the tensor refuses to read it after that scope closes.
     */
    public static Tensor of(INDArray array) {
        return new Tensor(Storage.borrowed(array), new int[1]);
    }

    /** A 1-D tensor of the default dtype ({@link DTypes}). */
    public static Tensor of(double... values) {
        return of(values, values.length);
    }

    /** A tensor of the default dtype with {@code values} in C order and the given shape. */
    public static Tensor of(double[] values, long... shape) {
        return constant(NdArrays.create(values, fills(values.length, shape), DTypes.defaultType()));
    }

    /** {@code shape}, checked to hold {@code n} values. */
    private static long[] fills(int n, long[] shape) {
        if (n != Shapes.numel(Shapes.check("Tensor.of", shape))) {
            throw new ShapeException("Tensor.of: " + n + " values do not fill shape " + Shapes.str(shape) + " ("
                    + Shapes.numel(shape) + " elements)");
        }
        return shape;
    }

    /**
     * An int64 tensor with {@code values} in C order and the given shape (ids, class indices), as
     * {@code torch.tensor(values)} with integers. Usage: {@code Tensor ids = Tensor.of(new long[] {3, 1, 4, 1}, 2, 2);}
     */
    public static Tensor of(long[] values, long... shape) {
        return constant(NdArrays.create(values, fills(values.length, shape)));
    }

    /** An int32 tensor with {@code values} in C order and the given shape, as {@code torch.tensor(..., dtype=int32)}. */
    public static Tensor of(int[] values, long... shape) {
        return constant(NdArrays.create(values, fills(values.length, shape)));
    }

    /** A 2-D tensor of the default dtype from rows of equal length. */
    public static Tensor of(double[][] rows) {
        int cols = rows.length == 0 ? 0 : rows[0].length;
        double[] flat = new double[rows.length * cols];
        for (int r = 0; r < rows.length; r++) {
            if (rows[r].length != cols) {
                throw new ShapeException("Tensor.of: row " + r + " has " + rows[r].length + " values, row 0 has "
                        + cols);
            }
            System.arraycopy(rows[r], 0, flat, r * cols, cols);
        }
        return of(flat, rows.length, cols);
    }

    /** A rank-0 tensor of the default dtype. */
    public static Tensor scalar(double value) {
        return of(new double[] {value}, new long[0]);
    }

    /** Zeros of the default dtype. */
    public static Tensor zeros(long... shape) {
        return fullOf(0, DTypes.defaultType(), Shapes.check("zeros", shape));
    }

    /** Ones of the default dtype. */
    public static Tensor ones(long... shape) {
        return fullOf(1, DTypes.defaultType(), Shapes.check("ones", shape));
    }

    /** A tensor of the default dtype filled with {@code value}. */
    public static Tensor full(double value, long... shape) {
        return fullOf(value, DTypes.defaultType(), Shapes.check("full", shape));
    }

    /** An int64 tensor filled with {@code value}, as {@code torch.full(shape, value)} with an integer. */
    public static Tensor full(long value, long... shape) {
        long[] v = new long[Math.toIntExact(Shapes.numel(Shapes.check("full", shape)))];
        Arrays.fill(v, value);
        return of(v, shape);
    }

    /** Zeros with {@code t}'s shape and dtype. */
    public static Tensor zerosLike(Tensor t) {
        return fullOf(0, t.dtype(), t.shape());
    }

    /** Ones with {@code t}'s shape and dtype. */
    public static Tensor onesLike(Tensor t) {
        return fullOf(1, t.dtype(), t.shape());
    }

    /** Standard normal samples of the default dtype, drawn from {@code rng}. */
    public static Tensor randn(Rng rng, long... shape) {
        return constant(rng.normal(DTypes.defaultType(), Shapes.check("randn", shape)));
    }

    /** Samples uniform in [low, high) of the default dtype, drawn from {@code rng}. */
    public static Tensor uniform(Rng rng, double low, double high, long... shape) {
        return constant(rng.uniform(DTypes.defaultType(), low, high, Shapes.check("uniform", shape)));
    }

    /**
     * Of the default dtype: {@code value} with probability {@code prob}, else 0, drawn from {@code rng} (a dropout
     * mask with value 1/(1-p) and probability 1-p; PyTorch's {@code bernoulli_} times value).
     */
    public static Tensor bernoulli(Rng rng, double prob, double value, long... shape) {
        return constant(rng.bernoulli(DTypes.defaultType(), prob, value, Shapes.check("bernoulli", shape)));
    }

    /** 0, 1, …, end-1 (as {@code torch.arange(end)}). */
    public static Tensor arange(double end) {
        return arange(0, end, 1);
    }

    /** start, start+1, … while below {@code end}, as {@code torch.arange(start, end)}. */
    public static Tensor arange(double start, double end) {
        return arange(start, end, 1);
    }

    /** start, start+step, … while below {@code end} (above it for a negative step), as {@code torch.arange}. */
    public static Tensor arange(double start, double end, double step) {
        if (step == 0 || !Double.isFinite(start) || !Double.isFinite(end) || !Double.isFinite(step)) {
            throw new IllegalArgumentException("arange: expected finite start, end and a nonzero step, got start="
                    + start + ", end=" + end + ", step=" + step);
        }
        int n = (int) Math.max(0, Math.ceil((end - start) / step));
        double[] v = new double[n];
        for (int i = 0; i < n; i++) {
            v[i] = start + i * step;
        }
        return of(v);
    }

    /** start, start+1, … below {@code end} in int64, as {@code torch.arange(end)} with an integer. */
    public static Tensor arange(long end) {
        return arange(0, end, 1);
    }

    /** start, start+1, … below {@code end} in int64. */
    public static Tensor arange(long start, long end) {
        return arange(start, end, 1);
    }

    /** start, start+step, … below {@code end} (above it for a negative step) in int64. */
    public static Tensor arange(long start, long end, long step) {
        if (step == 0) {
            throw new IllegalArgumentException("arange: expected a nonzero step, got start=" + start + ", end=" + end
                    + ", step=0");
        }
        long n = Math.max(0, Math.floorDiv(end - start + step + (step > 0 ? -1 : 1), step));
        long[] v = new long[Math.toIntExact(n)];
        for (int i = 0; i < v.length; i++) {
            v[i] = start + i * step;
        }
        return of(v, v.length);
    }

    /** Zeros of {@code type}. */
    static Tensor zerosOf(DataType type, long... shape) {
        return fullOf(0, type, shape);
    }

    /** A constant of {@code type} and {@code shape} filled with {@code value}. */
    static Tensor fullOf(double value, DataType type, long... shape) {
        INDArray a = Scope.allocate(type, shape);
        Copies.fill(a, value);
        return constant(a);
    }


    // ---------------------------------------------------------------- state

    /**
     * The underlying array. Changing it directly bypasses in-place checks; prefer the in-place ops below. An array
     * handed out here is never recycled by the engine (it may only be freed by the scope that owns it, if any).
     */
    public INDArray data() {
        INDArray a = array();
        storage.pin();
        return a;
    }

    /** The underlying array for ndgrad's own use: checked, but not pinned as {@link #data()} does. */
    INDArray array() {
        if (isReleased()) {
            throw new IllegalStateException(describe() + (storage.floating()
                    ? " was released: backward() freed the graph that made or used it, and a later backward() "
                    + "reused its memory. Read it before the next backward() (item(), toDoubleArray()), or call "
                    + "keep() on it first"
                    : " was released when the Scope that owned it closed; create it outside the scope, or call "
                    + "keep() on it inside the scope"));
        }
        return data;
    }

    /** Whether this tensor's memory was let go (by its scope, or recycled after its graph was freed). */
    boolean isReleased() {
        return storage.released();
    }

    /** The shape (a copy); [] for a scalar. */
    public long[] shape() {
        return data.shape().clone();
    }

    /** The size of dimension {@code axis} (negative counts from the end). */
    public long size(int axis) {
        return data.size(Shapes.axis("size", axis, dim()));
    }

    /** The rank. */
    public int dim() {
        return data.rank();
    }

    /** The number of elements. */
    public long numel() {
        return data.length();
    }

    /** The element type. */
    public DataType dtype() {
        return data.dataType();
    }

    /** The value of a one-element tensor. */
    public double item() {
        if (numel() != 1) {
            throw new ShapeException("item: only one-element tensors have an item, got shape " + shapeString());
        }
        return array().getDouble(0);
    }

    /** The value at {@code index} (one entry per dimension). */
    public double get(long... index) {
        if (index.length != dim()) {
            throw new ShapeException("get: index " + Arrays.toString(index) + " has " + index.length
                    + " entries, tensor has shape " + shapeString());
        }
        return array().getDouble(index);
    }

    /** All values in C order, as doubles. */
    public double[] toDoubleArray() {
        return Copies.values(array());
    }

    /** Marks this leaf as requiring a gradient and returns it. */
    public Tensor requiresGrad() {
        return requiresGrad(true);
    }

    /** Sets whether this leaf requires a gradient; only leaves can change it, and only floating types need it. */
    public Tensor requiresGrad(boolean on) {
        if (!isLeaf()) {
            throw new AutogradException("requiresGrad: " + describe() + " is the result of '" + node.name()
                    + "'; only leaves can change requiresGrad. Use detach() to get a leaf.");
        }
        if (on) {
            DTypes.requireFloating("requiresGrad", dtype());
        }
        requiresGrad = on;
        return this;
    }

    /** Whether gradients flow to this tensor. */
    public boolean isRequiresGrad() {
        return requiresGrad;
    }

    /** True for tensors created by the user rather than by an op (PyTorch's {@code is_leaf}). */
    public boolean isLeaf() {
        return node == null;
    }

    /** Whether a gradient has been accumulated into this tensor. */
    public boolean hasGrad() {
        return grad != null;
    }

    /**
     * The accumulated gradient. Only leaves that require grad (and tensors that called {@link #retainGrad()}) have
     * one, and only after a backward pass reached them.
     */
    public Tensor grad() {
        if (grad != null) {
            if (gradZeroed) {
                Copies.fill(grad.data, 0);
                gradZeroed = false;
            }
            return grad;
        }
        if (!requiresGrad) {
            throw new AutogradException("grad: " + describe() + " does not require grad, so it has no gradient; "
                    + "call requiresGrad() on it before building the graph");
        }
        if (!isLeaf() && !retainGrad) {
            throw new AutogradException("grad: " + describe() + " is not a leaf, so its gradient is not kept; call "
                    + "retainGrad() on it before backward(), or use Autograd.grad(output, it)");
        }
        throw new AutogradException("grad: " + describe() + " has no gradient yet; call backward() on an output "
                + "that depends on it");
    }

    /** Keeps this non-leaf's gradient in {@link #grad()} during backward, as PyTorch's {@code retain_grad}. */
    public Tensor retainGrad() {
        if (!requiresGrad) {
            throw new AutogradException("retainGrad: " + describe() + " does not require grad");
        }
        retainGrad = true;
        return this;
    }

    boolean retainsGrad() {
        return retainGrad;
    }

    /**
     * Sets this leaf's gradient to a copy of {@code g} (PyTorch's {@code p.grad = g}), for gradients that come from
     * elsewhere than backward, such as a numerical estimator; the gradient buffer is reused.
     */
    public Tensor setGrad(Tensor g) {
        if (!isLeaf() || !requiresGrad) {
            throw new AutogradException("setGrad: " + describe() + " is not a leaf that requires grad");
        }
        if (!Arrays.equals(g.shape(), shape()) || g.dtype() != dtype()) {
            throw new ShapeException("setGrad: gradient of shape " + g.shapeString() + " and dtype " + g.dtype()
                    + " for " + describe());
        }
        if (grad != null && gradOwned) {
            Copies.assign(grad.data, g.array());
            grad.version[0]++;
            gradZeroed = false;
        } else {
            grad = unowned(Copies.unownedCopy(g.array()));
            gradOwned = true;
        }
        return this;
    }

    /**
     * Zeros the gradient (its buffer is kept for the next backward, which then writes instead of adding, so zeroing
     * costs no pass over memory), or forgets a gradient recorded with createGraph.
     */
    public void zeroGrad() {
        if (grad == null) {
            return;
        }
        if (gradOwned) {
            gradZeroed = true;
            grad.version[0]++;
        } else {
            grad = null;
        }
    }

    /** A tensor sharing this one's values, with no graph and no grad (PyTorch's {@code detach}). */
    public Tensor detach() {
        array();
        return viewOf(this, data);
    }

    /**
     * Replaces this leaf's values with a copy of {@code value}'s, of any shape and dtype, as PyTorch's
     * {@code p.data = value}: the tensor stays the same object, so the layers and optimizers that hold it see the new
     * values; its gradient is cleared, and views made before keep the old values. Used by {@code Layer.to(dtype)}.
     *
     * <p>Usage: {@code weight.setData(weight.to(DataType.DOUBLE));}
     */
    public Tensor setData(Tensor value) {
        if (!isLeaf()) {
            throw new AutogradException("setData: " + describe() + " is the result of an op; only a leaf's values can "
                    + "be replaced");
        }
        INDArray copy = Copies.copy(value.array());
        Scope.release(copy);
        version[0]++;
        data = copy;
        storage = Storage.pinned(copy);
        grad = null;
        gradOwned = false;
        gradZeroed = false;
        return this;
    }

    /** A copy of the values with no graph (an owned array in the current scope). */
    public Tensor dup() {
        return constant(Copies.copy(array()));
    }

    /**
     * Releases this tensor's array from the current scope so it outlives it (with no scope open: exempts it from
     * the engine's recycling of freed graphs), and returns it detached (the graph that produced it is not kept).
     */
    public Tensor keep() {
        INDArray a = array();
        storage.keep();
        return viewOf(this, a);
    }

    /** Moves this tensor's array out of {@code scope} (if it owns it) to the enclosing one; returns it. */
    Tensor outlive(Scope scope) {
        storage.outlive(scope);
        return this;
    }

    /** Who may let this tensor's array go, and when. */
    Storage storage() {
        return storage;
    }

    /** Names this tensor for messages, pictures and traces; returns it. */
    public Tensor named(String name) {
        this.name = name;
        return this;
    }

    /** The name given with {@link #named}, or null. */
    public String name() {
        return name;
    }

    /** The op that produced this tensor, or null for a leaf. */
    public String op() {
        return node == null ? null : node.name();
    }

    /**
     * The graph node of the op that produced this tensor (PyTorch's {@code grad_fn}), or null for a leaf and for a
     * value computed without a graph. Usage: {@code y.node().inputs()}.
     */
    public Function.Context node() {
        return node;
    }

    int version() {
        return version[0];
    }

    /**
     * Registers a hook called with this tensor's gradient during backward; a non-null result replaces the gradient.
     */
    public Hook registerHook(UnaryOperator<Tensor> hook) {
        if (!requiresGrad) {
            throw new AutogradException("registerHook: " + describe() + " does not require grad");
        }
        if (hooks == null) {
            hooks = new ArrayList<>();
        }
        hooks.add(hook);
        return () -> hooks.remove(hook);
    }

    /** Removes a hook registered with {@link #registerHook}. */
    @FunctionalInterface
    public interface Hook {
        void remove();
    }

    /**
     * Runs the hooks on {@code g}; what a hook sees or returns may be kept by user code, so it moves out of the
     * engine's {@code temporaries} scope.
     */
    Tensor applyHooks(Tensor g, Scope temporaries) {
        Tensor out = g;
        if (hooks != null) {
            for (UnaryOperator<Tensor> h : hooks) {
                Tensor r = h.apply(out.outlive(temporaries));
                out = r == null ? out : r.outlive(temporaries);
            }
        }
        return out;
    }

    /**
     * Adds {@code g} into .grad. A leaf's gradient buffer belongs to no scope, so it outlives the step; a retained
     * intermediate's belongs to the current scope, like the intermediate itself.
     */
    void accumulateGrad(Tensor g, boolean createGraph) {
        if (gradZeroed) {
            gradZeroed = false;
            if (!createGraph) {
                Copies.assign(grad.data, g.array());
                grad.version[0]++;
                return;
            }
            grad = null;
        }
        if (createGraph) {
            grad = grad == null ? g : grad.add(g);
            gradOwned = false;
        } else if (grad == null || !gradOwned) {
            INDArray copy = Copies.unownedCopy(g.array());
            Tensor fresh = isLeaf() ? unowned(copy) : constant(copy);
            if (!isLeaf()) {
                fresh.storage.escape();
            }
            grad = grad == null ? fresh : fresh.addi(grad.detach());
            gradOwned = true;
        } else {
            grad.addi(g.detach());
        }
    }

    // ---------------------------------------------------------------- backward

    /** Backpropagates from this one-element tensor, accumulating into leaves' {@link #grad()}. */
    public void backward() {
        backward(null, GradOptions.defaults());
    }

    /** Backpropagates {@code gradOutput} (this tensor's shape) into leaves' {@link #grad()}. */
    public void backward(Tensor gradOutput) {
        backward(gradOutput, GradOptions.defaults());
    }

    /** Backpropagates with options (retainGraph, createGraph); {@code gradOutput} may be null for one element. */
    public void backward(Tensor gradOutput, GradOptions options) {
        Engine.run(List.of(this), gradOutput == null ? null : List.of(gradOutput), null, options);
    }

    // ---------------------------------------------------------------- recording

    /** Makes this output of {@code ctx}'s op part of the graph, or (not differentiable) a plain result. */
    void record(Function.Context ctx, boolean differentiable) {
        if (differentiable) {
            node = ctx;
            requiresGrad = true;
        } else {
            watchUnrecorded(ctx.inputs);
        }
    }

    /** For a result computed without a graph: see {@link Storage#unrecorded}. */
    void watchUnrecorded(Tensor[] inputs) {
        if (storage.unrecorded()) {
            List<Storage> in = new ArrayList<>(inputs.length);
            for (Tensor t : inputs) {
                in.add(t.storage);
            }
            storage.computedFrom(in);
        }
    }

    /** Checks that {@code o} can meet this tensor in a broadcasting op, and returns the result shape. */
    long[] checkBinary(String op, Tensor o) {
        if (dtype() != o.dtype()) {
            throw new ShapeException(op + ": dtypes differ: " + dtype() + " and " + o.dtype()
                    + "; convert one with to(DataType)");
        }
        o.array();
        array();
        return Shapes.broadcast(op, shape(), o.shape());
    }

    /**
     * This tensor's array broadcast to {@code shape} (itself when already that shape), as one new array: ND4J's
     * {@code broadcast} allocates temporaries of its own that only the garbage collector frees.
     */
    INDArray broadcastData(long[] shape) {
        if (Arrays.equals(shape(), shape)) {
            return array();
        }
        INDArray out = Scope.allocate(dtype(), shape);
        Copies.assign(out, array());
        return out;
    }

    // ---------------------------------------------------------------- elementwise arithmetic (see Elementwise)

    /** this + o, broadcasting. */
    public Tensor add(Tensor o) {
        return Elementwise.binary(Elementwise.ADD, this, o);
    }

    /** this - o, broadcasting. */
    public Tensor sub(Tensor o) {
        return Elementwise.binary(Elementwise.SUB, this, o);
    }

    /** this * o elementwise, broadcasting. */
    public Tensor mul(Tensor o) {
        return Elementwise.binary(Elementwise.MUL, this, o);
    }

    /** this / o elementwise, broadcasting. */
    public Tensor div(Tensor o) {
        return Elementwise.binary(Elementwise.DIV, this, o);
    }

    /** this + s. */
    public Tensor add(double s) {
        return Elementwise.add(this, s);
    }

    /** this - s. */
    public Tensor sub(double s) {
        return add(-s);
    }

    /** s - this (PyTorch's {@code rsub}). */
    public Tensor rsub(double s) {
        return neg().add(s);
    }

    /** this * s. */
    public Tensor mul(double s) {
        return Elementwise.mul(this, s);
    }

    /** this / s. */
    public Tensor div(double s) {
        return Elementwise.div(this, s);
    }

    /** s / this (PyTorch's {@code s / x}, {@code torch.Tensor.__rtruediv__}): the reciprocal times s. */
    public Tensor rdiv(double s) {
        return reciprocal().mul(s);
    }

    /** 1 / this ({@code torch.reciprocal}): d/dx = -1/x². */
    public Tensor reciprocal() {
        return Elementwise.RECIPROCAL.apply(this);
    }

    /** -this. */
    public Tensor neg() {
        return Elementwise.NEG.apply(this);
    }

    /** this^p for a constant p: d/dx = p x^(p-1) (zero for p = 0, as in PyTorch). */
    public Tensor pow(double p) {
        return Elementwise.pow(this, p);
    }

    /** this^e elementwise, broadcasting (see {@link Elementwise#pow(Tensor, Tensor)} for the gradient at 0). */
    public Tensor pow(Tensor e) {
        return Elementwise.pow(this, e);
    }

    /** Elementwise maximum, broadcasting; at ties each input gets half the gradient, as in PyTorch. */
    public Tensor maximum(Tensor o) {
        return Elementwise.extremum("maximum", this, o, true);
    }

    /** Elementwise minimum, broadcasting; at ties each input gets half the gradient, as in PyTorch. */
    public Tensor minimum(Tensor o) {
        return Elementwise.extremum("minimum", this, o, false);
    }

    /** {@code cond ? a : b} elementwise, broadcasting all three; {@code cond} is a bool mask (or nonzero for true). */
    public static Tensor where(Tensor cond, Tensor a, Tensor b) {
        return Elementwise.where(cond, a, b);
    }

    /** This tensor with {@code value} where {@code mask} is nonzero (PyTorch's {@code masked_fill}). */
    public Tensor maskedFill(Tensor mask, double value) {
        return Elementwise.maskedFill(this, mask, value);
    }

    // ---------------------------------------------------------------- comparisons (not differentiable)

    /** A bool mask, true where this > o (no gradient), broadcasting, as {@code torch.gt}. */
    public Tensor gt(Tensor o) {
        return Elementwise.compare(this, Comparison.GT, "gt", o);
    }

    /** A bool mask, true where this ≥ o (no gradient), broadcasting, as {@code torch.ge}. */
    public Tensor ge(Tensor o) {
        return Elementwise.compare(this, Comparison.GE, "ge", o);
    }

    /** A bool mask, true where this < o (no gradient), broadcasting, as {@code torch.lt}. */
    public Tensor lt(Tensor o) {
        return Elementwise.compare(this, Comparison.LT, "lt", o);
    }

    /** A bool mask, true where this ≤ o (no gradient), broadcasting, as {@code torch.le}. */
    public Tensor le(Tensor o) {
        return Elementwise.compare(this, Comparison.LE, "le", o);
    }

    /** A bool mask, true where this == o (no gradient), broadcasting, as {@code torch.eq}. */
    public Tensor eq(Tensor o) {
        return Elementwise.compare(this, Comparison.EQ, "eq", o);
    }

    /** A bool mask, true where this != o (no gradient), broadcasting, as {@code torch.ne}. */
    public Tensor ne(Tensor o) {
        return Elementwise.compare(this, Comparison.NE, "ne", o);
    }

    /** A bool mask, true where this > s. */
    public Tensor gt(double s) {
        return Elementwise.compare(this, Comparison.GT, s);
    }

    /** A bool mask, true where this < s. */
    public Tensor lt(double s) {
        return Elementwise.compare(this, Comparison.LT, s);
    }

    // ---------------------------------------------------------------- elementwise functions (see Elementwise)

    /** e^x. */
    public Tensor exp() {
        return Elementwise.EXP.apply(this);
    }

    /** Natural logarithm. */
    public Tensor log() {
        return Elementwise.LOG.apply(this);
    }

    /** ln(1 + x), accurate where x is tiny (as {@code torch.log1p}). Usage: {@code p.neg().log1p()}. */
    public Tensor log1p() {
        return Elementwise.LOG1P.apply(this);
    }

    /** sin x. */
    public Tensor sin() {
        return Elementwise.SIN.apply(this);
    }

    /** cos x. */
    public Tensor cos() {
        return Elementwise.COS.apply(this);
    }

    /** Square root. */
    public Tensor sqrt() {
        return Elementwise.SQRT.apply(this);
    }

    /** |x|; its gradient is sign(x), 0 at 0 (as PyTorch). */
    public Tensor abs() {
        return Elementwise.ABS.apply(this);
    }

    /** tanh x. */
    public Tensor tanh() {
        return Elementwise.TANH.apply(this);
    }

    /** The logistic sigmoid 1/(1+e^-x). */
    public Tensor sigmoid() {
        return Elementwise.SIGMOID.apply(this);
    }

    /** max(x, 0); its gradient is 1 where x > 0, else 0 (PyTorch's {@code threshold_backward}). */
    public Tensor relu() {
        return Elementwise.RELU.apply(this);
    }

    /** x where x > 0, else slope·x (PyTorch's {@code leaky_relu}, default slope 0.01). */
    public Tensor leakyRelu(double slope) {
        return Elementwise.leakyRelu(this, slope);
    }

    /** ln(1 + e^x), computed stably (PyTorch's {@code softplus}, beta 1). */
    public Tensor softplus() {
        return Elementwise.SOFTPLUS.apply(this);
    }

    /** The error function. */
    public Tensor erf() {
        return Elementwise.ERF.apply(this);
    }

    /** GELU x·Φ(x) = x/2 (1 + erf(x/√2)), PyTorch's default (Hendrycks &amp; Gimpel 2016); composed. */
    public Tensor gelu() {
        return Elementwise.gelu(this);
    }

    /** GELU's tanh approximation x/2 (1 + tanh(√(2/π)(x + 0.044715 x³))), PyTorch's approximate='tanh'. */
    public Tensor geluTanh() {
        return Elementwise.geluTanh(this);
    }

    /**
     * x limited to [min, max]; the gradient passes where min ≤ x ≤ max (PyTorch's {@code clamp}). Use infinities
     * for a one-sided clamp.
     */
    public Tensor clamp(double min, double max) {
        return Elementwise.clamp(this, min, max);
    }

    /**
     * Converts to {@code type} (a copy), as {@code torch.Tensor.to(dtype)}: between floating types the gradient is
     * converted back; to or from an integer or bool type (LONG, INT, BOOL) it is a cast with no gradient, floats
     * truncated toward zero.
     */
    public Tensor to(DataType type) {
        return Elementwise.to(this, type);
    }

    // ---------------------------------------------------------------- matrix product (see LinearAlgebra)

    /**
     * Matrix product as {@code torch.matmul}, for operands of any rank from 1: 1-D·1-D is the dot product (rank 0);
     * a 1-D first operand is taken as a row and a 1-D second one as a column, and that dimension is removed from the
     * result; 2-D products are one BLAS gemm; beyond that, the dimensions before the last two are batch dimensions
     * and broadcast, e.g. (2, 1, 3, 5)·(4, 5, 6) is (2, 4, 3, 6).
     */
    public Tensor matmul(Tensor o) {
        return LinearAlgebra.matmul(this, o);
    }

    /**
     * x·Wᵀ + b for x of shape (*, in), W of shape (out, in) and b of shape (out) or null, giving (*, out): PyTorch's
     * {@code F.linear}, as one node (x's leading dimensions are rows of one product, not copied).
     * Usage: {@code Tensor out = h.linear(w, b); // h (batch, steps, 128) and w (96, 128) give (batch, steps, 96)}
     */
    public Tensor linear(Tensor weight, Tensor bias) {
        return LinearAlgebra.linear(this, weight, bias);
    }

    // ---------------------------------------------------------------- shape ops

    /**
     * The same values in a new shape (one entry may be -1), as {@code torch.reshape}: like it, a view or a copy (a
     * copy of small arrays and of plain float arrays, which is cheaper than ND4J's view; {@link #view} always
     * shares memory).
     */
    public Tensor reshape(long... shape) {
        return ShapeOps.reshape(this, shape);
    }

    /**
     * The same memory seen in a new shape (one entry may be -1), as {@code torch.view}: in-place changes through
     * either show in both. Needs C-contiguous memory; use {@link #reshape} otherwise.
     */
    public Tensor view(long... shape) {
        return ShapeOps.view(this, shape);
    }

    /** A 1-D view of all elements. */
    public Tensor flatten() {
        return reshape(-1);
    }

    /** The dims from {@code startDim} on merged into one, as {@code torch.flatten(x, start_dim)}. */
    public Tensor flatten(int startDim) {
        int d = Shapes.axis("flatten", startDim, dim());
        long[] shape = Arrays.copyOf(shape(), d + 1);
        // the merged size counted, not inferred: an empty batch (0, C, H, W) becomes (0, C·H·W), as in PyTorch
        shape[d] = Shapes.numel(Arrays.copyOfRange(shape(), d, dim()));
        return reshape(shape);
    }

    /** Dimensions reordered: result dim i is input dim {@code dims[i]} ({@code torch.permute}). */
    public Tensor permute(int... dims) {
        return ShapeOps.permute(this, dims);
    }

    /** Dimensions {@code a} and {@code b} swapped. */
    public Tensor transpose(int a, int b) {
        return ShapeOps.transpose(this, a, b);
    }

    /** The transpose of a 2-D tensor. */
    public Tensor t() {
        return ShapeOps.t(this);
    }

    /** The last two dimensions swapped (PyTorch's {@code mT}). */
    public Tensor mT() {
        return transpose(-2, -1);
    }

    /** A dimension of size 1 inserted at {@code axis} (from -dim-1 to dim). */
    public Tensor unsqueeze(int axis) {
        return ShapeOps.unsqueeze(this, axis);
    }

    /** Dimension {@code axis} removed; it must have size 1. */
    public Tensor squeeze(int axis) {
        return ShapeOps.squeeze(this, axis);
    }

    /** Broadcast to {@code shape} (a copy), as {@code torch.expand}; the gradient is summed back. */
    public Tensor expand(long... shape) {
        return ShapeOps.expand(this, shape);
    }

    /**
     * Summed down to {@code shape}, of which this tensor's shape is a broadcast (PyTorch's {@code sum_to_size});
     * the adjoint of {@link #expand}.
     */
    public Tensor sumTo(long... shape) {
        return Reductions.sumTo(this, shape);
    }

    /** Elements {@code start} (inclusive) to {@code end} (exclusive) along {@code axis}; negatives count back. */
    public Tensor slice(int axis, long start, long end) {
        return ShapeOps.slice(this, axis, start, end);
    }

    /** Zeros added along {@code axis}: {@code before} in front, {@code after} behind; the adjoint of slice. */
    public Tensor pad(int axis, long before, long after) {
        return ShapeOps.pad(this, axis, before, after);
    }

    /** The sub-tensor at {@code index} along {@code axis} (negative counts back), that axis removed. */
    public Tensor select(int axis, long index) {
        return ShapeOps.select(this, "select", axis, index);
    }

    /** Row {@code i} (along axis 0; negative counts back). */
    public Tensor row(long i) {
        return ShapeOps.select(this, "row", 0, i);
    }

    /**
     * The entries at {@code indices} along {@code axis}, in that order, repeats allowed (torch.index_select); an
     * axis or index out of range is a {@link ShapeException}.
     */
    public Tensor indexSelect(int axis, long... indices) {
        return ShapeOps.indexSelect(this, axis, indices);
    }

    /** Tensors joined along {@code axis}; all other sizes must match. */
    public static Tensor concat(int axis, Tensor... ts) {
        return ShapeOps.concat(axis, ts);
    }

    /**
     * The slices along {@code axis}, that axis dropped, as {@code torch.unbind}: one op whose backward stacks the
     * slices' gradients. Usage: {@code Tensor[] steps = x.unbind(1); // (batch, seq, f) to seq tensors (batch, f)}
     */
    public Tensor[] unbind(int axis) {
        return ShapeOps.unbind(this, axis);
    }

    /**
     * This tensor split along {@code axis} into {@code chunks} pieces of ceil(n / chunks) entries, the last smaller,
     * as {@code torch.chunk}: one op whose backward joins the pieces' gradients. Usage: {@code Tensor[] ifgo =
     * gates.chunk(4, 1);}
     */
    public Tensor[] chunk(int chunks, int axis) {
        return ShapeOps.chunk(this, chunks, axis);
    }

    /**
     * The LSTM cell from this tensor's pre-activations (B, 4H) in PyTorch's gate order i, f, g, o and the state
     * {@code c} (B, H): returns {h, c'} with c' = σ(f)·c + σ(i)·tanh(g) and h = σ(o)·tanh(c'), fused into one op and
     * its backward into another (PyTorch's {@code _thnn_fused_lstm_cell}). Usage: {@code Tensor[] hc =
     * gates.lstmCell(c);} with gates = x·W_ihᵀ + b_ih + h·W_hhᵀ + b_hh.
     */
    public Tensor[] lstmCell(Tensor c) {
        return CellOps.lstmCell(this, c);
    }

    /**
     * An LSTM layer's direction over every step in one op, this tensor being the input's share of the gates (B, T,
     * 4H), x·W_ihᵀ + b_ih: from states h0, c0 (B, H) and the recurrent weight (4H, H) and bias (4H, or null), returns
     * {output (B, T, H), h_n, c_n}; {@code reverse} walks from the last step (PyTorch's {@code _VF.lstm} for one
     * layer and direction). Usage: {@code Tensor[] out = g.lstm(h0, c0, w, b, false);}
     */
    public Tensor[] lstm(Tensor h0, Tensor c0, Tensor weightHh, Tensor biasHh, boolean reverse) {
        return CellOps.lstm(this, h0, c0, weightHh, biasHh, reverse);
    }

    /**
     * Batch normalization of this input (N, C, ...) over every dimension but 1, as {@code F.batch_norm} (Ioffe &amp;
     * Szegedy 2015): in training, y = (x - mean)/√(var + eps)·weight + bias with the batch's mean and biased variance,
     * one op whose forward and backward are one pass per channel, channels split over the cores; the running
     * statistics, when given, become (1 - momentum)·running + momentum·batch statistic (the variance unbiased). Not
     * training, the running statistics normalize. weight, bias and the running statistics (C) may be null (not both
     * running statistics in evaluation). Usage: {@code Tensor y = x.batchNorm(runningMean, runningVar, w, b, true, 0.1, 1e-5);}
     */
    public Tensor batchNorm(Tensor runningMean, Tensor runningVar, Tensor weight, Tensor bias, boolean training,
            double momentum, double eps) {
        return NormOps.batchNorm(this, runningMean, runningVar, weight, bias, training, momentum, eps);
    }

    /** Tensors of equal shape stacked along a new dimension {@code axis}. */
    public static Tensor stack(int axis, Tensor... ts) {
        return ShapeOps.stack(axis, ts);
    }

    // ---------------------------------------------------------------- reductions

    /** The sum of all elements (rank 0). */
    public Tensor sum() {
        return sum(false);
    }

    /** The sum over {@code dims}, as {@code torch.sum(x, dims)} (PyTorch's order: the dims, then keepdim). */
    public Tensor sum(int... dims) {
        return sum(false, dims);
    }

    /** The sum over {@code dim}, kept as size 1 when {@code keepDim}, as {@code torch.sum(x, dim, keepdim)}. */
    public Tensor sum(int dim, boolean keepDim) {
        return sum(keepDim, dim);
    }

    /**
     * The sum over {@code axes} (all when none), keeping them as size 1 when {@code keepDims}: the flag comes
     * first because Java's varargs come last; {@link #sum(int, boolean)} has PyTorch's order.
     */
    public Tensor sum(boolean keepDims, int... axes) {
        return Reductions.sum(this, keepDims, axes);
    }

    /** The mean of all elements (rank 0). */
    public Tensor mean() {
        return mean(false);
    }

    /** The mean over {@code dims}, as {@code torch.mean(x, dims)}. */
    public Tensor mean(int... dims) {
        return mean(false, dims);
    }

    /** The mean over {@code dim}, kept as size 1 when {@code keepDim}, as {@code torch.mean(x, dim, keepdim)}. */
    public Tensor mean(int dim, boolean keepDim) {
        return mean(keepDim, dim);
    }

    /** The mean over {@code axes} (all when none), keepDims first as in {@link #sum(boolean, int...)}. */
    public Tensor mean(boolean keepDims, int... axes) {
        return Reductions.mean(this, keepDims, axes);
    }

    /**
     * The variance over {@code axes} (all when none): Σ(x - mean)² / (N - correction). {@code correction} 1 is
     * PyTorch's default (unbiased, Bessel's correction), 0 the population variance.
     */
    public Tensor var(int correction, boolean keepDims, int... axes) {
        return Reductions.var(this, correction, keepDims, axes);
    }

    /** The unbiased variance over {@code axes} (all when none), as {@code torch.var}. */
    public Tensor var(int... axes) {
        return var(1, false, axes);
    }

    /**
     * The maximum over {@code axes} (all when none), kept as size 1 when {@code keepDims}, as {@code torch.amax}:
     * elements tied for the maximum share its gradient equally. For the index of the maximum and PyTorch's
     * {@code torch.max(x, dim)} gradient (all of it to that index), see {@link #max(int, boolean)}.
     */
    public Tensor amax(boolean keepDims, int... axes) {
        return Reductions.amax("amax", this, true, keepDims, axes);
    }

    /** The maximum over {@code dims} (all when none), as {@code torch.amax(x, dims)}. */
    public Tensor amax(int... dims) {
        return amax(false, dims);
    }

    /** The maximum over {@code dim}, kept as size 1 when {@code keepDim}, as {@code torch.amax(x, dim, keepdim)}. */
    public Tensor amax(int dim, boolean keepDim) {
        return amax(keepDim, dim);
    }

    /** The maximum of all elements (rank 0); tied maxima share the gradient, as {@code torch.max(x)}. */
    public Tensor max() {
        return amax(false);
    }

    /** The minimum over {@code axes} (all when none), as {@code torch.amin}: ties share the gradient. */
    public Tensor amin(boolean keepDims, int... axes) {
        return Reductions.amax("amin", this, false, keepDims, axes);
    }

    /** The minimum over {@code dims} (all when none), as {@code torch.amin(x, dims)}. */
    public Tensor amin(int... dims) {
        return amin(false, dims);
    }

    /** The minimum over {@code dim}, kept as size 1 when {@code keepDim}, as {@code torch.amin(x, dim, keepdim)}. */
    public Tensor amin(int dim, boolean keepDim) {
        return amin(keepDim, dim);
    }

    /** The minimum of all elements (rank 0); tied minima share the gradient, as {@code torch.min(x)}. */
    public Tensor min() {
        return amin(false);
    }

    /** The values and indices of {@link #max(int, boolean)} and {@link #min(int, boolean)}. */
    public record ValuesIndices(Tensor values, Tensor indices) {
    }

    /**
     * The maximum along {@code dim} and the (first) index where it occurs, as {@code torch.max(x, dim, keepdim)}:
     * the whole gradient goes to that index (compare {@link #amax}, which splits it among ties). The indices are
     * int64 and carry no gradient.
     */
    public ValuesIndices max(int dim, boolean keepDim) {
        return Reductions.maxAlong("max", this, dim, keepDim, true);
    }

    /** {@code max(dim, false)}. */
    public ValuesIndices max(int dim) {
        return max(dim, false);
    }

    /** The minimum along {@code dim} and its (first) index, as {@code torch.min(x, dim, keepdim)}. */
    public ValuesIndices min(int dim, boolean keepDim) {
        return Reductions.maxAlong("min", this, dim, keepDim, false);
    }

    /** {@code min(dim, false)}. */
    public ValuesIndices min(int dim) {
        return min(dim, false);
    }

    /** The (first) index of the maximum along {@code dim}, int64, as {@code torch.argmax(x, dim, keepdim)}. */
    public Tensor argmax(int dim, boolean keepDim) {
        return Reductions.argExtreme("argmax", this, dim, keepDim, true);
    }

    /** {@code argmax(dim, false)}. */
    public Tensor argmax(int dim) {
        return argmax(dim, false);
    }

    /** The (first) index of the maximum of the flattened tensor, rank 0, as {@code torch.argmax(x)}. */
    public Tensor argmax() {
        return reshape(-1).argmax(0);
    }

    /** The (first) index of the minimum along {@code dim}, int64, as {@code torch.argmin(x, dim, keepdim)}. */
    public Tensor argmin(int dim, boolean keepDim) {
        return Reductions.argExtreme("argmin", this, dim, keepDim, false);
    }

    /** {@code argmin(dim, false)}. */
    public Tensor argmin(int dim) {
        return argmin(dim, false);
    }

    /** The (first) index of the minimum of the flattened tensor, rank 0, as {@code torch.argmin(x)}. */
    public Tensor argmin() {
        return reshape(-1).argmin(0);
    }

    /**
     * The sliding windows of this (N, C, H, W) tensor as columns (C·kh·kw, N·oh·ow), the padding read as
     * {@code fill} (im2col; PyTorch's {@code F.unfold} with the batch in the columns): convolution is one product
     * weight (O, C·kh·kw) · columns. The geometry says the kernel, stride, padding and dilation.
     */
    public Tensor unfold(Unfold.Geometry g, double fill) {
        return ShapeOps.unfold(this, g, fill);
    }

    /**
     * The 2-D convolution (cross-correlation, zero padding) of this (N, C, H, W) tensor with {@code weight} (O,
     * C/groups, kh, kw) and {@code bias} (O) or null over the windows of {@code g}, as {@code F.conv2d}: (N, O, oh,
     * ow), one op computed sample by sample. Usage: {@code Tensor y = x.conv2d(w, b, geometry, 1);}
     */
    public Tensor conv2d(Tensor weight, Tensor bias, Unfold.Geometry g, int groups) {
        return ConvOps.conv2d(this, weight, bias, g, groups);
    }

    /** The same values in a plain C-order array of its own (this tensor when it has one), as {@code contiguous()}. */
    public Tensor contiguous() {
        return ShapeOps.contiguous(this);
    }

    /**
     * Max pooling of this (N, C, H, W) tensor over the windows of {@code g}, as {@code F.max_pool2d}: each output is
     * the first largest input of its window (padding never wins) and takes the whole gradient.
     */
    public Tensor maxPool2d(Unfold.Geometry g) {
        return ShapeOps.maxPool(this, g);
    }

    /**
     * The running sums along {@code dim}, as {@code torch.cumsum}: out[i] = x[0] + … + x[i].
     * Usage: {@code Tensor cdf = probs.cumsum(-1);}
     */
    public Tensor cumsum(int dim) {
        return Reductions.cumsum(this, dim);
    }

    /**
     * Sorted along {@code dim} (ascending, or descending), stably, with the int64 indices that sort it, as
     * {@code torch.sort(x, dim, descending, stable=True)}; the values carry the gradient back.
     * Usage: {@code Tensor.ValuesIndices s = x.sort(-1, true); s.indices();}
     */
    public ValuesIndices sort(int dim, boolean descending) {
        return ShapeOps.sort(this, dim, descending);
    }

    /** Sorted ascending along {@code dim}, with the indices. */
    public ValuesIndices sort(int dim) {
        return sort(dim, false);
    }

    /**
     * The k largest (or smallest) entries along {@code dim}, in order, with their int64 indices, as
     * {@code torch.topk(x, k, dim, largest)}. Usage: {@code Tensor best = logits.topk(5, -1, true).indices();}
     */
    public ValuesIndices topk(int k, int dim, boolean largest) {
        return ShapeOps.topk(this, k, dim, largest);
    }

    /** The k largest entries along the last dim, with their indices. */
    public ValuesIndices topk(int k) {
        return topk(k, -1, true);
    }

    /**
     * {@code samples} int64 category indices drawn per row of this (C) or (N, C) tensor of non-negative weights,
     * as {@code torch.multinomial(probs, samples, replacement, generator=rng)}; not differentiable.
     * Usage: {@code Tensor next = logits.softmax(-1).multinomial(1, true, rng);}
     */
    public Tensor multinomial(int samples, boolean replacement, Rng rng) {
        return Reductions.multinomial(this, samples, replacement, rng);
    }

    /**
     * The entries along {@code dim} picked by the int64 {@code index} (of this rank; its other sizes at most this
     * tensor's), as {@code torch.gather}: for dim 1, out[i][j] = this[i][index[i][j]]. The gradient accumulates
     * over repeated indices.
     */
    public Tensor gather(int dim, Tensor index) {
        return ShapeOps.gather(this, dim, index);
    }

    /**
     * This tensor plus each entry of {@code src} added where the int64 {@code index} (of src's shape) names along
     * {@code dim}, as {@code torch.scatter_add} (out of place): for dim 1, out[i][index[i][j]] += src[i][j].
     */
    public Tensor scatterAdd(int dim, Tensor index, Tensor src) {
        return ShapeOps.scatterAdd(this, dim, index, src);
    }

    /** ln Σ exp(x) over {@code axes}, computed as m + ln Σ exp(x - m) with m the (constant) maximum. */
    public Tensor logSumExp(boolean keepDims, int... axes) {
        return Reductions.logSumExp(this, keepDims, axes);
    }

    /** e^x / Σ e^x along {@code axis}, with the maximum subtracted first for stability. */
    public Tensor softmax(int axis) {
        return Reductions.softmax(this, axis);
    }

    /** x - logSumExp(x) along {@code axis}: log-probabilities without overflow. */
    public Tensor logSoftmax(int axis) {
        return Reductions.logSoftmax(this, axis);
    }

    /**
     * Softmax cross-entropy of each row of (N, C) logits against integer labels: logsumexp(x_i) - x_i[y_i], shape
     * (N), PyTorch's {@code cross_entropy} with reduction 'none', fused for speed ({@link LossOps#crossEntropy});
     * equal to {@code -(logSoftmax(1) · onehot).sum(1)}. For weights, smoothing and other targets see
     * {@code ndgrad.nn.Losses}.
     */
    public Tensor crossEntropy(int[] labels) {
        return LossOps.crossEntropy(this, labels);
    }

    // ---------------------------------------------------------------- in-place (not recorded)

    /** this += o in place (o broadcast to this shape). Allowed only where no gradient is being recorded for this. */
    public Tensor addi(Tensor o) {
        return modify("addi", o, a -> Products.axpy(1, o.array(), a));
    }

    /** this -= o in place (o broadcast to this shape). */
    public Tensor subi(Tensor o) {
        return modify("subi", o, a -> Products.axpy(-1, o.array(), a));
    }

    /** this *= s in place. */
    public Tensor muli(double s) {
        return modify("muli", this, a -> Copies.assign(a, Pointwise.scalar(Scalar.MUL, a, s)));
    }

    /** Every element set to {@code value} in place. */
    public Tensor fill(double value) {
        return modify("fill", this, a -> Copies.fill(a, value));
    }

    /** Values copied from {@code o} (broadcast to this shape) in place. */
    public Tensor copyFrom(Tensor o) {
        return modify("copyFrom", o, a -> Copies.assign(a, o.array()));
    }

    /**
     * Applies {@code change} to this tensor's array in place, under the rules of the in-place ops (not while a
     * gradient is being recorded for this tensor) and bumping its version, as optimizers do with their updates.
     */
    public Tensor modify(java.util.function.Consumer<INDArray> change) {
        return modify("modify", this, change);
    }

    /**
     * Applies {@code change} to this tensor's array in place after checking that {@code op} may change it with
     * {@code o} as its operand: no gradient being recorded for this tensor, and a result of this tensor's shape.
     */
    private Tensor modify(String op, Tensor o, java.util.function.Consumer<INDArray> change) {
        if (requiresGrad && Autograd.isGradEnabled()) {
            throw new AutogradException(op + ": " + describe() + " requires grad, and in-place ops are not "
                    + "recorded; use the out-of-place op, or wrap the update in Autograd.noGrad() as optimizers do");
        }
        long[] result = checkBinary(op, o);
        if (!Arrays.equals(result, shape())) {
            throw new ShapeException(op + ": in-place result would have shape " + Shapes.str(result)
                    + ", but the target has shape " + shapeString());
        }
        version[0]++;
        change.accept(data);
        return this;
    }

    // ---------------------------------------------------------------- text

    /** The shape as text, e.g. {@code [2, 3]}. */
    public String shapeString() {
        return Shapes.str(shape());
    }

    /** A short description for messages: name (if any), shape, dtype and producing op. */
    public String describe() {
        return "tensor" + (name == null ? "" : " '" + name + "'") + " of shape " + shapeString() + " and dtype "
                + data.dataType() + (node == null ? "" : " from '" + node.name() + "'");
    }

    /**
     * As PyTorch prints it ({@link TensorFormat}): precision 4, a row per line, large tensors summarized, then the
     * dtype when it is not implied and the gradient's origin, e.g. {@code tensor([2., 4.], grad_fn=<MulBackward>)}.
     */
    @Override
    public String toString() {
        return TensorFormat.repr(this);
    }
}
