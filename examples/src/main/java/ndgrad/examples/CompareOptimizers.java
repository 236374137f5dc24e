package ndgrad.examples;

import java.util.ArrayList;
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
import ndgrad.optim.AdamW;
import ndgrad.optim.LineSearch;
import ndgrad.optim.Newton;
import ndgrad.optim.Optimizer;
import ndgrad.optim.RmsProp;
import ndgrad.optim.Sgd;
import org.nd4j.linalg.api.buffer.DataType;

/**
 * Every method on the same problems, same start and seed, float64: GD (gradient descent with a backtracking Armijo
 * line search, no lr), SGD, momentum, Nesterov, RMSprop, Adam, AdamW, Adagrad (fixed lr each) and Newton (full
 * Hessian). Problems: Rosenbrock from (-1.5, 2); the quadratic ½ Σ a_i (w_i - c_i)² with a = (1, 10, 100) from 0;
 * a 1-16-1 tanh MLP fitting sin x on 64 points of [-3, 3].
 *
 * <p>Usage: {@code Map<String, CompareOptimizers.Run> runs = CompareOptimizers.run("rosenbrock", 1000);}
 */
public final class CompareOptimizers {
    /** The problems, by name. */
    public static final List<String> PROBLEMS = List.of("rosenbrock", "quadratic", "mlp");

    /** One method's run: loss before each step and after the last, and for 2-parameter problems the path. */
    public record Run(double[] losses, double[][] path) {
        /** The first step at which the loss is ≤ tolerance, or -1. */
        public int stepsTo(double tolerance) {
            for (int i = 0; i < losses.length; i++) {
                if (losses[i] <= tolerance) {
                    return i;
                }
            }
            return -1;
        }
    }

    private CompareOptimizers() {
    }

    /** Runs every method for {@code steps} steps (Newton for at most 50) on {@code problem}. */
    public static Map<String, Run> run(String problem, int steps) {
        Map<String, Run> runs = new LinkedHashMap<>();
        try (var float64 = DTypes.use(DataType.DOUBLE)) {
            runs.put("GD (line search)", solve(problem, steps, (loss, params) -> {
                return () -> LineSearch.gradientStep(loss, params, LineSearch.options());
            }));
            double lr = problem.equals("quadratic") ? 0.009 : 1e-3;
            firstOrder(runs, problem, steps, "SGD", p -> new Sgd(p, lr));
            firstOrder(runs, problem, steps, "momentum", p -> new Sgd(p, Sgd.options().lr(lr).momentum(0.9)));
            firstOrder(runs, problem, steps, "Nesterov", p -> new Sgd(p, Sgd.options().lr(lr).momentum(0.9).nesterov(true)));
            firstOrder(runs, problem, steps, "RMSprop", p -> new RmsProp(p, RmsProp.options()));
            firstOrder(runs, problem, steps, "Adam", p -> new Adam(p, Adam.options().lr(0.05)));
            firstOrder(runs, problem, steps, "AdamW", p -> new AdamW(p, AdamW.options().lr(0.05)));
            firstOrder(runs, problem, steps, "Adagrad", p -> new Adagrad(p, Adagrad.options().lr(0.5)));
            runs.put("Newton", solve(problem, Math.min(steps, 50), (loss, params) -> {
                Newton n = new Newton(params, Newton.options());
                return () -> n.step(loss);
            }));
        }
        return runs;
    }

    private static void firstOrder(Map<String, Run> runs, String problem, int steps, String name,
            Function<List<Tensor>, Optimizer<?>> make) {
        runs.put(name, solve(problem, steps, (loss, params) -> {
            Optimizer<?> opt = make.apply(params);
            return () -> {
                opt.zeroGrad();
                loss.get().backward();
                opt.step();
            };
        }));
    }

    /** Builds a fresh problem, then takes {@code steps} steps with the method {@code make} returns. */
    private static Run solve(String problem, int steps, java.util.function.BiFunction<Supplier<Tensor>,
            List<Tensor>, Runnable> make) {
        List<Tensor> params = new ArrayList<>();
        Supplier<Tensor> loss = problem(problem, params);
        Runnable step = make.apply(loss, params);
        double[] losses = new double[steps + 1];
        double[][] path = new double[steps + 1][];
        for (int k = 0; k <= steps; k++) {
            losses[k] = loss.get().item();
            path[k] = params.size() == 1 && params.get(0).numel() == 2 ? params.get(0).toDoubleArray() : null;
            if (k < steps) {
                step.run();
            }
        }
        return new Run(losses, path[0] == null ? null : path);
    }

    /** The loss closure of a fresh instance of {@code name}; its parameters are added to {@code params}. */
    static Supplier<Tensor> problem(String name, List<Tensor> params) {
        switch (name) {
            case "rosenbrock" -> {
                Tensor p = Tensor.of(-1.5, 2).requiresGrad();
                params.add(p);
                return () -> rosenbrock(p);
            }
            case "quadratic" -> {
                Tensor w = Tensor.zeros(3).requiresGrad();
                params.add(w);
                return () -> {
                    Tensor d = w.sub(Tensor.of(1, -2, 0.5));
                    return Tensor.of(1, 10, 100).mul(d).mul(d).sum().mul(0.5);
                };
            }
            case "mlp" -> {
                Rng rng = new Rng(7);
                Sequential m = new Sequential(new Linear(1, 16, rng), Activation.tanh(), new Linear(16, 1, rng));
                params.addAll(m.parameters());
                Tensor x = Tensor.arange(-3, 3, 6.0 / 64).reshape(64, 1);
                Tensor y = Tensor.of(java.util.Arrays.stream(x.toDoubleArray()).map(Math::sin).toArray(), 64, 1);
                return () -> Losses.mse(m.forward(x), y);
            }
            default -> throw new IllegalArgumentException("unknown problem '" + name + "' (expected one of "
                    + PROBLEMS + ")");
        }
    }

    /** (1 - x)² + 100 (y - x²)², minimum 0 at (1, 1). */
    public static Tensor rosenbrock(Tensor p) {
        Tensor x = p.select(0, 0);
        Tensor y = p.select(0, 1);
        return x.rsub(1).pow(2).add(y.sub(x.pow(2)).pow(2).mul(100));
    }
}
