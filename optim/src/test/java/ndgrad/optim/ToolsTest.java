package ndgrad.optim;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import ndgrad.autograd.Float64Test;
import ndgrad.autograd.Tensor;
import ndgrad.nn.Parameter;
import org.junit.jupiter.api.Test;

/** The training tools with values worked out by hand: line search, the gradient monitor, clipping, the LR finder. */
class ToolsTest extends Float64Test {
    /**
     * f(x) = x² from x = 1 along d = -2 (slope ∇f·d = -4), c = 0.5, ρ = 0.5: t = 1 reaches x = -1, f = 1 > 1 - 2;
     * t = 0.5 reaches 0, f = 0 ≤ 1 - 1: accepted after two evaluations.
     */
    @Test
    void backtrackingStopsAtTheFirstStepThatDecreasesEnough() {
        Tensor x = Tensor.of(1.0).requiresGrad();
        LineSearch.Options o = new LineSearch.Options(1, 0.5, 0.5, 10);
        LineSearch.Result r = LineSearch.backtrack(() -> x.mul(x).sum(), List.of(x), List.of(Tensor.of(-2.0)), 1, -4,
                o);
        assertEquals(0.5, r.step());
        assertEquals(0.0, r.loss());
        assertEquals(2, r.evaluations());
        assertEquals(0.0, x.item(), "the parameter moved to the accepted point");
        Tensor y = Tensor.of(1.0).requiresGrad();
        LineSearch.Result none = LineSearch.backtrack(() -> y.mul(y).sum().add(10), List.of(y),
                List.of(Tensor.of(-2.0)), 1, -4, new LineSearch.Options(1, 0.5, 0.5, 3));
        assertEquals(0.0, none.step(), "no step decreases f enough");
        assertEquals(1.0, none.loss());
        assertEquals(3, none.evaluations());
        assertEquals(1.0, y.item(), "and the parameter is back where it was");
        assertTrue(assertThrows(IllegalArgumentException.class, () -> LineSearch.backtrack(() -> y.sum(), List.of(y),
                List.of(Tensor.of(1.0)), 1, 0, o)).getMessage().contains("not a descent direction"));
    }

    /** One gradient step on f(x) = (x - 3)² from 0 with t0 = 1, c = 1e-4, ρ = 0.5: t = 1 overshoots to 6; t = 0.5 lands on 3. */
    @Test
    void aGradientStepWithALineSearchNeedsNoLearningRate() {
        Tensor x = Tensor.of(0.0).requiresGrad();
        LineSearch.Result r = LineSearch.gradientStep(() -> x.sub(3).pow(2).sum(), List.of(x), LineSearch.options());
        assertEquals(0.5, r.step());
        assertEquals(3.0, x.item());
        assertEquals(0.0, r.loss());
    }

    /**
     * w = (0.6, 0.8) with gradient (3, 4) and b = 0 with gradient 1e-9; SGD at lr 0.1 moves w by 0.5 (ratio 0.5 to
     * ‖w‖ = 1) and b by 1e-10 (ratio: the change itself, b being 0).
     */
    @Test
    void theMonitorRecordsNormsRatiosAndOneWarningPerParameter() {
        Tensor w = Tensor.of(0.6, 0.8).requiresGrad();
        Tensor b = Tensor.of(0.0).requiresGrad();
        Tensor unused = Tensor.of(1.0).requiresGrad();
        GradientMonitor m = new GradientMonitor(List.of(new Parameter("w", w), new Parameter("b", b),
                new Parameter("u", unused)), 1e-6, 4);
        Sgd opt = new Sgd(List.of(w, b, unused), 0.1);
        for (int step = 0; step < 2; step++) {
            opt.zeroGrad();
            w.mul(Tensor.of(3.0, 4.0)).sum().add(b.mul(1e-9).sum()).backward();
            m.beforeStep();
            opt.step();
            m.afterStep();
        }
        assertEquals(List.of(5.0, 5.0), m.gradNorms().get("w"));
        assertEquals(1e-9, m.gradNorms().get("b").get(0), 1e-24);
        assertEquals(List.of(0.0, 0.0), m.gradNorms().get("u"), "no gradient: norm 0");
        assertEquals(0.5, m.updateRatios().get("w").get(0), 1e-15);
        assertEquals(1e-10, m.updateRatios().get("b").get(0), 1e-25);
        assertEquals(0.5 / Math.sqrt(0.3 * 0.3 + 0.4 * 0.4), m.updateRatios().get("w").get(1), 1e-12,
                "the second step against the moved weights");
        assertEquals(List.of("w: gradient norm 5.00 at step 1 is exploding (above 4.0)",
                "b: gradient norm 1.00e-09 at step 1 is vanishing (below 1.0E-6)",
                "u: gradient norm 0.00 at step 1 is vanishing (below 1.0E-6)"), m.warnings());
        GradientMonitor nan = new GradientMonitor(List.of(new Parameter("w", w)), 0, 1e9);
        w.setGrad(Tensor.of(Double.NaN, 1));
        nan.beforeStep();
        assertEquals(List.of("w: gradient norm NaN at step 1 is exploding (above 1.0E9)"), nan.warnings());
        assertThrows(IllegalArgumentException.class, () -> new GradientMonitor(List.of(), 1, 1));
        assertThrows(IllegalArgumentException.class, () -> new GradientMonitor(List.of(), -1e-300, 1));
        new GradientMonitor(List.of(), 0, Double.MIN_VALUE);
    }

