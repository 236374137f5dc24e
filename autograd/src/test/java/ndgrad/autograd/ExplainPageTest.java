package ndgrad.autograd;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
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
            assertEquals(3, count(page, "\"op\":\"op"), "one step per op (mul, add, tanh) after step 0");
        assertEquals(4, count(page, "\"known\":"), "step 0, before backward, and the 3 steps");
            assertEquals(3, count(page, "<g class=\"op\""));
            assertEquals(6, count(page, "<g class=\"value\""));
            // ∂o/∂x1 = (1 - tanh²(0.8814))·w1 = 0.5·(-3): autograd, then central differences
            String half = "-1\\.(49999999999|50000000000)\\d*";
            assertTrue(page.matches("(?s).*<tr><td>x1</td><td class=\"num\">" + half + "</td><td class=\"num\">"
                    + "-1\\.(4999999|5000000)\\d*</td>.*"), page);
            assertTrue(page.matches("(?s).*\"rule\":\"w1\",\"local\":\"-3.0\",\"pushed\":\"" + half + "\".*"), page);
            assertTrue(page.contains("\"known\":{\"v5\":\"1.0000\"}"), "before backward only the output's 1 is known");
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

    private static int count(String s, String part) {
        return s.split(Pattern.quote(part), -1).length - 1;
    }
}
