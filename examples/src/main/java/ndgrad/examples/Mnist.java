package ndgrad.examples;

import ndgrad.core.NdArrays;
import ndgrad.core.io.Idx;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * MNIST, split into train and test: the bundled 10,000-digit subset (first 8,000 train, last 2,000 test), or the
 * four standard IDX files of the full set in a directory.
 *
 * <p>Usage: {@code Mnist data = Mnist.bundled();}
 */
public record Mnist(INDArray trainX, int[] trainY, INDArray testX, int[] testY) {
    static final String[] FULL = {"train-images-idx3-ubyte.gz", "train-labels-idx1-ubyte.gz",
        "t10k-images-idx3-ubyte.gz", "t10k-labels-idx1-ubyte.gz"};

    /** The subset shipped in the resources (see resources/mnist/README.md). */
    public static Mnist bundled() throws IOException {
        INDArray x = Idx.readImages(resource("mnist-10k-images-idx3-ubyte.gz"), "bundled MNIST images", 28, 28);
        int[] y = Idx.readLabels(resource("mnist-10k-labels-idx1-ubyte.gz"), "bundled MNIST labels");
        return new Mnist(NdArrays.rows(x, 0, 8000), java.util.Arrays.copyOfRange(y, 0, 8000),
                NdArrays.rows(x, 8000, 10000), java.util.Arrays.copyOfRange(y, 8000, 10000));
    }

    /** The full set from {@code dir}, which holds the four standard gzip IDX files. */
    public static Mnist fromDirectory(Path dir) throws IOException {
        INDArray[] x = new INDArray[2];
        int[][] y = new int[2][];
        for (int i = 0; i < 2; i++) {
            Path images = dir.resolve(FULL[2 * i]);
            Path labels = dir.resolve(FULL[2 * i + 1]);
            try (InputStream a = open(images); InputStream b = open(labels)) {
                x[i] = Idx.readImages(a, images.toString(), 28, 28);
                y[i] = Idx.readLabels(b, labels.toString());
            }
            checkLabels(y[i], labels.toString());
            if (y[i].length == 0) {
                throw new IOException(labels + ": holds no digits; a " + (i == 0 ? "training" : "test") + " set needs "
                        + "at least one");
            }
            if (x[i].size(0) != y[i].length) {
                throw new IOException(images + " holds " + x[i].size(0) + " images but " + labels + " holds "
                        + y[i].length + " labels");
            }
        }
        return new Mnist(x[0], y[0], x[1], y[1]);
    }

    /** Refuses a label outside 0-9, naming the file and the label's index. */
    static void checkLabels(int[] labels, String file) throws IOException {
        for (int i = 0; i < labels.length; i++) {
            if (labels[i] > 9) {
                throw new IOException(file + ": label " + labels[i] + " at index " + i + " is not a digit 0-9");
            }
        }
    }

    /** The first {@code n} training digits only. */
    public Mnist limitTrain(int n) {
        int m = Math.min(n, trainY.length);
        return new Mnist(NdArrays.rows(trainX, 0, m), java.util.Arrays.copyOfRange(trainY, 0, m), testX, testY);
    }

    private static InputStream open(Path file) throws IOException {
        if (!Files.isRegularFile(file)) {
            throw new IOException(file + ": file not found (expected the four MNIST files "
                    + String.join(", ", FULL) + ")");
        }
        return Files.newInputStream(file);
    }

    private static InputStream resource(String file) {
        return Mnist.class.getResourceAsStream("/mnist/" + file);
    }
}
