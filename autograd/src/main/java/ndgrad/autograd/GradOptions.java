package ndgrad.autograd;

/**
 * Options of a backward pass, as in PyTorch's {@code backward}/{@code torch.autograd.grad}:
 * {@code retainGraph} keeps the saved values so backward can run again; {@code createGraph} records the backward
 * pass itself so its results can be differentiated again (and, as in PyTorch, implies retainGraph);
 * {@code allowUnused} makes {@link Autograd#grad} return zeros for an input the outputs do not depend on.
 *
 * <p>Usage: {@code y.backward(null, GradOptions.defaults().createGraph(true));}
 */
public record GradOptions(boolean retainGraph, boolean createGraph, boolean allowUnused) {
    private static final GradOptions DEFAULTS = new GradOptions(false, false, false);

    /** No retained graph, no recorded backward, unused inputs are an error. */
    public static GradOptions defaults() {
        return DEFAULTS;
    }

    /** A copy with {@code retainGraph} set. */
    public GradOptions retainGraph(boolean on) {
        return new GradOptions(on, createGraph, allowUnused);
    }

    /** A copy with {@code createGraph} set; turning it on also turns retainGraph on. */
    public GradOptions createGraph(boolean on) {
        return new GradOptions(retainGraph || on, on, allowUnused);
    }

    /** A copy with {@code allowUnused} set. */
    public GradOptions allowUnused(boolean on) {
        return new GradOptions(retainGraph, createGraph, on);
    }
}
