package ndgrad.optim;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import ndgrad.core.NdArrays;
import ndgrad.core.io.Npz;
import ndgrad.core.kernels.Copies;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * An optimizer's state, as {@code Optimizer.state_dict()}: each group's options, each parameter's shape, for
 * every parameter that has taken a step, its step count and buffers (copies), keyed by its position across groups,
 * and what the schedules on the optimizer remember. It saves to and loads from one {@code .npz} file:
 * {@code group.G.NAME} (each option, from {@link Optimizer.Options#asMap}), {@code shape.I}, {@code state.I.step},
 * {@code state.I.BUFFER} and {@code schedule.KEY}.
 *
 * <p>Usage: {@code StateDict<Adam.Options> saved = adam.stateDict(); adam.loadStateDict(saved);}
 *
 * @param <O> the optimizer's options record
 */
public record StateDict<O extends Optimizer.Options<O>>(List<O> options, List<long[]> shapes,
        Map<Integer, Entry> entries, Map<String, Double> schedule) {
    /** One parameter's step count and buffers. */
    public record Entry(long step, Map<String, INDArray> buffers) {
    }

    /** Writes this state to an {@code .npz} file, atomically. */
    public void save(Path file) throws IOException {
        Map<String, INDArray> arrays = new LinkedHashMap<>();
        for (int g = 0; g < options.size(); g++) {
            int group = g;
            options.get(g).asMap().forEach((name, v) -> arrays.put("group." + group + "." + name, scalar(v)));
        }
        for (int i = 0; i < shapes.size(); i++) {
            long[] s = shapes.get(i);
            arrays.put("shape." + i, NdArrays.create(Arrays.stream(s).asDoubleStream().toArray(),
                    new long[] {s.length}, DataType.DOUBLE));
        }
        entries.forEach((i, e) -> {
            arrays.put("state." + i + ".step", scalar(e.step()));
            e.buffers().forEach((n, b) -> arrays.put("state." + i + "." + n, b));
        });
        schedule.forEach((k, v) -> arrays.put("schedule." + k, scalar(v)));
        Npz.write(file, arrays);
    }

    /**
     * Reads a state written by {@link #save}, with options of the kinds in {@code like} (one per group): a file from
     * another kind of optimizer or another number of groups is refused with an IOException naming the file.
     */
    public static <O extends Optimizer.Options<O>> StateDict<O> load(Path file, List<O> like) throws IOException {
        Map<String, INDArray> a = Npz.read(file);
        List<O> options = new ArrayList<>();
        for (int g = 0; g < like.size(); g++) {
            String prefix = "group." + g + ".";
            Map<String, Double> values = new LinkedHashMap<>();
            a.forEach((k, v) -> {
                if (k.startsWith(prefix)) {
                    values.put(k.substring(prefix.length()), v.getDouble(0));
                }
            });
            try {
                options.add(like.get(g).fromMap(values));
            } catch (IllegalArgumentException e) {
                throw new IOException(file + ": group " + g + ": " + e.getMessage(), e);
            }
        }
        List<long[]> shapes = new ArrayList<>();
        for (int i = 0; a.containsKey("shape." + i); i++) {
            shapes.add(Arrays.stream(Copies.values(a.get("shape." + i))).mapToLong(v -> (long) v).toArray());
        }
        Map<Integer, Entry> entries = new LinkedHashMap<>();
        for (int i = 0; i < shapes.size(); i++) {
            String prefix = "state." + i + ".";
            if (a.containsKey(prefix + "step")) {
                Map<String, INDArray> buffers = new LinkedHashMap<>();
                a.forEach((k, v) -> {
                    if (k.startsWith(prefix) && !k.equals(prefix + "step")) {
                        buffers.put(k.substring(prefix.length()), v);
                    }
                });
                entries.put(i, new Entry((long) a.get(prefix + "step").getDouble(0), buffers));
            }
        }
        Map<String, Double> schedule = new LinkedHashMap<>();
        a.forEach((k, v) -> {
            if (k.startsWith("schedule.")) {
                schedule.put(k.substring("schedule.".length()), v.getDouble(0));
            }
        });
        return new StateDict<>(options, shapes, entries, schedule);
    }

    private static INDArray scalar(double v) {
        return NdArrays.create(new double[] {v}, new long[0], DataType.DOUBLE);
    }
}
