package ndgrad.docs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import javax.tools.Diagnostic;
import javax.tools.DiagnosticCollector;
import javax.tools.JavaCompiler;
import javax.tools.JavaFileObject;
import javax.tools.SimpleJavaFileObject;
import javax.tools.ToolProvider;
import org.junit.jupiter.api.Test;

/**
 * Every usage line in the library's Javadoc ({@code Usage: {@code ...}} and {@code <pre>{@code ...}</pre>} in core,
 * autograd, optim and testing) compiles against the library as it is: each becomes the body of a method, in a class
 * that imports the library's packages and declares the names the examples take as given ({@link #GIVEN}). An
 * example may elide a block as <code>{ ... }</code>.
 */
class JavadocExamplesTest {
    /** The variables that usage lines use without declaring them, as fields a snippet's own declarations shadow. */
    static final String GIVEN = """
                Rng rng; Tensor x, y, w, b, h, g, q, k, v, h0, c0, ids, mask, logits, target, labels, loss, probs,
                        images, grad, t, a, e, p, input, gradOutput, cond, weight, bias, gates, c;
                INDArray table, dy, dx, dcols, param, out, s, m, array, z;
                Layer model, net, m1, layer;
                Sequential mlp;
                Optimizer<?> opt;
                long[] shape;
                long batch, seed;
                int n, dim, epochs, axis;
                double lr, lambda, value;
                double[] values, xs;
                double[][] hh;
                Path file, dir;
                java.io.InputStream in;
                byte[] bytes;
                Unfold.Geometry geometry;
                Adam adam;
                org.slf4j.Logger log;
                Layer other;
                Conv2d conv;
                Linear fc;
                Tensor features, seq, keep, runningMean, runningVar;
                double validationLoss, beta1, beta2;
                List<Tensor> params;
                GradientMonitor monitor;
                java.util.function.Supplier<Tensor> closure;
                Unfold.Geometry geom;
                INDArray samples, expAvg, expAvgSq;
                double[][] hm;
                double[] rhs;
                java.util.function.ToDoubleFunction<INDArray> f;
                FiniteDifference.Options options;
                void train() { }
                void step(Tensor... batch) { }
                Tensor f(Tensor t) { return t; }
                Tensor loss(Object batch) { return null; }
                Object nextBatch() { return null; }
                """;

    private static final List<String> MODULES = List.of("core", "autograd", "optim", "testing");
    private static final Pattern USAGE = Pattern.compile("Usage: \\{@code ");
    private static final Pattern PRE = Pattern.compile("<pre>\\{@code");

    /** For core's usage lines, which work on ND4J arrays: the same names, as arrays. */
    static final String GIVEN_ARRAYS = GIVEN.replace("Tensor x, y, w, b, h, g, q, k, v,", "INDArray x, y, w, b, g,")
            .replace("INDArray table,", "Tensor q, k, v; double[][] h; INDArray table,")
            .replace("g, h0, c0, ids,", "g, h0, c0,").replace("Rng rng;", "Rng rng; long[] ids;");

    record Snippet(String where, String code, boolean arrays) {
    }

