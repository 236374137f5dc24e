package ndgrad.teaching;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ndgrad.autograd.Tensor;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import ndgrad.core.DTypes;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.buffer.DataType;

/** The explain page without a browser: self-contained, one step per op, gradients checked, nothing changed. */
class ExplainPageTest {
    @Test
    void thePageIsSelfContainedAndCarriesEveryStep(@TempDir Path dir) throws Exception {
        try (var float64 = DTypes.use(DataType.DOUBLE)) {
            Tensor x1 = Tensor.scalar(2).named("x1").requiresGrad();
            Tensor w1 = Tensor.scalar(-3).named("w1").requiresGrad();
            Tensor b = Tensor.scalar(6.8813735870195432).named("b").requiresGrad();
            Path file = ExplainPage.write(dir.resolve("sub/neuron.html"), "neuron <o>",
                    () -> x1.mul(w1).add(b).tanh().named("o"), List.of(x1, w1, b));
            String page = Files.readString(file);
            assertTrue(page.startsWith("<!DOCTYPE html>") && page.contains("<svg") && page.contains("neuron &lt;o&gt;"));
            assertFalse(page.contains("<script src") || page.contains("<link") || page.contains("@import")
                    || page.contains("url(http"), "nothing is fetched: no external script, style or font");
            Matcher urls = Pattern.compile("https?://[^\"' )]+").matcher(page);
            while (urls.find()) {
                assertEquals("http://www.w3.org/2000/svg", urls.group(), "the only URL is SVG's namespace name");
            }
            assertEquals(3, count(page, "\"kind\":\"forward\""), "a forward step per op (mul, add, tanh)");
            assertEquals(3, count(page, "\"kind\":\"backward\""), "a backward step per op");
            assertEquals(0, count(page, "\"kind\":\"accumulate\""), "each value is used once");
            assertEquals(3, count(page, "<g class=\"op\""));
            assertEquals(6, count(page, "<g class=\"value\""));
            // ∂o/∂x1 = (1 - tanh²(0.8814))·w1 = 0.5·(-3): autograd, then central differences
            String half = "-1\\.(49999999999|50000000000)\\d*";
            assertTrue(page.matches("(?s).*<tr><td>x1</td><td class=\"num\">" + half + "</td><td class=\"num\">"
                    + "-1\\.(4999999|5000000)\\d*</td>.*"), page);
            assertTrue(page.matches("(?s).*\"label\":\"x1\",\"rule\":\"w1\",\"local\":\\{\"v\":\\[-3.0\\],\"n\":1\\},"
                    + "\"pushed\":\\{\"v\":\\[" + half + "\\],\"n\":1\\},\"adds\":false.*"), page);
            assertTrue(page.contains("\"kind\":\"turn\",\"output\":\"o\",\"set\":{\"v5\":{\"v\":[1],\"n\":1}}"),
                    "backward starts from the output's 1");
            assertTrue(page.contains("<title>o\ninput") || page.contains("<title>o\nmade by tanh"), page);
            assertFalse(x1.hasGrad() || w1.hasGrad(), "the page changes no .grad");
            assertEquals(2.0, x1.item(), 0.0, "the central differences restored x1 exactly");
        }
    }

    @Test
    void badInputsAreRefusedWithTheReason() {
        Tensor x = Tensor.of(1.0, 2.0).requiresGrad();
        IllegalArgumentException notScalar = assertThrows(IllegalArgumentException.class,
                () -> ExplainPage.html("t", () -> x.mul(2), List.of(x)));
        assertTrue(notScalar.getMessage().contains("one element") && notScalar.getMessage().contains("[2]"),
                notScalar.getMessage());
        IllegalArgumentException notLeaf = assertThrows(IllegalArgumentException.class,
                () -> ExplainPage.html("t", () -> x.sum(), List.of(x.mul(2))));
        assertTrue(notLeaf.getMessage().contains("leaf that requires grad"), notLeaf.getMessage());
    }

    /**
     * A matrix input: one check row per element, labelled by its index per dimension; values beyond six shown with
     * their count; every label made safe inside the script (quotes, backslashes, angle brackets, ampersands).
     */
    @Test
    void vectorInputsGetARowPerElementAndLabelsAreEscaped() {
        try (var float64 = DTypes.use(DataType.DOUBLE)) {
            Tensor w = Tensor.of(new double[] {1, -1, 0.5, 2, 0, -2, 1.5, 3}, 2, 4).named("W\"<&>\\").requiresGrad();
            Tensor b = Tensor.of(0.5, -0.5).named("b").requiresGrad();
            String page = ExplainPage.html("a & b", () -> w.sum(1).add(b).mul(w.sum(1).add(b)).sum().named("L"),
                    List.of(w, b));
            assertTrue(page.contains("<title>a &amp; b — forward and backward, step by step</title>"), page);
            assertTrue(page.contains("<tr><td>W&quot;&lt;&amp;&gt;\\[1, 2]</td><td class=\"num\">"), page);
            assertTrue(page.contains("<tr><td>b[1]</td><td class=\"num\">4.0</td><td class=\"num\">"),
                    "dL/db = 2·(sum(w[1]) + b[1]) = 2·2\n" + page);
            assertTrue(page.contains("<td>[1.0, -1.0, 0.5, 2.0, 0.0, -2.0, … (8 values)]</td>"), page);
            assertTrue(page.contains("<tr><td>L</td><td></td><td>sum</td><td>[]</td><td>13.0</td></tr>"), "3² + 2²\n"
                    + page);
            assertTrue(page.contains("\"label\":\"W\\\"\\u003c\\u0026\\u003e\\\\\""), page);
            assertTrue(page.contains("{\"v\":[1.0,-1.0,0.5,2.0,0.0,-2.0,1.5,3.0],\"n\":8}"), "all eight values listed");
            assertEquals(3 * (8 + 2), count(page, "<td class=\"num\">"), "ten check rows of three numbers");
        }
    }

