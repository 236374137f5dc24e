package ndgrad.examples;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.Color;
import java.awt.image.BufferedImage;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import javax.imageio.ImageIO;
import ndgrad.core.Rng;
import ndgrad.core.io.Datasets;
import ndgrad.nn.Sequential;
import ndgrad.optim.GradientMonitor;
import ndgrad.optim.LrFinder;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYSeries;

/** What each plot shows, read from the chart objects before they are drawn (and, for the ticks, as XChart lays them). */
class PlotsTest {
    /**
     * 1,875 steps: the x axis spans the data, 1 to 1,875, with ticks on round numbers (XChart alone put them at 1, 40,
     * 79...); the loss axis runs from 0; one line needs no legend.
     */
    @Test
    void aStepAxisSpansTheDataWithRoundTicksALightGridAndNoLegendForOneLine() throws Exception {
        List<Double> ys = new ArrayList<>();
        for (int i = 0; i < 1875; i++) {
            ys.add(Math.exp(-i / 300.0));
        }
        XYChart c = Plots.chart("loss", "step", "loss", false, false, Map.of("loss", Plots.series(ys)));
        assertFalse(c.getStyler().isXAxisLogarithmic());
        assertEquals(1.0, c.getStyler().getXAxisMin());
        assertEquals(1875.0, c.getStyler().getXAxisMax());
        assertEquals(0.0, c.getStyler().getYAxisMin());
        assertEquals(1.0, c.getStyler().getYAxisMax());
        assertFalse(c.getStyler().isLegendVisible(), "one line, no legend");
        assertTrue(c.getStyler().isPlotGridLinesVisible());
        assertEquals(Plots.GRID, c.getStyler().getPlotGridLinesColor());
        List<String> ticks = tickLabels(c, "getXAxis");
        assertTrue(ticks.size() >= 5, ticks.toString());
        for (String t : ticks) {
            double v = Double.parseDouble(t.replace(",", ""));
            assertEquals(0, v % 100, 1e-9, "round ticks: " + ticks);
        }
        assertTrue(ticks.contains("1,000"), ticks.toString());
        Map<String, double[][]> two = new LinkedHashMap<>(Map.of("a", Plots.series(ys)));
        two.put("b", Plots.series(ys));
        assertTrue(Plots.chart("loss", "step", "loss", false, false, two).getStyler().isLegendVisible());
    }

    /** A log axis labels its decades only, plainly from 0.01 to 1,000 and as powers of ten beyond: never 1E-4. */
    @Test
    void aLogAxisLabelsDecadesInOneStyle() throws Exception {
        XYChart c = Plots.chart("error", "h", "error", true, true, Map.of("central", new double[][] {
            {1e-12, 1e-8, 1e-4, 1e-1}, {1e-3, 1e-9, 1e-8, 1e2}}));
        assertArrayEquals(new double[] {-12, -8, -4, -1}, c.getSeriesMap().get("central").getXData(), 1e-12,
                "a log axis holds the data's base-10 logarithms");
        assertEquals(-12.0, c.getStyler().getXAxisMin());
        assertEquals(-1.0, c.getStyler().getXAxisMax());
        assertEquals(-9.0, c.getStyler().getYAxisMin());
        assertEquals(2.0, c.getStyler().getYAxisMax());
        for (String axis : new String[] {"getXAxis", "getYAxis"}) {
            List<String> labels = tickLabels(c, axis).stream().filter(l -> l != null).toList();
            assertTrue(labels.size() >= 3 && labels.stream().allMatch(l -> l.matches("10[⁻¹²³⁴⁵⁶⁷⁸⁹⁰]+|0\\.01|0\\.1|1|10"
                    + "|100|1,000")), axis + " " + labels);
            assertFalse(labels.stream().anyMatch(l -> l.contains("E")), axis + " " + labels);
        }
        assertEquals("10⁻⁴", Plots.decade(1e-4));
        assertEquals("10⁻¹²", Plots.decade(1e-12));
        assertEquals("10⁶", Plots.decade(1e6));
        assertEquals("0.01", Plots.decade(0.01));
        assertEquals("1,000", Plots.decade(1000));
        assertEquals("1", Plots.decade(1));
    }