    @Test
    void everyUsageLineCompiles() throws IOException {
        List<Snippet> snippets = new ArrayList<>();
        for (String module : MODULES) {
            Path root = Path.of("..", module, "src", "main", "java");
            try (Stream<Path> files = Files.walk(root)) {
                for (Path f : files.filter(p -> p.toString().endsWith(".java") && publicType(p)).toList()) {
                    snippets.addAll(snippets(module, f));
                }
            }
        }
        assertTrue(snippets.size() > 100, "found the usage lines: " + snippets.size());
        String imports = """
                import ndgrad.autograd.*;
                import ndgrad.core.*;
                import ndgrad.core.io.*;
                import ndgrad.core.kernels.*;
                import ndgrad.core.memory.*;
                import ndgrad.core.numdiff.*;
                import ndgrad.nn.*;
                import ndgrad.optim.*;
                import java.nio.file.Files;
                import java.nio.file.Path;
                import java.util.List;
                import java.util.Map;
                import java.util.stream.Stream;
                import ndgrad.teaching.*;
                import org.junit.jupiter.api.DynamicNode;
                import org.nd4j.linalg.api.buffer.DataType;
                import org.nd4j.linalg.api.ndarray.INDArray;
                """;
        List<JavaFileObject> units = new ArrayList<>();
        units.add(source("Given", imports + "@SuppressWarnings(\"all\") abstract class Given {\n" + GIVEN + "}\n"));
        units.add(source("GivenArrays", imports + "@SuppressWarnings(\"all\") abstract class GivenArrays {\n"
                + GIVEN_ARRAYS + "}\n"));
        for (int i = 0; i < snippets.size(); i++) {
            String extra = snippets.get(i).where().startsWith("testing:") ? "import ndgrad.testing.*;\n" : "";
            units.add(source("U" + i, imports + extra + "@SuppressWarnings(\"all\") class U" + i + " extends "
                    + (snippets.get(i).arrays() ? "GivenArrays" : "Given") + " {\n"
                    + "void run() throws Exception {\n" + snippets.get(i).code() + "\n}\n}\n"));
        }
        JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
        DiagnosticCollector<JavaFileObject> d = new DiagnosticCollector<>();
        Path outDir = Files.createTempDirectory("usages");
        javac.getTask(null, null, d, List.of("-proc:none", "-d", outDir.toString(), "-classpath",
                System.getProperty("java.class.path")), null, units).call();
        List<String> failures = new ArrayList<>();
        for (Diagnostic<? extends JavaFileObject> e : d.getDiagnostics()) {
            if (e.getKind() != Diagnostic.Kind.ERROR) {
                continue;
            }
            String unit = e.getSource() == null ? "" : e.getSource().getName().replaceAll("\\D", "");
            Snippet s = unit.isEmpty() ? new Snippet("Given", GIVEN, false) : snippets.get(Integer.parseInt(unit));
            failures.add(s.where() + ": " + e.getMessage(null).lines().limit(2).map(String::strip).reduce((x, y) -> x + "; " + y).orElse("") + "\n    " + s.code());
        }
        assertEquals(List.of(), failures, "usage lines that do not compile");
    }

    /** Whether the file's top-level type is public: a package-private one's usage lines are for its package. */
    private static boolean publicType(Path f) {
        try {
            return Files.readAllLines(f).stream().anyMatch(l -> l.matches("public (abstract |final )*(class|interface"
                    + "|record|enum) .*"));
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private static JavaFileObject source(String name, String code) {
        return new SimpleJavaFileObject(URI.create("string:///" + name + ".java"), JavaFileObject.Kind.SOURCE) {
            @Override
            public CharSequence getCharContent(boolean ignoreEncodingErrors) {
                return code;
            }
        };
    }

    /** The usage snippets of one file, each with its file and line. */
    private static List<Snippet> snippets(String module, Path f) throws IOException {
        boolean arrays = module.equals("core");
        List<String> lines = Files.readAllLines(f);
        StringBuilder doc = new StringBuilder();
        List<Integer> lineOf = new ArrayList<>();
        for (int i = 0; i < lines.size(); i++) {
            String l = lines.get(i).strip();
            l = l.startsWith("* ") ? l.substring(2) : l.equals("*") ? "" : l;
            for (int c = 0; c <= l.length(); c++) {
                lineOf.add(i + 1);
            }
            doc.append(l).append('\n');
        }
        List<Snippet> out = new ArrayList<>();
        for (Pattern p : List.of(USAGE, PRE)) {
            Matcher m = p.matcher(doc);
            while (m.find()) {
                int start = m.end();
                int depth = 1;
                int end = start;
                while (end < doc.length() && depth > 0) {
                    char c = doc.charAt(end++);
                    depth += c == '{' ? 1 : c == '}' ? -1 : 0;
                }
                String code = doc.substring(start, end - 1).strip().replace("{ ... }", "{ }").replace("&#64;", "@");
                if (!code.endsWith(";") && !code.endsWith("}")) {
                    code = code + ";";
                }
                out.add(new Snippet(module + ":" + f.getFileName() + ":" + lineOf.get(Math.min(start, lineOf.size() - 1)), code,
                        arrays));
            }
        }
        return out;
    }
}
