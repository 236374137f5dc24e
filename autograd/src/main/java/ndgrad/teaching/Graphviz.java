package ndgrad.teaching;

import ndgrad.core.io.AtomicFile;
import ndgrad.autograd.Tensor;
import ndgrad.autograd.Function;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * Pictures of the graph behind a tensor, as micrograd's {@code draw_dot}: one box per value (its label, the value
 * when small, its gradient when known, its shape when not a scalar) and one oval per op, with edges input → op →
 * output. SVG is laid out by ndgrad itself ({@link Layout}: layered, left to right) and needs nothing installed;
 * DOT is for Graphviz, which also renders a PNG when its {@code dot} program is installed. Values are labelled as in
 * {@link BackwardTrace}: by name, else after their op ({@code add1}, {@code add2}).
 *
 * <p>Usage: {@code Files.writeString(Path.of("graph.svg"), Graphviz.toSvg(BackwardTrace.run(y)));}
 */
public final class Graphviz {
    private Graphviz() {
    }

    /** DOT text for every value and op that {@code root} was computed from, with the gradients in {@code .grad}. */
    public static String toDot(Tensor root) {
        GraphView g = GraphView.of(root);
        return dot(g, t -> t.hasGrad() ? t.grad() : null);
    }

    /** DOT text for the traced graph, with every gradient the trace saw (the output's own 1 too). */
    public static String toDot(BackwardTrace trace) {
        return dot(trace.graph(), trace::grad);
    }

    private static String dot(GraphView g, java.util.function.Function<Tensor, Tensor> grads) {
        StringBuilder dot = new StringBuilder("digraph ndgrad {\n  rankdir=LR;\n  node [fontname=\"Helvetica\"];\n");
        for (Tensor t : g.values) {
            dot.append("  v").append(g.index(t)).append(" [shape=record, label=\"{")
                    .append(String.join(" | ", lines(g, t, grads.apply(t)).stream().map(Graphviz::escape).toList()))
                    .append("}\"];\n");
        }
        for (Function.Context op : g.ops) {
            int k = g.index(op);
            dot.append("  op").append(k).append(" [shape=ellipse, label=\"").append(escape(op.name()))
                    .append("\"];\n");
            for (Tensor in : op.inputs()) {
                dot.append("  v").append(g.index(in)).append(" -> op").append(k).append(";\n");
            }
            for (Tensor out : g.outputs(op)) {
                dot.append("  op").append(k).append(" -> v").append(g.index(out)).append(";\n");
            }
        }
        return dot.append("}\n").toString();
    }

    /** A value's box: its label, data, gradient ("grad ?" when unknown) and, when not a scalar, its shape. */
    private static List<String> lines(GraphView g, Tensor t, Tensor grad) {
        List<String> l = new ArrayList<>(List.of(g.label(t), "data " + values(t),
                !t.isRequiresGrad() ? "no grad" : "grad " + (grad == null ? "?" : values(grad))));
        if (t.dim() > 0) {
            l.add("shape " + t.shapeString());
        }
        return l;
    }

    /** The values of a small tensor (up to 6 elements), rounded to 4 decimals, else "…". */
    static String values(Tensor t) {
        if (t.numel() > 6) {
            return "…";
        }
        StringBuilder s = new StringBuilder();
        for (double v : t.toDoubleArray()) {
            s.append(s.length() == 0 ? "" : ", ").append(String.format("%.4f", v));
        }
        return t.numel() == 1 ? s.toString() : "[" + s + "]";
    }

    private static String escape(String s) {
        return s.replaceAll("([{}|<>\"\\\\])", "\\\\$1");
    }

    /** SVG of every value and op that {@code root} was computed from, with the gradients in {@code .grad}. */
    public static String toSvg(Tensor root) {
        return svg(GraphView.of(root), t -> t.hasGrad() ? t.grad() : null, t -> null);
    }

    /** SVG of the traced graph, with every gradient the trace saw (the output's own 1 too). */
    public static String toSvg(BackwardTrace trace) {
        return svg(trace.graph(), trace::grad, t -> null);
    }

    private static final double CHAR = 7.3;
    private static final double LINE = 16;

