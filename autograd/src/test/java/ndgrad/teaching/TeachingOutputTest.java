package ndgrad.teaching;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ndgrad.autograd.Float64Test;
import ndgrad.autograd.Tensor;
import ndgrad.autograd.Function;
import org.junit.jupiter.api.Test;

/**
 * The teaching outputs character for character, written out by hand from the graph: the DOT text (values in forward
 * order, then each op with its edges) and the backward trace's table (columns as wide as their widest entry).
 * y = tanh(x·w + b) at x = 2, w = -3, b = 6.5: x·w + b = 0.5, tanh(0.5) = 0.4621, 1 - tanh²(0.5) = 0.7864, so
 * dy/dx = 0.7864·(-3) = -2.3593, dy/dw = 0.7864·2 = 1.5729, dy/db = 0.7864.
 */
class TeachingOutputTest extends Float64Test {
    private static Tensor[] neuron() {
        Tensor x = Tensor.scalar(2).named("x").requiresGrad();
        Tensor w = Tensor.scalar(-3).named("w").requiresGrad();
        Tensor b = Tensor.scalar(6.5).named("b").requiresGrad();
        return new Tensor[] {x, w, b, x.mul(w).add(b).tanh().named("y")};
    }

    @Test
    void theDotTextOfANeuronAfterBackward() {
        Tensor y = neuron()[3];
        y.backward();
        assertEquals("""
                digraph ndgrad {
                  rankdir=LR;
                  node [fontname="Helvetica"];
                  v0 [shape=record, label="{x | data 2.0000 | grad -2.3593}"];
                  v1 [shape=record, label="{w | data -3.0000 | grad 1.5729}"];
                  v2 [shape=record, label="{mul1 | data -6.0000 | grad ?}"];
                  v3 [shape=record, label="{b | data 6.5000 | grad 0.7864}"];
                  v4 [shape=record, label="{add1 | data 0.5000 | grad ?}"];
                  v5 [shape=record, label="{y | data 0.4621 | grad ?}"];
                  op0 [shape=ellipse, label="mul"];
                  v0 -> op0;
                  v1 -> op0;
                  op0 -> v2;
                  op1 [shape=ellipse, label="add"];
                  v2 -> op1;
                  v3 -> op1;
                  op1 -> v4;
                  op2 [shape=ellipse, label="tanh"];
                  v4 -> op2;
                  op2 -> v5;
                }
                """, Graphviz.toDot(y));
    }

    /** Shapes, several values in brackets, more than six as "…", a value with no gradient, and escaped names. */
    @Test
    void theDotTextOfVectorsConstantsAndEscapedNames() {
        Tensor a = Tensor.of(1, 2, 3, 4, 5, 6, 7).named("a|<b>").requiresGrad();
        Tensor c = Tensor.of(0.5, -1.25).named("c");
        Tensor s = a.sum().mul(c).named("s{1}");
        assertEquals("""
                digraph ndgrad {
                  rankdir=LR;
                  node [fontname="Helvetica"];
                  v0 [shape=record, label="{a\\\\|\\\\<b\\\\> | data … | grad ? | shape [7]}"];
                  v1 [shape=record, label="{sum1 | data 28.0000 | grad ?}"];
                  v2 [shape=record, label="{c | data [0.5000, -1.2500] | no grad | shape [2]}"];
                  v3 [shape=record, label="{s\\\\{1\\\\} | data [14.0000, -35.0000] | grad ? | shape [2]}"];
                  op0 [shape=ellipse, label="sum"];
                  v0 -> op0;
                  op0 -> v1;
                  op1 [shape=ellipse, label="mul"];
                  v1 -> op1;
                  v2 -> op1;
                  op1 -> v3;
                }
                """.replace("\\\\", "\\"), Graphviz.toDot(s));
    }

    @Test
    void theTraceTableOfANeuron() {
        Tensor[] n = neuron();
        assertEquals(String.join("\n",
                "step op       output grad in input local derivative         grad pushed",
                "1    tanh     y      1.0000  add1  1 - tanh²(add1) = 0.7864 0.7864",
                "2    add      add1   0.7864  mul1  1 = 1.0000               0.7864",
                "                             b     1 = 1.0000               0.7864",
                "3    mul      mul1   0.7864  x     w = -3.0000              -2.3593",
                "                             w     x = 2.0000               1.5729",
                ""), BackwardTrace.run(n[3]).toString());
    }

