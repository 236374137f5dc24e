package ndgrad.optim;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ndgrad.core.kernels.Copies;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Function;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import ndgrad.autograd.Float64Test;
import ndgrad.autograd.Tensor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.nd4j.shade.jackson.databind.JsonNode;
import org.nd4j.shade.jackson.databind.ObjectMapper;

/**
 * Every optimizer option against PyTorch 1.13: the 50 steps of each of {@link TrajectoryTest}'s option sets against
 * PyTorch's float64 trajectory, and every scheduler's lr over 20 epochs against PyTorch's, from
 * {@code reference/optim.json} (written by {@code src/test/python/make_optim.py}); and every option set through a
 * state dict, in memory and through a file, into an optimizer made with the defaults, which then continues bit for
 * bit as the uninterrupted one; and every refused load leaves the optimizer's state as it was.
 */
class PyTorchOptimTest extends Float64Test {
    private static final JsonNode REFERENCE = load();

    private static JsonNode load() {
        try (InputStream in = PyTorchOptimTest.class.getResourceAsStream("/reference/optim.json")) {
            return new ObjectMapper().readTree(in);
        } catch (IOException e) {
            throw new IllegalStateException("reading reference/optim.json", e);
        }
    }

    private static JsonNode reference(String group, String name) {
        for (JsonNode c : REFERENCE.get(group)) {
            if (c.get("name").asText().equals(name)) {
                return c;
            }
        }
        throw new IllegalArgumentException("no PyTorch " + group + " case '" + name + "' in reference/optim.json");
    }

    static Stream<TrajectoryTest.Case> cases() {
        return TrajectoryTest.cases();
    }

    /** The two parameters of TrajectoryTest's function, at its starting point. */
    private static List<Tensor> params() {
        double[] w0 = TrajectoryTest.W0;
        return List.of(Tensor.of(w0[0], w0[1], w0[2]).requiresGrad(), Tensor.of(new double[] {w0[3], w0[4]}, 1, 2)
                .requiresGrad());
    }

    private static double[] values(List<Tensor> p) {
        return Stream.concat(Stream.of(p.get(0)), Stream.of(p.get(1))).flatMapToDouble(t -> java.util.Arrays.stream(
                t.toDoubleArray())).toArray();
    }

