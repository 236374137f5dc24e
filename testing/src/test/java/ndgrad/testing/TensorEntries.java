package ndgrad.testing;

import static ndgrad.testing.Registry.entry;
import static ndgrad.testing.Registry.op;

import java.util.List;
import java.util.SplittableRandom;
import java.util.function.DoubleSupplier;
import ndgrad.autograd.Tensor;
import ndgrad.core.Rng;
import ndgrad.testing.Registry.Entry;

/**
 * What makes tensors without a graph: the factories (in the default dtype, which the battery sets to each dtype it
 * checks; the random ones against {@link SplittableRandom} with the seed, as {@link Rng} documents its draws),
 * detach and dup, and the in-place ops, which are not recorded.
 */
final class TensorEntries {
    private TensorEntries() {
    }

    static List<Entry> entries() {
        double[] six = {1.5, -2, 0, 3.25, 1e-3, -7};
        return List.of(
                entry(op("of", x -> Tensor.of(six, 2, 3)).reference(x -> Nd.of(six, 2, 3)).sample()
                        .sample(Sample.of().call(x -> Tensor.of(1.5, -2, 0)).reference(x -> Nd.of(new double[] {1.5,
                                -2, 0}, 3)).label("1-D from values"))
                        .sample(Sample.of().call(x -> Tensor.of(new double[][] {{1.5, -2, 0}, {3.25, 1e-3, -7}}))
                                .reference(x -> Nd.of(six, 2, 3)).label("from rows"))
                        .sample(Sample.of().call(x -> Tensor.scalar(-2.5)).reference(x -> Nd.scalar(-2.5))
                                .label("scalar"))
                        .sample(Sample.of(Arg.normal(2, 3).constant()).call(x -> Tensor.of(x[0].data()))
                                .reference(x -> x[0]).label("of an array"))
                        .badInput("values that do not fill the shape", x -> Tensor.of(six, 4, 2))
                        .badInput("rows of other lengths", x -> Tensor.of(new double[][] {{1, 2}, {3}}))
                        .errorName("Tensor.of"),
                        "of(INDArray)", "of(double[])", "of(double[],long[])", "of(double[][])", "scalar(double)"),
                entry(op("full", x -> Tensor.full(2.5, 2, 3)).reference(x -> filled(2.5, 2, 3)).sample()
                        .sample(Sample.of().call(x -> Tensor.zeros(3, 1)).reference(x -> filled(0, 3, 1)).label("zeros"))
                        .sample(Sample.of().call(x -> Tensor.ones()).reference(x -> filled(1)).label("ones, rank 0"))
                        .sample(Sample.of(Arg.normal(2, 3)).call(x -> Tensor.zerosLike(x[0]))
                                .reference(x -> filled(0, 2, 3)).label("zerosLike"))
                        .sample(Sample.of(Arg.normal(4)).call(x -> Tensor.onesLike(x[0])).reference(x -> filled(1, 4))
                                .label("onesLike")).notDifferentiable(),
                        "full(double,long[])", "zeros(long[])", "ones(long[])", "zerosLike(Tensor)",
                        "onesLike(Tensor)"),
                entry(op("arange", x -> Tensor.arange(5.0)).reference(x -> Nd.of(new double[] {0, 1, 2, 3, 4}, 5))
                        .sample()
                        .sample(Sample.of().call(x -> Tensor.arange(-1.0, 2.0)).reference(x -> Nd.of(new double[] {-1,
                                0, 1}, 3)).label("from -1 to 2"))
                        .sample(Sample.of().call(x -> Tensor.arange(1, -1, -0.5)).reference(x -> Nd.of(new double[] {1,
                                0.5, 0, -0.5}, 4)).label("downwards by 0.5"))
                        .sample(Sample.of().call(x -> Tensor.arange(2.0, 2.0)).reference(x -> Nd.of(new double[0], 0))
                                .label("empty"))
                        .badInput("step 0", x -> Tensor.arange(0, 1, 0.0))
                        .badInput("int64, step 0", x -> Tensor.arange(0, 4, 0)).errorName("arange"),
                        "arange(double)", "arange(double,double)", "arange(double,double,double)"),
                entry(op("int64 data", x -> Tensor.of(new long[] {3, -1, 1L << 53 | 1, 0}, 2, 2)).notDifferentiable()
                        .reference(x -> Nd.of(new double[] {3, -1, 0x1p53 + 1, 0}, 2, 2)).sample()
                        .sample(Sample.of().call(x -> Tensor.of(new int[] {7, -2, 0}, 3)).reference(x -> Nd.of(
                                new double[] {7, -2, 0}, 3)).label("int32"))
                        .sample(Sample.of().call(x -> Tensor.arange(5)).reference(x -> Nd.of(new double[] {0, 1, 2, 3,
                                4}, 5)).label("arange(5)"))
                        .sample(Sample.of().call(x -> Tensor.arange(-2, 2)).reference(x -> Nd.of(new double[] {-2, -1,
                                0, 1}, 4)).label("arange(-2, 2)"))
                        .sample(Sample.of().call(x -> Tensor.arange(5, -2, -3)).reference(x -> Nd.of(new double[] {5,
                                2, -1}, 3)).label("arange(5, -2, -3)"))
                        .sample(Sample.of().call(x -> Tensor.full(7, 2, 1)).reference(x -> filled(7, 2, 1))
                                .label("full(7)"))
                        .badInput("values that do not fill the shape", x -> Tensor.of(new long[] {1, 2, 3}, 2, 2))
                        .errorName("Tensor.of"),
                        "of(long[],long[])", "of(int[],long[])", "arange(long)", "arange(long,long)",
                        "arange(long,long,long)", "full(long,long[])"),
                entry(op("randn", x -> Tensor.randn(new Rng(7), 2, 3)).reference(x -> drawn(2 * 3, new SplittableRandom(7)::nextGaussian,
                        2, 3)).sample()
                        .sample(Sample.of().call(x -> Tensor.uniform(new Rng(8), -1, 3, 4)).reference(x -> {
                            SplittableRandom r = new SplittableRandom(8);
                            return drawn(4, () -> -1 + 4 * r.nextDouble(), 4);
                        }).label("uniform in [-1, 3)"))
                        .sample(Sample.of().call(x -> Tensor.bernoulli(new Rng(9), 0.3, 2, 50))
                                .reference(x -> {
                                    SplittableRandom r = new SplittableRandom(9);
                                    long threshold = Math.round(0.3 * 0x1p32);
                                    return drawn(50, () -> (r.nextInt() & 0xFFFFFFFFL) < threshold ? 2 : 0, 50);
                                }).label("bernoulli(0.3) times 2"))
                        .badInput("a negative size", x -> Tensor.randn(new Rng(7), 2, -3)),
                        "randn(Rng,long[])", "uniform(Rng,double,double,long[])", "bernoulli(Rng,double,double,long[])"),
                entry(op("detach", x -> x[0].detach()).reference(x -> x[0]).notDifferentiable()
                        .sample(Arg.normal(2, 3)).sample(Arg.normal())
                        .sample(Sample.of(Arg.normal(2, 3)).call(x -> x[0].mul(2).detach()).reference(x -> x[0].map(
                                v -> 2 * v)).label("of a result")), "detach()"),
                entry(op("dup", x -> x[0].dup()).reference(x -> x[0]).notDifferentiable().sample(Arg.normal(2, 3))
                        .sample(Arg.normal()), "dup()"),
                entry(op("in-place", x -> x[0].dup().addi(x[1])).reference(x -> x[0].zip(x[1], Double::sum))
                        .notDifferentiable().sample(Arg.normal(3, 4), Arg.normal(4)).sample(Arg.normal(2, 3),
                                Arg.normal(2, 3))
                        .sample(Sample.of(Arg.normal(3, 4), Arg.normal(3, 1)).call(x -> x[0].dup().subi(x[1]))
                                .reference(x -> x[0].zip(x[1], (a, b) -> a - b)).label("subi"))
                        .sample(Sample.of(Arg.normal(3, 4)).call(x -> x[0].dup().muli(-2.5))
                                .reference(x -> x[0].map(v -> -2.5 * v)).label("muli"))
                        .sample(Sample.of(Arg.normal(3, 4)).call(x -> x[0].dup().fill(0.75))
                                .reference(x -> filled(0.75, 3, 4)).label("fill"))
                        .sample(Sample.of(Arg.normal(3, 4), Arg.normal(4)).call(x -> x[0].dup().copyFrom(x[1]))
                                .reference(x -> Ref.expand(x[1], 3, 4)).label("copyFrom"))
                        .sample(Sample.of(Arg.normal(3, 4), Arg.normal(2, 5)).call(x -> x[0].dup().setData(x[1]))
                                .reference(x -> x[1]).label("setData: another shape"))
                        .badInput("a result larger than the target", x -> x[0].dup().addi(x[1]), Arg.normal(4),
                                Arg.normal(3, 4)).errorName("addi"),
                        "addi(Tensor)", "subi(Tensor)", "muli(double)", "fill(double)", "copyFrom(Tensor)",
                        "setData(Tensor)"));
    }

    private static Nd filled(double v, long... shape) {
        double[] d = new double[(int) Nd.numel(shape)];
        java.util.Arrays.fill(d, v);
        return new Nd(shape, d);
    }

    private static Nd drawn(int n, DoubleSupplier next, long... shape) {
        double[] d = new double[n];
        for (int i = 0; i < n; i++) {
            d[i] = next.getAsDouble();
        }
        return new Nd(shape, d);
    }
}
