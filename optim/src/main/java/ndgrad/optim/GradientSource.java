package ndgrad.optim;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;
import ndgrad.autograd.Autograd;
import ndgrad.autograd.Tensor;
import ndgrad.core.GradientEstimator;
import ndgrad.core.Scope;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Where an optimizer step gets its gradients: from autograd, or from any {@link GradientEstimator} (finite
 * differences, SPSA, Gaussian smoothing) applied to the loss as a function of all parameters. Either way the
 * parameters' {@code .grad} are set and {@link Optimizer#step(GradientSource)} updates as usual.
 *
 * <p>Usage: {@code opt.step(GradientSource.estimated(loss, StochasticGradient.spsa(1e-3, 10, rng)));}
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
                INDArray x = Nd4j.concat(0, params.stream().map(p -> p.data().castTo(DataType.DOUBLE)
                        .reshape(p.numel())).toArray(INDArray[]::new));
                GradientEstimator.Estimate e = estimator.estimate(a -> {
                    try (Scope evaluation = Scope.open()) {
                        load(params, a);
                        return loss.get().item();
                    }
                }, x);
                for (int i = 0; i < params.size(); i++) {
                    params.get(i).copyFrom(start.get(i));
                }
                long offset = 0;
                for (Tensor p : params) {
                    INDArray part = e.gradient().get(org.nd4j.linalg.indexing.NDArrayIndex.interval(offset,
                            offset + p.numel()));
                    p.setGrad(Tensor.of(part.reshape(p.shape()).castTo(p.dtype())));
                    offset += p.numel();
                }
                return loss.get().item();
            }
        };
    }

    private static void load(List<Tensor> params, INDArray flat) {
        long offset = 0;
        for (Tensor p : params) {
            INDArray part = flat.get(org.nd4j.linalg.indexing.NDArrayIndex.interval(offset, offset + p.numel()));
            p.copyFrom(Tensor.of(part.reshape(p.shape()).castTo(p.dtype())));
            offset += p.numel();
        }
    }
}
