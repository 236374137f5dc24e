package ndgrad.testing;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.DoubleUnaryOperator;
import java.util.function.Function;
import java.util.function.UnaryOperator;
import ndgrad.autograd.GradCheck;
import ndgrad.autograd.Tensor;

/**
 * Every public op of ndgrad, one entry each, as PyTorch's OpInfo list: the {@link OpSpec} the battery checks, and
 * the public methods it covers, by signature ("sum(boolean,int[])"), so that {@link CoverageTest} finds a method
 * with none. The entries are grouped by family in the classes named below.
 */
final class Registry {
    /** Tighter than PyTorch's gradcheck defaults: atol 1e-7 (100×), rtol 1e-6 (1000×). */
    static final GradCheck.Options TIGHT = GradCheck.Options.defaults().tolerances(1e-7, 1e-6);

    /**
     * Public methods returning a Tensor that are not ops, each with the reason; everything else needs an entry.
     */
    static final Map<String, String> EXCLUDED = Map.of(
            "Tensor.grad()", "the gradient a backward accumulated: the engine's state, checked in EngineTest",
            "Tensor.requiresGrad()", "marks a leaf: every check of the battery starts from it",
            "Tensor.requiresGrad(boolean)", "marks a leaf: every check of the battery starts from it",
            "Tensor.retainGrad()", "keeps an intermediate's gradient: the engine's state, checked in EngineTest",
            "Tensor.setGrad(Tensor)", "sets a leaf's gradient from outside backward: checked in EngineTest",
            "Tensor.keep()", "memory lifetime only (the values are the same tensor's): checked in ScopeTest",
            "Tensor.named(String)", "a label for messages and pictures, the tensor itself",
            "Tensor.modify(Consumer)", "runs the caller's code on the array in place (optimizers' updates); its "
                    + "in-place rules are the entry 'in-place' ones");

    /** One entry: the spec, and the signatures of the public methods whose calls its samples make. */
    record Entry(OpSpec spec, List<String> covers) {
        @Override
        public String toString() {
            return spec.name();
        }
    }

    private Registry() {
    }

    /** Every entry. */
    static List<Entry> all() {
        List<Entry> all = new ArrayList<>();
        all.addAll(ElementwiseEntries.entries());
        all.addAll(ReductionEntries.entries());
        all.addAll(ShapeEntries.entries());
        all.addAll(ProductEntries.entries());
        all.addAll(TensorEntries.entries());
        all.addAll(LossEntries.entries());
        all.addAll(LayerEntries.entries());
        return all;
    }

    /** An entry covering the given signatures of Tensor (a class is named for others: "Losses.mse(Tensor,...)"). */
    static Entry entry(OpSpec spec, String... covers) {
        List<String> c = new ArrayList<>();
        for (String s : covers) {
            c.add(s.contains(".") && (s.indexOf('(') < 0 || s.indexOf('.') < s.indexOf('(')) ? s : "Tensor." + s);
        }
        return new Entry(spec, List.copyOf(c));
    }

    /**
     * An op's spec with the registry's tight gradcheck tolerances, whose errors must name the op: the entry's name up
     * to its first space ("max dim" names max).
     */
    static OpSpec op(String name, Function<Tensor[], Tensor> call) {
        return OpSpec.of(name, call).gradCheck(TIGHT).errorName(name.split(" ")[0]);
    }

    /** An op of one input, with a reference elementwise. */
    static OpSpec unary(String name, UnaryOperator<Tensor> f, DoubleUnaryOperator ref) {
        return op(name, x -> f.apply(x[0])).reference(x -> x[0].map(ref));
    }

    /** Samples of one input of shapes (3, 4), () and (2, 1, 3, 2), and 3 random ones. */
    static OpSpec shapes(OpSpec spec, Function<long[], Arg> arg) {
        return spec.sample(arg.apply(new long[] {3, 4})).sample(arg.apply(new long[0]))
                .sample(arg.apply(new long[] {2, 1, 3, 2})).randomShapes(3);
    }
}
