package ndgrad.testing;

import static ndgrad.testing.Registry.entry;
import static ndgrad.testing.Registry.op;

import java.util.List;
import ndgrad.autograd.Tensor;
import ndgrad.core.kernels.Unfold;
import ndgrad.testing.Registry.Entry;

/** The shape ops and the indexing ops: views, copies, joins, gathers and windows. */
final class ShapeEntries {
    private ShapeEntries() {
    }

    static List<Entry> entries() {
        return List.of(
                entry(op("reshape", x -> x[0].reshape(3, -1)).reference(x -> x[0].reshape(3, 2))
                        .sample(Arg.normal(2, 3)).sample(Arg.normal(6)).sample(Arg.normal(3, 1, 2))
                        .sample(Sample.of(Arg.normal(2, 3)).call(x -> x[0].reshape(2, 3)).reference(x -> x[0])
                                .label("to its own shape"))
                        .sample(Sample.of(Arg.normal()).call(x -> x[0].reshape(1, 1)).reference(x -> x[0].reshape(1, 1))
                                .label("a scalar to (1, 1)"))
                        .badInput("sizes that do not fill it", x -> x[0].reshape(4, -1), Arg.normal(2, 3))
                        .badInput("two -1", x -> x[0].reshape(-1, -1), Arg.normal(2, 3)), "reshape(long[])"),
                entry(op("view", x -> x[0].view(-1, 2).mul(x[0].view(6).view(3, 2))).reference(x ->
                        x[0].reshape(3, 2).map(v -> v * v)).sample(Arg.normal(2, 3)).sample(Arg.normal(6))
                        .skip(Check.LAYOUT, "view needs C-contiguous memory and refuses other layouts, as its bad "
                                + "input 'transposed' checks")
                        .badInput("transposed", x -> x[0].t().view(6), Arg.normal(2, 3)), "view(long[])"),
                entry(op("flatten", x -> x[0].flatten()).reference(x -> x[0].reshape(x[0].numel()))
                        .sample(Arg.normal(2, 3)).sample(Arg.normal()).sample(Arg.normal(2, 1, 3, 2))
                        .sample(Sample.of(Arg.normal(2, 3, 2, 2)).call(x -> x[0].flatten(1)).label("from dim 1")
                                .reference(x -> x[0].reshape(2, 12)))
                        .sample(Sample.of(Arg.normal(2, 3, 4)).call(x -> x[0].flatten(-2)).label("from dim -2")
                                .reference(x -> x[0].reshape(2, 12)))
                        .badInput("dim out of range", x -> x[0].flatten(2), Arg.normal(2, 3)).errorName("flatten"),
                        "flatten()", "flatten(int)"),
                entry(op("permute", x -> x[0].permute(2, 0, 1)).reference(x -> Ref.permute(x[0], 2, 0, 1))
                        .sample(Arg.normal(2, 3, 4)).sample(Arg.normal(1, 3, 1))
                        .sample(Sample.of(Arg.normal(2, 1, 3, 2)).call(x -> x[0].permute(-1, 1, 0, 2))
                                .reference(x -> Ref.permute(x[0], 3, 1, 0, 2)).label("rank 4, a negative dim"))
                        .badInput("repeated dim", x -> x[0].permute(0, 0, 1), Arg.normal(2, 3, 4))
                        .badInput("too few dims", x -> x[0].permute(1, 0), Arg.normal(2, 3, 4)), "permute(int[])"),
                entry(op("transpose", x -> x[0].transpose(0, 2)).reference(x -> Ref.transpose(x[0], 0, 2))
                        .sample(Arg.normal(2, 3, 4)).sample(Arg.normal(4, 1, 2))
                        .badInput("dim out of range", x -> x[0].transpose(0, 3), Arg.normal(2, 3, 4)),
                        "transpose(int,int)"),
                entry(op("t", x -> x[0].t()).reference(x -> Ref.transpose(x[0], 0, 1)).sample(Arg.normal(2, 3))
                        .sample(Arg.normal(1, 4)).badInput("rank 3", x -> x[0].t(), Arg.normal(2, 3, 4)), "t()"),
                entry(op("mT", x -> x[0].mT()).reference(x -> Ref.transpose(x[0], -2, -1)).sample(Arg.normal(2, 3, 4))
                        .sample(Arg.normal(3, 2)), "mT()"),
                entry(op("unsqueeze", x -> x[0].unsqueeze(1)).reference(x -> Ref.unsqueeze(x[0], 1))
                        .sample(Arg.normal(3, 4)).sample(Arg.normal(2))
                        .sample(Sample.of(Arg.normal()).call(x -> x[0].unsqueeze(-1)).reference(x -> x[0].reshape(1))
                                .label("a scalar at -1"))
                        .badInput("dim out of range", x -> x[0].unsqueeze(4), Arg.normal(2, 3)), "unsqueeze(int)"),
                entry(op("squeeze", x -> x[0].squeeze(-1)).reference(x -> x[0].reshape(x[0].size(0), x[0].size(1)))
                        .sample(Arg.normal(3, 4, 1)).sample(Arg.normal(1, 1, 1))
                        .badInput("a dim larger than 1", x -> x[0].squeeze(0), Arg.normal(2, 3)), "squeeze(int)"),
                entry(op("expand", x -> x[0].expand(2, 3, 4)).reference(x -> Ref.expand(x[0], 2, 3, 4))
                        .sample(Arg.normal(3, 1)).sample(Arg.normal(4)).sample(Arg.normal()).sample(Arg.normal(2, 3, 4))
                        .badInput("a size that is not 1", x -> x[0].expand(2, 3, 4), Arg.normal(2, 4)),
                        "expand(long[])"),
                entry(op("sumTo", x -> x[0].sumTo(3, 1)).reference(x -> Ref.sumTo(x[0], 3, 1))
                        .sample(Arg.normal(2, 3, 4)).sample(Arg.normal(3, 5)).sample(Arg.normal(3, 1))
                        .badInput("not a broadcast of it", x -> x[0].sumTo(4, 1), Arg.normal(2, 3, 4)),
                        "sumTo(long[])"),
                entry(op("slice", x -> x[0].slice(1, 1, -1)).reference(x -> Ref.slice(x[0], 1, 1, x[0].size(1) - 1))
                        .sample(Arg.normal(3, 5)).sample(Arg.normal(2, 3, 2))
                        .sample(Sample.of(Arg.normal(4)).call(x -> x[0].slice(0, 2, 2)).reference(x -> Ref.slice(x[0],
                                0, 2, 2)).label("empty"))
                        .badInput("range out of bounds", x -> x[0].slice(1, 0, 6), Arg.normal(3, 5))
                        .badInput("start after end", x -> x[0].slice(1, 3, 2), Arg.normal(3, 5)),
                        "slice(int,long,long)"),
                entry(op("pad", x -> x[0].pad(0, 2, 1)).reference(x -> Ref.pad(x[0], 0, 2, 1))
                        .sample(Arg.normal(2, 3)).sample(Arg.normal(1)).sample(Arg.normal(2, 1, 2))
                        .sample(Torch.sample("pad: values"))
                        .badInput("negative padding", x -> x[0].pad(0, -1, 1), Arg.normal(2, 3)), "pad(int,long,long)"),
                entry(op("select", x -> x[0].select(1, -1)).reference(x -> Ref.slice(x[0], 1, x[0].size(1) - 1,
                        x[0].size(1)).reshape(x[0].size(0))).sample(Arg.normal(3, 4)).sample(Arg.normal(2, 1))
                        .badInput("index out of range", x -> x[0].select(1, 4), Arg.normal(3, 4)), "select(int,long)"),
                entry(op("row", x -> x[0].row(1)).reference(x -> Ref.slice(x[0], 0, 1, 2).reshape(x[0].size(1)))
                        .sample(Arg.normal(3, 4)).sample(Arg.normal(2, 1))
                        .badInput("row out of range", x -> x[0].row(3), Arg.normal(3, 4)), "row(long)"),
                entry(op("indexSelect", x -> x[0].indexSelect(0, 2, 0, 2)).reference(x -> Ref.indexSelect(x[0], 0, 2,
                        0, 2)).sample(Arg.normal(3, 4)).sample(Arg.normal(3))
                        .sample(Sample.of(Arg.normal(2, 4)).call(x -> x[0].indexSelect(-1, 3, 0, 1))
                                .reference(x -> Ref.indexSelect(x[0], 1, 3, 0, 1)).label("axis -1"))
                        .sample(Torch.sample("indexSelect: repeats"))
                        .badInput("index out of range", x -> x[0].indexSelect(0, 0, 3), Arg.normal(3, 4))
                        .badInput("negative index", x -> x[0].indexSelect(0, -1), Arg.normal(3, 4))
                        .badInput("axis out of range", x -> x[0].indexSelect(2, 0), Arg.normal(3, 4)),
                        "indexSelect(int,long[])"),
                entry(op("concat", x -> Tensor.concat(1, x[0], x[1], x[0])).reference(x -> Ref.concat(1, x[0], x[1],
                        x[0])).sample(Arg.normal(2, 3), Arg.normal(2, 1)).sample(Arg.normal(2, 0), Arg.normal(2, 2))
                        .sample(Sample.of(Arg.normal(3), Arg.normal(2)).call(x -> Tensor.concat(-1, x[0], x[1]))
                                .reference(x -> Ref.concat(0, x[0], x[1])).label("1-D at -1"))
                        .badInput("other sizes", x -> Tensor.concat(1, x[0], x[1]), Arg.normal(2, 3), Arg.normal(3, 1))
                        .badInput("no tensors", x -> Tensor.concat(0)), "concat(int,Tensor[])"),
                entry(op("stack", x -> Tensor.stack(1, x[0], x[1])).reference(x -> Ref.concat(1,
                        Ref.unsqueeze(x[0], 1), Ref.unsqueeze(x[1], 1))).sample(Arg.normal(2, 3), Arg.normal(2, 3))
                        .sample(Sample.of(Arg.normal(), Arg.normal()).call(x -> Tensor.stack(0, x[0], x[1]))
                                .reference(x -> Ref.concat(0, x[0].reshape(1), x[1].reshape(1))).label("scalars"))
                        .badInput("other shapes", x -> Tensor.stack(0, x[0], x[1]), Arg.normal(2, 3), Arg.normal(3, 2))
                        .badInput("no tensors", x -> Tensor.stack(0)), "stack(int,Tensor[])"),
                entry(op("unbind", x -> x[0].unbind(1)[1]).reference(x -> Ref.slice(x[0], 1, 1, 2).reshape(2, 4))
                        .sample(Arg.normal(2, 3, 4))
                        .sample(Sample.of(Arg.normal(3, 2)).call(x -> {
                            Tensor[] rows = x[0].unbind(0);
                            return rows[0].mul(rows[2]).add(rows[1]);
                        }).reference(x -> Ref.slice(x[0], 0, 0, 1).zip(Ref.slice(x[0], 0, 2, 3), (a, b) -> a * b)
                                .zip(Ref.slice(x[0], 0, 1, 2), Double::sum).reshape(2)).label("three rows, two used "
                                + "twice and one once"))
                        .badInput("axis out of range", x -> x[0].unbind(2)[0], Arg.normal(2, 3))),
                entry(op("chunk", x -> {
                    Tensor[] p = x[0].chunk(3, 1);
                    return Tensor.concat(1, p[2], p[0].mul(p[1]));
                }).reference(x -> Ref.concat(1, Ref.slice(x[0], 1, 6, 7), Ref.slice(x[0], 1, 0, 3).zip(Ref.slice(x[0],
                        1, 3, 6), (a, b) -> a * b))).sample(Arg.normal(2, 7))
                        .sample(Sample.of(Arg.normal(4, 2)).call(x -> x[0].chunk(3, 0)[1]).reference(x -> Ref.slice(
                                x[0], 0, 2, 4)).label("4 rows in 3 chunks: 2 pieces of 2, as PyTorch; the second"))
                        .sample(Sample.of(Arg.normal(5, 2)).call(x -> x[0].chunk(2, 0)[1]).reference(x -> Ref.slice(
                                x[0], 0, 3, 5)).label("5 rows in 2 chunks: 3 and 2; the smaller second alone"))
                        .sample(Sample.of(Arg.normal(2, 4)).call(x -> x[0].chunk(2, -1)[1].sigmoid()).reference(x ->
                                Ref.slice(x[0], 1, 2, 4).map(Ref::sigmoid)).label("the first piece unused"))
                        .badInput("no chunks", x -> x[0].chunk(0, 0)[0], Arg.normal(2, 3))
                        .badInput("axis out of range", x -> x[0].chunk(2, 2)[0], Arg.normal(2, 3))),
                entry(op("lstmCell", x -> {
                    Tensor[] hc = x[0].lstmCell(x[1]);
                    return Tensor.concat(1, hc[0], hc[1]);
                }).reference(x -> lstmCell(x[0], x[1], true, true)).sample(Arg.normal(3, 8), Arg.normal(3, 2))
                        .sample(Sample.of(Arg.normal(2, 12), Arg.normal(2, 3)).call(x -> x[0].lstmCell(x[1])[0])
                                .reference(x -> lstmCell(x[0], x[1], true, false)).label("h alone, as at the last step"))
                        .sample(Sample.of(Arg.normal(2, 4), Arg.normal(2, 1)).call(x -> x[0].mul(4).lstmCell(x[1])[1])
                                .reference(x -> lstmCell(x[0].map(v -> 4 * v), x[1], false, true))
                                .label("c' alone, gates scaled by 4 toward saturation"))
                        .badInput("gates not 4H wide", x -> x[0].lstmCell(x[1])[0], Arg.normal(3, 7), Arg.normal(3, 2))
                        .badInput("batches differ", x -> x[0].lstmCell(x[1])[0], Arg.normal(3, 8), Arg.normal(2, 2))),
                entry(op("lstm", x -> lstmAll(x[0].lstm(x[1], x[2], x[3], x[4], false)))
                        .reference(x -> lstmRef(x[0], x[1], x[2], x[3], x[4], false))
                        .sample(Arg.normal(2, 3, 8), Arg.normal(2, 2), Arg.normal(2, 2), Arg.normal(8, 2), Arg.normal(8))
                        .sample(Sample.of(Arg.normal(1, 4, 4), Arg.normal(1, 1), Arg.normal(1, 1), Arg.normal(4, 1),
                                Arg.normal(4)).call(x -> lstmAll(x[0].lstm(x[1], x[2], x[3], x[4], true)))
                                .reference(x -> lstmRef(x[0], x[1], x[2], x[3], x[4], true)).label("reverse"))
                        .sample(Sample.of(Arg.normal(3, 2, 8), Arg.normal(3, 2), Arg.normal(3, 2), Arg.normal(8, 2))
                                .call(x -> x[0].lstm(x[1], x[2], x[3], null, false)[0]).reference(x -> Ref.slice(
                                        lstmRef(x[0], x[1], x[2], x[3], null, false), 0, 0, 12).reshape(3, 2, 2)).label("no bias, the "
                                        + "output alone"))
                        .badInput("gx not 4H wide", x -> x[0].lstm(x[1], x[2], x[3], null, false)[0],
                                Arg.normal(2, 3, 7), Arg.normal(2, 2), Arg.normal(2, 2), Arg.normal(8, 2))
                        .badInput("states of another batch", x -> x[0].lstm(x[1], x[2], x[3], null, false)[0],
                                Arg.normal(2, 3, 8), Arg.normal(3, 2), Arg.normal(3, 2), Arg.normal(8, 2))),
                entry(op("lstm split over the cores", x -> lstmAll(x[0].lstm(x[1], x[2], x[3].mul(0.05), x[4], true)))
                        .reference(x -> lstmRef(x[0], x[1], x[2], x[3].map(v -> 0.05 * v), x[4], true))
                        .sample(Arg.normal(4, 2, 2048), Arg.normal(4, 512), Arg.normal(4, 512), Arg.normal(2048, 512),
                                Arg.normal(2048))
                        .skip(Check.GRADCHECK, SPLIT).skip(Check.GRADGRADCHECK, SPLIT)),
                entry(op("gather", x -> x[0].gather(1, x[1])).reference(x -> Ref.gather(x[0], 1, x[1]))
                        .sample(Arg.normal(2, 5), Arg.index(new long[] {0, 4, 4, 1, 2, 2, 2, 3}, 2, 4))
                        .sample(Arg.normal(3, 4), Arg.indices(4, 3, 2))
                        .sample(Sample.of(Arg.normal(3, 4), Arg.index(new long[] {2, 0, 1, 1}, 1, 4))
                                .call(x -> x[0].gather(0, x[1])).reference(x -> Ref.gather(x[0], 0, x[1]))
                                .label("dim 0"))
                        .sample(Torch.sample("gather: repeats"))
                        .badInput("index past the end", x -> x[0].gather(1, x[1]), Arg.normal(2, 3),
                                Arg.index(new long[] {0, 3}, 2, 1))
                        .badInput("negative index", x -> x[0].gather(1, x[1]), Arg.normal(2, 3),
                                Arg.index(new long[] {0, -1}, 2, 1))
                        .badInput("index larger in another dim", x -> x[0].gather(1, x[1]), Arg.normal(2, 3),
                                Arg.index(new long[] {0, 1, 2}, 3, 1))
                        .badInput("index of another rank", x -> x[0].gather(1, x[1]), Arg.normal(2, 3),
                                Arg.index(new long[] {0, 1}, 2))
                        .badInput("floating index", x -> x[0].gather(1, x[1]), Arg.normal(2, 3),
                                Arg.of(new double[] {0, 1}, 2, 1).constant()), "gather(int,Tensor)"),
                entry(op("scatterAdd", x -> x[0].scatterAdd(1, x[1], x[2])).reference(x -> Ref.scatterAdd(x[0], 1,
                        x[1], x[2])).sample(Arg.normal(2, 5), Arg.index(new long[] {0, 4, 4, 1, 2, 2, 3, 0}, 2, 4),
                        Arg.normal(2, 4)).sample(Arg.normal(3, 4), Arg.indices(4, 3, 2), Arg.normal(3, 2))
                        .sample(Torch.sample("scatterAdd: repeats"))
                        .badInput("index past the end", x -> x[0].scatterAdd(1, x[1], x[2]), Arg.normal(2, 3),
                                Arg.index(new long[] {0, 3}, 2, 1), Arg.normal(2, 1))
                        .badInput("src of another shape", x -> x[0].scatterAdd(1, x[1], x[2]), Arg.normal(2, 3),
                                Arg.index(new long[] {0, 1}, 2, 1), Arg.normal(2, 2)), "scatterAdd(int,Tensor,Tensor)"),
                entry(op("contiguous", x -> x[0].contiguous()).reference(x -> x[0]).sample(Arg.normal(2, 3))
                        .sample(Sample.of(Arg.normal(2, 3)).call(x -> x[0].t().contiguous())
                                .reference(x -> Ref.transpose(x[0], 0, 1)).label("of a transposed view")),
                        "contiguous()"),
                entry(op("unfold", x -> x[0].unfold(new Unfold.Geometry(2, 2, 5, 4, 3, 3, 2, 2, 1, 1, 1, 1), 0))
                        .reference(x -> Ref.unfold(x[0], new Ref.Windows(3, 3, 2, 2, 1, 1, 1, 1), 0))
                        .sample(Arg.normal(2, 2, 5, 4))
                        .sample(Torch.sample("unfold: padding filled").call(x -> x[0].unfold(new Unfold.Geometry(2, 1,
                                4, 4, 2, 2, 1, 1, 1, 1, 2, 2), 2.5)).reference(x -> Ref.unfold(x[0],
                                new Ref.Windows(2, 2, 1, 1, 1, 1, 2, 2), 2.5)))
                        .badInput("input of another shape", x -> x[0].unfold(new Unfold.Geometry(2, 2, 5, 4, 3, 3, 2,
                                2, 1, 1, 1, 1), 0), Arg.normal(2, 2, 4, 4)), "unfold(Geometry,double)"),
                entry(op("conv2d", x -> x[0].conv2d(x[1], x[2], new Unfold.Geometry(2, 2, 5, 4, 3, 3, 2, 2, 1, 1, 1,
                        1), 1)).reference(x -> Ref.conv2d(x[0], x[1], x[2], 2, 2, 1, 1, 1, 1, 1))
                        .sample(Arg.normal(2, 2, 5, 4), Arg.normal(3, 2, 3, 3), Arg.normal(3))
                        .sample(Sample.of(Arg.normal(3, 4, 4, 5), Arg.normal(6, 2, 2, 2)).call(x -> x[0].conv2d(x[1],
                                null, new Unfold.Geometry(3, 4, 4, 5, 2, 2, 1, 2, 0, 1, 2, 1), 2)).reference(x -> Ref
                                .conv2d(x[0], x[1], null, 1, 2, 0, 1, 2, 1, 2)).label("groups 2, no bias, stride (1, 2), "
                                + "padding (0, 1), dilation (2, 1)"))
                        .badInput("weight of other input channels", x -> x[0].conv2d(x[1], null, new Unfold.Geometry(1,
                                2, 4, 4, 3, 3, 1, 1, 0, 0, 1, 1), 1), Arg.normal(1, 2, 4, 4), Arg.normal(3, 1, 3, 3))
                        .badInput("bias of another size", x -> x[0].conv2d(x[1], x[2], new Unfold.Geometry(1, 2, 4, 4,
                                3, 3, 1, 1, 0, 0, 1, 1), 1), Arg.normal(1, 2, 4, 4), Arg.normal(3, 2, 3, 3),
                                Arg.normal(2)), "conv2d(Tensor,Tensor,Geometry,int)"),
                entry(op("maxPool2d", x -> x[0].maxPool2d(new Unfold.Geometry(1, 2, 5, 5, 3, 3, 2, 2, 1, 1, 1, 1)))
                        .reference(x -> Ref.maxPool(x[0], new Ref.Windows(3, 3, 2, 2, 1, 1, 1, 1)))
                        .sample(Arg.distinct(1, 2, 5, 5)).sample(Torch.edge("maxPool2d: ties and padding"))
                        .sample(Sample.of(Arg.distinct(2, 1, 4, 6)).call(x -> x[0].maxPool2d(new Unfold.Geometry(2, 1,
                                4, 6, 2, 3, 2, 1, 0, 1, 1, 2))).reference(x -> Ref.maxPool(x[0], new Ref.Windows(2, 3,
                                2, 1, 0, 1, 1, 2))).label("2x3 windows, stride (2, 1), dilation (1, 2)"))
                        .badInput("input of another shape", x -> x[0].maxPool2d(new Unfold.Geometry(1, 2, 5, 5, 3, 3,
                                2, 2, 1, 1, 1, 1)), Arg.normal(1, 2, 4, 5))
                        .badInput("an int64 input", x -> x[0].maxPool2d(new Unfold.Geometry(1, 1, 2, 2, 2, 2, 2, 2, 0, 0,
                                1, 1)), Arg.index(new long[] {1, 4, 2, 3}, 1, 1, 2, 2)), "maxPool2d(Geometry)"));
    }

