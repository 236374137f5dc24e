package ndgrad.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import ndgrad.autograd.Tensor;
import ndgrad.teaching.BackwardTrace;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;

/**
 * The explain page in a real browser: Debian's Chromium, headless, driven by Selenium through Debian's
 * chromedriver (packages {@code chromium} and {@code chromium-driver}; the test is skipped, saying so, where they are
 * not installed). It clicks through the forward and the backward steps and checks that the page shows the engine's
 * values and gradients, the arithmetic of each step, the accumulation of a value used twice, a note at relu's kink,
 * the rounding control, zoom, and the neuron and tensor views of an MLP. It leaves screenshots in {@code target/}
 * (explain-neuron.png, explain-mlp-neurons.png, explain-40-values.png; docs/ holds copies).
 */
class ExplainPageBrowserTest {
    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(ExplainPageBrowserTest.class);
    /** Debian's paths; the environment variables NDGRAD_CHROMIUM and NDGRAD_CHROMEDRIVER name others. */
    static final Path CHROMIUM = Path.of(System.getenv().getOrDefault("NDGRAD_CHROMIUM", "/usr/bin/chromium"));
    static final Path DRIVER = Path.of(System.getenv().getOrDefault("NDGRAD_CHROMEDRIVER", "/usr/bin/chromedriver"));
    static final String MISSING = "skipped: the browser test needs Debian's chromium and chromium-driver ("
            + CHROMIUM + ", " + DRIVER + "); install them with: apt-get install chromium chromium-driver";
    private static ChromeDriver browser;

    @BeforeAll
    static void start() throws Exception {
        browser = chromium();
    }

    /** Headless Chromium through chromedriver, or null (with a warning) where either is not installed. */
    static ChromeDriver chromium() throws Exception {
        if (!Files.isExecutable(CHROMIUM) || !Files.isExecutable(DRIVER)) {
            LOG.warn("browser tests {}", MISSING);
            return null;
        }
        ChromeOptions options = new ChromeOptions().setBinary(CHROMIUM.toFile()).addArguments("--headless=new",
                "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                "--disable-sync", "--no-first-run", "--window-size=1280,1000", "--user-data-dir="
                + Files.createTempDirectory(Files.createDirectories(Path.of("target")), "chromium-").toAbsolutePath());
        ChromeDriverService service = new ChromeDriverService.Builder().usingDriverExecutable(DRIVER.toFile())
                .build();
        ChromeDriver b = new ChromeDriver(service, options);
        b.manage().timeouts().pageLoadTimeout(Duration.ofSeconds(30));
        return b;
    }

    @AfterAll
    static void stop() {
        if (browser != null) {
            browser.quit();
        }
    }

    @BeforeEach
    void needsTheBrowser() {
        Assumptions.assumeTrue(browser != null, MISSING);
    }

    /**
     * The neuron with a definition: short names (mul1, add1) and the user's n, the whole expression on hover; the
     * forward pass op by op with its arithmetic, then the backward pass as the engine computed it.
     */
    @Test
    void theNeuronsPageWalksForwardThenBackward() throws Exception {
        Explain.Explanation x = Explain.explain("n = x1*w1 + x2*w2 + b; tanh(n)", Map.of("x1", 2.0, "x2", 0.0, "w1",
                -3.0, "w2", 1.0, "b", 6.8813735870195432));
        open(x, "explain-neuron.html");
        assertEquals(10, browser.findElements(By.cssSelector("section.shown svg g.value")).size(),
                "5 inputs, 5 results");
        assertEquals(List.of("x1", "w1", "mul1", "x2", "w2", "mul2", "add1", "b", "n", "tanh1"), browser.findElements(
                By.cssSelector("section.shown svg g.value")).stream().map(e -> e.getAttribute("data-label")).toList());
        assertTrue(title("n").startsWith("n = ((x1 * w1) + (x2 * w2)) + b"), title("n"));
        assertEquals("data ?", value("n", "data"), "not computed before the forward pass");
        assertEquals("data -3", value("w1", "data"), "an input is known");
        next();
        assertEquals("mul1 = x1 × w1 = 2 × -3 = -6", text(".step .arith"));
        assertEquals("data -6", value("mul1", "data"));
        assertEquals("data ?", value("add1", "data"));
        walkForward(x);
        next();
        assertTrue(text(".step").contains("gradient of the output tanh1 with respect to itself is 1"), text(".step"));
        assertEquals("grad 1", value("tanh1", "grad"));
        walkBackward(x);
        // step 8 (add, made n): the gradient in is 1 - tanh²(n), 0.4999999999999999 in full, 0.5 rounded
        show(8);
        assertEquals("0.5", text(".step .upstream"));
        digits("full");
        assertEquals("0.4999999999999999", text(".step .upstream"));
        digits("4");
        show(11);
        assertEquals("grad in 0.5 × local -3 = -1.5 → x1.grad += -1.5", row("x1").findElement(By.cssSelector(
                ".arith")).getText());
        byte[] png = browser.getScreenshotAs(OutputType.BYTES);
        Files.write(Path.of("target", "explain-neuron.png"), png);
        assertTrue(png.length > 10_000);
    }

