package ndgrad.core.kernels;

import static ndgrad.core.kernels.Access.*;

import java.util.Arrays;
import java.util.Set;
import ndgrad.core.Threads;
import ndgrad.core.memory.Scope;
import org.bytedeco.javacpp.DoublePointer;
import org.bytedeco.javacpp.FloatPointer;
import org.bytedeco.openblas.global.openblas_nolapack;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.impl.transforms.pairwise.arithmetic.AddOp;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Matrix products: op(a)·op(b) and batched products by direct OpenBLAS calls on plain arrays (Java loops for tiny
 * ones), large products split across {@link Threads}' workers; the update y += α·x (a rank-1 product for a row
 * added to every row); and the inverse of a square matrix.
 *
 * <p>Usage: {@code INDArray c = Products.gemm(a, b, false, true);}
 */
public final class Products {


    /**
     * op(a)·op(b), op transposing when its flag is set: a Java loop for small products, else one BLAS gemm that reads
     * transposed operands in place (views are copied first; other dtypes go to ND4J). An operand of other than 2
     * dimensions stands for the matrix of its rows, its leading dimensions folded into one (a plain array without a
     * copy on the BLAS path), and the product keeps a's leading dimensions when a is not transposed: x (*, in) times
     * Wᵀ gives (*, out), as PyTorch's {@code linear}, and Gᵀ·x sums over every leading position, as its weight's
     * gradient. A layer's a·bᵀ of at most {@link #LEFT_ROWS} rows and twice as many columns is computed as (b·aᵀ)ᵀ.
     */
    public static INDArray gemm(INDArray a, INDArray b, boolean ta, boolean tb) {
        long ac = a.size(-1);
        long ar = rows(a);
        long bc = b.size(-1);
        long br = rows(b);
        long m = ta ? ac : ar;
        long k = ta ? ar : ac;
        long n = tb ? br : bc;
        long[] shape = a.rank() == 2 || ta ? new long[] {m, n} : a.shape().clone();
        shape[shape.length - 1] = n;
        INDArray out = Scope.allocate(a.dataType(), shape);
        if (java(a, m * n * k, Kernels.BLAS_LIMIT)) {
            double[] x = new double[Math.toIntExact(m * k)];
            double[] y = new double[Math.toIntExact(k * n)];
            double[] c = new double[Math.toIntExact(m * n)];
            Strided.matrix(matrix(a, ar, ac), ta).read(x, x.length);
            Strided.matrix(matrix(b, br, bc), tb).read(y, y.length);
            for (int i = 0; i < m; i++) {
                for (int p = 0; p < k; p++) {
                    double xip = x[(int) (i * k + p)];
                    for (int j = 0, row = (int) (p * n), o = (int) (i * n); j < n; j++) {
                        c[o + j] += xip * y[row + j];
                    }
                }
            }
            Strided.of(out, out.shape()).write(c, c.length);
        } else if (floating(a)) {
            boolean left = !ta && tb && m <= LEFT_ROWS && 2 * m <= n;
            try (Scope copies = blas(a) && blas(b) && !left ? null : Scope.open()) {
                INDArray pa = blas(a) ? a : Copies.copy(a);
                INDArray pb = blas(b) ? b : Copies.copy(b);
                int parts = m * n * k >= SPLIT_LIMIT ? (int) Math.min(Threads.count(), Math.max(m, n)) : 1;
                if (left) {
                    // a·bᵀ as (b·aᵀ)ᵀ: OpenBLAS packs the wide operand faster as the left one
                    INDArray outT = Scope.allocate(a.dataType(), n, m);
                    Threads.parallel(parts, i -> gemmBlock(pb, pa, outT, false, true, (int) n, (int) m, (int) k, i,
                            parts));
                    Copies.transpose(nio(outT), (int) n, (int) m, nio(out), false);
                } else {
                    Threads.parallel(parts, i -> gemmBlock(pa, pb, out, ta, tb, (int) m, (int) n, (int) k, i, parts));
                }
            }
        } else {
            Nd4j.gemm(matrix(a, ar, ac), matrix(b, br, bc), out.reshape('c', m, n), ta, tb, 1.0, 0.0);
        }
        return out;
    }

    /**
     * The most rows of a·bᵀ that {@link #gemm} computes as (b·aᵀ)ᵀ, when b has at least twice as many: OpenBLAS packs
     * the wider operand faster as the left one. With Haswell's kernels 32x784 by 784x128 took 94 µs one way and 75 the
     * other, 64x784 by 784x256 309 and 272, one row by 784x256 85 and 34; with Cooperlake's 68 and 46, 194 and 154. At
     * 256 rows neither way was faster, and the transpose costs more.
     */
    static final long LEFT_ROWS = 64;

