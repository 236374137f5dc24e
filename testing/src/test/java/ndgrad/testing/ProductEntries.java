package ndgrad.testing;

import static ndgrad.testing.Registry.entry;
import static ndgrad.testing.Registry.op;

import java.util.List;
import ndgrad.testing.Registry.Entry;

/** The matrix products: matmul with torch.matmul's semantics at every rank, and linear. */
final class ProductEntries {
    private ProductEntries() {
    }

    static List<Entry> entries() {
        OpSpec matmul = op("matmul", x -> x[0].matmul(x[1])).reference(x -> Ref.matmul(x[0], x[1]));
        long[][][] shapes = {
            {{2, 3}, {3, 4}}, {{4}, {4}}, {{3, 4}, {4}}, {{4}, {4, 3}}, {{2, 3, 4}, {4}}, {{4}, {2, 4, 3}},
            {{2, 2, 3}, {2, 3, 2}}, {{2, 2, 3}, {3, 2}}, {{2, 3}, {2, 3, 2}}, {{1, 2, 3}, {2, 3, 2}},
            {{2, 1, 3, 5}, {5}}, {{5}, {2, 1, 5, 3}}, {{2, 1, 3, 5}, {5, 4}}, {{2, 1, 3, 5}, {4, 5, 2}},
            {{3, 1, 2, 1, 2, 3}, {2, 1, 3, 2}}, {{1, 3}, {3, 1}}};
        for (long[][] s : shapes) {
            matmul = matmul.sample(Arg.normal(s[0]), Arg.normal(s[1]));
        }
        matmul = matmul
                .sample(Sample.of(Arg.normal(3, 2), Arg.normal(4, 3)).call(x -> x[0].t().matmul(x[1].t()))
                        .reference(x -> Ref.matmul(Ref.transpose(x[0], 0, 1), Ref.transpose(x[1], 0, 1)))
                        .label("of transposed views"))
                .sample(Sample.of(Arg.normal(2, 3, 4), Arg.normal(2, 3, 5)).call(x -> x[0].mT().matmul(x[1]))
                        .reference(x -> Ref.matmul(Ref.transpose(x[0], 1, 2), x[1])).label("of a batched transpose"))
                .sample(Torch.sample("matmul: 2-D")).sample(Torch.sample("matmul: 4-D by 1-D"))
                .sample(Torch.sample("matmul: 1-D by 4-D")).sample(Torch.sample("matmul: 4-D by 2-D"))
                .sample(Torch.sample("matmul: batches broadcast"))
                .badInput("inner sizes differ", x -> x[0].matmul(x[1]), Arg.normal(2, 3), Arg.normal(4, 2))
                .badInput("batches that do not broadcast", x -> x[0].matmul(x[1]), Arg.normal(2, 2, 3),
                        Arg.normal(3, 3, 2))
                .badInput("a scalar", x -> x[0].matmul(x[1]), Arg.normal(), Arg.normal(3));
        return List.of(entry(matmul, "matmul(Tensor)"),
                entry(op("linear", x -> x[0].linear(x[1], x[2])).reference(x -> Ref.linear(x[0], x[1], x[2]))
                        .sample(Arg.normal(4, 3), Arg.normal(5, 3), Arg.normal(5))
                        .sample(Arg.normal(1, 2), Arg.normal(1, 2), Arg.normal(1, 1))
                        .sample(Sample.of(Arg.normal(4, 3), Arg.normal(2, 3)).call(x -> x[0].linear(x[1], null))
                                .reference(x -> Ref.linear(x[0], x[1], null)).label("without bias"))
                        .sample(Torch.sample("linear: values"))
                        .sample(Torch.sample("linear: 3-D input"))
                        .sample(Torch.sample("linear: 1-D input, no bias").call(x -> x[0].linear(x[1], null))
                                .reference(x -> Ref.linear(x[0], x[1], null)))
                        .sample(Sample.of(Arg.normal(2, 1, 3, 4), Arg.normal(2, 4)).call(x -> x[0].linear(x[1], null))
                                .reference(x -> Ref.linear(x[0], x[1], null)).label("4-D input without bias"))
                        .sample(Sample.of(Arg.normal(2, 4, 3), Arg.normal(5, 4), Arg.normal(5))
                                .call(x -> x[0].mT().linear(x[1], x[2]))
                                .reference(x -> Ref.linear(Ref.transpose(x[0], 1, 2), x[1], x[2]))
                                .label("of a transposed 3-D view"))
                        .badInput("weight of another width", x -> x[0].linear(x[1], x[2]), Arg.normal(4, 3),
                                Arg.normal(5, 2), Arg.normal(5))
                        .badInput("bias of another size", x -> x[0].linear(x[1], x[2]), Arg.normal(4, 3),
                                Arg.normal(5, 3), Arg.normal(4))
                        .badInput("3-D input of another width", x -> x[0].linear(x[1], x[2]), Arg.normal(2, 4, 3),
                                Arg.normal(5, 4), Arg.normal(5))
                        .badInput("a scalar input", x -> x[0].linear(x[1], x[2]), Arg.normal(), Arg.normal(5, 1),
                                Arg.normal(5)), "linear(Tensor,Tensor)"));
    }
}
