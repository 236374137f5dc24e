package ndgrad.examples;

import java.io.BufferedReader;
import java.io.File;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.URLClassLoader;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * A measurement in a fresh JVM: the same java and class path as this program (under {@code mvn exec:java} the class
 * loader's, not {@code java.class.path}), its output lines returned, and a child that fails reported as a failure
 * with its exit code and last line rather than read as a result.
 *
 * <p>Usage: {@code List<String> lines = ChildJvm.run(List.of("-Xmx1g"), Bench.class, "--child", "ops");}
 */
public final class ChildJvm {
    private ChildJvm() {
    }

    /** Runs {@code main} with {@code args} in a new JVM with {@code jvmOptions}; returns what it printed. */
    public static List<String> run(List<String> jvmOptions, Class<?> main, String... args) throws IOException,
            InterruptedException {
        return run(Map.of(), jvmOptions, main, args);
    }

    /**
     * As {@link #run(List, Class, String...)}, with {@code env} added to the child's environment (a null value
     * removes the variable).
     */
    public static List<String> run(Map<String, String> env, List<String> jvmOptions, Class<?> main, String... args)
            throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>();
        cmd.add(ProcessHandle.current().info().command().orElse("java"));
        cmd.addAll(jvmOptions);
        cmd.addAll(List.of("-cp", classPath(main), main.getName()));
        cmd.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
        edit(pb.environment(), env);
        Process p = pb.start();
        List<String> lines = new ArrayList<>();
        try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream()))) {
            for (String line = r.readLine(); line != null; line = r.readLine()) {
                lines.add(line);
            }
        }
        int code = p.waitFor();
        if (code != 0) {
            throw new IllegalStateException(main.getSimpleName() + " " + String.join(" ", args) + ": the child JVM "
                    + "exited with code " + code + (lines.isEmpty() ? "" : ": " + lines.get(lines.size() - 1)));
        }
        return lines;
    }

    /** Puts {@code changes} into {@code environment}; a null value removes the variable. */
    public static void edit(Map<String, String> environment, Map<String, String> changes) {
        changes.forEach((k, v) -> {
            if (v == null) {
                environment.remove(k);
            } else {
                environment.put(k, v);
            }
        });
    }

    /** The numbers on the line that starts with {@code prefix} and a space, from a child's output. */
    public static double[] numbers(List<String> lines, String prefix) {
        return lines.stream().filter(l -> l.startsWith(prefix + " ")).reduce((a, b) -> b)
                .map(l -> Arrays.stream(l.substring(prefix.length()).trim().split(" "))
                        .mapToDouble(Double::parseDouble).toArray())
                .orElseThrow(() -> new IllegalStateException("no '" + prefix + "' line in the child's output: "
                        + (lines.isEmpty() ? "(nothing)" : lines.get(lines.size() - 1))));
    }

    private static String classPath(Class<?> main) {
        if (main.getClassLoader() instanceof URLClassLoader loader) {
            return Arrays.stream(loader.getURLs()).map(u -> new File(u.getFile()).getPath())
                    .collect(Collectors.joining(File.pathSeparator));
        }
        return System.getProperty("java.class.path");
    }
}
