package ndgrad.core.io;

import static org.junit.jupiter.api.Assertions.assertTrue;

import com.code_intelligence.jazzer.junit.FuzzTest;
import com.code_intelligence.jazzer.mutation.annotation.NotNull;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/**
 * Fuzz targets for the readers of untrusted files (issue 34): the {@code .npz} reader and the IDX reader, given raw
 * bytes and given bytes gzip-compressed first (so the fuzzer reaches the IDX parser behind the gzip layer). The
 * property: a reader returns, or throws an IOException whose message names the file, and never allocates more than
 * 32 MiB of heap for an input (the reading budget is set to 1 MiB, so off-heap arrays stay under it too).
 *
 * <p>{@code mvn -B verify} replays the committed seeds and every crash found, in
 * {@code src/test/resources/ndgrad/core/io/ReadersFuzzTestInputs/<target>/}; {@code mvn -B -P fuzz verify} fuzzes
 * each target for its {@code maxDuration} (Jazzer, with JAZZER_FUZZ set by the profile).
 */
class ReadersFuzzTest {
    private static final long HEAP_BUDGET = 32L << 20;
    private static String before;
    private static Path file;

    /** Sets the reading budget, and loads ND4J first, so its one-time set-up is not counted against an input. */
    @BeforeAll
    static void budget() throws IOException {
        before = System.getProperty("ndgrad.maxInputBytes");
        System.setProperty("ndgrad.maxInputBytes", Long.toString(1 << 20));
        file = Files.createTempFile("fuzz", ".npz");
        org.nd4j.linalg.factory.Nd4j.createUninitialized(org.nd4j.linalg.api.buffer.DataType.FLOAT, 2).data().asNio();
    }

    @AfterAll
    static void restore() throws IOException {
        if (before == null) {
            System.clearProperty("ndgrad.maxInputBytes");
        } else {
            System.setProperty("ndgrad.maxInputBytes", before);
        }
        Files.deleteIfExists(file);
    }

    private static long allocated() {
        return ((com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean()).getCurrentThreadAllocatedBytes();
    }

    /** Runs {@code read}: only IOExceptions naming {@code name}, within the heap budget. */
    private static void documented(String name, Read read) {
        long start = allocated();
        try {
            read.run();
        } catch (IOException e) {
            assertTrue(e.getMessage() != null && e.getMessage().startsWith(name), "an IOException names the file: "
                    + e.getMessage());
        }
        long used = allocated() - start;
        assertTrue(used < HEAP_BUDGET, "allocated " + used + " bytes of heap");
    }

    @FunctionalInterface
    private interface Read {
        void run() throws IOException;
    }

    @FuzzTest(maxDuration = "60s")
    void npz(@NotNull byte[] data) throws IOException {
        Files.write(file, data);
        documented(file.toString(), () -> Npz.read(file));
    }

    @FuzzTest(maxDuration = "60s")
    void idxPlain(@NotNull byte[] data) {
        documented("images", () -> Idx.readImages(new ByteArrayInputStream(data), "images", 28, 28));
        documented("labels", () -> Idx.readLabels(new ByteArrayInputStream(data), "labels"));
    }

    @FuzzTest(maxDuration = "60s")
    void idxGzip(@NotNull byte[] data) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (GZIPOutputStream z = new GZIPOutputStream(out)) {
            z.write(data);
        }
        byte[] gzip = out.toByteArray();
        documented("images", () -> Idx.readImages(new ByteArrayInputStream(gzip), "images", 2, 2));
        documented("labels", () -> Idx.readLabels(new ByteArrayInputStream(gzip), "labels"));
    }
}
