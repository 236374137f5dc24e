package ndgrad.core.kernels;

import static ndgrad.core.kernels.Access.*;

import ndgrad.core.NdArrays;
import ndgrad.core.memory.Scope;
import java.util.LinkedHashMap;
import java.util.Map;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * The sliding windows of convolution and pooling (im2col) and their adjoint (col2im). For input (N, C, H, W) the
 * columns are (C·kh·kw, N·oh·ow): row (c, i, j) holds, for every sample s and output position (y, x), the input at
 * (y·sh + i·dh - ph, x·sw + j·dw - pw), or {@code fill} where that falls in the padding; so a convolution is one
 * product weight (O, C·kh·kw) · columns for the whole batch (as Caffe lays it out). Output sizes follow PyTorch:
 * ⌊(H + 2p - d(k - 1) - 1) / s⌋ + 1. Each thread keeps the offsets of its last few geometries, so a training loop
 * computes them once; the loops then copy (or add) along that map.
 *
 * <p>Usage: {@code INDArray cols = Unfold.unfold(x, geom, 0); INDArray dx = Unfold.fold(dcols, geom);}
 */
public final class Unfold {
    private Unfold() {
    }

    /** The window geometry over input (n, c, h, w): kernel, stride, padding and dilation per axis. */
    public record Geometry(long n, int c, int h, int w, int kh, int kw, int sh, int sw, int ph, int pw, int dh,
            int dw) {
        /** Output rows: ⌊(h + 2ph - dh(kh - 1) - 1) / sh⌋ + 1. */
        public int oh() {
            return (h + 2 * ph - dh * (kh - 1) - 1) / sh + 1;
        }

        /** Output columns. */
        public int ow() {
            return (w + 2 * pw - dw * (kw - 1) - 1) / sw + 1;
        }

        /** The shape of the columns: (c·kh·kw, n·oh·ow). */
        public long[] columns() {
            return new long[] {(long) c * kh * kw, n * oh() * ow()};
        }

        /** The input's shape (n, c, h, w). */
        public long[] input() {
            return new long[] {n, c, h, w};
        }
    }

