package ndgrad.core.io;

import ndgrad.core.Shapes;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;
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
     * 2 GiB, or the system property {@code ndgrad.maxInputBytes}. Reading costs memory in proportion to what the
     * headers declare; an entry that inflates past its declared size is refused as soon as it does.
     */
    public static long maxInputBytes() {
        return Long.getLong("ndgrad.maxInputBytes", 1L << 31);
    }

    /** Reads every array of an {@code .npz} file, by name (the entry name without {@code .npy}). */
    public static Map<String, INDArray> read(Path file) throws IOException {
        if (!Files.isRegularFile(file)) {
            throw new IOException(file + (Files.isDirectory(file) ? ": is a directory, expected an .npz file"
                    : ": file not found"));
        }
        Map<String, INDArray> out = new LinkedHashMap<>();
        long[] budget = {maxInputBytes()};
        try (ZipInputStream zip = new ZipInputStream(Files.newInputStream(file))) {
            for (ZipEntry e = zip.getNextEntry(); e != null; e = zip.getNextEntry()) {
                String name = e.getName().endsWith(".npy") ? e.getName().substring(0, e.getName().length() - 4)
                        : e.getName();
                out.put(name, readNpy(zip, file + ":" + e.getName(), budget));
            }
        } catch (java.util.zip.ZipException | java.io.EOFException e) {
            throw new IOException(file + ": truncated or corrupt .npz file (" + e.getMessage() + ")", e);
        }
        if (out.isEmpty()) {
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

    /**
     * One .npy entry, read as its header declares: the header first, then exactly the data bytes it promises
     * ({@code budget[0]} bytes at most, then reduced by them), then one more read that must find the entry's end.
     */
    private static INDArray readNpy(InputStream in, String where, long[] budget) throws IOException {
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
        ByteBuffer b = ByteBuffer.wrap(bytes);
        String header = new String(bytes, 0, headerLength, StandardCharsets.US_ASCII);
        Matcher descr = DESCR.matcher(header);
        Matcher fortran = FORTRAN.matcher(header);
        Matcher shapeM = SHAPE.matcher(header);
        if (!descr.find() || !fortran.find() || !shapeM.find()) {
            throw new IOException(where + ": unreadable header " + header.trim());
        }
        if (fortran.group(1).equals("True")) {
            throw new IOException(where + ": Fortran-ordered arrays are not supported; save a C-ordered copy "
                    + "(numpy.ascontiguousarray)");
        }
        String[] dims = shapeM.group(1).split(",");
        long[] shape = java.util.Arrays.stream(dims).map(String::trim).filter(d -> !d.isEmpty())
                .mapToLong(Long::parseLong).toArray();
        boolean f4 = descr.group(1).equals("<f4");
        boolean i8 = descr.group(1).equals("<i8");
        if (!f4 && !i8 && !descr.group(1).equals("<f8")) {
            throw new IOException(where + ": dtype " + descr.group(1) + " is not supported (expected <f4, <f8 or "
                    + "<i8)");
        }
        if (java.util.Arrays.stream(shape).anyMatch(d -> d < 0)) {
            throw new IOException(where + ": negative dimension in shape " + Shapes.str(shape));
        }
        long n = Shapes.numel(shape);
        long declared = n * (f4 ? 4 : 8);
        if (n > Integer.MAX_VALUE || declared > budget[0]) {
            throw new IOException(where + ": its header declares " + declared + " data bytes (shape "
                    + Shapes.str(shape) + "), more than the " + budget[0] + " bytes left of the limit "
                    + maxInputBytes() + " (system property ndgrad.maxInputBytes)");
        }
        budget[0] -= declared;
        byte[] data = in.readNBytes((int) declared);
        if (data.length != declared) {
            throw new IOException(where + ": expected " + declared + " data bytes for shape " + Shapes.str(shape)
                    + ", found " + data.length);
        }
        if (in.read() != -1) {
            throw new IOException(where + ": the entry holds more than the " + declared + " data bytes its header "
                    + "declares for shape " + Shapes.str(shape));
        }
        b = ByteBuffer.wrap(data).order(ByteOrder.LITTLE_ENDIAN);
        INDArray a;
        if (f4) {
            float[] v = new float[(int) n];
            b.asFloatBuffer().get(v);
            a = shape.length == 0 ? Nd4j.scalar(DataType.FLOAT, v[0]) : Nd4j.create(v, shape, DataType.FLOAT);
        } else if (i8) {
            long[] v = new long[(int) n];
            b.asLongBuffer().get(v);
            a = shape.length == 0 ? Nd4j.scalar(DataType.LONG, v[0]) : Nd4j.createFromArray(v).reshape(shape);
        } else {
            double[] v = new double[(int) n];
            b.asDoubleBuffer().get(v);
            a = shape.length == 0 ? Nd4j.scalar(DataType.DOUBLE, v[0]) : Nd4j.create(v, shape, DataType.DOUBLE);
        }
        return a;
    }

    /** The bytes {@link #write} would put in an .npy entry, for tests. */
    static byte[] npyBytes(String name, INDArray a) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        writeNpy(out, name, a);
        return out.toByteArray();
    }
}
