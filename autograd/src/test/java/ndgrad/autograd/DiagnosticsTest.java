package ndgrad.autograd;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

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
        String dot = y.toDot();
        assertTrue(dot.startsWith("digraph ndgrad {") && dot.trim().endsWith("}"));
        assertEquals(6, count(dot, "shape=record"), dot);
        assertEquals(3, count(dot, "shape=ellipse"), dot);
        assertEquals(8, count(dot, "->"), dot);
        assertTrue(dot.contains("label=\"{x | shape [] | 2.0000}\"") && dot.contains("label=\"tanh\""), dot);
        y.backward();
        String after = y.toDot();
        assertTrue(after.contains("x | shape [] | 2.0000 | grad "), "gradients appear once known:\n" + after);
    }

    @Test
    void dotOfALargerGraphCountsMatch(@TempDir Path dir) throws Exception {
        Tensor a = Tensor.ones(2, 3).requiresGrad();
        Tensor c = Tensor.ones(3, 4);
        Tensor out = a.matmul(c).relu().sum();
        String dot = out.toDot();
        assertEquals(5, count(dot, "shape=record"), "a, c, matmul, relu, sum");
        assertEquals(3, count(dot, "shape=ellipse"));
        assertEquals(3 + 2 + 2, count(dot, "->"));
        Path written = Graphviz.write(out, dir.resolve("g.dot"));
        assertTrue(Files.isRegularFile(dir.resolve("g.dot")) && Files.isRegularFile(written));
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
        assertEquals(0.5, tanh.inputs().get(0).grad().item(), 1e-12);
        BackwardTrace.Step mulX1 = steps.stream().filter(s -> s.op().equals("mul") && s.inputs().get(0).label()
                .equals("x1")).findFirst().orElseThrow();
        assertEquals("w1", mulX1.inputs().get(0).rule(), "∂(x1·w1)/∂x1 = w1");
        assertEquals(-1.5, mulX1.inputs().get(0).grad().item(), 1e-12);
        assertEquals(1.0, mulX1.inputs().get(1).grad().item(), 1e-12);
        assertEquals(-1.5, x1.grad().item(), 1e-12, "the trace is a real backward pass");
        assertEquals(0.5, x2.grad().item(), 1e-12);
        String table = trace.toString();
        assertTrue(table.contains("tanh") && table.contains("x1") && table.contains("-1.5000"), table);
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
        assertTrue(rules.containsAll(List.of("G·W", "Gᵀ·x", "1 (summed over the batch)", "1/2.0", "exp(div0)")),
                rules.toString());
        assertTrue(rules.stream().anyMatch(r -> r.matches("softmax\\(relu\\d+\\) - onehot\\(y\\)")), rules.toString());
    }
}