    /** A rule's symbols become the operands' labels, in parentheses when a label is not a plain word. */
    @Test
    void rulesNameTheirOperands() {
        Tensor a = Tensor.scalar(2).named("a b").requiresGrad();
        Tensor b = Tensor.scalar(3).named("b").requiresGrad();
        BackwardTrace t = BackwardTrace.run(a.div(b).named("q"));
        assertEquals("1/b", t.steps().get(0).inputs().get(0).rule());
        assertEquals("-(a b)/b²", t.steps().get(0).inputs().get(1).rule());
        Tensor x = Tensor.of(1, 2).named("x").requiresGrad();
        BackwardTrace sum = BackwardTrace.run(x.exp().sum().named("total"));
        assertEquals("exp(x)", sum.steps().get(1).inputs().get(0).rule());
        assertEquals("[2.7183, 7.3891]", Graphviz.values(sum.steps().get(1).inputs().get(0).local()),
                "an elementwise op shows its local derivative at every element");
        assertEquals("[1.0000, 1.0000]", Graphviz.values(sum.steps().get(0).inputs().get(0).local()),
                "an op of one output element shows it at every input element");
        BackwardTrace product = BackwardTrace.run(Tensor.of(new double[] {1, 2, 3, 4}, 2, 2).named("m")
                .requiresGrad().matmul(Tensor.of(1.0, 1.0).named("v")).sum());
        assertEquals(null, product.steps().get(1).inputs().get(0).local(), "a Jacobian is not shown");
    }

    /**
     * The SVG of y = exp(x) at x = 1, with the trace's gradients, worked out by hand: boxes 16 + 7.3 px per character
     * of their longest line wide (96.3) and 8 + 16 per line high (56), the op 40 × 32; layers 56 apart from a margin of
     * 12 (x at 12, the op at 164.3, y at 260.3); the op pulled to its neighbours' centre 40; each edge a curve from a
     * right middle to a left middle through their mean x.
     */
    @Test
    void theSvgOfExpWorkedOutByHand() {
        Tensor x = Tensor.scalar(1).named("x").requiresGrad();
        String svg = Graphviz.toSvg(BackwardTrace.run(x.exp().named("y")));
        assertEquals(String.join("\n",
                "<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"ndgrad-graph\" width=\"369\" height=\"80\" "
                        + "viewBox=\"0 0 369 80\" font-family=\"monospace\" font-size=\"12\">",
                "<defs><marker id=\"arrow\" viewBox=\"0 0 8 8\" refX=\"8\" refY=\"4\" markerWidth=\"8\" "
                        + "markerHeight=\"8\" orient=\"auto\"><path d=\"M0,0 L8,4 L0,8 z\" fill=\"#666\"/></marker></defs>",
                "<path class=\"edge\" data-from=\"v0\" data-to=\"op0\" d=\"M108.3,40.0 C136.3,40.0 136.3,40.0 164.3,40.0\" "
                        + "fill=\"none\" stroke=\"#888\" stroke-width=\"1.2\" marker-end=\"url(#arrow)\"/>",
                "<path class=\"edge\" data-from=\"op0\" data-to=\"v1\" d=\"M204.3,40.0 C232.3,40.0 232.3,40.0 260.3,40.0\" "
                        + "fill=\"none\" stroke=\"#888\" stroke-width=\"1.2\" marker-end=\"url(#arrow)\"/>",
                "<g class=\"value\" id=\"v0\" data-label=\"x\"><rect x=\"12.0\" y=\"12.0\" width=\"96.3\" height=\"56.0\" "
                        + "rx=\"4\" fill=\"#f4f7fb\" stroke=\"#4a6fa5\"/><text class=\"label\" x=\"20.0\" y=\"28.0\" "
                        + "font-weight=\"bold\">x</text><text class=\"data\" x=\"20.0\" y=\"44.0\">data 1.0000</text>"
                        + "<text class=\"grad\" x=\"20.0\" y=\"60.0\">grad 2.7183</text></g>",
                "<g class=\"value\" id=\"v1\" data-label=\"y\"><rect x=\"260.3\" y=\"12.0\" width=\"96.3\" "
                        + "height=\"56.0\" rx=\"4\" fill=\"#f4f7fb\" stroke=\"#4a6fa5\"/><text class=\"label\" x=\"268.3\" "
                        + "y=\"28.0\" font-weight=\"bold\">y</text><text class=\"data\" x=\"268.3\" y=\"44.0\">data 2.7183"
                        + "</text><text class=\"grad\" x=\"268.3\" y=\"60.0\">grad 1.0000</text></g>",
                "<g class=\"op\" id=\"op0\" data-op=\"exp\"><ellipse cx=\"184.3\" cy=\"40.0\" rx=\"20.0\" ry=\"16.0\" "
                        + "fill=\"#fff4e0\" stroke=\"#c47f00\"/><text x=\"184.3\" y=\"44.0\" text-anchor=\"middle\">exp"
                        + "</text></g>",
                "</svg>", ""), svg);
    }

