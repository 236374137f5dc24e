package ndgrad.core;

/**
 * A shape, axis or dtype that an operation cannot accept. The message names the operation, the shapes or values
 * involved and what was expected.
 *
 * <p>Usage: {@code throw new ShapeException("matmul: shapes [2, 3] and [4, 5] cannot be multiplied (3 != 4)");}
 */
public class ShapeException extends IllegalArgumentException {
    private static final long serialVersionUID = 1L;

    /** @param message names the op, the shapes or values, and what was expected */
    public ShapeException(String message) {
        super(message);
    }
}
