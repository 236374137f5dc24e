package ndgrad.testing;

import static ndgrad.testing.Registry.entry;
import static ndgrad.testing.Registry.op;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.function.BiFunction;
import java.util.function.Function;
import java.util.function.Supplier;
import java.util.function.UnaryOperator;
import ndgrad.autograd.Tensor;
import ndgrad.core.Rng;
import ndgrad.nn.Activation;
import ndgrad.nn.AdaptiveAvgPool2d;
import ndgrad.nn.Attention;
import ndgrad.nn.AvgPool2d;
import ndgrad.nn.BatchNorm1d;
import ndgrad.nn.BatchNorm2d;
import ndgrad.nn.Conv1d;
import ndgrad.nn.Conv2d;
import ndgrad.nn.Dropout;
import ndgrad.nn.Embedding;
import ndgrad.nn.Flatten;
import ndgrad.nn.GRU;
import ndgrad.nn.LSTM;
import ndgrad.nn.Layer;
import ndgrad.nn.LayerDict;
import ndgrad.nn.LayerList;
import ndgrad.nn.LayerNorm;
import ndgrad.nn.Linear;
import ndgrad.nn.MaxPool2d;
import ndgrad.nn.MultiheadAttention;
import ndgrad.nn.RNN;
import ndgrad.nn.Recurrent;
import ndgrad.nn.Sequential;
import ndgrad.nn.Unflatten;
import ndgrad.testing.Registry.Entry;

/**
 * The layers of {@code ndgrad.nn}: one entry per configuration of options that PyTorch computed
 * ({@code registry/layers.json}), the layer loaded with PyTorch's parameters and checked on PyTorch's case and on
 * random inputs; a reference in loops where the layer is a few lines of arithmetic; the functional parts (attention)
 * and the layers without parameters as ops.
 */
final class LayerEntries {
    private LayerEntries() {
    }

