package ndgrad.optim;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import ndgrad.autograd.Autograd;
import ndgrad.autograd.Float64Test;
import ndgrad.autograd.Tensor;
import ndgrad.nn.Parameter;
import org.junit.jupiter.api.Test;

/** The tools at the edges of their conditions: thresholds met exactly, the last allowed try, unusual call orders. */
class ToolEdgesTest extends Float64Test {
    /** f(x) = x² from 1 along -2 with c = 0.5, ρ = 0.5: t = 0.5 is accepted at the second and last allowed try. */
    @Test
    void theLineSearchTriesExactlyMaxShrinksSteps() {
        Tensor x = Tensor.of(1.0).requiresGrad();
        LineSearch.Result r = LineSearch.backtrack(() -> x.mul(x).sum(), List.of(x), List.of(Tensor.of(-2.0)), 1, -4,
                new LineSearch.Options(1, 0.5, 0.5, 2));
        assertEquals(0.5, r.step());
        assertEquals(2, r.evaluations());
    }

    @Test
    void lineSearchAndNewtonOptionsRefuseTheirBoundaries() {
        for (double[] bad : new double[][] {{1, 0, 0.5, 1}, {1, 1, 0.5, 1}, {1, 0.5, 0, 1}, {1, 0.5, 1, 1},
                {1, 0.5, 0.5, 0}}) {
            assertThrows(IllegalArgumentException.class,
                    () -> new LineSearch.Options(bad[0], bad[1], bad[2], (int) bad[3]), () -> List.of(bad).toString());
        }
        assertEquals(1, new LineSearch.Options(Double.MIN_VALUE, Double.MIN_VALUE, Double.MIN_VALUE, 1).maxShrinks());
        assertEquals(1, Newton.options().conjugateGradient(1).cgIterations());
        assertThrows(IllegalArgumentException.class, () -> Newton.options().conjugateGradient(0));
        assertThrows(IllegalArgumentException.class, () -> new Newton.Options(0, true, 1, 0, LineSearch.options()));
        assertEquals(Double.MIN_VALUE,
                new Newton.Options(0, true, 1, Double.MIN_VALUE, LineSearch.options()).cgTolerance());
    }

    /**
     * f = ½(x² + 3y²) - x - 2y from 0, one damped CG iteration (λ = 1): r = p = b = (1, 2), (A + λI)p = (2, 8),
     * α = 5/18, d = (5, 10)/18; t = 1 is accepted and f = -575/648.
     */
    @Test
    void oneDampedConjugateGradientIteration() {
        Tensor v = Tensor.of(0.0, 0.0).requiresGrad();
        Tensor a = Tensor.of(1.0, 3.0);
        Tensor b = Tensor.of(1.0, 2.0);
        double f = new Newton(List.of(v), Newton.options().damping(1).conjugateGradient(1))
                .step(() -> v.mul(v).mul(a).sum().mul(0.5).sub(v.mul(b).sum()));
        assertArrayEquals(new double[] {5.0 / 18, 10.0 / 18}, v.toDoubleArray(), 1e-12);
        assertEquals(-575.0 / 648, f, 1e-12);
    }

    /**
     * f = ½(x² - y²) from (1, 0.1): the first CG direction r = (-1, 0.1) has curvature 0.99 > 0, so d = α r with
     * α = 1.01/0.99; the next direction has negative curvature, so CG stops and returns that d (not the residual).
     */
    @Test
    void newtonCgKeepsItsStepWhenCurvatureTurnsNegativeLater() {
        Tensor v = Tensor.of(1.0, 0.1).requiresGrad();
        Tensor sign = Tensor.of(1.0, -1.0);
        new Newton(List.of(v), Newton.options().conjugateGradient(5)).step(() -> v.mul(v).mul(sign).sum().mul(0.5));
        double alpha = 1.01 / 0.99;
        assertArrayEquals(new double[] {1 - alpha, 0.1 + 0.1 * alpha}, v.toDoubleArray(), 1e-12);
    }

