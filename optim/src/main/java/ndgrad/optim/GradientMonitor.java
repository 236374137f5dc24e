package ndgrad.optim;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import ndgrad.nn.Parameter;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Gradient health during training: per parameter and step, the gradient's 2-norm and the update-to-weight ratio
 * ‖Δw‖ / ‖w‖ (Karpathy's rule of thumb: around 1e-3 is healthy). A gradient norm below {@code vanishing} or above
 * {@code exploding} is logged as a warning (once per parameter) and kept in {@link #warnings()}.
 *
 * <p>Usage: {@code loss.backward(); monitor.beforeStep(); opt.step(); monitor.afterStep();}
 */
public final class GradientMonitor {
    private static final Logger LOG = LoggerFactory.getLogger(GradientMonitor.class);

    private final List<Parameter> params;
    private final double vanishing;
    private final double exploding;
    private final Map<String, List<Double>> gradNorms = new LinkedHashMap<>();
    private final Map<String, List<Double>> updateRatios = new LinkedHashMap<>();
    private final List<String> warnings = new ArrayList<>();
    private final List<double[]> before = new ArrayList<>();
    private int step;

    /** Watches {@code params} with the given thresholds for a vanishing and an exploding gradient norm. */
    public GradientMonitor(List<Parameter> params, double vanishing, double exploding) {
        if (!(vanishing >= 0 && exploding > vanishing)) {
            throw new IllegalArgumentException("GradientMonitor: expected 0 <= vanishing < exploding, got "
                    + vanishing + " and " + exploding);
        }
        this.params = List.copyOf(params);
        this.vanishing = vanishing;
        this.exploding = exploding;
        params.forEach(p -> {
            gradNorms.put(p.name(), new ArrayList<>());
            updateRatios.put(p.name(), new ArrayList<>());
        });
    }

    /** After backward, before the optimizer's step: records gradient norms and keeps the weights to compare. */
    public void beforeStep() {
        step++;
        before.clear();
        for (Parameter p : params) {
            double norm = p.value().hasGrad() ? norm(p.value().grad().toDoubleArray(), null) : 0;
            gradNorms.get(p.name()).add(norm);
            before.add(p.value().toDoubleArray());
            boolean vanished = norm < vanishing;
            if ((vanished || norm > exploding || !Double.isFinite(norm)) && warnings.stream()
                    .noneMatch(w -> w.startsWith(p.name() + ":"))) {
                String w = String.format("%s: gradient norm %.3g at step %d is %s", p.name(), norm, step,
                        vanished ? "vanishing (below " + vanishing + ")" : "exploding (above " + exploding + ")");
                warnings.add(w);
                LOG.warn("{}", w);
            }
        }
    }

    /** After the optimizer's step: records ‖w_after - w_before‖ / ‖w_before‖ for each parameter. */
    public void afterStep() {
        for (int i = 0; i < params.size(); i++) {
            double[] old = before.get(i);
            double size = norm(old, null);
            double change = norm(params.get(i).value().toDoubleArray(), old);
            updateRatios.get(params.get(i).name()).add(size == 0 ? change : change / size);
        }
        before.clear();
    }

    /** ‖a - b‖ (‖a‖ when b is null). */
    private static double norm(double[] a, double[] b) {
        double sum = 0;
        for (int i = 0; i < a.length; i++) {
            double d = b == null ? a[i] : a[i] - b[i];
            sum += d * d;
        }
        return Math.sqrt(sum);
    }

    /** Gradient norms per parameter name, one per step. */
    public Map<String, List<Double>> gradNorms() {
        return gradNorms;
    }

    /** Update-to-weight ratios per parameter name, one per step. */
    public Map<String, List<Double>> updateRatios() {
        return updateRatios;
    }

    /** The warnings so far (one per parameter at most). */
    public List<String> warnings() {
        return warnings;
    }
}