    /** Data far from 0 (an accuracy) get an axis fitted to them; a loss keeps its 0. */
    @Test
    void anAccuracyAxisIsFittedAndALossAxisStartsAtZero() {
        XYChart acc = Plots.chart("a", "epoch", "%", false, false, Map.of("test", new double[][] {{1, 2, 3},
            {91.2, 95.4, 96.8}}));
        assertTrue(acc.getStyler().getYAxisMin() >= 85 && acc.getStyler().getYAxisMin() <= 91.2,
                "from " + acc.getStyler().getYAxisMin());
        assertTrue(acc.getStyler().getYAxisMax() >= 96.8 && acc.getStyler().getYAxisMax() <= 100,
                "to " + acc.getStyler().getYAxisMax());
        XYChart loss = Plots.chart("l", "epoch", "loss", false, false, Map.of("train", new double[][] {{1, 2, 3},
            {0.9, 0.3, 0.1}}));
        assertEquals(0.0, loss.getStyler().getYAxisMin());
    }

    /** Each optimizer keeps its colour: in every comparison chart and in the Rosenbrock picture. */
    @Test
    void everyOptimizerHasOneColourEverywhere() {
        Map<String, Color> seen = new LinkedHashMap<>();
        for (String problem : CompareOptimizers.PROBLEMS) {
            XYChart c = Toys.curves(problem, CompareOptimizers.run(problem, 20), 1e-4);
            for (XYSeries s : c.getSeriesMap().values()) {
                if (s.isShowInLegend() && !s.getName().startsWith("tolerance")) {
                    assertEquals(Plots.OPTIMIZER_COLORS.get(s.getName()), s.getLineColor(), problem + " " + s.getName());
                    seen.put(s.getName(), s.getLineColor());
                }
            }
        }
        assertEquals(Plots.OPTIMIZER_COLORS.keySet(), seen.keySet(), "all nine optimizers were drawn");
        assertEquals(9, new java.util.HashSet<>(seen.values()).size(), "nine colours");
        List<Color> nine = new ArrayList<>(seen.values());
        for (int i = 0; i < nine.size(); i++) {
            for (int j = i + 1; j < nine.size(); j++) {
                Color a = nine.get(i);
                Color b = nine.get(j);
                double d = Math.sqrt(Math.pow(a.getRed() - b.getRed(), 2) + Math.pow(a.getGreen() - b.getGreen(), 2)
                        + Math.pow(a.getBlue() - b.getBlue(), 2));
                assertTrue(d > 60, "distinguishable: " + a + " and " + b + " are " + d + " apart in RGB");
            }
        }
        Map<String, double[][]> paths = new LinkedHashMap<>();
        CompareOptimizers.run("rosenbrock", 20).forEach((n, r) -> paths.put(n, r.path()));
        Plots.Field f = Toys.rosenbrock(paths);
        paths.keySet().forEach(n -> assertEquals(Plots.OPTIMIZER_COLORS.get(n), f.legend().get(n), n));
    }

    /**
     * The optimizer comparison: the tolerance as a dashed reference line at its level, and no curve floored: every
     * loss drawn is one the run had, above 0 (Newton reaches 0 on the quadratic; its curve ends there).
     */
    @Test
    void theOptimizerComparisonHasItsToleranceAndNoFloor() {
        Map<String, CompareOptimizers.Run> runs = CompareOptimizers.run("quadratic", 50);
        XYChart c = Toys.curves("quadratic", runs, 1e-4);
        XYSeries tol = c.getSeriesMap().get("tolerance 10⁻⁴");
        assertArrayEquals(new double[] {-4, -4}, tol.getYData(), 1e-12, "at 10⁻⁴, on the log axis");
        assertEquals(Plots.DASHED, tol.getLineStyle());
        runs.forEach((name, r) -> {
            double[] drawn = c.getSeriesMap().get(name).getYData();
            assertTrue(drawn.length >= 1 && drawn.length <= r.losses().length, name);
            for (int i = 0; i < drawn.length; i++) {
                assertEquals(Math.log10(r.losses()[i]), drawn[i], 1e-12, name + " step " + (i + 1));
            }
        });
        assertTrue(runs.values().stream().anyMatch(r -> java.util.Arrays.stream(r.losses()).anyMatch(l -> l <= 0))
                == runs.entrySet().stream().anyMatch(e -> c.getSeriesMap().get(e.getKey()).getYData().length
                < e.getValue().losses().length), "a curve is cut exactly when its run reached 0");
    }

