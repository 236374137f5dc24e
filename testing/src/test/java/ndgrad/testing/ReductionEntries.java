package ndgrad.testing;

import static ndgrad.testing.Registry.entry;
import static ndgrad.testing.Registry.op;

import java.util.List;
import ndgrad.core.Rng;
import ndgrad.testing.Registry.Entry;

/** The reductions: sums, means, variances, extremes with and without indices, log-sum-exp and softmax. */
final class ReductionEntries {
    private ReductionEntries() {
    }

    static List<Entry> entries() {
        return List.of(
                entry(op("sum", x -> x[0].sum()).reference(x -> Ref.sum(x[0], false))
                        .sample(Arg.normal(3, 4)).sample(Arg.normal()).sample(Arg.normal(2, 1, 3, 2))
                        .sample(Sample.of(Arg.normal(2, 3, 4)).call(x -> x[0].sum(0, 2))
                                .reference(x -> Ref.sum(x[0], false, 0, 2)).label("sum(0, 2) of (2, 3, 4)"))
                        .sample(Sample.of(Arg.normal(3, 4)).call(x -> x[0].sum(1, true))
                                .reference(x -> Ref.sum(x[0], true, 1)).label("sum(1, keepDim) of (3, 4)"))
                        .sample(Sample.of(Arg.normal(2, 3, 4)).call(x -> x[0].sum(true, -1, 0))
                                .reference(x -> Ref.sum(x[0], true, 0, 2)).label("sum(keepDims, -1, 0) of (2, 3, 4)"))
                        .sample(Torch.sample("sum: dims").call(x -> x[0].sum(0, 2))
                                .reference(x -> Ref.sum(x[0], false, 0, 2)))
                        .badInput("axis out of range", x -> x[0].sum(2), Arg.normal(2, 3))
                        .badInput("repeated axis", x -> x[0].sum(1, -1), Arg.normal(2, 3)),
                        "sum()", "sum(int[])", "sum(int,boolean)", "sum(boolean,int[])"),
                entry(op("mean", x -> x[0].mean()).reference(x -> Ref.mean(x[0], false))
                        .sample(Arg.normal(3, 4)).sample(Arg.normal()).sample(Arg.normal(2, 1, 3, 2))
                        .sample(Sample.of(Arg.normal(2, 3, 4)).call(x -> x[0].mean(0, 2))
                                .reference(x -> Ref.mean(x[0], false, 0, 2)).label("mean(0, 2) of (2, 3, 4)"))
                        .sample(Sample.of(Arg.normal(2, 3, 4)).call(x -> x[0].mean(true, 1))
                                .reference(x -> Ref.mean(x[0], true, 1)).label("mean(keepDims, 1) of (2, 3, 4)"))
                        .sample(Torch.sample("mean: dim keepdim").call(x -> x[0].mean(-1, true))
                                .reference(x -> Ref.mean(x[0], true, 1)))
                        .badInput("axis out of range", x -> x[0].mean(-3), Arg.normal(2, 3)),
                        "mean()", "mean(int[])", "mean(int,boolean)", "mean(boolean,int[])"),
                entry(op("var", x -> x[0].var()).reference(x -> Ref.var(x[0], 1, false))
                        .sample(Arg.normal(3, 4)).sample(Arg.normal(2, 1, 3, 2))
                        .sample(Torch.sample("var: unbiased").call(x -> x[0].var(1))
                                .reference(x -> Ref.var(x[0], 1, false, 1)))
                        .sample(Torch.sample("var: population, keepdim").call(x -> x[0].var(0, true, 0))
                                .reference(x -> Ref.var(x[0], 0, true, 0)))
                        .badInput("one value, unbiased", x -> x[0].var(), Arg.normal(1)),
                        "var(int[])", "var(int,boolean,int[])"),
                extreme("amax", true), extreme("amin", false),
                entry(op("max all", x -> x[0].max()).reference(x -> Ref.amax(x[0], false))
                        .sample(Arg.distinct(3, 4)).sample(Arg.normal()).sample(Arg.distinct(2, 1, 3, 2))
                        .sample(Torch.edge("max: all, ties")), "max()"),
                entry(op("min all", x -> x[0].min()).reference(x -> Ref.amin(x[0], false))
                        .sample(Arg.distinct(3, 4)).sample(Arg.normal()).sample(Arg.distinct(2, 1, 3, 2))
                        .sample(Torch.edge("min: all, ties")), "min()"),
                entry(op("max dim", x -> x[0].max(1).values()).reference(x -> Ref.extremeAlong(x[0], 1, false,
                        true)[0]).sample(Arg.distinct(3, 4)).sample(Arg.distinct(2, 3, 2))
                        .sample(Sample.of(Arg.distinct(3, 4)).call(x -> x[0].max(0, true).values())
                                .reference(x -> Ref.extremeAlong(x[0], 0, true, true)[0]).label("max(0, keepDim)"))
                        .sample(Torch.edge("max dim: ties"))
                        .badInput("dim out of range", x -> x[0].max(2).values(), Arg.normal(2, 3)).errorName("max"),
                        "max(int)", "max(int,boolean)"),
                entry(op("max dim indices", x -> x[0].max(1).indices()).notDifferentiable()
                        .reference(x -> Ref.extremeAlong(x[0], 1, false, true)[1])
                        .sample(Arg.distinct(3, 4)).sample(Torch.sample("max dim indices: ties"))),
                entry(op("min dim", x -> x[0].min(0, true).values()).reference(x -> Ref.extremeAlong(x[0], 0, true,
                        false)[0]).sample(Arg.distinct(3, 4)).sample(Arg.distinct(2, 3, 2))
                        .sample(Sample.of(Arg.distinct(3, 4)).call(x -> x[0].min(1).values())
                                .reference(x -> Ref.extremeAlong(x[0], 1, false, false)[0]).label("min(1)"))
                        .sample(Torch.edge("min dim: ties, keepdim")), "min(int)", "min(int,boolean)"),
                entry(op("min dim indices", x -> x[0].min(1).indices()).notDifferentiable()
                        .reference(x -> Ref.extremeAlong(x[0], 1, false, false)[1])
                        .sample(Arg.distinct(3, 4)).sample(Arg.of(new double[] {2, -1, -1, 0, 3, 3}, 2, 3))),
                entry(op("cumsum", x -> x[0].cumsum(1)).reference(x -> cumsum(x[0], 1)).sample(Arg.normal(2, 4))
                        .sample(Sample.of(Arg.normal(3, 2, 2)).call(x -> x[0].cumsum(-1)).reference(x -> cumsum(x[0], 2))
                                .label("the last dim of 3-D"))
                        .sample(Torch.sample("cumsum: dim 1"))
                        .sample(Torch.sample("cumsum: dim 0 of 3-D").call(x -> x[0].cumsum(0))
                                .reference(x -> cumsum(x[0], 0)))
                        .badInput("dim out of range", x -> x[0].cumsum(2), Arg.normal(2, 3)).errorName("cumsum"),
                        "cumsum(int)"),
                entry(op("sort", x -> x[0].sort(1).values()).reference(x -> sorted(x[0], 1, false, false))
                        .sample(Arg.distinct(3, 4)).sample(Arg.distinct(2, 3, 2))
                        .sample(Torch.sample("sort: descending, dim 0").call(x -> x[0].sort(0, true).values())
                                .reference(x -> sorted(x[0], 0, true, false)))
                        .badInput("dim out of range", x -> x[0].sort(2).values(), Arg.normal(2, 3)).errorName("sort"),
                        "sort(int)", "sort(int,boolean)"),
                entry(op("sort indices", x -> x[0].sort(1).indices()).notDifferentiable()
                        .reference(x -> sorted(x[0], 1, false, true)).sample(Arg.distinct(3, 4))
                        .sample(Torch.sample("sort indices: ties"))),
                entry(op("topk", x -> x[0].topk(2).values()).reference(x -> Ref.slice(sorted(x[0], 1, true, false), 1,
                        0, 2)).sample(Arg.distinct(3, 5)).sample(Torch.sample("topk: 2 largest of the last dim"))
                        .sample(Torch.sample("topk: 3 smallest along dim 0").call(x -> x[0].topk(3, 0, false).values())
                                .reference(x -> Ref.slice(sorted(x[0], 0, false, false), 0, 0, 3)))
                        .badInput("k past the size", x -> x[0].topk(4).values(), Arg.normal(2, 3)).errorName("topk"),
                        "topk(int)", "topk(int,int,boolean)"),
                entry(op("topk indices", x -> x[0].topk(3, 1, false).indices()).notDifferentiable()
                        .reference(x -> Ref.slice(sorted(x[0], 1, false, true), 1, 0, 3)).sample(Arg.distinct(2, 5))),
                entry(op("multinomial", x -> x[0].multinomial(3, true, new Rng(5))).notDifferentiable()
                        .reference(x -> certain(x[0], 3)).sample(Arg.of(new double[] {0, 0, 2.5, 0}, 4))
                        .sample(Arg.of(new double[] {0, 1, 0, 0.2, 0, 0}, 2, 3))
                        .skip(Check.LAYOUT, "an expanded input repeats its first weight, 0 here, which multinomial "
                                + "refuses as a distribution")
                        .badInput("negative weight", x -> x[0].multinomial(1, true, new Rng(1)),
                                Arg.of(new double[] {1, -0.5}, 2))
                        .badInput("more draws than categories without replacement", x -> x[0].multinomial(3, false,
                                new Rng(1)), Arg.of(new double[] {1, 1}, 2))
                        .badInput("all zero", x -> x[0].multinomial(1, true, new Rng(1)), Arg.of(new double[] {0, 0},
                                2)), "multinomial(int,boolean,Rng)"),
                entry(op("argmax", x -> x[0].argmax(1)).notDifferentiable()
                        .reference(x -> Ref.extremeAlong(x[0], 1, false, true)[1])
                        .sample(Arg.distinct(3, 4)).sample(Torch.sample("argmax: ties"))
                        .sample(Sample.of(Arg.distinct(2, 3, 2)).call(x -> x[0].argmax(-1, true))
                                .reference(x -> Ref.extremeAlong(x[0], 2, true, true)[1]).label("argmax(-1, keepDim)"))
                        .sample(Sample.of(Arg.distinct(3, 4)).call(x -> x[0].argmax())
                                .reference(x -> Ref.extremeAlong(x[0].reshape(12), 0, false, true)[1])
                                .label("argmax() of all"))
                        .badInput("empty dim", x -> x[0].argmax(0), Arg.normal(0, 3)),
                        "argmax()", "argmax(int)", "argmax(int,boolean)"),
                entry(op("argmin", x -> x[0].argmin(0)).notDifferentiable()
                        .reference(x -> Ref.extremeAlong(x[0], 0, false, false)[1])
                        .sample(Arg.distinct(3, 4))
                        .sample(Torch.sample("argmin: ties").call(x -> x[0].argmin())
                                .reference(x -> Ref.extremeAlong(x[0].reshape(6), 0, false, false)[1]))
                        .sample(Sample.of(Arg.distinct(2, 3)).call(x -> x[0].argmin(1, true))
                                .reference(x -> Ref.extremeAlong(x[0], 1, true, false)[1]).label("argmin(1, keepDim)")),
                        "argmin()", "argmin(int)", "argmin(int,boolean)"),
                entry(op("logSumExp", x -> x[0].logSumExp(false, 1)).reference(x -> Ref.logSumExp(x[0], false, 1))
                        .sample(Arg.normal(3, 4)).sample(Arg.normal(2, 3, 2))
                        .sample(Sample.of(Arg.normal(3, 4)).call(x -> x[0].logSumExp(true))
                                .reference(x -> Ref.logSumExp(x[0], true)).label("all, keepDims"))
                        .sample(Sample.of(Arg.uniform(-300, 300, 2, 3)).label("large magnitudes"))
                        .sample(Torch.sample("logSumExp: values"))
                        .sample(Torch.edge("logSumExp: -inf and large")), "logSumExp(boolean,int[])"),
                entry(op("softmax", x -> x[0].softmax(1)).reference(x -> Ref.softmax(x[0], 1))
                        .sample(Arg.normal(3, 4)).sample(Arg.normal(2, 3, 2))
                        .sample(Sample.of(Arg.normal(3, 4)).call(x -> x[0].softmax(0))
                                .reference(x -> Ref.softmax(x[0], 0)).label("softmax(0)"))
                        .sample(Sample.of(Arg.normal(4)).call(x -> x[0].softmax(-1))
                                .reference(x -> Ref.softmax(x[0], 0)).label("softmax(-1) of (4)"))
                        .sample(Torch.sample("softmax: values"))
                        .sample(Torch.edge("softmax: -inf and large"))
                        .badInput("axis out of range", x -> x[0].softmax(2), Arg.normal(2, 3)), "softmax(int)"),
                entry(op("logSoftmax", x -> x[0].logSoftmax(0)).reference(x -> Ref.logSoftmax(x[0], 0))
                        .sample(Arg.normal(3, 4)).sample(Arg.normal(2, 3, 2))
                        .sample(Sample.of(Arg.normal(3, 4)).call(x -> x[0].logSoftmax(-1))
                                .reference(x -> Ref.logSoftmax(x[0], 1)).label("logSoftmax(-1)"))
                        .sample(Torch.sample("logSoftmax: values")), "logSoftmax(int)"),
                entry(op("crossEntropy", x -> x[0].crossEntropy(labels(x[1])))
                        .reference(x -> Ref.crossEntropy(x[0], longs(x[1])))
                        .sample(Arg.normal(4, 3), Arg.indices(3, 4)).sample(Arg.normal(1, 5), Arg.indices(5, 1))
                        .sample(Sample.of(Arg.uniform(-100, 100, 3, 4), Arg.indices(4, 3)).label("large logits"))
                        .sample(Torch.sample("crossEntropy: values"))
                        .sample(Torch.edge("crossEntropy: large logits"))
                        .badInput("label out of range", x -> x[0].crossEntropy(new int[] {0, 3}), Arg.normal(2, 3))
                        .badInput("labels of another count", x -> x[0].crossEntropy(new int[] {0}), Arg.normal(2, 3))
                        .badInput("1-D logits", x -> x[0].crossEntropy(new int[] {0}), Arg.normal(3)),
                        "crossEntropy(int[])"));
    }

