package ndgrad.examples;

import ndgrad.core.io.AtomicFile;
import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.function.DoubleBinaryOperator;
import javax.imageio.ImageIO;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.style.Styler;
import org.knowm.xchart.style.XYStyler;
import org.knowm.xchart.style.markers.SeriesMarkers;

/**
 * PNG plots for the command line: line charts (XChart) and 2-D fields with points or paths on top (Java2D), both
 * headless. Each is described first, as an object the tests read (axis types and ranges, ticks, legends, series
 * colours), then drawn. Linear axes run between round numbers, logarithmic ones have a label at each decade in one
 * style ({@link #decade}), every plot has a light grid, reference lines are dashed, and each optimizer has one colour
 * in every plot ({@link #OPTIMIZER_COLORS}).
 *
 * <p>Usage: {@code Plots.save(Plots.chart("loss", "epoch", "loss", false, false, Map.of("train", xy)), file);}
 */
final class Plots {
    static final Color[] PALETTE = {new Color(31, 119, 180), new Color(255, 127, 14), new Color(44, 160, 44),
        new Color(214, 39, 40), new Color(148, 103, 189), new Color(140, 86, 75), new Color(227, 119, 194),
        new Color(127, 127, 127), new Color(188, 189, 34), new Color(23, 190, 207)};

    /** One colour per optimizer, the same in every plot (compare-optimizers' curves and Rosenbrock paths). */
    static final Map<String, Color> OPTIMIZER_COLORS = Map.of("GD (line search)", PALETTE[9], "SGD", PALETTE[0],
            "momentum", PALETTE[1], "Nesterov", PALETTE[2], "RMSprop", PALETTE[3], "Adam", PALETTE[4], "AdamW",
            PALETTE[5], "Adagrad", PALETTE[6], "Newton", PALETTE[8]);

    static final Color GRID = new Color(228, 228, 228);

    static {
        System.setProperty("java.awt.headless", "true");
    }

    private Plots() {
    }

    /** Draws a line chart of {@link #chart} into {@code file}. */
    static Path lines(Path file, String title, String xLabel, String yLabel, boolean logX, boolean logY,
            Map<String, double[][]> series) throws IOException {
        return save(chart(title, xLabel, yLabel, logX, logY, series), file);
    }

    /** A line chart without reference lines (see {@link #chart(String, String, String, boolean, boolean, Map, Map)}). */
    static XYChart chart(String title, String xLabel, String yLabel, boolean logX, boolean logY,
            Map<String, double[][]> series) {
        return chart(title, xLabel, yLabel, logX, logY, series, Map.of());
    }

