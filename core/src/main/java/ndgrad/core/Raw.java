package ndgrad.core;

import java.lang.reflect.Field;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import sun.misc.Unsafe;

/**
 * Block copies and adds straight on the off-heap memory of plain float32 and float64 arrays, for the indexing
 * kernels, whose work is many short blocks (an embedding lookup: 320 rows of 16 floats). Through NIO each array
 * needs a new JNI view (0.15–0.5 µs) and each block copy passes the buffers' checks, which cost more than the
 * copies (figures in benchmarks/README.md). As in
 * JavaCPP's own raw indexers, this is {@link Unsafe} on addresses. Nothing here checks an offset: callers pass
 * blocks inside both arrays ({@link Kernels.Picks} checks every index, and the shapes it is given).
 */
final class Raw {
    private static final Unsafe UNSAFE = unsafe();

    private Raw() {
    }

    /**
     * Copies block q of {@code inner} elements of {@code x}, at element offset {@code from[q]}, to offset q * inner
     * of {@code out}; both plain ({@link ArrayPool#plain}) and of one floating dtype.
     */
    static void gather(INDArray x, int[] from, int inner, INDArray out) {
        long size = x.data().getElementSize();
        long src = address(x);
        long dst = address(out);
        long bytes = inner * size;
        for (int q = 0; q < from.length; q++) {
            UNSAFE.copyMemory(src + from[q] * size, dst + q * bytes, bytes);
        }
    }

    /**
     * Zeros {@code out}, then adds block q of {@code inner} elements of {@code g}, at element offset q * inner, into
     * {@code out} at element offset {@code to[q]}: the adjoint of {@link #gather}. Both plain and of one floating
     * dtype.
     */
    static void scatterAdd(INDArray g, int[] to, int inner, INDArray out) {
        boolean float32 = g.dataType() == DataType.FLOAT;
        long size = g.data().getElementSize();
        long src = address(g);
        long dst = address(out);
        UNSAFE.setMemory(dst, out.length() * size, (byte) 0);
        for (int q = 0; q < to.length; q++) {
            long s = src + (long) q * inner * size;
            long d = dst + to[q] * size;
            if (float32) {
                for (int i = 0; i < inner; i++) {
                    long at = d + 4L * i;
                    UNSAFE.putFloat(at, UNSAFE.getFloat(at) + UNSAFE.getFloat(s + 4L * i));
                }
            } else {
                for (int i = 0; i < inner; i++) {
                    long at = d + 8L * i;
                    UNSAFE.putDouble(at, UNSAFE.getDouble(at) + UNSAFE.getDouble(s + 8L * i));
                }
            }
        }
    }

    /**
     * The address of a plain array's first element, from the pointer its buffer keeps ({@code addressPointer()}
     * asks libnd4j through JNI each call).
     */
    private static long address(INDArray plain) {
        return plain.data().pointer().address();
    }

    private static Unsafe unsafe() {
        try {
            Field f = Unsafe.class.getDeclaredField("theUnsafe");
            f.setAccessible(true);
            return (Unsafe) f.get(null);
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException("ndgrad needs sun.misc.Unsafe (module jdk.unsupported)", e);
        }
    }
}
