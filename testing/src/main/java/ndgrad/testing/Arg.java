package ndgrad.testing;

import java.util.Arrays;
import java.util.function.BiFunction;
import ndgrad.core.Rng;

/**
 * How one input of a {@link Sample} is made: a shape, how its values are drawn (from the battery's seeded
 * generator, so every run sees the same values), and its kind: a differentiable input (the default), a constant
 * (a target, a mask: no gradient), or int64 indices. The battery makes the tensors from these values in float64 and
 * float32, contiguous and not.
 *
 * <p>Usage: {@code Arg.normal(3, 4)}, {@code Arg.positive(4)} (for log and sqrt), {@code Arg.indices(5, 2, 3)},
 * {@code Arg.of(new double[] {0, 1, 1}, 3).constant()}
 */
public final class Arg {
    /** What an input is to the op. */
    public enum Kind {
        /** A floating-point input the gradient is checked for. */
        DIFFERENTIABLE,
        /** A floating-point input with no gradient: a target, a mask, a weight. */
        CONSTANT,
        /** Integer positions (int64), such as gather's index. */
        INDEX
    }

    private final Kind kind;
    private final long[] shape;
    private final BiFunction<Rng, Integer, double[]> draw;
    private final String description;

    private Arg(Kind kind, long[] shape, BiFunction<Rng, Integer, double[]> draw, String description) {
        for (long d : shape) {
            if (d < 0) {
                throw new IllegalArgumentException("Arg: negative size in shape " + Arrays.toString(shape));
            }
        }
        this.kind = kind;
        this.shape = shape.clone();
        this.draw = draw;
        this.description = description;
    }

    /** Standard normal values. */
    public static Arg normal(long... shape) {
        return new Arg(Kind.DIFFERENTIABLE, shape, (rng, n) -> fill(n, rng::nextGaussian), "normal");
    }

    /** Values uniform in [low, high). */
    public static Arg uniform(double low, double high, long... shape) {
        if (!(low < high)) {
            throw new IllegalArgumentException("Arg.uniform: expected low < high, got " + low + ", " + high);
        }
        return new Arg(Kind.DIFFERENTIABLE, shape, (rng, n) -> fill(n, () -> low + (high - low) * rng.nextDouble()),
                "uniform [" + low + ", " + high + ")");
    }

    /** Values in [0.5, 2): safe for log, sqrt, division and fractional powers. */
    public static Arg positive(long... shape) {
        return uniform(0.5, 2, shape);
    }

    /** Values with 0.2 ≤ |x| &lt; 1.5 and random signs: away from the kinks of relu, abs and the like. */
    public static Arg awayFromZero(long... shape) {
        return new Arg(Kind.DIFFERENTIABLE, shape, (rng, n) -> fill(n, () -> {
            double v = 0.2 + 1.3 * rng.nextDouble();
            return rng.nextDouble() < 0.5 ? -v : v;
        }), "away from zero");
    }

    /**
     * Distinct values spaced at least 0.1 apart (a shuffled grid, centred on 0), so that maxima, minima and sorts
     * have no ties within finite-difference steps.
     */
    public static Arg distinct(long... shape) {
        return new Arg(Kind.DIFFERENTIABLE, shape, (rng, n) -> {
            int[] p = rng.permutation(n);
            double[] v = new double[n];
            for (int i = 0; i < n; i++) {
                v[i] = 0.1 * p[i] - 0.05 * n + 0.0137;
            }
            return v;
        }, "distinct");
    }

    /** A constant mask of random zeros and ones (for where, maskedFill and the like). */
    public static Arg mask(long... shape) {
        return new Arg(Kind.CONSTANT, shape, (rng, n) -> fill(n, () -> rng.nextInt(2)), "mask");
    }

    /** Exactly these values (C order): for edge cases such as ties, zeros and infinities. */
    public static Arg of(double[] values, long... shape) {
        double[] v = values.clone();
        return new Arg(Kind.DIFFERENTIABLE, shape, (rng, n) -> v.clone(), "given");
    }

    /** A rank-0 input of exactly this value. */
    public static Arg scalar(double value) {
        return of(new double[] {value});
    }

    /** Int64 positions, exactly these (C order). */
    public static Arg index(long[] values, long... shape) {
        double[] v = Arrays.stream(values).asDoubleStream().toArray();
        return new Arg(Kind.INDEX, shape, (rng, n) -> v.clone(), "index");
    }

    /** Int64 positions drawn uniformly from [0, bound). */
    public static Arg indices(long bound, long... shape) {
        if (bound < 1) {
            throw new IllegalArgumentException("Arg.indices: expected a positive bound, got " + bound);
        }
        return new Arg(Kind.INDEX, shape, (rng, n) -> fill(n, () -> rng.nextInt((int) bound)), "indices");
    }

    /** The same values as an input without gradient. */
    public Arg constant() {
        if (kind == Kind.INDEX) {
            throw new IllegalArgumentException("Arg.constant: an index is already constant");
        }
        return new Arg(Kind.CONSTANT, shape, draw, description);
    }

    /** The same way of drawing values, for another shape. */
    Arg withShape(long... other) {
        return new Arg(kind, other, draw, description);
    }

    /** The kind. */
    public Kind kind() {
        return kind;
    }

    /** The shape (a copy). */
    public long[] shape() {
        return shape.clone();
    }

    /** Draws the values from {@code rng}, checking that they fill the shape. */
    double[] draw(Rng rng) {
        int n = (int) Nd.numel(shape);
        double[] v = draw.apply(rng, n);
        if (v.length != n) {
            throw new IllegalArgumentException("Arg: " + v.length + " values do not fill shape "
                    + Arrays.toString(shape));
        }
        return v;
    }

    private static double[] fill(int n, java.util.function.DoubleSupplier next) {
        double[] v = new double[n];
        for (int i = 0; i < n; i++) {
            v[i] = next.getAsDouble();
        }
        return v;
    }

    @Override
    public String toString() {
        return (kind == Kind.DIFFERENTIABLE ? "" : kind.name().toLowerCase(java.util.Locale.ROOT) + " ")
                + description + " " + Arrays.toString(shape);
    }
}