    /** The int labels a tensor of int64 class indices holds. */
    static int[] labels(ndgrad.autograd.Tensor t) {
        return java.util.Arrays.stream(t.toDoubleArray()).mapToInt(v -> (int) v).toArray();
    }

    static long[] longs(Nd x) {
        return java.util.Arrays.stream(x.data()).mapToLong(v -> (long) v).toArray();
    }

    /** amax or amin: over dims, keeping them or not; ties share the gradient (PyTorch's case). */
    private static Entry extreme(String name, boolean max) {
        return entry(op(name, x -> max ? x[0].amax(1) : x[0].amin(1))
                .reference(x -> max ? Ref.amax(x[0], false, 1) : Ref.amin(x[0], false, 1))
                .sample(Arg.distinct(3, 4)).sample(Arg.distinct(2, 3, 2))
                .sample(Sample.of(Arg.distinct(2, 3, 2)).call(x -> max ? x[0].amax(0, 2) : x[0].amin(0, 2))
                        .reference(x -> max ? Ref.amax(x[0], false, 0, 2) : Ref.amin(x[0], false, 0, 2))
                        .label("over (0, 2)"))
                .sample(Sample.of(Arg.distinct(3, 4)).call(x -> max ? x[0].amax(0, true) : x[0].amin(0, true))
                        .reference(x -> max ? Ref.amax(x[0], true, 0) : Ref.amin(x[0], true, 0)).label("(0, keepDim)"))
                .sample(Sample.of(Arg.distinct(3, 4)).call(x -> max ? x[0].amax(true) : x[0].amin(true))
                        .reference(x -> max ? Ref.amax(x[0], true) : Ref.amin(x[0], true)).label("all, keepDims"))
                .sample(Torch.edge(max ? "amax: ties" : "amin: ties").call(x -> max ? x[0].amax(1)
                        : x[0].amin(0, true)).reference(x -> max ? Ref.amax(x[0], false, 1) : Ref.amin(x[0], true, 0)))
                .badInput("empty input", x -> max ? x[0].amax() : x[0].amin(), Arg.normal(0)),
                name + "(int[])", name + "(int,boolean)", name + "(boolean,int[])");
    }

