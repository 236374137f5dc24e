package ndgrad.core.kernels;

import static ndgrad.core.kernels.Access.*;

import java.nio.Buffer;
import java.nio.DoubleBuffer;
import java.nio.FloatBuffer;
import java.util.Arrays;
import java.util.concurrent.atomic.AtomicLong;
import ndgrad.core.NdArrays;
import ndgrad.core.ShapeException;
import ndgrad.core.Shapes;
import ndgrad.core.Threads;
import ndgrad.core.memory.Scope;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Fused passes: one read and one write of each array for a chain of elementwise steps. {@link #pass} runs an
 * optimizer's update over a parameter, its gradient and its state chunk by chunk; the vector loops of the other
 * families run on it too. The loss kernel {@link #crossEntropy} is softmax, log and the pick of the label in one
 * pass per row, with its backward.
 *
 * <p>Usage: {@code Fused.pass(1, c -> c[0].axpy(-lr, c[1]), param, grad);}
 */
public final class Fused {
    /** A fused update of a {@link #pass}: it changes the chunks of the written arrays in place. */
    @FunctionalInterface
    public interface Update {
        /**
         * Receives a chunk of each array, in order, then {@link #SCRATCH} scratch chunks of the same length (any
         * chunks after those are not its own).
         */
        void apply(Chunk[] chunks);
    }

    /** Scratch chunks given to an {@link Update} after the arrays' chunks. */
    public static final int SCRATCH = 2;

    /**
     * A {@link #pass} over plain arrays of at least twice this many elements is cut into ranges of about this many,
     * which the caller and the workers take one at a time ({@link Threads}): the caller, whose cache holds the arrays
     * the backward pass just wrote, starts at once and takes more ranges while a worker wakes (one range per thread
     * made the caller wait for the worker's wake-up, and was slower than one thread).
     */
    public static final long PASS_PART = 1L << 15;

    /**
     * The first this many passes that could be cut into ranges run on the caller alone. Until the JIT's optimizing
     * compiler has compiled an update's loops, they run in code that counts every branch for the profile, and two
     * threads updating one profile's counters fight over its cache lines (early split steps took six times longer
     * than on one thread).
     */
    public static final int PASS_WARMUP = 300;

    private static final AtomicLong SPLIT_PASSES = new AtomicLong();

    /**
     * One pass over arrays of one shape and dtype (float32 or float64): {@code f} sees each run of up to 1,024
     * elements of all of them ({@link Chunk}s at the same positions) and changes the first {@code written} in place,
     * which are then written back. The fused update of an optimizer reads a parameter, its gradient and its state
     * once; a chain of elementwise ops would read and write each array once per op. Each element is computed on its
     * own, so large plain arrays are cut into ranges that run in parallel ({@link #PASS_PART}) with the same
     * results. Arrays that are not plain are copied first (into arrays that go back to the pool after), and the
     * written ones copied back.
     */
    public static void pass(int written, Update f, INDArray... arrays) {
        long[] shape = arrays[0].shape();
        DataType type = arrays[0].dataType();
        boolean allPlain = true;
        for (INDArray a : arrays) {
            if (!Arrays.equals(a.shape(), shape) || a.dataType() != type || !floating(a)) {
                throw new ShapeException("pass: expected float32 or float64 arrays of one dtype and shape "
                        + Shapes.str(shape) + ", got " + a.dataType() + " " + Shapes.str(a.shape()) + " beside "
                        + type);
            }
            allPlain &= NdArrays.isPlain(a);
        }
        if (allPlain) {
            run(written, false, f, arrays);
            return;
        }
        try (Scope copies = Scope.open()) {
            INDArray[] plain = new INDArray[arrays.length];
            for (int j = 0; j < arrays.length; j++) {
                plain[j] = NdArrays.isPlain(arrays[j]) ? arrays[j] : Copies.copy(arrays[j]);
            }
            run(written, false, f, plain);
            for (int j = 0; j < written; j++) {
                if (plain[j] != arrays[j]) {
                    Copies.assign(arrays[j], plain[j]);
                }
            }
        }
    }

    /**
     * A {@link #pass} over plain arrays of one dtype and shape; with {@code fresh}, the written arrays' contents
     * are not read ({@code f} sets them).
     */
    static void run(int written, boolean fresh, Update f, INDArray... arrays) {
        Buffer[] nio = new Buffer[arrays.length];
        long n = arrays[0].length();
        for (int j = 0; j < arrays.length; j++) {
            nio[j] = n <= Kernels.ELEMENTWISE_LIMIT ? Access.state().nio.of(arrays[j]) : nio(arrays[j]);
        }
        int parts = Threads.count() > 1 && n >= 2 * PASS_PART && SPLIT_PASSES.incrementAndGet() > PASS_WARMUP
                ? (int) (n / PASS_PART) : 1;
        Threads.parallel(parts, part -> passRange(written, fresh, f, nio, (int) (n * part / parts),
                (int) (n * (part + 1) / parts)));
    }

    /** Elements [from, to) of a {@link #run}, chunk by chunk, in this thread's chunks. */
    static void passRange(int written, boolean fresh, Update f, Buffer[] nio, int from, int to) {
        boolean float32 = nio[0] instanceof FloatBuffer;
        int k = nio.length + SCRATCH;
        Chunk[] c = chunks(float32, k);
        for (int start = from; start < to; start += CHUNK) {
            int len = Math.min(CHUNK, to - start);
            for (int j = 0; j < k; j++) {
                c[j].length(len);
                if (j >= nio.length || fresh && j < written) {
                    continue;
                }
                if (float32) {
                    ((FloatBuffer) nio[j]).get(start, c[j].floats(), 0, len);
                } else {
                    ((DoubleBuffer) nio[j]).get(start, c[j].doubles(), 0, len);
                }
            }
            f.apply(c);
            for (int j = 0; j < written; j++) {
                if (float32) {
                    ((FloatBuffer) nio[j]).put(start, c[j].floats(), 0, len);
                } else {
                    ((DoubleBuffer) nio[j]).put(start, c[j].doubles(), 0, len);
                }
            }
        }
    }

    /** At least {@code k} chunks of this thread (the same objects each call) of the given precision. */
    static Chunk[] chunks(boolean float32, int k) {
        Chunk[][] all = Access.state().chunks;
        int t = float32 ? 0 : 1;
        if (all[t].length < k) {
            Chunk[] grown = Arrays.copyOf(all[t], k);
            for (int j = all[t].length; j < k; j++) {
                grown[j] = new Chunk(float32, Access.CHUNK);
            }
            all[t] = grown;
        }
        return all[t];
    }

    /**
     * Softmax cross-entropy of each row of (N, C) logits {@code x} against {@code labels} (in range): ln Σ_j
     * e^(x_ij - m_i) - (x_iy - m_i), with m_i the row's maximum (0 when it is not finite), in one pass per row in
     * double precision. With {@code probs} (a C-order (N, C) array) not null, also writes softmax(x) into it.
     */
    public static INDArray crossEntropy(INDArray x, int[] labels, INDArray probs) {
        int n = labels.length;
        int c = (int) x.size(1);
        INDArray out = Scope.allocate(x.dataType(), n);
        double[] row = new double[c];
        double[] losses = new double[n];
        Strided in = Strided.of(x, x.shape());
        Strided p = probs == null ? null : Strided.of(probs, probs.shape());
        for (int i = 0; i < n; i++) {
            in.read(row, c);
            double max = Double.NEGATIVE_INFINITY;
            for (double v : row) {
                max = v > max || Double.isNaN(v) ? v : max;
            }
            double shift = Double.isInfinite(max) ? 0 : max;
            double target = row[labels[i]] - shift;
            double sum = 0;
            for (int j = 0; j < c; j++) {
                row[j] = Math.exp(row[j] - shift);
                sum += row[j];
            }
            losses[i] = Math.log(sum) - target;
            if (p != null) {
                for (int j = 0; j < c; j++) {
                    row[j] /= sum;
                }
                p.write(row, c);
            }
        }
        Strided.of(out, out.shape()).write(losses, n);
        return out;
    }

    /**
     * The gradient of {@link #crossEntropy}'s losses for their gradient {@code g} (N): (probs - onehot(labels))
     * times g_i in each row, in a new (N, C) array, in one pass.
     */
    public static INDArray crossEntropyBackward(INDArray probs, int[] labels, INDArray g) {
        int c = (int) probs.size(1);
        INDArray out = Scope.allocate(probs.dataType(), probs.shape());
        double[] gs = Copies.values(g);
        double[] row = new double[c];
        Strided in = Strided.of(probs, probs.shape());
        Strided to = Strided.of(out, out.shape());
        for (int i = 0; i < labels.length; i++) {
            in.read(row, c);
            row[labels[i]] -= 1;
            for (int j = 0; j < c; j++) {
                row[j] *= gs[i];
            }
            to.write(row, c);
        }
        return out;
    }
}
