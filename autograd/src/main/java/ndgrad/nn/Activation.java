package ndgrad.nn;

import java.util.function.UnaryOperator;
import ndgrad.autograd.Tensor;

/**
 * An elementwise activation as a module (no parameters).
 *
 * <p>Usage: {@code new Sequential(new Linear(2, 16, rng), Activation.tanh(), new Linear(16, 1, rng))}
 */
public final class Activation extends Layer {
    private final String name;
    private final UnaryOperator<Tensor> f;

    private Activation(String name, UnaryOperator<Tensor> f) {
        this.name = name;
        this.f = f;
    }

    /** max(x, 0). */
    public static Activation relu() {
        return new Activation("ReLU", Tensor::relu);
    }

    /** x for x > 0, slope·x otherwise. */
    public static Activation leakyRelu(double slope) {
        return new Activation("LeakyReLU(" + slope + ")", x -> x.leakyRelu(slope));
    }

    /** tanh x. */
    public static Activation tanh() {
        return new Activation("Tanh", Tensor::tanh);
    }

    /** 1 / (1 + e^-x). */
    public static Activation sigmoid() {
        return new Activation("Sigmoid", Tensor::sigmoid);
    }

    /** x Φ(x) (exact, erf form). */
    public static Activation gelu() {
        return new Activation("GELU", Tensor::gelu);
    }

    /** ln(1 + e^x). */
    public static Activation softplus() {
        return new Activation("Softplus", Tensor::softplus);
    }

    @Override
    public Tensor forward(Tensor x) {
        return f.apply(x);
    }

    @Override
    public String toString() {
        return name;
    }
}