    /** {@code n} steps of {@code opt} on TrajectoryTest's function of {@code p}. */
    private static void step(Optimizer<?> opt, List<Tensor> p, int n) {
        for (int t = 0; t < n; t++) {
            opt.zeroGrad();
            TrajectoryTest.loss(p.get(0), p.get(1)).backward();
            opt.step();
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void fiftyStepsFollowPyTorch(TrajectoryTest.Case c) {
        JsonNode torch = reference("optimizers", c.name());
        List<Tensor> p = params();
        Optimizer<?> opt = c.make().apply(p);
        for (int t = 0; t < 50; t++) {
            step(opt, p, 1);
            double[] got = values(p);
            for (int i = 0; i < got.length; i++) {
                double want = torch.get("trajectory").get(t).get(i).asDouble();
                assertEquals(want, got[i], 1e-10 * (1 + Math.abs(want)), c + " against " + torch.get("call").asText()
                        + ": element " + i + " after step " + (t + 1));
            }
        }
    }

    @Test
    void everyPyTorchTrajectoryHasItsCase() {
        Set<String> ours = cases().map(TrajectoryTest.Case::name).collect(Collectors.toCollection(TreeSet::new));
        Set<String> theirs = new TreeSet<>();
        REFERENCE.get("optimizers").forEach(c -> theirs.add(c.get("name").asText()));
        assertEquals(theirs, ours);
    }

    /**
     * Options and buffers come back from a state dict: an optimizer made with the default options, loaded with the
     * state after 20 steps, takes the next 30 exactly as the uninterrupted one; from memory and from a file.
     */
    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void optionsAndBuffersSurviveAStateDict(TrajectoryTest.Case c, @TempDir Path dir) throws IOException {
        List<Tensor> p = params();
        Optimizer<?> opt = c.make().apply(p);
        step(opt, p, 20);
        double[] at20 = values(p);
        Path file = dir.resolve("state.npz");
        opt.save(file);
        StateDict<?> saved = opt.stateDict();
        step(opt, p, 30);
        double[] at50 = values(p);
        for (boolean fromFile : new boolean[] {false, true}) {
            List<Tensor> q = List.of(Tensor.of(at20[0], at20[1], at20[2]).requiresGrad(), Tensor.of(new double[] {
                at20[3], at20[4]}, 1, 2).requiresGrad());
            Optimizer<?> fresh = defaults(opt, q);
            if (fromFile) {
                fresh.load(file);
            } else {
                loadRaw(fresh, saved);
            }
            assertEquals(opt.groups().get(0).options(), fresh.groups().get(0).options(), c + ": the options came "
                    + "back" + (fromFile ? " from the file" : ""));
            step(fresh, q, 30);
            assertArrayEquals(at50, values(q), 0.0, c + ": resumed from " + (fromFile ? "a file" : "memory"));
        }
    }

    /** An optimizer of opt's kind over q with that kind's default options. */
    private static Optimizer<?> defaults(Optimizer<?> opt, List<Tensor> q) {
        if (opt instanceof Sgd) {
            return new Sgd(q, Sgd.options().lr(0.3));
        } else if (opt instanceof RmsProp) {
            return new RmsProp(q, RmsProp.options());
        } else if (opt instanceof Adam) {
            return new Adam(q, Adam.options());
        } else if (opt instanceof Adagrad) {
            return new Adagrad(q, Adagrad.options());
        }
        throw new IllegalArgumentException("no defaults for " + opt.getClass());
    }

    @SuppressWarnings({"unchecked", "rawtypes"})
    private static void loadRaw(Optimizer<?> opt, StateDict<?> d) {
        ((Optimizer) opt).loadStateDict((StateDict) d);
    }

    /** Options, steps and buffers of an optimizer, as comparable text. */
    private static String snapshot(Optimizer<?> opt) {
        StateDict<?> d = opt.stateDict();
        Map<String, String> out = new LinkedHashMap<>();
        out.put("options", d.options().toString());
        d.entries().forEach((i, e) -> {
            out.put(i + ".step", String.valueOf(e.step()));
            e.buffers().forEach((n, b) -> out.put(i + "." + n, java.util.Arrays.toString(Copies.values(b))));
        });
        return out.toString();
    }

    /**
     * A state for other shapes, from another kind of optimizer, with a buffer of another shape, and a file from
     * another optimizer are each refused, naming what differs, and leave options, steps and buffers as they were.
     */
    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void refusedLoadsChangeNothing(TrajectoryTest.Case c, @TempDir Path dir) throws IOException {
        List<Tensor> p = params();
        Optimizer<?> opt = c.make().apply(p);
        step(opt, p, 3);
        String before = snapshot(opt);
        List<Tensor> other = List.of(Tensor.of(1, 2).requiresGrad(), Tensor.of(new double[] {1, 2, 3}, 1, 3)
                .requiresGrad());
        Optimizer<?> otherShapes = c.make().apply(other);
        step(otherShapes, other, 1);
        List<Tensor> same = params();
        Optimizer<?> otherKind = opt instanceof Sgd ? new Adam(same, Adam.options()) : new Sgd(same, 0.1);
        step(otherKind, same, 1);
        StateDict<?> wrongBuffer = wrongBuffer(opt.stateDict());
        Path file = dir.resolve("other.npz");
        otherKind.save(file);
        List<String> messages = new ArrayList<>();
        for (StateDict<?> bad : wrongBuffer == null ? List.of(otherShapes.stateDict(), otherKind.stateDict())
                : List.of(otherShapes.stateDict(), otherKind.stateDict(), wrongBuffer)) {
            messages.add(assertThrows(IllegalArgumentException.class, () -> loadRaw(opt, bad)).getMessage());
            assertEquals(before, snapshot(opt), c + ": a refused load changed the state");
        }
        messages.add(assertThrows(IOException.class, () -> opt.load(file)).getMessage());
        assertEquals(before, snapshot(opt), c + ": a refused file changed the state");
        assertTrue(messages.get(0).contains("parameter 0") && messages.get(0).contains("[3]"), messages.get(0));
        assertTrue(messages.get(1).contains("group 0"), messages.get(1));
        assertTrue(messages.get(messages.size() - 1).contains(file.toString()), messages.get(messages.size() - 1));
    }

    /** {@code d} with its first buffer of parameter 0 in another shape, or null when it has none. */
    private static StateDict<?> wrongBuffer(StateDict<?> d) {
        StateDict.Entry e = d.entries().get(0);
        if (e == null || e.buffers().isEmpty()) {
            return null;
        }
        Map<String, org.nd4j.linalg.api.ndarray.INDArray> buffers = new LinkedHashMap<>(e.buffers());
        String first = buffers.keySet().iterator().next();
        buffers.put(first, Tensor.of(1, 2, 3, 4).data());
        Map<Integer, StateDict.Entry> entries = new LinkedHashMap<>(d.entries());
        entries.put(0, new StateDict.Entry(e.step(), buffers));
        return new StateDict<>(castOptions(d), d.shapes(), entries, d.schedule());
    }

    @SuppressWarnings({"unchecked", "rawtypes"})
    private static List castOptions(StateDict<?> d) {
        return d.options();
    }

    static Stream<String> schedulers() {
        List<String> names = new ArrayList<>();
        REFERENCE.get("schedulers").forEach(c -> names.add(c.get("name").asText()));
        return names.stream();
    }

    private static final double[] PLATEAU = {1.0, 0.9, 0.95, 0.95, 0.95, 0.8, 0.8, 0.8, 0.8, 0.8, 0.79999, 0.7, 0.71,
        0.72, 0.73, 0.74, 0.75, 0.76, 0.77, 0.78};

    /** Each scheduler's lr before the first epoch and after each of 20, against PyTorch's, to 1e-12. */
    @ParameterizedTest(name = "{0}")
    @MethodSource("schedulers")
    void schedulersFollowPyTorch(String name) {
        JsonNode torch = reference("schedulers", name);
        Sgd opt = new Sgd(List.of(Tensor.of(0.0).requiresGrad()), 0.1);
        Map<String, Function<Sgd, Runnable>> make = Map.of(
                "step", o -> LrScheduler.step(o, 3, 0.5)::step,
                "exponential", o -> LrScheduler.exponential(o, 0.9)::step,
                "cosine", o -> LrScheduler.cosine(o, 10, 0.01)::step,
                "linear warmup", o -> LrScheduler.linearWarmup(o, 0.25, 4)::step,
                "linear decay", o -> LrScheduler.linear(o, 0.5, 0.1, 8)::step,
                "lambda", o -> LrScheduler.lambda(o, e -> Math.pow(0.95, e))::step,
                "plateau", o -> {
                    ReduceLrOnPlateau s = new ReduceLrOnPlateau(o, 0.5, 2, 1e-4, 1, 0.02);
                    int[] epoch = {0};
                    return () -> s.step(PLATEAU[epoch[0]++]);
                });
        Runnable step = make.get(name).apply(opt);
        for (int e = 0; e <= 20; e++) {
            double want = torch.get("lr").get(e).asDouble();
            assertEquals(want, opt.lr(0), 1e-12 * want, name + " (" + torch.get("call").asText() + ") at epoch " + e);
            if (e < 20) {
                step.run();
            }
        }
    }
}
