package ndgrad.testing;

import static ndgrad.testing.ReductionEntries.labels;
import static ndgrad.testing.ReductionEntries.longs;
import static ndgrad.testing.Registry.entry;
import static ndgrad.testing.Registry.op;

import java.util.List;
import ndgrad.autograd.Tensor;
import ndgrad.nn.Losses;
import ndgrad.nn.Losses.CrossEntropyOptions;
import ndgrad.nn.Losses.Reduction;
import ndgrad.testing.Registry.Entry;

/** The losses of {@code ndgrad.nn.Losses}, each with its reductions, against PyTorch's definitions. */
final class LossEntries {
    private LossEntries() {
    }

    static List<Entry> entries() {
        return List.of(
                entry(op("mse", x -> Losses.mse(x[0], x[1])).reference(x -> Ref.reduce(x[0].zip(x[1], (a, b) ->
                        (a - b) * (a - b)), "mean")).sample(Arg.normal(3, 4), Arg.normal(3, 4))
                        .sample(Arg.normal(), Arg.normal())
                        .sample(Sample.of(Arg.normal(2, 3), Arg.normal(2, 3)).call(x -> Losses.mse(x[0], x[1],
                                Reduction.SUM)).reference(x -> Ref.reduce(x[0].zip(x[1], (a, b) -> (a - b) * (a - b)),
                                "sum")).label("sum"))
                        .sample(Torch.sample("mse: mean"))
                        .sample(Torch.sample("mse: none").call(x -> Losses.mse(x[0], x[1], Reduction.NONE))
                                .reference(x -> x[0].zip(x[1], (a, b) -> (a - b) * (a - b))))
                        .badInput("shapes differ", x -> Losses.mse(x[0], x[1]), Arg.normal(3, 4), Arg.normal(4)),
                        "Losses.mse(Tensor,Tensor)", "Losses.mse(Tensor,Tensor,Reduction)"),
                entry(op("l1", x -> Losses.l1(x[0], x[1], Reduction.SUM)).reference(x -> Ref.reduce(x[0].zip(x[1],
                        (a, b) -> Math.abs(a - b)), "sum")).sample(Arg.normal(3, 4), Arg.normal(3, 4))
                        .sample(Sample.of(Arg.normal(2, 3), Arg.normal(2, 3)).call(x -> Losses.l1(x[0], x[1],
                                Reduction.MEAN)).reference(x -> Ref.reduce(x[0].zip(x[1], (a, b) -> Math.abs(a - b)),
                                "mean")).label("mean"))
                        .sample(Torch.sample("l1: sum"))
                        .sample(Torch.edge("l1: equal values").call(x -> Losses.l1(x[0], x[1], Reduction.NONE))
                                .reference(x -> x[0].zip(x[1], (a, b) -> Math.abs(a - b))))
                        .badInput("shapes differ", x -> Losses.l1(x[0], x[1], Reduction.SUM), Arg.normal(3, 4),
                                Arg.normal(3, 1)), "Losses.l1(Tensor,Tensor,Reduction)"),
                entry(op("huber", x -> Losses.huber(x[0], x[1], 0.7, Reduction.MEAN)).reference(x -> Ref.reduce(
                        x[0].zip(x[1], (a, b) -> huber(a - b, 0.7)), "mean"))
                        .sample(Arg.normal(3, 4), Arg.normal(3, 4))
                        .sample(Sample.of(Arg.normal(2, 3), Arg.normal(2, 3)).call(x -> Losses.huber(x[0], x[1], 1.5,
                                Reduction.SUM)).reference(x -> Ref.reduce(x[0].zip(x[1], (a, b) -> huber(a - b, 1.5)),
                                "sum")).label("delta 1.5, sum"))
                        .sample(Torch.sample("huber: mean"))
                        .sample(Torch.edge("huber: at delta").call(x -> Losses.huber(x[0], x[1], 0.5, Reduction.NONE))
                                .reference(x -> x[0].zip(x[1], (a, b) -> huber(a - b, 0.5))))
                        .badInput("delta 0", x -> Losses.huber(x[0], x[1], 0, Reduction.MEAN), Arg.normal(2),
                                Arg.normal(2)), "Losses.huber(Tensor,Tensor,double,Reduction)"),
                entry(op("bceWithLogits", x -> Losses.bceWithLogits(x[0], x[1], Reduction.MEAN)).reference(x ->
                        Ref.reduce(x[0].zip(x[1], (l, t) -> Ref.softplus(l) - l * t), "mean"))
                        .sample(Arg.normal(3, 4), Arg.uniform(0, 1, 3, 4))
                        .sample(Sample.of(Arg.uniform(-60, 60, 5), Arg.uniform(0, 1, 5)).label("large logits"))
                        .sample(Torch.sample("bceWithLogits: mean"))
                        .sample(Torch.sample("bceWithLogits: large logits").call(x -> Losses.bceWithLogits(x[0], x[1],
                                Reduction.NONE)).reference(x -> x[0].zip(x[1], (l, t) -> Ref.softplus(l) - l * t)))
                        .badInput("shapes differ", x -> Losses.bceWithLogits(x[0], x[1], Reduction.MEAN),
                                Arg.normal(3), Arg.normal(4)), "Losses.bceWithLogits(Tensor,Tensor,Reduction)"),
                entry(op("crossEntropy labels", x -> Losses.crossEntropy(x[0], labels(x[1])))
                        .reference(x -> Ref.reduce(Ref.crossEntropy(x[0], longs(x[1])), "mean"))
                        .sample(Arg.normal(4, 3), Arg.indices(3, 4))
                        .sample(Sample.of(Arg.normal(4, 3), Arg.indices(3, 4)).call(x -> Losses.crossEntropy(x[0],
                                labels(x[1]), Reduction.SUM)).reference(x -> Ref.reduce(Ref.crossEntropy(x[0],
                                longs(x[1])), "sum")).label("sum"))
                        .sample(Torch.sample("crossEntropy labels: mean"))
                        .sample(Torch.sample("crossEntropy labels: mean").call(x -> Losses.crossEntropy(x[0],
                                int64(x[1]))).label("the labels as an int64 tensor, as PyTorch takes them"))
                        .sample(Torch.sample("crossEntropy labels: sum").call(x -> Losses.crossEntropy(x[0],
                                labels(x[1]), Reduction.SUM)).reference(x -> Ref.reduce(Ref.crossEntropy(x[0],
                                longs(x[1])), "sum")))
                        .errorName("crossEntropy")
                        .badInput("label out of range", x -> Losses.crossEntropy(x[0], new int[] {3}), Arg.normal(1, 3)),
                        "Losses.crossEntropy(Tensor,int[])", "Losses.crossEntropy(Tensor,int[],Reduction)",
                        "Losses.crossEntropy(Tensor,Tensor)"),
                entry(op("crossEntropy options", x -> Losses.crossEntropy(x[0], labels(x[1]), CrossEntropyOptions
                        .defaults().weight(weight(x[0])).labelSmoothing(0.2)))
                        .reference(x -> crossEntropy(x[0], longs(x[1]), new double[] {0.5, 1, 2}, 0.2, "mean"))
                        .sample(Arg.normal(4, 3), Arg.index(new long[] {2, -100, 1, 0}, 4))
                        .sample(Sample.of(Arg.normal(5, 3), Arg.indices(3, 5)).call(x -> Losses.crossEntropy(x[0],
                                labels(x[1]), CrossEntropyOptions.defaults().labelSmoothing(0.1)
                                        .reduction(Reduction.NONE))).reference(x -> crossEntropy(x[0], longs(x[1]),
                                new double[] {1, 1, 1}, 0.1, "none")).label("smoothed, none"))
                        .sample(Sample.of(Arg.normal(4, 3), Arg.index(new long[] {1, 1, 0, 2}, 4)).call(x ->
                                Losses.crossEntropy(x[0], labels(x[1]), CrossEntropyOptions.defaults().ignoreIndex(1)
                                        .reduction(Reduction.SUM))).reference(x -> crossEntropy(x[0], new long[] {-100,
                                -100, 0, 2}, new double[] {1, 1, 1}, 0, "sum")).label("ignore 1, sum"))
                        .sample(Torch.sample("crossEntropy options: weight, ignored, smoothed"))
                        .errorName("crossEntropy")
                        .badInput("weight of another size", x -> Losses.crossEntropy(x[0], new int[] {0},
                                CrossEntropyOptions.defaults().weight(Tensor.of(1, 2))), Arg.normal(1, 3))
                        .badInput("smoothing above 1", x -> Losses.crossEntropy(x[0], new int[] {0},
                                CrossEntropyOptions.defaults().labelSmoothing(1.5)), Arg.normal(1, 3)),
                        "Losses.crossEntropy(Tensor,int[],CrossEntropyOptions)"),
                entry(op("crossEntropy probabilities", x -> Losses.crossEntropy(x[0], x[1], CrossEntropyOptions
                        .defaults().reduction(Reduction.SUM))).reference(x -> soft(x[0], x[1], new double[] {1, 1, 1},
                        0, "sum")).sample(Arg.normal(4, 3), Arg.uniform(0, 1, 4, 3))
                        .sample(Torch.sample("crossEntropy probabilities: sum"))
                        .sample(Torch.sample("crossEntropy probabilities: weight, smoothed, mean").call(x ->
                                Losses.crossEntropy(x[0], x[1], CrossEntropyOptions.defaults().weight(weight(x[0]))
                                        .labelSmoothing(0.1))).reference(x -> soft(x[0], x[1], new double[] {0.5, 1, 2},
                                0.1, "mean")))
                        .errorName("crossEntropy")
                        .badInput("targets of another shape", x -> Losses.crossEntropy(x[0], x[1],
                                CrossEntropyOptions.defaults()), Arg.normal(4, 3), Arg.uniform(0, 1, 4, 2)),
                        "Losses.crossEntropy(Tensor,Tensor,CrossEntropyOptions)"));
    }

