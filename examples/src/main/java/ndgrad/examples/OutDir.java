package ndgrad.examples;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import ndgrad.core.io.AtomicFile;
import picocli.CommandLine.Option;

/**
 * The {@code --out} option every command that writes files shares (a picocli mixin), and the checks that every
 * output path passes before a command starts its work: a probe file is created where each output goes (and removed,
 * with any directory made for it), so a read-only place, a directory where a file belongs or a path under a file
 * fails at once, with the path and the reason, not after training, and a refused command leaves no trace.
 *
 * <p>Usage: {@code @Mixin OutDir out; ... out.dir().resolve("plot.png")}
 */
final class OutDir {
    @Option(names = "--out", defaultValue = "out", description = "directory for plots and other output files")
    private Path dir;

    /** The directory. */
    Path dir() {
        return dir;
    }

    /** Checks that files can be written in the directory ({@link AtomicFile#checkDirectory}), leaving no trace. */
    void check() {
        try {
            AtomicFile.checkDirectory(dir);
        } catch (IOException e) {
            throw new IllegalArgumentException("--out " + e.getMessage(), e);
        }
    }

    /**
     * An output file: a regular file or a new one (a symlink's target counts), not read-only, and both a temporary
     * file of the kind {@link AtomicFile} writes and a file of its own name can be created there.
     */
    static void file(Path file, String option) {
        try {
            AtomicFile.check(file);
        } catch (IOException e) {
            throw new IllegalArgumentException(option + " " + e.getMessage(), e);
        }
        if (Files.exists(file) && !Files.isWritable(file)) {
            throw new IllegalArgumentException(option + " " + file + ": the file is read-only");
        }
    }
}
