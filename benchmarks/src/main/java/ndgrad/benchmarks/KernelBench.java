package ndgrad.benchmarks;

import java.util.function.Function;
import ndgrad.core.Restore;
import ndgrad.core.Rng;
import ndgrad.core.kernels.Kernels;
import ndgrad.core.kernels.Pointwise;
import ndgrad.core.kernels.Products;
import ndgrad.core.kernels.Reduce;
import ndgrad.core.memory.Scope;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * The two paths of {@link Kernels} side by side: µs per call of representative ops (elementwise add, relu,
 * row-vector broadcast add, column sum, in-place axpy; square gemm) forced onto Java loops and onto native code
 * (ND4J ops or BLAS), across sizes, float32, results from the pool; the fastest of 9 interleaved batches of each.
 * The crossing points are where {@link Kernels#ELEMENTWISE_LIMIT} and {@link Kernels#BLAS_LIMIT} belong.
 *
 * <p>Usage: {@code String markdown = KernelBench.table();}
 */
final class KernelBench {
    private KernelBench() {
    }

    /** The table of the second of two passes (the first warms up the JIT). */
    static String table() {
        pass();
        return pass();
    }

    private static String pass() {
        StringBuilder md = new StringBuilder("| op | size | Java µs | native µs | Java/native |\n"
                + "|---|---:|---:|---:|---:|\n");
        Rng rng = new Rng(3);
        int[][] sizes = {{4, 4}, {16, 16}, {32, 64}, {64, 64}, {64, 128}, {128, 128}, {256, 256}, {256, 512}};
        for (int[] rc : sizes) {
            int rows = rc[0];
            int cols = rc[1];
            INDArray a = rng.normal(DataType.FLOAT, rows, cols);
            INDArray b = rng.normal(DataType.FLOAT, rows, cols);
            INDArray row = rng.normal(DataType.FLOAT, 1, cols);
            String size = rows + "x" + cols;
            row(md, "add", size, x -> Pointwise.binary(Pointwise.Binary.ADD, a, b));
            row(md, "relu", size, x -> Pointwise.unary(Pointwise.Unary.RELU, a));
            row(md, "add row", size, x -> Pointwise.binary(Pointwise.Binary.ADD, a, row));
            row(md, "sum axis 0", size, x -> Reduce.sum(a, true, 0));
            row(md, "axpy", size, x -> {
                Products.axpy(-1e-9, b, a);
                return a;
            });
        }
        for (int n : new int[] {4, 8, 16, 24, 32, 48, 64}) {
            INDArray a = rng.normal(DataType.FLOAT, n, n);
            INDArray b = rng.normal(DataType.FLOAT, n, n);
            row(md, "gemm", n + "x" + n + "x" + n, x -> Products.gemm(a, b, false, false));
        }
        return md.toString();
    }

    private static void row(StringBuilder md, String op, String size, Function<Object, INDArray> f) {
        int calls = Math.max(calls(Kernels.Path.JAVA, f), calls(Kernels.Path.ND4J, f));
        double java = Double.MAX_VALUE;
        double nd4j = Double.MAX_VALUE;
        for (int r = 0; r < 9; r++) {
            java = Math.min(java, time(Kernels.Path.JAVA, f, calls));
            nd4j = Math.min(nd4j, time(Kernels.Path.ND4J, f, calls));
        }
        md.append(String.format("| %s | %s | %.2f | %.2f | %.2f |%n", op, size, java, nd4j, java / nd4j));
    }

    /** How many calls take about 5 ms on the slower path. */
    private static int calls(Kernels.Path path, Function<Object, INDArray> f) {
        double us = time(path, f, 16);
        return (int) Math.max(16, Math.min(50_000, 5000 / us));
    }

    /** µs per call over {@code calls} calls, a fresh scope (results back to the pool) every 64. */
    private static double time(Kernels.Path path, Function<Object, INDArray> f, int calls) {
        try (Restore p = Kernels.use(path)) {
            long t0 = System.nanoTime();
            for (int done = 0; done < calls; done += 64) {
                try (Scope s = Scope.open()) {
                    for (int i = done; i < Math.min(calls, done + 64); i++) {
                        f.apply(null);
                    }
                }
            }
            return (System.nanoTime() - t0) / 1e3 / calls;
        }
    }
}