    /**
     * The LSTM cell by plain loops (Hochreiter &amp; Schmidhuber 1997, PyTorch's gate order i, f, g, o): h, c' or both
     * joined along dim 1.
     */
    private static Nd lstmCell(Nd gates, Nd c, boolean withH, boolean withC) {
        int b = (int) c.size(0);
        int n = (int) c.size(1);
        int width = (withH ? n : 0) + (withC ? n : 0);
        double[] out = new double[b * width];
        for (int r = 0; r < b; r++) {
            for (int j = 0; j < n; j++) {
                double i = Ref.sigmoid(gates.get(r, j));
                double f = Ref.sigmoid(gates.get(r, n + j));
                double g = Math.tanh(gates.get(r, 2 * n + j));
                double o = Ref.sigmoid(gates.get(r, 3 * n + j));
                double next = f * c.get(r, j) + i * g;
                if (withH) {
                    out[r * width + j] = o * Math.tanh(next);
                }
                if (withC) {
                    out[r * width + (withH ? n : 0) + j] = next;
                }
            }
        }
        return Nd.of(out, b, width);
    }

    /**
     * Why the split lstm skips finite differences: 4 rows of 512 units (the size from which the kernel splits the
     * batch over the cores) take millions of evaluations; the small lstm samples check the rule, this one the split,
     * against the loop reference and against the recorded backward, which takes each step's cell again unsplit.
     */
    private static final String SPLIT = "4 rows of 512 units (where the batch is split over the cores) would take "
            + "millions of evaluations; the small samples check the rule, this one the split against the loop reference"
            + " and the recorded backward";

