package ndgrad.optim;

import java.io.IOException;
import java.lang.reflect.Constructor;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.RecordComponent;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.Consumer;
import ndgrad.autograd.Autograd;
import ndgrad.autograd.Tensor;
import ndgrad.core.kernels.Chunk;
import ndgrad.core.kernels.Copies;
import ndgrad.core.kernels.Fused;
import ndgrad.core.memory.Scope;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * The common part of first-order optimizers, as {@code torch.optim.Optimizer}: parameter groups, each with its own
 * options; per-parameter state (step count and buffers, allocated on the first step and reused); {@link #step},
 * {@link #zeroGrad}; {@link #stateDict} and {@link #loadStateDict} so that training resumes bit for bit.
 * Parameters without a gradient are skipped. Updates run in place with grad mode off, inside a scope that frees
 * their temporaries.
 *
 * <p>Usage: {@code opt.zeroGrad(); loss.backward(); opt.step();}
 *
 * @param <O> the optimizer's options record
 */
public abstract class Optimizer<O extends Optimizer.Options<O>> {
    /**
     * An optimizer's hyperparameters: an immutable record whose learning rate schedules may change, and that
     * {@link StateDict} saves as named numbers. The conversion to and from names is shared, built on the record's
     * components: doubles as they are, booleans as 1 or 0, ints as whole numbers.
     *
     * <p>Usage: {@code record Options(double lr, boolean amsgrad) implements Optimizer.Options<Options> {}}
     */
    public interface Options<O> {
        /** The learning rate. */
        double lr();

        /** A copy with another learning rate. */
        default O withLr(double lr) {
            Map<String, Double> m = asMap();
            m.put("lr", lr);
            return fromMap(m);
        }

        /**
         * Every option by its component's name, booleans as 1 or 0, a nested record's options as
         * {@code name.option} (what {@link StateDict#save} writes).
         */
        default Map<String, Double> asMap() {
            Map<String, Double> m = new LinkedHashMap<>();
            put(m, "", this);
            return m;
        }

        /**
         * Options of this kind from {@link #asMap}'s names, checked by the record's constructor (a missing name, or
         * a value out of range, is an IllegalArgumentException).
         */
        @SuppressWarnings("unchecked")
        default O fromMap(Map<String, Double> values) {
            return (O) build(getClass(), "", values);
        }

        private static void put(Map<String, Double> m, String prefix, Object options) {
            for (RecordComponent c : components(options.getClass())) {
                Object v;
                try {
                    Method accessor = c.getAccessor();
                    accessor.setAccessible(true);
                    v = accessor.invoke(options);
                } catch (ReflectiveOperationException e) {
                    throw new IllegalStateException(options.getClass().getName() + ": cannot read option "
                            + c.getName(), e);
                }
                if (v instanceof Record) {
                    put(m, prefix + c.getName() + ".", v);
                } else {
                    m.put(prefix + c.getName(), v instanceof Boolean b ? (b ? 1.0 : 0.0) : ((Number) v).doubleValue());
                }
            }
        }

        private static Object build(Class<?> type, String prefix, Map<String, Double> values) {
            RecordComponent[] cs = components(type);
            Class<?>[] types = new Class<?>[cs.length];
            Object[] args = new Object[cs.length];
            for (int i = 0; i < cs.length; i++) {
                types[i] = cs[i].getType();
                String name = prefix + cs[i].getName();
                if (types[i].isRecord()) {
                    args[i] = build(types[i], name + ".", values);
                    continue;
                }
                double v = get(values, name);
                args[i] = types[i] == boolean.class ? (Object) (v != 0) : types[i] == int.class ? (Object) (int) v : v;
            }
            try {
                Constructor<?> canonical = type.getDeclaredConstructor(types);
                canonical.setAccessible(true);
                return canonical.newInstance(args);
            } catch (InvocationTargetException e) {
                if (e.getCause() instanceof RuntimeException r) {
                    throw r;
                }
                throw new IllegalStateException(type.getName() + ": cannot build options", e.getCause());
            } catch (ReflectiveOperationException e) {
                throw new IllegalStateException(type.getName() + ": cannot build options", e);
            }
        }

        /** The option {@code name} of {@code values}, or an error naming it. */
        static double get(Map<String, Double> values, String name) {
            Double v = values.get(name);
            if (v == null) {
                throw new IllegalArgumentException("no option '" + name + "' (was the state saved by another kind of "
                        + "optimizer?)");
            }
            return v;
        }

        private static RecordComponent[] components(Class<?> type) {
            RecordComponent[] cs = type.getRecordComponents();
            if (cs == null) {
                throw new IllegalStateException(type.getName() + ": optimizer options must be a record");
            }
            return cs;
        }
    }

    /** Parameters that share options. */
    public static final class Group<O> {
        private final List<Tensor> params;
        private O options;

        /** A group of parameters (leaves that require grad) and their options. */
        public Group(List<Tensor> params, O options) {
            this.params = List.copyOf(params);
            this.options = options;
        }

        /** The parameters. */
        public List<Tensor> params() {
            return params;
        }

        /** The options in force. */
        public O options() {
            return options;
        }
    }

    /**
     * A parameter's state: how many steps it has taken and its named buffers (shaped like the parameter), and, during
     * {@link #update}, the parameter's array and its gradient.
     *
     * <p>In an {@code update(options, state)}: {@code state.pass(List.of("exp_avg"), c -> c.buffer("exp_avg")
     * .lerp(c.grad(), 0.1));}
     */
    protected static final class State {
        long step;
        final Map<String, INDArray> buffers = new LinkedHashMap<>();
        private INDArray param;
        private INDArray grad;

        /** The steps taken, this one included (PyTorch's {@code state["step"]}). */
        public long step() {
            return step;
        }

        /** The parameter's array, updated in place. */
        public INDArray param() {
            return param;
        }

        /** The parameter's gradient. */
        public INDArray grad() {
            return grad;
        }

        /** Whether the buffer {@code name} exists yet (it does from the step that first asked for it). */
        public boolean has(String name) {
            return buffers.containsKey(name);
        }

        /** The buffer {@code name}, created shaped like the parameter and filled with {@code value} on first use. */
        public INDArray buffer(String name, double value) {
            return buffers.computeIfAbsent(name, n -> {
                INDArray b = Copies.unownedLike(param);
                Copies.fill(b, value);
                return b;
            });
        }

        /**
         * One fused pass ({@link Fused#pass}) of {@code rule} over the parameter, the buffers named (created at 0
         * on first use) and the gradient, chunk by chunk; the parameter and the buffers are written back.
         */
        public void pass(List<String> names, Consumer<Chunks> rule) {
            INDArray[] arrays = new INDArray[names.size() + 2];
            arrays[0] = param;
            for (int i = 0; i < names.size(); i++) {
                arrays[i + 1] = buffer(names.get(i), 0);
            }
            arrays[arrays.length - 1] = grad;
            Fused.pass(arrays.length - 1, c -> rule.accept(new Chunks(names, c)), arrays);
        }
    }

    /** The chunks of one {@link State#pass}, by name: the parameter's, the gradient's, the buffers' and scratch. */
    protected static final class Chunks {
        private final List<String> names;
        private final Chunk[] c;

        private Chunks(List<String> names, Chunk[] c) {
            this.names = names;
            this.c = c;
        }

        /** The parameter's chunk (written back). */
        public Chunk param() {
            return c[0];
        }

        /** The gradient's chunk (read only: changes to it are not written back). */
        public Chunk grad() {
            return c[names.size() + 1];
        }

        /** The chunk of the buffer {@code name}, one of the names given to the pass (written back). */
        public Chunk buffer(String name) {
            int i = names.indexOf(name);
            if (i < 0) {
                throw new IllegalArgumentException("no buffer '" + name + "' in this pass; it has " + names);
            }
            return c[i + 1];
        }

        /** Scratch chunk {@code i}, 0 or 1. */
        public Chunk scratch(int i) {
            return c[names.size() + 2 + Objects.checkIndex(i, Fused.SCRATCH)];
        }
    }

    private final List<Group<O>> groups;
    private final Map<Tensor, State> state = new IdentityHashMap<>();
    /**
     * What the schedules on this optimizer remember: each group's initial lr and the epoch ({@link LrScheduler}),
     * the plateau's best value and counters ({@link ReduceLrOnPlateau}). PyTorch keeps the first in the groups
     * ({@code initial_lr}) and the rest in each scheduler's own state dict; here all of it is saved and loaded with
     * the optimizer, so a schedule created before or after a load continues exactly where the saved one was.
     */
    final Map<String, Double> schedule = new LinkedHashMap<>();

    /** An optimizer over the given groups. */
    protected Optimizer(List<Group<O>> groups) {
        if (groups.stream().allMatch(g -> g.params().isEmpty())) {
            throw new IllegalArgumentException(getClass().getSimpleName() + ": got an empty parameter list (as "
                    + "PyTorch, an optimizer needs at least one parameter)");
        }
        for (Group<O> g : groups) {
            for (Tensor p : g.params()) {
                if (!p.isLeaf() || !p.isRequiresGrad()) {
                    throw new IllegalArgumentException(getClass().getSimpleName() + ": " + p.describe()
                            + " is not a leaf that requires grad, so it cannot be optimized");
                }
            }
        }
        this.groups = List.copyOf(groups);
    }

    /** The groups, in order. */
    public final List<Group<O>> groups() {
        return groups;
    }

    /** The learning rate of group {@code i}. */
    public final double lr(int i) {
        return groups.get(i).options.lr();
    }

    /** Sets the learning rate of group {@code i} (as a schedule does). */
    public final void setLr(int i, double lr) {
        groups.get(i).options = groups.get(i).options.withLr(lr);
    }

    /** Zeros the gradients of every parameter, in place. */
    public final void zeroGrad() {
        groups.forEach(g -> g.params().forEach(Tensor::zeroGrad));
    }

    /** Updates every parameter that has a gradient, by the rule of this optimizer. */
    public void step() {
        try (Autograd.GradMode off = Autograd.noGrad(); Scope temporaries = Scope.open()) {
            for (Group<O> g : groups) {
                for (Tensor p : g.params()) {
                    if (p.hasGrad()) {
                        State s = state.computeIfAbsent(p, k -> new State());
                        s.step++;
                        s.grad = p.grad().data();
                        try {
                            p.modify(data -> {
                                s.param = data;
                                update(g.options, s);
                            });
                        } finally {
                            s.param = null;
                            s.grad = null;
                        }
                    }
                }
            }
        }
    }

    /** Sets the gradients from {@code source}, then steps; returns the loss the source reported. */
    public final double step(GradientSource source) {
        double loss = source.compute(allParams());
        step();
        return loss;
    }

    /** Applies one update to the parameter of {@code s} in place, from its gradient, the options and its state. */
    protected abstract void update(O o, State s);

    /**
     * A deep copy of this optimizer's state: every group's options, every parameter's step count and buffers, keyed
     * by the parameter's position across groups (as in PyTorch), and what its schedules remember.
     */
    public final StateDict<O> stateDict() {
        List<O> options = groups.stream().map(Group::options).toList();
        Map<Integer, StateDict.Entry> entries = new LinkedHashMap<>();
        List<Tensor> all = allParams();
        for (int i = 0; i < all.size(); i++) {
            State s = state.get(all.get(i));
            if (s != null) {
                Map<String, INDArray> copies = new LinkedHashMap<>();
                s.buffers.forEach((n, b) -> copies.put(n, Copies.unownedCopy(b)));
                entries.put(i, new StateDict.Entry(s.step, copies));
            }
        }
        return new StateDict<>(options, allParams().stream().map(Tensor::shape).toList(), entries,
                new LinkedHashMap<>(schedule));
    }

    /**
     * Restores a state from {@link #stateDict}: it must come from an optimizer of the same kind over parameters of
     * the same shapes; otherwise nothing changes and the error says what differs.
     */
    public final void loadStateDict(StateDict<O> d) {
        List<Tensor> all = allParams();
        if (d.options().size() != groups.size() || d.shapes().size() != all.size()) {
            throw new IllegalArgumentException("loadStateDict: the state has " + d.options().size() + " groups and "
                    + d.shapes().size() + " parameters, this optimizer " + groups.size() + " and " + all.size());
        }
        for (int i = 0; i < all.size(); i++) {
            if (!Arrays.equals(d.shapes().get(i), all.get(i).shape())) {
                throw new IllegalArgumentException("loadStateDict: parameter " + i + " has shape "
                        + all.get(i).shapeString() + ", the state was saved for shape "
                        + Arrays.toString(d.shapes().get(i)));
            }
        }
        for (int g = 0; g < groups.size(); g++) {
            if (d.options().get(g).getClass() != groups.get(g).options.getClass()) {
                throw new IllegalArgumentException("loadStateDict: group " + g + " holds the options of "
                        + d.options().get(g).getClass().getEnclosingClass().getSimpleName() + ", this optimizer is "
                        + getClass().getSimpleName());
            }
        }
        d.entries().forEach((i, e) -> e.buffers().forEach((n, b) -> {
            if (!Arrays.equals(b.shape(), all.get(i).shape())) {
                throw new IllegalArgumentException("loadStateDict: buffer '" + n + "' of parameter " + i
                        + " has shape " + Arrays.toString(b.shape()) + ", expected " + all.get(i).shapeString());
            }
        }));
        for (int g = 0; g < groups.size(); g++) {
            groups.get(g).options = d.options().get(g);
        }
        schedule.clear();
        schedule.putAll(d.schedule());
        state.clear();
        d.entries().forEach((i, e) -> {
            State s = new State();
            s.step = e.step();
            e.buffers().forEach((n, b) -> s.buffers.put(n, Copies.unownedCopy(b)));
            state.put(all.get(i), s);
        });
    }

    /** Writes {@link #stateDict} to an {@code .npz} file, atomically (see {@link StateDict#save}). */
    public final void save(Path file) throws IOException {
        stateDict().save(file);
    }

    /** Reads a file written by {@link #save} and loads it with {@link #loadStateDict}. */
    public final void load(Path file) throws IOException {
        loadStateDict(StateDict.load(file, groups.stream().map(Group::options).toList()));
    }

    private List<Tensor> allParams() {
        List<Tensor> all = new ArrayList<>();
        groups.forEach(g -> all.addAll(g.params()));
        return all;
    }

    /**
     * Checks a hyperparameter at the public boundary, with PyTorch's wording; unlike PyTorch, a NaN or an infinity is
     * refused too (an infinite weight decay makes every weight NaN in one step).
     */
    static void require(boolean ok, String optimizer, String what, double value) {
        if (!ok || !Double.isFinite(value)) {
            throw new IllegalArgumentException(optimizer + ": invalid " + what + ": " + value);
        }
    }
}
