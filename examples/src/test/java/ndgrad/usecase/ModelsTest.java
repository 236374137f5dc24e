package ndgrad.usecase;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import ndgrad.autograd.*;
import ndgrad.core.*;
import ndgrad.nn.*;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.buffer.DataType;

/**
 * Models written as a user writes them: {@code import ndgrad.nn.*} with simple names, layers and parameters held in
 * fields with no registration call, several inputs (integer ids and a mask), and PyTorch's names in saved files.
 */
class ModelsTest {
    /** An embedding classifier: token ids and a 0/1 mask in, mean of the unmasked embeddings, two linear layers. */
    static final class Classifier extends Layer {
        final Embedding emb;
        final List<Linear> mlp;
        final Tensor temperature;

        Classifier(Rng rng) {
            emb = new Embedding(20, 8, 0, rng);
            mlp = List.of(new Linear(8, 16, rng), new Linear(16, 3, rng));
            temperature = Tensor.ones(1).requiresGrad();
        }

        @Override
        public Tensor forward(Tensor ids) {
            throw new UnsupportedOperationException("takes ids and a mask");
        }

        @Override
        public Tensor forward(Tensor... in) {
            Tensor mask = in[1].unsqueeze(2);
            Tensor mean = emb.forward(in[0]).mul(mask).sum(1).div(mask.sum(1));
            return mlp.get(1).forward(mlp.get(0).forward(mean).relu()).mul(temperature);
        }
    }

    private static Tensor ids(double[] v, long... shape) {
        return Tensor.of(NdArrays.create(v, shape, DataType.LONG));
    }

    @Test
    void fieldsAreRegisteredWithoutACallInPyTorchsNamesAndOrder() {
        Classifier m = new Classifier(new Rng(1));
        assertEquals(List.of("temperature", "emb.weight", "mlp.0.weight", "mlp.0.bias", "mlp.1.weight", "mlp.1.bias"),
                m.namedParameters().stream().map(Parameter::name).toList());
        assertEquals(20 * 8 + 8 * 16 + 16 + 16 * 3 + 3 + 1, m.parameterCount());
        assertTrue(m.toString().startsWith("Classifier(emb=Embedding(20, 8, padding_idx=0), mlp=Sequential["),
                m.toString());
    }

    @Test
    void severalInputsIncludingIdsTrain() {
        Rng rng = new Rng(2);
        Classifier m = new Classifier(rng);
        // class = which of the token groups {1..6}, {7..12}, {13..19} the first token is in; 0 pads
        int n = 60;
        double[] tokens = new double[n * 5];
        double[] mask = new double[n * 5];
        int[] labels = new int[n];
        for (int i = 0; i < n; i++) {
            labels[i] = i % 3;
            int len = 2 + i % 4;
            for (int t = 0; t < 5; t++) {
                tokens[i * 5 + t] = t < len ? 1 + labels[i] * 6 + rng.nextInt(6) : 0;
                mask[i * 5 + t] = t < len ? 1 : 0;
            }
        }
        Tensor x = ids(tokens, n, 5);
        Tensor valid = Tensor.of(mask, n, 5);
        ndgrad.optim.Adam opt = new ndgrad.optim.Adam(m.parameters(), ndgrad.optim.Adam.options().lr(0.05));
        double first = 0;
        double last = 0;
        for (int step = 0; step < 60; step++) {
            Tensor loss = Losses.crossEntropy(m.forward(x, valid), labels);
            opt.zeroGrad();
            loss.backward();
            opt.step();
            first = step == 0 ? loss.item() : first;
            last = loss.item();
        }
        assertTrue(last < 0.05 * first, "loss " + first + " -> " + last);
        double acc = m.forward(x, valid).argmax(1).eq(ids(java.util.Arrays.stream(labels).asDoubleStream()
                .toArray(), n)).mean().item();
        assertEquals(1.0, acc, "train accuracy");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new Linear(2, 2, rng).forward(x, valid));
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
