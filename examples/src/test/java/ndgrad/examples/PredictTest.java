package ndgrad.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import ndgrad.nn.Sequential;
import org.nd4j.linalg.api.ndarray.INDArray;

/** predict on drawings as users make them: small, off-centre, dark ink on white, any canvas size. */
class PredictTest {
    @TempDir
    static Path dir;
    private static Path model;
    private static Mnist mnist;

    @BeforeAll
    static void train() throws Exception {
        model = dir.resolve("m.npz");
        ExamplesTest.Result r = ExamplesTest.cli("train", "mnist", "--epochs", "4", "--dropout", "0", "--save",
                model.toString(), "--out", dir.toString(), "--no-progress");
        assertEquals(0, r.code(), r.err());
        mnist = Mnist.bundled();
    }

    private static final Pattern TOP3 = Pattern.compile(": predicted digit (\\d) \\((\\d+\\.\\d)%\\); then (\\d) "
            + "\\((\\d+\\.\\d)%\\), (\\d) \\((\\d+\\.\\d)%\\)");

    private static int predict(String image) {
        ExamplesTest.Result r = ExamplesTest.cli("predict", "--model", model.toString(), "--image", image);
        assertEquals(0, r.code(), r.err());
        Matcher m = TOP3.matcher(r.out());
        assertTrue(m.find(), r.out());
        double p1 = Double.parseDouble(m.group(2));
        double p2 = Double.parseDouble(m.group(4));
        double p3 = Double.parseDouble(m.group(6));
        assertTrue(p1 >= p2 && p2 >= p3 && p1 + p2 + p3 <= 100.15, "the top three, most likely first: " + r.out());
        return Integer.parseInt(m.group(1));
    }

    /**
     * 30 test digits drawn as a user would: dark on a white 240x160 canvas, 36 pixels tall, in the lower left.
     * The preprocessing (crop, scale to 20, centre of mass) recovers the model's answer on the original 28x28 for at
     * least 27 of them, where plainly shrinking the canvas to 28x28 recovers at most a few.
     */
    @Test
    void anOffCentreSmallDrawingIsClassifiedAsTheDigitItself() throws Exception {
        int agree = 0;
        int naiveAgree = 0;
        Sequential net = Ndgrad.load(model, new ndgrad.core.Rng(0));
        for (int i = 0; i < 30; i++) {
            int original = predict(String.valueOf(i));
            INDArray row = mnist.testX().getRow(i, true);
            BufferedImage canvas = drawing(row, 240, 160, 12, 110, 36);
            Path png = dir.resolve("drawn" + i + ".png");
            ImageIO.write(canvas, "png", png.toFile());
            agree += predict(png.toString()) == original ? 1 : 0;
            naiveAgree += TrainMnist.predict(net, naive(canvas))[0] == original ? 1 : 0;
        }
        org.slf4j.LoggerFactory.getLogger(PredictTest.class).info("off-centre drawings classified as their digit: "
                + "{} of 30 with MNIST's preprocessing, {} of 30 by shrinking the canvas", agree, naiveAgree);
        assertTrue(agree >= 27, agree + " of 30 drawings classified as their digit");
        assertTrue(naiveAgree <= 10, "without the preprocessing only " + naiveAgree + " of 30 would be");
    }

