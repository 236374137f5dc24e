package ndgrad.core.kernels;

import static ndgrad.core.kernels.Access.*;

import java.nio.Buffer;
import java.nio.DoubleBuffer;
import java.nio.FloatBuffer;
import ndgrad.core.Threads;
import ndgrad.core.memory.Scope;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Convolution sample by sample, as PyTorch's {@code slow_conv2d} computes it: each sample's windows unfolded into a
 * (C·kh·kw, oh·ow) block ({@link Unfold}'s columns of one sample), then per group one BLAS gemm of the weight with that
 * block, written straight into the sample's (O, oh, ow) output over its bias. The block stays in the core's cache
 * between the unfold and the product, no whole-batch columns are made, and the output needs no layout change; the
 * samples are split over the cores. The backward unfolds each sample again: dW += dy·colsᵀ and db += Σ dy in each
 * core's own sums, and dx = fold(Wᵀ·dy).
 *
 * <p>Usage: {@code INDArray y = Convolutions.conv2d(x, w, b, geometry, 1);}
 */
public final class Convolutions {
    private Convolutions() {
    }

    /**
     * y (N, O, oh, ow) = conv2d(x, w) + b for plain or not x (the geometry's input shape), weight w (O, C/groups,
     * kh, kw) and bias b (O) or null, with zero padding.
     */
    public static INDArray conv2d(INDArray x, INDArray w, INDArray b, Unfold.Geometry g, int groups) {
        Shape s = new Shape(g, (int) w.size(0), groups);
        DataType type = x.dataType();
        INDArray y = Scope.allocate(type, g.n(), s.o, g.oh(), g.ow());
        if (g.n() == 0) {
            return y;
        }
        try (Scope temporaries = Scope.open()) {
            INDArray xp = Fused.plain(x);
            INDArray wp = Fused.plain(w);
            double[] bias = b == null ? null : Copies.values(b);
            int parts = s.parts();
            INDArray[] cols = new INDArray[parts];
            Buffer[] colsB = new Buffer[parts];
            for (int p = 0; p < parts; p++) {
                cols[p] = Scope.allocate(type, s.k, s.l);
                colsB[p] = nio(cols[p]);
            }
            Buffer xb = nio(xp);
            Buffer yb = nio(y);
            Threads.parallel(parts, part -> {
                double[] row = new double[s.l];
                float[] floats = new float[s.l];
                for (int n = s.from(part, parts); n < s.from(part + 1, parts); n++) {
                    s.unfold(xb, n, colsB[part]);
                    for (int o = 0; bias != null && o < s.o; o++) {
                        java.util.Arrays.fill(row, bias[o]);
                        Fused.put(yb, (n * s.o + o) * s.l, row, floats);
                    }
                    for (int grp = 0; grp < groups; grp++) {
                        Products.gemmAt(false, false, s.og, s.l, s.kg, wp, (long) grp * s.og * s.kg, s.kg, cols[part],
                                (long) grp * s.kg * s.l, s.l, bias == null ? 0 : 1, y,
                                ((long) n * s.o + (long) grp * s.og) * s.l, s.l);
                    }
                }
            });
        }
        return y;
    }

    /**
     * The gradients of {@link #conv2d} for dy (N, O, oh, ow): {dx (or null without {@code inputGrad}), dw (w's
     * shape), db (O) (or null without {@code bias})}.
     */
    public static INDArray[] conv2dBackward(INDArray x, INDArray w, INDArray dy, Unfold.Geometry g, int groups,
            boolean inputGrad, boolean bias) {
        Shape s = new Shape(g, (int) w.size(0), groups);
        DataType type = x.dataType();
        INDArray dx = inputGrad ? Scope.allocate(type, g.input()) : null;
        INDArray dw = Scope.allocate(type, w.shape());
        INDArray db = bias ? Scope.allocate(type, s.o) : null;
        if (g.n() == 0) {
            Copies.fill(dw, 0);
            if (db != null) {
                Copies.fill(db, 0);
            }
            return new INDArray[] {dx, dw, db};
        }
        try (Scope temporaries = Scope.open()) {
            INDArray xp = Fused.plain(x);
            INDArray wp = Fused.plain(w);
            INDArray dyp = Fused.plain(dy);
            int parts = s.parts();
            INDArray[] cols = new INDArray[parts];
            INDArray[] dcols = new INDArray[parts];
            INDArray[] dws = new INDArray[parts];
            Buffer[][] bufs = new Buffer[parts][];
            double[][] dbs = new double[parts][s.o];
            for (int p = 0; p < parts; p++) {
                cols[p] = Scope.allocate(type, s.k, s.l);
                dcols[p] = inputGrad ? Scope.allocate(type, s.k, s.l) : null;
                dws[p] = p == 0 ? dw : Scope.allocate(type, w.shape());
                bufs[p] = Fused.buffers(cols[p], dcols[p]);
            }
            Buffer xb = nio(xp);
            Buffer dyb = nio(dyp);
            Buffer dxb = inputGrad ? nio(dx) : null;
            Threads.parallel(parts, part -> {
                double[] row = new double[s.l];
                float[] floats = new float[s.l];
                int first = s.from(part, parts);
                for (int n = first; n < s.from(part + 1, parts); n++) {
                    s.unfold(xb, n, bufs[part][0]);
                    for (int o = 0; o < s.o; o++) {
                        Fused.get(dyb, (n * s.o + o) * s.l, row, floats);
                        for (double v : row) {
                            dbs[part][o] += v;
                        }
                    }
                    for (int grp = 0; grp < groups; grp++) {
                        long dyAt = ((long) n * s.o + (long) grp * s.og) * s.l;
                        Products.gemmAt(false, true, s.og, s.kg, s.l, dyp, dyAt, s.l, cols[part],
                                (long) grp * s.kg * s.l, s.l, n == first ? 0 : 1, dws[part],
                                (long) grp * s.og * s.kg, s.kg);
                        if (inputGrad) {
                            Products.gemmAt(true, false, s.kg, s.l, s.og, wp, (long) grp * s.og * s.kg, s.kg, dyp,
                                    dyAt, s.l, 0, dcols[part], (long) grp * s.kg * s.l, s.l);
                        }
                    }
                    if (inputGrad) {
                        s.fold(bufs[part][1], dxb, n);
                    }
                }
            });
            for (int p = 1; p < parts; p++) {
                Products.axpy(1, dws[p], dw);
                for (int o = 0; o < s.o; o++) {
                    dbs[0][o] += dbs[p][o];
                }
            }
            if (db != null) {
                Copies.write(db, dbs[0]);
            }
        }
        return new INDArray[] {dx, dw, db};
    }

    /** The sizes of a convolution and its window map ({@link Unfold#map}, one sample's columns). */
    private static final class Shape {
        final Unfold.Geometry g;
        final int[] map;
        /** Output channels, and per group. */
        final int o;
        final int og;
        /** Rows of one sample's columns (C·kh·kw), and per group; output positions; input values per sample. */
        final int k;
        final int kg;
        final int l;
        final int in;

        Shape(Unfold.Geometry g, int o, int groups) {
            this.g = g;
            this.map = Unfold.map(g);
            this.o = o;
            this.og = o / groups;
            this.l = g.oh() * g.ow();
            this.k = map.length / l;
            this.kg = k / groups;
            this.in = g.c() * g.h() * g.w();
        }

        /** The cores the samples are split over: from {@link Unfold#PARALLEL_ENTRIES} column entries. */
        int parts() {
            return Unfold.parts(g.n() * map.length, (int) g.n());
        }

        /** The first sample of part {@code part} of {@code parts}. */
        int from(int part, int parts) {
            return (int) (g.n() * part / parts);
        }

        /**
         * Sample n's columns (k, l) into {@code cols}, zero in the padding: float32 through this thread's scratch
         * arrays ({@link Access#scratch}), the sample's input in 0 and its columns in 1.
         */
        void unfold(Buffer x, int n, Buffer cols) {
            if (x instanceof FloatBuffer xf) {
                float[] src = Access.scratch(0, in, false);
                float[] out = Access.scratch(1, map.length, false);
                xf.get(n * in, src, 0, in);
                for (int e = 0; e < map.length; e++) {
                    int m = map[e];
                    out[e] = m < 0 ? 0f : src[m];
                }
                ((FloatBuffer) cols).put(0, out, 0, map.length);
            } else {
                double[] src = new double[in];
                double[] out = new double[map.length];
                ((DoubleBuffer) x).get(n * in, src);
                for (int e = 0; e < map.length; e++) {
                    int m = map[e];
                    out[e] = m < 0 ? 0 : src[m];
                }
                ((DoubleBuffer) cols).put(0, out);
            }
        }

        /** One sample's column gradients {@code dcols} (k, l) added back into its input positions, sample n of dx. */
        void fold(Buffer dcols, Buffer dx, int n) {
            if (dcols instanceof FloatBuffer cf) {
                float[] cells = Access.scratch(1, map.length, false);
                float[] sample = Access.scratch(0, in, true);
                cf.get(0, cells, 0, map.length);
                for (int e = 0; e < map.length; e++) {
                    int m = map[e];
                    if (m >= 0) {
                        sample[m] += cells[e];
                    }
                }
                ((FloatBuffer) dx).put(n * in, sample, 0, in);
            } else {
                double[] cells = new double[map.length];
                double[] sample = new double[in];
                ((DoubleBuffer) dcols).get(0, cells);
                for (int e = 0; e < map.length; e++) {
                    int m = map[e];
                    if (m >= 0) {
                        sample[m] += cells[e];
                    }
                }
                ((DoubleBuffer) dx).put(n * in, sample);
            }
        }
    }
}
