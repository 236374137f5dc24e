package ndgrad.nn;

import ndgrad.autograd.Tensor;

/**
 * A module's trainable tensor with its dotted name ({@code "0.weight"}), as listed by
 * {@link Layer#namedParameters()}. The tensor is a leaf that requires grad and belongs to no scope.
 *
 * <p>Usage: {@code for (Parameter p : model.namedParameters()) log.info("{} {}", p.name(), p.value().shapeString());}
 */
public record Parameter(String name, Tensor value) {
}
