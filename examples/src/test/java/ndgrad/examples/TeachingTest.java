package ndgrad.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import ndgrad.optim.GradientMonitor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The expression parser, explain, and the gradient-health demo. */
class TeachingTest {

    @Test
    void precedenceAndAssociativityRoundTrip() {
        assertEquals("(a + (b * c))", Expression.parse("a + b * c").toString());
        assertEquals("((a - b) - c)", Expression.parse("a - b - c").toString(), "- is left-associative");
        assertEquals("((a / b) * c)", Expression.parse("a / b * c").toString());
        assertEquals("(a ^ (b ^ c))", Expression.parse("a ^ b ^ c").toString(), "^ is right-associative");
        assertEquals("(-(x ^ 2))", Expression.parse("-x^2").toString(), "^ binds tighter than unary minus");
        assertEquals("(2 ^ (-1))", Expression.parse("2^-1").toString());
        assertEquals("tanh(((x1 * w1) + b))", Expression.parse(" tanh( x1*w1+b ) ").toString());
        assertEquals("(1.5E-3 * x)", Expression.parse("1.5e-3*x").toString().replace("0.0015", "1.5E-3"));
        for (String s : new String[] {"a + b * c", "-x^2", "a ^ b ^ c", "exp(-(x - 1)^2) / sqrt(2)"}) {
            String once = Expression.parse(s).toString();
            assertEquals(once, Expression.parse(once).toString(), "parsing the printed form gives it back: " + s);
        }
    }

    @Test
    void badInputPointsAtTheColumn() {
        Expression.ExpressionException open = assertThrows(Expression.ExpressionException.class,
                () -> Expression.parse("tanh(x1*w1"));
        assertEquals(11, open.column());
        assertEquals("parse error at column 11: expected ')' but the expression ended: tanh(x1*w1 <-- here",
                open.getMessage(), "one line: the 30 characters before the column, and where it stopped");
        String longer = "a".repeat(40) + " + * b";
        assertTrue(assertThrows(Expression.ExpressionException.class, () -> Expression.parse(longer)).getMessage()
                .endsWith(": ..." + "a".repeat(27) + " + " + " <-- here"), "a long expression is cut to 30 characters");
        assertEquals(5, assertThrows(Expression.ExpressionException.class, () -> Expression.parse("a + * b"))
                .column());
        assertEquals(1, assertThrows(Expression.ExpressionException.class, () -> Expression.parse("foo(x)"))
                .column());
        assertEquals(3, assertThrows(Expression.ExpressionException.class, () -> Expression.parse("x ) ")).column());
        assertEquals(4, assertThrows(Expression.ExpressionException.class, () -> Expression.parse("x +")).column());
    }

    /** Karpathy's neuron: do/dx1 = -1.5, do/dw1 = 1, do/dx2 = 0.5, do/dw2 = 0, do/db = 0.5; numerics agree. */
    @Test
    void explainTheNeuron() {
        Explain.Explanation x = Explain.explain("tanh(x1*w1 + x2*w2 + b)", Map.of("x1", 2.0, "x2", 0.0, "w1", -3.0,
                "w2", 1.0, "b", 6.8813735870195432));
        assertEquals(Math.sqrt(0.5), x.output().item(), 1e-15);
        Map<String, Double> expected = Map.of("x1", -1.5, "w1", 1.0, "x2", 0.5, "w2", 0.0, "b", 0.5);
        expected.forEach((v, g) -> {
            assertEquals(g, x.gradients().get(v)[0], 1e-12, v + " autograd");
            assertEquals(g, x.gradients().get(v)[1], 1e-8, v + " numerical");
        });
        assertEquals(-6.0, x.values().get("mul1").item());
        assertEquals("x1 * w1", x.descriptions().get("mul1"), "a short name, and the whole expression it stands for");
        assertEquals(List.of("b", "w1", "w2", "x1", "x2", "mul1", "mul2", "add1", "add2", "tanh1"),
                List.copyOf(x.values().keySet()));
        assertEquals(5, x.trace().steps().size());
        Explain.Explanation named = Explain.explain("n = x1*w1 + x2*w2 + b; tanh(n)", Map.of("x1", 2.0, "x2", 0.0,
                "w1", -3.0, "w2", 1.0, "b", 6.8813735870195432));
        assertEquals(x.output().item(), named.output().item(), 0.0);
        assertEquals("((x1 * w1) + (x2 * w2)) + b", named.descriptions().get("n"), "a definition keeps its name");
        assertEquals(0.5, named.trace().grad(named.values().get("n")).item(), 1e-12);
        assertThrows(IllegalArgumentException.class, () -> Expression.parse("n = x; n = 2*x; n"), "defined twice");
        assertThrows(IllegalArgumentException.class, () -> Expression.parse("tanh = x; tanh"), "a function's name");
        assertThrows(IllegalArgumentException.class, () -> Expression.parse("n = x n"), "no ';'");
        assertThrows(IllegalArgumentException.class, () -> Explain.explain("x * y", Map.of("x", 1.0)));
        assertEquals(org.nd4j.linalg.api.buffer.DataType.DOUBLE, x.output().dtype(), "explain computes in float64");
    }

