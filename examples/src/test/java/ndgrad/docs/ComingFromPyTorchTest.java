package ndgrad.docs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Pattern;
import ndgrad.autograd.Autograd;
import ndgrad.autograd.GradCheck;
import ndgrad.autograd.Tensor;
import ndgrad.nn.Attention;
import ndgrad.nn.Layer;
import ndgrad.nn.Losses;
import ndgrad.optim.GradClip;
import ndgrad.optim.LrFinder;
import ndgrad.optim.LrScheduler;
import ndgrad.optim.Optimizer;
import org.junit.jupiter.api.Test;

/**
 * docs/coming-from-pytorch.md stays complete: every public method of Tensor, Losses, Attention, Autograd, GradCheck,
 * the schedules and the gradient tools appears on it as a call ({@code .name(} or {@code Class.name(}), and every
 * layer and optimizer as a class a user makes.
 */
class ComingFromPyTorchTest {
    private static final List<String> LAYERS = List.of("Activation", "AdaptiveAvgPool2d", "AvgPool2d", "BatchNorm1d",
            "BatchNorm2d", "Conv1d", "Conv2d", "Dropout", "Embedding", "Flatten", "GRU", "LSTM", "LayerDict",
            "LayerList", "LayerNorm", "Linear", "MaxPool2d", "MultiheadAttention", "RNN", "Sequential", "Unflatten");
    private static final List<String> OPTIMIZERS = List.of("Sgd", "Adam", "AdamW", "RmsProp", "Adagrad", "Newton",
            "ReduceLrOnPlateau");

    @Test
    void everyOpLayerOptimizerAndScheduleIsOnThePage() throws Exception {
        String page = Files.readString(Path.of("..", "docs", "coming-from-pytorch.md"));
        Set<String> missing = new TreeSet<>();
        for (Class<?> c : List.of(Tensor.class, Losses.class, Attention.class, Autograd.class, GradCheck.class,
                LrScheduler.class, GradClip.class, LrFinder.class, Optimizer.class, Layer.class)) {
            for (Method m : c.getDeclaredMethods()) {
                if (!Modifier.isPublic(m.getModifiers()) || m.isSynthetic() || m.getName().equals("equals")
                        || m.getName().equals("hashCode")) {
                    continue;
                }
                if (!Pattern.compile("[`. (]" + m.getName() + "\\(").matcher(page).find()) {
                    missing.add(c.getSimpleName() + "." + m.getName());
                }
            }
        }
        for (String name : concat(LAYERS, OPTIMIZERS)) {
            if (!page.contains("new " + name + "(") && !page.contains("`" + name + ".")) {
                missing.add(name);
            }
        }
        assertEquals(Set.of(), missing, "public API that docs/coming-from-pytorch.md does not mention");
        assertTrue(page.contains("## The differences, in one list"));
    }

    /** The layer list above is every layer a user can make: a layer added to ndgrad.nn must be added here too. */
    @Test
    void theLayerListIsComplete() throws Exception {
        Set<String> found = new TreeSet<>();
        try (var files = Files.list(Path.of("..", "autograd", "src", "main", "java", "ndgrad", "nn"))) {
            for (Path f : files.toList()) {
                String n = f.getFileName().toString().replace(".java", "");
                Class<?> c = Class.forName("ndgrad.nn." + n);
                if (Layer.class.isAssignableFrom(c) && Modifier.isPublic(c.getModifiers())
                        && !Modifier.isAbstract(c.getModifiers())) {
                    found.add(n);
                }
            }
        }
        assertEquals(new TreeSet<>(LAYERS), found);
    }

    private static List<String> concat(List<String> a, List<String> b) {
        return java.util.stream.Stream.concat(a.stream(), b.stream()).toList();
    }
}
