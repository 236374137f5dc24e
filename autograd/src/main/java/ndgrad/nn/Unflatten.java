package ndgrad.nn;

import java.util.Arrays;
import ndgrad.autograd.Tensor;
import ndgrad.core.ShapeException;

/**
 * Splits dimension 1 into a shape, as {@code torch.nn.Unflatten(1, sizes)}: (N, 784) with sizes (1, 28, 28) becomes
 * (N, 1, 28, 28).
 *
 * <p>Usage: {@code new Sequential(new Unflatten(1, 28, 28), new Conv2d(1, 32, 5, rng), Activation.relu())}
 */
public final class Unflatten extends Layer {
    private final long[] sizes;

    /** Dimension 1 becomes {@code sizes}. */
    public Unflatten(long... sizes) {
        if (sizes.length == 0 || Arrays.stream(sizes).anyMatch(s -> s < 1)) {
            throw new IllegalArgumentException("Unflatten: expected positive sizes, got " + Arrays.toString(sizes));
        }
        this.sizes = sizes.clone();
    }

    @Override
    public Tensor forward(Tensor x) {
        long n = Arrays.stream(sizes).reduce(1, (a, b) -> a * b);
        if (x.dim() != 2 || x.size(1) != n) {
            throw new ShapeException("Unflatten: expected input (N, " + n + ") to become (N, " + Arrays.toString(sizes)
                    .replaceAll("[\\[\\]]", "") + "), got " + x.shapeString());
        }
        long[] shape = new long[sizes.length + 1];
        shape[0] = x.size(0);
        System.arraycopy(sizes, 0, shape, 1, sizes.length);
        return x.reshape(shape);
    }

    @Override
    public String toString() {
        return "Unflatten(1, " + Arrays.toString(sizes) + ")";
    }
}
