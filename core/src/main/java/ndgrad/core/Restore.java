package ndgrad.core;

/**
 * A per-thread setting changed for a block: closing it restores the previous value, and throws nothing.
 *
 * <p>Usage: {@code try (Restore r = DTypes.use(DataType.DOUBLE)) { ... }}
 */
@FunctionalInterface
public interface Restore extends AutoCloseable {
    @Override
    void close();
}
