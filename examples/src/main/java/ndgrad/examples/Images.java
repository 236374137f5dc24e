package ndgrad.examples;

import ndgrad.core.NdArrays;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import javax.imageio.ImageIO;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Reads a digit image as MNIST's input: scaled to 28x28 gray, ink bright on dark (a dark-on-light drawing is
 * inverted), values in [0, 1], shape (1, 784).
 *
 * <p>Usage: {@code INDArray x = Images.readDigit(Path.of("seven.png"));}
 */
final class Images {
    private Images() {
    }

    static INDArray readDigit(Path file) throws IOException {
        if (!Files.isRegularFile(file)) {
            throw new IOException(file + ": file not found");
        }
        BufferedImage src = ImageIO.read(file.toFile());
        if (src == null) {
            throw new IOException(file + ": not an image ImageIO can read (expected PNG)");
        }
        BufferedImage gray = new BufferedImage(28, 28, BufferedImage.TYPE_BYTE_GRAY);
        Graphics2D g = gray.createGraphics();
        g.setRenderingHint(RenderingHints.KEY_INTERPOLATION, RenderingHints.VALUE_INTERPOLATION_BILINEAR);
        g.drawImage(src, 0, 0, 28, 28, null);
        g.dispose();
        float[] v = new float[784];
        double mean = 0;
        for (int i = 0; i < 784; i++) {
            v[i] = (gray.getRaster().getSample(i % 28, i / 28, 0)) / 255f;
            mean += v[i] / 784;
        }
        if (mean > 0.5) {
            for (int i = 0; i < 784; i++) {
                v[i] = 1 - v[i];
            }
        }
        double[] d = new double[784];
        for (int i = 0; i < 784; i++) {
            d[i] = v[i];
        }
        return NdArrays.create(d, new long[] {1, 784}, DataType.FLOAT);
    }

    /** Writes an MNIST row (1, 784) as a 28x28 PNG, for tests and demos. */
    static void writeDigit(INDArray row, Path file) throws IOException {
        BufferedImage img = new BufferedImage(28, 28, BufferedImage.TYPE_BYTE_GRAY);
        for (int i = 0; i < 784; i++) {
            img.getRaster().setSample(i % 28, i / 28, 0, (int) Math.round(row.getDouble(i) * 255));
        }
        ImageIO.write(img, "png", file.toFile());
    }
}
