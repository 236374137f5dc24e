package ndgrad.optim;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.file.Path;
import java.util.List;
import java.util.function.Function;
import ndgrad.autograd.Float64Test;
import ndgrad.autograd.Tensor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 33: a schedule's state is saved and loaded with the optimizer, so a resumed run is bit for bit the run that
 * was not interrupted, whether its schedule is created before or after {@code opt.load}. Before, a schedule created
 * after the load took the decayed lr as its initial one.
 */
class ScheduleStateTest extends Float64Test {
    private static final double[] START = {1.5, -0.7, 0.3};

    /** The parameters after epoch 5 (when the state is saved), and the parameters and lr after epoch 10. */
    private record Run(double[] atFive, double[] end) {
    }

    /** Ten epochs of Adam on a quadratic with a schedule, saving the optimizer's state to {@code save} after five. */
    private static Run run(Function<Adam, Runnable> schedule, Path save) throws Exception {
        Tensor w = Tensor.of(START).requiresGrad();
        Adam opt = new Adam(List.of(w), Adam.options().lr(0.1));
        Runnable step = schedule.apply(opt);
        double[] atFive = null;
        for (int epoch = 0; epoch < 10; epoch++) {
            if (epoch == 5) {
                opt.save(save);
                atFive = w.toDoubleArray();
            }
            epoch(opt, w);
            step.run();
        }
        double[] p = w.toDoubleArray();
        return new Run(atFive, new double[] {p[0], p[1], p[2], opt.lr(0)});
    }

    private static void epoch(Adam opt, Tensor w) {
        opt.zeroGrad();
        w.sub(Tensor.of(1, 2, 3)).pow(2).sum().backward();
        opt.step();
    }

    /** Epochs 6 to 10 again from the saved file and the parameters of epoch 5, the schedule made before or after. */
    private static double[] resume(double[] params, Path saved, Function<Adam, Runnable> schedule, boolean before)
            throws Exception {
        Tensor w = Tensor.of(params).requiresGrad();
        Adam opt = new Adam(List.of(w), Adam.options().lr(0.1));
        Runnable step = before ? schedule.apply(opt) : null;
        opt.load(saved);
        if (!before) {
            step = schedule.apply(opt);
        }
        for (int epoch = 5; epoch < 10; epoch++) {
            epoch(opt, w);
            step.run();
        }
        double[] p = w.toDoubleArray();
        return new double[] {p[0], p[1], p[2], opt.lr(0)};
    }

    @Test
    void aResumeWithACosineScheduleIsTheUninterruptedRunWhereverTheScheduleIsMade(@TempDir Path dir)
            throws Exception {
        Function<Adam, Runnable> cosine = opt -> LrScheduler.cosine(opt, 10, 0.001)::step;
        Run whole = run(cosine, dir.resolve("adam.npz"));
        assertEquals(0.001, whole.end()[3], 1e-15, "the lr after ten epochs: the schedule's end");
        assertArrayEquals(whole.end(), resume(whole.atFive(), dir.resolve("adam.npz"), cosine, false), 0.0,
                "made after the load");
        assertArrayEquals(whole.end(), resume(whole.atFive(), dir.resolve("adam.npz"), cosine, true), 0.0,
                "made before the load");
        LrScheduler s = LrScheduler.cosine(loaded(whole.atFive(), dir.resolve("adam.npz")), 10, 0.001);
        assertEquals(5, s.epoch(), "the epoch comes with the optimizer");
    }

    @Test
    void aResumeWithAPlateauScheduleKeepsItsBestAndCounters(@TempDir Path dir) throws Exception {
        double[] metrics = {5, 4, 4, 4, 4, 4, 4, 4, 3, 3};
        Function<Adam, Runnable> plateau = opt -> {
            ReduceLrOnPlateau s = new ReduceLrOnPlateau(opt, 0.5, 1, 0, 1, 0);
            int[] k = {0};
            return () -> s.step(metrics[k[0]++ % 10]);
        };
        Function<Adam, Runnable> fromFive = opt -> {
            ReduceLrOnPlateau s = new ReduceLrOnPlateau(opt, 0.5, 1, 0, 1, 0);
            int[] k = {5};
            return () -> s.step(metrics[k[0]++]);
        };
        Run whole = run(plateau, dir.resolve("adam.npz"));
        assertNotEquals(0.1, whole.end()[3], "the plateau lowered the lr");
        assertArrayEquals(whole.end(), resume(whole.atFive(), dir.resolve("adam.npz"), fromFive, false), 0.0);
    }

    @Test
    void anEmptyParameterListIsRefusedAsInPyTorch() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new Adam(List.of(), Adam.options()));
        assertEquals("Adam: got an empty parameter list (as PyTorch, an optimizer needs at least one parameter)",
                e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> new Sgd(List.of(), 0.1));
    }

    private static Adam loaded(double[] params, Path saved) throws Exception {
        Adam opt = new Adam(List.of(Tensor.of(params).requiresGrad()), Adam.options().lr(0.1));
        opt.load(saved);
        return opt;
    }
}
