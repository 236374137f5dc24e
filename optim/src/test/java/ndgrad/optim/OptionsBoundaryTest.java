package ndgrad.optim;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.function.Supplier;
import ndgrad.autograd.Float64Test;
import ndgrad.autograd.Tensor;
import org.junit.jupiter.api.Test;

/**
 * Every hyperparameter is refused just past PyTorch's bound, with PyTorch's wording ("Adam: invalid epsilon value:
 * -1.0E-300"), and taken at the bound itself (lr 0, eps 0, beta 0, dampening 1, ...).
 */
class OptionsBoundaryTest extends Float64Test {
    private static final double TINY = -1e-300;

    private static void refused(String message, Supplier<?> make) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, make::get);
        assertTrue(e.getMessage().startsWith(message), e.getMessage());
    }

    @Test
    void sgd() {
        refused("Sgd: invalid learning rate: -1.0E-300", () -> Sgd.options().lr(TINY));
        refused("Sgd: invalid learning rate: Infinity", () -> Sgd.options().lr(Double.POSITIVE_INFINITY));
        refused("Sgd: invalid momentum value", () -> Sgd.options().momentum(TINY));
        refused("Sgd: invalid dampening value", () -> Sgd.options().dampening(TINY));
        refused("Sgd: invalid dampening value: 1.0000000000000002", () -> Sgd.options().dampening(Math.nextUp(1.0)));
        refused("Sgd: invalid weight_decay value", () -> Sgd.options().weightDecay(TINY));
        refused("Sgd: Nesterov momentum requires", () -> Sgd.options().momentum(0.9).dampening(0.1).nesterov(true));
        Sgd.Options edge = Sgd.options().lr(0).momentum(0).dampening(1).weightDecay(0);
        assertEquals(List.of(0.0, 0.0, 1.0, 0.0, false), List.of(edge.lr(), edge.momentum(), edge.dampening(),
                edge.weightDecay(), edge.nesterov()));
        Sgd.options().momentum(Double.MIN_VALUE).nesterov(true);
    }

    @Test
    void adam() {
        refused("Adam: invalid learning rate", () -> Adam.options().lr(TINY));
        refused("Adam: invalid epsilon value: -1.0E-300", () -> Adam.options().eps(TINY));
        refused("Adam: invalid beta parameter at index 0: -1.0E-300", () -> Adam.options().betas(TINY, 0.9));
        refused("Adam: invalid beta parameter at index 0: 1.0", () -> Adam.options().betas(1, 0.9));
        refused("Adam: invalid beta parameter at index 1: 1.0", () -> Adam.options().betas(0.9, 1));
        refused("Adam: invalid beta parameter at index 1", () -> Adam.options().betas(0.9, TINY));
        refused("Adam: invalid weight_decay value", () -> Adam.options().weightDecay(TINY));
        Adam.Options edge = Adam.options().lr(0).eps(0).betas(0, 0).weightDecay(0).decoupledWeightDecay(true);
        assertEquals(List.of(0.0, 0.0, 0.0, 0.0, 0.0, true), List.of(edge.lr(), edge.eps(), edge.beta1(), edge.beta2(),
                edge.weightDecay(), edge.decoupled()));
        assertEquals(List.of(0.9, 0.999, 1e-8, 0.0, false, false), List.of(Adam.options().beta1(),
                Adam.options().beta2(), Adam.options().eps(), Adam.options().weightDecay(), Adam.options().amsgrad(),
                Adam.options().decoupled()), "PyTorch's defaults");
        assertEquals(List.of(1e-3, 0.01, true), List.of(AdamW.options().lr(), AdamW.options().weightDecay(),
                AdamW.options().decoupled()), "AdamW's defaults: weight decay 0.01, decoupled");
    }

    @Test
    void rmsPropAndAdagrad() {
        refused("RmsProp: invalid learning rate", () -> RmsProp.options().lr(TINY));
        refused("RmsProp: invalid alpha value", () -> RmsProp.options().alpha(TINY));
        refused("RmsProp: invalid epsilon value", () -> RmsProp.options().eps(TINY));
        refused("RmsProp: invalid weight_decay value", () -> RmsProp.options().weightDecay(TINY));
        refused("RmsProp: invalid momentum value", () -> RmsProp.options().momentum(TINY));
        RmsProp.Options r = RmsProp.options().lr(0).alpha(0).eps(0).weightDecay(0).momentum(0).centered(true);
        assertEquals(List.of(0.0, 0.0, 0.0, 0.0, 0.0, true), List.of(r.lr(), r.alpha(), r.eps(), r.weightDecay(),
                r.momentum(), r.centered()));
        refused("Adagrad: invalid learning rate", () -> Adagrad.options().lr(TINY));
        refused("Adagrad: invalid lr_decay value", () -> Adagrad.options().lrDecay(TINY));
        refused("Adagrad: invalid weight_decay value", () -> Adagrad.options().weightDecay(TINY));
        refused("Adagrad: invalid initial_accumulator_value value", () -> Adagrad.options()
                .initialAccumulatorValue(TINY));
        refused("Adagrad: invalid epsilon value", () -> Adagrad.options().eps(TINY));
        Adagrad.Options g = Adagrad.options().lr(0).lrDecay(0).weightDecay(0).initialAccumulatorValue(0).eps(0);
        assertEquals(List.of(0.0, 0.0, 0.0, 0.0, 0.0), List.of(g.lr(), g.lrDecay(), g.weightDecay(),
                g.initialAccumulatorValue(), g.eps()));
        assertEquals(List.of(0.01, 1e-10), List.of(Adagrad.options().lr(), Adagrad.options().eps()),
                "PyTorch's defaults");
    }

    @Test
    void schedulesClippingAndSearches() {
        Sgd opt = new Sgd(List.of(Tensor.of(1.0).requiresGrad()), 0.1);
        refused("step schedule: stepSize must be >= 1", () -> LrScheduler.step(opt, 0, 0.5));
        LrScheduler.step(opt, 1, 0.5);
        refused("cosine schedule: tMax must be >= 1", () -> LrScheduler.cosine(opt, 0, 0));
        LrScheduler.cosine(opt, 1, 0);
        refused("linear schedule", () -> LrScheduler.linear(opt, 0, 1, 1));
        refused("linear schedule", () -> LrScheduler.linear(opt, Math.nextUp(1.0), 1, 1));
        refused("linear schedule", () -> LrScheduler.linear(opt, 1, TINY, 1));
        refused("linear schedule", () -> LrScheduler.linear(opt, 1, Math.nextUp(1.0), 1));
        refused("linear schedule", () -> LrScheduler.linear(opt, 1, 0, 0));
        LrScheduler edge = LrScheduler.linear(opt, 1, 0, 1);
        edge.step();
        assertEquals(0.0, opt.lr(0), "end factor 0 after one step");
        assertEquals(1, edge.epoch());
        // schedules on one optimizer share its epoch (it is saved with the optimizer): a new one starts at 1 here
        refused("lambda schedule: the factor at step 1 is -1.0", () -> LrScheduler.lambda(opt, e -> -1));
        refused("lambda schedule: the factor at step 1 is NaN", () -> LrScheduler.lambda(opt, e -> Double.NaN));
        refused("ReduceLrOnPlateau", () -> new ReduceLrOnPlateau(opt, 0, 0, 0, 0, 0));
        refused("ReduceLrOnPlateau", () -> new ReduceLrOnPlateau(opt, 1, 0, 0, 0, 0));
        refused("ReduceLrOnPlateau", () -> new ReduceLrOnPlateau(opt, 0.5, -1, 0, 0, 0));
        refused("ReduceLrOnPlateau", () -> new ReduceLrOnPlateau(opt, 0.5, 0, TINY, 0, 0));
        refused("ReduceLrOnPlateau", () -> new ReduceLrOnPlateau(opt, 0.5, 0, 0, -1, 0));
        refused("ReduceLrOnPlateau", () -> new ReduceLrOnPlateau(opt, 0.5, 0, 0, 0, TINY));
        new ReduceLrOnPlateau(opt, Double.MIN_VALUE, 0, 0, 0, 0);
        refused("GradClip.byNorm: maxNorm must be >= 0", () -> GradClip.byNorm(List.of(), TINY));
        refused("GradClip.byValue", () -> {
            GradClip.byValue(List.of(), TINY);
            return null;
        });
        assertEquals(0.0, GradClip.byNorm(List.of(), 0));
        refused("LineSearch.Options", () -> LineSearch.options().initialStep(0));
        refused("Newton.Options", () -> Newton.options().damping(TINY));
        assertEquals(0.0, Newton.options().damping(0).damping());
    }

    /** ReduceLrOnPlateau: a value must beat the best by the relative threshold; the lr never goes below minLr. */
    @Test
    void plateauThresholdAndFloor() {
        Sgd opt = new Sgd(List.of(Tensor.of(1.0).requiresGrad()), 0.1);
        ReduceLrOnPlateau s = new ReduceLrOnPlateau(opt, 0.5, 0, 0.1, 0, 0.04);
        s.step(1.0);
        s.step(0.9);
        assertEquals(0.05, opt.lr(0), 1e-15, "0.9 is not below 1.0·(1 - 0.1): a bad epoch, past patience 0");
        s.step(0.5);
        assertEquals(0.05, opt.lr(0), 1e-15, "0.5 improves");
        s.step(0.5);
        assertEquals(0.04, opt.lr(0), 1e-15, "halved to 0.025, held at minLr 0.04");
        s.step(0.5);
        assertEquals(0.04, opt.lr(0), 1e-15, "a change below 1e-8 is skipped");
    }
}
