package ndgrad.autograd;

import ndgrad.core.kernels.Pointwise;
import java.util.Arrays;
import org.nd4j.linalg.api.ndarray.INDArray;

/** The checks of anomaly mode: where an op was created, and whether it turned finite values into NaN or infinity. */
final class Anomaly {
    private static final StackWalker WALKER = StackWalker.getInstance(StackWalker.Option.RETAIN_CLASS_REFERENCE);
    private static final java.security.CodeSource LIBRARY = Anomaly.class.getProtectionDomain().getCodeSource();

    private static final ThreadLocal<Boolean> IN_BACKWARD_RULE = ThreadLocal.withInitial(() -> false);

    private Anomaly() {
    }

    /** Runs a node's backward rule with forward checks off: its result is checked, and reported, as that node's. */
    static Tensor[] backward(Function.Context node, Tensor[] upstream) {
        IN_BACKWARD_RULE.set(true);
        Tensor[] grads;
        try {
            grads = node.backward(upstream);
        } finally {
            IN_BACKWARD_RULE.set(false);
        }
        checkBackward(node, upstream, grads);
        return grads;
    }

    /**
     * The first stack frame outside ndgrad's library code (the autograd module's classes, optim's, and the JDK):
     * the user code that created the op.
     */
    static StackTraceElement callerOutsideNdgrad() {
        return WALKER.walk(frames -> frames.filter(f -> !library(f.getDeclaringClass())).findFirst()
                .map(StackWalker.StackFrame::toStackTraceElement).orElse(null));
    }

    private static boolean library(Class<?> c) {
        java.security.CodeSource source = c.getProtectionDomain().getCodeSource();
        return source == null || source.equals(LIBRARY) || c.getName().startsWith("ndgrad.optim.")
                && !source.getLocation().getPath().contains("test-classes");
    }

    static boolean finite(INDArray a) {
        return Pointwise.allFinite(a);
    }

    /** Throws when {@code out} is not finite although every input is. */
    static void checkForward(String op, Tensor out, Tensor[] inputs) {
        if (!IN_BACKWARD_RULE.get() && !finite(out.data()) && Arrays.stream(inputs).allMatch(t -> finite(t.data()))) {
            throw new AnomalyException("anomaly: '" + op + "' produced NaN or infinity in its forward pass from finite "
                    + "inputs of shapes " + shapes(inputs) + " (output " + out.shapeString() + ")"
                    + where(callerOutsideNdgrad()));
        }
    }

    /** Throws when a backward rule turned a finite upstream gradient into a non-finite input gradient. */
    private static void checkBackward(Function.Context node, Tensor[] upstream, Tensor[] grads) {
        for (Tensor u : upstream) {
            if (!finite(u.data())) {
                return;
            }
        }
        for (int i = 0; i < grads.length; i++) {
            if (grads[i] != null && !finite(grads[i].data())) {
                throw new AnomalyException("anomaly: the backward of '" + node.name() + "' produced NaN or infinity "
                        + "in the gradient of its input " + i + " (inputs " + shapes(node.inputs) + ")"
                        + where(node.origin));
            }
        }
    }

    private static String shapes(Tensor[] ts) {
        return Arrays.stream(ts).map(Tensor::shapeString).toList().toString();
    }

    private static String where(StackTraceElement origin) {
        return origin == null ? "" : ", created at " + origin;
    }
}
