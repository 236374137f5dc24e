package ndgrad.core;

import ndgrad.core.kernels.Copies;
import ndgrad.core.memory.Scope;
import java.util.SplittableRandom;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Seeded randomness: one seed gives the same numbers, on any machine and any number of threads. Numbers are drawn
 * in Java ({@link SplittableRandom}) rather than by ND4J's native generator, so results do not depend on the
 * native backend. Not thread-safe: give each thread its own {@link #split()}.
 *
 * <p>Usage: {@code Rng rng = new Rng(42); INDArray w = rng.normal(DataType.FLOAT, 3, 4);}
 */
public final class Rng {
    /** The seed of the default generator at start, PyTorch's ({@code torch.initial_seed()} of a fresh process). */
    public static final long DEFAULT_SEED = 67280421310721L;
    private static Rng global = new Rng(DEFAULT_SEED);
    private final SplittableRandom random;

    /**
     * The generator that layers and ops draw from when given none, as PyTorch's default generator: seeded with
     * {@link #DEFAULT_SEED} at start, so a program's results repeat run after run; {@link #manualSeed} reseeds it.
     * Shared by every thread: give concurrent code its own generators.
     */
    public static synchronized Rng global() {
        return global;
    }

    /** Reseeds the default generator, as {@code torch.manual_seed(seed)}. Usage: {@code Rng.manualSeed(0);} */
    public static synchronized void manualSeed(long seed) {
        global = new Rng(seed);
    }

    /** A generator whose whole sequence is fixed by {@code seed}. */
    public Rng(long seed) {
        this(new SplittableRandom(seed));
    }

    private Rng(SplittableRandom random) {
        this.random = random;
    }

    /** An independent generator derived from this one (deterministic given this one's state). */
    public Rng split() {
        return new Rng(random.split());
    }

    /** A uniformly distributed double in [0, 1). */
    public double nextDouble() {
        return random.nextDouble();
    }

    /** A standard normal double (mean 0, variance 1). */
    public double nextGaussian() {
        return random.nextGaussian();
    }

    /** A uniformly distributed int in [0, bound). */
    public int nextInt(int bound) {
        return random.nextInt(bound);
    }

    /** A random permutation of 0..n-1 (Fisher–Yates). */
    public int[] permutation(int n) {
        int[] p = new int[n];
        for (int i = 0; i < n; i++) {
            p[i] = i;
        }
        for (int i = n - 1; i > 0; i--) {
            int j = random.nextInt(i + 1);
            int t = p[i];
            p[i] = p[j];
            p[j] = t;
        }
        return p;
    }

    /** An array of standard normal samples. */
    public INDArray normal(DataType type, long... shape) {
        double[] v = new double[checkedLength(shape)];
        for (int i = 0; i < v.length; i++) {
            v[i] = random.nextGaussian();
        }
        return NdArrays.create(v, shape, type);
    }

    /** An array of samples uniform in [{@code low}, {@code high}). */
    public INDArray uniform(DataType type, double low, double high, long... shape) {
        if (!(low < high)) {
            throw new IllegalArgumentException("uniform: expected low < high, got low=" + low + ", high=" + high);
        }
        double[] v = new double[checkedLength(shape)];
        for (int i = 0; i < v.length; i++) {
            v[i] = low + (high - low) * random.nextDouble();
        }
        return NdArrays.create(v, shape, type);
    }

    /**
     * An array in which each element is {@code value} with probability {@code prob}, else 0, drawn in C order: a
     * dropout mask is {@code bernoulli(type, 1 - p, 1 / (1 - p), shape)}. Each draw compares 32 random bits with
     * prob·2^32, and the values go straight into the array.
     */
    public INDArray bernoulli(DataType type, double prob, double value, long... shape) {
        if (!(prob >= 0 && prob <= 1)) {
            throw new IllegalArgumentException("bernoulli: expected a probability in [0, 1], got " + prob);
        }
        checkedLength(shape);
        INDArray out = Scope.allocate(type, shape);
        long threshold = Math.round(prob * 0x1p32);
        Copies.generate(out, () -> (random.nextInt() & 0xFFFFFFFFL) < threshold ? value : 0);
        return out;
    }

    /**
     * {@code samples} category indices per row of {@code probs} (C) or (N, C), each drawn with probability
     * proportional to its weight, as {@code torch.multinomial}: int64 (samples) or (N, samples). Without
     * replacement a category is drawn at most once per row (its weight is removed after the draw). The caller
     * checked the weights: finite, non-negative, a positive sum, and enough nonzero ones without replacement.
     */
    public INDArray multinomial(INDArray probs, int samples, boolean replacement) {
        long[] shape = probs.shape();
        int c = (int) shape[shape.length - 1];
        int rows = shape.length == 1 ? 1 : (int) shape[0];
        double[] w = Copies.values(probs);
        long[] out = new long[rows * samples];
        for (int r = 0; r < rows; r++) {
            double[] row = java.util.Arrays.copyOfRange(w, r * c, (r + 1) * c);
            for (int s = 0; s < samples; s++) {
                double total = 0;
                for (double p : row) {
                    total += p;
                }
                double u = random.nextDouble() * total;
                int k = 0;
                double cumulative = row[0];
                while (k < c - 1 && (cumulative <= u || row[k] == 0)) {
                    cumulative += row[++k];
                }
                while (row[k] == 0) {
                    k--;
                }
                out[r * samples + s] = k;
                if (!replacement) {
                    row[k] = 0;
                }
            }
        }
        return NdArrays.create(out, shape.length == 1 ? new long[] {samples} : new long[] {rows, samples});
    }

    private static int checkedLength(long[] shape) {
        long n = Shapes.numel(shape);
        if (n > Integer.MAX_VALUE) {
            throw new ShapeException("Rng: shape " + Shapes.str(shape) + " has more than 2^31-1 elements");
        }
        return (int) n;
    }
}