    /** x·x + x: x feeds two ops (and one twice), so its gradient 1 + 3 + 3 = 2x + 1 = 7 is summed in two steps. */
    @Test
    void aValueUsedTwiceHasItsGradientSummedInStepsOfTheirOwn() throws Exception {
        Explain.Explanation x = Explain.explain("x*x + x", Map.of("x", 3.0));
        open(x, "explain-twice.html");
        show(lastStep());
        assertEquals("grad 7", value("x", "grad"));
        List<String> sums = List.of("x.grad = 1 + 3 (from mul1) = 4", "x.grad = 4 + 3 (from mul1) = 7");
        show(lastStep() - 1);
        assertEquals(sums.get(0), text(".step .arith"));
        assertEquals("grad 4", value("x", "grad"), "the total so far");
        assertTrue(browser.findElement(By.cssSelector("section.shown g.value[data-label='x']")).getAttribute("class")
                .contains("acc"), "the value whose gradient is summed is marked");
        show(lastStep());
        assertEquals(sums.get(1), text(".step .arith"));
        show(lastStep() - 2);
        assertTrue(row("x").getText().contains("added to its earlier gradient: next step"), row("x").getText());
    }

    /** relu at exactly 0 has no derivative: the step says so, and which value ndgrad takes (0, as PyTorch). */
    @Test
    void reluAtZeroGetsANote() throws Exception {
        Explain.Explanation x = Explain.explain("relu(x) * w", Map.of("x", 0.0, "w", 2.0));
        open(x, "explain-kink.html");
        show(lastStep());
        assertEquals("relu", browser.findElement(By.cssSelector("section.shown g.op.active")).getAttribute("data-op"));
        assertEquals("relu has a kink at 0, and its input x is exactly 0 here: it has no derivative there, and "
                + "ndgrad, as PyTorch, takes 0.0.", text(".step .note"));
        Explain.Explanation nan = Explain.explain("log(x) * w", Map.of("x", -1.0, "w", 2.0));
        open(nan, "explain-nan.html");
        next();
        assertTrue(text(".step .note").startsWith("A non-finite value: log1 = NaN"), text(".step .note"));
    }

    /** The zoom buttons scale the graph's view box about its centre, and fit restores the whole graph. */
    @Test
    void zoomAndFit() throws Exception {
        open(Explain.explain("tanh(x1*w1 + x2*w2 + b)", Map.of("x1", 2.0, "x2", 0.0, "w1", -3.0, "w2", 1.0, "b",
                1.0)), "explain-zoom.html");
        double[] whole = viewBox();
        browser.findElement(By.cssSelector("section.shown .zoom-in")).click();
        double[] in = viewBox();
        assertEquals(whole[2] * 0.8, in[2], 1e-6 * whole[2]);
        assertEquals(whole[0] + whole[2] / 2, in[0] + in[2] / 2, 1e-6 * whole[2], "about the centre");
        browser.findElement(By.cssSelector("section.shown .zoom-out")).click();
        browser.findElement(By.cssSelector("section.shown .zoom-out")).click();
        assertEquals(whole[2] * 1.25, viewBox()[2], 1e-6 * whole[2]);
        browser.findElement(By.cssSelector("section.shown .zoom-fit")).click();
        assertEquals(Arrays.toString(whole), Arrays.toString(viewBox()));
    }

