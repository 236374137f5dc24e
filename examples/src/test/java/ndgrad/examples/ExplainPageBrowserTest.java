package ndgrad.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ndgrad.teaching.BackwardTrace;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import ndgrad.teaching.BackwardTrace;
import ndgrad.autograd.Tensor;
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
 * not installed). It clicks through every backward step and checks that the page shows the engine's gradients, and
 * that the SVG has one box per value and one oval per op. It leaves a screenshot of the neuron's page in
 * {@code target/explain-neuron.png} (the README's picture is a copy of it).
 */
class ExplainPageBrowserTest {
    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(ExplainPageBrowserTest.class);
    /** Debian's paths; the environment variables NDGRAD_CHROMIUM and NDGRAD_CHROMEDRIVER name others. */
    private static final Path CHROMIUM = Path.of(System.getenv().getOrDefault("NDGRAD_CHROMIUM",
            "/usr/bin/chromium"));
    private static final Path DRIVER = Path.of(System.getenv().getOrDefault("NDGRAD_CHROMEDRIVER",
            "/usr/bin/chromedriver"));
    private static final String MISSING = "skipped: the browser test needs Debian's chromium and chromium-driver ("
            + CHROMIUM + ", " + DRIVER + "); install them with: apt-get install chromium chromium-driver";
    private static ChromeDriver browser;

    @BeforeAll
    static void start() throws Exception {
        if (!Files.isExecutable(CHROMIUM) || !Files.isExecutable(DRIVER)) {
            LOG.warn("ExplainPageBrowserTest {}", MISSING);
            return;
        }
        ChromeOptions options = new ChromeOptions().setBinary(CHROMIUM.toFile()).addArguments("--headless=new",
                "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                "--disable-sync", "--no-first-run", "--window-size=1280,1000",
                "--user-data-dir=" + Files.createDirectories(Path.of("target", "chromium-profile")).toAbsolutePath());
        ChromeDriverService service = new ChromeDriverService.Builder().usingDriverExecutable(DRIVER.toFile())
                .build();
        browser = new ChromeDriver(service, options);
        browser.manage().timeouts().pageLoadTimeout(Duration.ofSeconds(30));
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

    @Test
    void theNeuronsPageShowsTheEnginesGradientsAtEveryStep() throws Exception {
        Explain.Explanation x = Explain.explain("tanh(x1*w1 + x2*w2 + b)", Map.of("x1", 2.0, "x2", 0.0, "w1", -3.0,
                "w2", 1.0, "b", 6.8813735870195432));
        Path page = open(x, "explain-neuron.html");
        assertEquals(x.values().size(), browser.findElements(By.cssSelector("#graph svg g.value")).size(),
                "one box per value: 5 inputs and 5 results");
        assertEquals(5, browser.findElements(By.cssSelector("#graph svg g.op")).size(), "one oval per op");
        walk(x);
        byte[] png = browser.getScreenshotAs(OutputType.BYTES);
        Path shot = Path.of("target", "explain-neuron.png");
        Files.write(shot, png);
        assertTrue(png.length > 10_000, "a screenshot of the page at the last step: " + shot.toAbsolutePath());
        assertTrue(Files.size(page) < 100_000, "the page is small: " + Files.size(page) + " bytes");
    }

    @Test
    void theModelsPageToo() throws Exception {
        Explain.Explanation x = Explain.explainModel("2-4-1", Map.of());
        open(x, "explain-mlp.html");
        assertEquals(List.of("linear", "tanh", "linear", "sub", "pow", "sum"), browser.findElements(
                By.cssSelector("#graph svg g.op")).stream().map(e -> e.getAttribute("data-op")).toList());
        assertEquals(x.values().size() + 5, browser.findElements(By.cssSelector("#graph svg g.value")).size(),
                "W1 b1 W2 b2, x, y and the loss, and the results of linear, tanh, linear, sub and pow");
        walk(x);
        Files.write(Path.of("target", "explain-mlp.png"), browser.getScreenshotAs(OutputType.BYTES));
    }

    private static Path open(Explain.Explanation x, String name) throws Exception {
        Path page = Path.of("target", name).toAbsolutePath();
        Files.writeString(page, x.html());
        browser.get(page.toUri().toString());
        assertEquals("step 0 of " + x.trace().steps().size(), text("#position"));
        return page;
    }

    /** Clicks Next through every step, comparing what the page shows with the trace; then Previous once. */
    private static void walk(Explain.Explanation x) {
        List<BackwardTrace.Step> steps = x.trace().steps();
        for (int k = 1; k <= steps.size(); k++) {
            browser.findElement(By.id("next")).click();
            BackwardTrace.Step st = steps.get(k - 1);
            assertEquals("step " + k + " of " + steps.size(), text("#position"));
            assertTrue(text("#step").contains("op " + st.op() + " made " + st.output()), text("#step"));
            assertNumbers(st.upstream(), text("#step .upstream"), "step " + k + ": gradient in");
            List<WebElement> rows = browser.findElements(By.cssSelector("#step tr.input-row"));
            assertEquals(st.inputs().size(), rows.size());
            for (int i = 0; i < rows.size(); i++) {
                BackwardTrace.Input in = st.inputs().get(i);
                String where = "step " + k + " (" + st.op() + "), input " + in.label();
                assertTrue(rows.get(i).getText().startsWith(in.label()), where + ": " + rows.get(i).getText());
                String pushed = rows.get(i).findElement(By.cssSelector(".pushed")).getText();
                if (in.grad() == null) {
                    assertTrue(pushed.startsWith("-"), where + ": " + pushed);
                } else {
                    assertNumbers(in.grad(), pushed, where + ": gradient pushed");
                }
                if (in.local() != null) {
                    assertNumbers(in.local(), rows.get(i).findElement(By.cssSelector(".local")).getText(),
                            where + ": local derivative");
                }
            }
            String active = browser.findElement(By.cssSelector("#graph svg g.op.active")).getAttribute("data-op");
            assertEquals(st.op(), active, "the step's op is highlighted");
        }
        assertTrue(browser.findElement(By.id("next")).getAttribute("disabled") != null, "the last step");
        for (Map.Entry<String, Tensor> e : x.inputs().entrySet()) {
            Tensor g = x.trace().grad(e.getValue());
            String shown = browser.findElement(By.cssSelector("#graph svg g.value[data-label='" + e.getKey()
                    + "'] text.grad")).getText();
            double[] want = g.toDoubleArray();
            if (want.length <= 6) {
                double[] got = numbers(shown.substring("grad ".length()));
                assertEquals(want.length, got.length, shown);
                for (int i = 0; i < want.length; i++) {
                    assertEquals(want[i], got[i], 5e-5, e.getKey() + " in the graph after the last step: " + shown);
                }
            }
        }
        browser.findElement(By.id("prev")).click();
        assertEquals("step " + (steps.size() - 1) + " of " + steps.size(), text("#position"));
    }

    private static String text(String css) {
        return browser.findElement(By.cssSelector(css)).getText();
    }

    /** The page shows up to 6 values at full precision: they must equal the engine's exactly. */
    private static void assertNumbers(Tensor want, String shown, String what) {
        double[] w = want.toDoubleArray();
        double[] got = numbers(shown);
        assertEquals(Math.min(6, w.length), got.length, what + ": " + shown);
        for (int i = 0; i < got.length; i++) {
            assertEquals(w[i], got[i], 0.0, what + ": " + shown);
        }
    }

    private static double[] numbers(String shown) {
        String s = shown.replaceAll("….*", "").replace("[", "").replace("]", "").trim();
        return Arrays.stream(s.split(",")).map(String::trim).filter(v -> !v.isEmpty())
                .mapToDouble(Double::parseDouble).toArray();
    }
}
