package ndgrad.autograd;

import static org.junit.jupiter.api.Assertions.assertEquals;

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
                """, y.toDot());
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
                """.replace("\\\\", "\\"), s.toDot());
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
}
