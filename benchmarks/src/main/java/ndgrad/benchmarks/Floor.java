package ndgrad.benchmarks;

import ndgrad.core.Rng;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.impl.transforms.custom.SoftMax;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.ops.transforms.Transforms;

/**
 * The floor: the same training step hand-written in ND4J with every buffer allocated once and every op in place
 * (gemm into preallocated outputs, manual backward, in-place SGD).
 *
 * <p>Usage: {@code Runnable step = Floor.step(Workload.named("tiny"), 0.01);}
 */
final class Floor {
    private Floor() {
    }

    static Runnable step(Workload w, double lr) {
        int layers = w.sizes().length - 1;
        Rng rng = new Rng(1);
        INDArray[] weight = new INDArray[layers];
        INDArray[] bias = new INDArray[layers];
        INDArray[] dWeight = new INDArray[layers];
        INDArray[] dBias = new INDArray[layers];
        INDArray[] act = new INDArray[layers + 1];
        INDArray[] dz = new INDArray[layers];
        INDArray[] tmp = new INDArray[layers];
        act[0] = w.x();
        for (int l = 0; l < layers; l++) {
            int in = w.sizes()[l];
            int out = w.sizes()[l + 1];
            double bound = 1 / Math.sqrt(in);
            weight[l] = rng.uniform(DataType.FLOAT, -bound, bound, in, out);
            bias[l] = rng.uniform(DataType.FLOAT, -bound, bound, out);
            dWeight[l] = Nd4j.create(DataType.FLOAT, in, out);
            dBias[l] = Nd4j.create(DataType.FLOAT, out);
            act[l + 1] = Nd4j.create(DataType.FLOAT, w.batch(), out);
            dz[l] = Nd4j.create(DataType.FLOAT, w.batch(), out);
            tmp[l] = Nd4j.create(DataType.FLOAT, w.batch(), out);
        }
        INDArray probs = Nd4j.create(DataType.FLOAT, w.batch(), w.sizes()[layers]);
        return () -> {
            for (int l = 0; l < layers; l++) {
                Nd4j.gemm(act[l], weight[l], act[l + 1], false, false, 1.0, 0.0);
                act[l + 1].addiRowVector(bias[l]);
                if (l + 1 < layers) {
                    if (w.tanh()) {
                        Transforms.tanh(act[l + 1], false);
                    } else {
                        Transforms.relu(act[l + 1], false);
                    }
                }
            }
            INDArray out = act[layers];
            if (w.sizes()[layers] == 1) {
                dz[layers - 1].assign(out).subi(w.y()).muli(2.0 / w.batch());
            } else {
                Nd4j.exec(new SoftMax(out, probs, 1));
                dz[layers - 1].assign(probs).subi(w.y()).divi(w.batch());
            }
            for (int l = layers - 1; l >= 0; l--) {
                Nd4j.gemm(act[l], dz[l], dWeight[l], true, false, 1.0, 0.0);
                dz[l].sum(dBias[l], 0);
                if (l > 0) {
                    Nd4j.gemm(dz[l], weight[l], tmp[l - 1], false, true, 1.0, 0.0);
                    if (w.tanh()) {
                        dz[l - 1].assign(act[l]).muli(act[l]).rsubi(1).muli(tmp[l - 1]);
                    } else {
                        Transforms.sign(dz[l - 1].assign(act[l]), false).muli(tmp[l - 1]);
                    }
                }
                weight[l].addi(dWeight[l].muli(-lr));
                bias[l].addi(dBias[l].muli(-lr));
            }
        };
    }
}