    /** The product of every dimension of {@code x} but its last (1 for a vector): its rows as a matrix. */
    static long rows(INDArray x) {
        long r = 1;
        for (int d = 0; d < x.rank() - 1; d++) {
            r *= x.size(d);
        }
        return r;
    }

    /** {@code x} itself when 2-D, else its (rows, cols) matrix ({@link Copies#reshape}: a copy for a small array). */
    private static INDArray matrix(INDArray x, long rows, long cols) {
        return x.rank() == 2 ? x : Copies.reshape(x, new long[] {rows, cols});
    }

    /**
     * c ← op(a)·op(b) + β·c over the buffers of plain float arrays seen as row-major matrices op(a) (m, k), op(b)
     * (k, n) and c (m, n), whatever their own shapes: one single-threaded BLAS call (a recurrence's step), or from
     * {@link #SPLIT_LIMIT} multiply-adds one per band of c's rows on each core (a recurrent weight's gradient over
     * every step at once).
     */
    public static void gemmInto(INDArray a, INDArray b, INDArray c, boolean ta, boolean tb, int m, int n, int k,
            double beta) {
        int parts = (long) m * n * k >= SPLIT_LIMIT ? Math.min(Threads.count(), m) : 1;
        Threads.parallel(parts, part -> {
            int from = (int) ((long) m * part / parts);
            int rows = (int) ((long) m * (part + 1) / parts) - from;
            gemmAt(ta, tb, rows, n, k, a, ta ? from : (long) from * k, ta ? m : k, b, 0, tb ? k : n, beta, c,
                    (long) from * n, n);
        });
    }

    /**
     * The most multiply-adds of a product a·b, neither transposed, that OpenBLAS's AVX-512 kernel sets (SkylakeX,
     * Cooperlake, Sapphire Rapids) give to their small-matrix kernels, which read the operands in place instead of
     * packing them first: M·N·K at most 100³ (OpenBLAS 0.3.21, {@code sgemm_small_kernel_permit_skylakex.c}).
     */
    static final long SMALL_PRODUCT = 1_000_000;
    /** Whether the OpenBLAS kernel set in use has the small-matrix kernels ({@link Threads#blasCore()}). */
    private static final boolean SMALL_KERNELS = Set.of("SKYLAKEX", "COOPERLAKE", "SAPPHIRERAPIDS")
            .contains(Threads.blasCore());

    /**
     * c ← a·b + β·c over plain arrays seen as row-major a (m, k), b (k, n) and c (m, n), on the calling thread, in
     * bands of c's columns of at most {@code limit} multiply-adds each (at least one column): with {@link
     * #SMALL_PRODUCT}, each band goes to the small-matrix kernels, which do not pack the weight again on every call.
     * With Cooperlake's kernels a 16x128 by 128x512 product took 33 µs whole and 2 × 7.5 in two bands.
     */
    static void gemmBands(INDArray a, INDArray b, INDArray c, int m, int n, int k, double beta, long limit) {
        int bands = bands(m, n, k, limit);
        for (int p = 0; p < bands; p++) {
            int from = (int) ((long) n * p / bands);
            int to = (int) ((long) n * (p + 1) / bands);
            gemmAt(false, false, m, to - from, k, a, 0, k, b, from, n, beta, c, from, n);
        }
    }

    /**
     * The fewest bands of n columns (n at least 1), of about equal width, whose products have at most {@code limit}
     * multiply-adds.
     */
    static int bands(int m, int n, int k, long limit) {
        long width = Math.max(1, limit / Math.max(1, (long) m * k));
        return (int) ((n - 1) / width + 1);
    }

    /**
     * out (m, n) ← x·vᵀ + β·out on the calling thread, β 0 or 1, for a plain x (m, k) and a recurrent weight v (n, k)
     * given as {@link #recurrentWeight} makes it, through a plain scratch array of at least n·m values: a recurrence's
     * step. Where the kernels have the small-matrix path, x·vᵀ in {@link #gemmBands}; elsewhere v·xᵀ whole (x read
     * transposed in place), added transposed into out, because OpenBLAS packs the weight faster as the left operand:
     * with Haswell's kernels 16 rows of 128 units by a 512x128 weight took 42 µs one way and 24 the other, one row 27
     * and 11.
     */
    static void gemmRecurrent(INDArray x, INDArray v, INDArray out, int m, int n, int k, double beta,
            INDArray scratch) {
        gemmRecurrent(x, v, out, m, n, k, beta, scratch, SMALL_KERNELS);
    }

