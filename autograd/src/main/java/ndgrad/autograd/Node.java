package ndgrad.autograd;

import java.util.Arrays;
import java.util.List;
import ndgrad.core.Scope;

/**
 * One recorded operation: its inputs, the values its backward rule reads (with their versions at record time),
 * and the rule. Backward refuses to run when the graph was freed or a saved value was changed in place since.
 */
final class Node {
    /** Turns the gradient of an op's output into gradients for its inputs (null where an input gets none). */
    @FunctionalInterface
    interface Backward {
        Tensor[] apply(Tensor grad, Tensor out);
    }

    final String op;
    final Tensor[] inputs;
    /** Where in user code the op was created (anomaly mode only), else null. */
    final StackTraceElement origin;
    private Backward rule;
    private Tensor[] saved;
    private int[] versions;
    /** Tensors the op made for its backward alone (not inputs or the output), recycled with the graph. */
    private Tensor[] temporaries = new Tensor[0];

    Node(String op, Tensor[] inputs, Tensor[] saved, Backward rule, StackTraceElement origin) {
        this.op = op;
        this.inputs = inputs;
        this.origin = origin;
        this.rule = rule;
        this.saved = saved;
        this.versions = versions(saved);
    }

    /** Saves tensors that the op made for its backward alone: checked like any saved value, recycled with it. */
    void temporaries(Tensor... ts) {
        temporaries = ts;
        Tensor[] all = Arrays.copyOf(saved, saved.length + ts.length);
        System.arraycopy(ts, 0, all, saved.length, ts.length);
        saved = all;
        versions = versions(saved);
    }

    private static int[] versions(Tensor[] saved) {
        int[] v = new int[saved.length];
        for (int i = 0; i < v.length; i++) {
            v[i] = saved[i].version();
        }
        return v;
    }

    Tensor[] backward(Tensor grad, Tensor out) {
        if (rule == null) {
            throw new AutogradException(op + ": trying to backward through the graph a second time; its saved "
                    + "values were freed after the first backward(). Pass GradOptions.defaults().retainGraph(true) "
                    + "to the first call if you need to call backward twice.");
        }
        for (Tensor t : saved) {
            if (t.isReleased()) {
                throw new AutogradException(op + ": a value needed for its gradient, " + t.describe() + ", was "
                        + "released (its Scope closed, or a later backward() recycled the graph that made it); run "
                        + "backward() before that, or keep() the value");
            }
        }
        for (int i = 0; i < saved.length; i++) {
            if (saved[i].version() != versions[i]) {
                throw new AutogradException(op + ": a value needed for its gradient, " + saved[i].describe()
                        + ", has been modified by an in-place operation (saved at version " + versions[i]
                        + ", now version " + saved[i].version() + "). Use an out-of-place op (e.g. add instead of "
                        + "addi), or modify it only after backward().");
            }
        }
        return rule.apply(grad, out);
    }

    /** Lets go of the saved values; the leases of its recyclable temporaries go to {@code retired}. */
    void free(List<Scope.Lease> retired) {
        for (Tensor t : temporaries) {
            if (t.retirable()) {
                retired.add(t.lease());
            }
        }
        rule = null;
        saved = null;
        versions = null;
        temporaries = null;
    }
}
