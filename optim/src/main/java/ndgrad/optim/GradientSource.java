package ndgrad.optim;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.BiConsumer;
import java.util.function.Supplier;
import ndgrad.autograd.Autograd;
import ndgrad.autograd.Tensor;
import ndgrad.core.NdArrays;
import ndgrad.core.kernels.Copies;
import ndgrad.core.memory.Scope;
import ndgrad.core.numdiff.GradientEstimator;
import org.nd4j.linalg.api.buffer.DataType;

/**
 * Where an optimizer step gets its gradients: from autograd, or from any {@link GradientEstimator} (finite
 * differences, SPSA, Gaussian smoothing) applied to the loss as a function of all parameters. Either way the
 * parameters' {@code .grad} are set and {@link Optimizer#step(GradientSource)} updates as usual.
 *
 * <p>Usage: {@code opt.step(GradientSource.estimated(closure, StochasticGradient.spsa(1e-3, 10, rng)));}
 */
@FunctionalInterface
public interface GradientSource {
    /** Sets every parameter's gradient and returns the loss at the current parameters. */
    double compute(List<Tensor> params);

    /** Gradients by backward from the loss. */
    static GradientSource autograd(Supplier<Tensor> loss) {
        return params -> {
            params.forEach(Tensor::zeroGrad);
            Tensor l = loss.get();
            l.backward();
            return l.item();
        };
    }

    /**
     * Gradients estimated from loss values only: the loss is evaluated (with grad mode off) at perturbed copies of
     * the flattened parameters; the parameters are restored before their gradients are set.
     */
    static GradientSource estimated(Supplier<Tensor> loss, GradientEstimator estimator) {
        return params -> {
            try (Autograd.GradMode off = Autograd.noGrad(); Scope call = Scope.open()) {
                List<Tensor> start = new ArrayList<>();
                params.forEach(p -> start.add(p.dup()));
                double[] flat = params.stream().flatMapToDouble(p -> Arrays.stream(p.toDoubleArray())).toArray();
                GradientEstimator.Estimate e = estimator.estimate(a -> {
                    try (Scope evaluation = Scope.open()) {
                        load(params, Copies.values(a), (p, part) -> p.copyFrom(part));
                        return loss.get().item();
                    }
                }, NdArrays.create(flat, new long[] {flat.length}, DataType.DOUBLE));
                for (int i = 0; i < params.size(); i++) {
                    params.get(i).copyFrom(start.get(i));
                }
                load(params, Copies.values(e.gradient()), Tensor::setGrad);
                return loss.get().item();
            }
        };
    }

    /** Hands each parameter its part of {@code flat}, in its shape and dtype (an array of the current scope). */
    private static void load(List<Tensor> params, double[] flat, BiConsumer<Tensor, Tensor> to) {
        int offset = 0;
        for (Tensor p : params) {
            double[] part = Arrays.copyOfRange(flat, offset, offset + (int) p.numel());
            to.accept(p, Tensor.of(NdArrays.create(part, p.shape(), p.dtype())));
            offset += part.length;
        }
    }
}
