package ndgrad.nn;

import ndgrad.autograd.Tensor;

/**
 * Flattens every dimension but the first, as {@code torch.nn.Flatten()}: (N, C, H, W) becomes (N, C·H·W).
 *
 * <p>Usage: {@code new Sequential(conv, new Flatten(), fc)}
 */
public final class Flatten extends Layer {
    @Override
    public Tensor forward(Tensor x) {
        return x.dim() <= 1 ? x : x.flatten(1);
    }

    @Override
    public String toString() {
        return "Flatten()";
    }
}
