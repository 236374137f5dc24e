package ndgrad.core;

import org.nd4j.linalg.api.buffer.DataType;

/**
 * The default floating-point dtype, per thread: FLOAT (float32) unless changed, as in PyTorch's
 * {@code torch.set_default_dtype}. Factories that take Java doubles create arrays of this dtype directly, so
 * float64 values are never rounded through float32.
 *
 * <p>Usage: {@code try (var d = DTypes.use(DataType.DOUBLE)) { Tensor x = Tensor.of(1, 2, 3); }}
 */
public final class DTypes {
    private static final PerThread<Default> DEFAULT = new PerThread<>(Default::new);

    /** This thread's default. */
    private static final class Default extends PerThread.Owned {
        DataType type = DataType.FLOAT;
    }

    private DTypes() {
    }

    /** The current thread's default floating-point dtype. */
    public static DataType defaultType() {
        return DEFAULT.get().type;
    }

    /** Makes {@code type} the default until the returned handle closes; then the previous default returns. */
    public static Restore use(DataType type) {
        requireFloating("DTypes.use", type);
        Default t = DEFAULT.get();
        DataType previous = t.type;
        t.type = type;
        return () -> t.type = previous;
    }

    /** Throws a {@link ShapeException} naming {@code op} unless {@code type} is FLOAT, DOUBLE, HALF or BFLOAT16. */
    public static void requireFloating(String op, DataType type) {
        if (!type.isFPType()) {
            throw new ShapeException(op + ": dtype " + type + " is not a floating-point type (expected FLOAT or DOUBLE)");
        }
    }

    /** Throws a {@link ShapeException} naming {@code op} unless {@code type} is FLOAT, DOUBLE, LONG, INT or BOOL. */
    public static void requireSupported(String op, DataType type) {
        if (!java.util.Set.of(DataType.FLOAT, DataType.DOUBLE, DataType.LONG, DataType.INT, DataType.BOOL)
                .contains(type)) {
            throw new ShapeException(op + ": dtype " + type + " is not supported (expected FLOAT, DOUBLE, LONG, INT "
                    + "or BOOL)");
        }
    }
}