    /** ‖(3, 4)‖ = 5: clipped to 1 the gradient is (0.6, 0.8)·5/(5 + 1e-6); at 5 or more it is left alone. */
    @Test
    void clippingByNormAndByValue() {
        Tensor w = Tensor.of(0.0, 0.0).requiresGrad();
        w.setGrad(Tensor.of(3, 4));
        assertEquals(5.0, GradClip.byNorm(List.of(w), 5 + 1e-6));
        assertArrayEquals(new double[] {3, 4}, w.grad().toDoubleArray(), "coefficient exactly 1: untouched");
        assertEquals(5.0, GradClip.byNorm(List.of(w, Tensor.of(1.0).requiresGrad()), 1));
        assertArrayEquals(new double[] {3 / (5 + 1e-6), 4 / (5 + 1e-6)}, w.grad().toDoubleArray(), 1e-15);
        w.setGrad(Tensor.of(-2, 0.5));
        GradClip.byValue(List.of(w), 0.5);
        assertArrayEquals(new double[] {-0.5, 0.5}, w.grad().toDoubleArray());
        GradClip.byValue(List.of(w), 0);
        assertArrayEquals(new double[] {0, 0}, w.grad().toDoubleArray());
    }

    /**
     * The LR finder on scripted losses (10, 9, ..., one per step, through a graph of w): the lrs grow geometrically
     * from start to end, the losses are the debiased moving average of fastai (β 0.98), and the suggestion is the
     * start of the steepest segment outside the first tenth and the last five.
     */
    @Test
    void theFinderSweepsGeometricallyAndSuggestsTheSteepestSegment() {
        Tensor w = Tensor.of(1.0).requiresGrad();
        Sgd opt = new Sgd(List.of(w), 0.5);
        double[] script = {10, 10, 10, 10, 10, 9, 8, 4, 3.5, 3.4, 3.3, 3.2, 3.1, 3, 3, 3, 3, 3, 3, 3};
        int[] step = {0};
        LrFinder.Result r = LrFinder.run(opt, () -> w.mul(0).sum().add(script[step[0]++]), 1e-3, 1e-1, 20);
        assertEquals(20, r.lrs().length);
        for (int i = 0; i < 20; i++) {
            assertEquals(1e-3 * Math.pow(100, i / 19.0), r.lrs()[i], 1e-15);
        }
        double avg = 0;
        double[] smooth = new double[20];
        for (int i = 0; i < 20; i++) {
            avg = 0.98 * avg + 0.02 * script[i];
            smooth[i] = avg / (1 - Math.pow(0.98, i + 1));
            assertEquals(smooth[i], r.losses()[i], 1e-12);
        }
        int best = 2;
        for (int i = 3; i < 15; i++) {
            if ((smooth[i] - smooth[i - 1]) < (smooth[best + 1] - smooth[best])) {
                best = i - 1;
            }
        }
        assertEquals(r.lrs()[best], r.suggestion(), "the segment starting at " + best);
        assertEquals(0.5, opt.lr(0), "lr restored");
        assertEquals(1.0, w.item(), "parameter restored");
        int[] again = {0};
        LrFinder.Result stopped = LrFinder.run(opt, () -> w.mul(0).sum().add(again[0]++ < 3 ? 1 : 1000), 1e-3, 1,
                20);
        assertEquals(4, stopped.lrs().length, "stops at the first smoothed loss above four times the best");
        assertThrows(IllegalArgumentException.class, () -> LrFinder.run(opt, () -> w.sum(), 1e-3, 1, 2));
        assertThrows(IllegalArgumentException.class, () -> LrFinder.run(opt, () -> w.sum(), 1, 1, 5));
        LrFinder.run(opt, () -> w.sum(), 1e-3, 1, 3);
    }

