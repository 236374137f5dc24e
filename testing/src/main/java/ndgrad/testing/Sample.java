package ndgrad.testing;

import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;
import ndgrad.autograd.Tensor;

/**
 * One set of inputs for an op, and optionally its own call and reference (when it exercises another overload or
 * other arguments than the {@link OpSpec}'s), whether finite differences apply there ({@link #edge}: at ties,
 * kinks and infinities finite differences do not apply), and values another implementation computed
 * ({@link #expect}).
 *
 * <p>Usage: {@code Sample.of(Arg.normal(3, 4)).call(x -> x[0].mul(2)).reference(x -> x[0].map(v -> 2 * v))}
 */
public final class Sample {
    /**
     * Values computed elsewhere (PyTorch, by hand) for this sample: the output, and the gradient of
     * sum(output · weights) with respect to differentiable input i, by position.
     */
    public record Expected(String source, Nd output, Nd weights, Map<Integer, Nd> grads) {
    }

    private final String label;
    private final List<Arg> args;
    private final Function<Tensor[], Tensor> call;
    private final Function<Nd[], Nd> reference;
    private final boolean smooth;
    private final Expected expected;

    private Sample(String label, List<Arg> args, Function<Tensor[], Tensor> call, Function<Nd[], Nd> reference,
            boolean smooth, Expected expected) {
        this.label = label;
        this.args = List.copyOf(args);
        this.call = call;
        this.reference = reference;
        this.smooth = smooth;
        this.expected = expected;
    }

    /** Inputs made as the args say, for the spec's call and reference. */
    public static Sample of(Arg... args) {
        return new Sample(null, Arrays.asList(args), null, null, true, null);
    }

    /** With a label for test names (by default the call's label and the inputs' shapes). */
    public Sample label(String value) {
        return new Sample(value, args, call, reference, smooth, expected);
    }

    /** With its own call of the op. */
    public Sample call(Function<Tensor[], Tensor> f) {
        return new Sample(label, args, f, reference, smooth, expected);
    }

    /** With its own reference. */
    public Sample reference(Function<Nd[], Nd> f) {
        return new Sample(label, args, call, f, smooth, expected);
    }

    /**
     * An edge: a kink, a tie, an infinity or a magnitude where finite differences do not apply, so gradcheck and
     * gradgradcheck skip it; give its gradient with {@link #expect}.
     */
    public Sample edge() {
        return new Sample(label, args, call, reference, false, expected);
    }

    /**
     * With values computed elsewhere: the output, and the gradients of sum(output · weights) for the
     * differentiable inputs by position; {@code source} names where they come from (e.g. "PyTorch 1.13").
     */
    public Sample expect(String source, Nd output, Nd weights, Map<Integer, Nd> grads) {
        return new Sample(label, args, call, reference, smooth, new Expected(source, output, weights, Map.copyOf(
                grads)));
    }

    /** The same sample with other inputs, unlabelled and without expected values (they were for the old ones). */
    Sample withArgs(List<Arg> other) {
        return new Sample(null, other, call, reference, smooth, null);
    }

    /** The label, or one made from the inputs. */
    public String label() {
        return label != null ? label : args.stream().map(a -> Arrays.toString(a.shape()))
                .collect(Collectors.joining(", ", "(", ")"));
    }

    /** The inputs' recipes. */
    public List<Arg> args() {
        return args;
    }

    /** The sample's own call, or {@code fallback}. */
    Function<Tensor[], Tensor> callOr(Function<Tensor[], Tensor> fallback) {
        return call != null ? call : fallback;
    }

    /** The sample's own reference, or {@code fallback} (may be null). */
    Function<Nd[], Nd> referenceOr(Function<Nd[], Nd> fallback) {
        return reference != null ? reference : fallback;
    }

    /** Whether finite differences apply. */
    public boolean smooth() {
        return smooth;
    }

    /** Values computed elsewhere, or null. */
    public Expected expected() {
        return expected;
    }

    @Override
    public String toString() {
        return label();
    }
}
