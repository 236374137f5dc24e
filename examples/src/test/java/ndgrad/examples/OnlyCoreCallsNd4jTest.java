package ndgrad.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.FileSystem;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;
import ndgrad.autograd.Tensor;
import ndgrad.optim.Adam;
import org.junit.jupiter.api.Test;

/**
 * Only {@code core} calls ND4J's operations: the compiled classes of autograd, optim and examples may name ND4J's
 * types ({@code INDArray}, {@code DataType}) and read an array's shape, but every method they call on ND4J is on
 * the short list below. Read from the class files' constant pools, so no call can hide in a lambda or a string.
 */
class OnlyCoreCallsNd4jTest {
    /**
     * The ND4J members code outside core may use: an array's shape, type and state, reading one element, and
     * DataType itself.
     */
    private static final Set<String> ALLOWED = Set.of(
            "org/nd4j/linalg/api/ndarray/INDArray.shape", "org/nd4j/linalg/api/ndarray/INDArray.rank",
            "org/nd4j/linalg/api/ndarray/INDArray.size", "org/nd4j/linalg/api/ndarray/INDArray.length",
            "org/nd4j/linalg/api/ndarray/INDArray.dataType", "org/nd4j/linalg/api/ndarray/INDArray.wasClosed",
            "org/nd4j/linalg/api/ndarray/INDArray.getDouble");

    @Test
    void noModuleButCoreCallsAnNd4jOperation() throws Exception {
        List<String> violations = new ArrayList<>();
        int classes = 0;
        for (Class<?> module : List.of(Tensor.class, Adam.class, Ndgrad.class)) {
            Path root = Path.of(module.getProtectionDomain().getCodeSource().getLocation().toURI());
            try (FileSystem jar = Files.isDirectory(root) ? null : FileSystems.newFileSystem(root);
                    Stream<Path> files = Files.walk(jar == null ? root : jar.getPath("/"))) {
                for (Path file : files.filter(p -> p.toString().endsWith(".class")).toList()) {
                    classes++;
                    for (String member : nd4jMembers(Files.newInputStream(file))) {
                        if (!ALLOWED.contains(member) && !member.startsWith("org/nd4j/linalg/api/buffer/DataType.")) {
                            violations.add(file.getFileName() + " -> " + member);
                        }
                    }
                }
            }
        }
        assertTrue(classes > 50, "found the classes of autograd, optim and examples: " + classes);
        assertEquals(List.of(), violations, "ND4J operations called outside core");
    }

    @Test
    void theScanSeesACallInALambda() throws IOException {
        Set<String> members = nd4jMembers(OnlyCoreCallsNd4jTest.class.getResourceAsStream(
                "OnlyCoreCallsNd4jTest$Planted.class"));
        assertTrue(members.contains("org/nd4j/linalg/factory/Nd4j.zeros"), members.toString());
    }

    /** A planted call for the scanner to find. */
    static final class Planted {
        static final java.util.function.Supplier<Object> ZEROS = () -> org.nd4j.linalg.factory.Nd4j.zeros(2);
    }

    /** "owner.name" of every ND4J method or field a class file references (its constant pool's member refs). */
    static Set<String> nd4jMembers(InputStream in) throws IOException {
        try (DataInputStream d = new DataInputStream(in)) {
            d.readInt();
            d.readUnsignedShort();
            d.readUnsignedShort();
            int count = d.readUnsignedShort();
            String[] utf8 = new String[count];
            int[] classNames = new int[count];
            int[] nameAndTypes = new int[count];
            List<int[]> refs = new ArrayList<>();
            for (int i = 1; i < count; i++) {
                int tag = d.readUnsignedByte();
                switch (tag) {
                    case 1 -> utf8[i] = d.readUTF();
                    case 7 -> classNames[i] = d.readUnsignedShort();
                    case 8, 16, 19, 20 -> d.readUnsignedShort();
                    case 3, 4 -> d.readInt();
                    case 5, 6 -> {
                        d.readLong();
                        i++;
                    }
                    case 9, 10, 11 -> refs.add(new int[] {d.readUnsignedShort(), d.readUnsignedShort()});
                    case 12 -> {
                        nameAndTypes[i] = d.readUnsignedShort();
                        d.readUnsignedShort();
                    }
                    case 15 -> {
                        d.readUnsignedByte();
                        d.readUnsignedShort();
                    }
                    case 17, 18 -> d.readInt();
                    default -> throw new IOException("unknown constant pool tag " + tag);
                }
            }
            Set<String> members = new TreeSet<>();
            for (int[] r : refs) {
                String owner = utf8[classNames[r[0]]];
                if (owner.startsWith("org/nd4j/")) {
                    members.add(owner + "." + utf8[nameAndTypes[r[1]]]);
                }
            }
            return members;
        }
    }
}