    /**
     * A photo-sized drawing (6144 x 4096, the digit 1,000 px tall) is subsampled while it is decoded: the digit is
     * still the model's answer on the original, and reading it allocates under 64 MB of heap where decoding it whole
     * allocated 843 MB (measured with the subsampling turned off).
     */
    @Test
    void aLargeImageIsSubsampledAsItIsDecoded() throws Exception {
        INDArray row = mnist.testX().getRow(3, true);
        BufferedImage big = new BufferedImage(6144, 4096, BufferedImage.TYPE_BYTE_GRAY);
        Graphics2D g = big.createGraphics();
        g.drawImage(drawing(row, 1000, 1000, 0, 0, 1000), 2000, 1500, null);
        g.setColor(Color.WHITE);
        g.fillRect(0, 0, 6144, 1500);
        g.fillRect(0, 2500, 6144, 1596);
        g.fillRect(0, 1500, 2000, 1000);
        g.fillRect(3000, 1500, 3144, 1000);
        g.dispose();
        Path png = dir.resolve("big.png");
        ImageIO.write(big, "png", png.toFile());
        long before = allocated();
        Images.Digit d = Images.readDigit(png);
        long heap = allocated() - before;
        assertTrue(heap < 64L << 20, "allocated " + heap + " bytes to read it");
        assertEquals(predict("3"), TrainMnist.predict(Ndgrad.load(model, new ndgrad.core.Rng(0)), d.pixels())[0]);
    }

    private static long allocated() {
        return ((com.sun.management.ThreadMXBean) java.lang.management.ManagementFactory.getThreadMXBean())
                .getCurrentThreadAllocatedBytes();
    }

    @Test
    void aBlankImageWarnsAndABadOneIsOneLine() throws Exception {
        BufferedImage white = new BufferedImage(50, 50, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = white.createGraphics();
        g.setColor(Color.WHITE);
        g.fillRect(0, 0, 50, 50);
        g.dispose();
        Path blank = dir.resolve("blank.png");
        ImageIO.write(white, "png", blank.toFile());
        ExamplesTest.Result r = ExamplesTest.cli("predict", "--model", model.toString(), "--image", blank.toString());
        assertEquals(0, r.code(), r.err());
        Path truncated = dir.resolve("truncated.png");
        byte[] full = Files.readAllBytes(dir.resolve("drawn0.png").toFile().exists() ? dir.resolve("drawn0.png")
                : blank);
        Files.write(truncated, java.util.Arrays.copyOf(full, full.length / 2));
        ExamplesTest.Result t = ExamplesTest.cli("predict", "--model", model.toString(), "--image",
                truncated.toString());
        assertEquals(2, t.code());
        assertTrue(t.err().contains(truncated.toString()) && t.err().contains("truncated or corrupt"), t.err());
    }

    /** The digit drawn dark on white, {@code height} pixels tall, its top-left corner at (x, y). */
    private static BufferedImage drawing(INDArray row, int w, int h, int x, int y, int height) {
        BufferedImage digit = new BufferedImage(28, 28, BufferedImage.TYPE_INT_RGB);
        for (int i = 0; i < 784; i++) {
            int v = 255 - (int) Math.round(255 * row.getDouble(i));
            digit.setRGB(i % 28, i / 28, new Color(v, v, v).getRGB());
        }
        BufferedImage canvas = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = canvas.createGraphics();
        g.setColor(Color.WHITE);
        g.fillRect(0, 0, w, h);
        g.setRenderingHint(RenderingHints.KEY_INTERPOLATION, RenderingHints.VALUE_INTERPOLATION_BILINEAR);
        g.drawImage(digit, x, y, height, height, null);
        g.dispose();
        return canvas;
    }

    /** The whole canvas shrunk to 28x28 and inverted: what predict did before it preprocessed as MNIST. */
    private static INDArray naive(BufferedImage canvas) {
        BufferedImage small = new BufferedImage(28, 28, BufferedImage.TYPE_BYTE_GRAY);
        Graphics2D g = small.createGraphics();
        g.setRenderingHint(RenderingHints.KEY_INTERPOLATION, RenderingHints.VALUE_INTERPOLATION_BILINEAR);
        g.drawImage(canvas, 0, 0, 28, 28, null);
        g.dispose();
        double[] v = new double[784];
        for (int i = 0; i < 784; i++) {
            v[i] = 1 - small.getRaster().getSample(i % 28, i / 28, 0) / 255.0;
        }
        return ndgrad.core.NdArrays.create(v, new long[] {1, 784}, org.nd4j.linalg.api.buffer.DataType.FLOAT);
    }
}
