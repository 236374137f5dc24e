package ndgrad.core.io;

import ndgrad.core.Shapes;
import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Enumeration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.zip.ZipEntry;
import java.util.zip.ZipException;
import java.util.zip.ZipFile;
import java.util.zip.ZipOutputStream;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Named arrays in NumPy's {@code .npz} format: a zip of {@code name.npy} entries, each NPY format 1.0 (magic
 * {@code \x93NUMPY}, a Python-dict header padded to 64 bytes, then C-order little-endian data), as specified in
 * <a href="https://numpy.org/doc/stable/reference/generated/numpy.lib.format.html">numpy.lib.format</a>.
 * {@code numpy.load} reads what this writes. float32 and float64 arrays are supported. A file is written to a
 * temporary file first and then moved into place ({@link AtomicFile}), so a failed write never replaces a good file.
 *
 * <p>Usage: {@code Npz.write(Path.of("w.npz"), Map.of("w", w)); INDArray w2 = Npz.read(Path.of("w.npz")).get("w");}
 */
public final class Npz {
    private static final byte[] MAGIC = {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y'};
    private static final Pattern DESCR = Pattern.compile("'descr':\\s*'([<>|]?[a-z]\\d+)'");
    private static final Pattern FORTRAN = Pattern.compile("'fortran_order':\\s*(True|False)");
    private static final Pattern SHAPE = Pattern.compile("'shape':\\s*\\(([^)]*)\\)");
    private static final int CHUNK = 1 << 16;
    private static final int MAX_ENTRIES = 100_000;

    private Npz() {
    }

    /** Writes {@code arrays} (in map order) to {@code file} atomically. */
    public static void write(Path file, Map<String, INDArray> arrays) throws IOException {
        AtomicFile.write(file, out -> {
            ZipOutputStream zip = new ZipOutputStream(out);
            for (Map.Entry<String, INDArray> e : arrays.entrySet()) {
                zip.putNextEntry(new ZipEntry(e.getKey() + ".npy"));
                writeNpy(zip, e.getKey(), e.getValue());
                zip.closeEntry();
            }
            zip.finish();
        });
    }

    /**
     * The most data bytes {@link #read} accepts from one file, over all its entries, as their headers declare them:
     * 2 GiB, or the system property {@code ndgrad.maxInputBytes} (a positive whole number of bytes).
     *
     * @throws IllegalArgumentException when the property is set to anything else
     */
    public static long maxInputBytes() {
        String set = System.getProperty("ndgrad.maxInputBytes");
        if (set == null) {
            return 1L << 31;
        }
        try {
            long n = Long.parseLong(set.trim());
            if (n > 0) {
                return n;
            }
        } catch (NumberFormatException e) {
            // refused below
        }
        throw new IllegalArgumentException("system property ndgrad.maxInputBytes=" + set + ": expected a positive "
                + "whole number of bytes");
    }

    /**
     * What a reader expects of each entry, asked with the name (without {@code .npy}) and the shape its header
     * declares, before any of its data is inflated: {@code true} reads the entry, {@code false} skips it, and an
     * IOException refuses the file. So an entry of the wrong shape costs nothing.
     */
    @FunctionalInterface
    public interface Expect {
        boolean read(String name, long[] shape) throws IOException;
    }

    /** Reads every array of an {@code .npz} file, by name (the entry name without {@code .npy}). */
    public static Map<String, INDArray> read(Path file) throws IOException {
        return read(file, (name, shape) -> true);
    }

    /**
     * Reads the arrays of an {@code .npz} file that {@code expect} accepts from their headers. Memory is bounded by
     * what the file really holds: each entry is inflated once to count its bytes (refused as soon as it passes what
     * its header declares, or the {@link #maxInputBytes} left), and only then a second time, straight into its
     * array. Reading an entry costs its array plus a 64 KiB buffer.
     */
    public static Map<String, INDArray> read(Path file, Expect expect) throws IOException {
        if (!Files.isRegularFile(file)) {
            throw new IOException(file + (Files.isDirectory(file) ? ": is a directory, expected an .npz file"
                    : ": file not found"));
        }
        Map<String, INDArray> out = new LinkedHashMap<>();
        long budget = maxInputBytes();
        int entries = 0;
        try (ZipFile zip = new ZipFile(file.toFile())) {
            for (Enumeration<? extends ZipEntry> all = zip.entries(); all.hasMoreElements(); ) {
                ZipEntry e = all.nextElement();
                String where = file + ":" + printable(e.getName());
                if (++entries > MAX_ENTRIES) {
                    throw new IOException(file + ": more than " + MAX_ENTRIES + " entries");
                }
                String name = e.getName().endsWith(".npy") ? e.getName().substring(0, e.getName().length() - 4)
                        : e.getName();
                Header h;
                try (InputStream in = zip.getInputStream(e)) {
                    h = header(in, where);
                    if (!expect.read(name, h.shape)) {
                        continue;
                    }
                    if (h.bytes > budget) {
                        throw new IOException(where + ": its header declares " + h.bytes + " data bytes (shape "
                                + Shapes.str(h.shape) + "), more than the " + budget + " bytes left of the limit "
                                + maxInputBytes() + " (system property ndgrad.maxInputBytes)");
                    }
                    count(in, h, where);
                }
                budget -= h.bytes;
                try (InputStream in = zip.getInputStream(e)) {
                    header(in, where);
                    out.put(name, data(in, h));
                }
            }
        } catch (ZipException | EOFException e) {
            throw new IOException(file + ": truncated or corrupt .npz file (" + e.getMessage() + ")", e);
        }
        if (entries == 0) {
            throw new IOException(file + ": not an .npz file (no entries)");
        }
        return out;
    }

    private static void writeNpy(OutputStream out, String name, INDArray a) throws IOException {
        String descr = switch (a.dataType()) {
            case FLOAT -> "<f4";
            case DOUBLE -> "<f8";
            case LONG -> "<i8";
            default -> throw new IOException("Npz: array '" + name + "' has dtype " + a.dataType()
                    + "; only FLOAT, DOUBLE and LONG are written");
        };
        StringBuilder shape = new StringBuilder();
        for (long d : a.shape()) {
            shape.append(d).append(", ");
        }
        if (a.rank() > 1) {
            shape.setLength(shape.length() - 2);
        } else if (a.rank() == 1) {
            shape.setLength(shape.length() - 1);
        }
        String header = "{'descr': '" + descr + "', 'fortran_order': False, 'shape': (" + shape + "), }";
        int total = MAGIC.length + 4 + header.length() + 1;
        header = header + " ".repeat((64 - total % 64) % 64) + "\n";
        ByteBuffer head = ByteBuffer.allocate(MAGIC.length + 4).order(ByteOrder.LITTLE_ENDIAN);
        head.put(MAGIC).put((byte) 1).put((byte) 0).putShort((short) header.length());
        out.write(head.array());
        out.write(header.getBytes(StandardCharsets.US_ASCII));
        INDArray c = a.dup('c');
        ByteBuffer data = ByteBuffer.allocate((int) (c.length() * (descr.equals("<f4") ? 4 : 8)))
                .order(ByteOrder.LITTLE_ENDIAN);
        if (descr.equals("<f4")) {
            for (float v : c.reshape(c.length()).toFloatVector()) {
                data.putFloat(v);
            }
        } else if (descr.equals("<i8")) {
            for (long v : c.reshape(c.length()).toLongVector()) {
                data.putLong(v);
            }
        } else {
            for (double v : c.reshape(c.length()).toDoubleVector()) {
                data.putDouble(v);
            }
        }
        out.write(data.array());
    }

    /** An entry's header: its dtype, shape and the data bytes that shape declares. */
    private record Header(DataType dtype, long[] shape, long bytes) {
    }

    private static Header header(InputStream in, String where) throws IOException {
        byte[] prefix = in.readNBytes(MAGIC.length + 2);
        for (int i = 0; i < MAGIC.length; i++) {
            if (i >= prefix.length || prefix[i] != MAGIC[i]) {
                throw new IOException(where + ": not an .npy entry (bad magic)");
            }
        }
        if (prefix.length < MAGIC.length + 2) {
            throw new IOException(where + ": truncated header");
        }
        int major = prefix[MAGIC.length];
        byte[] lengthBytes = in.readNBytes(major == 1 ? 2 : 4);
        if (lengthBytes.length < (major == 1 ? 2 : 4)) {
            throw new IOException(where + ": truncated header");
        }
        ByteBuffer lb = ByteBuffer.wrap(lengthBytes).order(ByteOrder.LITTLE_ENDIAN);
        int headerLength = major == 1 ? Short.toUnsignedInt(lb.getShort()) : lb.getInt();
        if (headerLength < 0 || headerLength > 1 << 16) {
            throw new IOException(where + ": implausible header length " + headerLength);
        }
        byte[] bytes = in.readNBytes(headerLength);
        if (bytes.length < headerLength) {
            throw new IOException(where + ": truncated header");
        }
        String header = new String(bytes, 0, headerLength, StandardCharsets.US_ASCII);
        Matcher descr = DESCR.matcher(header);
        Matcher fortran = FORTRAN.matcher(header);
        Matcher shapeM = SHAPE.matcher(header);
        if (!descr.find() || !fortran.find() || !shapeM.find()) {
            throw new IOException(where + ": unreadable header " + printable(header));
        }
        if (fortran.group(1).equals("True")) {
            throw new IOException(where + ": Fortran-ordered arrays are not supported; save a C-ordered copy "
                    + "(numpy.ascontiguousarray)");
        }
        DataType dtype = switch (descr.group(1)) {
            case "<f4" -> DataType.FLOAT;
            case "<f8" -> DataType.DOUBLE;
            case "<i8" -> DataType.LONG;
            default -> throw new IOException(where + ": dtype " + descr.group(1) + " is not supported (expected "
                    + "<f4, <f8 or <i8)");
        };
        String[] dims = shapeM.group(1).isBlank() ? new String[0] : shapeM.group(1).split(",", -1);
        long[] shape = new long[dims.length];
        int rank = 0;
        for (int i = 0; i < dims.length; i++) {
            String d = dims[i].trim();
            if (d.isEmpty() && i == dims.length - 1 && i > 0) {
                break;
            }
            if (!d.matches("\\d{1,18}")) {
                throw new IOException(where + ": shape (" + printable(shapeM.group(1)) + ") in its header: expected "
                        + "whole numbers >= 0, found '" + printable(d) + "'");
            }
            shape[rank++] = Long.parseLong(d);
        }
        shape = Arrays.copyOf(shape, rank);
        long n = 1;
        for (long d : shape) {
            n = n > 0 && d > Integer.MAX_VALUE / n ? Long.MAX_VALUE : n * d;
        }
        if (n > Integer.MAX_VALUE) {
            throw new IOException(where + ": shape " + Shapes.str(shape) + " in its header has more than "
                    + Integer.MAX_VALUE + " elements");
        }
        return new Header(dtype, shape, n * dtype.width());
    }

    /** Inflates the rest of an entry without keeping it: exactly the declared bytes, refused at the first extra one. */
    private static void count(InputStream in, Header h, String where) throws IOException {
        byte[] buffer = new byte[CHUNK];
        long seen = 0;
        for (int k; (k = in.read(buffer)) != -1; ) {
            seen += k;
            if (seen > h.bytes) {
                throw new IOException(where + ": the entry holds more than the " + h.bytes + " data bytes its "
                        + "header declares for shape " + Shapes.str(h.shape));
            }
        }
        if (seen < h.bytes) {
            throw new IOException(where + ": expected " + h.bytes + " data bytes for shape " + Shapes.str(h.shape)
                    + ", found " + seen);
        }
    }

    /**
     * The entry's data, already counted, streamed into a new array of its shape: NPY's little-endian bytes copied
     * as they are where the native order is little-endian too, converted value by value elsewhere.
     */
    private static INDArray data(InputStream in, Header h) throws IOException {
        INDArray a = Nd4j.createUninitialized(h.dtype, h.shape);
        if (h.bytes == 0) {
            return a;
        }
        ByteBuffer to = a.data().asNio().order(ByteOrder.nativeOrder());
        byte[] buffer = new byte[CHUNK];
        for (long left = h.bytes; left > 0; ) {
            int k = in.readNBytes(buffer, 0, (int) Math.min(CHUNK, left));
            if (k < Math.min(CHUNK, left)) {
                throw new EOFException("an entry changed while it was read");
            }
            if (ByteOrder.nativeOrder() == ByteOrder.LITTLE_ENDIAN) {
                to.put(buffer, 0, k);
            } else {
                ByteBuffer from = ByteBuffer.wrap(buffer, 0, k).order(ByteOrder.LITTLE_ENDIAN);
                switch (h.dtype) {
                    case FLOAT -> to.asFloatBuffer().put(from.asFloatBuffer());
                    case DOUBLE -> to.asDoubleBuffer().put(from.asDoubleBuffer());
                    default -> to.asLongBuffer().put(from.asLongBuffer());
                }
                to.position(to.position() + k);
            }
            left -= k;
        }
        return a;
    }

    /** A header's text as it may appear in a one-line message: printable ASCII, at most 80 characters. */
    private static String printable(String s) {
        String p = s.trim().replaceAll("[^\\x20-\\x7e]", "?");
        return p.length() > 80 ? p.substring(0, 80) + "..." : p;
    }

    /** The bytes {@link #write} would put in an .npy entry, for tests. */
    static byte[] npyBytes(String name, INDArray a) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        writeNpy(out, name, a);
        return out.toByteArray();
    }
}