    /**
     * A line chart of series name → {xs, ys}, x or y logarithmic on request, with reference lines (name → {xs, ys},
     * drawn dashed in dark gray: a baseline, a tolerance, a slope). A linear x axis spans the data's x values; a
     * linear y axis runs between round numbers, from 0 unless the data stay above half their maximum (an accuracy),
     * where it is fitted to them; a logarithmic axis holds the data's base-10 logarithms ({@link #logged}) between
     * whole decades, labelled at each ({@link #decade}). A light grid; a
     * legend only when there is more than one line; an optimizer's series in its colour ({@link #OPTIMIZER_COLORS}),
     * others from the palette in order, or, when there are more than it holds, along one colour ramp
     * ({@link #ramp}).
     */
    static XYChart chart(String title, String xLabel, String yLabel, boolean logX, boolean logY,
            Map<String, double[][]> series, Map<String, double[][]> references) {
        XYChart chart = new XYChartBuilder().width(900).height(560).title(title).xAxisTitle(xLabel)
                .yAxisTitle(yLabel).build();
        XYStyler st = chart.getStyler();
        st.setPlotGridLinesVisible(true).setPlotGridLinesColor(GRID);
        st.setChartBackgroundColor(Color.WHITE).setPlotBorderColor(Color.GRAY).setMarkerSize(7)
                .setLegendPosition(Styler.LegendPosition.OutsideE)
                .setLegendVisible(series.size() + references.size() > 1);
        Map<String, double[][]> data = logged(series, logX, logY);
        Map<String, double[][]> lines = logged(references, logX, logY);
        double[] x = range(data, 0);
        double[] y = range(data, 1);
        if (logX) {
            double[] r = {Math.floor(x[0]), Math.ceil(x[1]) > Math.floor(x[0]) ? Math.ceil(x[1]) : x[0] + 1};
            st.setXAxisMin(r[0]).setXAxisMax(r[1]);
            chart.setCustomXAxisTickLabelsFormatter(Plots::power);
        } else {
            st.setXAxisMin(x[0]).setXAxisMax(x[1] > x[0] ? x[1] : x[0] + 1).setXAxisDecimalPattern(linearPattern(
                    niceRange(x[0], x[1])));
        }
        if (logY) {
            double[] r = {Math.floor(y[0]), Math.ceil(y[1]) > Math.floor(y[0]) ? Math.ceil(y[1]) : y[0] + 1};
            st.setYAxisMin(r[0]).setYAxisMax(r[1]);
            chart.setCustomYAxisTickLabelsFormatter(Plots::power);
        } else {
            double[] r = y[0] > 0.5 * y[1] ? fitted(y[0], y[1]) : niceRange(y[0], y[1]);
            st.setYAxisMin(r[0]).setYAxisMax(r[1]).setYAxisDecimalPattern(linearPattern(r));
        }
        if (!logX) {
            // XChart 3.8 puts x ticks on data points when the x values are evenly spaced (1, 2, ..., n gave ticks at
            // 1, 40, 79, ...); one hidden point off that spacing lets it place them on round numbers
            XYSeries hidden = chart.addSeries(" ", new double[] {x[0] + 0.37 * (x[1] - x[0]) + 0.013},
                    new double[] {Double.NaN});
            hidden.setShowInLegend(false);
            hidden.setMarker(SeriesMarkers.NONE);
        }
        int k = 0;
        for (Map.Entry<String, double[][]> e : data.entrySet()) {
            XYSeries s = chart.addSeries(e.getKey(), e.getValue()[0], e.getValue()[1]);
            Color c = OPTIMIZER_COLORS.getOrDefault(e.getKey(), series.size() > PALETTE.length
                    ? ramp(k, series.size()) : PALETTE[k % PALETTE.length]);
            k++;
            s.setLineColor(c);
            s.setMarkerColor(c).setMarker(e.getValue()[0].length == 1 ? SeriesMarkers.DIAMOND : SeriesMarkers.NONE);
        }
        for (Map.Entry<String, double[][]> e : lines.entrySet()) {
            XYSeries s = chart.addSeries(e.getKey(), e.getValue()[0], e.getValue()[1]);
            s.setLineColor(REFERENCE);
            s.setLineStyle(DASHED);
            s.setMarker(SeriesMarkers.NONE);
        }
        return chart;
    }

    /**
     * The series with a logarithmic coordinate as its base-10 logarithm, for an axis that is linear in it and labels
     * its whole numbers as powers of ten ({@link #power}); points with a coordinate ≤ 0 there are left out (a log
     * axis has no 0, and a floor would draw values that never were).
     */
    static Map<String, double[][]> logged(Map<String, double[][]> series, boolean logX, boolean logY) {
        Map<String, double[][]> out = new java.util.LinkedHashMap<>();
        series.forEach((name, xy) -> {
            int[] keep = java.util.stream.IntStream.range(0, xy[0].length).filter(i -> (!logX || xy[0][i] > 0)
                    && (!logY || xy[1][i] > 0)).toArray();
            out.put(name, new double[][] {java.util.Arrays.stream(keep).mapToDouble(i -> logX ? Math.log10(xy[0][i])
                : xy[0][i]).toArray(), java.util.Arrays.stream(keep).mapToDouble(i -> logY ? Math.log10(xy[1][i])
                : xy[1][i]).toArray()});
        });
        return out;
    }

    /** A tick at {@code exponent} on a logarithmic axis: the decade's label ({@link #decade}); none between decades. */
    static String power(double exponent) {
        return Math.abs(exponent - Math.rint(exponent)) < 1e-9 ? decade(Math.pow(10, Math.rint(exponent))) : "";
    }

    /** Reference lines' colour and stroke. */
    static final Color REFERENCE = new Color(70, 70, 70);
    static final BasicStroke DASHED = new BasicStroke(1.5f, BasicStroke.CAP_BUTT, BasicStroke.JOIN_MITER, 10,
            new float[] {7, 5}, 0);

    /** A horizontal reference line at {@code y} over [x0, x1]. */
    static double[][] level(double y, double x0, double x1) {
        return new double[][] {{x0, x1}, {y, y}};
    }