    static List<Entry> entries() {
        List<Entry> all = new ArrayList<>();
        all.add(layer("Linear: bias", () -> new Linear(3, 4, rng()), x -> Ref.linear(x[0], x[1], x[2]),
                Arg.normal(2, 3), Arg.normal(1, 3)));
        all.add(layer("Linear: no bias", () -> new Linear(3, 2, false, rng()), x -> Ref.linear(x[0], x[1], null),
                Arg.normal(2, 3)));
        all.add(layer("Linear: 3-D input", () -> new Linear(3, 2, rng()), x -> Ref.linear(x[0], x[1], x[2]),
                Arg.normal(2, 1, 3)));
        all.add(layer("Conv1d: k3 s1 p1", () -> new Conv1d(2, 3, 3, 1, 1, 1, 1, true, rng()),
                x -> conv1d(x[0], x[1], x[2], 1, 1, 1, 1), Arg.normal(1, 2, 5)));
        all.add(layer("Conv1d: k2 s2 d2 groups 2, no bias", () -> new Conv1d(4, 2, 2, 2, 0, 2, 2, false, rng()),
                x -> conv1d(x[0], x[1], null, 2, 0, 2, 2), Arg.normal(2, 4, 6)));
        all.add(layer("Conv2d: k3 s2 p1", () -> new Conv2d(2, 4, 3, 2, 1, 1, 1, true, rng()),
                x -> Ref.conv2d(x[0], x[1], x[2], 2, 2, 1, 1, 1, 1, 1), Arg.normal(1, 2, 5, 4)));
        all.add(layer("Conv2d: dilation 2, no bias", () -> new Conv2d(3, 3, 2, 1, 0, 2, 1, false, rng()),
                x -> Ref.conv2d(x[0], x[1], null, 1, 1, 0, 0, 2, 2, 1), Arg.normal(1, 3, 4, 5)));
        all.add(layer("Conv2d: groups 2", () -> new Conv2d(4, 4, 3, 1, 0, 1, 2, true, rng()),
                x -> Ref.conv2d(x[0], x[1], x[2], 1, 1, 0, 0, 1, 1, 2), Arg.normal(2, 4, 3, 4)));
        all.add(layer("Conv2d: 1x1", () -> new Conv2d(3, 2, 1, rng()),
                x -> Ref.conv2d(x[0], x[1], x[2], 1, 1, 0, 0, 1, 1, 1), Arg.normal(1, 3, 2, 2)));
        all.add(layer("MaxPool2d: k2", () -> new MaxPool2d(2), x -> Ref.maxPool(x[0], new Ref.Windows(2, 2, 2, 2, 0,
                0, 1, 1)), Arg.distinct(1, 2, 4, 4)));
        all.add(layer("MaxPool2d: k3 s2 p1", () -> new MaxPool2d(3, 2, 1), x -> Ref.maxPool(x[0],
                new Ref.Windows(3, 3, 2, 2, 1, 1, 1, 1)), Arg.distinct(2, 1, 4, 5)));
        all.add(layer("MaxPool2d: k2 s1, overlapping", () -> new MaxPool2d(2, 1, 0), x -> Ref.maxPool(x[0],
                new Ref.Windows(2, 2, 1, 1, 0, 0, 1, 1)), Arg.distinct(1, 2, 3, 4)));
        all.add(layer("Conv2d: kernel (2, 3), stride (2, 1), padding (1, 0)", () -> new Conv2d(2, 3, new int[] {2, 3},
                new int[] {2, 1}, new int[] {1, 0}, new int[] {1}, 1, true, rng()), x -> Ref.conv2d(x[0], x[1], x[2],
                2, 1, 1, 0, 1, 1, 1), Arg.normal(1, 2, 4, 3)));
        all.add(layer("MaxPool2d: (2, 3) s2 p1, ceil_mode", () -> new MaxPool2d(new int[] {2, 3}, new int[] {2},
                new int[] {1}, new int[] {1}, true), x -> Ref.pool(x[0], new Ref.Windows(2, 3, 2, 2, 1, 1, 1, 1),
                true, true, true), Arg.distinct(1, 2, 4, 5)));
        all.add(layer("MaxPool2d: k2 s1, dilation 2", () -> new MaxPool2d(new int[] {2}, new int[] {1},
                new int[] {0}, new int[] {2}, false), x -> Ref.maxPool(x[0], new Ref.Windows(2, 2, 1, 1, 0, 0, 2, 2)),
                Arg.distinct(2, 1, 4, 3)));
        all.add(layer("AvgPool2d: k3 s2 p1, ceil_mode, count_include_pad False", () -> new AvgPool2d(new int[] {3},
                new int[] {2}, new int[] {1}, true, false), x -> Ref.pool(x[0], new Ref.Windows(3, 3, 2, 2, 1, 1, 1,
                1), true, false, false), Arg.normal(1, 1, 4, 6)));
        all.add(layer("AvgPool2d: (2, 3) s2, ceil_mode", () -> new AvgPool2d(new int[] {2, 3}, new int[] {2},
                new int[] {0}, true, true), x -> Ref.pool(x[0], new Ref.Windows(2, 3, 2, 2, 0, 0, 1, 1), true, false,
                true), Arg.normal(2, 1, 3, 5)));
        all.add(layer("AvgPool2d: k2", () -> new AvgPool2d(2), x -> Ref.avgPool(x[0], 2, 2, 0), Arg.normal(1, 2, 4,
                4)));
        all.add(layer("AvgPool2d: k3 s1 p1", () -> new AvgPool2d(3, 1, 1), x -> Ref.avgPool(x[0], 3, 1, 1),
                Arg.normal(2, 1, 3, 4)));
        for (int[] s : new int[][] {{1, 1}, {3, 2}, {4, 4}, {2, 3}}) {
            String name = switch (s[0] * 10 + s[1]) {
                case 11 -> "AdaptiveAvgPool2d: 1x1";
                case 32 -> "AdaptiveAvgPool2d: 5x7 to 3x2";
                case 44 -> "AdaptiveAvgPool2d: 3x3 to 4x4";
                default -> "AdaptiveAvgPool2d: 4x6 to 2x3";
            };
            all.add(layer(name, () -> new AdaptiveAvgPool2d(s[0], s[1]), x -> Ref.adaptiveAvgPool(x[0], s[0], s[1]),
                    Arg.normal(1, 2, 7, 5)));
        }
        all.add(layer("BatchNorm1d: train", () -> new BatchNorm1d(4), x -> Ref.batchNorm(x[0], x[1], x[2], null,
                null, 1e-5), Arg.normal(5, 4)));
        all.add(layer("BatchNorm1d: eval", () -> new BatchNorm1d(4, 1e-3, 0.2), running("BatchNorm1d: eval",
                1e-3), Arg.normal(3, 4)));
        all.add(layer("BatchNorm1d: train, (N, C, L)", () -> new BatchNorm1d(3), x -> Ref.batchNorm(x[0], x[1], x[2],
                null, null, 1e-5), Arg.normal(2, 3, 2)));
        all.add(layer("BatchNorm2d: train", () -> new BatchNorm2d(3, 1e-4, 0.3), x -> Ref.batchNorm(x[0], x[1], x[2],
                null, null, 1e-4), Arg.normal(2, 3, 2, 2)));
        all.add(layer("BatchNorm2d: eval", () -> new BatchNorm2d(3), running("BatchNorm2d: eval", 1e-5),
                Arg.normal(1, 3, 2, 3)));
        all.add(layer("BatchNorm2d: no affine, no running statistics, eval", () -> new BatchNorm2d(3, 1e-5, 0.1,
                false, false), x -> Ref.batchNorm(x[0], null, null, null, null, 1e-5), Arg.normal(2, 3, 1, 2)));
        all.add(layer("BatchNorm1d: momentum None, no affine", () -> new BatchNorm1d(4, 1e-5, null, false, true),
                x -> Ref.batchNorm(x[0], null, null, null, null, 1e-5), Arg.normal(3, 4)));
        all.add(entry(op("batchNorm", x -> x[0].batchNorm(null, null, x[1], x[2], true, 0.1, 1e-5))
                .reference(x -> Ref.batchNorm(x[0], x[1], x[2], null, null, 1e-5))
                .sample(Arg.normal(3, 4, 2), Arg.normal(4), Arg.normal(4))
                .sample(Sample.of(Arg.normal(5, 3)).call(x -> x[0].batchNorm(null, null, null, null, true, 0.1, 1e-3))
                        .reference(x -> Ref.batchNorm(x[0], null, null, null, null, 1e-3)).label("(N, C), no affine"))
                .sample(Sample.of(Arg.normal(2, 3, 2, 2), Arg.normal(3), Arg.normal(3), Arg.normal(3).constant(),
                        Arg.positive(3).constant()).call(x -> x[0].batchNorm(x[3], x[4], x[1], x[2], false, 0.1, 1e-5))
                        .reference(x -> Ref.batchNorm(x[0], x[1], x[2], x[3], x[4], 1e-5))
                        .label("evaluation: the running statistics"))
                .badInput("a weight of another length", x -> x[0].batchNorm(null, null, x[1], null, true, 0.1, 1e-5),
                        Arg.normal(2, 3), Arg.normal(4))
                .badInput("one value per channel in training", x -> x[0].batchNorm(null, null, null, null, true, 0.1,
                        1e-5), Arg.normal(1, 3)),
                "batchNorm(Tensor,Tensor,Tensor,Tensor,boolean,double,double)"));
        all.add(entry(op("batchNorm split over the cores", x -> x[0].batchNorm(null, null, x[1], x[2], true, 0.1,
                1e-5)).reference(x -> Ref.batchNorm(x[0], x[1], x[2], null, null, 1e-5))
                .sample(Arg.normal(4, 8, 32, 32), Arg.normal(8), Arg.normal(8))
                .skip(Check.GRADCHECK, SPLIT).skip(Check.GRADGRADCHECK, SPLIT)));
        all.add(layer("LayerNorm: last dim", () -> new LayerNorm(5), x -> Ref.layerNorm(x[0], x[1], x[2], 1, 1e-5),
                Arg.normal(2, 5), Arg.normal(5)));
        all.add(layer("LayerNorm: last two dims, eps 1e-3", () -> new LayerNorm(new long[] {3, 4}, 1e-3, true),
                x -> Ref.layerNorm(x[0], x[1], x[2], 2, 1e-3), Arg.normal(1, 3, 4)));
        all.add(layer("LayerNorm: (4, 1e-3) in PyTorch's order", () -> new LayerNorm(4, 1e-3),
                x -> Ref.layerNorm(x[0], x[1], x[2], 1, 1e-3), Arg.normal(3, 4)));
        all.add(layer("LayerNorm: elementwise_affine False", () -> new LayerNorm(new long[] {3, 4}, 1e-5, false),
                x -> Ref.layerNorm(x[0], 2, 1e-5), Arg.normal(2, 3, 4)));
        all.add(layer("Embedding: repeats", () -> new Embedding(10, 4, rng()), x -> Ref.embedding(x[0], x[1]),
                Arg.indices(10, 3, 2)));
        all.add(layer("Embedding: padding index 2", () -> new Embedding(6, 3, 2, rng()), x -> Ref.embedding(x[0],
                x[1]), s -> s.skip(Check.GRADCHECK, PADDING).skip(Check.GRADGRADCHECK, PADDING),
                Arg.index(new long[] {2, 2, 1, 5}, 4)));
        all.add(recurrent("RNN: h0, output then h_n", () -> new RNN(3, 4, rng()), false,
                Sample.of(Arg.normal(1, 2, 3), Arg.normal(1, 1, 4)), Arg.normal(2, 3, 3), Arg.normal(2, 1, 4)));
        all.add(recurrent("LSTM: h0 and c0, output then h_n and c_n", () -> new LSTM(3, 4, rng()), true,
                Sample.of(Arg.normal(1, 2, 3), Arg.normal(1, 1, 4), Arg.normal(1, 1, 4)), Arg.normal(2, 3, 3),
                Arg.normal(2, 1, 4), Arg.normal(1, 2, 4)));
        all.add(recurrent("GRU: h0, output then h_n", () -> new GRU(3, 4, rng()), false,
                Sample.of(Arg.normal(1, 2, 3), Arg.normal(1, 1, 4)), Arg.normal(2, 3, 3), Arg.normal(2, 1, 4)));
        all.add(recurrent("LSTM: 2 layers, bidirectional, h0 and c0", () -> new LSTM(3, 4, Recurrent.options()
                .numLayers(2).bidirectional(true), rng()), true, Sample.of(Arg.normal(1, 2, 3), Arg.normal(4, 1, 4),
                Arg.normal(4, 1, 4)), Arg.normal(1, 2, 3), Arg.normal(2, 1, 4), Arg.normal(4, 1, 4)));
        all.add(recurrent("GRU: seq-first, no bias, h0", () -> new GRU(3, 4, Recurrent.options().batchFirst(false)
                .bias(false), rng()), false, Sample.of(Arg.normal(3, 1, 3), Arg.normal(1, 1, 4)), Arg.normal(3, 2, 3),
                Arg.normal(1, 3, 4)));
        all.add(recurrent("RNN: 3 layers, bidirectional, seq-first, h0", () -> new RNN(2, 3, Recurrent.options()
                .numLayers(3).bidirectional(true).batchFirst(false), rng()), false, Sample.of(Arg.normal(2, 1, 2),
                Arg.normal(6, 1, 3)), Arg.normal(2, 1, 2), Arg.normal(3, 1, 3)));
        all.add(layer("RNN: zero state", () -> new RNN(3, 4, rng()), null, LayerEntries::directions,
                Arg.normal(1, 2, 3)));
        all.add(layer("LSTM: zero state", () -> new LSTM(3, 4, rng()), null, LayerEntries::directions,
                Arg.normal(1, 2, 3)));
        all.add(layer("GRU: zero state", () -> new GRU(3, 4, rng()), null, LayerEntries::directions,
                Arg.normal(1, 2, 3)));
        all.add(layer("MultiheadAttention: causal, 2 heads", () -> new MultiheadAttention(4, 2, true, rng()), null,
                LayerEntries::directions, Arg.normal(1, 3, 4)));
        all.add(layer("MultiheadAttention: 1 head", () -> new MultiheadAttention(6, 1, false, rng()), null,
                LayerEntries::directions, Arg.normal(1, 2, 6)));
        String masked = "MultiheadAttention: bool attn_mask and key_padding_mask";
        BiFunction<MultiheadAttention, Tensor[], Tensor> withMasks = (m, x) -> m.forward(x[0], mask(new double[] {0, 1,
            1, 0, 0, 0, 1, 1, 1, 0, 0, 0, 0, 0, 0, 0}, 4, 4), mask(new double[] {0, 0, 0, 1, 0, 1, 0, 0}, 2, 4));
        all.add(entry(directions(OpSpec.layer(masked, () -> Torch.load(masked, new MultiheadAttention(6, 2, false,
                rng())), withMasks).gradCheck(Registry.TIGHT)).sample(Torch.layerSample(masked, new MultiheadAttention(6,
                2, false, rng()))).sample(Arg.normal(2, 4, 6))
                .badInput("a padding mask of another length", x -> new MultiheadAttention(6, 2, false, rng())
                        .forward(x[0], null, mask(new double[] {0, 0, 0}, 1, 3)), Arg.normal(1, 4, 6))
                .errorName("MultiheadAttention"), "nn.MultiheadAttention"));
        all.add(entry(op("scaledDotProduct", x -> Attention.scaledDotProduct(x[0], x[1], x[2], true))
                .reference(x -> Ref.attention(x[0], x[1], x[2], true))
                .sample(Arg.normal(2, 3, 4), Arg.normal(2, 3, 4), Arg.normal(2, 3, 2))
                .sample(Torch.layerOp("scaledDotProduct: causal"))
                .sample(Torch.layerOp("scaledDotProduct: keys longer than queries")
                        .call(x -> Attention.scaledDotProduct(x[0], x[1], x[2], false))
                        .reference(x -> Ref.attention(x[0], x[1], x[2], false)))
                .badInput("keys of another width", x -> Attention.scaledDotProduct(x[0], x[1], x[2], false),
                        Arg.normal(3, 4), Arg.normal(1, 3, 5), Arg.normal(1, 3, 4)).errorName("Attention"),
                "Attention.scaledDotProduct(Tensor,Tensor,Tensor,boolean)"));
        all.add(entry(op("scaledDotProduct with options", x -> Attention.scaledDotProduct(x[0], x[1], x[2],
                Attention.options().mask(KEEP.get()).scale(0.5))).reference(x -> Ref.attention(x[0], x[1], x[2], 0.5,
                (b, i, j) -> KEEP_VALUES[(int) (i * 5 + j)] ? 0 : Double.NEGATIVE_INFINITY))
                .sample(Arg.normal(2, 3, 4), Arg.normal(2, 5, 4), Arg.normal(2, 5, 2))
                .sample(Torch.layerOp("scaledDotProduct: 4-D, bool mask, scale 0.5"))
                .sample(Torch.layerOp("scaledDotProduct: float mask per batch, broadcast over heads")
                        .call(x -> Attention.scaledDotProduct(x[0], x[1], x[2], Attention.options().mask(
                                thirds().to(x[0].dtype()))))
                        .reference(x -> Ref.attention(x[0], x[1], x[2], 0.5, (b, i, j) -> 0.5 * (((b / 2) * 15 + i * 5
                                + j) % 3) - 1)))
                .sample(Sample.of(Arg.normal(3, 4), Arg.normal(2, 3, 4), Arg.normal(2, 3, 4)).label("2-D queries, "
                        + "broadcast, causal").call(x -> Attention.scaledDotProduct(x[0], x[1], x[2], Attention.options()
                        .causal(true))).reference(x -> Ref.attention(Ref.expand(x[0], 2, 3, 4), x[1], x[2], 0.5,
                        (b, i, j) -> j > i ? Double.NEGATIVE_INFINITY : 0)))
                .badInput("a mask of another shape", x -> Attention.scaledDotProduct(x[0], x[1], x[2], Attention
                        .options().mask(Tensor.zeros(2, 4).to(x[0].dtype()))), Arg.normal(1, 3, 4), Arg.normal(1, 5,
                        4), Arg.normal(1, 5, 4)).errorName("Attention"),
                "Attention.scaledDotProduct(Tensor,Tensor,Tensor,Options)"));
        all.add(entry(op("Flatten", x -> new Flatten().forward(x[0])).reference(x -> x[0].reshape(x[0].size(0),
                x[0].numel() / x[0].size(0))).sample(Arg.normal(2, 3, 2)).sample(Arg.normal(3, 1)), "nn.Flatten"));
        all.add(entry(op("Unflatten", x -> new Unflatten(2, 3).forward(x[0])).reference(x -> x[0].reshape(
                x[0].size(0), 2, 3)).sample(Arg.normal(2, 6)).sample(Arg.normal(1, 6))
                .badInput("another width", x -> new Unflatten(2, 3).forward(x[0]), Arg.normal(2, 5)), "nn.Unflatten"));
        all.add(entry(op("Dropout", x -> new Dropout(0.25, new Rng(3)).forward(x[0]))
                .reference(x -> dropped(x[0], 0.25, 3)).sample(Arg.normal(4, 5)).sample(Arg.normal(2, 1, 3))
                .sample(Sample.of(Arg.normal(3, 4)).call(x -> new Dropout(0.5, new Rng(3)).eval().forward(x[0]))
                        .reference(x -> x[0]).label("eval: the identity")), "nn.Dropout"));
        all.add(entry(op("Activation", x -> Activation.relu().forward(x[0])).reference(x -> x[0].map(v -> Math.max(v,
                0))).sample(Arg.awayFromZero(2, 3))
                .sample(activation(Activation.leakyRelu(0.2), v -> v > 0 ? v : 0.2 * v, "leakyRelu(0.2)"))
                .sample(activation(Activation.tanh(), Math::tanh, "tanh"))
                .sample(activation(Activation.sigmoid(), Ref::sigmoid, "sigmoid"))
                .sample(activation(Activation.gelu(), Ref::gelu, "gelu"))
                .sample(activation(Activation.softplus(), Ref::softplus, "softplus")), "nn.Activation"));
        all.add(entry(op("LayerList", x -> {
            Tensor y = x[0];
            for (Layer l : new LayerList(Activation.tanh(), new Flatten())) {
                y = l.forward(y);
            }
            return y;
        }).reference(x -> x[0].map(Math::tanh).reshape(x[0].size(0), x[0].numel() / x[0].size(0)))
                .sample(Arg.normal(2, 3, 2)), "nn.LayerList"));
        all.add(entry(op("LayerDict", x -> new LayerDict().put("flat", new Flatten()).put("act", Activation.tanh())
                .get("act").forward(x[0])).reference(x -> x[0].map(Math::tanh)).sample(Arg.normal(2, 3)),
                "nn.LayerDict"));
        all.add(entry(OpSpec.layer("Sequential", () -> new Sequential(new Linear(3, 4, new Rng(1)), Activation.tanh(),
                new Linear(4, 2, new Rng(2)))).gradCheck(Registry.TIGHT).reference(x -> Ref.linear(Ref.linear(x[0],
                x[1], x[2]).map(Math::tanh), x[3], x[4])).sample(Arg.normal(5, 3)).sample(Arg.normal(1, 3))
                .errorName("Linear"), "nn.Sequential"));
        return all;
    }