    /** lstm's output, h_n and c_n flattened and joined. */
    private static Tensor lstmAll(Tensor[] r) {
        return Tensor.concat(0, r[0].flatten(), r[1].flatten(), r[2].flatten());
    }

    /**
     * An LSTM direction by plain loops: each step's gates gx_t + b + h·wᵀ through {@link #lstmCell}'s reference;
     * the output (B, T, H), h_n and c_n flattened and joined.
     */
    private static Nd lstmRef(Nd gx, Nd h0, Nd c0, Nd w, Nd b, boolean reverse) {
        int batch = (int) gx.size(0);
        int steps = (int) gx.size(1);
        int g4 = (int) gx.size(2);
        int n = g4 / 4;
        double[] h = h0.data().clone();
        double[] c = c0.data().clone();
        double[] out = new double[batch * steps * n];
        for (int s = 0; s < steps; s++) {
            int t = reverse ? steps - 1 - s : s;
            double[] gates = new double[batch * g4];
            for (int r = 0; r < batch; r++) {
                for (int j = 0; j < g4; j++) {
                    double v = gx.get(r, t, j) + (b == null ? 0 : b.get(j));
                    for (int k = 0; k < n; k++) {
                        v += h[r * n + k] * w.get(j, k);
                    }
                    gates[r * g4 + j] = v;
                }
            }
            Nd hc = lstmCell(Nd.of(gates, batch, g4), Nd.of(c, batch, n), true, true);
            for (int r = 0; r < batch; r++) {
                for (int k = 0; k < n; k++) {
                    h[r * n + k] = hc.get(r, k);
                    c[r * n + k] = hc.get(r, n + k);
                    out[(r * steps + t) * n + k] = h[r * n + k];
                }
            }
        }
        double[] all = new double[out.length + 2 * h.length];
        System.arraycopy(out, 0, all, 0, out.length);
        System.arraycopy(h, 0, all, out.length, h.length);
        System.arraycopy(c, 0, all, out.length + h.length, c.length);
        return Nd.of(all, all.length);
    }
}
