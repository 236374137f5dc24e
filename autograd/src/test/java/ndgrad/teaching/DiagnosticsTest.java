package ndgrad.teaching;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ndgrad.autograd.Tensor;
import ndgrad.autograd.Autograd;
import ndgrad.autograd.GradOptions;
import ndgrad.autograd.AutogradException;
import ndgrad.autograd.AnomalyException;
import ndgrad.autograd.Float64Test;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Graph pictures, backward traces and anomaly mode. */
class DiagnosticsTest extends Float64Test {

    private static long count(String text, String needle) {
        return text.lines().filter(l -> l.contains(needle)).count();
    }

    @Test
    void dotHasOneRecordPerValueOneEllipsePerOpAndTheirEdges() {
        Tensor x = Tensor.scalar(2).named("x").requiresGrad();
        Tensor w = Tensor.scalar(-3).named("w").requiresGrad();
        Tensor b = Tensor.scalar(6.5).named("b").requiresGrad();
        Tensor y = x.mul(w).add(b).tanh().named("y");
        String dot = Graphviz.toDot(y);
        assertTrue(dot.startsWith("digraph ndgrad {") && dot.trim().endsWith("}"));
        assertEquals(6, count(dot, "shape=record"), dot);
        assertEquals(3, count(dot, "shape=ellipse"), dot);
        assertEquals(8, count(dot, "->"), dot);
        assertTrue(dot.contains("label=\"{x | data 2.0000 | grad ?}\"") && dot.contains("label=\"tanh\""), dot);
        assertTrue(dot.contains("label=\"{mul1 | data -6.0000 | grad ?}\"")
                && dot.contains("label=\"{add1 | data 0.5000 | grad ?}\""), "unnamed values are named after their op\n"
                + dot);
        y.backward();
        String after = Graphviz.toDot(y);
        // dy/dx = (1 - tanh²(0.5))·w = 0.786448·(-3)
        assertTrue(after.contains("{x | data 2.0000 | grad -2.3593}"), "gradients appear once known:\n" + after);
    }

    @Test
    void dotOfALargerGraphCountsMatch(@TempDir Path dir) throws Exception {
        Tensor a = Tensor.ones(2, 3).requiresGrad();
        Tensor c = Tensor.ones(3, 4);
        Tensor out = a.matmul(c).relu().sum();
        String dot = Graphviz.toDot(out);
        assertEquals(5, count(dot, "shape=record"), "a, c, matmul, relu, sum");
        assertEquals(3, count(dot, "shape=ellipse"));
        assertEquals(3 + 2 + 2, count(dot, "->"));
        Path written = Graphviz.write(out, dir.resolve("g.dot"));
        assertTrue(Files.isRegularFile(dir.resolve("g.dot")) && Files.isRegularFile(written));
        Path traced = Graphviz.write(BackwardTrace.run(out), dir.resolve("traced.dot"));
        assertTrue(Files.isRegularFile(traced), "the DOT file, or its PNG where Graphviz is installed");
        assertTrue(Files.readString(dir.resolve("traced.dot")).contains("grad 1.0000"), "the trace's gradients");
    }

    /** A render counts only when the renderer exits with 0 and the PNG is there. */
    @Test
    void aRenderSucceedsOnlyWithExitZeroAndAFile(@TempDir Path dir) {
        Path png = dir.resolve("g.png");
        assertTrue(Graphviz.render(png, Duration.ofSeconds(10), "sh", "-c", "exit 0").isEmpty(), "no file");
        assertTrue(Graphviz.render(png, Duration.ofSeconds(10), "sh", "-c", "touch " + png + "; exit 3").isEmpty(),
                "a failed renderer's file does not count");
        assertEquals(java.util.Optional.of(png), Graphviz.render(png, Duration.ofSeconds(10), "sh", "-c",
                "touch " + png));
        assertTrue(Graphviz.render(png, Duration.ofSeconds(10), "no-such-renderer-" + System.nanoTime()).isEmpty());
    }

