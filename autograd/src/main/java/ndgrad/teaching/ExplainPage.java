package ndgrad.teaching;

import ndgrad.core.io.AtomicFile;
import ndgrad.autograd.Tensor;
import ndgrad.autograd.Function;
import ndgrad.autograd.Autograd;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.function.Supplier;
import java.util.stream.Collectors;
import ndgrad.core.numdiff.FiniteDifference;

/**
 * One self-contained HTML page that explains a backward pass, for a student with nothing installed (no Graphviz, no
 * network: no script, style or font is fetched): the graph as SVG ({@link Graphviz#toSvg(BackwardTrace)}), the
 * forward values, Next/Previous buttons that walk the backward pass one op at a time (the op highlighted, the
 * gradient reaching it, each local derivative as a formula and as values, the gradient pushed to each input, and the
 * gradients known so far drawn in the graph), and each input's gradient beside its central-difference estimate.
 *
 * <p>{@code forward} builds the output (one element) from {@code inputs}, leaves that require grad; it runs once
 * with a graph, then, for the numerical check, with each input element moved by ±h in place and restored exactly.
 * The page leaves every {@code .grad} as it was. Compute in float64 for the numerical check to be tight.
 *
 * <p>Usage: {@code ExplainPage.write(Path.of("neuron.html"), "neuron", () -> x.mul(w).add(b).tanh(), List.of(x, w, b));}
 */
public final class ExplainPage {
    private ExplainPage() {
    }

    /** Writes the page (creating its directory) and returns the file. */
    public static Path write(Path file, String title, Supplier<Tensor> forward, List<Tensor> inputs)
            throws IOException {
        AtomicFile.writeString(file, html(title, forward, inputs));
        return file;
    }

    /** The page as text. */
    public static String html(String title, Supplier<Tensor> forward, List<Tensor> inputs) {
        for (Tensor t : inputs) {
            if (!t.isLeaf() || !t.isRequiresGrad()) {
                throw new IllegalArgumentException("ExplainPage: every input must be a leaf that requires grad, got "
                        + t.describe());
            }
        }
        Tensor output = forward.get();
        if (output.numel() != 1) {
            throw new IllegalArgumentException("ExplainPage: the output must have one element (a loss), got shape "
                    + output.shapeString());
        }
        BackwardTrace trace = BackwardTrace.run(output);
        GraphView g = trace.graph();
        StringBuilder h = new StringBuilder();
        h.append("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>")
                .append(Graphviz.xml(title)).append(" — backward, step by step</title>\n<style>").append(STYLE)
                .append("</style></head><body>\n<h1>").append(Graphviz.xml(title)).append("</h1>\n");
        h.append("<p class=\"lead\">The output <b>").append(Graphviz.xml(g.label(output))).append("</b> = ")
                .append(full(output)).append(". Backward starts from its own gradient, 1, and walks the graph from "
                + "right to left, one op at a time: each op multiplies the gradient reaching its output by its local "
                + "derivative and pushes the result to its inputs (the chain rule).</p>\n");
        h.append("<section id=\"graph\">").append(Graphviz.toSvg(trace)).append("</section>\n");
        h.append("<section id=\"controls\"><button id=\"prev\">&larr; Previous</button> <button id=\"next\">"
                + "Next &rarr;</button> <span id=\"position\"></span></section>\n");
        h.append("<section id=\"step\"></section>\n");
        h.append("<h2>Forward values</h2>\n<table id=\"forward\"><tr><th>value</th><th>made by</th><th>shape</th>"
                + "<th>data</th></tr>\n");
        for (Tensor t : g.values) {
            h.append("<tr><td>").append(Graphviz.xml(g.label(t))).append("</td><td>").append(t.isLeaf() ? "input"
                    : Graphviz.xml(t.node().name())).append("</td><td>").append(t.shapeString()).append("</td><td>")
                    .append(full(t)).append("</td></tr>\n");
        }
        h.append("</table>\n");
        h.append("<h2>Gradients against central differences</h2>\n<table id=\"check\"><tr><th>input</th>"
                + "<th>autograd</th><th>numerical</th><th>|difference|</th></tr>\n");
        for (Tensor t : inputs) {
            double[] analytical = trace.grad(t) == null ? new double[(int) t.numel()] : trace.grad(t).toDoubleArray();
            double[] numerical = numericalGradient(forward, t);
            for (int i = 0; i < analytical.length; i++) {
                h.append(String.format(Locale.ROOT, "<tr><td>%s</td><td class=\"num\">%s</td><td class=\"num\">%s"
                        + "</td><td class=\"num\">%.1e</td></tr>%n", Graphviz.xml(g.label(t) + (t.numel() == 1 ? ""
                        : index(t.shape(), i))), analytical[i], numerical[i], Math.abs(analytical[i] - numerical[i])));
            }
        }
        h.append("</table>\n<script>\nconst steps = ").append(steps(trace, output)).append(";\n").append(SCRIPT)
                .append("</script>\n</body></html>\n");
        return h.toString();
    }