    /**
     * The SVG: a {@code <g class="value" id="v<i>" data-label="...">} per value (texts of class label, data, grad
     * and shape, and a {@code <title>} from {@code titles} unless null: a browser shows it on hover) and a
     * {@code <g class="op" id="op<i>" data-op="...">} per op, numbered in forward order, and a
     * {@code <path class="edge">} per edge.
     */
    static String svg(GraphView g, java.util.function.Function<Tensor, Tensor> grads,
            java.util.function.Function<Tensor, String> titles) {
        int nv = g.values.size();
        int n = nv + g.ops.size();
        double[] w = new double[n];
        double[] h = new double[n];
        List<List<String>> text = new ArrayList<>();
        for (int i = 0; i < nv; i++) {
            Tensor t = g.values.get(i);
            List<String> l = lines(g, t, grads.apply(t));
            text.add(l);
            w[i] = 16 + CHAR * l.stream().mapToInt(String::length).max().orElse(1);
            h[i] = 8 + LINE * l.size();
        }
        for (int k = 0; k < g.ops.size(); k++) {
            w[nv + k] = Math.max(40, 18 + CHAR * g.ops.get(k).name().length());
            h[nv + k] = 32;
        }
        List<int[]> edges = new ArrayList<>();
        for (Function.Context op : g.ops) {
            int k = nv + g.index(op);
            for (Tensor in : op.inputs()) {
                edges.add(new int[] {g.index(in), k});
            }
            for (Tensor out : g.outputs(op)) {
                edges.add(new int[] {k, g.index(out)});
            }
        }
        Layout layout = Layout.of(w, h, edges.toArray(new int[0][]));
        StringBuilder s = new StringBuilder(String.format(java.util.Locale.ROOT,
                "<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"ndgrad-graph\" width=\"%.0f\" height=\"%.0f\" "
                + "viewBox=\"0 0 %.0f %.0f\" font-family=\"monospace\" font-size=\"12\">%n", layout.width(),
                layout.height(), layout.width(), layout.height()));
        s.append("<defs><marker id=\"arrow\" viewBox=\"0 0 8 8\" refX=\"8\" refY=\"4\" markerWidth=\"8\" "
                + "markerHeight=\"8\" orient=\"auto\"><path d=\"M0,0 L8,4 L0,8 z\" fill=\"#666\"/></marker></defs>\n");
        for (int e = 0; e < edges.size(); e++) {
            s.append("<path class=\"edge\" data-from=\"").append(id(nv, edges.get(e)[0])).append("\" data-to=\"")
                    .append(id(nv, edges.get(e)[1])).append("\" d=\"").append(curve(layout.route(e)))
                    .append("\" fill=\"none\" stroke=\"#888\" stroke-width=\"1.2\" marker-end=\"url(#arrow)\"/>\n");
        }
        String[] classes = {"label", "data", "grad", "shape"};
        for (int i = 0; i < nv; i++) {
            s.append(String.format(java.util.Locale.ROOT, "<g class=\"value\" id=\"v%d\" data-label=\"%s\"%s>"
                    + "<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\" rx=\"4\" fill=\"#f4f7fb\" "
                    + "stroke=\"#4a6fa5\"/>", i, xml(g.label(g.values.get(i))),
                    g.values.get(i).isRequiresGrad() ? "" : " data-nograd=\"true\"", layout.x(i), layout.y(i), w[i],
                    h[i]));
            String title = titles.apply(g.values.get(i));
            if (title != null) {
                s.append("<title>").append(xml(title)).append("</title>");
            }
            List<String> l = text.get(i);
            for (int r = 0; r < l.size(); r++) {
                s.append(String.format(java.util.Locale.ROOT, "<text class=\"%s\" x=\"%.1f\" y=\"%.1f\"%s>%s</text>",
                        classes[r], layout.x(i) + 8, layout.y(i) + 4 + LINE * (r + 0.75),
                        r == 0 ? " font-weight=\"bold\"" : "", xml(l.get(r))));
            }
            s.append("</g>\n");
        }
        for (Function.Context op : g.ops) {
            int k = g.index(op);
            int v = nv + k;
            s.append(String.format(java.util.Locale.ROOT, "<g class=\"op\" id=\"op%d\" data-op=\"%s\"><ellipse "
                    + "cx=\"%.1f\" cy=\"%.1f\" rx=\"%.1f\" ry=\"%.1f\" fill=\"#fff4e0\" stroke=\"#c47f00\"/><text "
                    + "x=\"%.1f\" y=\"%.1f\" text-anchor=\"middle\">%s</text></g>%n", k, xml(op.name()),
                    layout.x(v) + w[v] / 2, layout.y(v) + h[v] / 2, w[v] / 2, h[v] / 2, layout.x(v) + w[v] / 2,
                    layout.y(v) + h[v] / 2 + 4, xml(op.name())));
        }
        return s.append("</svg>\n").toString();
    }

    private static String id(int values, int node) {
        return node < values ? "v" + node : "op" + (node - values);
    }

    /** A smooth path through the points: a cubic curve between each two, leaving and arriving horizontally. */
    private static String curve(double[][] p) {
        StringBuilder d = new StringBuilder(String.format(java.util.Locale.ROOT, "M%.1f,%.1f", p[0][0], p[0][1]));
        for (int i = 1; i < p.length; i++) {
            double mid = (p[i - 1][0] + p[i][0]) / 2;
            d.append(String.format(java.util.Locale.ROOT, " C%.1f,%.1f %.1f,%.1f %.1f,%.1f", mid, p[i - 1][1], mid,
                    p[i][1], p[i][0], p[i][1]));
        }
        return d.toString();
    }

    /** Text escaped for XML and HTML. */
    static String xml(String s) {
        return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
    }

    /**
     * Writes the DOT file and, when Graphviz's {@code dot} program is installed, renders a PNG beside it; returns
     * the PNG, or the DOT file when no renderer was found (render it with {@code dot -Tpng FILE -o FILE.png}).
     */
    public static Path write(Tensor root, Path dotFile) throws IOException {
        return write(toDot(root), dotFile);
    }

    /** As {@link #write(Tensor, Path)}, for the traced graph with every gradient the trace saw. */
    public static Path write(BackwardTrace trace, Path dotFile) throws IOException {
        return write(toDot(trace), dotFile);
    }

    private static Path write(String dot, Path dotFile) throws IOException {
        AtomicFile.writeString(dotFile, dot);
        Path png = dotFile.resolveSibling(dotFile.getFileName().toString().replaceFirst("\\.dot$", "") + ".png");
        return render(png, Duration.ofSeconds(30), "dot", "-Tpng", dotFile.toString(), "-o", png.toString())
                .orElse(dotFile);
    }

    /**
     * Runs {@code command}, which writes {@code png}, for at most {@code timeout}; a command still running then is
     * killed, and waited for. Returns the PNG when the command succeeded.
     */
    static Optional<Path> render(Path png, Duration timeout, String... command) {
        Process p;
        try {
            p = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD)
                    .start();
        } catch (IOException e) {
            return Optional.empty();
        }
        try {
            boolean done = p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS);
            return done && p.exitValue() == 0 && Files.isRegularFile(png) ? Optional.of(png) : Optional.empty();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Optional.empty();
        } finally {
            if (p.isAlive()) {
                p.destroyForcibly();
                try {
                    p.waitFor(5, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
        }
    }
}
