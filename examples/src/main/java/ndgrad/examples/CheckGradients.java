package ndgrad.examples;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import ndgrad.autograd.GradCheck;
import ndgrad.autograd.Tensor;
import ndgrad.nn.Layer;
import ndgrad.nn.Parameter;

/**
 * A model's gradients checked parameter by parameter: the others are frozen (requiresGrad off) while one is
 * compared with central differences, so each report speaks of one parameter. Use float64 tensors.
 *
 * <p>Usage: {@code Map<String, GradCheck.Report> r = CheckGradients.check(model, () -> loss(model), options);}
 */
public final class CheckGradients {
    private CheckGradients() {
    }

    /** One report per parameter name, in the model's order. */
    public static Map<String, GradCheck.Report> check(Layer model, Supplier<Tensor> loss, GradCheck.Options o) {
        Map<String, GradCheck.Report> reports = new LinkedHashMap<>();
        List<Tensor> all = model.parameters();
        for (Parameter p : model.namedParameters()) {
            all.stream().filter(t -> t != p.value()).forEach(t -> t.requiresGrad(false));
            try {
                reports.put(p.name(), GradCheck.check(o, in -> loss.get(), p.value()));
            } finally {
                all.forEach(Tensor::requiresGrad);
            }
        }
        return reports;
    }
}