    /** initialStep(t0) starts the search at t0: f(x) = x² from 1 along -2 accepts t0 = 0.25 at once. */
    @Test
    void theLineSearchStartsAtItsInitialStep() {
        Tensor x = Tensor.of(1.0).requiresGrad();
        LineSearch.Result r = LineSearch.backtrack(() -> x.mul(x).sum(), List.of(x), List.of(Tensor.of(-2.0)), 1, -4,
                LineSearch.options().initialStep(0.25));
        assertEquals(0.25, r.step());
        assertEquals(1, r.evaluations());
        assertEquals(0.25, r.loss(), "(1 - 0.25 · 2)²");
    }

    /**
     * f = 3x - 4y is linear: its gradient (3, -4) is a constant, so the Hessian is 0 and the first CG direction has
     * curvature exactly 0; CG returns the residual -g, and the line search takes t = 1: (1, 2) - (3, -4).
     */
    @Test
    void newtonCgOnALinearFunctionFallsBackToSteepestDescent() {
        Tensor v = Tensor.of(1.0, 2.0).requiresGrad();
        Tensor c = Tensor.of(3.0, -4.0);
        double f = new Newton(List.of(v), Newton.options().conjugateGradient(5)).step(() -> v.mul(c).sum());
        assertArrayEquals(new double[] {-2, 6}, v.toDoubleArray());
        assertEquals(-30, f);
    }

    /** At a minimum the slope along the Newton direction is 0: no step is taken, and the loss there is returned. */
    @Test
    void newtonAtTheMinimumReturnsTheLossThere() {
        Tensor v = Tensor.of(2.0).requiresGrad();
        double f = new Newton(List.of(v), Newton.options()).step(() -> v.sub(2).mul(v.sub(2)).sum().add(7));
        assertEquals(7, f);
        assertEquals(2, v.item());
    }

    /**
     * Newton as an Optimizer: its lr is the line search's first step, so lr 0.5 takes half the Newton step on
     * f = (x - 2)² from 0 (x = 1, f = 1); its state dict carries that lr to a new Newton through a file; step()
     * without the loss is refused.
     */
    @Test
    void newtonIsAnOptimizerWhoseLrIsTheFirstStep(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir)
            throws java.io.IOException {
        Tensor x = Tensor.of(0.0).requiresGrad();
        Newton n = new Newton(List.of(x), Newton.options());
        n.setLr(0, 0.5);
        assertEquals(1, n.step(() -> x.sub(2).mul(x.sub(2)).sum()), 1e-12);
        assertEquals(1, x.item(), 1e-12);
        n.save(dir.resolve("newton.npz"));
        Newton m = new Newton(List.of(x), Newton.options());
        m.load(dir.resolve("newton.npz"));
        assertEquals(n.groups().get(0).options(), m.groups().get(0).options());
        x.setGrad(Tensor.of(1.0));
        IllegalStateException e = assertThrows(IllegalStateException.class, m::step);
        assertEquals("Newton: a step needs the loss to differentiate twice; call step(() -> loss)", e.getMessage());
        assertEquals(1, x.item(), 1e-12);
    }

    /** A gradient norm equal to a threshold is neither vanishing nor exploding. */
    @Test
    void theMonitorsThresholdsAreStrict() {
        Tensor w = Tensor.of(0.0, 0.0).requiresGrad();
        w.setGrad(Tensor.of(3.0, 4.0));
        GradientMonitor atVanishing = new GradientMonitor(List.of(new Parameter("w", w)), 5, 10);
        GradientMonitor atExploding = new GradientMonitor(List.of(new Parameter("w", w)), 1, 5);
        atVanishing.beforeStep();
        atExploding.beforeStep();
        assertEquals(List.of(), atVanishing.warnings());
        assertEquals(List.of(), atExploding.warnings());
    }

