package ndgrad.examples;

import java.nio.file.Path;
import picocli.CommandLine.Option;

/**
 * The {@code --out} option every command that writes files shares (a picocli mixin).
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
}