    /** Issue 13: a renderer that hangs is killed at the timeout, not left running. */
    @Test
    void aRendererStillRunningAtTheTimeoutIsKilled(@TempDir Path dir) throws Exception {
        Path pid = dir.resolve("pid");
        long start = System.nanoTime();
        assertTrue(Graphviz.render(dir.resolve("never.png"), Duration.ofMillis(300), "sh", "-c",
                "echo $$ > " + pid + "; exec sleep 60").isEmpty());
        assertTrue(System.nanoTime() - start < 10_000_000_000L, "returned at the timeout");
        long id = Long.parseLong(Files.readString(pid).trim());
        assertTrue(ProcessHandle.of(id).map(h -> !h.isAlive()).orElse(true), "the renderer " + id + " was killed");
    }

    /** micrograd's neuron: o = tanh(x1 w1 + x2 w2 + b); the trace pushes 0.5 through the sums, -1.5 to x1, 1 to w1. */
    @Test
    void traceOfTheNeuronShowsEachRuleAndGradient() {
        Tensor x1 = Tensor.scalar(2).named("x1").requiresGrad();
        Tensor x2 = Tensor.scalar(0).named("x2").requiresGrad();
        Tensor w1 = Tensor.scalar(-3).named("w1").requiresGrad();
        Tensor w2 = Tensor.scalar(1).named("w2").requiresGrad();
        Tensor b = Tensor.scalar(6.8813735870195432).named("b").requiresGrad();
        Tensor n = x1.mul(w1).add(x2.mul(w2)).add(b).named("n");
        Tensor o = n.tanh().named("o");
        BackwardTrace trace = BackwardTrace.run(o);
        List<BackwardTrace.Step> steps = trace.steps();
        assertEquals(List.of("tanh", "add", "add", "mul", "mul"), steps.stream().map(BackwardTrace.Step::op).toList());
        BackwardTrace.Step tanh = steps.get(0);
        assertEquals("o", tanh.output());
        assertEquals(1.0, tanh.upstream().item());
        assertEquals("1 - tanh²(n)", tanh.inputs().get(0).rule());
        assertEquals(0.5, tanh.inputs().get(0).local().item(), 1e-12, "the rule's value: 1 - 0.7071²");
        assertEquals(0.5, tanh.inputs().get(0).grad().item(), 1e-12);
        BackwardTrace.Step mulX1 = steps.stream().filter(s -> s.op().equals("mul") && s.inputs().get(0).label()
                .equals("x1")).findFirst().orElseThrow();
        assertEquals("w1", mulX1.inputs().get(0).rule(), "∂(x1·w1)/∂x1 = w1");
        assertEquals(-3.0, mulX1.inputs().get(0).local().item(), 1e-12, "w1's value");
        assertEquals(-1.5, mulX1.inputs().get(0).grad().item(), 1e-12);
        assertEquals(1.0, mulX1.inputs().get(1).grad().item(), 1e-12);
        assertEquals(-1.5, trace.grad(x1).item(), 1e-12);
        assertEquals(0.5, trace.grad(x2).item(), 1e-12);
        assertEquals(1.0, trace.grad(o).item(), "the output's own gradient");
        assertEquals(0.5, trace.grad(n).item(), 1e-12);
        assertTrue(!x1.hasGrad() && !w1.hasGrad(), "the trace changes no .grad");
        String table = trace.toString();
        assertTrue(table.contains("1 - tanh²(n) = 0.5000") && table.contains("w1 = -3.0000")
                && table.contains("-1.5000"), table);
        assertTrue(Graphviz.toDot(trace).contains("{o | data 0.7071 | grad 1.0000}"), "the root's gradient is shown");

        o.backward();
        assertEquals(-1.5, x1.grad().item(), 1e-12, "the trace kept the graph: backward runs after it, once");
        AutogradException freed = assertThrows(AutogradException.class, () -> BackwardTrace.run(o));
        assertTrue(freed.getMessage().contains("freed") && freed.getMessage().contains("retainGraph(true)")
                && freed.getMessage().contains("Trace before backward()"), freed.getMessage());
        Tensor o2 = x1.mul(w1).add(x2.mul(w2)).add(b).tanh();
        o2.backward(null, GradOptions.defaults().retainGraph(true));
        BackwardTrace after = BackwardTrace.run(o2);
        assertEquals(-1.5, after.grad(x1).item(), 1e-12, "a retained graph can be traced after backward()");
        assertEquals(-3.0, x1.grad().item(), 1e-12, "and the trace did not add to .grad again");
        assertEquals(List.of("tanh1", "add2", "add1", "mul2", "mul1"), after.steps().stream()
                .map(BackwardTrace.Step::output).toList(), "unnamed values: op name and forward position");
    }

