package ndgrad.testing;

/** The checks of the battery {@link OpTests} runs for each sample of an {@link OpSpec}, and once per spec. */
public enum Check {
    /** The float64 output against the reference, to 1e-12 relative. */
    FORWARD("forward float64 against the reference"),
    /** Float32 results (output and gradients) against float64 ones computed from the same rounded inputs. */
    FLOAT32("float32 against float64"),
    /** The output requires grad exactly when the op is differentiable and an input requires grad. */
    GRADIENT_FLOW("the output requires grad exactly when it should"),
    /** First derivatives against central differences in float64 ({@link ndgrad.autograd.GradCheck#check}). */
    GRADCHECK("gradcheck"),
    /** Second derivatives, through the recorded backward ({@link ndgrad.autograd.GradCheck#checkSecondOrder}). */
    GRADGRADCHECK("gradgradcheck"),
    /** The backward recorded for a second derivative (createGraph) gives the plain backward's first derivative. */
    RECORDED("recorded backward equals plain backward"),
    /** Java loops against ND4J's native kernels: outputs, first and second derivatives, in both dtypes. */
    KERNELS("Java kernels against ND4J kernels"),
    /** Non-contiguous inputs (column-major, sliced, strided) give the contiguous inputs' output and gradients. */
    LAYOUT("non-contiguous inputs"),
    /** The output and gradients against values computed elsewhere (PyTorch), to 1e-10 relative. */
    EXPECTED("values computed elsewhere"),
    /** A bad call is refused with an IllegalArgumentException (a ShapeException for shapes) naming the op. */
    BAD_INPUT("bad input refused"),
    /**
     * Float32 and float64 inputs together (for a layer, float32 inputs to float64 parameters) are refused with a
     * ShapeException naming the op (see {@link OpSpec#errorName}), or at least both dtypes.
     */
    MIXED_DTYPES("mixed dtypes refused");

    private final String title;

    Check(String title) {
        this.title = title;
    }

    /** What the check proves, as test names show it. */
    public String title() {
        return title;
    }
}
