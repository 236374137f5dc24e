package ndgrad.autograd;

import ndgrad.core.DTypes;
import ndgrad.core.Restore;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.nd4j.linalg.api.buffer.DataType;

/** Tests whose tensors are float64 by default (shared with other modules' tests through the test-jar). */
public abstract class Float64Test {
    private Restore dtype;

    @BeforeEach
    void useFloat64() {
        dtype = DTypes.use(DataType.DOUBLE);
    }

    @AfterEach
    void restoreDtype() {
        dtype.close();
    }
}