    /**
     * The Rosenbrock picture: axes with round ticks, start and minimum marked, and paths clipped to the frame (GD's
     * first line-search step leaves it): no optimizer's colour outside the frame but in the legend, which lies right
     * of the frame and so covers no part of it (the start stays visible).
     */
    @Test
    void theRosenbrockPathsAreFramedMarkedAndClipped(@TempDir Path dir) throws Exception {
        Map<String, double[][]> paths = new LinkedHashMap<>();
        CompareOptimizers.run("rosenbrock", 300).forEach((n, r) -> paths.put(n, r.path()));
        Plots.Field f = Toys.rosenbrock(paths);
        assertArrayEquals(new double[] {-2, -1, 0, 1, 2}, f.xTicks(), 1e-12);
        assertArrayEquals(new double[] {-1, 0, 1, 2, 3}, f.yTicks(), 1e-12);
        assertEquals(List.of("start", "minimum (1, 1)"), new ArrayList<>(f.marks().keySet()));
        assertArrayEquals(new double[] {1, 1}, f.marks().get("minimum (1, 1)"));
        assertTrue(paths.values().stream().anyMatch(p -> java.util.Arrays.stream(p).anyMatch(xy -> Math.abs(xy[0]) > 2
                || xy[1] < -1 || xy[1] > 3)), "some path leaves the frame");
        BufferedImage img = ImageIO.read(Plots.draw(f, dir.resolve("r.png")).toFile());
        int[] legend = Plots.legendBox(f);
        assertTrue(legend[0] > Plots.LEFT + Plots.W, "the legend right of the frame: " + legend[0]);
        double[] start = f.marks().get("start");
        int sx = Plots.LEFT + (int) Math.round((start[0] - f.xr()[0]) / (f.xr()[1] - f.xr()[0]) * Plots.W);
        int sy = Plots.TOP + (int) Math.round((f.yr()[1] - start[1]) / (f.yr()[1] - f.yr()[0]) * Plots.H);
        assertEquals(0, img.getRGB(sx, sy) & 0xffffff, "the start's black dot is drawn, not covered");
        for (int y = 0; y < img.getHeight(); y++) {
            for (int x = 0; x < img.getWidth(); x++) {
                boolean inside = x >= 70 && x <= 70 + Plots.W && y >= 36 && y <= 36 + Plots.H
                        || x >= legend[0] && x <= legend[0] + legend[2] && y >= legend[1] && y <= legend[1] + legend[3];
                if (!inside) {
                    int rgb = img.getRGB(x, y) & 0xffffff;
                    for (Map.Entry<String, Color> c : Plots.OPTIMIZER_COLORS.entrySet()) {
                        assertTrue((c.getValue().getRGB() & 0xffffff) != rgb, c.getKey() + "'s colour at (" + x + ", "
                                + y + "), outside the frame");
                    }
                }
            }
        }
    }

    /** A decision-boundary plot has axis titles, round ticks over its range and one legend entry per class. */
    @Test
    void aDecisionBoundaryHasAxesTicksAndAClassLegend() {
        Plots.Field f;
        try (var float64 = ndgrad.core.DTypes.use(org.nd4j.linalg.api.buffer.DataType.DOUBLE)) {
            Rng rng = new Rng(3);
            Datasets.Labeled d = Datasets.spiral(30, 3, rng);
            Sequential model = Cli.mlp(new int[] {2, 8, 3}, "tanh", 0, rng);
            f = Toys.boundary("spiral", model, d);
        }
        assertEquals("x1", f.xLabel());
        assertEquals("x2", f.yLabel());
        double[][] xy = f.points().xy();
        double minX = java.util.Arrays.stream(xy).mapToDouble(p -> p[0]).min().orElseThrow();
        double maxX = java.util.Arrays.stream(xy).mapToDouble(p -> p[0]).max().orElseThrow();
        assertTrue(f.xr()[0] < minX && f.xr()[0] > minX - 0.2 * (maxX - minX), "the data's box: " + f.xr()[0]);
        assertTrue(f.xr()[1] > maxX && f.xr()[1] < maxX + 0.2 * (maxX - minX), "the data's box: " + f.xr()[1]);
        assertTrue(f.xTicks().length >= 3, java.util.Arrays.toString(f.xTicks()));
        double step = f.xTicks()[1] - f.xTicks()[0];
        for (double t : f.xTicks()) {
            assertTrue(t >= f.xr()[0] && t <= f.xr()[1], "inside the range: " + t);
            assertEquals(0, Math.abs(t / step - Math.rint(t / step)), 1e-9, "round ticks: " + java.util.Arrays
                    .toString(f.xTicks()));
        }
        assertEquals(Map.of("class 0", Plots.PALETTE[0], "class 1", Plots.PALETTE[1], "class 2", Plots.PALETTE[2]),
                f.legend());
        assertTrue(f.classes() && f.points().classes().length == 90);
    }

