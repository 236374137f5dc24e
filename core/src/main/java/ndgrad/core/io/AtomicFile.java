package ndgrad.core.io;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFileAttributeView;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Writes a file whole or not at all. The bytes go to a temporary file beside the target, which then replaces the
 * target in one rename, so a reader sees the old file or the new one, never a part:
 * <ul>
 * <li>only regular files are written: a directory, a device or a FIFO is refused, never replaced;</li>
 * <li>a symbolic link is written through: its final target is replaced, and the link stays a link (a dangling
 * link's target is created);</li>
 * <li>a replaced file keeps its permissions; a new one gets the process's defaults (its umask);</li>
 * <li>a write that fails, or a JVM that exits during one (Ctrl-C), leaves no temporary file behind;</li>
 * <li>every error names the file.</li>
 * </ul>
 * The temporary file's name is short ({@code .ndgrad-<random>.tmp}), whatever the target's, and {@link #check}
 * creates one the same way, and a file of the target's own name, so a check that passes means the write can start
 * and end.
 *
 * <p>Usage: {@code AtomicFile.write(Path.of("model.npz"), out -> out.write(bytes));}
 */
public final class AtomicFile {
    /** Temporary files being written now, removed by a shutdown hook if the JVM exits first. */
    private static final Set<Path> IN_FLIGHT = ConcurrentHashMap.newKeySet();

    static {
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            for (Path p : IN_FLIGHT) {
                try {
                    Files.deleteIfExists(p);
                } catch (IOException e) {
                    // nothing more can be done while the JVM exits
                }
            }
        }, "ndgrad-temporary-files"));
    }

    private AtomicFile() {
    }

    /** Writes the bytes of an output. */
    @FunctionalInterface
    public interface Body {
        void writeTo(OutputStream out) throws IOException;
    }

    /**
     * Writes {@code file} whole, with the bytes {@code body} writes, as described above.
     *
     * @throws IOException naming the file, if it is not a regular file or cannot be written
     */
    public static void write(Path file, Body body) throws IOException {
        Path target = target(file);
        Path tmp = temporary(target);
        try {
            // WRITE alone: if the shutdown hook has already removed tmp (the JVM is exiting), do not create it again
            try (OutputStream out = Files.newOutputStream(tmp, StandardOpenOption.WRITE)) {
                body.writeTo(out);
            } catch (IOException e) {
                throw named(file, e);
            }
            keepPermissions(target, tmp);
            try {
                Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            } catch (IOException e) {
                throw named(file, e);
            }
        } finally {
            Files.deleteIfExists(tmp);
            IN_FLIGHT.remove(tmp);
        }
    }

    /** Writes {@code text} in UTF-8 to {@code file}, as {@link #write(Path, Body)}. */
    public static void writeString(Path file, String text) throws IOException {
        write(file, out -> out.write(text.getBytes(java.nio.charset.StandardCharsets.UTF_8)));
    }

    /**
     * Checks, before any work, that {@code file} can be written: it is a regular file or does not exist yet, a
     * temporary file can be created beside it, and so can a file of its own name. The check leaves nothing behind:
     * what it creates (directories included) it removes.
     *
     * @throws IOException naming the file and the reason
     */
    public static void check(Path file) throws IOException {
        Path target = target(file);
        List<Path> created = createDirectories(target.getParent(), file);
        try {
            probe(target);
            if (!Files.exists(target, LinkOption.NOFOLLOW_LINKS)) {
                try {
                    Files.delete(Files.createFile(target));
                } catch (IOException e) {
                    throw named(file, e);
                }
            }
        } finally {
            removeEmpty(created);
        }
    }

    /**
     * Checks, before any work, that files can be written in {@code dir}: it is a directory or can be made one, and a
     * temporary file can be created in it. Like {@link #check}, it leaves nothing behind.
     *
     * @throws IOException naming the directory and the reason
     */
    public static void checkDirectory(Path dir) throws IOException {
        Path d = dir.toAbsolutePath();
        if (Files.exists(d) && !Files.isDirectory(d)) {
            throw new IOException(dir + ": is a file, expected a directory");
        }
        List<Path> created = createDirectories(d, dir);
        try {
            probe(d.resolve("probe"));
        } finally {
            removeEmpty(created);
        }
    }

    /** Creates and deletes a temporary file beside {@code target}, as a write would start. */
    private static void probe(Path target) throws IOException {
        Path tmp = temporary(target);
        Files.deleteIfExists(tmp);
        IN_FLIGHT.remove(tmp);
    }

    /** Creates {@code dir} and its missing parents; returns those it created, outermost first. */
    private static List<Path> createDirectories(Path dir, Path named) throws IOException {
        List<Path> missing = new ArrayList<>();
        for (Path p = dir; p != null && !Files.exists(p); p = p.getParent()) {
            missing.add(0, p);
        }
        try {
            Files.createDirectories(dir);
        } catch (IOException e) {
            throw named(named, e);
        }
        return missing;
    }

    /** Removes the directories a check created, innermost first, where they are still empty. */
    private static void removeEmpty(List<Path> created) {
        for (int i = created.size() - 1; i >= 0; i--) {
            try {
                Files.deleteIfExists(created.get(i));
            } catch (IOException e) {
                return;
            }
        }
    }

    /** The file a write replaces: {@code file}, or the final target of the links it goes through. */
    static Path target(Path file) throws IOException {
        Path p = file.toAbsolutePath();
        for (int hops = 0; Files.isSymbolicLink(p); hops++) {
            if (hops == 40) {
                throw new IOException(file + ": too many levels of symbolic links");
            }
            Path link = Files.readSymbolicLink(p);
            p = p.getParent().resolve(link).normalize();
        }
        if (Files.exists(p, LinkOption.NOFOLLOW_LINKS) && !Files.isRegularFile(p, LinkOption.NOFOLLOW_LINKS)) {
            throw new IOException(file + (p.equals(file.toAbsolutePath()) ? "" : " (through a link to " + p + ")")
                    + ": is " + kind(p) + ", not a regular file; ndgrad writes only regular files");
        }
        return p;
    }

    private static String kind(Path p) {
        if (Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS)) {
            return "a directory";
        }
        try {
            Object type = Files.getAttribute(p, "unix:mode", LinkOption.NOFOLLOW_LINKS);
            int mode = (Integer) type & 0170000;
            return switch (mode) {
                case 0020000 -> "a character device";
                case 0060000 -> "a block device";
                case 0010000 -> "a FIFO";
                case 0140000 -> "a socket";
                default -> "not a regular file";
            };
        } catch (IOException | UnsupportedOperationException | IllegalArgumentException e) {
            return "a special file";
        }
    }

    /** A new, empty temporary file beside {@code target} (its directories created), registered as in flight. */
    private static Path temporary(Path target) throws IOException {
        Path dir = target.getParent();
        try {
            Files.createDirectories(dir);
            Path tmp = dir.resolve(".ndgrad-" + Long.toHexString(ThreadLocalRandom.current().nextLong()) + ".tmp");
            IN_FLIGHT.add(tmp);
            try {
                return Files.createFile(tmp);
            } catch (IOException e) {
                IN_FLIGHT.remove(tmp);
                throw e;
            }
        } catch (IOException e) {
            throw named(target, e);
        }
    }

    /** Gives {@code tmp} the permissions of the file it replaces, if there is one. */
    private static void keepPermissions(Path target, Path tmp) throws IOException {
        PosixFileAttributeView view = Files.getFileAttributeView(target, PosixFileAttributeView.class);
        if (view != null && Files.exists(target)) {
            try {
                Files.setPosixFilePermissions(tmp, Files.getPosixFilePermissions(target));
            } catch (IOException e) {
                throw named(target, e);
            }
        }
    }

    /** {@code e} as an IOException whose message starts with the file's name and says why. */
    private static IOException named(Path file, IOException e) {
        if (e instanceof java.nio.file.FileAlreadyExistsException f && f.getFile() != null
                && !f.getFile().contains(".ndgrad-")) {
            return new IOException(file + ": cannot write there: " + f.getFile() + " is a file, not a directory", e);
        }
        String reason = e instanceof FileSystemException f && f.getReason() != null ? f.getReason()
                : e.getMessage() != null ? e.getMessage() : e.getClass().getSimpleName();
        String where = e instanceof FileSystemException f && f.getFile() != null && !f.getFile().equals(file.toString())
                ? " (" + f.getFile() + ")" : "";
        return new IOException(file + ": cannot write there" + where + ": " + reason, e);
    }
}