    /**
     * ∂output/∂t by central differences, element by element: each element of {@code t} moved by ±h in place (grad
     * mode off) and restored exactly; {@code forward} builds the one-element output.
     *
     * <p>Usage: {@code double[] g = ExplainPage.numericalGradient(() -> f(x), x);}
     */
    public static double[] numericalGradient(Supplier<Tensor> forward, Tensor t) {
        double[] g = new double[Math.toIntExact(t.numel())];
        try (Autograd.GradMode off = Autograd.noGrad()) {
            for (int i = 0; i < g.length; i++) {
                g[i] = FiniteDifference.partial(a -> forward.get().item(), t.data(), i,
                        FiniteDifference.options(FiniteDifference.Scheme.CENTRAL));
            }
        }
        return g;
    }

    /**
     * The steps as JSON for the page's script: per step the op's id, name and output, the gradient in, per input its
     * id, label, rule, local values and gradient pushed (full precision), and the totals the step set, as the graph
     * shows them (4 decimals); step 0 is before backward, when only the output's 1 is known. The script folds the
     * steps up to the one shown, so the page grows with the steps, not with steps times values.
     */
    private static String steps(BackwardTrace trace, Tensor output) {
        GraphView g = trace.graph();
        Map<Tensor, double[]> known = new IdentityHashMap<>();
        known.put(output, new double[] {1});
        List<String> json = new ArrayList<>();
        json.add("{\"set\":" + known(g, known, known.keySet()) + "}");
        for (int k = 0; k < trace.steps().size(); k++) {
            BackwardTrace.Step st = trace.steps().get(k);
            Function.Context op = trace.op(k);
            List<String> inputs = new ArrayList<>();
            Set<Tensor> set = Collections.newSetFromMap(new IdentityHashMap<>());
            for (int i = 0; i < st.inputs().size(); i++) {
                BackwardTrace.Input in = st.inputs().get(i);
                Tensor t = op.inputs().get(i);
                if (in.grad() != null) {
                    set.add(t);
                    double[] add = in.grad().toDoubleArray();
                    known.merge(t, add, (a, b) -> {
                        double[] s = a.clone();
                        for (int j = 0; j < s.length; j++) {
                            s[j] += b[j];
                        }
                        return s;
                    });
                }
                inputs.add("{\"id\":\"v" + g.index(t) + "\",\"label\":" + str(in.label()) + ",\"rule\":"
                        + str(in.rule()) + ",\"local\":" + (in.local() == null ? "null" : str(full(in.local())))
                        + ",\"pushed\":" + (in.grad() == null ? "null" : str(full(in.grad()))) + "}");
            }
            String outIds = g.outputs(op).stream().map(t -> str("v" + g.index(t))).collect(Collectors.joining(","));
            json.add("{\"op\":\"op" + g.index(op) + "\",\"name\":" + str(st.op()) + ",\"output\":" + str(st.output())
                    + ",\"outputs\":[" + outIds + "],\"upstream\":" + str(full(st.upstream())) + ",\"inputs\":["
                    + String.join(",", inputs) + "],\"set\":" + known(g, known, set) + "}");
        }
        return "[\n" + String.join(",\n", json) + "\n]";
    }

    private static String known(GraphView g, Map<Tensor, double[]> known, Set<Tensor> which) {
        return known.entrySet().stream().filter(e -> which.contains(e.getKey()))
                .map(e -> str("v" + g.index(e.getKey())) + ":" + str(four(e.getValue())))
                .collect(Collectors.joining(",", "{", "}"));
    }

    /** Up to 6 values at full precision (Java's shortest round-trip form), else the first 6 and the count. */
    static String full(Tensor t) {
        double[] v = t.toDoubleArray();
        String shown = Arrays.stream(v).limit(6).mapToObj(Double::toString).collect(Collectors.joining(", "));
        return v.length == 1 ? shown : "[" + shown + (v.length > 6 ? ", … (" + v.length + " values)" : "") + "]";
    }

    private static String four(double[] v) {
        if (v.length > 6) {
            return "…";
        }
        String s = Arrays.stream(v).mapToObj(x -> String.format(Locale.ROOT, "%.4f", x))
                .collect(Collectors.joining(", "));
        return v.length == 1 ? s : "[" + s + "]";
    }

