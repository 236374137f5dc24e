package ndgrad.autograd;

/**
 * Raised in anomaly mode ({@link Autograd#detectAnomaly()}) by the first op whose forward or backward pass turns
 * finite values into NaN or infinity; the message names the op, the shapes and the line of user code that created
 * it.
 *
 * <p>Usage: {@code try (var a = Autograd.detectAnomaly()) { loss.backward(); } catch (AnomalyException e) { ... }}
 */
public class AnomalyException extends AutogradException {
    private static final long serialVersionUID = 1L;

    /** @param message the op, the shapes, the pass and where the op was created */
    public AnomalyException(String message) {
        super(message);
    }
}