    /**
     * Color {@code k} of {@code n} along one ramp, dark blue through teal to yellow (viridis' ends), so that many
     * series ordered by depth stay distinct and in order.
     */
    static Color ramp(int k, int n) {
        double t = n <= 1 ? 0 : k / (double) (n - 1);
        float[][] stops = {{68, 1, 84}, {59, 82, 139}, {33, 145, 140}, {94, 201, 98}, {253, 231, 37}};
        double at = t * (stops.length - 1);
        int i = Math.min(stops.length - 2, (int) at);
        double f = at - i;
        return new Color((int) Math.round(stops[i][0] + f * (stops[i + 1][0] - stops[i][0])),
                (int) Math.round(stops[i][1] + f * (stops[i + 1][1] - stops[i][1])),
                (int) Math.round(stops[i][2] + f * (stops[i + 1][2] - stops[i][2])));
    }

    /**
     * A decade's label on a logarithmic axis: plain from 0.01 to 1,000, else 10 with a superscript exponent (10⁻⁴,
     * 10⁶), never computer notation (1E-4).
     */
    static String decade(double v) {
        int e = (int) Math.round(Math.log10(v));
        if (e >= -2 && e <= 3) {
            return new java.math.BigDecimal(v).round(new java.math.MathContext(1)).stripTrailingZeros()
                    .toPlainString().replaceAll("(\\d)(\\d{3})$", "$1,$2");
        }
        StringBuilder sup = new StringBuilder("10");
        for (char c : Integer.toString(e).toCharArray()) {
            sup.append("⁻⁰¹²³⁴⁵⁶⁷⁸⁹".charAt(c == '-' ? 0 : c - '0' + 1));
        }
        return sup.toString();
    }

    /** Round numbers around [min, max] with a tenth of margin, for data far from 0 (an accuracy). */
    static double[] fitted(double min, double max) {
        double pad = Math.max(0.1 * (max - min), 1e-9 * Math.abs(max));
        double step = niceStep((max - min + 2 * pad) / 5);
        return new double[] {Math.floor((min - pad) / step) * step, Math.ceil((max + pad) / step) * step};
    }

    /** Writes the chart as a PNG. */
    static Path save(XYChart chart, Path file) throws IOException {
        byte[] png = BitmapEncoder.getBitmapBytes(chart, BitmapEncoder.BitmapFormat.PNG);
        AtomicFile.write(file, out -> out.write(png));
        return file;
    }

    /** {min, max} of coordinate {@code c} (0: x, 1: y) over every series' finite values. */
    private static double[] range(Map<String, double[][]> series, int c) {
        double lo = Double.POSITIVE_INFINITY;
        double hi = Double.NEGATIVE_INFINITY;
        for (double[][] xy : series.values()) {
            for (double v : xy[c]) {
                if (Double.isFinite(v)) {
                    lo = Math.min(lo, v);
                    hi = Math.max(hi, v);
                }
            }
        }
        return lo <= hi ? new double[] {lo, hi} : new double[] {0, 1};
    }

    /** From 0 (or below, to a round number, when the data go negative) to the round number at or above max. */
    static double[] niceRange(double min, double max) {
        double lo = Math.min(0, min);
        double hi = max > lo ? max : lo + 1;
        double step = niceStep((hi - lo) / 5);
        return new double[] {Math.floor(lo / step) * step, Math.ceil(hi / step) * step};
    }

    /** The round step (1, 2 or 5 times a power of ten) at or above {@code raw}. */
    static double niceStep(double raw) {
        double p = Math.pow(10, Math.floor(Math.log10(raw)));
        double m = raw / p;
        return (m <= 1 ? 1 : m <= 2 ? 2 : m <= 5 ? 5 : 10) * p;
    }

    /** Round ticks over [lo, hi]: multiples of a round step, about {@code count} of them. */
    static double[] ticks(double lo, double hi, int count) {
        double step = niceStep((hi - lo) / count);
        List<Double> t = new java.util.ArrayList<>();
        for (double v = Math.ceil(lo / step - 1e-9) * step; v <= hi + 1e-9 * step; v += step) {
            t.add(Math.abs(v) < 1e-12 * step ? 0 : v);
        }
        return t.stream().mapToDouble(Double::doubleValue).toArray();
    }