    /**
     * A 2-4-1 MLP at neuron level: a node per weight and neuron (50 values), every step with its values and no
     * elision; its gradients are the engine's; the tensor view's W1 gradient holds the same eight numbers.
     */
    @Test
    void theMlpAtNeuronLevelAndAsTensors() throws Exception {
        Explain.Explanation x = Explain.explainModel("2-4-1", Map.of());
        open(x, "explain-mlp.html");
        assertEquals(50, browser.findElements(By.cssSelector("section.shown svg g.value")).size());
        assertEquals(30, browser.findElements(By.cssSelector("section.shown svg g.op")).size());
        assertEquals(x.values().size(), browser.findElements(By.cssSelector("section.shown svg g.value")).size());
        walkForward(x);
        next();
        walkBackward(x);
        assertFalse(text(".step").contains("…"), "no value elided");
        browser.findElement(By.cssSelector("section.shown .zoom-fit")).click();
        Files.write(Path.of("target", "explain-mlp-neurons.png"), browser.getScreenshotAs(OutputType.BYTES));
        double[] w1 = new double[8];
        for (int j = 0; j < 4; j++) {
            for (int i = 0; i < 2; i++) {
                w1[j * 2 + i] = x.trace().grad(x.inputs().get("w1[" + j + "," + i + "]")).item();
            }
        }
        browser.findElement(By.cssSelector(".view-button[data-view='1']")).click();
        assertEquals(List.of("linear", "tanh", "linear", "sub", "pow"), browser.findElements(
                By.cssSelector("section.shown svg g.op")).stream().map(e -> e.getAttribute("data-op")).toList());
        digits("full");
        show(lastStep());
        WebElement weights = row("W1");
        double[] shown = numbers(weights.findElement(By.cssSelector(".pushed")).getText());
        assertEquals(8, shown.length, weights.getText());
        for (int k = 0; k < 8; k++) {
            assertEquals(w1[k], shown[k], 1e-12 * Math.max(1, Math.abs(w1[k])), "W1 element " + k);
        }
        assertEquals("grad 8 values (hover)", value("W1", "grad"));
        digits("4");
    }

    /** A network written out as an expression: 41 values stay readable (the screenshot is docs/'s). */
    @Test
    void fortyValues() throws Exception {
        Explain.Explanation x = Explain.explain("h1 = tanh(x1*a + x2*b + c); h2 = tanh(x1*d + x2*e + f); "
                + "h3 = tanh(x1*g + x2*k + m); o = h1*p + h2*q + h3*r + s; (o - t)^2 / 2", Map.ofEntries(
                Map.entry("x1", 1.0), Map.entry("x2", -0.5), Map.entry("a", 0.3), Map.entry("b", -0.2),
                Map.entry("c", 0.1), Map.entry("d", 0.5), Map.entry("e", 0.4), Map.entry("f", -0.3),
                Map.entry("g", -0.6), Map.entry("k", 0.2), Map.entry("m", 0.05), Map.entry("p", 0.7),
                Map.entry("q", -0.4), Map.entry("r", 0.9), Map.entry("s", 0.0), Map.entry("t", 1.0)));
        open(x, "explain-40.html");
        assertEquals(41, browser.findElements(By.cssSelector("section.shown svg g.value")).size());
        show(33);
        assertEquals("grad -1.191", value("o", "grad"), "d((o - t)²/2)/do = o - t = " + x.values().get("sub1")
                .item());
        double[] box = viewBox();
        assertTrue(box[2] < 0.9 * Double.parseDouble(browser.findElement(By.cssSelector("section.shown .graph svg"))
                .getDomAttribute("width")), "a graph too wide to read whole starts zoomed in: " + Arrays.toString(box));
        Files.write(Path.of("target", "explain-40-values.png"), browser.getScreenshotAs(OutputType.BYTES));
    }

    private static void open(Explain.Explanation x, String name) throws Exception {
        Path page = Path.of("target", name).toAbsolutePath();
        Files.writeString(page, x.html());
        browser.get(page.toUri().toString());
        assertTrue(text(".position").matches("step 0 of \\d+ · forward"), text(".position"));
    }

    /** Next through the forward steps: each op's outputs get their values, as the engine computed them. */
    private static void walkForward(Explain.Explanation x) {
        int ops = browser.findElements(By.cssSelector("section.shown svg g.op")).size();
        while (position() < ops) {
            next();
            assertTrue(text(".position").endsWith("· forward"));
            for (WebElement made : browser.findElements(By.cssSelector("section.shown g.value.made"))) {
                String label = made.getAttribute("data-label");
                double shown = Double.parseDouble(value(label, "data").substring("data ".length()));
                assertEquals(x.values().get(label).item(), shown, 5e-5, label + " at step " + position());
            }
        }
    }

