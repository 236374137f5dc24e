package ndgrad.examples;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.function.DoubleBinaryOperator;
import javax.imageio.ImageIO;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.style.markers.SeriesMarkers;

/**
 * PNG plots for the command line: line charts (XChart) and 2-D fields with points or paths on top (Java2D), both
 * headless.
 *
 * <p>Usage: {@code Plots.lines(out.resolve("loss.png"), "loss", "epoch", "loss", false, Map.of("train", xy));}
 */
final class Plots {
    static final Color[] PALETTE = {new Color(31, 119, 180), new Color(255, 127, 14), new Color(44, 160, 44),
        new Color(214, 39, 40), new Color(148, 103, 189), new Color(140, 86, 75), new Color(227, 119, 194),
        new Color(127, 127, 127), new Color(188, 189, 34), new Color(23, 190, 207)};

    static {
        System.setProperty("java.awt.headless", "true");
    }

    private Plots() {
    }

    /** A line chart of series name → {xs, ys}; y (or x) logarithmic on request. Returns the file. */
    static Path lines(Path file, String title, String xLabel, String yLabel, boolean logX, boolean logY,
            Map<String, double[][]> series) throws IOException {
        XYChart chart = new XYChartBuilder().width(900).height(560).title(title).xAxisTitle(xLabel)
                .yAxisTitle(yLabel).build();
        chart.getStyler().setXAxisLogarithmic(logX).setYAxisLogarithmic(logY).setChartBackgroundColor(Color.WHITE)
                .setMarkerSize(4);
        series.forEach((name, xy) -> chart.addSeries(name, xy[0], xy[1]).setMarker(SeriesMarkers.NONE));
        Files.createDirectories(file.toAbsolutePath().getParent());
        String base = file.toString().replaceFirst("\\.png$", "");
        BitmapEncoder.saveBitmap(chart, base, BitmapEncoder.BitmapFormat.PNG);
        return file;
    }

    /** Points to draw on a field: coordinates and a class per point (colored from the palette). */
    record Points(double[][] xy, int[] classes) {
    }

    /** The field's resolution: values are computed on a W x H grid, one per pixel. */
    static final int W = 640;
    static final int H = 560;

    /** The (x, y) of every pixel of a field over xr × yr, row by row from the top: W·H rows of 2 columns. */
    static double[][] grid(double[] xr, double[] yr) {
        double[][] pts = new double[W * H][];
        for (int j = 0; j < H; j++) {
            for (int i = 0; i < W; i++) {
                pts[j * W + i] = new double[] {x(i, W, xr), y(j, H, yr)};
            }
        }
        return pts;
    }

    /** {@code f} at every pixel of a field over xr × yr, in the order of {@link #grid}. */
    static double[] evaluate(double[] xr, double[] yr, DoubleBinaryOperator f) {
        return java.util.Arrays.stream(grid(xr, yr)).mapToDouble(p -> f.applyAsDouble(p[0], p[1])).toArray();
    }

    /**
     * A field over [x0, x1] × [y0, y1] from per-pixel {@code values} (in the order of {@link #grid}): classes drawn
     * light from the palette when {@code classes}, else a gray scale with iso-lines; then named paths and points.
     */
    static Path field(Path file, String title, double[] xr, double[] yr, double[] values, boolean classes,
            Map<String, double[][]> paths, Points points) throws IOException {
        int w = W;
        int h = H;
        BufferedImage img = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
        double[][] v = new double[h][w];
        double lo = Double.POSITIVE_INFINITY;
        double hi = Double.NEGATIVE_INFINITY;
        for (int j = 0; j < h; j++) {
            for (int i = 0; i < w; i++) {
                v[j][i] = values[j * w + i];
                lo = Math.min(lo, v[j][i]);
                hi = Math.max(hi, v[j][i]);
            }
        }
        int[][] band = new int[h][w];
        for (int j = 0; j < h; j++) {
            for (int i = 0; i < w; i++) {
                band[j][i] = (int) ((v[j][i] - lo) / Math.max(hi - lo, 1e-12) * 20);
            }
        }
        for (int j = 0; j < h; j++) {
            for (int i = 0; i < w; i++) {
                Color c;
                if (classes) {
                    c = blend(PALETTE[(int) v[j][i] % PALETTE.length], 0.3);
                } else {
                    boolean line = i > 0 && band[j][i] != band[j][i - 1] || j > 0 && band[j][i] != band[j - 1][i];
                    double t = (v[j][i] - lo) / Math.max(hi - lo, 1e-12);
                    int g = (int) (255 - 120 * t);
                    c = line ? new Color(90, 90, 90) : new Color(g, g, 255 - (int) (60 * t));
                }
                img.setRGB(i, j, c.getRGB());
            }
        }
        Graphics2D g = img.createGraphics();
        g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
        g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 13));
        if (!paths.isEmpty()) {
            g.setColor(new Color(255, 255, 255, 225));
            g.fillRect(4, 24, 190, 16 * paths.size() + 8);
        }
        int k = 0;
        for (Map.Entry<String, double[][]> p : paths.entrySet()) {
            Color c = PALETTE[k % PALETTE.length];
            g.setColor(c);
            g.setStroke(new BasicStroke(2f));
            double[][] xy = p.getValue();
            for (int n = 1; n < xy.length; n++) {
                g.drawLine(px(xy[n - 1][0], w, xr), py(xy[n - 1][1], h, yr), px(xy[n][0], w, xr), py(xy[n][1], h, yr));
            }
            g.fillRect(8, 28 + 16 * k, 10, 10);
            g.drawString(p.getKey(), 24, 38 + 16 * k);
            k++;
        }
        if (points != null) {
            for (int n = 0; n < points.classes().length; n++) {
                int cx = px(points.xy()[n][0], w, xr);
                int cy = py(points.xy()[n][1], h, yr);
                g.setColor(PALETTE[points.classes()[n] % PALETTE.length]);
                g.fillOval(cx - 3, cy - 3, 7, 7);
                g.setColor(Color.BLACK);
                g.drawOval(cx - 3, cy - 3, 7, 7);
            }
        }
        g.setColor(Color.BLACK);
        g.setFont(new Font(Font.SANS_SERIF, Font.BOLD, 15));
        g.drawString(title, 8, 18);
        g.dispose();
        Files.createDirectories(file.toAbsolutePath().getParent());
        ImageIO.write(img, "png", file.toFile());
        return file;
    }

    /** xs = 1..n and ys, for a per-epoch or per-step series. */
    static double[][] series(List<Double> ys) {
        double[] x = new double[ys.size()];
        double[] y = new double[ys.size()];
        for (int i = 0; i < x.length; i++) {
            x[i] = i + 1;
            y[i] = ys.get(i);
        }
        return new double[][] {x, y};
    }

    private static Color blend(Color c, double a) {
        return new Color((int) (255 - a * (255 - c.getRed())), (int) (255 - a * (255 - c.getGreen())),
                (int) (255 - a * (255 - c.getBlue())));
    }

    private static double x(int i, int w, double[] r) {
        return r[0] + (r[1] - r[0]) * (i + 0.5) / w;
    }

    private static double y(int j, int h, double[] r) {
        return r[1] - (r[1] - r[0]) * (j + 0.5) / h;
    }

    private static int px(double x, int w, double[] r) {
        return (int) Math.round((x - r[0]) / (r[1] - r[0]) * w);
    }

    private static int py(double y, int h, double[] r) {
        return (int) Math.round((r[1] - y) / (r[1] - r[0]) * h);
    }
}
