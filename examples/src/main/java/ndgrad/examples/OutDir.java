package ndgrad.examples;

import java.io.IOException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.Path;
import ndgrad.core.io.AtomicFile;
import picocli.CommandLine.Option;

/**
 * The {@code --out} option every command that writes files shares (a picocli mixin), and the checks that every
 * output path passes before a command starts its work: the command line creates the directory and a probe file in
 * it, so a read-only place, a directory where a file belongs or a path under a file fails at once, with the path and
 * the reason, not after training.
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

    /** Creates the directory, or says why it cannot be written. */
    void check() {
        directory(dir, "--out");
    }

    /** Creates {@code dir} (and its parents) and writes and deletes a probe file in it. */
    static void directory(Path dir, String option) {
        if (Files.exists(dir) && !Files.isDirectory(dir)) {
            throw new IllegalArgumentException(option + " " + dir + ": is a file, expected a directory");
        }
        probe(dir, dir, option);
    }

    /**
     * An output file: a regular file or a new one (a symlink's target counts), not read-only, and a temporary file
     * of the kind {@link AtomicFile} writes can be created beside it.
     */
    static void file(Path file, String option) {
        if (Files.isDirectory(file)) {
            throw new IllegalArgumentException(option + " " + file + ": is a directory, expected a file name");
        }
        try {
            AtomicFile.check(file);
        } catch (IOException e) {
            throw new IllegalArgumentException(option + " " + e.getMessage(), e);
        }
        if (Files.exists(file) && !Files.isWritable(file)) {
            throw new IllegalArgumentException(option + " " + file + ": the file is read-only");
        }
    }

    /** Creates {@code dir} and a probe file in it, or says why not, naming the option's {@code value}. */
    private static void probe(Path dir, Path value, String option) {
        try {
            Files.createDirectories(dir);
            Files.delete(Files.createTempFile(dir, ".ndgrad", ".probe"));
        } catch (IOException e) {
            throw new IllegalArgumentException(option + " " + value + ": cannot write there (" + reason(e) + ")", e);
        }
    }

    private static String reason(IOException e) {
        if (e instanceof java.nio.file.FileAlreadyExistsException f) {
            return f.getFile() + " is a file, not a directory";
        }
        if (e instanceof FileSystemException f && f.getReason() != null) {
            return f.getFile() + ": " + f.getReason();
        }
        return e.getMessage();
    }
}
