package ndgrad.examples;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.function.Supplier;
import ndgrad.autograd.Tensor;
import ndgrad.core.DTypes;
import ndgrad.core.Rng;
import ndgrad.nn.Activation;
import ndgrad.nn.Linear;
import ndgrad.nn.Losses;
import ndgrad.nn.Sequential;
import ndgrad.optim.Adagrad;
import ndgrad.optim.Adam;
import ndgrad.optim.LineSearch;
import ndgrad.optim.Newton;
import ndgrad.optim.Optimizer;
import ndgrad.optim.RmsProp;
import ndgrad.optim.Sgd;
import org.nd4j.linalg.api.buffer.DataType;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Every optimizer on two common problems, same start and seed, float64: Rosenbrock's function from (-1.5, 2), and
 * a 1-16-1 tanh MLP fitting sin(x) on 64 points of [-3, 3] (full batch). Prints the loss after N steps as a
 * Markdown table.
 *
 * <p>Usage: {@code mvn -B -q -pl examples exec:java -Dexec.mainClass=ndgrad.examples.CompareOptimizers}
 */
public final class CompareOptimizers {
    private static final Logger LOG = LoggerFactory.getLogger(CompareOptimizers.class);

    public static void main(String[] args) {
        try (var float64 = DTypes.use(DataType.DOUBLE)) {
            Map<String, Function<List<Tensor>, Optimizer<?>>> first = new LinkedHashMap<>();
            first.put("GD (SGD, lr 1e-3)", p -> new Sgd(p, 1e-3));
            first.put("momentum 0.9 (lr 1e-3)", p -> new Sgd(p, Sgd.options(1e-3).momentum(0.9)));
            first.put("Nesterov 0.9 (lr 1e-3)", p -> new Sgd(p, Sgd.options(1e-3).momentum(0.9).nesterov(true)));
            first.put("RMSprop (lr 1e-2)", p -> new RmsProp(p, RmsProp.options()));
            first.put("Adam (lr 5e-2)", p -> new Adam(p, Adam.options().lr(0.05)));
            first.put("AdamW (lr 5e-2, wd 1e-2)", p -> new Adam(p, Adam.adamW().lr(0.05)));
            first.put("Adagrad (lr 0.5)", p -> new Adagrad(p, Adagrad.options().lr(0.5)));
            StringBuilder table = new StringBuilder("\n| optimizer | Rosenbrock f after 1000 steps | sin MLP MSE "
                    + "after 500 steps |\n|---|---:|---:|\n");
            first.forEach((name, make) -> table.append(String.format("| %s | %.3e | %.3e |%n", name,
                    firstOrder(make, rosenbrockStart(), CompareOptimizers::rosenbrock, 1000),
                    sinMlp(make, 500))));
            table.append(String.format("| GD + Armijo line search | %.3e | %.3e |%n",
                    lineSearch(rosenbrockStart(), CompareOptimizers::rosenbrock, 1000), lineSearchMlp(500)));
            Tensor p = rosenbrockStart();
            Newton newton = new Newton(List.of(p), Newton.options());
            double f = 0;
            for (int k = 0; k < 25; k++) {
                f = newton.step(() -> rosenbrock(p));
            }
            table.append(String.format("| Newton (full Hessian), 25 steps | %.3e | %.3e (25 steps, damped) |%n", f,
                    newtonMlp(25)));
            LOG.info("{}", table);
        }
    }

    private static Tensor rosenbrockStart() {
        return Tensor.of(-1.5, 2).requiresGrad();
    }

    static Tensor rosenbrock(Tensor p) {
        Tensor x = p.select(0, 0);
        Tensor y = p.select(0, 1);
        return x.rsub(1).pow(2).add(y.sub(x.pow(2)).pow(2).mul(100));
    }

    private static double firstOrder(Function<List<Tensor>, Optimizer<?>> make, Tensor p,
            Function<Tensor, Tensor> f, int steps) {
        Optimizer<?> opt = make.apply(List.of(p));
        for (int k = 0; k < steps; k++) {
            opt.zeroGrad();
            f.apply(p).backward();
            opt.step();
        }
        return f.apply(p).item();
    }

    private static double lineSearch(Tensor p, Function<Tensor, Tensor> f, int steps) {
        double loss = f.apply(p).item();
        for (int k = 0; k < steps; k++) {
            loss = LineSearch.gradientStep(() -> f.apply(p), List.of(p), LineSearch.options()).loss();
        }
        return loss;
    }

    /** The sin-fitting MLP and its loss closure, built from the same seed each time. */
    private record SinFit(Sequential model, Supplier<Tensor> loss) {
        static SinFit create() {
            Rng rng = new Rng(7);
            Sequential m = new Sequential(new Linear(1, 16, rng), Activation.tanh(), new Linear(16, 1, rng));
            Tensor x = Tensor.arange(-3, 3, 6.0 / 64).reshape(64, 1);
            Tensor target = Tensor.of(java.util.Arrays.stream(x.toDoubleArray()).map(Math::sin).toArray(), 64, 1);
            return new SinFit(m, () -> Losses.mse(m.forward(x), target));
        }
    }

    private static double sinMlp(Function<List<Tensor>, Optimizer<?>> make, int steps) {
        SinFit s = SinFit.create();
        Optimizer<?> opt = make.apply(s.model().parameters());
        for (int k = 0; k < steps; k++) {
            opt.zeroGrad();
            s.loss().get().backward();
            opt.step();
        }
        return s.loss().get().item();
    }

    private static double lineSearchMlp(int steps) {
        SinFit s = SinFit.create();
        double loss = 0;
        for (int k = 0; k < steps; k++) {
            loss = LineSearch.gradientStep(s.loss(), s.model().parameters(), LineSearch.options()).loss();
        }
        return loss;
    }

    private static double newtonMlp(int steps) {
        SinFit s = SinFit.create();
        Newton n = new Newton(s.model().parameters(), Newton.options());
        double loss = 0;
        for (int k = 0; k < steps; k++) {
            loss = n.step(s.loss());
        }
        return loss;
    }
}
