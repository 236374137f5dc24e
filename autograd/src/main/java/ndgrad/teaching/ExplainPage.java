package ndgrad.teaching;

import ndgrad.core.io.AtomicFile;
import ndgrad.core.io.Json;
import ndgrad.autograd.Tensor;
import ndgrad.autograd.Function;
import ndgrad.autograd.Autograd;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.function.Supplier;
import java.util.stream.Collectors;
import ndgrad.core.numdiff.FiniteDifference;

/**
 * One self-contained HTML page that teaches a forward and a backward pass, for a student with nothing installed (no
 * Graphviz, no network: no script, style or font is fetched). The graph is SVG ({@link Graphviz}), with zoom (buttons,
 * the mouse wheel) and pan (drag), a colour legend, and each value's whole expression and exact values on hover. Next
 * and Previous walk it: first the forward pass, one op at a time, each with its arithmetic ("mul1 = x1 × w1 = 2 × -3 =
 * -6"); then the backward pass, one op at a time, each input's line written out ("grad in 0.5 × local -3 = -1.5 →
 * x1.grad += -1.5"), and, where a value feeds several ops, the sum of what reaches it as a step of its own (x1.grad =
 * 0.0833 + 0.3414 = 0.4247). A note marks a kink (relu or abs at 0: the derivative the op takes there) and a
 * non-finite value. A control rounds every number shown. Each input's gradient is checked against central
 * differences. A page may hold several views of one computation (a neural network's neurons and its tensors), with
 * buttons to switch.
 *
 * <p>{@code forward} builds the output (one element) from {@code inputs}, leaves that require grad; it runs once
 * with a graph, then, for the numerical check, with each input element moved by ±h in place and restored exactly.
 * The page leaves every {@code .grad} as it was. Compute in float64 for the numerical check to be tight.
 *
 * <p>Usage: {@code ExplainPage.write(Path.of("neuron.html"), "neuron", () -> x.mul(w).add(b).tanh(),
 * List.of(x, w, b));}
 */
public final class ExplainPage {
    /** Values listed per array in the page's steps; an array beyond it shows these and its count. */
    static final int LISTED = 64;

    private ExplainPage() {
    }

    /**
     * One graph of a page: its name (the switch's label), how to build its output from its inputs, and a
     * description per value label (a short name's whole expression), shown on hover and beside the arithmetic.
     */
    public record View(String name, Supplier<Tensor> forward, List<Tensor> inputs, Map<String, String> descriptions) {
        /** Copies the lists. */
        public View {
            inputs = List.copyOf(inputs);
            descriptions = Map.copyOf(descriptions);
        }
    }

    /** Writes the page (creating its directory) and returns the file. */
    public static Path write(Path file, String title, Supplier<Tensor> forward, List<Tensor> inputs)
            throws IOException {
        AtomicFile.writeString(file, html(title, forward, inputs));
        return file;
    }

    /** The page of one view, as text. */
    public static String html(String title, Supplier<Tensor> forward, List<Tensor> inputs) {
        return html(title, List.of(new View("graph", forward, inputs, Map.of())));
    }

    /** The page of several views of one computation (the first shown first), as text. */
    public static String html(String title, List<View> views) {
        if (views.isEmpty()) {
            throw new IllegalArgumentException("ExplainPage: expected at least one view");
        }
        StringBuilder h = new StringBuilder();
        h.append("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>")
                .append(Graphviz.xml(title)).append(" — forward and backward, step by step</title>\n<style>")
                .append(STYLE).append("</style></head><body>\n<h1>").append(Graphviz.xml(title)).append("</h1>\n");
        h.append("<p class=\"lead\">Next walks the <b>forward pass</b>, one op at a time, from the inputs to the "
                + "output; then the <b>backward pass</b> from the output back: each op multiplies the gradient "
                + "reaching its output by its local derivative and adds the result to its inputs' gradients (the "
                + "chain rule). Hover over a box for its whole expression; zoom with the buttons or the mouse wheel, "
                + "and drag to pan. Keys: ← and →.</p>\n<div class=\"bar\">");
        if (views.size() > 1) {
            for (int v = 0; v < views.size(); v++) {
                h.append("<button class=\"view-button\" data-view=\"").append(v).append("\">")
                        .append(Graphviz.xml(views.get(v).name())).append("</button> ");
            }
        }
        h.append("<label>round to <select id=\"digits\"><option value=\"2\">2 decimals</option><option value=\"4\" "
                + "selected>4 decimals</option><option value=\"6\">6 decimals</option><option value=\"full\">full "
                + "precision</option></select></label></div>\n").append(LEGEND);
        List<String> data = new ArrayList<>();
        for (int v = 0; v < views.size(); v++) {
            data.add(view(h, v, views.get(v)));
        }
        h.append("<script>\nconst views = [\n").append(String.join(",\n", data)).append("\n];\n").append(SCRIPT)
                .append("</script>\n</body></html>\n");
        return h.toString();
    }

