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
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYSeries;

/** What each plot shows, read from the chart objects before they are drawn (and, for the ticks, as XChart lays them). */
class PlotsTest {
    /** 1,875 steps: the x axis runs 0 to 2,000 with ticks on round numbers (XChart alone put them at 1, 40, 79...). */
    @Test
    void aStepAxisHasRoundTicksAndALightGrid() throws Exception {
        List<Double> ys = new ArrayList<>();
        for (int i = 0; i < 1875; i++) {
            ys.add(Math.exp(-i / 300.0));
        }
        XYChart c = Plots.chart("loss", "step", "loss", false, false, Map.of("loss", Plots.series(ys)));
        assertFalse(c.getStyler().isXAxisLogarithmic());
        assertEquals(0.0, c.getStyler().getXAxisMin());
        assertEquals(2000.0, c.getStyler().getXAxisMax());
        assertEquals(1.0, c.getStyler().getYAxisMax());
        assertTrue(c.getStyler().isPlotGridLinesVisible());
        assertEquals(Plots.GRID, c.getStyler().getPlotGridLinesColor());
        List<String> ticks = tickLabels(c, "getXAxis");
        assertTrue(ticks.size() >= 5, ticks.toString());
        for (String t : ticks) {
            double v = Double.parseDouble(t.replace(",", ""));
            assertEquals(0, v % 100, 1e-9, "round ticks: " + ticks);
        }
        assertTrue(ticks.contains("1,000") && ticks.contains("2,000"), ticks.toString());
    }

    /** A log axis labels its decades only, all in one style. */
    @Test
    void aLogAxisLabelsDecadesInOneStyle() throws Exception {
        XYChart c = Plots.chart("error", "h", "error", true, true, Map.of("central", new double[][] {
            {1e-12, 1e-8, 1e-4, 1e-1}, {1e-3, 1e-9, 1e-8, 1e-2}}));
        assertTrue(c.getStyler().isXAxisLogarithmic() && c.getStyler().isYAxisLogarithmic());
        for (String axis : new String[] {"getXAxis", "getYAxis"}) {
            List<String> labels = tickLabels(c, axis).stream().filter(l -> l != null).toList();
            assertTrue(labels.size() >= 3 && labels.stream().allMatch(l -> l.matches("1E-?\\d+")), axis + " " + labels);
        }
    }

    /** Each optimizer keeps its colour: in every comparison chart and in the Rosenbrock picture. */
    @Test
    void everyOptimizerHasOneColourEverywhere() {
        Map<String, Color> seen = new LinkedHashMap<>();
        for (String problem : CompareOptimizers.PROBLEMS) {
            XYChart c = Toys.curves(problem, CompareOptimizers.run(problem, 20));
            for (XYSeries s : c.getSeriesMap().values()) {
                if (s.isShowInLegend()) {
                    assertEquals(Plots.OPTIMIZER_COLORS.get(s.getName()), s.getLineColor(), problem + " " + s.getName());
                    seen.put(s.getName(), s.getLineColor());
                }
            }
        }
        assertEquals(Plots.OPTIMIZER_COLORS.keySet(), seen.keySet(), "all nine optimizers were drawn");
        assertEquals(9, new java.util.HashSet<>(seen.values()).size(), "nine distinguishable colours");
        Map<String, double[][]> paths = new LinkedHashMap<>();
        CompareOptimizers.run("rosenbrock", 20).forEach((n, r) -> paths.put(n, r.path()));
        Plots.Field f = Toys.rosenbrock(paths);
        paths.keySet().forEach(n -> assertEquals(Plots.OPTIMIZER_COLORS.get(n), f.legend().get(n), n));
    }

    /**
     * The Rosenbrock picture: axes with round ticks, start and minimum marked, and paths clipped to the frame (GD's
     * first line-search step leaves it): no optimizer's colour outside the frame.
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
        for (int y = 0; y < img.getHeight(); y++) {
            for (int x = 0; x < img.getWidth(); x++) {
                boolean inside = x >= 70 && x <= 70 + Plots.W && y >= 36 && y <= 36 + Plots.H;
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
        assertArrayEquals(new double[] {-2, -1, 0, 1, 2}, f.xTicks(), 1e-12);
        assertEquals(Map.of("class 0", Plots.PALETTE[0], "class 1", Plots.PALETTE[1], "class 2", Plots.PALETTE[2]),
                f.legend());
        assertTrue(f.classes() && f.points().classes().length == 90);
    }

    /** MNIST's accuracy in percent; gradient-norm legends name layers; each numgrad function has its own file. */
    @Test
    void accuracyInPercentLayersByNameAndOneNumgradPlotPerFunction(@TempDir Path dir) {
        Map<String, XYChart> charts = TrainMnist.charts(new TrainMnist.History(List.of(0.5, 0.3), List.of(0.9,
                0.955), List.of(1.0, 1.0)));
        XYChart acc = charts.get("mnist-accuracy.png");
        assertEquals("test accuracy (%)", acc.getYAxisTitle());
        double[] y = acc.getSeriesMap().get("test accuracy").getYData();
        assertArrayEquals(new double[] {90, 95.5}, y, 1e-9);
        assertEquals(100.0, acc.getStyler().getYAxisMax());
        GradientMonitor m = Diagnose.run("relu", 3, 2);
        assertEquals(List.of("Linear 1", "Linear 2", "Linear 3", "Linear 4"), new ArrayList<>(Diagnose.normSeries(m)
                .keySet()));
        for (String fn : new String[] {"rosenbrock", "sinexp"}) {
            assertEquals(0, ExamplesTest.cli("numgrad", "--function", fn, "--out", dir.toString()).code());
            assertTrue(dir.resolve("numgrad-" + fn + ".png").toFile().length() > 1000, fn);
        }
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