    /** beforeStep called twice: the ratio compares against the second snapshot, the weights the step started from. */
    @Test
    void theMonitorComparesWithItsLatestSnapshot() {
        Tensor w = Tensor.of(3.0, 4.0).requiresGrad();
        GradientMonitor m = new GradientMonitor(List.of(new Parameter("w", w)), 0, 1e9);
        w.setGrad(Tensor.of(1.0, 0.0));
        m.beforeStep();
        try (Autograd.GradMode off = Autograd.noGrad()) {
            w.modify(data -> data.muli(2));
        }
        m.beforeStep();
        new Sgd(List.of(w), 1).step();
        m.afterStep();
        assertEquals(List.of(0.1), m.updateRatios().get("w"), "‖(-1, 0)‖ / ‖(6, 8)‖");
    }

    /** The LR finder leaves no gradient behind, and refuses a start of 0. */
    @Test
    void theFinderClearsGradientsAndRefusesAZeroStart() {
        Tensor w = Tensor.of(1.0).requiresGrad();
        Sgd opt = new Sgd(List.of(w), 0.1);
        LrFinder.run(opt, () -> w.mul(w).sum(), 1e-3, 1, 5);
        assertTrue(w.grad() == null || w.grad().toDoubleArray()[0] == 0, "no gradient left");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> LrFinder.run(opt, () -> w.sum(), 0, 1, 5));
        assertEquals("LrFinder: expected 0 < start < end and steps >= 3, got 0.0, 1.0, 5", e.getMessage(),
                "refused by the finder, before any step");
    }

    /**
     * Where the steepest segment of the smoothed losses lies outside the usual window: with 20 steps the segments
     * searched start at 2 to 14, so a drop in the first is not suggested; with 7 steps only segment 0 is searched;
     * with 6 the window is too short and the whole sweep is. (Smoothed values worked out with the formula above.)
     */
    @Test
    void theFindersSearchWindow() {
        Tensor w = Tensor.of(1.0).requiresGrad();
        Sgd opt = new Sgd(List.of(w), 0.1);
        double[] early = new double[20];
        early[0] = 3;
        java.util.Arrays.fill(early, 1, 5, 1);
        assertEquals(1e-3 * Math.pow(100, 4 / 19.0), suggestion(opt, w, early, 1e-3, 1e-1), 1e-15,
                "the drop to 0 at step 5 (segment 4), not the larger one from 3 to 1 in segment 0");
        double[] seven = {5, 4.9, 4.8, 1, 1, 1, 1};
        assertEquals(1e-3, suggestion(opt, w, seven, 1e-3, 1), 1e-15, "only segment 0 is searched");
        double[] six = {5, 4.9, 4.8, 1, 1, 1};
        assertEquals(1e-3 * Math.pow(1000, 2 / 5.0), suggestion(opt, w, six, 1e-3, 1), 1e-15,
                "all of the sweep: the drop at 3");
    }

    /**
     * A flat loss of 0: no step diverges (0 is not above 4 · 0), so all 3 steps run, the fewest allowed, and no
     * segment descends. PyTorch Lightning's argmin would suggest the first lr; here nothing is suggested (NaN), since
     * no lr was seen to lower the loss.
     */
    @Test
    void aFlatSweepRunsToTheEndAndSuggestsNothing() {
        Tensor w = Tensor.of(1.0).requiresGrad();
        Sgd opt = new Sgd(List.of(w), 0.1);
        LrFinder.Result r = LrFinder.run(opt, () -> w.mul(0).sum(), 1e-2, 1, 3);
        assertArrayEquals(new double[] {1e-2, 1e-1, 1}, r.lrs(), 1e-15);
        assertArrayEquals(new double[] {0, 0, 0}, r.losses());
        assertEquals(Double.NaN, r.suggestion());
    }

    /** Issue 34: a sweep that diverges from its first lr suggests nothing, not the lr that diverged. */
    @Test
    void aSweepThatDivergesAtOnceSuggestsNothing() {
        Tensor w = Tensor.of(1.0).requiresGrad();
        Sgd opt = new Sgd(List.of(w), 0.1);
        assertEquals(Double.NaN, suggestion(opt, w, new double[] {1, 1e6, 1e6, 1e6, 1e6}, 1e3, 1e4));
        assertEquals(Double.NaN, suggestion(opt, w, new double[] {1, Double.NaN, 1, 1, 1}, 1e3, 1e4));
    }

    /**
     * A 20-step sweep that diverges at its seventh step: seven losses leave no window (20/10 = 2 to 7 - 5), so the
     * whole sweep is searched and the drop at step 2 (segment 1) is suggested.
     */
    @Test
    void aSweepThatDivergesEarlyIsSearchedWhole() {
        Tensor w = Tensor.of(1.0).requiresGrad();
        Sgd opt = new Sgd(List.of(w), 0.1);
        double[] script = new double[20];
        java.util.Arrays.fill(script, 1e6);
        System.arraycopy(new double[] {5, 5, 1, 1, 1, 1}, 0, script, 0, 6);
        int[] at = {0};
        LrFinder.Result r = LrFinder.run(opt, () -> w.mul(0).sum().add(script[at[0]++]), 1e-3, 1e-1, 20);
        assertEquals(7, r.lrs().length, "stopped at the first loss above 4 × the best");
        assertEquals(1e-3 * Math.pow(100, 1 / 19.0), r.suggestion(), 1e-15);
    }

    private static double suggestion(Sgd opt, Tensor w, double[] script, double start, double end) {
        int[] at = {0};
        return LrFinder.run(opt, () -> w.mul(0).sum().add(script[at[0]++]), start, end, script.length).suggestion();
    }

    /** Like PyTorch, the lr is not touched when the reduction would change it by less than 1e-8. */
    @Test
    void thePlateauSchedulerIgnoresReductionsBelowItsEpsilon() {
        Sgd opt = new Sgd(List.of(Tensor.of(1.0).requiresGrad()), 0.04 + 5e-9);
        ReduceLrOnPlateau s = new ReduceLrOnPlateau(opt, 0.5, 0, 0, 0, 0.04);
        s.step(1.0);
        s.step(1.0);
        assertEquals(0.04 + 5e-9, opt.lr(0));
    }

    /** A reduction by exactly the epsilon is too small as well: 2e-8 → 1e-8 (min_lr) leaves 2e-8, as in PyTorch. */
    @Test
    void aReductionOfExactlyEpsilonIsIgnored() {
        Sgd opt = new Sgd(List.of(Tensor.of(1.0).requiresGrad()), 2e-8);
        ReduceLrOnPlateau s = new ReduceLrOnPlateau(opt, 0.1, 0, 0, 0, 1e-8);
        s.step(1.0);
        s.step(1.0);
        assertEquals(2e-8, opt.lr(0));
    }

    /** Nesterov momentum leaves the gradient as it was; RMSprop without momentum keeps no momentum buffer. */
    @Test
    void optimizersLeaveGradientsAloneAndKeepOnlyTheirBuffers() {
        Tensor w = Tensor.of(1.0, 2.0).requiresGrad();
        w.setGrad(Tensor.of(0.5, -0.5));
        Sgd sgd = new Sgd(List.of(w), Sgd.options().lr(0.1).momentum(0.9).nesterov(true));
        sgd.step();
        sgd.step();
        assertArrayEquals(new double[] {0.5, -0.5}, w.grad().toDoubleArray());
        RmsProp rms = new RmsProp(List.of(w), RmsProp.options());
        rms.step();
        assertFalse(rms.stateDict().entries().get(0).buffers().containsKey("momentum_buffer"));
        assertNull(rms.stateDict().entries().get(0).buffers().get("grad_avg"));
    }

    /** Optimizer.step(source) returns the loss the source computed, before the update. */
    @Test
    void aGradientSourceReportsTheLoss() {
        Tensor w = Tensor.of(3.0).requiresGrad();
        Sgd opt = new Sgd(List.of(w), 0.25);
        assertEquals(9.0, opt.step(GradientSource.autograd(() -> w.mul(w).sum())));
        assertEquals(1.5, w.item(), "3 - 0.25 · 6");
    }
}