    /** Appends view {@code v}'s section and returns its steps as JSON for the script. */
    private static String view(StringBuilder h, int v, View view) {
        for (Tensor t : view.inputs()) {
            if (!t.isLeaf() || !t.isRequiresGrad()) {
                throw new IllegalArgumentException("ExplainPage: every input must be a leaf that requires grad, got "
                        + t.describe());
            }
        }
        Tensor output = view.forward().get();
        if (output.numel() != 1) {
            throw new IllegalArgumentException("ExplainPage: the output must have one element (a loss), got shape "
                    + output.shapeString());
        }
        BackwardTrace trace = BackwardTrace.run(output);
        GraphView g = trace.graph();
        Map<String, String> about = view.descriptions();
        h.append("<section class=\"view\" data-view=\"").append(v).append("\">\n<p class=\"output\">The output <b>")
                .append(Graphviz.xml(g.label(output))).append("</b> = ").append(full(output)).append(" (")
                .append(g.values.size()).append(" values, ").append(g.ops.size()).append(" ops).</p>\n");
        h.append("<div class=\"zoom\"><button class=\"zoom-in\" title=\"zoom in\">+</button><button class=\"zoom-out\""
                + " title=\"zoom out\">−</button><button class=\"zoom-fit\" title=\"fit the graph\">fit</button></div>"
                + "<div class=\"graph\">").append(Graphviz.svg(g, trace::grad, t -> title(g, t, about)))
                .append("</div>\n");
        h.append("<div class=\"controls\"><button class=\"prev\">&larr; Previous</button> <button class=\"next\">"
                + "Next &rarr;</button> <span class=\"position\"></span></div>\n<div class=\"step\"></div>\n");
        h.append("<h2>Forward values</h2>\n<table class=\"forward\"><tr><th>value</th><th>expression</th>"
                + "<th>made by</th><th>shape</th><th>data</th></tr>\n");
        for (Tensor t : g.values) {
            String label = g.label(t);
            h.append("<tr><td>").append(Graphviz.xml(label)).append("</td><td>")
                    .append(Graphviz.xml(about.getOrDefault(label, ""))).append("</td><td>").append(t.isLeaf()
                    ? "input" : Graphviz.xml(t.node().name())).append("</td><td>").append(t.shapeString())
                    .append("</td><td>").append(full(t)).append("</td></tr>\n");
        }
        h.append("</table>\n<h2>Gradients against central differences</h2>\n<table class=\"check\"><tr><th>input"
                + "</th><th>autograd</th><th>numerical</th><th>|difference|</th></tr>\n");
        for (Tensor t : view.inputs()) {
            double[] analytical = trace.grad(t) == null ? new double[(int) t.numel()] : trace.grad(t).toDoubleArray();
            double[] numerical = numericalGradient(view.forward(), t);
            for (int i = 0; i < analytical.length; i++) {
                h.append(String.format(Locale.ROOT, "<tr><td>%s</td><td class=\"num\">%s</td><td class=\"num\">%s"
                        + "</td><td class=\"num\">%.1e</td></tr>%n", Graphviz.xml(g.label(t) + (t.numel() == 1 ? ""
                        : index(t.shape(), i))), analytical[i], numerical[i], Math.abs(analytical[i] - numerical[i])));
            }
        }
        h.append("</table>\n</section>\n");
        return steps(trace, output, about);
    }

