package ndgrad.autograd;

import ndgrad.core.NdArrays;
import ndgrad.core.Restore;
import ndgrad.core.ShapeException;
import java.util.List;
import java.util.function.UnaryOperator;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Grad mode and the functional API: gradients of outputs with respect to chosen inputs, Jacobians, Hessians and
 * Hessian-vector products, after {@code torch.autograd.grad} and {@code torch.autograd.functional}.
 *
 * <p>Grad mode is per thread: with it off ({@link #noGrad()}), ops record nothing, which is how optimizers update
 * parameters and how inference runs.
 *
 * <p>Usage: {@code Tensor h = Autograd.hessian(x -> x.pow(3).sum(), x);}
 */
public final class Autograd {
    private static final ThreadLocal<Boolean> ENABLED = ThreadLocal.withInitial(() -> true);
    private static final ThreadLocal<Boolean> ANOMALY = ThreadLocal.withInitial(() -> false);

    private Autograd() {
    }

    /** Whether ops on this thread record graphs now. */
    public static boolean isGradEnabled() {
        return ENABLED.get();
    }

    /** Turns recording off on this thread until the returned handle closes. */
    public static GradMode noGrad() {
        return setGradEnabled(false);
    }

    /** Sets recording on or off on this thread until the returned handle closes; then the previous mode returns. */
    public static GradMode setGradEnabled(boolean enabled) {
        boolean previous = ENABLED.get();
        ENABLED.set(enabled);
        return () -> ENABLED.set(previous);
    }

    /**
     * Turns anomaly mode on for this thread until the returned handle closes (PyTorch's {@code detect_anomaly}):
     * every op records where in user code it was created, and the first op whose forward or backward pass turns
     * finite inputs into NaN or infinity throws an {@link AnomalyException} naming it. Off by default; when off it
     * costs nothing.
     */
    public static GradMode detectAnomaly() {
        boolean previous = ANOMALY.get();
        ANOMALY.set(true);
        return () -> ANOMALY.set(previous);
    }

    /** Whether anomaly mode is on for this thread. */
    public static boolean isAnomalyEnabled() {
        return ANOMALY.get();
    }

    /** Restores the previous grad mode; close it with try-with-resources. */
    @FunctionalInterface
    public interface GradMode extends Restore {
    }

    /**
     * Sees each step of a backward pass's reverse loop: the op, the gradients reaching its outputs, and the gradient
     * pushed to each input (summed to the input's shape; null for inputs that do not require grad).
     */
    @FunctionalInterface
    public interface StepObserver {
        void step(Function.Context op, Tensor[] upstream, Tensor[] inputGrads);
    }

    /**
     * The gradients of the one-element {@code output} reaching each of {@code inputs} (null where none arrives),
     * keeping the graph and changing no .grad, with each step of the reverse loop reported to {@code observer}: what
     * traces and teaching views are built on.
     *
     * <p>Usage: {@code Autograd.observe(loss, List.of(w), (op, up, in) -> log.info(op.name()));}
     */
    public static Tensor[] observe(Tensor output, List<Tensor> inputs, StepObserver observer) {
        return Engine.run(List.of(output), null, inputs, GradOptions.defaults().retainGraph(true), observer);
    }

    /** The gradient of the one-element {@code output} with respect to each of {@code inputs}; .grad is untouched. */
    public static List<Tensor> grad(Tensor output, Tensor... inputs) {
        return grad(List.of(output), List.of(inputs), null, GradOptions.defaults());
    }

    /**
     * Sum over outputs of (gradOutput_k · d output_k / d input) for each input, as in {@code torch.autograd.grad}.
     * {@code gradOutputs} may be null when every output has one element. Leaves' .grad are not changed.
     */
    public static List<Tensor> grad(List<Tensor> outputs, List<Tensor> inputs, List<Tensor> gradOutputs,
            GradOptions options) {
        for (int i = 0; i < inputs.size(); i++) {
            if (!inputs.get(i).isRequiresGrad()) {
                throw new AutogradException("grad: input " + i + " (" + inputs.get(i).describe()
                        + ") does not require grad; call requiresGrad() on it before building the graph");
            }
        }
        Tensor[] captured = Engine.run(outputs, gradOutputs, inputs, options);
        Tensor[] result = new Tensor[captured.length];
        for (int i = 0; i < captured.length; i++) {
            if (captured[i] != null) {
                result[i] = captured[i];
            } else if (options.allowUnused()) {
                result[i] = Tensor.zerosLike(inputs.get(i));
            } else {
                throw new AutogradException("grad: input " + i + " (" + inputs.get(i).describe()
                        + ") was not used to compute the outputs; pass GradOptions.allowUnused(true) to get zeros");
            }
        }
        return List.of(result);
    }

    /**
     * The Jacobian of {@code f} at {@code x}: shape {@code f(x).shape ++ x.shape}, one backward pass per output
     * element. {@code x} is not modified and the result carries no graph.
     */
    public static Tensor jacobian(UnaryOperator<Tensor> f, Tensor x) {
        Tensor at = x.detach().dup().requiresGrad();
        Tensor y = f.apply(at);
        return stackRows(y, at, y.shape());
    }

    /**
     * The Hessian of the scalar function {@code f} at {@code x}: shape {@code x.shape ++ x.shape}, from the
     * gradient recorded with createGraph and one more backward pass per element of x (for small inputs).
     */
    public static Tensor hessian(UnaryOperator<Tensor> f, Tensor x) {
        Tensor at = x.detach().dup().requiresGrad();
        Tensor g = grad(List.of(requireScalar("hessian", f.apply(at))), List.of(at), null,
                GradOptions.defaults().createGraph(true)).get(0);
        return stackRows(g, at, x.shape());
    }

    /**
     * The Hessian-vector product H(x)·v of the scalar function {@code f}, by differentiating (∇f · v) without
     * forming H (Pearlmutter, "Fast exact multiplication by the Hessian", Neural Computation 1994).
     */
    public static Tensor hvp(UnaryOperator<Tensor> f, Tensor x, Tensor v) {
        Tensor at = x.detach().dup().requiresGrad();
        Tensor g = grad(List.of(requireScalar("hvp", f.apply(at))), List.of(at), null,
                GradOptions.defaults().createGraph(true)).get(0);
        if (!g.isRequiresGrad()) {
            return Tensor.zerosLike(x);
        }
        return grad(List.of(g), List.of(at), List.of(v), GradOptions.defaults().allowUnused(true)).get(0).detach();
    }

    private static Tensor requireScalar(String op, Tensor y) {
        if (y.numel() != 1) {
            throw new ShapeException(op + ": f must return one element, got shape " + y.shapeString());
        }
        return y;
    }

    /** Rows d y_i / d x for every element i of y, stacked and reshaped to {@code lead ++ x.shape}. */
    private static Tensor stackRows(Tensor y, Tensor x, long[] lead) {
        long n = y.numel();
        Tensor[] rows = new Tensor[(int) n];
        for (int i = 0; i < n; i++) {
            double[] hot = new double[(int) n];
            hot[i] = 1;
            INDArray e = NdArrays.create(hot, y.shape(), y.dtype());
            GradOptions keep = GradOptions.defaults().retainGraph(true).allowUnused(true);
            rows[i] = y.isRequiresGrad()
                    ? grad(List.of(y), List.of(x), List.of(Tensor.of(e)), keep).get(0).detach().flatten()
                    : Tensor.zerosLike(x).flatten();
        }
        long[] shape = new long[lead.length + x.dim()];
        System.arraycopy(lead, 0, shape, 0, lead.length);
        System.arraycopy(x.shape(), 0, shape, lead.length, x.dim());
        return Tensor.stack(0, rows).reshape(shape);
    }
}