    /**
     * MNIST: train and test loss on one chart, train and test accuracy in percent on an axis fitted to them, and the
     * CNN's files named apart from the MLP's; gradient-norm legends name layers, eleven of them in eleven colours;
     * each numgrad function has its own file.
     */
    @Test
    void mnistChartsLayerColoursAndOneNumgradPlotPerFunction(@TempDir Path dir) {
        TrainMnist.History h = new TrainMnist.History(List.of(0.5, 0.3), List.of(0.9, 0.955), List.of(1.0, 1.0),
                List.of(0.35, 0.28), List.of(0.85, 0.93));
        Map<String, XYChart> charts = TrainMnist.charts("mnist", h);
        XYChart loss = charts.get("mnist-loss.png");
        assertArrayEquals(new double[] {0.35, 0.28}, loss.getSeriesMap().get("test loss").getYData(), 0.0);
        assertArrayEquals(new double[] {0.5, 0.3}, loss.getSeriesMap().get("train loss").getYData(), 0.0);
        XYChart acc = charts.get("mnist-accuracy.png");
        assertEquals("accuracy (%)", acc.getYAxisTitle());
        assertArrayEquals(new double[] {90, 95.5}, acc.getSeriesMap().get("test accuracy").getYData(), 1e-9);
        assertArrayEquals(new double[] {85, 93}, acc.getSeriesMap().get("train accuracy (over the epoch's batches)")
                .getYData(), 1e-9);
        assertTrue(acc.getStyler().getYAxisMin() >= 75 && acc.getStyler().getYAxisMax() <= 100,
                acc.getStyler().getYAxisMin() + " to " + acc.getStyler().getYAxisMax());
        assertEquals(List.of("mnist-cnn-loss.png", "mnist-cnn-accuracy.png"), new ArrayList<>(TrainMnist.charts(
                "mnist-cnn", h).keySet()));
        GradientMonitor m = Diagnose.run("relu", 3, 2);
        assertEquals(List.of("Linear 1", "Linear 2", "Linear 3", "Linear 4"), new ArrayList<>(Diagnose.normSeries(m)
                .keySet()));
        Map<String, double[][]> eleven = Diagnose.normSeries(Diagnose.run("sigmoid", 10, 2));
        assertEquals(11, eleven.size());
        XYChart norms = Plots.chart("norms", "step", "norm", false, true, eleven);
        assertEquals(11, eleven.keySet().stream().map(n -> norms.getSeriesMap().get(n).getLineColor()).distinct()
                .count(), "eleven layers, eleven colours");
        for (String fn : new String[] {"rosenbrock", "sinexp"}) {
            assertEquals(0, ExamplesTest.cli("numgrad", "--function", fn, "--out", dir.toString()).code());
            assertTrue(dir.resolve("numgrad-" + fn + ".png").toFile().length() > 1000, fn);
        }
    }

