package ndgrad.core.kernels;

import java.util.Arrays;
import ndgrad.core.Restore;
import ndgrad.core.Threads;
import ndgrad.core.memory.Scope;

/**
 * How the kernels of this package compute: each call runs one of two paths with one meaning. Plain arrays of one
 * shape run as vector loops over their own off-heap buffers in their own precision ({@link Chunk}, any size); other
 * small arrays run as strided Java loops (any strides, so views and transposes too, accumulating in double), which
 * skips ND4J's per-call dispatch (3–12 µs even for a 4x4 array); larger ones go to native code: OpenBLAS called
 * directly for products and updates, ND4J's ops (custom ones in a reused per-thread context) for the rest. Results
 * are new arrays from {@link Scope#allocate}, from the thread's pool, so a step allocates no off-heap memory once it
 * runs. Both paths agree to float rounding.
 *
 * <p>The path is chosen per call by size ({@link #ELEMENTWISE_LIMIT}, {@link #BLAS_LIMIT}, measured side by side by
 * {@code ndgrad.benchmarks.KernelBench}); {@link #use(Path)} forces one for this thread (tests run gradcheck on
 * both), and the system property {@code ndgrad.kernels=java|nd4j|auto} sets the default for all threads.
 *
 * <p>Usage: {@code try (Restore r = Kernels.use(Kernels.Path.JAVA)) { ... }}
 */
public final class Kernels {
    /**
     * Arrays with at most this many elements (output, or input for reductions) use Java loops: the size where the Java
     * loops' losses (plain arithmetic) and wins (no native call: activations, column sums) balance.
     */
    public static final long ELEMENTWISE_LIMIT = 2048;

    /**
     * Products and updates that BLAS can do on plain arrays (gemm, axpy, scal, bias rows, column sums) use Java
     * loops only up to this many multiply-adds: a direct BLAS call costs about a microsecond, which a 4x4x4 product's
     * loop beats and an 8x8x8 one's does not.
     */
    public static final long BLAS_LIMIT = 128;

    /** How to compute: by size, always Java loops, or always ND4J. */
    public enum Path { AUTO, JAVA, ND4J }

    /** The path of every thread that did not choose one: system property {@code ndgrad.kernels}. */
    static final Path DEFAULT_PATH = parse(System.getProperty("ndgrad.kernels", "auto"));

    static {
        Threads.init(); // the thread policy, before ndgrad's first computation
    }

    private Kernels() {
    }

    private static Path parse(String name) {
        for (Path p : Path.values()) {
            if (p.name().equalsIgnoreCase(name)) {
                return p;
            }
        }
        throw new IllegalArgumentException("ndgrad.kernels: expected auto, java or nd4j, got '" + name + "'");
    }

    /** Forces {@code path} on this thread until the returned handle closes. */
    public static Restore use(Path path) {
        Access.State t = Access.state();
        Path before = t.path;
        t.path = path;
        return () -> t.path = before;
    }

    /** The path this thread uses now. */
    public static Path path() {
        return Access.state().path;
    }
}
