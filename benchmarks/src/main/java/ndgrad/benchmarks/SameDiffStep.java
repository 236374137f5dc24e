package ndgrad.benchmarks;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import ndgrad.core.Rng;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * The same training step in ND4J's SameDiff: the graph built once (mmul + biasAdd per layer, as
 * ../shared/BASELINES.md found sd.nn.linear failing at batch 1), SameDiff's MSE or softmax cross-entropy loss,
 * gradients from {@code calculateGradients}, and an in-place SGD update.
 *
 * <p>Usage: {@code Runnable step = SameDiffStep.step(Workload.named("small"), 0.01);}
 */
final class SameDiffStep {
    private SameDiffStep() {
    }

    static Runnable step(Workload w, double lr) {
        Rng rng = new Rng(1);
        SameDiff sd = SameDiff.create();
        SDVariable h = sd.constant("x", w.x());
        List<String> names = new ArrayList<>();
        int layers = w.sizes().length - 1;
        for (int l = 0; l < layers; l++) {
            int in = w.sizes()[l];
            int out = w.sizes()[l + 1];
            double bound = 1 / Math.sqrt(in);
            SDVariable weight = sd.var("w" + l, rng.uniform(DataType.FLOAT, -bound, bound, in, out));
            SDVariable bias = sd.var("b" + l, rng.uniform(DataType.FLOAT, -bound, bound, out));
            names.add("w" + l);
            names.add("b" + l);
            h = sd.nn.biasAdd(h.mmul(weight), bias, true);
            if (l + 1 < layers) {
                h = w.tanh() ? sd.math.tanh(h) : sd.nn.relu(h, 0);
            }
        }
        SDVariable y = sd.constant("y", w.y());
        if (w.sizes()[layers] == 1) {
            sd.loss.meanSquaredError("loss", y, h, null);
        } else {
            sd.loss.softmaxCrossEntropy("loss", y, h, null);
        }
        sd.setLossVariables("loss");
        return () -> {
            Map<String, INDArray> grads = sd.calculateGradients(Map.of(), names);
            for (String n : names) {
                sd.getVariable(n).getArr().subi(grads.get(n).muli(lr));
            }
        };
    }
}