    /** The bool mask of the PyTorch case "scaledDotProduct: 4-D, bool mask, scale 0.5": true where a query sees a key. */
    private static final boolean[] KEEP_VALUES = {true, true, false, true, false, true, false, false, false, true,
        false, true, true, true, true};
    private static final Supplier<Tensor> KEEP = () -> {
        double[] v = new double[KEEP_VALUES.length];
        for (int i = 0; i < v.length; i++) {
            v[i] = KEEP_VALUES[i] ? 1 : 0;
        }
        return Tensor.of(v, 3, 5).gt(0.5);
    };

    /** A bool mask, true where {@code v} is 1. */
    private static Tensor mask(double[] v, long... shape) {
        return Tensor.of(v, shape).gt(0.5);
    }

    /** The float mask of the PyTorch case "... float mask per batch ...": 0.5·(i mod 3) - 1, shape (2, 1, 3, 5). */
    private static Tensor thirds() {
        double[] v = new double[30];
        for (int i = 0; i < v.length; i++) {
            v[i] = 0.5 * (i % 3) - 1;
        }
        return Tensor.of(v, 2, 1, 3, 5);
    }

    /** A fixed generator for the parameters that PyTorch's values replace. */
    private static Rng rng() {
        return new Rng(11);
    }

    /**
     * A layer entry for the PyTorch case {@code name}: the layer made by {@code make} and loaded with the case's
     * parameters, the case as a sample, and random inputs of the given shapes; the reference takes the inputs, then
     * the parameters in the layer's order (null when PyTorch's case is the only reference).
     */
    private static <L extends Layer> Entry layer(String name, Supplier<L> make, Function<Nd[], Nd> reference,
            Arg... random) {
        return layer(name, make, reference, s -> s, random);
    }