    /** A constant is marked as having no gradient, a vector gets a shape line, and six values are shown, not seven. */
    @Test
    void theSvgMarksConstantsAndShapes() {
        Tensor x = Tensor.of(1, 2, 3, 4, 5, 6).named("x").requiresGrad();
        Tensor c = Tensor.of(1, 1, 1, 1, 1, 1).named("c");
        String svg = Graphviz.toSvg(x.mul(c).named("y"));
        assertTrue(svg.contains("<g class=\"value\" id=\"v1\" data-label=\"c\" data-nograd=\"true\">"), svg);
        assertTrue(svg.contains("<g class=\"value\" id=\"v0\" data-label=\"x\"><rect"), svg);
        assertTrue(svg.contains(">data [1.0000, 2.0000, 3.0000, 4.0000, 5.0000, 6.0000]</text>"), svg);
        assertTrue(svg.contains(">no grad</text><text class=\"shape\""), svg);
        assertTrue(svg.contains(">shape [6]</text>"), svg);
        assertEquals("…", Graphviz.values(Tensor.of(1, 2, 3, 4, 5, 6, 7)));
        assertTrue(Graphviz.toSvg(x.exp().named("e")).contains(">grad ?</text>"), "no gradient known yet");
    }

    /**
     * A chain of two ops: each op's oval is as wide as its name needs (18 + 7.3 per character, at least 40) and 32
     * high, and every edge of the picture runs from the right of its source to the left of its target.
     */
    @Test
    void everyEdgeOfTheSvgRunsLeftToRight() {
        Tensor x = Tensor.scalar(0.5).named("x").requiresGrad();
        String svg = Graphviz.toSvg(x.tanh().exp().named("y"));
        java.util.Map<String, double[]> box = new java.util.HashMap<>();
        java.util.regex.Matcher values = java.util.regex.Pattern.compile("<g class=\"value\" id=\"(v\\d+)\"[^>]*>"
                + "<rect x=\"([-\\d.]+)\" y=\"[-\\d.]+\" width=\"([-\\d.]+)\"").matcher(svg);
        while (values.find()) {
            double left = Double.parseDouble(values.group(2));
            box.put(values.group(1), new double[] {left, left + Double.parseDouble(values.group(3))});
        }
        java.util.regex.Matcher ops = java.util.regex.Pattern.compile("<g class=\"op\" id=\"(op\\d+)\" data-op=\""
                + "(\\w+)\"><ellipse cx=\"([-\\d.]+)\" cy=\"[-\\d.]+\" rx=\"([-\\d.]+)\" ry=\"([-\\d.]+)\"")
                .matcher(svg);
        java.util.Map<String, Double> rx = new java.util.HashMap<>();
        while (ops.find()) {
            double cx = Double.parseDouble(ops.group(3));
            double r = Double.parseDouble(ops.group(4));
            box.put(ops.group(1), new double[] {cx - r, cx + r});
            rx.put(ops.group(2), r);
            assertEquals(16.0, Double.parseDouble(ops.group(5)), ops.group());
        }
        assertEquals(java.util.Map.of("tanh", 23.6, "exp", 20.0), rx, "(18 + 7.3·4)/2 and 40/2");
        java.util.regex.Matcher edges = java.util.regex.Pattern.compile("data-from=\"(\\w+)\" data-to=\"(\\w+)\"")
                .matcher(svg);
        int n = 0;
        for (; edges.find(); n++) {
            assertTrue(box.get(edges.group(1))[1] < box.get(edges.group(2))[0], edges.group() + "\n" + svg);
        }
        assertEquals(4, n, "x → tanh → t → exp → y");
    }

