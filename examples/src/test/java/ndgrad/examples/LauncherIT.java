package ndgrad.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The launcher that {@code mvn package} builds ({@code target/ndgrad/bin/ndgrad}, as the root {@code ./ndgrad} runs
 * it): java directly, in the caller's working directory, arguments verbatim, no escape codes.
 */
class LauncherIT {
    private static final Path LAUNCHER = Path.of("target", "ndgrad", "bin", "ndgrad").toAbsolutePath();

    record Run(int code, String out, String err) {
    }

    private static Run run(Path dir, String... args) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of(LAUNCHER.toString()));
        cmd.addAll(List.of(args));
        Path out = Files.createTempFile("launcher", ".out");
        Path err = Files.createTempFile("launcher", ".err");
        Process p = new ProcessBuilder(cmd).directory(dir.toFile()).redirectOutput(out.toFile())
                .redirectError(err.toFile()).start();
        try {
            return new Run(p.waitFor(), Files.readString(out), Files.readString(err));
        } finally {
            Files.delete(out);
            Files.delete(err);
        }
    }

    /**
     * A warning goes to stderr, once, without a timestamp; the answer on stdout stays clean; JavaCPP's own warnings
     * go through SLF4J (the launcher sets org.bytedeco.javacpp.logger), where logback keeps only its errors.
     */
    @Test
    void warningsGoToStderrAndTheAnswerToStdout(@TempDir Path dir) throws Exception {
        Run train = run(dir, "train", "mnist", "--epochs", "1", "--train-size", "256", "--hidden", "8", "--save",
                "m.npz");
        assertEquals(0, train.code(), train.err());
        java.awt.image.BufferedImage white = new java.awt.image.BufferedImage(28, 28,
                java.awt.image.BufferedImage.TYPE_BYTE_GRAY);
        javax.imageio.ImageIO.write(white, "png", dir.resolve("blank.png").toFile());
        Run blank = run(dir, "predict", "--model", "m.npz", "--image", "blank.png");
        assertEquals(0, blank.code(), blank.err());
        assertEquals(1, blank.err().lines().count(), "the warning and nothing else (no JavaCPP line): " + blank.err());
        assertTrue(blank.err().startsWith("ndgrad: WARN: blank.png: the image is blank"), blank.err());
        assertFalse(blank.out().contains("blank or nearly so"), blank.out());
        assertTrue(blank.out().contains("predicted digit"), blank.out());
    }

    @Test
    void helpWithNoArgumentsAndNoEscapeCodes(@TempDir Path dir) throws Exception {
        Run none = run(dir);
        assertEquals(0, none.code(), none.err());
        assertTrue(none.out().startsWith("Usage: ndgrad"), "no arguments: the help, not training\n" + none.out());
        Run help = run(dir, "--help");
        assertEquals(none.out(), help.out());
        assertTrue(help.out().contains("explain") && help.out().contains("train"), help.out());
        assertFalse((help.out() + help.err()).contains("\u001b"), "no escape codes");
    }

    /**
     * On a terminal (a pseudo-terminal from util-linux's {@code script}) with only stderr redirected to a file, the
     * progress bar is drawn on the terminal and the file gets no control codes at all.
     */
    @Test
    void theProgressBarStaysOnTheTerminalWhenStderrIsAFile(@TempDir Path dir) throws Exception {
        String command = "'" + LAUNCHER + "' train mnist --epochs 1 --train-size 640 --hidden 8 --out plots 2>err.txt";
        Process p = new ProcessBuilder("script", "-qec", command, "/dev/null").directory(dir.toFile())
                .redirectErrorStream(true).start();
        String terminal = new String(p.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        assertEquals(0, p.waitFor(), terminal);
        assertTrue(terminal.contains("\repoch 1/1 100% [") && terminal.contains("10/10 steps"), "the bar, redrawn "
                + "after a carriage return, on the terminal:\n" + terminal);
        String err = Files.readString(dir.resolve("err.txt"));
        assertFalse(err.chars().anyMatch(ch -> ch < 0x20 && ch != '\n'), "no control codes in the file: " + err);
    }

    /** An argument with a double quote and an empty one arrive as given: the errors echo them back. */
    @Test
    void argumentsPassThroughVerbatim(@TempDir Path dir) throws Exception {
        Run quote = run(dir, "explain", "x*\"y", "--at", "x=1");
        assertEquals(2, quote.code(), quote.err());
        assertEquals(ExamplesTest.cli("explain", "x*\"y", "--at", "x=1").err(), quote.err(),
                "the same line as in process, quote included");
        assertTrue(quote.err().contains("found '\"': x* <-- here"), quote.err());
        Run empty = run(dir, "explain", "", "--at", "x=1");
        assertEquals(2, empty.code(), empty.err());
        assertEquals(ExamplesTest.cli("explain", "", "--at", "x=1").err(), empty.err());
        Run spaced = run(dir, "explain", "x * y + x", "--at", "x=3,y=2", "--out", "with space");
        assertEquals(0, spaced.code(), spaced.err());
        assertTrue(Files.isRegularFile(dir.resolve("with space").resolve("explain.svg")));
    }

    /** Relative --out, --html, --save, --model and --image paths are the caller's. */
    @Test
    void relativePathsResolveInTheCallersDirectory(@TempDir Path dir) throws Exception {
        Run explain = run(dir, "explain", "sin(x)*y", "--at", "x=1,y=2", "--out", "plots", "--html", "page.html");
        assertEquals(0, explain.code(), explain.err());
        assertTrue(Files.isRegularFile(dir.resolve("plots/explain.svg")) && Files.isRegularFile(dir.resolve(
                "page.html")), explain.out() + explain.err());
        Run train = run(dir, "train", "mnist", "--epochs", "1", "--train-size", "640", "--save", "models/m.npz",
                "--out", "plots");
        assertEquals(0, train.code(), train.err());
        assertTrue(Files.isRegularFile(dir.resolve("models/m.npz")) && Files.isRegularFile(dir.resolve(
                "plots/mnist-loss.png")));
        Run predict = run(dir, "predict", "--model", "models/m.npz", "--image", "7");
        assertEquals(0, predict.code(), predict.err());
        assertTrue(predict.out().contains("predicted"), predict.out());
    }
}
