package ndgrad.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import com.code_intelligence.jazzer.mutation.annotation.NotNull;
import com.code_intelligence.jazzer.mutation.annotation.WithUtf8Length;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import ndgrad.autograd.Tensor;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import picocli.CommandLine;

/**
 * Fuzz targets for what a user types or hands the command line (issue 34): expressions (parsed, evaluated and
 * differentiated), images ({@code predict --image}) and argument lists (parsed as the command line parses them).
 * The property: only the documented exceptions (a parse error at a column, an IOException naming the file, a picocli
 * ParameterException), each message one line once the command line prints it, and at most 256 MiB of heap an input.
 *
 * <p>{@code mvn -B verify} replays the committed seeds and every crash found, in
 * {@code src/test/resources/ndgrad/examples/InputsFuzzTestInputs/<target>/}; {@code mvn -B -P fuzz verify} fuzzes
 * each target for its {@code maxDuration}.
 */
class InputsFuzzTest {
    private static final long HEAP_BUDGET = 256L << 20;
    private static Path file;

    /** Loads ND4J and ImageIO first, so their one-time set-up is not counted against an input. */
    @BeforeAll
    static void warm() throws IOException {
        file = Files.createTempFile("fuzz", ".png");
        Tensor.scalar(1).add(1).item();
        javax.imageio.ImageIO.getReaderFormatNames();
    }

    @AfterAll
    static void remove() throws IOException {
        Files.deleteIfExists(file);
    }

    private static long allocated() {
        return ((com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean()).getCurrentThreadAllocatedBytes();
    }

    private static void withinBudget(long start) {
        long used = allocated() - start;
        assertTrue(used < HEAP_BUDGET, "allocated " + used + " bytes of heap");
    }

    private static void oneLine(String message) {
        assertTrue(message != null && !Ndgrad.oneLine(message).isBlank() && Ndgrad.oneLine(message).lines().count()
                == 1, "one line: " + message);
    }

    /** An expression: parsed, then evaluated at 0.5 for every variable and differentiated, or refused at a column. */
    @FuzzTest(maxDuration = "60s")
    void expression(@NotNull @WithUtf8Length(max = 2500) String source) {
        long start = allocated();
        try {
            Expression e = Expression.parse(source);
            Map<String, Tensor> values = new LinkedHashMap<>();
            e.variables().forEach(v -> values.put(v, Tensor.scalar(0.5).requiresGrad()));
            Tensor y = e.evaluate(values);
            if (y.isRequiresGrad()) {
                y.backward();
            }
        } catch (Expression.ExpressionException ex) {
            oneLine(ex.getMessage());
            assertTrue(ex.column() >= 1 && ex.column() <= source.length() + 1, "a column in the source");
        }
        withinBudget(start);
    }

    /** Any bytes as the image {@code predict --image} reads: a 28 x 28 digit, or an IOException naming the file. */
    @FuzzTest(maxDuration = "60s")
    void image(@NotNull byte[] data) throws IOException {
        Files.write(file, data);
        long start = allocated();
        try {
            Images.Digit d = Images.readDigit(file);
            assertEquals(784, d.pixels().length());
        } catch (IOException ex) {
            oneLine(ex.getMessage());
            assertTrue(ex.getMessage().startsWith(file.toString()), ex.getMessage());
        }
        withinBudget(start);
    }

    /** An argument list, parsed as the command line parses it: parsed, or one ParameterException. */
    @FuzzTest(maxDuration = "60s")
    void commandLine(FuzzedDataProvider data) {
        String[] args = new String[data.consumeInt(0, 8)];
        for (int i = 0; i < args.length; i++) {
            args[i] = data.pickValue(WORDS) + (data.consumeBoolean() ? data.consumeString(12) : "");
        }
        long start = allocated();
        try {
            CommandLine cli = new CommandLine(new Ndgrad());
            cli.getSubcommands().get("explain").setUnmatchedOptionsArePositionalParams(true);
            cli.parseArgs(args);
        } catch (CommandLine.ParameterException ex) {
            oneLine(ex.getMessage());
        }
        withinBudget(start);
    }

    /** Words the command line knows, so the fuzzer reaches its options and their values. */
    private static final String[] WORDS = {"", "train", "mnist", "xor", "sequence", "predict", "explain", "numgrad",
        "lr-find", "gradcheck", "diagnose", "compare-optimizers", "--help", "--model", "--hidden", "--lr", "--epochs",
        "--batch-size", "--at", "--save", "--resume", "--out", "--image", "--html", "--start", "--steps", "x=", "1e3",
        "-1", "NaN", "Infinity", "256,128", "2-4-1", "-x*x", "--", "=", ","};
}
