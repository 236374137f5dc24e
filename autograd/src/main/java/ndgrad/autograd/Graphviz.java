package ndgrad.autograd;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * The graph behind a tensor as Graphviz DOT: one record per value (name if given, shape, the value when small, the
 * gradient when known) and one ellipse per op, with edges input → op → output, as micrograd's {@code draw_dot}.
 *
 * <p>Usage: {@code Path picture = Graphviz.write(y, Path.of("out/graph.dot")); // .png too when dot is installed}
 */
public final class Graphviz {
    private Graphviz() {
    }

    /** DOT text for every tensor reachable from {@code root} through the ops that produced it. */
    public static String toDot(Tensor root) {
        Map<Tensor, String> ids = new IdentityHashMap<>();
        List<Tensor> order = new ArrayList<>();
        ArrayDeque<Tensor> todo = new ArrayDeque<>(List.of(root));
        while (!todo.isEmpty()) {
            Tensor t = todo.pop();
            if (ids.containsKey(t)) {
                continue;
            }
            ids.put(t, "v" + ids.size());
            order.add(t);
            if (!t.isLeaf()) {
                todo.addAll(List.of(t.node().inputs));
            }
        }
        StringBuilder dot = new StringBuilder("digraph ndgrad {\n  rankdir=LR;\n  node [fontname=\"Helvetica\"];\n");
        for (Tensor t : order) {
            dot.append("  ").append(ids.get(t)).append(" [shape=record, label=\"{").append(label(t)).append("}\"];\n");
        }
        Map<Function.Context, String> ops = new IdentityHashMap<>();
        for (Tensor t : order) {
            if (!t.isLeaf()) {
                String op = ops.get(t.node());
                if (op == null) {
                    op = ids.get(t) + "_op";
                    ops.put(t.node(), op);
                    dot.append("  ").append(op).append(" [shape=ellipse, label=\"").append(escape(t.node().name()))
                            .append("\"];\n");
                    for (Tensor in : t.node().inputs) {
                        dot.append("  ").append(ids.get(in)).append(" -> ").append(op).append(";\n");
                    }
                }
                dot.append("  ").append(op).append(" -> ").append(ids.get(t)).append(";\n");
            }
        }
        return dot.append("}\n").toString();
    }

    private static String label(Tensor t) {
        StringBuilder s = new StringBuilder();
        if (t.name() != null) {
            s.append(escape(t.name())).append(" | ");
        }
        s.append("shape ").append(escape(t.shapeString())).append(" | ").append(values(t));
        if (t.hasGrad()) {
            s.append(" | grad ").append(values(t.grad()));
        }
        return s.toString();
    }

    /** The values of a small tensor (up to 6 elements), rounded to 4 decimals, else "…". */
    static String values(Tensor t) {
        if (t.numel() > 6) {
            return "…";
        }
        StringBuilder s = new StringBuilder();
        for (double v : t.toDoubleArray()) {
            s.append(s.length() == 0 ? "" : ", ").append(String.format("%.4f", v));
        }
        return t.numel() == 1 ? s.toString() : "[" + s + "]";
    }

    private static String escape(String s) {
        return s.replaceAll("([{}|<>\"\\\\])", "\\\\$1");
    }

    /**
     * Writes the DOT file and, when Graphviz's {@code dot} program is installed, renders a PNG beside it; returns
     * the PNG, or the DOT file when no renderer was found (render it with {@code dot -Tpng FILE -o FILE.png}).
     */
    public static Path write(Tensor root, Path dotFile) throws IOException {
        Files.createDirectories(dotFile.toAbsolutePath().getParent());
        Files.writeString(dotFile, toDot(root));
        Path png = dotFile.resolveSibling(dotFile.getFileName().toString().replaceFirst("\\.dot$", "") + ".png");
        return render(png, Duration.ofSeconds(30), "dot", "-Tpng", dotFile.toString(), "-o", png.toString())
                .orElse(dotFile);
    }

    /**
     * Runs {@code command}, which writes {@code png}, for at most {@code timeout}; a command still running then is
     * killed, and waited for. Returns the PNG when the command succeeded.
     */
    static Optional<Path> render(Path png, Duration timeout, String... command) {
        Process p;
        try {
            p = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD)
                    .start();
        } catch (IOException e) {
            return Optional.empty();
        }
        try {
            boolean done = p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS);
            return done && p.exitValue() == 0 && Files.isRegularFile(png) ? Optional.of(png) : Optional.empty();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Optional.empty();
        } finally {
            if (p.isAlive()) {
                p.destroyForcibly();
                try {
                    p.waitFor(5, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
        }
    }
}
