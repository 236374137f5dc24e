package ndgrad.examples;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import ndgrad.autograd.Tensor;
import ndgrad.core.Rng;
import ndgrad.optim.LrFinder;
import ndgrad.optim.Optimizer;
import org.junit.jupiter.api.Test;

/**
 * lr-find's suggestion (the steepest descent of the smoothed loss, fastai's rule) is a rate to train with: SGD at
 * the suggested rate reaches at least 90% of the test accuracy that the task's default rate reaches in as many steps.
 */
class LrFindTest {
    @Test
    void trainingAtTheSuggestedRateDoesAtLeastNinetyPercentAsWellAsTheDefault() throws IOException {
        Object[][] cases = {{"moons", 0.05, 300}, {"mnist", 1e-3, 250}};
        StringBuilder report = new StringBuilder();
        for (Object[] c : cases) {
            String name = (String) c[0];
            double dflt = (Double) c[1];
            int steps = (Integer) c[2];
            Toys.Problem p = Toys.Problem.of(name, new Rng(1));
            LrFinder.Result r = find(Cli.optimizer("sgd", p.model().parameters(), 1e-5, 0.9, 0), p, 100);
            double suggested = accuracyAfter(name, r.suggestion(), steps);
            double usual = accuracyAfter(name, dflt, steps);
            report.append(String.format("%s: suggested lr %.3g -> %.1f%%, default %.3g -> %.1f%% after %d steps; ",
                    name, r.suggestion(), 100 * suggested, dflt, 100 * usual, steps));
            assertTrue(suggested >= 0.9 * usual, report.toString());
            assertTrue(r.suggestion() < r.lrs()[r.lrs().length - 1] / 2, "not at the edge of divergence: " + report);
        }
        org.slf4j.LoggerFactory.getLogger(LrFindTest.class).info("{}", report);
    }

    private static <O extends Optimizer.Options<O>> LrFinder.Result find(Optimizer<O> opt, Toys.Problem p,
            int steps) {
        return LrFinder.run(opt, p.batches(), 1e-5, 10, steps);
    }

    /** Test accuracy of the problem's fresh model after {@code steps} SGD steps at {@code lr}. */
    private static double accuracyAfter(String name, double lr, int steps) throws IOException {
        Toys.Problem p = Toys.Problem.of(name, new Rng(1));
        Optimizer<?> opt = Cli.optimizer("sgd", p.model().parameters(), lr, 0.9, 0);
        for (int i = 0; i < steps; i++) {
            Tensor loss = p.batches().get();
            opt.zeroGrad();
            loss.backward();
            opt.step();
        }
        return TrainMnist.accuracy(p.model(), p.testX(), p.testY());
    }
}
