package ndgrad.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.reflect.Method;
import java.nio.file.FileSystem;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.lang.reflect.Modifier;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import ndgrad.autograd.Tensor;
import ndgrad.nn.Attention;
import ndgrad.nn.Layer;
import ndgrad.nn.Losses;
import org.junit.jupiter.api.Test;

/**
 * The registry is complete: every public method of Tensor that returns a Tensor (or its values and indices), every
 * loss of {@code Losses}, attention and every layer of {@code ndgrad.nn} is covered by an entry or excluded with a
 * reason; no entry names a method that does not exist; every PyTorch case is used.
 */
class CoverageTest {
    @Test
    void everyPublicOpHasAnEntry() {
        Set<String> covered = new HashSet<>();
        for (Registry.Entry e : Registry.all()) {
            covered.addAll(e.covers());
        }
        List<String> missing = new ArrayList<>();
        for (String m : publicOps()) {
            if (!covered.contains(m) && !Registry.EXCLUDED.containsKey(m)) {
                missing.add(m);
            }
        }
        assertEquals(List.of(), missing, "public ops with no registry entry and no reason to exclude them");
    }

    @Test
    void entriesAndExclusionsNameMethodsThatExist() {
        Set<String> ops = publicOps();
        Set<String> named = new TreeSet<>(Registry.EXCLUDED.keySet());
        Registry.all().forEach(e -> named.addAll(e.covers()));
        named.removeIf(ops::contains);
        assertEquals(Set.of(), named, "signatures the registry names that are not public ops");
        assertTrue(Registry.EXCLUDED.size() <= 8, "the exclusion list stays short: " + Registry.EXCLUDED.keySet());
    }

    @Test
    void everyEntryHasOneName() {
        List<String> names = Registry.all().stream().map(e -> e.spec().name()).toList();
        assertEquals(names.size(), new HashSet<>(names).size(), "entry names repeat: " + names);
    }

    @Test
    void everyPyTorchCaseIsUsed() {
        Registry.all();
        Set<String> unused = new TreeSet<>(Torch.CASES.keySet());
        unused.addAll(Torch.LAYERS.keySet());
        unused.removeAll(Torch.USED);
        assertEquals(Set.of(), unused, "cases of registry/ops.json that no entry uses");
        assertTrue(Torch.CASES.size() > 100, "the PyTorch cases loaded: " + Torch.CASES.size());
    }

    /**
     * "Tensor.sum(boolean,int[])" for each public op of Tensor, Losses and Attention, and "nn.Linear" for each layer
     * a user can make (public, not abstract) in ndgrad.nn.
     */
    static Set<String> publicOps() {
        Set<String> ops = new TreeSet<>(layers());
        for (Class<?> c : List.of(Tensor.class, Losses.class, Attention.class)) {
            for (Method m : c.getDeclaredMethods()) {
                boolean tensor = m.getReturnType() == Tensor.class || m.getReturnType() == Tensor.ValuesIndices.class;
                if (Modifier.isPublic(m.getModifiers()) && tensor && !m.isSynthetic()) {
                    ops.add(c.getSimpleName() + "." + m.getName() + Arrays.stream(m.getParameterTypes())
                            .map(Class::getSimpleName).collect(Collectors.joining(",", "(", ")")));
                }
            }
        }
        assertTrue(ops.size() > 120, "found Tensor's, Losses' and the layers' ops: " + ops.size());
        return ops;
    }

    /** "nn.Linear" and the like, from the class files of ndgrad.nn beside Layer's. */
    private static Set<String> layers() {
        Set<String> out = new TreeSet<>();
        try {
            Path root = Path.of(Layer.class.getProtectionDomain().getCodeSource().getLocation().toURI());
            try (FileSystem jar = Files.isDirectory(root) ? null : FileSystems.newFileSystem(root);
                    Stream<Path> files = Files.list((jar == null ? root : jar.getPath("/")).resolve("ndgrad/nn"))) {
                for (Path f : files.filter(p -> p.toString().endsWith(".class")).toList()) {
                    String name = f.getFileName().toString().replace(".class", "");
                    Class<?> c = Class.forName("ndgrad.nn." + name);
                    if (Layer.class.isAssignableFrom(c) && Modifier.isPublic(c.getModifiers())
                            && !Modifier.isAbstract(c.getModifiers())) {
                        out.add("nn." + c.getSimpleName());
                    }
                }
            }
        } catch (Exception e) {
            throw new IllegalStateException("listing the layers of ndgrad.nn", e);
        }
        assertTrue(out.size() >= 15, "found the layers: " + out);
        return out;
    }
}