    /** A value's hover text: its label, its whole expression when it has one, and its values in full. */
    private static String title(GraphView g, Tensor t, Map<String, String> about) {
        String label = g.label(t);
        String expression = about.get(label);
        return label + (expression == null ? "" : " = " + expression) + "\n" + (t.isLeaf() ? "input" : "made by "
                + t.node().name()) + (t.dim() > 0 ? ", shape " + t.shapeString() : "") + "\ndata " + full(t);
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
     * The view's data and steps as JSON for the page's script. {@code data}: each value's numbers (id {@code v<i>});
     * {@code known}: the values known before the forward pass (the leaves). Steps, in order: {@code start}; a
     * {@code forward} step per op (its inputs' labels and ids, its outputs, the op's symbol); {@code turn}, where the
     * output's gradient 1 is set; a {@code backward} step per op (the gradient in, per input the rule, local values,
     * the gradient pushed, and whether it adds to an earlier gradient); an {@code accumulate} step after it for each
     * value that already had a gradient (before, added, after); each step's {@code set}, the gradient totals it sets,
     * and {@code notes}.
     */
    private static String steps(BackwardTrace trace, Tensor output, Map<String, String> about) {
        GraphView g = trace.graph();
        List<String> data = new ArrayList<>();
        List<String> known = new ArrayList<>();
        for (Tensor t : g.values) {
            data.add(str(id(g, t)) + ":" + numbers(t));
            if (t.isLeaf()) {
                known.add(str(id(g, t)));
            }
        }
        List<String> steps = new ArrayList<>();
        steps.add("{\"kind\":\"start\"}");
        for (Function.Context op : g.ops) {
            List<Tensor> outs = g.outputs(op);
            String outLabels = outs.stream().map(g::label).collect(Collectors.joining(", "));
            List<String> notes = new ArrayList<>();
            for (Tensor t : outs) {
                if (!finite(t)) {
                    notes.add("A non-finite value: " + g.label(t) + " = " + full(t) + ". Every value computed from it, "
                            + "and every gradient through it, is non-finite too.");
                }
            }
            steps.add("{\"kind\":\"forward\",\"op\":" + str("op" + g.index(op)) + ",\"name\":" + str(op.name())
                    + ",\"output\":" + str(outLabels) + ",\"about\":" + str(outs.size() == 1 ? about.getOrDefault(
                    g.label(outs.get(0)), "") : "") + ",\"outputs\":" + ids(g, outs) + ",\"inputs\":[" + op.inputs()
                    .stream().map(t -> "{\"id\":" + str(id(g, t)) + ",\"label\":" + str(g.label(t)) + "}")
                    .collect(Collectors.joining(",")) + "],\"notes\":" + strings(notes) + "}");
        }
        steps.add("{\"kind\":\"turn\",\"output\":" + str(g.label(output)) + ",\"set\":{" + str(id(g, output))
                + ":" + "{\"v\":[1],\"n\":1}}}");
        Map<Tensor, double[]> totals = new IdentityHashMap<>();
        totals.put(output, new double[] {1});
        for (int k = 0; k < trace.steps().size(); k++) {
            BackwardTrace.Step st = trace.steps().get(k);
            Function.Context op = trace.op(k);
            List<String> inputs = new ArrayList<>();
            List<String> set = new ArrayList<>();
            List<String> later = new ArrayList<>();
            List<String> notes = new ArrayList<>(kinks(op, st, g));
            if (!finite(st.upstream())) {
                notes.add("A non-finite gradient reaches " + st.output() + ": " + full(st.upstream()) + ".");
            }
            for (int i = 0; i < st.inputs().size(); i++) {
                BackwardTrace.Input in = st.inputs().get(i);
                Tensor t = op.inputs().get(i);
                double[] before = totals.get(t);
                if (in.grad() != null) {
                    double[] add = in.grad().toDoubleArray();
                    double[] after = before == null ? add : sum(before, add);
                    totals.put(t, after);
                    if (before == null) {
                        set.add(str(id(g, t)) + ":" + numbers(after, t.numel()));
                    } else {
                        later.add("{\"kind\":\"accumulate\",\"id\":" + str(id(g, t)) + ",\"label\":" + str(in.label())
                                + ",\"from\":" + str(st.output()) + ",\"before\":" + numbers(before, t.numel())
                                + ",\"add\":" + numbers(add, t.numel()) + ",\"after\":" + numbers(after, t.numel())
                                + ",\"set\":{" + str(id(g, t)) + ":" + numbers(after, t.numel()) + "}}");
                    }
                    if (!finite(in.grad())) {
                        notes.add("A non-finite gradient is pushed to " + in.label() + ": " + full(in.grad()) + ".");
                    }
                }
                inputs.add("{\"id\":" + str(id(g, t)) + ",\"label\":" + str(in.label()) + ",\"rule\":"
                        + str(in.rule()) + ",\"local\":" + (in.local() == null ? "null" : numbers(in.local()))
                        + ",\"pushed\":" + (in.grad() == null ? "null" : numbers(in.grad())) + ",\"adds\":"
                        + (before != null && in.grad() != null) + "}");
            }
            steps.add("{\"kind\":\"backward\",\"op\":" + str("op" + g.index(op)) + ",\"name\":" + str(st.op())
                    + ",\"output\":" + str(st.output()) + ",\"outputs\":" + ids(g, g.outputs(op)) + ",\"upstream\":"
                    + numbers(st.upstream()) + ",\"inputs\":[" + String.join(",", inputs) + "],\"set\":{"
                    + String.join(",", set) + "},\"notes\":" + strings(notes) + "}");
            steps.addAll(later);
        }
        return "{\"data\":{" + String.join(",", data) + "},\"known\":[" + String.join(",", known) + "],\"steps\":[\n"
                + String.join(",\n", steps) + "\n]}";
    }

