package ndgrad.core.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What a write through {@link AtomicFile} promises: whole or nothing, regular files only, links written through. */
class AtomicFileTest {
    @TempDir
    Path dir;

    @Test
    void aNewFileGetsTheBytesAndTheDefaultPermissionsAndNoTemporaryFileStays() throws IOException {
        Path f = dir.resolve("sub/new.bin");
        AtomicFile.write(f, out -> out.write(new byte[] {1, 2, 3}));
        assertArrayEquals(new byte[] {1, 2, 3}, Files.readAllBytes(f));
        assertEquals(List.of("new.bin"), names(f.getParent()));
        Path control = Files.createFile(dir.resolve("control"));
        assertEquals(Files.getPosixFilePermissions(control), Files.getPosixFilePermissions(f),
                "the umask's permissions, as any new file's, not a temporary file's 0600");
    }

    @Test
    void aReplacedFileKeepsItsPermissions() throws IOException {
        Path f = dir.resolve("model.npz");
        Files.writeString(f, "old");
        Files.setPosixFilePermissions(f, PosixFilePermissions.fromString("rw-r-----"));
        AtomicFile.writeString(f, "new");
        assertEquals("new", Files.readString(f));
        assertEquals("rw-r-----", PosixFilePermissions.toString(Files.getPosixFilePermissions(f)));
    }

    @Test
    void aSymlinkIsWrittenThroughToItsTargetAndStaysALink() throws IOException {
        Path target = Files.writeString(dir.resolve("real.txt"), "old");
        Path link = Files.createSymbolicLink(dir.resolve("link.txt"), Path.of("real.txt"));
        AtomicFile.writeString(link, "new");
        assertTrue(Files.isSymbolicLink(link));
        assertEquals("new", Files.readString(target));
        Path dangling = Files.createSymbolicLink(dir.resolve("dangling.txt"), dir.resolve("later/made.txt"));
        AtomicFile.writeString(dangling, "made");
        assertTrue(Files.isSymbolicLink(dangling));
        assertEquals("made", Files.readString(dir.resolve("later/made.txt")));
    }

    @Test
    void aDirectoryAFifoOrALinkToOneIsRefusedByNameAndLeftAsItWas() throws Exception {
        Path sub = Files.createDirectory(dir.resolve("out"));
        IOException d = assertThrows(IOException.class, () -> AtomicFile.writeString(sub, "x"));
        assertEquals(sub + ": is a directory, not a regular file; ndgrad writes only regular files", d.getMessage());
        Path fifo = dir.resolve("pipe");
        assertEquals(0, new ProcessBuilder("mkfifo", fifo.toString()).start().waitFor());
        IOException p = assertThrows(IOException.class, () -> AtomicFile.writeString(fifo, "x"));
        assertEquals(fifo + ": is a FIFO, not a regular file; ndgrad writes only regular files", p.getMessage());
        Path link = Files.createSymbolicLink(dir.resolve("to-pipe"), fifo);
        IOException l = assertThrows(IOException.class, () -> AtomicFile.check(link));
        assertTrue(l.getMessage().startsWith(link + " (through a link to " + fifo + "): is a FIFO"), l.getMessage());
        assertTrue(Files.isDirectory(sub));
        assertTrue(Files.isSymbolicLink(link));
        assertEquals("p", kind(fifo), "still a FIFO");
        assertEquals(List.of("out", "pipe", "to-pipe"), names(dir), "no temporary file left");
    }

    @Test
    void aFailedWriteLeavesTheOldFileAndNoTemporaryFile() throws IOException {
        Path f = Files.writeString(dir.resolve("keep.txt"), "good");
        IOException e = assertThrows(IOException.class, () -> AtomicFile.write(f, out -> {
            out.write("half".getBytes(StandardCharsets.UTF_8));
            throw new IOException("No space left on device");
        }));
        assertEquals(f + ": cannot write there: No space left on device", e.getMessage());
        assertThrows(IllegalStateException.class, () -> AtomicFile.write(f, out -> {
            out.write(1);
            throw new IllegalStateException("interrupted");
        }));
        assertEquals("good", Files.readString(f));
        assertEquals(List.of("keep.txt"), names(dir));
    }

