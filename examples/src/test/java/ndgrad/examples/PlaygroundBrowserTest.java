package ndgrad.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.Keys;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.WindowType;
import org.openqa.selenium.chrome.ChromeDriver;

/**
 * The playground in headless Chromium (skipped, saying so, where Chromium or chromedriver is not installed, as
 * {@link ExplainPageBrowserTest}): training on moons brings the training loss below 0.1 within 2,000 steps; pause
 * stops the steps and Step takes one; clicking a training point opens its backward walk; a second tab trains a
 * spiral of its own, and closing it ends its session. It leaves target/playground-moons.png and
 * target/playground-spiral.png (docs/ holds copies).
 */
class PlaygroundBrowserTest {
    private static ChromeDriver browser;
    private static Playground.Server server;

    @BeforeAll
    static void start() throws Exception {
        browser = ExplainPageBrowserTest.chromium();
        server = Playground.Server.start(0);
    }

    @AfterAll
    static void stop() {
        if (browser != null) {
            browser.quit();
        }
        server.close();
    }

    @BeforeEach
    void needsTheBrowser() {
        Assumptions.assumeTrue(browser != null, ExplainPageBrowserTest.MISSING);
    }

    @Test
    void moonsLearnsPausesStepsAndExplainsASampleWhileAnotherTabLearnsASpiral() throws Exception {
        browser.get("http://127.0.0.1:" + server.port() + "/");
        waitFor(() -> !text("train-loss").equals("-"), 10, "a session");
        double first = loss();
        browser.findElement(By.id("run")).click();
        waitFor(() -> loss() < 0.1 || steps() > 2000, 60, "2,000 steps on moons");
        assertTrue(loss() < 0.1, "the training loss below 0.1 within 2,000 steps on moons: " + loss() + " after "
                + steps() + " (from " + first + ")");
        browser.findElement(By.id("run")).click();
        assertEquals("Start", text("run"), "paused");
        Thread.sleep(300);
        int paused = steps();
        Thread.sleep(700);
        assertEquals(paused, steps(), "no steps while paused");
        browser.findElement(By.id("step")).click();
        waitFor(() -> steps() == paused + 1, 10, "Step takes one step");
        Files.write(Path.of("target", "playground-moons.png"), browser.getScreenshotAs(OutputType.BYTES));

        String moons = browser.getWindowHandle();
        browser.executeScript("const c = document.getElementById('regions'), r = c.getBoundingClientRect();"
                + "const [x, y] = toCanvas(data.train[0], c);"
                + "c.dispatchEvent(new MouseEvent('click', {clientX: r.left + x * r.width / c.width,"
                + " clientY: r.top + y * r.height / c.height, bubbles: true}));");
        waitFor(() -> browser.getWindowHandles().size() == 2, 10, "the sample's page in a new tab");
        String explain = browser.getWindowHandles().stream().filter(h -> !h.equals(moons)).findFirst().orElseThrow();
        browser.switchTo().window(explain);
        waitFor(() -> browser.getTitle().startsWith("Sample 0 ("), 10, "the explain page of sample 0");
        assertTrue(browser.getTitle().contains("at step " + (paused + 1)), browser.getTitle());
        browser.findElement(By.cssSelector("section.shown .next")).click();
        assertTrue(browser.findElement(By.cssSelector("section.shown .step")).getText().startsWith("Forward: op mul"));
        browser.close();
        browser.switchTo().window(moons);

        int sessions = server.sessions();
        browser.switchTo().newWindow(WindowType.TAB);
        browser.get("http://127.0.0.1:" + server.port() + "/");
        waitFor(() -> server.sessions() == sessions + 1, 10, "a session for the second tab");
        browser.findElement(By.xpath("//select[@id='dataset']/option[text()='spiral']")).click();
        waitFor(() -> browser.executeScript("return data && data.train.length") != null, 10, "the spiral");
        browser.findElement(By.id("hidden")).clear();
        browser.findElement(By.id("hidden")).sendKeys("8,8", Keys.TAB);
        waitFor(() -> List.of(2L, 8L, 8L, 1L).equals(browser.executeScript("return data && data.layers")), 10,
                "a 2-8-8-1 network");
        double spiralFirst = loss();
        browser.findElement(By.id("run")).click();
        waitFor(() -> steps() >= 1500 || loss() < 0.1, 60, "1,500 steps on the spiral");
        browser.findElement(By.id("run")).click();
        assertTrue(loss() < 0.5 * spiralFirst, "the spiral's loss halved: " + spiralFirst + " to " + loss());
        Files.write(Path.of("target", "playground-spiral.png"), browser.getScreenshotAs(OutputType.BYTES));
        int open = server.sessions();
        browser.close();
        browser.switchTo().window(moons);
        waitFor(() -> server.sessions() == open - 1, 10, "closing the tab ends its session");
        assertEquals(paused + 1, steps(), "the first tab's network is where it was");
    }

    private static String text(String id) {
        return browser.findElement(By.id(id)).getText();
    }

    private static double loss() {
        return Double.parseDouble(text("train-loss"));
    }

    private static int steps() {
        return Integer.parseInt(text("steps"));
    }

    private static void waitFor(BooleanSupplier condition, int seconds, String what) throws InterruptedException {
        long end = System.nanoTime() + seconds * 1_000_000_000L;
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > end) {
                throw new AssertionError("waited " + seconds + " s for " + what);
            }
            Thread.sleep(100);
        }
    }
}
