package ndgrad.teaching;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/**
 * What every layout promises, on 400 random DAGs (seeded): edges run left to right at least a layer gap (56) apart;
 * the nodes of a layer (one column, centred on one x) are stacked at least 18 apart without overlapping; every node
 * lies inside the margins (12); and the crossing reduction never returns an order with more crossings than the
 * order it started from. For 50 seeded paths, the centres of the nodes, which start stacked at the top, end within
 * a quarter of their first spread, the highest node at the margin: a regression bound measured on these samples
 * (eight rounds of pulling do not promise it for every path; another draw of sizes came to 0.26).
 */
class LayoutPropertyTest {
    private static final double EPS = 1e-9;

    @Test
    void randomGraphsKeepTheLayoutsPromises() {
        Random rng = new Random(7);
        for (int trial = 0; trial < 400; trial++) {
            int n = 2 + rng.nextInt(11);
            double[] w = new double[n];
            double[] h = new double[n];
            for (int i = 0; i < n; i++) {
                w[i] = 5 + rng.nextInt(60);
                h[i] = 5 + rng.nextInt(40);
            }
            List<int[]> edges = new ArrayList<>();
            for (int j = 1; j < n; j++) {
                for (int i = 0; i < j; i++) {
                    if (rng.nextDouble() < 0.3) {
                        edges.add(new int[] {i, j});
                    }
                }
            }
            int[][] e = edges.toArray(new int[0][]);
            Layout l = Layout.of(w, h, e);
            String at = "trial " + trial;
            for (int[] edge : e) {
                assertTrue(l.x(edge[1]) >= l.x(edge[0]) + w[edge[0]] + 56 - EPS, at + ": edge left to right");
            }
            Map<Double, List<Integer>> columns = new TreeMap<>();
            for (int i = 0; i < n; i++) {
                assertTrue(l.x(i) >= 12 - EPS && l.y(i) >= 12 - EPS, at + ": inside the top and left margins");
                assertTrue(l.x(i) + w[i] <= l.width() - 12 + EPS && l.y(i) + h[i] <= l.height() - 12 + EPS,
                        at + ": inside the bottom and right margins");
                columns.computeIfAbsent(Math.rint((l.x(i) + w[i] / 2) * 1e6) / 1e6, k -> new ArrayList<>()).add(i);
            }
            for (List<Integer> column : columns.values()) {
                column.sort((a, b) -> Double.compare(l.y(a), l.y(b)));
                for (int k = 1; k < column.size(); k++) {
                    int a = column.get(k - 1);
                    int b = column.get(k);
                    assertTrue(l.y(b) >= l.y(a) + h[a] + 18 - EPS, at + ": nodes " + a + " and " + b + " 18 apart");
                }
            }
        }
    }

    @Test
    void aPathsCentresAreDrawnTogether() {
        Random rng = new Random(11);
        for (int trial = 0; trial < 50; trial++) {
            int n = 2 + rng.nextInt(8);
            double[] w = new double[n];
            double[] h = new double[n];
            int[][] e = new int[n - 1][];
            for (int i = 0; i < n; i++) {
                w[i] = 5 + rng.nextInt(60);
                h[i] = 5 + rng.nextInt(40);
                if (i > 0) {
                    e[i - 1] = new int[] {i - 1, i};
                }
            }
            Layout l = Layout.of(w, h, e);
            double[] centre = new double[n];
            for (int i = 0; i < n; i++) {
                centre[i] = l.y(i) + h[i] / 2;
            }
            double tallest = java.util.Arrays.stream(h).max().orElseThrow();
            double shortest = java.util.Arrays.stream(h).min().orElseThrow();
            double spread = java.util.Arrays.stream(centre).max().orElseThrow()
                    - java.util.Arrays.stream(centre).min().orElseThrow();
            assertTrue(spread <= 0.25 * (tallest - shortest) / 2 + EPS, "trial " + trial + ": centres spread "
                    + spread + ", stacked at the top they spread " + (tallest - shortest) / 2);
            assertEquals(12, java.util.Arrays.stream(yOf(l, n)).min().orElseThrow(),
                    1e-9, "the highest node at the margin");
        }
    }

    private static double[] yOf(Layout l, int n) {
        double[] y = new double[n];
        for (int i = 0; i < n; i++) {
            y[i] = l.y(i);
        }
        return y;
    }

    /**
     * Two layers, sources 0..a-1 and targets a..a+b-1, random edges: the drawn order (by height) has no more
     * crossings than the order of the indices the layout started from.
     */
    @Test
    void theCrossingReductionNeverAddsCrossings() {
        Random rng = new Random(5);
        int improved = 0;
        for (int trial = 0; trial < 300; trial++) {
            int a = 2 + rng.nextInt(4);
            int b = 2 + rng.nextInt(4);
            double[] size = new double[a + b];
            java.util.Arrays.fill(size, 10);
            List<int[]> edges = new ArrayList<>();
            for (int t = a; t < a + b; t++) {
                int first = rng.nextInt(a);
                edges.add(new int[] {first, t});
                int second = rng.nextInt(a);
                if (second != first && rng.nextBoolean()) {
                    edges.add(new int[] {second, t});
                }
            }
            int[][] e = edges.toArray(new int[0][]);
            Layout l = Layout.of(size, size, e);
            long before = crossings(e, i -> (double) i);
            long after = crossings(e, l::y);
            assertTrue(after <= before, "trial " + trial + ": " + after + " crossings after, " + before + " before");
            improved += after < before ? 1 : 0;
        }
        assertTrue(improved > 50, "the sweep undid crossings in " + improved + " of 300 graphs");
    }

    /** Pairs of edges whose ends are in opposite orders (by {@code position}) on the two layers. */
    private static long crossings(int[][] e, java.util.function.IntToDoubleFunction position) {
        long c = 0;
        for (int i = 0; i < e.length; i++) {
            for (int j = i + 1; j < e.length; j++) {
                double s = position.applyAsDouble(e[i][0]) - position.applyAsDouble(e[j][0]);
                double t = position.applyAsDouble(e[i][1]) - position.applyAsDouble(e[j][1]);
                c += s * t < 0 ? 1 : 0;
            }
        }
        return c;
    }
}