    /**
     * The reference lines: the adding problem's baseline 1/6, the regression's closed form, and the error-against-h
     * slopes h, h² and h⁴ through each scheme's largest-h error (none for a scheme exact on the function, which is
     * reported as exact rather than "order 0.00").
     */
    @Test
    void referenceLinesAndExactSchemes() {
        XYChart seq = TrainSequence.chart("lstm", List.of(0.4, 0.2, 0.05));
        assertArrayEquals(new double[] {Math.log10(1.0 / 6), Math.log10(1.0 / 6)}, seq.getSeriesMap().get(
                "predicting the mean (1/6 = 0.167)").getYData(), 1e-12);
        XYChart reg = Toys.regressionChart(List.of(5.0, 1.0, 0.02), 0.0101);
        XYSeries closed = reg.getSeriesMap().get("closed form (normal equations): 0.01010");
        assertArrayEquals(new double[] {Math.log10(0.0101), Math.log10(0.0101)}, closed.getYData(), 1e-12);
        assertEquals(Plots.DASHED, closed.getLineStyle());
        double[] hs = {1e-1, 1e-2, 1e-3, 1e-4};
        Map<String, double[]> errors = new LinkedHashMap<>();
        errors.put("forward", new double[] {1e-1, 1e-2, 1e-3, 1e-4});
        errors.put("central", new double[] {1e-2, 1e-4, 1e-6, 1e-8});
        errors.put("five-point", new double[] {1e-13, 2e-13, 1e-12, 1e-11});
        Map<String, double[][]> slopes = NumericalGradients.slopes(hs, errors);
        assertEquals(List.of("slope 1 (h)", "slope 2 (h²)"), new ArrayList<>(slopes.keySet()));
        double[][] two = slopes.get("slope 2 (h²)");
        assertEquals(2.0, Math.log(two[1][0] / two[1][1]) / Math.log(two[0][0] / two[0][1]), 1e-9);
        assertTrue(NumericalGradients.exact(errors.get("five-point")));
        assertFalse(NumericalGradients.exact(errors.get("central")));
        String log = ExamplesTest.logged("numgrad", "--function", "rosenbrock", "--out", System.getProperty(
                "java.io.tmpdir"));
        assertTrue(log.contains("five-point exact here (round-off only)") && !log.contains("five-point 0.00"), log);
    }

    /**
     * The LR range test: the loss drawn up to where it passes twice its start (the explosion after would squash the
     * rest), the suggestion marked on the curve, a dashed line along the steepest descent through it.
     */
    @Test
    void theLrRangeTestShowsWhereItsSuggestionComesFrom() {
        double[] lrs = new double[40];
        double[] losses = new double[40];
        for (int i = 0; i < 40; i++) {
            lrs[i] = 1e-5 * Math.pow(10, i / 6.0);
            losses[i] = i < 30 ? 2.3 - 1.5 / (1 + Math.exp(-(i - 15) / 3.0)) : 2.3 * Math.exp(i - 29);
        }
        XYChart c = Toys.lrChart(new LrFinder.Result(lrs, losses, lrs[15]), "test");
        double[] drawn = c.getSeriesMap().get("smoothed loss").getYData();
        assertEquals(30, drawn.length, "the points up to twice the first loss");
        assertTrue(java.util.Arrays.stream(drawn).max().orElseThrow() <= 2 * losses[0]);
        XYSeries mark = c.getSeriesMap().values().stream().filter(s -> s.getName().startsWith("suggested lr"))
                .findFirst().orElseThrow();
        assertArrayEquals(new double[] {Math.log10(lrs[15])}, mark.getXData(), 1e-12);
        assertArrayEquals(new double[] {losses[15]}, mark.getYData(), 0.0);
        XYSeries slope = c.getSeriesMap().get("steepest descent");
        assertEquals(Plots.DASHED, slope.getLineStyle());
        assertTrue(slope.getYData()[1] < slope.getYData()[0], "the loss falls along it");
    }

    /** The tick labels XChart lays out for an axis ("getXAxis" or "getYAxis"), read after drawing the chart. */
    private static List<String> tickLabels(XYChart c, String axis) throws Exception {
        BitmapEncoder.getBufferedImage(c);
        Object ticks = call(call(call(call(c, "getAxisPair"), axis), "getAxisTickCalculator"), "getTickLabels");
        List<String> in = new ArrayList<>();
        for (Object o : (List<?>) ticks) {
            in.add(o == null ? null : o.toString());
        }
        return in;
    }

    private static Object call(Object o, String method) throws Exception {
        for (Class<?> k = o.getClass(); k != null; k = k.getSuperclass()) {
            try {
                java.lang.reflect.Method m = k.getDeclaredMethod(method);
                m.setAccessible(true);
                return m.invoke(o);
            } catch (NoSuchMethodException e) {
                // look in the superclass
            }
        }
        throw new NoSuchMethodException(method);
    }
}