    /** As above, the spec changed by {@code more} (a skipped check, other gradcheck options). */
    private static <L extends Layer> Entry layer(String name, Supplier<L> make, Function<Nd[], Nd> reference,
            UnaryOperator<OpSpec> more, Arg... random) {
        OpSpec spec = more.apply(OpSpec.layer(name, () -> Torch.load(name, make.get())).gradCheck(Registry.TIGHT))
                .sample(Torch.layerSample(name, make.get()));
        for (Arg a : random) {
            spec = spec.sample(a);
        }
        spec = reference == null ? spec : spec.reference(reference);
        return entry(spec.errorName(name.substring(0, name.indexOf(':'))), "nn." + name.substring(0,
                name.indexOf(':')));
    }

    /**
     * The recurrent PyTorch case {@code name}: outputs, then h_n (and c_n), flattened into one, from given states; a
     * random sample; and a refused call with states of the wrong shape ({@code bad}: x, h0 and, for an LSTM, c0).
     */
    private static <L extends Recurrent> Entry recurrent(String name, Supplier<L> make, boolean lstm, Sample random,
            Arg... bad) {
        BiFunction<L, Tensor[], Tensor> call = (l, x) -> {
            Recurrent.Output o = l.forward(x[0], x[1], lstm ? x[2] : null);
            return lstm ? Tensor.concat(0, o.output().flatten(), o.hn().flatten(), o.cn().flatten())
                    : Tensor.concat(0, o.output().flatten(), o.hn().flatten());
        };
        String layer = name.substring(0, name.indexOf(':'));
        OpSpec spec = directions(OpSpec.layer(name, () -> Torch.load(name, make.get()), call).gradCheck(
                Registry.TIGHT)).sample(Torch.layerSample(name, make.get())).sample(random)
                .badInput("states of the wrong shape", x -> call.apply(make.get(), x), bad).errorName(layer);
        return entry(spec, "nn." + layer);
    }