    /** {@link #gemmRecurrent} as the kernels with ({@code small}) or without the small-matrix path would compute it. */
    static void gemmRecurrent(INDArray x, INDArray v, INDArray out, int m, int n, int k, double beta,
            INDArray scratch, boolean small) {
        if (small) {
            gemmBands(x, v, out, m, n, k, beta, SMALL_PRODUCT);
        } else {
            gemmAt(false, true, n, m, k, v, 0, k, x, 0, k, 0, scratch, 0, m);
            Copies.transpose(nio(scratch), n, m, nio(out), beta != 0);
        }
    }

    /**
     * A recurrent weight v of {@link #gemmRecurrent}, v = w or, when {@code transposed}, wᵀ, as the kernels read it:
     * v itself (n, k), or vᵀ (k, n) where they have the small-matrix path; a plain array, copied when it is a
     * transpose.
     */
    static INDArray recurrentWeight(INDArray w, boolean transposed) {
        return recurrentWeight(w, transposed, SMALL_KERNELS);
    }

    /** {@link #recurrentWeight} for the kernels with ({@code small}) or without the small-matrix path. */
    static INDArray recurrentWeight(INDArray w, boolean transposed, boolean small) {
        return Fused.plain(small == transposed ? w : w.transpose());
    }

    /**
     * c ← op(a)·op(b) + β·c, one single-threaded BLAS call on the buffers of plain float arrays from the given
     * element offsets, with the given row strides (leading dimensions): the row-major op(a) (m, k), op(b) (k, n) and
     * c (m, n) may be blocks of larger matrices.
     */
    static void gemmAt(boolean ta, boolean tb, int m, int n, int k, INDArray a, long offA, int lda, INDArray b,
            long offB, int ldb, double beta, INDArray c, long offC, int ldc) {
        int trA = ta ? openblas_nolapack.CblasTrans : openblas_nolapack.CblasNoTrans;
        int trB = tb ? openblas_nolapack.CblasTrans : openblas_nolapack.CblasNoTrans;
        if (c.dataType() == DataType.FLOAT) {
            openblas_nolapack.cblas_sgemm(openblas_nolapack.CblasRowMajor, trA, trB, m, n, k, 1f,
                    at(floatPointer(a), offA), lda, at(floatPointer(b), offB), ldb, (float) beta,
                    at(floatPointer(c), offC), ldc);
        } else {
            openblas_nolapack.cblas_dgemm(openblas_nolapack.CblasRowMajor, trA, trB, m, n, k, 1,
                    at(doublePointer(a), offA), lda, at(doublePointer(b), offB), ldb, beta, at(doublePointer(c), offC),
                    ldc);
        }
    }

    /**
     * Batched products out[s] = op(a[s])·op(b[s]) for 3-D operands of one batch size, a 2-D operand standing for every
     * batch (not copied), op transposing the last two dims when its flag is set: one BLAS gemm per batch on offsets
     * into the plain arrays (ND4J's batched matmul needs the 2-D operand copied per batch).
     */
    public static INDArray bmm(INDArray a, INDArray b, boolean ta, boolean tb) {
        return bmm(a, b, ta, tb, false);
    }

    /**
     * As {@link #bmm}, or with {@code sum} the sum over the batch of the products, a 2-D (m, n) array: each gemm adds
     * into it (the gradient of a 2-D operand broadcast over a batch, without the batch of products).
     */
    public static INDArray bmm(INDArray a, INDArray b, boolean ta, boolean tb, boolean sum) {
        long batch = Math.max(a.rank() == 3 ? a.size(0) : 1, b.rank() == 3 ? b.size(0) : 1);
        long m = a.size(ta ? -1 : -2);
        long k = a.size(ta ? -2 : -1);
        long n = b.size(tb ? -2 : -1);
        INDArray out = sum ? Scope.allocate(a.dataType(), m, n) : Scope.allocate(a.dataType(), batch, m, n);
        long strideC = sum ? 0 : m * n;
        try (Scope copies = blas(a, b) ? null : Scope.open()) {
            INDArray pa = blas(a) ? a : Copies.copy(a);
            INDArray pb = blas(b) ? b : Copies.copy(b);
            int lda = (int) pa.size(-1);
            int ldb = (int) pb.size(-1);
            long strideA = pa.rank() == 3 ? m * k : 0;
            long strideB = pb.rank() == 3 ? k * n : 0;
            for (long s = 0; s < batch; s++) {
                gemmAt(ta, tb, (int) m, (int) n, (int) k, pa, s * strideA, lda, pb, s * strideB, ldb, sum && s > 0 ? 1
                        : 0, out, s * strideC, (int) n);
            }
        }
        return out;
    }

