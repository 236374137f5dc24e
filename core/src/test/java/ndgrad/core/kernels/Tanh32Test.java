package ndgrad.core.kernels;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** The float32 LSTM cell's tanh against Math.tanh: within about one float32 ulp everywhere. */
class Tanh32Test {
    @Test
    void withinAFloat32UlpOfMathTanh() {
        double abs = 0;
        double rel = 0;
        for (double x = -12; x <= 12; x += 1e-4) {
            double want = Math.tanh(x);
            double e = Math.abs(Fused.tanh32(x) - want);
            abs = Math.max(abs, e);
            rel = Math.max(rel, want == 0 ? 0 : e / Math.abs(want));
        }
        assertTrue(abs < 5e-8, "absolute error " + abs);
        assertTrue(rel < 2e-7, "relative error " + rel + " (a float32 ulp is 6e-8 to 1.2e-7 of the value)");
        assertEquals(0.0, Fused.tanh32(0), 0.0);
        assertEquals(-Fused.tanh32(0.3), Fused.tanh32(-0.3), 0.0, "odd");
        assertEquals(1.0, (float) Fused.tanh32(40), 0.0, "±1 beyond the interpolant's range, in float32");
    }
}
