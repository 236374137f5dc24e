package ndgrad.examples;

import ndgrad.core.io.AtomicFile;
import java.awt.Graphics2D;
import java.awt.Image;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Iterator;
import javax.imageio.ImageIO;
import javax.imageio.ImageReader;
import javax.imageio.stream.ImageInputStream;
import ndgrad.core.NdArrays;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Reads a digit image as MNIST's digits were made (LeCun, Cortes and Burges, "The MNIST database": "normalized to
 * fit in a 20x20 pixel box while preserving their aspect ratio ... centered in a 28x28 image by computing the center
 * of mass of the pixels"): ink bright on dark (a light background is inverted, judged by the image's border),
 * cropped to the ink's bounding box, scaled so its longer side is 20 pixels, and placed with its centre of mass at
 * the centre of 28x28; values in [0, 1], shape (1, 784).
 *
 * <p>Usage: {@code Images.Digit d = Images.readDigit(Path.of("seven.png")); if (d.blank()) ...; d.pixels()}
 */
final class Images {
    /** Images larger than this on either side are refused before they are decoded. */
    static final int MAX_SIDE = 8192;
    /** The longest side decoded: larger images are subsampled while they are read. */
    static final int DECODED_SIDE = 1024;

    private Images() {
    }

    /** The digit as MNIST input, and whether the image was (nearly) blank: no ink to speak of. */
    record Digit(INDArray pixels, boolean blank) {
    }

    static Digit readDigit(Path file) throws IOException {
        if (Files.isDirectory(file)) {
            throw new IOException(file + ": is a directory, expected a PNG file");
        }
        if (!Files.isRegularFile(file)) {
            throw new IOException(file + ": file not found");
        }
        BufferedImage src = decode(file);
        int w = src.getWidth();
        int h = src.getHeight();
        double[] v = new double[w * h];
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                int argb = src.getRGB(x, y);
                double a = (argb >>> 24) / 255.0;
                double lum = (0.299 * (argb >> 16 & 0xff) + 0.587 * (argb >> 8 & 0xff) + 0.114 * (argb & 0xff)) / 255;
                v[y * w + x] = a * lum + (1 - a); // transparent pixels are background (white)
            }
        }
        double border = borderMean(v, w, h);
        if (border > 0.5) {
            for (int i = 0; i < v.length; i++) {
                v[i] = 1 - v[i];
            }
            border = 1 - border;
        }
        double max = 0;
        for (int i = 0; i < v.length; i++) {
            v[i] = Math.max(0, (v[i] - border) / (1 - border + 1e-12));
            max = Math.max(max, v[i]);
        }
        double[] out = new double[784];
        if (max < 0.2) {
            return new Digit(NdArrays.create(new double[784], new long[] {1, 784}, DataType.FLOAT), true);
        }
        int x0 = w;
        int y0 = h;
        int x1 = -1;
        int y1 = -1;
        int ink = 0;
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                if (v[y * w + x] > 0.2 * max) {
                    x0 = Math.min(x0, x);
                    y0 = Math.min(y0, y);
                    x1 = Math.max(x1, x);
                    y1 = Math.max(y1, y);
                    ink++;
                }
            }
        }
        int cw = x1 - x0 + 1;
        int ch = y1 - y0 + 1;
        double scale = 20.0 / Math.max(cw, ch);
        int sw = Math.max(1, (int) Math.round(cw * scale));
        int sh = Math.max(1, (int) Math.round(ch * scale));
        BufferedImage crop = new BufferedImage(cw, ch, BufferedImage.TYPE_BYTE_GRAY);
        for (int y = 0; y < ch; y++) {
            for (int x = 0; x < cw; x++) {
                crop.getRaster().setSample(x, y, 0, (int) Math.round(255 * Math.min(1, v[(y0 + y) * w + x0 + x]
                        / max)));
            }
        }
        BufferedImage small = new BufferedImage(sw, sh, BufferedImage.TYPE_BYTE_GRAY);
        Graphics2D g = small.createGraphics();
        g.drawImage(crop.getScaledInstance(sw, sh, Image.SCALE_AREA_AVERAGING), 0, 0, null);
        g.dispose();
        double mass = 0;
        double mx = 0;
        double my = 0;
        for (int y = 0; y < sh; y++) {
            for (int x = 0; x < sw; x++) {
                double p = small.getRaster().getSample(x, y, 0) / 255.0;
                mass += p;
                mx += p * x;
                my += p * y;
            }
        }
        int dx = (int) Math.round(14 - (mass > 0 ? mx / mass : sw / 2.0) - 0.5);
        int dy = (int) Math.round(14 - (mass > 0 ? my / mass : sh / 2.0) - 0.5);
        for (int y = 0; y < sh; y++) {
            for (int x = 0; x < sw; x++) {
                int tx = x + dx;
                int ty = y + dy;
                if (tx >= 0 && tx < 28 && ty >= 0 && ty < 28) {
                    out[ty * 28 + tx] = small.getRaster().getSample(x, y, 0) / 255.0;
                }
            }
        }
        return new Digit(NdArrays.create(out, new long[] {1, 784}, DataType.FLOAT), ink < 4);
    }

    /**
     * Decodes a PNG, its size checked from the header first; a truncated or corrupt file is named. A side longer than
     * {@link #DECODED_SIDE} is subsampled as it is decoded (the digit ends up 20 px tall anyway), so an 8192 x 8192
     * image costs about what a 1024 x 1024 one does.
     */
    private static BufferedImage decode(Path file) throws IOException {
        try (ImageInputStream in = ImageIO.createImageInputStream(file.toFile())) {
            Iterator<ImageReader> readers = in == null ? null : ImageIO.getImageReaders(in);
            if (readers == null || !readers.hasNext()) {
                throw new IOException(file + ": not an image ImageIO can read (expected PNG)");
            }
            ImageReader reader = readers.next();
            try {
                reader.setInput(in);
                int w = reader.getWidth(0);
                int h = reader.getHeight(0);
                if (w > MAX_SIDE || h > MAX_SIDE) {
                    throw new IOException(file + ": the image is " + w + "x" + h + " pixels; at most " + MAX_SIDE
                            + " on a side");
                }
                javax.imageio.ImageReadParam param = reader.getDefaultReadParam();
                int step = (Math.max(w, h) + DECODED_SIDE - 1) / DECODED_SIDE;
                param.setSourceSubsampling(step, step, 0, 0);
                return reader.read(0, param);
            } catch (javax.imageio.IIOException | IndexOutOfBoundsException e) {
                throw new IOException(file + ": truncated or corrupt image (" + e.getMessage() + ")", e);
            } finally {
                reader.dispose();
            }
        }
    }

    private static double borderMean(double[] v, int w, int h) {
        double sum = 0;
        int n = 0;
        for (int x = 0; x < w; x++) {
            sum += v[x] + v[(h - 1) * w + x];
            n += 2;
        }
        for (int y = 1; y < h - 1; y++) {
            sum += v[y * w] + v[y * w + w - 1];
            n += 2;
        }
        return sum / n;
    }

    /** Writes an MNIST row (1, 784) as a 28x28 PNG, for tests and demos. */
    static void writeDigit(INDArray row, Path file) throws IOException {
        BufferedImage img = new BufferedImage(28, 28, BufferedImage.TYPE_BYTE_GRAY);
        for (int i = 0; i < 784; i++) {
            img.getRaster().setSample(i % 28, i / 28, 0, (int) Math.round(row.getDouble(i) * 255));
        }
        AtomicFile.write(file, out -> ImageIO.write(img, "png", out));
    }
}
