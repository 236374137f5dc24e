package ndgrad.teaching;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;

/**
 * A layered drawing of a DAG, left to right, in the four steps of Sugiyama, Tagawa and Toda (1981), "Methods for
 * visual understanding of hierarchical system structures": (1) layers by longest path from the sources, with each
 * source moved next to its first consumer; (2) a dummy node wherever an edge spans several layers; (3) the order
 * within each layer by repeated barycenter sweeps (the order with the fewest crossings wins); (4) coordinates:
 * each node pulled toward the mean height of its neighbours, then overlaps pushed apart in layer order.
 *
 * <p>Usage: {@code Layout l = Layout.of(widths, heights, edges); l.x(i); l.y(i); l.route(e);}
 */
final class Layout {
    private static final double LAYER_GAP = 56;
    private static final double NODE_GAP = 18;
    private static final double MARGIN = 12;

    private final double[] x;
    private final double[] y;
    private final double[] w;
    private final double[] h;
    private final int[][] edges;
    private final List<List<Integer>> chains = new ArrayList<>();
    private final double width;
    private final double height;

    private Layout(double[] widths, double[] heights, int[][] edges) {
        int n = widths.length;
        this.edges = edges;
        int[] layer = layers(n, edges);
        // dummy nodes: every edge becomes a chain of nodes one layer apart
        List<double[]> size = new ArrayList<>();
        List<Integer> layerOf = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            size.add(new double[] {widths[i], heights[i]});
            layerOf.add(layer[i]);
        }
        for (int[] e : edges) {
            List<Integer> chain = new ArrayList<>(List.of(e[0]));
            for (int l = layer[e[0]] + 1; l < layer[e[1]]; l++) {
                chain.add(size.size());
                size.add(new double[] {0, 0});
                layerOf.add(l);
            }
            chain.add(e[1]);
            chains.add(chain);
        }
        int total = size.size();
        w = new double[total];
        h = new double[total];
        int layers = 0;
        for (int i = 0; i < total; i++) {
            w[i] = size.get(i)[0];
            h[i] = size.get(i)[1];
            layers = Math.max(layers, layerOf.get(i) + 1);
        }
        List<List<Integer>> in = new ArrayList<>();
        List<List<Integer>> out = new ArrayList<>();
        for (int i = 0; i < total; i++) {
            in.add(new ArrayList<>());
            out.add(new ArrayList<>());
        }
        for (List<Integer> c : chains) {
            for (int k = 0; k + 1 < c.size(); k++) {
                out.get(c.get(k)).add(c.get(k + 1));
                in.get(c.get(k + 1)).add(c.get(k));
            }
        }
        List<List<Integer>> order = new ArrayList<>();
        for (int l = 0; l < layers; l++) {
            order.add(new ArrayList<>());
        }
        for (int i = 0; i < total; i++) {
            order.get(layerOf.get(i)).add(i);
        }
        order = reduceCrossings(order, in, out);
        x = new double[total];
        y = new double[total];
        double left = MARGIN;
        for (List<Integer> nodes : order) {
            double layerWidth = nodes.stream().mapToDouble(i -> w[i]).max().orElse(0);
            for (int i : nodes) {
                x[i] = left + (layerWidth - w[i]) / 2;
            }
            left += layerWidth + LAYER_GAP;
        }
        place(order, in, out);
        double bottom = 0;
        double right = 0;
        for (int i = 0; i < total; i++) {
            bottom = Math.max(bottom, y[i] + h[i]);
            right = Math.max(right, x[i] + w[i]);
        }
        width = right + MARGIN;
        height = bottom + MARGIN;
    }

    /** Lays out nodes of the given sizes joined by {@code edges} ({from, to}; the graph must have no cycle). */
    static Layout of(double[] widths, double[] heights, int[][] edges) {
        return new Layout(widths, heights, edges);
    }

    /** Longest path from the sources; then each source moves up to one layer before its nearest consumer. */
    private static int[] layers(int n, int[][] edges) {
        int[] layer = new int[n];
        boolean changed = true;
        for (int pass = 0; changed && pass <= n; pass++) {
            changed = false;
            for (int[] e : edges) {
                if (layer[e[1]] < layer[e[0]] + 1) {
                    layer[e[1]] = layer[e[0]] + 1;
                    changed = true;
                }
            }
        }
        boolean[] hasInput = new boolean[n];
        for (int[] e : edges) {
            hasInput[e[1]] = true;
        }
        for (int i = 0; i < n; i++) {
            int nearest = Integer.MAX_VALUE;
            for (int[] e : edges) {
                if (e[0] == i) {
                    nearest = Math.min(nearest, layer[e[1]]);
                }
            }
            if (!hasInput[i] && nearest != Integer.MAX_VALUE) {
                layer[i] = nearest - 1;
            }
        }
        return layer;
    }

    /** Barycenter sweeps down and up the layers; returns the order with the fewest crossings seen. */
    private static List<List<Integer>> reduceCrossings(List<List<Integer>> order, List<List<Integer>> in,
            List<List<Integer>> out) {
        List<List<Integer>> best = copy(order);
        long fewest = crossings(order, out);
        for (int sweep = 0; sweep < 12 && fewest > 0; sweep++) {
            boolean down = sweep % 2 == 0;
            for (int k = 1; k < order.size(); k++) {
                int l = down ? k : order.size() - 1 - k;
                List<Integer> fixed = order.get(down ? l - 1 : l + 1);
                List<List<Integer>> neighbours = down ? in : out;
                double[] position = new double[in.size()];
                for (int p = 0; p < fixed.size(); p++) {
                    position[fixed.get(p)] = p;
                }
                List<Integer> layer = order.get(l);
                double[] key = new double[in.size()];
                for (int p = 0; p < layer.size(); p++) {
                    int v = layer.get(p);
                    List<Integer> nb = neighbours.get(v);
                    key[v] = nb.isEmpty() ? p : nb.stream().mapToDouble(u -> position[u]).average().orElse(p);
                }
                layer.sort(Comparator.comparingDouble(v -> key[v]));
            }
            long c = crossings(order, out);
            if (c < fewest) {
                fewest = c;
                best = copy(order);
            }
        }
        return best;
    }

    private static long crossings(List<List<Integer>> order, List<List<Integer>> out) {
        long count = 0;
        for (int l = 0; l + 1 < order.size(); l++) {
            int[] position = new int[out.size()];
            List<Integer> next = order.get(l + 1);
            for (int p = 0; p < next.size(); p++) {
                position[next.get(p)] = p;
            }
            List<int[]> segments = new ArrayList<>();
            List<Integer> layer = order.get(l);
            for (int p = 0; p < layer.size(); p++) {
                for (int v : out.get(layer.get(p))) {
                    segments.add(new int[] {p, position[v]});
                }
            }
            for (int a = 0; a < segments.size(); a++) {
                for (int b = a + 1; b < segments.size(); b++) {
                    int[] s = segments.get(a);
                    int[] t = segments.get(b);
                    if ((long) (s[0] - t[0]) * (s[1] - t[1]) < 0) {
                        count++;
                    }
                }
            }
        }
        return count;
    }

    private static List<List<Integer>> copy(List<List<Integer>> order) {
        List<List<Integer>> c = new ArrayList<>();
        order.forEach(l -> c.add(new ArrayList<>(l)));
        return c;
    }

    /** Heights: stacked in order, then pulled toward the neighbours' mean centre and pushed apart, a few times. */
    private void place(List<List<Integer>> order, List<List<Integer>> in, List<List<Integer>> out) {
        for (List<Integer> layer : order) {
            double top = MARGIN;
            for (int v : layer) {
                y[v] = top;
                top += h[v] + NODE_GAP;
            }
        }
        for (int round = 0; round < 8; round++) {
            for (List<Integer> layer : order) {
                double[] want = new double[layer.size()];
                for (int p = 0; p < layer.size(); p++) {
                    int v = layer.get(p);
                    List<Integer> nb = new ArrayList<>(in.get(v));
                    nb.addAll(out.get(v));
                    double centre = nb.stream().mapToDouble(u -> y[u] + h[u] / 2).average().orElse(y[v] + h[v] / 2);
                    want[p] = centre - h[v] / 2;
                }
                separate(layer, want);
            }
        }
        double top = Arrays.stream(y).min().orElse(MARGIN);
        for (int i = 0; i < y.length; i++) {
            y[i] += MARGIN - top;
        }
    }

    /** Sets the layer's heights as near {@code want} as their order and the gap allow (down, then up, averaged). */
    private void separate(List<Integer> layer, double[] want) {
        int k = layer.size();
        double[] downward = new double[k];
        double[] upward = new double[k];
        for (int p = 0; p < k; p++) {
            double min = p == 0 ? Double.NEGATIVE_INFINITY : downward[p - 1] + h[layer.get(p - 1)] + NODE_GAP;
            downward[p] = Math.max(want[p], min);
        }
        for (int p = k - 1; p >= 0; p--) {
            double max = p == k - 1 ? Double.POSITIVE_INFINITY : upward[p + 1] - h[layer.get(p)] - NODE_GAP;
            upward[p] = Math.min(want[p], max);
        }
        double[] mean = new double[k];
        for (int p = 0; p < k; p++) {
            mean[p] = (downward[p] + upward[p]) / 2;
        }
        for (int p = 1; p < k; p++) {
            mean[p] = Math.max(mean[p], mean[p - 1] + h[layer.get(p - 1)] + NODE_GAP);
        }
        for (int p = 0; p < k; p++) {
            y[layer.get(p)] = mean[p];
        }
    }

    double x(int node) {
        return x[node];
    }

    double y(int node) {
        return y[node];
    }

    double width() {
        return width;
    }

    double height() {
        return height;
    }

    /**
     * The points edge {@code e} passes: the right middle of its source, each dummy node, the left middle of its
     * target.
     */
    double[][] route(int e) {
        List<Integer> chain = chains.get(e);
        double[][] points = new double[chain.size()][];
        for (int k = 0; k < chain.size(); k++) {
            int v = chain.get(k);
            double px = k == 0 ? x[v] + w[v] : x[v];
            points[k] = new double[] {px, y[v] + h[v] / 2};
        }
        return points;
    }

    int[] edge(int e) {
        return edges[e];
    }
}