    @Test
    void anomalyModeNamesTheOpThatMadeTheFirstNonFiniteValue() {
        Tensor x = Tensor.of(1, 2).requiresGrad();
        Tensor quiet = x.sub(x).log();
        assertTrue(Double.isInfinite(quiet.toDoubleArray()[0]), "off by default: -inf flows on silently");
        try (var anomaly = Autograd.detectAnomaly()) {
            AnomalyException e = assertThrows(AnomalyException.class, () -> x.sub(x).log());
            assertTrue(e.getMessage().contains("'log'") && e.getMessage().contains("forward")
                    && e.getMessage().contains("DiagnosticsTest"), e.getMessage());
            Tensor y = x.sub(x).sqrt().sum();
            assertEquals(0.0, y.item(), "sqrt(0) is finite going forward");
            AnomalyException back = assertThrows(AnomalyException.class, y::backward);
            assertTrue(back.getMessage().contains("backward of 'sqrt'") && back.getMessage().contains("[2]"),
                    back.getMessage());
        }
        assertArrayEquals(new double[] {0, 0}, x.sub(x).toDoubleArray());
    }

    /** Every op of a classifier's step states its rule in the trace, read from its definition (none is missing). */
    @Test
    void theTraceReadsEveryRuleFromTheDefinitions() {
        Tensor x = Tensor.of(new double[][] {{0.5, -1}, {2, 0.25}});
        Tensor w = Tensor.of(new double[][] {{0.1, 0.2}, {-0.3, 0.4}, {0.5, -0.6}}).requiresGrad().named("W");
        Tensor b = Tensor.of(0.1, 0, -0.1).requiresGrad().named("b");
        Tensor loss = x.linear(w, b).relu().crossEntropy(new int[] {2, 0}).mean().div(2).exp();
        List<String> rules = BackwardTrace.run(loss).steps().stream().flatMap(st -> st.inputs().stream())
                .map(BackwardTrace.Input::rule).toList();
        assertTrue(rules.stream().noneMatch(r -> r.startsWith("∂")), rules.toString());
        assertTrue(rules.containsAll(List.of("G·W", "Gᵀ·x", "1 (summed over the batch)", "1/2.0", "exp(div2)")),
                rules.toString());
        assertTrue(rules.stream().anyMatch(r -> r.matches("softmax\\(relu\\d+\\) - onehot\\(y\\)")), rules.toString());
    }