    /**
     * Notes at a kink: where relu, leakyRelu or abs meets an input element exactly at 0, the derivative it takes
     * there (the op's own backward, as PyTorch's: 0 for relu and abs, the slope for leakyRelu).
     */
    private static List<String> kinks(Function.Context op, BackwardTrace.Step st, GraphView g) {
        if (!Set.of("relu", "abs", "leakyRelu").contains(op.name()) || st.inputs().get(0).local() == null) {
            return List.of();
        }
        double[] x = op.inputs().get(0).toDoubleArray();
        double[] local = st.inputs().get(0).local().toDoubleArray();
        for (int i = 0; i < x.length; i++) {
            if (x[i] == 0) {
                return List.of(op.name() + " has a kink at 0, and its input " + g.label(op.inputs().get(0))
                        + (x.length == 1 ? "" : index(op.inputs().get(0).shape(), i)) + " is exactly 0 here: it has "
                        + "no derivative there, and ndgrad, as PyTorch, takes " + local[i] + ".");
            }
        }
        return List.of();
    }

    private static String id(GraphView g, Tensor t) {
        return "v" + g.index(t);
    }

    private static String ids(GraphView g, List<Tensor> ts) {
        return ts.stream().map(t -> str(id(g, t))).collect(Collectors.joining(",", "[", "]"));
    }

    private static boolean finite(Tensor t) {
        return Arrays.stream(t.toDoubleArray()).allMatch(Double::isFinite);
    }

    private static double[] sum(double[] a, double[] b) {
        double[] s = a.clone();
        for (int j = 0; j < s.length; j++) {
            s[j] += b[j];
        }
        return s;
    }

    /** A tensor's values as JSON: {@code {"v": [the first LISTED], "n": count}}, non-finite ones as strings. */
    private static String numbers(Tensor t) {
        return numbers(t.toDoubleArray(), t.numel());
    }