    /** A user's op that returns a gradient for every input, needed or not: a · b summed, b constant. */
    private static final class Dot extends Function {
        Dot() {
            super("dot", "b", "a");
        }

        @Override
        protected Tensor[] forward(Context ctx, Tensor... in) {
            ctx.save(in[0], in[1]);
            return tensors(in[0].mul(in[1]).sum());
        }

        @Override
        protected Tensor[] backward(Context ctx, Tensor... g) {
            return tensors(g[0].mul(ctx.saved(1)), g[0].mul(ctx.saved(0)));
        }
    }

    /** The trace shows local derivatives only for inputs that require grad, even when an op computes the others. */
    @Test
    void theTraceShowsNoLocalDerivativeForAConstantEvenWhenTheOpComputesIt() {
        Tensor x = Tensor.of(1.0, 2.0).named("x").requiresGrad();
        Tensor c = Tensor.of(3.0, -1.0).named("c");
        BackwardTrace.Step step = BackwardTrace.run(new Dot().apply(x, c)).steps().get(0);
        org.junit.jupiter.api.Assertions.assertArrayEquals(new double[] {3, -1},
                step.inputs().get(0).local().toDoubleArray());
        org.junit.jupiter.api.Assertions.assertNull(step.inputs().get(1).local(), "c needs no gradient");
    }

    /** A leaf traced on its own has gradient 1; a constant operand gets no local derivative and no gradient. */
    @Test
    void theTraceOfALeafAndOfAConstantOperand() {
        Tensor x = Tensor.scalar(3).named("x").requiresGrad();
        BackwardTrace leaf = BackwardTrace.run(x);
        assertEquals(0, leaf.steps().size());
        assertEquals(1.0, leaf.grad(x).item());
        Tensor c = Tensor.scalar(2).named("c");
        BackwardTrace t = BackwardTrace.run(x.mul(c).named("y"));
        assertEquals(2.0, t.steps().get(0).inputs().get(0).local().item(), "∂(x·c)/∂x = c");
        assertEquals(null, t.steps().get(0).inputs().get(1).local(), "c needs no derivative");
        assertEquals(null, t.steps().get(0).inputs().get(1).grad());
        assertEquals(null, t.grad(c), "a constant leaf is not given a gradient");
        assertEquals(2.0, t.grad(x).item());
    }

    /**
     * The page's record of known gradients adds what each step pushes: in y = x·x + x, x gets 1 from add, then 2x
     * from mul's two operands: 1 + 3 + 3 = 7 at x = 3.
     */
    @Test
    void theExplainPageAccumulatesWhatEachStepPushes() {
        Tensor x = Tensor.scalar(3).named("x").requiresGrad();
        String page = ExplainPage.html("acc", () -> x.mul(x).add(x).named("y"), java.util.List.of(x));
        assertTrue(page.contains(",\"v0\":{\"v\":[1.0],\"n\":1}},\"notes\""), "x gets 1 from add\n" + page);
        assertTrue(page.contains("\"before\":{\"v\":[1.0],\"n\":1},\"add\":{\"v\":[3.0],\"n\":1},\"after\":{\"v\":[4.0],"
                + "\"n\":1},\"set\":{\"v0\":{\"v\":[4.0],\"n\":1}}"), "then 3 from mul's first operand\n" + page);
        assertTrue(page.contains("\"before\":{\"v\":[4.0],\"n\":1},\"add\":{\"v\":[3.0],\"n\":1},\"after\":{\"v\":[7.0],"
                + "\"n\":1},\"set\":{\"v0\":{\"v\":[7.0],\"n\":1}}"), "and 3 from its second: 7\n" + page);
        assertTrue(page.contains("<tr><td>x</td><td class=\"num\">7.0</td>"), page);
    }
}