    /**
     * The SVG needs nothing installed: one box per value and one oval per op, ids in forward order, labels as in the
     * trace; boxes never overlap and every edge runs left to right into its target.
     */
    @Test
    void svgDrawsEveryValueAndOpLaidOutInLayers() throws Exception {
        Tensor x = Tensor.of(new double[][] {{1, -2}}).named("x");
        Tensor w1 = Tensor.of(new double[][] {{0.5, -0.25}, {0.75, 1}, {-1, 0.5}, {0.25, 0.25}}).named("W1")
                .requiresGrad();
        Tensor b1 = Tensor.of(0.1, -0.1, 0.2, 0).named("b1").requiresGrad();
        Tensor w2 = Tensor.of(new double[][] {{1, -1, 0.5, 2}}).named("W2").requiresGrad();
        Tensor h = x.matmul(w1.transpose(0, 1)).add(b1).tanh();
        Tensor loss = h.matmul(w2.transpose(0, 1)).sub(1).pow(2).sum().named("loss");
        BackwardTrace trace = BackwardTrace.run(loss);
        GraphView g = trace.graph();
        org.w3c.dom.Document svg = javax.xml.parsers.DocumentBuilderFactory.newInstance().newDocumentBuilder()
                .parse(new java.io.ByteArrayInputStream(Graphviz.toSvg(trace).getBytes(
                        java.nio.charset.StandardCharsets.UTF_8)));
        List<org.w3c.dom.Element> values = elements(svg, "g", "value");
        List<org.w3c.dom.Element> ops = elements(svg, "g", "op");
        List<org.w3c.dom.Element> edges = elements(svg, "path", "edge");
        assertEquals(g.values.size(), values.size());
        assertEquals(g.ops.size(), ops.size());
        assertEquals(g.ops.stream().mapToInt(o -> o.inputs().size() + g.outputs(o).size()).sum(), edges.size());
        java.util.Set<String> labels = new java.util.HashSet<>();
        values.forEach(v -> labels.add(v.getAttribute("data-label")));
        java.util.Set<String> traced = new java.util.HashSet<>();
        trace.steps().forEach(st -> {
            traced.add(st.output());
            st.inputs().forEach(in -> traced.add(in.label()));
        });
        assertEquals(traced, labels, "the trace and the picture name the same values");
        assertTrue(labels.containsAll(List.of("loss", "x", "W1", "b1", "W2", "tanh1", "add1", "matmul1", "pow1")),
                labels.toString());
        assertTrue(Graphviz.toSvg(trace).contains(">grad 1.0000<"), "the output's own gradient");
        double[][] boxes = new double[values.size()][];
        for (int i = 0; i < boxes.length; i++) {
            org.w3c.dom.Element r = (org.w3c.dom.Element) values.get(i).getElementsByTagName("rect").item(0);
            boxes[i] = new double[] {num(r, "x"), num(r, "y"), num(r, "width"), num(r, "height")};
        }
        for (int a = 0; a < boxes.length; a++) {
            for (int b = a + 1; b < boxes.length; b++) {
                boolean apart = boxes[a][0] + boxes[a][2] <= boxes[b][0] || boxes[b][0] + boxes[b][2] <= boxes[a][0]
                        || boxes[a][1] + boxes[a][3] <= boxes[b][1] || boxes[b][1] + boxes[b][3] <= boxes[a][1];
                assertTrue(apart, "boxes " + a + " and " + b + " overlap");
            }
        }
        for (org.w3c.dom.Element e : edges) {
            String[] p = e.getAttribute("d").replaceAll("[MC]", " ").trim().split("[ ,]+");
            double startX = Double.parseDouble(p[0]);
            double endX = Double.parseDouble(p[p.length - 2]);
            assertTrue(endX > startX, "edge " + e.getAttribute("data-from") + " -> " + e.getAttribute("data-to")
                    + " runs left to right");
        }
    }

    /** Two crossing edges in the input order come out uncrossed: a→d, b→c with a, b and c, d in that order. */
    @Test
    void theLayoutOrdersLayersToRemoveCrossings() {
        Layout l = Layout.of(new double[] {10, 10, 10, 10}, new double[] {10, 10, 10, 10},
                new int[][] {{0, 3}, {1, 2}});
        assertTrue(l.x(2) > l.x(0) && l.x(3) > l.x(1), "targets one layer to the right");
        assertTrue((l.y(0) - l.y(1)) * (l.y(3) - l.y(2)) > 0, "a above b exactly when d above c");
        Layout chain = Layout.of(new double[] {10, 10, 10}, new double[] {10, 10, 10}, new int[][] {{0, 1}, {1, 2},
            {0, 2}});
        assertEquals(3, chain.route(2).length, "a long edge passes a dummy node in the middle layer");
    }

    private static List<org.w3c.dom.Element> elements(org.w3c.dom.Document d, String tag, String cls) {
        List<org.w3c.dom.Element> out = new java.util.ArrayList<>();
        org.w3c.dom.NodeList all = d.getElementsByTagName(tag);
        for (int i = 0; i < all.getLength(); i++) {
            org.w3c.dom.Element e = (org.w3c.dom.Element) all.item(i);
            if (e.getAttribute("class").equals(cls)) {
                out.add(e);
            }
        }
        return out;
    }

    private static double num(org.w3c.dom.Element e, String attribute) {
        return Double.parseDouble(e.getAttribute(attribute));
    }
}
