package ndgrad.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import java.util.zip.GZIPOutputStream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;
import java.util.zip.ZipOutputStream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.io.TempDir;

/**
 * The error contract (issue 34), on the real launcher: for each hostile input, the exit code (2 for bad input, 3 for
 * a loss that cannot go down), one line on stderr that starts with {@code ndgrad: } and names the problem, nothing
 * on stderr beyond it, every file in the working directory as it was (same bytes, permissions and links, nothing
 * added), and the whole run within 5 s of wall time and 512 MB of peak RSS (VmHWM, sampled every 10 ms).
 */
class ErrorContractIT {
    private static final Path LAUNCHER = Path.of("target", "ndgrad", "bin", "ndgrad").toAbsolutePath();
    private static final long MAX_RSS_KB = 512 * 1024;
    private static final double MAX_SECONDS = 5;

    @TempDir
    static Path dir;

    record Run(int code, String out, String err, long peakKb, double seconds) {
    }

    /** Runs the launcher in {@code dir}, with {@code javaOpts} as NDGRAD_JAVA_OPTS, sampling its peak RSS. */
    static Run run(String javaOpts, String... args) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of(LAUNCHER.toString()));
        cmd.addAll(List.of(args));
        Path out = Files.createTempFile("contract", ".out");
        Path err = Files.createTempFile("contract", ".err");
        ProcessBuilder b = new ProcessBuilder(cmd).directory(dir.toFile()).redirectOutput(out.toFile())
                .redirectError(err.toFile());
        b.environment().put("NDGRAD_JAVA_OPTS", javaOpts);
        long t0 = System.nanoTime();
        Process p = b.start();
        Path status = Path.of("/proc", Long.toString(p.pid()), "status");
        long peak = 0;
        while (p.isAlive()) {
            try {
                for (String line : Files.readAllLines(status)) {
                    if (line.startsWith("VmHWM:")) {
                        peak = Math.max(peak, Long.parseLong(line.replaceAll("\\D", "")));
                    }
                }
            } catch (IOException gone) {
                // the process ended between isAlive and the read
            }
            Thread.sleep(10);
        }
        double seconds = (System.nanoTime() - t0) / 1e9;
        try {
            return new Run(p.waitFor(), Files.readString(out), Files.readString(err), peak, seconds);
        } finally {
            Files.delete(out);
            Files.delete(err);
        }
    }

    /** Every entry under {@code dir}: its kind, permissions, link target or the SHA-256 of its bytes. */
    static Map<String, String> snapshot() throws IOException {
        Map<String, String> s = new TreeMap<>();
        try (Stream<Path> all = Files.walk(dir)) {
            for (Path p : all.toList()) {
                String what;
                if (Files.isSymbolicLink(p)) {
                    what = "link -> " + Files.readSymbolicLink(p);
                } else if (Files.isRegularFile(p, LinkOption.NOFOLLOW_LINKS)) {
                    what = HexFormat.of().formatHex(sha256(p));
                } else {
                    what = Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS) ? "dir" : "other";
                }
                if (!Files.isSymbolicLink(p)) {
                    what += " " + PosixFilePermissions.toString(Files.getPosixFilePermissions(p,
                            LinkOption.NOFOLLOW_LINKS));
                }
                s.put(dir.relativize(p).toString(), what);
            }
        }
        return s;
    }

    private static byte[] sha256(Path p) throws IOException {
        try {
            MessageDigest d = MessageDigest.getInstance("SHA-256");
            try (var in = Files.newInputStream(p)) {
                byte[] buffer = new byte[1 << 16];
                for (int k; (k = in.read(buffer)) > 0; ) {
                    d.update(buffer, 0, k);
                }
            }
            return d.digest();
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** One hostile input: the arguments, the JVM options, the exit code and a fragment of the one line expected. */
    record Case(String name, String javaOpts, List<String> args, int code, String line) {
        static Case of(String name, int code, String line, String... args) {
            return new Case(name, "", List.of(args), code, line);
        }
    }

    @BeforeAll
    static void fixtures() throws Exception {
        Run trained = run("", "train", "mnist", "--epochs", "1", "--train-size", "256", "--hidden", "8", "--save",
                "good.npz", "--out", "plots", "--no-progress");
        assertEquals(0, trained.code(), trained.err());
        Files.setPosixFilePermissions(dir.resolve("good.npz"), PosixFilePermissions.fromString("rw-r-----"));
        Map<String, byte[]> good = new TreeMap<>();
        try (ZipFile z = new ZipFile(dir.resolve("good.npz").toFile())) {
            for (var e = z.entries(); e.hasMoreElements(); ) {
                ZipEntry entry = e.nextElement();
                good.put(entry.getName(), z.getInputStream(entry).readAllBytes());
            }
        }
        // a model whose first weight, declared 1 GiB, is 1 GiB of zeros in a 1 MB file
        Map<String, byte[]> bomb = new TreeMap<>(good);
        bomb.remove("0.weight.npy");
        zip("model-bomb.npz", bomb, "0.weight.npy", header("<f8", "134217728,"), 1L << 30);
        // a model whose 8 biases, declared 32 bytes, inflate to 256 MiB
        Map<String, byte[]> biasBomb = new TreeMap<>(good);
        biasBomb.remove("0.bias.npy");
        zip("entry-bomb.npz", biasBomb, "0.bias.npy", header("<f4", "8,"), 256L << 20);
        zip("overflow.npz", Map.of(), "w.npy", header("<f4", "4294967296, 4294967296"), 0);
        zip("power.npz", Map.of(), "w.npy", header("<f4", "2**40,"), 0);
        Map<String, byte[]> sizes = new TreeMap<>(good);
        sizes.put("meta.sizes.npy", npy(new double[] {784, 4294967296.0 * 4294967296.0, 10}));
        zip("meta-overflow.npz", sizes, null, null, 0);
        sizes.put("meta.sizes.npy", npy(new double[] {784, 8.5, 10}));
        zip("meta-fraction.npz", sizes, null, null, 0);
        Map<String, byte[]> nan = new TreeMap<>(good);
        byte[] bias = nan.get("0.bias.npy").clone();
        ByteBuffer.wrap(bias).order(ByteOrder.LITTLE_ENDIAN).putFloat(bias.length - 4, Float.NaN);
        nan.put("0.bias.npy", bias);
        zip("nan.npz", nan, null, null, 0);

        byte[] images = gzip(idx(0x803, 3, new int[] {28, 28}, 3 * 784));
        byte[] labels = gzip(idx(0x801, 3, new int[0], 3));
        mnist("idx-32", gzip(idx(0x803, 3, new int[] {32, 32}, 3 * 1024)), labels, images, labels);
        mnist("idx-14-test", images, labels, gzip(idx(0x803, 3, new int[] {14, 14}, 3 * 196)), labels);
        mnist("idx-empty-test", images, labels, gzip(idx(0x803, 0, new int[] {28, 28}, 0)),
                gzip(idx(0x801, 0, new int[0], 0)));
        // 1 KB of gzip whose header declares 500 million labels; 1.4 MB that inflate far past the 3 declared
        mnist("idx-declares-more", images, gzip(idx(0x801, 500_000_000, new int[0], 1 << 20)), images, labels);
        mnist("idx-inflates-more", images, gzip(idx(0x801, 3, new int[0], 1400L << 20)), images, labels);

        new ProcessBuilder("mkfifo", dir.resolve("fifo").toString()).start().waitFor();
        Files.createSymbolicLink(dir.resolve("dangling.npz"), dir.resolve("missing").resolve("m.npz"));
    }

    @TestFactory
    Stream<DynamicTest> everyHostileInputIsOneLineAndChangesNoFile() {
        String chain = "x" + "+x".repeat(999);
        String at = String.join(",", java.util.Collections.nCopies(20_000, "0.5"));
        List<Case> cases = List.of(
            // severe: files that are not ours, inputs that cost gigabytes, internal errors
            Case.of("--save to a FIFO", 2, "fifo: is a FIFO, not a regular file", "train", "mnist", "--save", "fifo"),
            Case.of("--save to a character device", 2, "/dev/null: is a character device, not a regular file",
                    "train", "mnist", "--save", "/dev/null"),
            Case.of("a model whose weight inflates to 1 GiB", 2, "model-bomb.npz: its parameters hold 134217826 "
                    + "values, but a 784-8-10", "predict", "--model", "model-bomb.npz", "--image", "3"),
            Case.of("the same bomb through --resume", 2, "model-bomb.npz: its parameters hold", "train", "mnist",
                    "--resume", "model-bomb.npz"),
            Case.of("an entry that inflates past its header", 2, "entry-bomb.npz:0.bias.npy: the entry holds more "
                    + "than the 32 data bytes", "predict", "--model", "entry-bomb.npz", "--image", "3"),
            Case.of("--save where nothing can be written", 2, "/sys/ndgrad-test/m.npz: cannot write there", "train",
                    "mnist", "--save", "/sys/ndgrad-test/m.npz"),
            Case.of("--out under a file", 2, "good.npz/plots: cannot write there", "train", "xor", "--out",
                    "good.npz/plots"),
            Case.of("numgrad --at with 20,000 values", 2, "--at: 20000 values, at most 32", "numgrad", "--at", at),
            Case.of("explain with a 1,999-character chain", 2, "more than 100 operations", "explain", chain,
                    "--at", "x=1"),
            Case.of("explain --model with 12 layers", 2, "--model: expected 2 to 5 layer sizes from 1 to 16",
                    "explain", "--model", "16-16-16-16-16-16-16-16-16-16-16-16-1"),
            Case.of("IDX labels that declare 500 million in 1 KB", 2, "truncated: expected 500000000 data bytes",
                    "train", "mnist", "--data", "idx-declares-more"),
            Case.of("IDX labels that inflate to 1.4 GB past 3", 2, "at least 65536 bytes after the 3 data bytes",
                    "train", "mnist", "--data", "idx-inflates-more"),
            Case.of("an .npz shape that overflows", 2, "overflow.npz:w.npy: shape [4294967296, 4294967296] in its "
                    + "header has more than 2147483647 elements", "predict", "--model", "overflow.npz", "--image",
                    "3"),
            Case.of("meta.sizes that overflow", 2, "meta-overflow.npz: its meta entries are not those of a saved "
                    + "MNIST MLP", "predict", "--model", "meta-overflow.npz", "--image", "3"),
            Case.of("train sequence --batch-size 100000000", 2, "expected --hidden 1 to 512 and --batch-size 1 to "
                    + "4096", "train", "sequence", "--batch-size", "100000000"),
            // high: data against the model, file names, non-finite weights and hyperparameters
            Case.of("IDX images of 32 x 32", 2, "train-images-idx3-ubyte.gz: its images are 32 x 32 pixels, "
                    + "expected 28 x 28", "train", "mnist", "--data", "idx-32"),
            Case.of("IDX test images of 14 x 14", 2, "t10k-images-idx3-ubyte.gz: its images are 14 x 14 pixels",
                    "train", "mnist", "--data", "idx-14-test"),
            Case.of("an empty test set", 2, "t10k-labels-idx1-ubyte.gz: holds no digits", "train", "mnist",
                    "--data", "idx-empty-test"),
            Case.of("a --save name of 300 characters", 2, "cannot write there", "train", "mnist", "--save",
                    "m".repeat(296) + ".npz"),
            Case.of("a model with a NaN weight", 2, "nan.npz: parameter 0.bias holds NaN or infinite values",
                    "predict", "--model", "nan.npz", "--image", "3"),
            Case.of("--resume of a model with a NaN weight", 2, "nan.npz: parameter 0.bias holds NaN", "train",
                    "mnist", "--resume", "nan.npz"),
            Case.of("--weight-decay Infinity", 2, "--weight-decay Infinity: expected finite numbers >= 0", "train",
                    "mnist", "--weight-decay", "Infinity"),
            Case.of("--lr NaN", 2, "--lr NaN: expected a finite number > 0", "train", "moons", "--lr", "NaN"),
            Case.of("--save over a good model that fails later", 2, "--batch-size 100000 exceeds", "train",
                    "mnist", "--save", "good.npz", "--batch-size", "100000"),
            // lower
            Case.of("an .npz shape written (2**40,)", 2, "power.npz:w.npy: shape (2**40,) in its header: expected "
                    + "whole numbers >= 0, found '2**40'", "predict", "--model", "power.npz", "--image", "3"),
            Case.of("lr-find --start 1e3", 3, "lr-find: no lr from 1000.0 to", "lr-find", "--problem", "moons",
                    "--start", "1e3", "--end", "1e5"),
            Case.of("a fractional meta.sizes", 2, "meta.sizes whole numbers from 784 to 10; found 0.0, 0.2, [784.0, "
                    + "8.5, 10.0]", "predict", "--model", "meta-fraction.npz", "--image", "3"),
            Case.of("an --at variable the expression does not use", 2, "--at: y is not in the expression", "explain",
                    "x*x", "--at", "x=1,y=2"),
            Case.of("train sequence --model mlp", 2, "unknown --model 'mlp' for the sequence task", "train",
                    "sequence", "--model", "mlp"),
            new Case("a non-numeric ndgrad.maxInputBytes", "-Dndgrad.maxInputBytes=2GB", List.of("train", "xor"), 2,
                    "system property ndgrad.maxInputBytes=2GB: expected a positive whole number of bytes"),
            Case.of("an expression with a control character", 2, "parse error at column 2: unexpected '?'",
                    "explain", "x\u0001y", "--at", "x=1"));
        return cases.stream().map(c -> DynamicTest.dynamicTest(c.name(), () -> check(c)));
    }

    private static void check(Case c) throws Exception {
        Map<String, String> before = snapshot();
        Run r = run(c.javaOpts(), c.args().toArray(new String[0]));
        String what = c.name() + ": " + r.err();
        assertEquals(c.code(), r.code(), what);
        assertEquals(1, r.err().lines().count(), what);
        assertTrue(r.err().startsWith("ndgrad: ") && r.err().contains(c.line()), what);
        assertFalse(r.err().contains("Exception") || r.err().length() > 1000, what);
        assertEquals(before, snapshot(), c.name() + ": every file as it was, nothing added");
        assertTrue(r.seconds() < MAX_SECONDS, c.name() + ": took " + r.seconds() + " s");
        assertTrue(r.peakKb() > 0 && r.peakKb() < MAX_RSS_KB, c.name() + ": peak RSS " + r.peakKb() + " KB");
        System.out.printf("contract: %-50s exit %d in %.2f s, peak RSS %d MB%n", c.name(), r.code(), r.seconds(),
                r.peakKb() / 1024);
    }

    private static byte[] header(String descr, String shape) {
        String h = "{'descr': '" + descr + "', 'fortran_order': False, 'shape': (" + shape + "), }";
        h = h + " ".repeat((64 - (10 + h.length() + 1) % 64) % 64) + "\n";
        ByteBuffer b = ByteBuffer.allocate(10 + h.length()).order(ByteOrder.LITTLE_ENDIAN);
        b.put(new byte[] {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y', 1, 0}).putShort((short) h.length());
        return b.put(h.getBytes(StandardCharsets.US_ASCII)).array();
    }

    private static byte[] npy(double[] values) {
        byte[] h = header("<f8", values.length + ",");
        ByteBuffer b = ByteBuffer.allocate(h.length + 8 * values.length).order(ByteOrder.LITTLE_ENDIAN).put(h);
        for (double v : values) {
            b.putDouble(v);
        }
        return b.array();
    }

    /** A zip of {@code entries}, then, if {@code last} is given, that entry: its header and {@code zeros} zeros. */
    private static void zip(String file, Map<String, byte[]> entries, String last, byte[] header, long zeros)
            throws IOException {
        try (ZipOutputStream z = new ZipOutputStream(Files.newOutputStream(dir.resolve(file)))) {
            for (Map.Entry<String, byte[]> e : entries.entrySet()) {
                z.putNextEntry(new ZipEntry(e.getKey()));
                z.write(e.getValue());
                z.closeEntry();
            }
            if (last != null) {
                z.putNextEntry(new ZipEntry(last));
                z.write(header);
                writeZeros(z, zeros);
                z.closeEntry();
            }
        }
    }

    private static void writeZeros(java.io.OutputStream out, long n) throws IOException {
        byte[] zeros = new byte[1 << 20];
        for (long left = n; left > 0; left -= zeros.length) {
            out.write(zeros, 0, (int) Math.min(zeros.length, left));
        }
    }

    /** An IDX file's header (magic, count, dims) and how many zero data bytes follow it. */
    private static byte[][] idx(int magic, int count, int[] dims, long data) {
        ByteBuffer h = ByteBuffer.allocate(8 + 4 * dims.length).putInt(magic).putInt(count);
        for (int d : dims) {
            h.putInt(d);
        }
        return new byte[][] {h.array(), ByteBuffer.allocate(8).putLong(data).array()};
    }

    private static byte[] gzip(byte[][] idx) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (GZIPOutputStream z = new GZIPOutputStream(out)) {
            z.write(idx[0]);
            writeZeros(z, ByteBuffer.wrap(idx[1]).getLong());
        }
        return out.toByteArray();
    }

    private static void mnist(String name, byte[] trainImages, byte[] trainLabels, byte[] testImages,
            byte[] testLabels) throws IOException {
        Path d = Files.createDirectories(dir.resolve(name));
        byte[][] files = {trainImages, trainLabels, testImages, testLabels};
        for (int i = 0; i < 4; i++) {
            Files.write(d.resolve(Mnist.FULL[i]), files[i]);
        }
    }
}