    /** Next through the backward steps, comparing each op's step with the trace's; accumulation steps between. */
    private static void walkBackward(Explain.Explanation x) {
        for (BackwardTrace.Step st : x.trace().steps()) {
            next();
            while (text(".step").startsWith("Accumulate")) {
                next();
            }
            String where = "step " + position() + " (" + st.op() + " made " + st.output() + ")";
            assertTrue(text(".step").contains("op " + st.op() + " made " + st.output()), where + ": " + text(".step"));
            assertNumbers(st.upstream(), text(".step .upstream"), where + ": gradient in");
            List<WebElement> rows = browser.findElements(By.cssSelector("section.shown .step tr.input-row"));
            assertEquals(st.inputs().size(), rows.size());
            for (int i = 0; i < rows.size(); i++) {
                BackwardTrace.Input in = st.inputs().get(i);
                String pushed = rows.get(i).findElement(By.cssSelector(".pushed")).getText();
                if (in.grad() == null) {
                    assertTrue(pushed.startsWith("-"), where + ": " + pushed);
                } else {
                    assertNumbers(in.grad(), pushed, where + ", " + in.label() + ": gradient pushed");
                }
                if (in.local() != null) {
                    assertNumbers(in.local(), rows.get(i).findElement(By.cssSelector(".local")).getText(),
                            where + ", " + in.label() + ": local derivative");
                }
            }
            assertEquals(st.op(), browser.findElement(By.cssSelector("section.shown g.op.active"))
                    .getAttribute("data-op"), "the step's op is highlighted");
        }
        while (browser.findElement(By.cssSelector("section.shown .next")).getAttribute("disabled") == null) {
            next();
        }
        for (Map.Entry<String, Tensor> e : x.inputs().entrySet()) {
            double want = x.trace().grad(e.getValue()).item();
            assertEquals(want, Double.parseDouble(value(e.getKey(), "grad").substring("grad ".length())), 5e-5,
                    e.getKey() + "'s gradient in the graph after the last step");
        }
    }

    /** Chooses the rounding control's option {@code value} (2, 4, 6 or full), as a click does. */
    private static void digits(String value) {
        browser.findElement(By.cssSelector("#digits option[value='" + value + "']")).click();
    }

    private static void next() {
        browser.findElement(By.cssSelector("section.shown .next")).click();
    }

    private static void show(int step) {
        while (position() < step) {
            next();
        }
        while (position() > step) {
            browser.findElement(By.cssSelector("section.shown .prev")).click();
        }
    }

    private static int position() {
        return Integer.parseInt(text(".position").replaceAll("step (\\d+) of.*", "$1"));
    }

    private static int lastStep() {
        return Integer.parseInt(text(".position").replaceAll("step \\d+ of (\\d+).*", "$1"));
    }

    private static String text(String css) {
        return browser.findElement(By.cssSelector("section.shown " + css)).getText();
    }

    private static WebElement row(String label) {
        return browser.findElements(By.cssSelector("section.shown .step tr.input-row")).stream()
                .filter(r -> r.findElement(By.cssSelector("td")).getText().equals(label)).findFirst().orElseThrow();
    }

    /**
     * The text of class {@code line} (data or grad) in the box of the value labelled {@code label}, whether the
     * zoomed graph shows the box or not.
     */
    private static String value(String label, String line) {
        return browser.findElement(By.cssSelector("section.shown g.value[data-label='" + label + "'] text." + line))
                .getAttribute("textContent");
    }

    private static String title(String label) {
        return browser.findElement(By.cssSelector("section.shown g.value[data-label='" + label + "'] title"))
                .getAttribute("textContent");
    }

    private static double[] viewBox() {
        return Arrays.stream(browser.findElement(By.cssSelector("section.shown .graph svg")).getDomAttribute("viewBox")
                .split("[ ,]+")).mapToDouble(Double::parseDouble).toArray();
    }

    /** The page rounds to 4 decimals: what it shows must be the engine's values to that rounding. */
    private static void assertNumbers(Tensor want, String shown, String what) {
        double[] w = want.toDoubleArray();
        double[] got = numbers(shown);
        assertEquals(w.length, got.length, what + ": " + shown);
        for (int i = 0; i < got.length; i++) {
            assertEquals(w[i], got[i], 5e-5, what + ": " + shown);
        }
    }

    private static double[] numbers(String shown) {
        String s = shown.replace("[", "").replace("]", "").trim();
        return Arrays.stream(s.split(",")).map(String::trim).filter(v -> !v.isEmpty())
                .mapToDouble(Double::parseDouble).toArray();
    }
}
