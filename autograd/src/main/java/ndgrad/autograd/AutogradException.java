package ndgrad.autograd;

/**
 * A misuse of the autograd graph: backward through a freed graph, a gradient asked of a tensor that does not
 * require one, an in-place change to a value that backward needs. The message says what happened and what to do.
 *
 * <p>Usage: {@code try { y.backward(); } catch (AutogradException e) { log.error(e.getMessage()); }}
 */
public class AutogradException extends IllegalStateException {
    private static final long serialVersionUID = 1L;

    /** @param message what happened, to which tensor or op, and what to do instead */
    public AutogradException(String message) {
        super(message);
    }
}
