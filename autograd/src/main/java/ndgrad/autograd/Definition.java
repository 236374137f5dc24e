package ndgrad.autograd;

/**
 * A built-in op of one output as two lambdas, its forward and its backward, so that each definition in the op
 * families ({@link Elementwise}, {@link Reductions}, {@link ShapeOps}, {@link LinearAlgebra}, {@link LossOps})
 * reads as micrograd's: the result, then the rule that pushes the gradient to the inputs.
 */
final class Definition extends Function {
    /** Computes the output from the inputs, saving what the backward needs in the context. */
    @FunctionalInterface
    interface Forward {
        Tensor apply(Context c, Tensor[] x);
    }

    /** The gradient of each input (null where none is needed) from the gradient {@code g} of the output. */
    @FunctionalInterface
    interface Backward {
        Tensor[] apply(Context c, Tensor g);
    }

    /** For ops of one input: the output of {@code x}. */
    @FunctionalInterface
    interface Forward1 {
        Tensor apply(Context c, Tensor x);
    }

    /** For ops of one input: the gradient of the input from the gradient {@code g} of the output. */
    @FunctionalInterface
    interface Backward1 {
        Tensor apply(Context c, Tensor g);
    }

    private final Forward forward;
    private final Backward backward;
    private boolean elementwise;

    private Definition(String name, String[] rules, Forward forward, Backward backward) {
        super(name, rules);
        this.forward = forward;
        this.backward = backward;
    }

    /** An op of any number of inputs, with the local derivative of each as text. */
    static Definition op(String name, Forward forward, Backward backward, String... rules) {
        return new Definition(name, rules, forward, backward);
    }

    /** An op of one input, with its local derivative as text in x. */
    static Definition unary(String name, String rule, Forward1 forward, Backward1 backward) {
        return new Definition(name, new String[] {rule}, (c, x) -> forward.apply(c, x[0]),
                (c, g) -> new Tensor[] {backward.apply(c, g)});
    }

    /** Marks the op elementwise: each output element depends on the same element of each (broadcast) input. */
    Definition elementwise() {
        elementwise = true;
        return this;
    }

    @Override
    public boolean isElementwise() {
        return elementwise;
    }

    @Override
    protected Tensor[] forward(Context ctx, Tensor... inputs) {
        return new Tensor[] {forward.apply(ctx, inputs)};
    }

    @Override
    protected Tensor[] backward(Context ctx, Tensor... gradOutputs) {
        return backward.apply(ctx, gradOutputs[0]);
    }
}