    private static final int KEPT = 8;
    /** A thread's cache of window maps ({@link Access.State#windowMaps}): the {@value #KEPT} most recently used. */
    static Map<Geometry, int[]> windowMaps() {
        return new LinkedHashMap<>(16, 0.75f, true) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<Geometry, int[]> e) {
                return size() > KEPT;
            }
        };
    }

    /** The columns of x (shape {@link Geometry#input()}), padding read as {@code fill}. */
    public static INDArray unfold(INDArray x, Geometry g, double fill) {
        int[] map = map(g);
        int in = g.c() * g.h() * g.w();
        int l = g.oh() * g.ow();
        int rows = map.length / l;
        int n = (int) g.n();
        INDArray out = Scope.allocate(x.dataType(), g.columns());
        if (n == 0) {
            return out;
        }
        if (x.dataType() == DataType.FLOAT) {
            float[] src = floats(x);
            java.nio.FloatBuffer dst = out.data().asNioFloat();
            float f = (float) fill;
            int parts = parts((long) n * map.length, rows);
            // each part writes its own rows of the columns
            ndgrad.core.Threads.parallel(parts, part -> {
                for (int r = part * rows / parts; r < (part + 1) * rows / parts; r++) {
                    for (int s = 0; s < n; s++) {
                        for (int p = 0, k = r * l, o = (r * n + s) * l, b = s * in; p < l; p++) {
                            int m = map[k + p];
                            dst.put(o + p, m < 0 ? f : src[b + m]);
                        }
                    }
                }
            });
        } else {
            double[] src = doubles(x);
            double[] dst = new double[n * map.length];
            for (int r = 0; r < rows; r++) {
                for (int s = 0; s < n; s++) {
                    for (int p = 0, k = r * l, o = (r * n + s) * l, b = s * in; p < l; p++) {
                        int m = map[k + p];
                        dst[o + p] = m < 0 ? fill : src[b + m];
                    }
                }
            }
            out.data().asNioDouble().put(0, dst);
        }
        return out;
    }

    /**
     * How many parts a float32 window pass (or a pooling pass) over {@code entries} column entries takes: one per
     * thread of {@link ndgrad.core.Threads#count()} from {@link #PARALLEL_ENTRIES} on, at most {@code units} (rows,
     * samples or planes).
     */
    static int parts(long entries, int units) {
        return entries < PARALLEL_ENTRIES ? 1 : Math.max(1, Math.min(units, ndgrad.core.Threads.count()));
    }

    /** Column entries from which unfold and fold split their pass over the cores (the CNN's first layer, batch 64,
     * has 0.9 M). */
    static final long PARALLEL_ENTRIES = 1 << 18;

    /** The adjoint of {@link #unfold}: each column entry added back to the input position it was read from. */
    public static INDArray fold(INDArray cols, Geometry g) {
        int[] map = map(g);
        int in = g.c() * g.h() * g.w();
        int l = g.oh() * g.ow();
        int rows = map.length / l;
        int n = (int) g.n();
        INDArray out = Scope.allocate(cols.dataType(), g.input());
        if (n == 0) {
            return out;
        }
        if (cols.dataType() == DataType.FLOAT) {
            float[] dst = Access.scratch(1, n * in, true);
            try (Scope copy = NdArrays.isPlain(cols) ? null : Scope.open()) {
                java.nio.FloatBuffer src = (copy == null ? cols : Copies.copy(cols)).data().asNioFloat();
                int parts = parts((long) n * map.length, n);
                // each part adds into its own samples of the input
                ndgrad.core.Threads.parallel(parts, part -> {
                    for (int s = part * n / parts; s < (part + 1) * n / parts; s++) {
                        for (int r = 0; r < rows; r++) {
                            for (int p = 0, k = r * l, o = (r * n + s) * l, b = s * in; p < l; p++) {
                                int m = map[k + p];
                                if (m >= 0) {
                                    dst[b + m] += src.get(o + p);
                                }
                            }
                        }
                    }
                });
            }
            out.data().asNioFloat().put(0, dst, 0, n * in);
        } else {
            double[] src = doubles(cols);
            double[] dst = new double[n * in];
            for (int r = 0; r < rows; r++) {
                for (int s = 0; s < n; s++) {
                    for (int p = 0, k = r * l, o = (r * n + s) * l, b = s * in; p < l; p++) {
                        int m = map[k + p];
                        if (m >= 0) {
                            dst[b + m] += src[o + p];
                        }
                    }
                }
            }
            out.data().asNioDouble().put(0, dst);
        }
        return out;
    }

    /** For one sample, the input offset each column entry reads, in column order; -1 in the padding. */
    static int[] map(Geometry g) {
        Geometry key = new Geometry(1, g.c(), g.h(), g.w(), g.kh(), g.kw(), g.sh(), g.sw(), g.ph(), g.pw(), g.dh(),
                g.dw());
        return Access.state().windowMaps.computeIfAbsent(key, k -> {
            int oh = g.oh();
            int ow = g.ow();
            int[] map = new int[g.c() * g.kh() * g.kw() * oh * ow];
            int at = 0;
            for (int c = 0; c < g.c(); c++) {
                for (int i = 0; i < g.kh(); i++) {
                    for (int j = 0; j < g.kw(); j++) {
                        for (int y = 0; y < oh; y++) {
                            int iy = y * g.sh() + i * g.dh() - g.ph();
                            for (int x = 0; x < ow; x++) {
                                int ix = x * g.sw() + j * g.dw() - g.pw();
                                boolean inside = iy >= 0 && iy < g.h() && ix >= 0 && ix < g.w();
                                map[at++] = inside ? (c * g.h() + iy) * g.w() + ix : -1;
                            }
                        }
                    }
                }
            }
            return map;
        });
    }

    /**
     * A float32 array's values in C order in this thread's scratch array 0 ({@link Access#scratch}; longer than the
     * array, and valid until the next call): one bulk read, of a C-order copy when it is not plain (the copy goes
     * back to the pool, scope or not).
     */
    static float[] floats(INDArray a) {
        int n = (int) a.length();
        float[] v = Access.scratch(0, n, false);
        try (Scope copy = NdArrays.isPlain(a) ? null : Scope.open()) {
            (copy == null ? a : Copies.copy(a)).data().asNioFloat().get(0, v, 0, n);
        }
        return v;
    }

    /** A float64 array's values in C order, as {@link #floats} reads them. */
    private static double[] doubles(INDArray a) {
        double[] v = new double[(int) a.length()];
        try (Scope copy = NdArrays.isPlain(a) ? null : Scope.open()) {
            (copy == null ? a : Copies.copy(a)).data().asNioDouble().get(0, v);
        }
        return v;
    }
}