    private static String numbers(double[] v, long n) {
        return Arrays.stream(v).limit(LISTED).mapToObj(x -> Double.isFinite(x) ? Double.toString(x)
                : "\"" + x + "\"").collect(Collectors.joining(",", "{\"v\":[", "],\"n\":" + n + "}"));
    }

    private static String strings(List<String> s) {
        return s.stream().map(ExplainPage::str).collect(Collectors.joining(",", "[", "]"));
    }

    /** Up to 6 values at full precision (Java's shortest round-trip form), else the first 6 and the count. */
    static String full(Tensor t) {
        double[] v = t.toDoubleArray();
        String shown = Arrays.stream(v).limit(6).mapToObj(Double::toString).collect(Collectors.joining(", "));
        return v.length == 1 ? shown : "[" + shown + (v.length > 6 ? ", … (" + v.length + " values)" : "") + "]";
    }

    private static String index(long[] shape, int flat) {
        long[] idx = new long[shape.length];
        for (int d = shape.length - 1, r = flat; d >= 0; d--) {
            idx[d] = r % shape[d];
            r /= (int) shape[d];
        }
        return Arrays.toString(idx);
    }

    /** A JSON string literal, safe inside the page's script element. */
    private static String str(String s) {
        return Json.string(s);
    }

    private static final String LEGEND = """
            <div class="legend"><span><i class="sw value"></i>a value: name, data, grad</span>\
            <span><i class="sw op"></i>an op</span><span><i class="sw active-op"></i>the op of this step</span>\
            <span><i class="sw made"></i>its output</span><span><i class="sw read"></i>its inputs</span>\
            <span><i class="sw acc"></i>a gradient being summed</span><span class="gradtext">grad: ∂output/∂value\
            </span><span>? not known yet</span></div>
            """;

    private static final String STYLE = """
            body { font: 15px/1.45 system-ui, -apple-system, "Segoe UI", sans-serif; margin: 20px; color: #222; }
            h1 { font-size: 22px; margin: 0 0 8px; } h2 { font-size: 17px; margin-top: 28px; }
            .lead { max-width: 900px; } .bar { margin: 8px 0; } .bar button.on { background: #4a6fa5; color: #fff; }
            .legend { display: flex; flex-wrap: wrap; gap: 4px 16px; font-size: 13px; margin: 6px 0 10px; }
            .legend .sw { display: inline-block; width: 14px; height: 11px; border: 2px solid; margin-right: 5px; \
            vertical-align: -1px; border-radius: 3px; }
            .sw.value { background: #f4f7fb; border-color: #4a6fa5; } .sw.op { background: #fff4e0; \
            border-color: #c47f00; border-radius: 7px; }
            .sw.active-op { background: #ffb84d; border-color: #8a5200; border-radius: 7px; }
            .sw.made { background: #ffe9a8; border-color: #c47f00; } .sw.read { background: #dff3e4; \
            border-color: #2e8b57; } .sw.acc { background: #f6d6f0; border-color: #9b2c87; }
            .legend .gradtext { color: #b03a2e; }
            .view { display: none; } .view.shown { display: block; }
            .zoom button { font-size: 14px; min-width: 34px; margin-right: 4px; }
            .graph { border: 1px solid #ddd; border-radius: 6px; background: #fff; height: 62vh; overflow: hidden; \
            cursor: grab; margin-top: 4px; }
            .graph svg { width: 100%; height: 100%; display: block; user-select: none; }
            .graph .value.made rect { fill: #ffe9a8; stroke: #c47f00; stroke-width: 2; }
            .graph .value.read rect { fill: #dff3e4; stroke: #2e8b57; stroke-width: 2; }
            .graph .value.acc rect { fill: #f6d6f0; stroke: #9b2c87; stroke-width: 2; }
            .graph .op.active ellipse { fill: #ffb84d; stroke: #8a5200; stroke-width: 2; }
            .graph .value .grad { fill: #b03a2e; }
            .controls { margin: 12px 0; } button { font-size: 15px; padding: 4px 12px; }
            .step { background: #f7f7f7; border-left: 4px solid #c47f00; padding: 8px 14px; min-height: 4em; }
            .step .arith { font-family: ui-monospace, monospace; } .step .about { color: #666; font-size: 13px; }
            .step .note { background: #fff3cd; border: 1px solid #e0c36a; padding: 4px 8px; border-radius: 4px; }
            table { border-collapse: collapse; } td, th { padding: 3px 10px; text-align: left; \
            border-bottom: 1px solid #e4e4e4; vertical-align: top; }
            td.num, .mono { font-family: ui-monospace, monospace; }
            """;