    /** Class indices held as doubles, as an int64 tensor. */
    private static Tensor int64(Tensor indices) {
        return Tensor.of(org.nd4j.linalg.factory.Nd4j.createFromArray(java.util.Arrays.stream(indices.toDoubleArray())
                .mapToLong(v -> (long) v).toArray()));
    }

    /** The class weight (0.5, 1, 2) of the PyTorch cases, in x's dtype. */
    private static Tensor weight(Tensor like) {
        return Tensor.of(new double[] {0.5, 1, 2}).to(like.dtype());
    }

    private static double huber(double d, double delta) {
        double a = Math.abs(d);
        return a < delta ? 0.5 * a * a : delta * (a - 0.5 * delta);
    }

    /**
     * Cross-entropy against labels with PyTorch's options: l_i = (1-ε)(-w[y_i] q[i, y_i]) + (ε/C) Σ_c (-w[c] q[i, c])
     * with q = log softmax(x), 0 for an ignored label (-100); 'mean' divides by Σ w[y_i] over the labels not ignored.
     */
    static Nd crossEntropy(Nd x, long[] labels, double[] w, double eps, String reduction) {
        Nd q = Ref.logSoftmax(x, 1);
        int n = labels.length;
        int c = (int) x.size(1);
        double[] l = new double[n];
        double total = 0;
        for (int i = 0; i < n; i++) {
            if (labels[i] == -100) {
                continue;
            }
            double smooth = 0;
            for (int k = 0; k < c; k++) {
                smooth -= w[k] * q.get(i, k);
            }
            l[i] = (1 - eps) * -w[(int) labels[i]] * q.get(i, labels[i]) + eps / c * smooth;
            total += w[(int) labels[i]];
        }
        Nd losses = Nd.of(l, n);
        double sum = Ref.sum(losses, false).data()[0];
        return switch (reduction) {
            case "mean" -> Nd.scalar(sum / total);
            case "sum" -> Nd.scalar(sum);
            default -> losses;
        };
    }

    /** Cross-entropy against probabilities p smoothed to (1-ε)p + ε/C: l_i = -Σ_c w[c] p[i, c] q[i, c]. */
    static Nd soft(Nd x, Nd p, double[] w, double eps, String reduction) {
        Nd q = Ref.logSoftmax(x, 1);
        int n = (int) x.size(0);
        int c = (int) x.size(1);
        double[] l = new double[n];
        for (int i = 0; i < n; i++) {
            for (int k = 0; k < c; k++) {
                l[i] -= w[k] * ((1 - eps) * p.get(i, k) + eps / c) * q.get(i, k);
            }
        }
        return Ref.reduce(Nd.of(l, n), reduction);
    }
}