    /** Whole numbers (with thousands separators) on an axis whose round range spans 5 or more, else decimals. */
    static String linearPattern(double[] range) {
        return range[1] - range[0] >= 5 ? "#,##0" : "0.0##";
    }

    /** A tick value as the field plots label it: whole numbers plainly, else up to 3 decimals. */
    static String linearLabel(double v) {
        return new java.text.DecimalFormat(v == Math.rint(v) ? "#,##0" : "0.0##",
                java.text.DecimalFormatSymbols.getInstance(java.util.Locale.ROOT)).format(v);
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
     * A field plot as it will be drawn: per-pixel {@code values} over xr × yr (classes in light palette colours, or
     * a gray scale with iso-lines), axes with round ticks, paths, points, marked spots (name → {x, y}) and the legend
     * (name → colour: the classes, or the paths).
     */
    record Field(String title, String xLabel, String yLabel, double[] xr, double[] yr, double[] xTicks,
            double[] yTicks, double[] values, boolean classes, Map<String, Color> legend, Map<String, double[][]> paths,
            Points points, Map<String, double[]> marks) {
    }

    /** Describes a field plot (see {@link Field}); values in the order of {@link #grid}. */
    static Field field(String title, String xLabel, String yLabel, double[] xr, double[] yr, double[] values,
            boolean classes, Map<String, double[][]> paths, Points points, Map<String, double[]> marks) {
        Map<String, Color> legend = new java.util.LinkedHashMap<>();
        if (classes) {
            int k = (int) java.util.Arrays.stream(values).max().orElse(0);
            if (points != null) {
                k = Math.max(k, java.util.Arrays.stream(points.classes()).max().orElse(0));
            }
            for (int c = 0; c <= k; c++) {
                legend.put("class " + c, PALETTE[c % PALETTE.length]);
            }
        }
        int n = 0;
        for (String name : paths.keySet()) {
            legend.put(name, OPTIMIZER_COLORS.getOrDefault(name, PALETTE[n++ % PALETTE.length]));
        }
        return new Field(title, xLabel, yLabel, xr, yr, ticks(xr[0], xr[1], 5), ticks(yr[0], yr[1], 5), values,
                classes, legend, paths, points, marks);
    }

    static final int LEFT = 70;
    static final int TOP = 36;
    private static final int BOTTOM = 56;
    private static final int RIGHT = 24;

    /** The legend's box {x, y, width, height}: right of the field, so that it covers none of it. */
    static int[] legendBox(Field f) {
        java.awt.FontMetrics fm = new BufferedImage(1, 1, BufferedImage.TYPE_INT_RGB).createGraphics().getFontMetrics(
                new Font(Font.SANS_SERIF, Font.PLAIN, 12));
        int width = 32 + f.legend().keySet().stream().mapToInt(fm::stringWidth).max().orElse(0);
        return new int[] {LEFT + W + 12, TOP, f.legend().isEmpty() ? 0 : width, 18 * f.legend().size() + 8};
    }

    /** Draws a field plot: the field in a frame with ticks and axis titles, then paths, points, marks and legend. */
    static Path draw(Field f, Path file) throws IOException {
        int[] box = legendBox(f);
        BufferedImage img = new BufferedImage(LEFT + W + RIGHT + (box[2] > 0 ? box[2] : 0), TOP + H + BOTTOM,
                BufferedImage.TYPE_INT_RGB);
        Graphics2D g = img.createGraphics();
        g.setColor(Color.WHITE);
        g.fillRect(0, 0, img.getWidth(), img.getHeight());
        double lo = java.util.Arrays.stream(f.values()).min().orElse(0);
        double hi = java.util.Arrays.stream(f.values()).max().orElse(1);
        for (int j = 0; j < H; j++) {
            for (int i = 0; i < W; i++) {
                double v = f.values()[j * W + i];
                Color c;
                if (f.classes()) {
                    c = blend(PALETTE[(int) v % PALETTE.length], 0.3);
                } else {
                    int band = (int) ((v - lo) / Math.max(hi - lo, 1e-12) * 20);
                    boolean line = i > 0 && band != (int) ((f.values()[j * W + i - 1] - lo) / Math.max(hi - lo, 1e-12)
                            * 20) || j > 0 && band != (int) ((f.values()[(j - 1) * W + i] - lo) / Math.max(hi - lo,
                            1e-12) * 20);
                    double t = (v - lo) / Math.max(hi - lo, 1e-12);
                    int gray = (int) (255 - 120 * t);
                    c = line ? new Color(90, 90, 90) : new Color(gray, gray, 255 - (int) (60 * t));
                }
                img.setRGB(LEFT + i, TOP + j, c.getRGB());
            }
        }
        g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
        g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
        g.setClip(LEFT, TOP, W, H);
        g.setStroke(new BasicStroke(2f));
        for (Map.Entry<String, double[][]> p : f.paths().entrySet()) {
            g.setColor(f.legend().get(p.getKey()));
            double[][] xy = p.getValue();
            for (int n = 1; n < xy.length; n++) {
                g.drawLine(px(xy[n - 1][0], f.xr()), py(xy[n - 1][1], f.yr()), px(xy[n][0], f.xr()),
                        py(xy[n][1], f.yr()));
            }
        }
        if (f.points() != null) {
            for (int n = 0; n < f.points().classes().length; n++) {
                int cx = px(f.points().xy()[n][0], f.xr());
                int cy = py(f.points().xy()[n][1], f.yr());
                g.setColor(PALETTE[f.points().classes()[n] % PALETTE.length]);
                g.fillOval(cx - 3, cy - 3, 7, 7);
                g.setColor(Color.BLACK);
                g.drawOval(cx - 3, cy - 3, 7, 7);
            }
        }
        g.setFont(new Font(Font.SANS_SERIF, Font.BOLD, 13));
        for (Map.Entry<String, double[]> m : f.marks().entrySet()) {
            int cx = px(m.getValue()[0], f.xr());
            int cy = py(m.getValue()[1], f.yr());
            g.setColor(Color.WHITE);
            g.fillOval(cx - 7, cy - 7, 14, 14);
            g.setColor(Color.BLACK);
            g.fillOval(cx - 4, cy - 4, 8, 8);
            g.drawString(m.getKey(), cx + 9, cy - 6);
        }
        g.setClip(null);
        g.setColor(Color.DARK_GRAY);
        g.setStroke(new BasicStroke(1f));
        g.drawRect(LEFT, TOP, W, H);
        g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 12));
        java.awt.FontMetrics fm = g.getFontMetrics();
        for (double t : f.xTicks()) {
            int x = px(t, f.xr());
            g.drawLine(x, TOP + H, x, TOP + H + 5);
            String label = linearLabel(t);
            g.drawString(label, x - fm.stringWidth(label) / 2, TOP + H + 18);
        }
        for (double t : f.yTicks()) {
            int y = py(t, f.yr());
            g.drawLine(LEFT - 5, y, LEFT, y);
            String label = linearLabel(t);
            g.drawString(label, LEFT - 8 - fm.stringWidth(label), y + 4);
        }
        g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 13));
        g.drawString(f.xLabel(), LEFT + W / 2 - g.getFontMetrics().stringWidth(f.xLabel()) / 2, TOP + H + 40);
        java.awt.geom.AffineTransform saved = g.getTransform();
        g.rotate(-Math.PI / 2);
        g.drawString(f.yLabel(), -(TOP + H / 2) - g.getFontMetrics().stringWidth(f.yLabel()) / 2, 22);
        g.setTransform(saved);
        if (!f.legend().isEmpty()) {
            g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 12));
            g.setColor(Color.GRAY);
            g.drawRect(box[0], box[1], box[2], box[3]);
            int k = 0;
            for (Map.Entry<String, Color> e : f.legend().entrySet()) {
                g.setColor(e.getValue());
                g.fillRect(box[0] + 6, box[1] + 7 + 18 * k, 12, 12);
                g.setColor(Color.BLACK);
                g.drawString(e.getKey(), box[0] + 24, box[1] + 18 + 18 * k);
                k++;
            }
        }
        g.setFont(new Font(Font.SANS_SERIF, Font.BOLD, 15));
        g.drawString(f.title(), LEFT, 22);
        g.dispose();
        AtomicFile.write(file, out -> ImageIO.write(img, "png", out));
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

    private static int px(double x, double[] r) {
        return LEFT + (int) Math.round((x - r[0]) / (r[1] - r[0]) * W);
    }

    private static int py(double y, double[] r) {
        return TOP + (int) Math.round((r[1] - y) / (r[1] - r[0]) * H);
    }
}