    private static String index(long[] shape, int flat) {
        long[] idx = new long[shape.length];
        for (int d = shape.length - 1, r = flat; d >= 0; d--) {
            idx[d] = r % shape[d];
            r /= (int) shape[d];
        }
        return Arrays.toString(idx);
    }

    /** A JSON string, safe inside a script element. */
    private static String str(String s) {
        StringBuilder b = new StringBuilder("\"");
        for (char c : s.toCharArray()) {
            switch (c) {
                case '"' -> b.append("\\\"");
                case '\\' -> b.append("\\\\");
                case '<' -> b.append("\\u003c");
                case '>' -> b.append("\\u003e");
                case '&' -> b.append("\\u0026");
                default -> b.append(c < 0x20 ? String.format("\\u%04x", (int) c) : String.valueOf(c));
            }
        }
        return b.append('"').toString();
    }

    private static final String STYLE = """
            body { font: 15px/1.45 system-ui, -apple-system, "Segoe UI", sans-serif; margin: 24px; color: #222; \
            max-width: 1200px; }
            h1 { font-size: 22px; margin: 0 0 8px; } h2 { font-size: 17px; margin-top: 28px; }
            .lead { max-width: 760px; }
            #graph { overflow-x: auto; border: 1px solid #ddd; border-radius: 6px; padding: 6px; background: #fff; }
            #graph svg { max-width: 100%; height: auto; }
            #graph .value.active rect { fill: #ffe9a8; stroke: #c47f00; stroke-width: 2; }
            #graph .value.input rect { fill: #dff3e4; stroke: #2e8b57; stroke-width: 2; }
            #graph .op.active ellipse { fill: #ffb84d; stroke: #8a5200; stroke-width: 2; }
            #graph .value .grad { fill: #b03a2e; }
            #controls { margin: 12px 0; } button { font-size: 15px; padding: 4px 12px; }
            #step { background: #f7f7f7; border-left: 4px solid #c47f00; padding: 8px 14px; min-height: 4em; }
            #step table, table { border-collapse: collapse; } td, th { padding: 3px 10px; text-align: left; \
            border-bottom: 1px solid #e4e4e4; }
            td.num, .mono { font-family: ui-monospace, monospace; }
            """;

    private static final String SCRIPT = """
            let at = 0;
            const esc = s => String(s).replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
            function show(k) {
              at = Math.max(0, Math.min(steps.length - 1, k));
              document.querySelectorAll('#graph .active, #graph .input').forEach(e => e.classList.remove('active', 'input'));
              const known = {};
              steps.slice(0, at + 1).forEach(s => Object.assign(known, s.set));
              document.querySelectorAll('#graph g.value:not([data-nograd])').forEach(g => {
                const grad = known[g.id];
                g.querySelector('text.grad').textContent = 'grad ' + (grad === undefined ? '?' : grad);
              });
              const s = steps[at];
              document.getElementById('position').textContent = 'step ' + at + ' of ' + (steps.length - 1);
              document.getElementById('prev').disabled = at === 0;
              document.getElementById('next').disabled = at === steps.length - 1;
              const panel = document.getElementById('step');
              if (at === 0) {
                panel.innerHTML = '<p>Before backward: the output\\'s gradient with respect to itself is 1; every '
                  + 'other gradient is still unknown (?). Press Next.</p>';
                return;
              }
              document.getElementById(s.op).classList.add('active');
              s.outputs.forEach(id => document.getElementById(id).classList.add('active'));
              s.inputs.forEach(i => document.getElementById(i.id).classList.add('input'));
              let rows = s.inputs.map((i, n) => '<tr class="input-row" data-input="' + n + '"><td>' + esc(i.label)
                + '</td><td class="mono">' + esc(i.rule) + '</td><td class="num local">'
                + (i.local === null ? '(a Jacobian: not shown)' : esc(i.local)) + '</td><td class="num pushed">'
                + (i.pushed === null ? '- (needs no gradient)' : esc(i.pushed)) + '</td></tr>').join('');
              panel.innerHTML = '<p>Step ' + at + ': op <b>' + esc(s.name) + '</b> made <b>' + esc(s.output)
                + '</b>; the gradient reaching it is <span class="num upstream">' + esc(s.upstream) + '</span>.</p>'
                + '<table><tr><th>input</th><th>local derivative</th><th>its value</th>'
                + '<th>gradient pushed (gradient in × local derivative)</th></tr>' + rows + '</table>';
            }
            document.getElementById('prev').onclick = () => show(at - 1);
            document.getElementById('next').onclick = () => show(at + 1);
            document.addEventListener('keydown', e => {
              if (e.key === 'ArrowRight') show(at + 1);
              if (e.key === 'ArrowLeft') show(at - 1);
            });
            show(0);
            """;
}