    @Test
    void aPlaceThatCannotHoldAFileIsNamedInTheError() throws IOException {
        Path file = Files.writeString(dir.resolve("plain"), "x");
        Path under = file.resolve("model.npz");
        IOException e = assertThrows(IOException.class, () -> AtomicFile.check(under));
        assertEquals(under + ": cannot write there: " + file + " is a file, not a directory", e.getMessage());
        assertFalse(e.getMessage().contains(".ndgrad-"), "the temporary name is ours, not the user's: "
                + e.getMessage());
        String longName = "m".repeat(250) + ".npz";
        AtomicFile.writeString(dir.resolve(longName), "fits");
        assertEquals("fits", Files.readString(dir.resolve(longName)), "the temporary name's length does not depend"
                + " on the target's");
    }

    /**
     * A check creates what a write would (directories, a temporary file, a file of the target's name) and removes it
     * all again, so a refused command leaves no trace; a name too long for the file system is refused by the check,
     * not after the work.
     */
    @Test
    void aCheckLeavesNothingBehindAndChecksTheTargetsOwnName() throws IOException {
        AtomicFile.check(dir.resolve("a/b/model.npz"));
        AtomicFile.checkDirectory(dir.resolve("plots/png"));
        assertEquals(List.of(), names(dir), "no directory, probe or temporary file left");
        Path tooLong = dir.resolve("m".repeat(300) + ".npz");
        IOException e = assertThrows(IOException.class, () -> AtomicFile.check(tooLong));
        assertEquals(tooLong + ": cannot write there: File name too long", e.getMessage());
        Path file = Files.writeString(dir.resolve("plain"), "x");
        IOException d = assertThrows(IOException.class, () -> AtomicFile.checkDirectory(file));
        assertEquals(file + ": is a file, expected a directory", d.getMessage());
        Path kept = Files.writeString(dir.resolve("kept.npz"), "old");
        AtomicFile.check(kept);
        assertEquals("old", Files.readString(kept), "an existing target is not touched by the check");
        assertEquals(List.of("kept.npz", "plain"), names(dir));
    }

    /** A child JVM stopped (SIGTERM, as Ctrl-C's SIGINT) in the middle of a write leaves no temporary file. */
    @Test
    void aJvmStoppedDuringAWriteLeavesTheOldFileAndNoTemporaryFile() throws Exception {
        Path f = Files.writeString(dir.resolve("model.npz"), "good");
        Process child = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-cp",
                System.getProperty("java.class.path"), SlowWriter.class.getName(), f.toString())
                .redirectErrorStream(true).start();
        long deadline = System.nanoTime() + 60_000_000_000L;
        while (names(dir).size() < 2 && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
        assertEquals(2, names(dir).size(), "the child started its write: " + names(dir));
        child.destroy();
        assertTrue(child.waitFor(60, java.util.concurrent.TimeUnit.SECONDS));
        assertEquals("good", Files.readString(f));
        assertEquals(List.of("model.npz"), names(dir));
    }

    /** Starts a write to {@code args[0]} that never finishes. */
    public static final class SlowWriter {
        public static void main(String[] args) throws IOException {
            AtomicFile.write(Path.of(args[0]), out -> {
                out.write(1);
                try {
                    Thread.sleep(600_000);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            });
        }
    }

    private static String kind(Path p) throws IOException {
        return ((Integer) Files.getAttribute(p, "unix:mode") & 0170000) == 0010000 ? "p" : "?";
    }

    private static List<String> names(Path d) throws IOException {
        try (Stream<Path> s = Files.list(d)) {
            return s.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }
}