    /**
     * y ← y + α·x in place, x broadcast to y's shape (gradient accumulation, optimizer updates, a bias added to a
     * batch of rows: a BLAS rank-1 update y += α·1·xᵀ). Small plain arrays of one shape take one {@link #pass} in
     * their own precision, as PyTorch's {@code add_(x, alpha=α)} computes, about twice as fast as strided copies in
     * double for a small model.
     */
    public static void axpy(double alpha, INDArray x, INDArray y) {
        long[] shape = y.shape();
        boolean same = Arrays.equals(x.shape(), shape);
        if (same && y.length() <= Kernels.ELEMENTWISE_LIMIT && alike(y, x)) {
            Fused.run(1, false, c -> c[0].axpy(alpha, c[1]), y, x);
            return;
        }
        boolean rows = y.rank() >= 2 && x.rank() > 0 && x.length() == y.size(-1) && x.size(-1) == y.size(-1);
        boolean blas = (same || rows) && blas(x, y);
        if (java(y, y.length(), blas ? Kernels.BLAS_LIMIT : Kernels.ELEMENTWISE_LIMIT)) {
            Strided a = Strided.of(x, shape);
            Strided b = Strided.of(y, shape);
            double[] bx = chunk(y.length());
            stream(Strided.of(y, shape), (buf, len) -> {
                b.read(buf, len);
                a.read(bx, len);
                chunkOf(buf, len).axpy(alpha, chunkOf(bx, len));
            });
        } else if (blas && same) {
            if (y.dataType() == DataType.FLOAT) {
                openblas_nolapack.cblas_saxpy((int) y.length(), (float) alpha, floatPointer(x), 1, floatPointer(y), 1);
            } else {
                openblas_nolapack.cblas_daxpy((int) y.length(), alpha, doublePointer(x), 1, doublePointer(y), 1);
            }
        } else if (blas) {
            int m = (int) rows(y);
            int n = (int) y.size(-1);
            INDArray ones = ones(y.dataType(), m);
            if (y.dataType() == DataType.FLOAT) {
                openblas_nolapack.cblas_sger(openblas_nolapack.CblasRowMajor, m, n, (float) alpha, floatPointer(ones), 1,
                        floatPointer(x), 1, floatPointer(y), n);
            } else {
                openblas_nolapack.cblas_dger(openblas_nolapack.CblasRowMajor, m, n, alpha, doublePointer(ones), 1,
                        doublePointer(x), 1, doublePointer(y), n);
            }
        } else {
            exec(new AddOp(), y, new INDArray[] {y, alpha == 1 ? x : Pointwise.scalar(Pointwise.Scalar.MUL, x, alpha)}, NO_INTS);
        }
    }

    /**
     * Products of at least this many multiply-adds are cut into {@link Threads#count()} blocks run in parallel, each
     * one single-threaded BLAS call. Waking a parked worker takes 25–50 µs, so smaller products stay whole; the MNIST
     * job's 64x784x256 products (12.8 M) gain once the JIT has left the second core, and big's 256x512x784 ones almost
     * halve.
     */
    public static final long SPLIT_LIMIT = 1L << 23;

    /**
     * Block {@code part} of {@code parts} of out = op(a)·op(b), op(a) (m, k) and op(b) (k, n) over the plain arrays'
     * rows: a band of out's rows when it has at least as many rows as columns, else a band of its columns; one BLAS
     * call on offsets into the plain arrays.
     */
    private static void gemmBlock(INDArray a, INDArray b, INDArray out, boolean ta, boolean tb, int m, int n, int k,
            int part, int parts) {
        int lda = (int) a.size(-1);
        int ldb = (int) b.size(-1);
        boolean rows = m >= n;
        int size = rows ? m : n;
        int from = (int) ((long) size * part / parts);
        int len = (int) ((long) size * (part + 1) / parts) - from;
        long offA = rows ? (ta ? from : (long) from * lda) : 0;
        long offB = rows ? 0 : (tb ? (long) from * ldb : from);
        long offC = rows ? (long) from * n : from;
        gemmAt(ta, tb, rows ? len : m, rows ? n : len, k, a, offA, lda, b, offB, ldb, 0, out, offC, n);
    }

    /** {@code p} moved {@code offset} elements on (a new pointer; p itself when the offset is 0). */
    private static FloatPointer at(FloatPointer p, long offset) {
        return offset == 0 ? p : new FloatPointer(p).position(offset);
    }

    private static DoublePointer at(DoublePointer p, long offset) {
        return offset == 0 ? p : new DoublePointer(p).position(offset);
    }

    /** The inverse of the square matrix {@code a}. */
    public static INDArray inverse(INDArray a) {
        return Scope.track(org.nd4j.linalg.inverse.InvertMatrix.invert(a, false));
    }
}