    /**
     * The value table shows six values in full and counts beyond; the steps list up to {@link ExplainPage#LISTED}
     * values with the count; a value used twice gets an accumulate step with its before, added and after; a space in
     * a label stays a space in the script; the check table's last column is |analytical - numerical|, which central
     * differences make tiny for a quadratic.
     */
    @Test
    void valuesAreListedAndASecondUseIsAccumulated() {
        try (var float64 = DTypes.use(DataType.DOUBLE)) {
            Tensor x = Tensor.of(1.0, 2, 3, 4, 5, 6).named("x y").requiresGrad();
            Tensor z = Tensor.ones(70).named("z").requiresGrad();
            String page = ExplainPage.html("six", () -> x.mul(x).sum().add(z.sum()).named("L"), List.of(x, z));
            assertTrue(page.contains("<td>[1.0, 2.0, 3.0, 4.0, 5.0, 6.0]</td>"), page);
            assertTrue(page.contains("<td>[1.0, 1.0, 1.0, 1.0, 1.0, 1.0, … (70 values)]</td>"), page);
            assertTrue(page.contains("\"n\":70}"), "z's 70 ones are counted\n" + page);
            String listed = page.substring(page.indexOf("{\"v\":[1.0,1.0,1.0,1.0,1.0,1.0,1.0"));
            assertEquals(64, count(listed.substring(0, listed.indexOf(']')), "1.0"), "and the first 64 listed");
            assertTrue(page.contains("\"kind\":\"accumulate\",\"id\":\"v0\",\"label\":\"x y\",\"from\":\"mul1\","
                    + "\"before\":{\"v\":[1.0,2.0,3.0,4.0,5.0,6.0],\"n\":6},\"add\":{\"v\":[1.0,2.0,3.0,4.0,5.0,6.0],"
                    + "\"n\":6},\"after\":{\"v\":[2.0,4.0,6.0,8.0,10.0,12.0],\"n\":6}"), "d(x·x)/dx = x + x\n" + page);
            assertTrue(page.matches("(?s).*\"outputs\":\\[\"v\\d+\"\\].*"), page);
            java.util.regex.Matcher rows = Pattern.compile("<td class=\"num\">([^<]*)</td></tr>").matcher(page);
            int n = 0;
            for (; rows.find(); n++) {
                assertTrue(Double.parseDouble(rows.group(1)) < 1e-6, rows.group());
            }
            assertEquals(76, n, "a row per element of x and z");
        }
    }

    /** Two views of one computation make one page, with a button for each, and a note at abs's kink. */
    @Test
    void severalViewsAndAKink() {
        try (var float64 = DTypes.use(DataType.DOUBLE)) {
            Tensor a = Tensor.scalar(0).named("a").requiresGrad();
            Tensor v = Tensor.of(0.0, 2).named("v").requiresGrad();
            String page = ExplainPage.html("two", List.of(new ExplainPage.View("scalar", () -> a.abs().named("out"),
                    List.of(a), Map.of("out", "|a|")), new ExplainPage.View("vector", () -> v.abs().sum(),
                    List.of(v), Map.of())));
            assertEquals(2, count(page, "<button class=\"view-button\""));
            assertEquals(2, count(page, "<section class=\"view\""));
            assertTrue(page.contains("abs has a kink at 0, and its input a is exactly 0 here: it has no derivative "
                    + "there, and ndgrad, as PyTorch, takes 0.0."), page);
            assertTrue(page.contains("abs has a kink at 0, and its input v[0] is exactly 0 here"), page);
            assertTrue(page.contains("<title>out = |a|\nmade by abs\ndata 0.0</title>"), page);
            assertThrows(IllegalArgumentException.class, () -> ExplainPage.html("none", List.of()));
        }
    }

    @Test
    void numericalGradientMovesEachElementAndRestoresIt() {
        try (var float64 = DTypes.use(DataType.DOUBLE)) {
            Tensor x = Tensor.of(1.5, -2).requiresGrad();
            double[] g = ExplainPage.numericalGradient(() -> x.mul(x).mul(x).sum(), x);
            org.junit.jupiter.api.Assertions.assertArrayEquals(new double[] {6.75, 12}, g, 1e-8, "3x²");
            org.junit.jupiter.api.Assertions.assertArrayEquals(new double[] {1.5, -2}, x.toDoubleArray(), 0.0);
        }
    }

    private static int count(String s, String part) {
        return s.split(Pattern.quote(part), -1).length - 1;
    }
}