    /** Why the padding row escapes finite differences: PyTorch defines its gradient as zero, not as the lookup's. */
    /**
     * Why the split batchNorm skips finite differences: 32,768 values (the size from which the kernel splits the
     * channels over the cores) take 65,536 evaluations of as many values; the small samples check the rule.
     */
    private static final String SPLIT = "32,768 values (where the channels are split over the cores) would take 65,536 "
            + "evaluations of the op; the small samples check the rule, this one the split against the loop reference "
            + "and the recorded backward";

    private static final String PADDING = "PyTorch's padding_idx defines the padding row's gradient as zero, which "
            + "is not the lookup's derivative; PyTorch's values check every gradient";

    /**
     * Second derivatives in 4 random directions (PyTorch's fast_mode) for the layers whose every entry would take
     * most of a minute (an LSTM's 144 parameters, each through every step).
     */
    private static OpSpec directions(OpSpec spec) {
        return spec.secondOrder(Registry.TIGHT.fast(4));
    }

    /** Batch norm in evaluation from the running statistics of the PyTorch case {@code name}. */
    private static Function<Nd[], Nd> running(String name, double eps) {
        Nd mean = Torch.nd(Torch.LAYERS.get(name).get("buffers").get("running_mean"));
        Nd var = Torch.nd(Torch.LAYERS.get(name).get("buffers").get("running_var"));
        return x -> Ref.batchNorm(x[0], x[1], x[2], mean, var, eps);
    }

    /** conv1d as a 2-D convolution of height 1. */
    private static Nd conv1d(Nd x, Nd w, Nd b, int stride, int pad, int dilation, int groups) {
        Nd y = Ref.conv2d(x.reshape(x.size(0), x.size(1), 1, x.size(2)), w.reshape(w.size(0), w.size(1), 1,
                w.size(2)), b, 1, stride, 0, pad, 1, dilation, groups);
        return y.reshape(y.size(0), y.size(1), y.size(3));
    }

    /** x·mask/(1-p) with the mask Rng(seed) draws: 1 where its 32 random bits fall below (1-p)·2^32. */
    private static Nd dropped(Nd x, double p, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        long threshold = Math.round((1 - p) * 0x1p32);
        double[] v = new double[x.numel()];
        for (int i = 0; i < v.length; i++) {
            v[i] = (r.nextInt() & 0xFFFFFFFFL) < threshold ? x.data()[i] / (1 - p) : 0;
        }
        return new Nd(x.shape(), v);
    }

    private static Sample activation(Activation a, java.util.function.DoubleUnaryOperator f, String label) {
        return Sample.of(Arg.awayFromZero(2, 3)).call(x -> a.forward(x[0])).reference(x -> x[0].map(f)).label(label);
    }
}
