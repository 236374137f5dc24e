package ndgrad.optim;

import java.util.List;
import java.util.Map;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * An optimizer's state, as {@code Optimizer.state_dict()}: each group's options, each parameter's shape, and for
 * every parameter that has taken a step, its step count and buffers (copies), keyed by its position across groups.
 *
 * <p>Usage: {@code StateDict<Adam.Options> saved = opt.stateDict(); ... opt.loadStateDict(saved);}
 *
 * @param <O> the optimizer's options record
 */
public record StateDict<O>(List<O> options, List<long[]> shapes, Map<Integer, Entry> entries) {
    /** One parameter's step count and buffers. */
    public record Entry(long step, Map<String, INDArray> buffers) {
    }
}
