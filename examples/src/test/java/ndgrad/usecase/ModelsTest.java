package ndgrad.usecase;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import ndgrad.autograd.*;
import ndgrad.examples.EmbeddingClassifier;
import ndgrad.core.Rng;
import ndgrad.core.io.Npz;
import ndgrad.nn.*;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Models written as a user writes them: {@code import ndgrad.nn.*} with simple names, layers and parameters held in
 * fields with no registration call, several inputs (integer ids and a mask), and PyTorch's names in saved files.
 */
class ModelsTest {
    @Test
    void fieldsAreRegisteredWithoutACallInPyTorchsNamesAndOrder() {
        EmbeddingClassifier.Model m = new EmbeddingClassifier.Model(new Rng(1));
        // as PyTorch's named_parameters(): the layer's own parameters first, then its children's
        assertEquals(List.of("temperature", "emb.weight", "mlp.0.weight", "mlp.0.bias", "mlp.1.weight", "mlp.1.bias"),
                m.namedParameters().stream().map(Parameter::name).toList());
        assertEquals(20 * 8 + 8 * 16 + 16 + 16 * 3 + 3 + 1, m.parameterCount());
        assertEquals("Model(emb=Embedding(20, 8, padding_idx=0), mlp=LayerList(0=Linear(8, 16), 1=Linear(16, 3)))",
                m.toString());
    }

    /** The embedding classifier example learns its task from ids and a mask: every held-out sequence right. */
    @Test
    void severalInputsIncludingIdsTrain() {
        Rng rng = new Rng(0);
        EmbeddingClassifier.Model m = new EmbeddingClassifier.Model(rng);
        EmbeddingClassifier.Data train = EmbeddingClassifier.data(300, rng);
        EmbeddingClassifier.Data test = EmbeddingClassifier.data(300, rng);
        double[] loss = EmbeddingClassifier.train(m, train, 60, 0.05);
        assertTrue(loss[1] < 0.05 * loss[0], "loss " + loss[0] + " -> " + loss[1]);
        assertEquals(1.0, EmbeddingClassifier.accuracy(m, test), "held-out accuracy");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new Linear(2, 2, rng).forward(test.ids(), test.mask()));
        assertEquals("Linear: takes one input, got 2; override forward(Tensor...) to take several", e.getMessage());
    }

    @Test
    void savedFilesUsePyTorchsNamesAndRoundTrip(@TempDir Path dir) throws Exception {
        Rng rng = new Rng(3);
        Sequential a = new Sequential(new Conv2d(1, 2, 3, rng), new BatchNorm2d(2), new Flatten(), new Linear(8, 2,
                rng));
        a.forward(Tensor.randn(rng, 4, 1, 4, 4));
        a.save(dir.resolve("m.npz"));
        assertEquals(List.of("0.weight", "0.bias", "1.weight", "1.bias", "1.running_mean", "1.running_var",
                "1.num_batches_tracked", "3.weight", "3.bias"), List.copyOf(Npz.read(dir.resolve("m.npz")).keySet()));
        Sequential b = new Sequential(new Conv2d(1, 2, 3, new Rng(9)), new BatchNorm2d(2), new Flatten(),
                new Linear(8, 2, new Rng(9)));
        b.load(dir.resolve("m.npz"));
        a.eval();
        b.eval();
        Tensor x = Tensor.randn(rng, 2, 1, 4, 4);
        assertArrayEquals(a.forward(x).toDoubleArray(), b.forward(x).toDoubleArray(), 0);
    }

    /** PyTorch's Net(lstm=LSTM(3, 4, batch_first), bn=BatchNorm1d(4), fc=Linear(4, 2)), written with fields. */
    static final class Net extends Layer {
        final LSTM lstm;
        final BatchNorm1d bn = new BatchNorm1d(4);
        final Linear fc;

        Net(Rng rng) {
            lstm = new LSTM(3, 4, rng);
            fc = new Linear(4, 2, rng);
        }

        @Override
        public Tensor forward(Tensor x) {
            return fc.forward(bn.forward(lstm.forward(x).select(1, -1)));
        }
    }

    /**
     * A PyTorch state_dict converted with NumPy ({@code numpy.savez}, resources/pytorch/make_state_dict.py, PyTorch
     * 1.13 here) loads as it is, and the model answers as PyTorch printed (eval mode, input sin(0..29) as (2, 5, 3)).
     */
    @Test
    void aPyTorchStateDictLoadsAsItIs(@TempDir Path dir) throws Exception {
        Path file = Path.of(ModelsTest.class.getResource("/pytorch/lstm_bn_fc.npz").toURI());
        Net net = new Net(new Rng(0));
        net.load(file);
        net.eval();
        double[] v = new double[30];
        for (int i = 0; i < 30; i++) {
            v[i] = Math.sin(i);
        }
        Tensor y = net.forward(Tensor.of(v, 2, 5, 3));
        assertArrayEquals(new double[] {-0.26182594895362854, 0.3473651111125946, -0.154622882604599,
            0.39859333634376526}, y.toDoubleArray(), 1e-6);
        net.save(dir.resolve("back.npz"));
        assertEquals(Npz.read(file).keySet(), Npz.read(dir.resolve("back.npz")).keySet(), "the same names back");
        assertEquals(7, Npz.read(dir.resolve("back.npz")).get("bn.num_batches_tracked").getDouble(0));
    }
}
