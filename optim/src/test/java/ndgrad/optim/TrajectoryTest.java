package ndgrad.optim;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import java.util.function.Function;
import java.util.stream.Stream;
import ndgrad.autograd.Tensor;
import ndgrad.core.DTypes;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.nd4j.linalg.api.buffer.DataType;

/**
 * Every optimizer and option set for 50 steps in float64 on f(w) = Σ ½ a_i (w_i - c_i)² + 0.05 w_i⁴ (gradient
 * a_i (w_i - c_i) + 0.2 w_i³), against a reference written here in plain Java doubles from the update rules in
 * PyTorch's documentation (torch.optim.SGD, RMSprop, Adam, AdamW, Adagrad); all of them act element by element.
 * Tolerance 1e-10 (absolute, plus relative to the value).
 */
class TrajectoryTest {
    static final double[] W0 = {1.5, -0.7, 0.3, 2.0, -1.2};
    static final double[] A = {1.0, 3.0, 0.5, 2.0, 1.5};
    static final double[] C = {0.2, -1.0, 0.8, 0.0, 0.5};

    /** The reference update of one element: p, its gradient, the step number (from 1) and its state slots. */
    @FunctionalInterface
    interface Reference {
        double update(double p, double g, int t, double[] st);
    }

    record Case(String name, Function<List<Tensor>, Optimizer<?>> make, Reference ref) {
        @Override
        public String toString() {
            return name;
        }
    }

    static Case sgd(String name, Sgd.Options o) {
        return new Case("SGD " + name, p -> new Sgd(p, o), (p, g0, t, st) -> {
            double g = g0 + o.weightDecay() * p;
            if (o.momentum() != 0) {
                st[0] = t == 1 ? g : o.momentum() * st[0] + (1 - o.dampening()) * g;
                g = o.nesterov() ? g + o.momentum() * st[0] : st[0];
            }
            return p - o.lr() * g;
        });
    }

    static Case rmsprop(String name, RmsProp.Options o) {
        return new Case("RMSprop " + name, p -> new RmsProp(p, o), (p, g0, t, st) -> {
            double g = g0 + o.weightDecay() * p;
            st[0] = o.alpha() * st[0] + (1 - o.alpha()) * g * g;
            double v = st[0];
            if (o.centered()) {
                st[1] = o.alpha() * st[1] + (1 - o.alpha()) * g;
                v = v - st[1] * st[1];
            }
            double d = Math.sqrt(v) + o.eps();
            if (o.momentum() > 0) {
                st[2] = o.momentum() * st[2] + g / d;
                return p - o.lr() * st[2];
            }
            return p - o.lr() * g / d;
        });
    }

    static Case adam(String name, Adam.Options o) {
        return new Case((o.decoupled() ? "AdamW " : "Adam ") + name, p -> new Adam(p, o), (p0, g0, t, st) -> {
            double p = o.decoupled() ? p0 * (1 - o.lr() * o.weightDecay()) : p0;
            double g = o.decoupled() ? g0 : g0 + o.weightDecay() * p0;
            st[0] = o.beta1() * st[0] + (1 - o.beta1()) * g;
            st[1] = o.beta2() * st[1] + (1 - o.beta2()) * g * g;
            st[2] = Math.max(st[2], st[1]);
            double mHat = st[0] / (1 - Math.pow(o.beta1(), t));
            double vHat = (o.amsgrad() ? st[2] : st[1]) / (1 - Math.pow(o.beta2(), t));
            return p - o.lr() * mHat / (Math.sqrt(vHat) + o.eps());
        });
    }

    static Case adagrad(String name, Adagrad.Options o) {
        return new Case("Adagrad " + name, p -> new Adagrad(p, o), (p, g0, t, st) -> {
            double g = g0 + o.weightDecay() * p;
            if (t == 1) {
                st[0] = o.initialAccumulatorValue();
            }
            double clr = o.lr() / (1 + (t - 1) * o.lrDecay());
            st[0] += g * g;
            return p - clr * g / (Math.sqrt(st[0]) + o.eps());
        });
    }