    private static final String SCRIPT = """
            const SYMBOLS = {add: '+', sub: '-', mul: '×', div: '/'};
            const num = x => typeof x === 'string' ? Number(x) : x;
            const esc = s => String(s).replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
            const digits = () => document.getElementById('digits').value;
            function fmt(x) {
              x = num(x);
              if (!isFinite(x)) return String(x);
              if (digits() === 'full') return String(x);
              let s = x.toFixed(Number(digits()));
              if (s.includes('.')) s = s.replace(/0+$/, '').replace(/\\.$/, '');
              return s === '-0' ? '0' : s;
            }
            function list(a) {
              if (a === null || a === undefined) return '?';
              const s = a.v.map(fmt);
              if (a.n === 1) return s[0];
              return '[' + s.join(', ') + (a.n > s.length ? ', and ' + (a.n - s.length) + ' more' : '') + ']';
            }
            const box = a => a.n <= 6 ? list(a) : a.n + ' values (hover)';
            const times = (a, b) => ({v: a.v.map((x, i) => num(x) * num(b.v[b.v.length === 1 ? 0 : i])), n: a.n});
            let shown = 0;
            const at = views.map(() => 0);
            function section() { return document.querySelector('section.view[data-view="' + shown + '"]'); }
            function show(k) {
              const view = views[shown], root = section(), steps = view.steps;
              at[shown] = Math.max(0, Math.min(steps.length - 1, k));
              const s = steps[at[shown]];
              root.querySelectorAll('.graph .active, .graph .made, .graph .read, .graph .acc')
                .forEach(e => e.classList.remove('active', 'made', 'read', 'acc'));
              const data = {}, grads = {};
              view.known.forEach(id => data[id] = view.data[id]);
              steps.slice(0, at[shown] + 1).forEach(t => {
                if (t.kind === 'forward') t.outputs.forEach(id => data[id] = view.data[id]);
                Object.assign(grads, t.set || {});
              });
              root.querySelectorAll('.graph g.value').forEach(g => {
                g.querySelector('text.data').textContent = 'data ' + (data[g.id] ? box(data[g.id]) : '?');
                if (!g.hasAttribute('data-nograd')) {
                  g.querySelector('text.grad').textContent = 'grad ' + (grads[g.id] ? box(grads[g.id]) : '?');
                }
              });
              const node = id => root.querySelector('[id="' + id + '"]');
              const forward = steps.filter(t => t.kind === 'forward').length;
              const phase = s.kind === 'start' || s.kind === 'forward' ? 'forward' : 'backward';
              root.querySelector('.position').textContent = 'step ' + at[shown] + ' of ' + (steps.length - 1)
                + ' · ' + phase;
              root.querySelector('.prev').disabled = at[shown] === 0;
              root.querySelector('.next').disabled = at[shown] === steps.length - 1;
              if ((s.op || s.id) && root.classList.contains('shown')) root.follow(s.op || s.id);
              const notes = (s.notes || []).map(n => '<p class="note">' + esc(n) + '</p>').join('');
              const panel = root.querySelector('.step');
              if (s.kind === 'start') {
                panel.innerHTML = '<p>The forward pass computes each value from the inputs, one op at a time ('
                  + forward + ' ops); the inputs are known. Press Next.</p>';
              } else if (s.kind === 'forward') {
                node(s.op).classList.add('active');
                s.outputs.forEach(id => node(id).classList.add('made'));
                s.inputs.forEach(i => node(i.id).classList.add('read'));
                const ins = s.inputs.map(i => view.data[i.id]);
                const out = s.outputs.map(id => list(view.data[id])).join(', ');
                const scalar = ins.every(a => a.n === 1);
                let form, vals;
                if (SYMBOLS[s.name] && s.inputs.length === 2) {
                  form = s.inputs.map(i => esc(i.label)).join(' ' + SYMBOLS[s.name] + ' ');
                  vals = scalar ? ins.map(list).join(' ' + SYMBOLS[s.name] + ' ') : null;
                } else {
                  form = esc(s.name) + '(' + s.inputs.map(i => esc(i.label)).join(', ') + ')';
                  vals = scalar ? esc(s.name) + '(' + ins.map(list).join(', ') + ')' : null;
                }
                panel.innerHTML = '<p>Forward: op <b>' + esc(s.name) + '</b> computes <b>' + esc(s.output)
                  + '</b>.</p><p class="arith">' + esc(s.output) + ' = ' + form + (vals ? ' = ' + vals : '')
                  + ' = <b>' + esc(out) + '</b></p>' + (s.about ? '<p class="about">' + esc(s.output) + ' stands for '
                  + esc(s.about) + '</p>' : '') + notes;
              } else if (s.kind === 'turn') {
                node(Object.keys(s.set)[0]).classList.add('made');
                panel.innerHTML = '<p>Backward: the gradient of the output <b>' + esc(s.output) + '</b> with respect '
                  + 'to itself is 1. Each step now takes one op, from the output back to the inputs. Press Next.</p>';
              } else if (s.kind === 'backward') {
                node(s.op).classList.add('active');
                s.outputs.forEach(id => node(id).classList.add('made'));
                s.inputs.forEach(i => node(i.id).classList.add('read'));
                const rows = s.inputs.map((i, n) => {
                  let line;
                  if (i.pushed === null) {
                    line = '- (needs no gradient)';
                  } else if (i.local !== null) {
                    line = 'grad in ' + list(s.upstream) + ' × local ' + list(i.local) + ' = <span class="pushed">'
                      + list(i.pushed) + '</span> → ' + esc(i.label) + '.grad += ' + list(i.pushed);
                  } else {
                    line = 'from the gradient in and the rule: <span class="pushed">' + list(i.pushed) + '</span> → '
                      + esc(i.label) + '.grad += ' + list(i.pushed);
                  }
                  return '<tr class="input-row" data-input="' + n + '"><td>' + esc(i.label) + '</td><td class="mono">'
                    + esc(i.rule) + '</td><td class="num local">' + (i.local === null ? '(a Jacobian: see the rule)'
                    : list(i.local)) + '</td><td class="arith">' + (i.pushed === null ? '<span class="pushed">'
                    + line + '</span>' : line) + (i.adds ? ' (added to its earlier gradient: next step)' : '')
                    + '</td></tr>';
                }).join('');
                panel.innerHTML = '<p>Backward: op <b>' + esc(s.name) + '</b> made <b>' + esc(s.output)
                  + '</b>; the gradient reaching it is <span class="num upstream">' + list(s.upstream) + '</span>.</p>'
                  + '<table><tr><th>input</th><th>local derivative</th><th>its value</th>'
                  + '<th>grad in × local = pushed, added to the input\\'s gradient</th></tr>' + rows + '</table>'
                  + notes;
              } else {
                node(s.id).classList.add('acc');
                panel.innerHTML = '<p>Accumulate: <b>' + esc(s.label) + '</b> feeds more than one op, so its gradient '
                  + 'is the sum of what each pushes to it (the multivariable chain rule).</p><p class="arith">'
                  + esc(s.label) + '.grad = ' + list(s.before) + ' + ' + list(s.add) + ' (from ' + esc(s.from)
                  + ') = <b class="after">' + list(s.after) + '</b></p>';
              }
            }
            function zoom(root, factor, cx, cy) {
              const svg = root.querySelector('.graph svg');
              const b = svg.viewBox.baseVal;
              const x = cx === undefined ? b.x + b.width / 2 : cx, y = cy === undefined ? b.y + b.height / 2 : cy;
              svg.setAttribute('viewBox', [x - (x - b.x) * factor, y - (y - b.y) * factor, b.width * factor,
                b.height * factor].join(' '));
            }
            document.querySelectorAll('section.view').forEach(root => {
              const svg = root.querySelector('.graph svg');
              const fit = svg.getAttribute('viewBox');
              const whole = fit.split(/[ ,]+/).map(Number), frame = root.querySelector('.graph');
              // the whole graph, the frame as tall as it needs at the page's width (within 220 px and 62% of the
              // window); a graph too wide to read so starts at 90% of its size, from its inputs, and pans to follow
              root.fitAll = () => {
                frame.style.height = Math.min(0.62 * window.innerHeight, Math.max(220, frame.clientWidth * whole[3]
                  / whole[2] + 12)) + 'px';
                svg.setAttribute('viewBox', fit);
              };
              root.readable = () => {
                if (frame.clientWidth / whole[2] >= 0.7) return root.fitAll();
                frame.style.height = Math.min(0.62 * window.innerHeight, whole[3] * 0.9 + 12) + 'px';
                svg.setAttribute('viewBox', [whole[0], whole[1], frame.clientWidth / 0.9, frame.clientHeight / 0.9]
                  .join(' '));
              };
              root.follow = id => {
                const b = root.querySelector('[id="' + id + '"]').getBBox(), v = svg.viewBox.baseVal;
                if (b.x < v.x || b.x + b.width > v.x + v.width || b.y < v.y || b.y + b.height > v.y + v.height) {
                  svg.setAttribute('viewBox', [b.x + b.width / 2 - v.width / 2, b.y + b.height / 2 - v.height / 2,
                    v.width, v.height].join(' '));
                }
              };
              root.querySelector('.prev').onclick = () => show(at[shown] - 1);
              root.querySelector('.next').onclick = () => show(at[shown] + 1);
              root.querySelector('.zoom-in').onclick = () => zoom(root, 0.8);
              root.querySelector('.zoom-out').onclick = () => zoom(root, 1.25);
              root.querySelector('.zoom-fit').onclick = () => root.fitAll();
              svg.addEventListener('wheel', e => {
                e.preventDefault();
                const p = new DOMPoint(e.clientX, e.clientY).matrixTransform(svg.getScreenCTM().inverse());
                zoom(root, e.deltaY < 0 ? 0.85 : 1 / 0.85, p.x, p.y);
              }, {passive: false});
              let drag = null;
              svg.addEventListener('pointerdown', e => { drag = {x: e.clientX, y: e.clientY}; });
              window.addEventListener('pointerup', () => { drag = null; });
              svg.addEventListener('pointermove', e => {
                if (!drag) return;
                const b = svg.viewBox.baseVal, scale = b.width / svg.clientWidth;
                svg.setAttribute('viewBox', [b.x - (e.clientX - drag.x) * scale, b.y - (e.clientY - drag.y) * scale,
                  b.width, b.height].join(' '));
                drag = {x: e.clientX, y: e.clientY};
              });
            });
            function switchTo(v) {
              shown = v;
              document.querySelectorAll('section.view').forEach(s => s.classList.toggle('shown',
                s.dataset.view === String(v)));
              document.querySelectorAll('.view-button').forEach(b => b.classList.toggle('on',
                b.dataset.view === String(v)));
              const root = section();
              if (!root.dataset.sized) {
                root.readable();
                root.dataset.sized = 'yes';
              }
              show(at[v]);
            }
            document.querySelectorAll('.view-button').forEach(b => b.onclick = () => switchTo(Number(b.dataset.view)));
            document.getElementById('digits').onchange = () => show(at[shown]);
            document.addEventListener('keydown', e => {
              if (e.key === 'ArrowRight') show(at[shown] + 1);
              if (e.key === 'ArrowLeft') show(at[shown] - 1);
            });
            views.forEach((v, i) => { shown = i; show(0); });
            switchTo(0);
            """;
}
