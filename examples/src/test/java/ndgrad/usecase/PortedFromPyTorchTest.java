package ndgrad.usecase;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Path;
import java.util.Map;
import ndgrad.autograd.Tensor;
import ndgrad.core.io.Npz;
import ndgrad.examples.ported.Net;
import ndgrad.examples.ported.Tagger;
import ndgrad.nn.Losses;
import ndgrad.optim.Sgd;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Two PyTorch programs ported line by line ({@code ndgrad.examples.ported}) give PyTorch 1.13's values:
 * {@code examples/src/test/python/port_from_pytorch.py} wrote the state_dicts (numpy.savez), the inputs and what
 * PyTorch computed from them. Tolerances are float32 rounding: 2e-6 relative for a forward pass from PyTorch's
 * weights, 2e-5 after three training steps (rounding in other summation orders, compounded).
 */
class PortedFromPyTorchTest {
    private static Path resource(String name) throws Exception {
        return Path.of(PortedFromPyTorchTest.class.getResource("/pytorch/" + name).toURI());
    }

    private static Map<String, INDArray> run(String name) throws Exception {
        return Npz.read(resource(name));
    }

    private static void close(String what, INDArray expected, Tensor actual, double rtol) {
        double[] e = Tensor.of(expected).toDoubleArray();
        double[] a = actual.toDoubleArray();
        assertArrayEquals(expected.shape(), actual.shape(), what + ": shape");
        double scale = 0;
        for (double v : e) {
            scale = Math.max(scale, Math.abs(v));
        }
        for (int i = 0; i < e.length; i++) {
            assertEquals(e[i], a[i], rtol * Math.max(Math.abs(e[i]), scale), what + " at " + i);
        }
    }

    /** The CNN: PyTorch's output from its initial weights, then three SGD steps in train mode (batch norm's batch
     * statistics, running statistics updated), the losses, the weights and the output after them. */
    @Test
    void theCnnWithBatchNormGivesPyTorchsOutputsLossesAndWeights() throws Exception {
        Map<String, INDArray> io = run("cnn_run.npz");
        Net net = new Net();
        net.load(resource("cnn_init.npz"));
        Tensor x = Tensor.of(io.get("x"));
        Tensor y = Tensor.of(io.get("y"));
        close("output before training", io.get("before"), net.eval().forward(x), 2e-6);
        net.train();
        Sgd opt = new Sgd(net.parameters(), Sgd.options().lr(0.05).momentum(0.9));
        double[] losses = new double[3];
        for (int i = 0; i < 3; i++) {
            opt.zeroGrad();
            Tensor loss = Losses.crossEntropy(net.forward(x), y);
            loss.backward();
            opt.step();
            losses[i] = loss.item();
        }
        close("losses", io.get("losses"), Tensor.of(losses), 2e-5);
        Map<String, INDArray> trained = run("cnn_trained.npz");
        Map<String, Tensor> state = net.stateDict();
        assertEquals(trained.keySet(), state.keySet());
        for (String k : trained.keySet()) {
            close(k, trained.get(k), state.get(k), 2e-5);
        }
        close("output after training", io.get("after"), net.eval().forward(x), 2e-5);
    }

    /** The tagger: log-probabilities in eval mode, the loss, and gradients through both LSTM layers and directions. */
    @Test
    void theBidirectionalLstmTaggerGivesPyTorchsOutputsAndGradients() throws Exception {
        Map<String, INDArray> io = run("tagger_run.npz");
        Tagger tagger = new Tagger(50, 16, 32, 7);
        tagger.load(resource("tagger.npz"));
        tagger.eval();
        Tensor logp = tagger.forward(Tensor.of(io.get("ids")));
        close("log-probabilities", io.get("logp"), logp, 2e-6);
        Tensor loss = Losses.crossEntropy(logp.reshape(-1, 7), Tensor.of(io.get("tags")).reshape(-1));
        loss.backward();
        close("loss", io.get("loss"), loss, 2e-6);
        Map<String, Tensor> p = new java.util.HashMap<>();
        tagger.namedParameters().forEach(q -> p.put(q.name(), q.value()));
        close("grad of out.weight", io.get("grad_out_weight"), p.get("out.weight").grad(), 2e-5);
        close("grad of lstm.weight_hh_l1_reverse", io.get("grad_weight_hh_l1_reverse"),
                p.get("lstm.weight_hh_l1_reverse").grad(), 2e-5);
    }
}
