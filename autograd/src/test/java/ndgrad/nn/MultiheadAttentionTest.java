package ndgrad.nn;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.HashMap;
import java.util.Map;
import ndgrad.autograd.Float64Test;
import ndgrad.autograd.GradCheck;
import ndgrad.autograd.Tensor;
import ndgrad.core.NdArrays;
import ndgrad.core.Rng;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Causal multi-head self-attention (embed 4, 2 heads, batch 1, 3 positions) against PyTorch 1.13 in float64:
 * {@code torch.nn.MultiheadAttention(4, 2, batch_first=True)} with {@code attn_mask=triu(ones(3, 3), 1)}, every
 * parameter and the input filled with sin(a·i + b)·scale as below, loss = Σ y·R. The values were printed by
 * {@code torch.__version__ == '1.13.0a0'} (Debian's python3-torch) from {@code reference/multihead_attention.py} (in the test resources), run here on 2026-11-28.
 */
class MultiheadAttentionTest extends Float64Test {
    private static final double[] Y = {
            0.009318565724570505, 0.3931646297558726, -0.44507157089085414, 0.5443006477110897, -0.0764159933788919,
            0.33501490126405653, -0.25504449492222814, 0.26163361679043823, 0.09412019752926178, 0.1298955491430566,
            -0.057695675095353324, 0.11280453864471582};
    private static final double[] GRAD_X = {
            0.004635029196576106, 0.05512581330097861, 0.0796900660453377, 0.06677483553694397,
            -0.024941456101618503, 0.011777551308901183, 0.04295739230952901, 0.05393370047921507,
            0.008427976424467899, 0.0037178341256824403, -0.002740863655172194, -0.007910490431823305};
    private static final double[] GRAD_IN_PROJ = {
            0.015985084636955443, -0.0002288265595264429, -0.01638671303363099, -0.028532560650506047,
            0.01818664336554778, 0.018886028587586742, 0.014961455338110602, 0.007373796022868247,
            0.0006189585490756697, -0.008021768144039994, -0.014698486226550064, -0.01777650225317233,
            -0.0017011586441339755, 0.015239215804313873, 0.028448498737634022, 0.034692597003901926,
            0.020707493500108667, 0.010565086145510274, -0.0021640227677698874, -0.01436330343456746,
            -0.018832104281701113, 0.0077273180346019476, 0.032394823396396426, 0.049130946181789564,
            -0.003172652944397615, 0.019191559871871062, 0.03685700950245577, 0.04549857777369483,
            0.002173320174673301, -0.01177107926056162, -0.0228335079620699, -0.028305497568033428,
            -0.051076803580034344, -0.15830886443400563, -0.22678139405986641, -0.23972992914224978,
            0.1655600604234179, 0.14500764899520532, 0.08895230777440653, 0.011118339290243888, 0.27577272831800087,
            0.3986392418841136, 0.423904966007392, 0.3453839702495232, 0.2278750368277072, 0.3605178978950816,
            0.4048934040564878, 0.3501368837537312};
    private static final double[] GRAD_OUT_PROJ = {
            -1.3890204938457413, 1.0191272597663672, -1.071754192603855, 0.9485560363981015, -1.477620610141648,
            1.1859403275083038, -1.255632403852373, 1.0672474047478926, -1.4342292780589743, 1.2468168778221418,
            -1.3273487120534875, 1.090604740962431, -1.2627225160623785, 1.1963189897740054, -1.280496912984774,
            1.0165416037616875};

    /** sin(a·i + b)·scale for i in [0, n), shaped. */
    private static INDArray values(double a, double b, double scale, long... shape) {
        int n = (int) java.util.Arrays.stream(shape).reduce(1, (x, y) -> x * y);
        double[] v = new double[n];
        for (int i = 0; i < n; i++) {
            v[i] = Math.sin(a * i + b) * scale;
        }
        return NdArrays.create(v, shape, DataType.DOUBLE);
    }

    @Test
    void matchesPyTorch() throws Exception {
        MultiheadAttention m = new MultiheadAttention(4, 2, true, new Rng(0));
        Map<String, Tensor> p = new HashMap<>();
        p.put("in_proj_weight", Tensor.of(values(0.7, 0.1, 0.5, 12, 4)));
        p.put("in_proj_bias", Tensor.of(values(1.3, 0.2, 0.1, 12)));
        p.put("out_proj.weight", Tensor.of(values(0.9, 0.3, 0.5, 4, 4)));
        p.put("out_proj.bias", Tensor.of(values(1.1, 0.4, 0.1, 4)));
        m.loadStateDict(p, true);
        Tensor x = Tensor.of(values(0.5, 0.5, 1, 1, 3, 4)).requiresGrad();
        Tensor y = m.forward(x);
        y.mul(Tensor.of(values(0.3, 0.7, 1, 1, 3, 4))).sum().backward();
        assertClose("y", Y, y);
        assertClose("grad x", GRAD_X, x.grad());
        Map<String, Tensor> params = new HashMap<>();
        m.namedParameters().forEach(q -> params.put(q.name(), q.value()));
        assertClose("grad in_proj_weight", GRAD_IN_PROJ, params.get("in_proj_weight").grad());
        assertClose("grad out_proj.weight", GRAD_OUT_PROJ, params.get("out_proj.weight").grad());
        GradCheck.Options tight = GradCheck.Options.defaults().tolerances(1e-7, 1e-6);
        GradCheck.assertGradients(tight, in -> m.forward(in[0]), x.detach().requiresGrad());
        GradCheck.assertSecondOrder(tight, in -> m.forward(in[0]), x.detach().requiresGrad());
    }

    private static void assertClose(String what, double[] want, Tensor got) {
        double[] g = got.toDoubleArray();
        assertEquals(want.length, g.length, what);
        for (int i = 0; i < g.length; i++) {
            assertEquals(want[i], g[i], 1e-10 * Math.abs(want[i]) + 1e-12, what + " element " + i);
        }
    }

    /** Dropout on the attention weights acts in training only; masks of other shapes are refused by name. */
    @Test
    void dropoutInTrainingOnlyAndMasksChecked() {
        MultiheadAttention plain = new MultiheadAttention(4, 2, false, new Rng(3));
        MultiheadAttention dropped = new MultiheadAttention(4, 2, false, 0.5, new Rng(3));
        Tensor x = Tensor.randn(new Rng(4), 2, 3, 4);
        double[] expected = plain.forward(x).toDoubleArray();
        org.junit.jupiter.api.Assertions.assertFalse(java.util.Arrays.equals(expected, dropped.forward(x)
                .toDoubleArray()));
        org.junit.jupiter.api.Assertions.assertArrayEquals(expected, dropped.eval().forward(x).toDoubleArray(), 0.0);
        org.junit.jupiter.api.Assertions.assertEquals("MultiheadAttention(4, heads=2, dropout=0.5)", dropped.toString());
        org.junit.jupiter.api.Assertions.assertEquals("MultiheadAttention: expected attn_mask of shape (3, 3) or (4, "
                + "3, 3), got [2, 3]", org.junit.jupiter.api.Assertions.assertThrows(
                        ndgrad.core.ShapeException.class, () -> plain.forward(x, Tensor.zeros(2, 3), null)).getMessage());
    }
}