    /** Running sums along dim, in loops. */
    private static Nd cumsum(Nd x, int dim) {
        double[] v = x.data().clone();
        long inner = 1;
        for (int d = dim + 1; d < x.rank(); d++) {
            inner *= x.size(d);
        }
        long along = x.size(dim);
        for (int k = 0; k < v.length; k++) {
            if ((k / inner) % along != 0) {
                v[k] += v[(int) (k - inner)];
            }
        }
        return new Nd(x.shape(), v);
    }

    /** Each line along dim sorted (stably, by insertion), or the positions the sorted values came from. */
    private static Nd sorted(Nd x, int dim, boolean descending, boolean indices) {
        double[] v = x.data();
        double[] out = new double[v.length];
        long inner = 1;
        for (int d = dim + 1; d < x.rank(); d++) {
            inner *= x.size(d);
        }
        int along = (int) x.size(dim);
        for (int k = 0; k < v.length; k++) {
            if ((k / inner) % along != 0) {
                continue;
            }
            int[] order = new int[along];
            for (int j = 0; j < along; j++) {
                int at = j;
                while (at > 0 && (descending ? v[(int) (k + order[at - 1] * inner)] < v[(int) (k + j * inner)]
                        : v[(int) (k + order[at - 1] * inner)] > v[(int) (k + j * inner)])) {
                    order[at] = order[at - 1];
                    at--;
                }
                order[at] = j;
            }
            for (int j = 0; j < along; j++) {
                out[(int) (k + j * inner)] = indices ? order[j] : v[(int) (k + order[j] * inner)];
            }
        }
        return new Nd(x.shape(), out);
    }

    /** Draws from rows with one nonzero weight: that index, {@code n} times per row. */
    private static Nd certain(Nd w, int n) {
        long c = w.size(w.rank() - 1);
        int rows = (int) (w.numel() / c);
        double[] out = new double[rows * n];
        for (int r = 0; r < rows; r++) {
            for (int i = 0; i < c; i++) {
                if (w.data()[(int) (r * c + i)] != 0) {
                    java.util.Arrays.fill(out, r * n, (r + 1) * n, i);
                }
            }
        }
        return w.rank() == 1 ? Nd.of(out, n) : new Nd(new long[] {rows, n}, out);
    }
}