    /**
     * A 2-4-1 MLP on one sample, neuron by neuron: each of its 17 weights' and biases' gradients agrees with central
     * differences; 30 scalar ops (per hidden neuron 2 products, 2 sums and tanh; the output's 4 products and 4 sums;
     * the loss's sub and square).
     */
    @Test
    void explainAModel() {
        Explain.Explanation x = Explain.explainModel("2-4-1", Map.of("x1", 0.5, "y", -1.0));
        assertEquals(17, x.gradients().size(), x.gradients().keySet().toString());
        x.gradients().forEach((v, g) -> assertEquals(g[1], g[0], 1e-8, v));
        assertTrue(x.gradients().values().stream().filter(g -> Math.abs(g[0]) > 1e-3).count() > 10,
                "most gradients are not zero");
        assertEquals(30, x.trace().steps().size());
        assertEquals("b1[1] + mul3", x.descriptions().get("add2"));
        assertEquals("tanh(z1[3])", x.descriptions().get("h1[3]"));
        assertEquals(List.of("neurons", "tensors"), x.views().stream().map(v -> v.name()).toList());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Explain.explainModel("2-4-3", Map.of()));
        assertTrue(e.getMessage().contains("ending in 1 output"), e.getMessage());
    }

    @Test
    void deepSigmoidGradientsVanishAndReluHeDoNot() {
        GradientMonitor sigmoid = Diagnose.run("sigmoid", 8, 5);
        GradientMonitor relu = Diagnose.run("relu", 8, 5);
        double sFirst = sigmoid.gradNorms().get("0.weight").get(0);
        double sLast = sigmoid.gradNorms().get("16.weight").get(0);
        double rFirst = relu.gradNorms().get("0.weight").get(0);
        double rLast = relu.gradNorms().get("16.weight").get(0);
        assertTrue(sFirst < 1e-4 * sLast, "sigmoid: first layer " + sFirst + " vs last " + sLast);
        assertTrue(rFirst > 0.02 * rLast, "relu/He (measured ratio 0.066 at step 1): first layer " + rFirst
                + " vs last " + rLast);
        assertFalse(sigmoid.warnings().isEmpty());
        assertTrue(sigmoid.warnings().get(0).startsWith("0.weight: gradient norm"), sigmoid.warnings().get(0));
        assertTrue(relu.warnings().isEmpty(), relu.warnings().toString());
        assertEquals(5, relu.updateRatios().get("0.weight").size());
        assertTrue(relu.updateRatios().get("0.weight").get(4) > 0);
    }

    @Test
    void explainAndDiagnoseFromTheCommandLine(@TempDir Path dir) {
        ExamplesTest.Result r = ExamplesTest.cli("explain", "x*y + exp(x)", "--at", "x=1,y=2", "--out",
                dir.toString());
        assertEquals(0, r.code(), r.err());
        assertTrue(Files.isRegularFile(dir.resolve("explain.dot")));
        ExamplesTest.Result bad = ExamplesTest.cli("explain", "x*(y + 1", "--at", "x=1,y=2");
        assertEquals(2, bad.code());
        assertTrue(bad.err().contains("column 9") && bad.err().contains("x*(y + 1 <-- here"), bad.err());
        assertEquals(1, bad.err().trim().lines().count(), bad.err());
        assertEquals(0, ExamplesTest.cli("diagnose", "--depth", "3", "--steps", "3", "--out", dir.toString()).code());
        assertTrue(dir.resolve("gradient-norms-sigmoid.png").toFile().length() > 1000);
        assertTrue(dir.resolve("gradient-norms-relu.png").toFile().length() > 1000);
    }
}