    /**
     * f = x² - y² from (1, 1): H = diag(2, -2) is indefinite, so λ climbs from 1e-8·max|H_ii| = 2e-8 by ×10 until
     * H + λI is positive definite: 2 is not (a zero pivot), 20 is. Then d = -(2/22, -2/18), accepted at t = 1:
     * f = (1 - 1/11)² - (1 + 1/9)².
     */
    @Test
    void newtonDampsAnIndefiniteHessianUntilItFactors() {
        Tensor x = Tensor.of(1.0).requiresGrad();
        Tensor y = Tensor.of(new double[] {1.0}, 1, 1).requiresGrad();
        double f = new Newton(List.of(x, y), Newton.options()).step(() -> x.mul(x).sum().sub(y.mul(y).sum()));
        double x1 = 1 - 2.0 / 22;
        double y1 = 1 + 2.0 / 18;
        assertEquals(x1, x.item(), 1e-12);
        assertEquals(y1, y.item(), 1e-12);
        assertEquals(x1 * x1 - y1 * y1, f, 1e-12, "step returns f after the step");
    }

    /**
     * f = ½ xᵀAx - bᵀx over two parameters of different shapes, A = [[3, 1, 0], [1, 2, 0.5], [0, 0.5, 1]]: one
     * Newton step, full or by conjugate gradients (3 iterations), lands on A⁻¹b = (16, -31, 24)/17 and returns
     * -½ bᵀA⁻¹b.
     */
    @Test
    void newtonSolvesAQuadraticInOneStep() {
        double[][] a = {{3, 1, 0}, {1, 2, 0.5}, {0, 0.5, 1}};
        double[] b = {1, -2, 0.5};
        double[] solution = {16.0 / 17, -31.0 / 17, 24.0 / 17};
        for (Newton.Options o : List.of(Newton.options(), Newton.options().conjugateGradient(3))) {
            Tensor p = Tensor.of(0.0, 0.0).requiresGrad();
            Tensor q = Tensor.of(new double[] {0.0}, 1, 1).requiresGrad();
            Tensor am = Tensor.of(a);
            Tensor bv = Tensor.of(b);
            double f = new Newton(List.of(p, q), o).step(() -> {
                Tensor v = Tensor.concat(0, p, q.flatten());
                return v.matmul(am.matmul(v)).mul(0.5).sub(bv.matmul(v));
            });
            assertArrayEquals(new double[] {solution[0], solution[1]}, p.toDoubleArray(), 1e-12, o.toString());
            assertEquals(solution[2], q.item(), 1e-12);
            double bx = b[0] * solution[0] + b[1] * solution[1] + b[2] * solution[2];
            assertEquals(-0.5 * bx, f, 1e-12);
        }
    }

    /** Newton-CG on the concave f = -x² meets negative curvature at once and takes the steepest descent, -g. */
    @Test
    void newtonCgFollowsTheGradientAtNegativeCurvatureAndStopsAtAStationaryPoint() {
        Tensor x = Tensor.of(1.0).requiresGrad();
        double f = new Newton(List.of(x), Newton.options().conjugateGradient(5)).step(() -> x.mul(x).sum().neg());
        assertEquals(3.0, x.item(), 1e-12, "d = -g = 2, accepted at t = 1");
        assertEquals(-9.0, f, 1e-12);
        Tensor z = Tensor.of(0.0).requiresGrad();
        assertEquals(0.0, new Newton(List.of(z), Newton.options()).step(() -> z.mul(z).sum()), "g = 0: no step");
        assertEquals(0.0, z.item());
        assertThrows(IllegalArgumentException.class, () -> new Newton(List.of(x.mul(2)), Newton.options()));
    }
}