    static Stream<Case> cases() {
        Sgd.Options s = Sgd.options().lr(0.05);
        RmsProp.Options r = RmsProp.options();
        Adam.Options a = Adam.options().lr(0.05);
        Adam.Options w = AdamW.options().lr(0.05).weightDecay(0.1);
        Adagrad.Options g = Adagrad.options().lr(0.1);
        return Stream.of(
                sgd("plain", s), sgd("momentum", s.momentum(0.9)), sgd("momentum + dampening", s.momentum(0.9)
                        .dampening(0.5)), sgd("nesterov", s.momentum(0.8).nesterov(true)),
                sgd("weight decay", s.weightDecay(0.1)), sgd("nesterov + weight decay", s.momentum(0.5)
                        .nesterov(true).weightDecay(0.05)),
                sgd("EMA momentum (dampening = momentum)", s.momentum(0.9).dampening(0.9)),
                rmsprop("defaults", r), rmsprop("centered", r.centered(true)), rmsprop("momentum", r.momentum(0.5)),
                rmsprop("weight decay, alpha 0.9", r.weightDecay(0.1).alpha(0.9)),
                rmsprop("centered + momentum + eps", r.centered(true).momentum(0.9).eps(1e-3).lr(0.005)),
                adam("defaults", a), adam("weight decay", a.weightDecay(0.1)), adam("amsgrad", a.amsgrad(true)),
                adam("betas (0.3, 0.5), eps 1e-3", a.betas(0.3, 0.5).eps(1e-3)),
                adam("decoupled", w), adam("decoupled + amsgrad", w.amsgrad(true)),
                adagrad("defaults", g), adagrad("lr decay", g.lrDecay(0.05)), adagrad("weight decay",
                        g.weightDecay(0.1)), adagrad("initial accumulator, eps", g.initialAccumulatorValue(0.5)
                        .eps(1e-3)));
    }

    static Tensor loss(Tensor w, Tensor v) {
        Tensor all = Tensor.concat(0, w, v.flatten());
        Tensor a = Tensor.of(A);
        Tensor c = Tensor.of(C);
        Tensor d = all.sub(c);
        return a.mul(d).mul(d).mul(0.5).add(all.pow(4).mul(0.05)).sum();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void fiftyStepsMatchTheReference(Case c) {
        follow(c, DataType.DOUBLE, 1e-10);
    }

    /** The fused update computes in float32 for float32 parameters, as PyTorch does; it stays within its rounding. */
    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void inFloat32FiftyStepsFollowTheReferenceToFloatRounding(Case c) {
        follow(c, DataType.FLOAT, 2e-5);
    }

    private static void follow(Case c, DataType type, double tolerance) {
        try (var d = DTypes.use(type)) {
            Tensor w = Tensor.of(W0[0], W0[1], W0[2]).requiresGrad();
            Tensor v = Tensor.of(new double[] {W0[3], W0[4]}, 1, 2).requiresGrad();
            Optimizer<?> opt = c.make().apply(List.of(w, v));
            double[] ref = W0.clone();
            double[][] st = new double[W0.length][3];
            for (int t = 1; t <= 50; t++) {
                opt.zeroGrad();
                loss(w, v).backward();
                opt.step();
                for (int i = 0; i < ref.length; i++) {
                    double g = A[i] * (ref[i] - C[i]) + 0.2 * ref[i] * ref[i] * ref[i];
                    ref[i] = c.ref().update(ref[i], g, t, st[i]);
                }
                double[] got = {w.get(0), w.get(1), w.get(2), v.get(0, 0), v.get(0, 1)};
                for (int i = 0; i < ref.length; i++) {
                    assertEquals(ref[i], got[i], tolerance * (1 + Math.abs(ref[i])), c + " " + type + ": element " + i
                            + " at step " + t);
                }
            }
        }
    }
}
