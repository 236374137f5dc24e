package ndgrad.core.kernels;

import static ndgrad.core.kernels.Access.*;

import java.nio.Buffer;
import java.nio.DoubleBuffer;
import java.nio.FloatBuffer;
import java.util.Arrays;
import java.util.concurrent.atomic.AtomicLong;
import ndgrad.core.NdArrays;
import ndgrad.core.ShapeException;
import ndgrad.core.Shapes;
import ndgrad.core.Threads;
import ndgrad.core.memory.Scope;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Fused passes: one read and one write of each array for a chain of elementwise steps. {@link #pass} runs an
 * optimizer's update over a parameter, its gradient and its state chunk by chunk; the vector loops of the other
 * families run on it too. The loss kernel {@link #crossEntropy} is softmax, log and the pick of the label in one
 * pass per row, with its backward.
 *
 * <p>Usage: {@code Fused.pass(1, c -> c[0].axpy(-lr, c[1]), param, grad);}
 */
public final class Fused {
    /** A fused update of a {@link #pass}: it changes the chunks of the written arrays in place. */
    @FunctionalInterface
    public interface Update {
        /**
         * Receives a chunk of each array, in order, then {@link #SCRATCH} scratch chunks of the same length (any
         * chunks after those are not its own).
         */
        void apply(Chunk[] chunks);
    }

    /** Scratch chunks given to an {@link Update} after the arrays' chunks. */
    public static final int SCRATCH = 2;

    /**
     * A {@link #pass} over plain arrays of at least twice this many elements is cut into ranges of about this many,
     * which the caller and the workers take one at a time ({@link Threads}): the caller, whose cache holds the arrays
     * the backward pass just wrote, starts at once and takes more ranges while a worker wakes (one range per thread
     * made the caller wait for the worker's wake-up, and was slower than one thread).
     */
    public static final long PASS_PART = 1L << 15;

    /**
     * The first this many passes that could be cut into ranges run on the caller alone. Until the JIT's optimizing
     * compiler has compiled an update's loops, they run in code that counts every branch for the profile, and two
     * threads updating one profile's counters fight over its cache lines (early split steps took six times longer
     * than on one thread).
     */
    public static final int PASS_WARMUP = 300;

    private static final AtomicLong SPLIT_PASSES = new AtomicLong();

    /**
     * One pass over arrays of one shape and dtype (float32 or float64): {@code f} sees each run of up to 1,024
     * elements of all of them ({@link Chunk}s at the same positions) and changes the first {@code written} in place,
     * which are then written back. The fused update of an optimizer reads a parameter, its gradient and its state
     * once; a chain of elementwise ops would read and write each array once per op. Each element is computed on its
     * own, so large plain arrays are cut into ranges that run in parallel ({@link #PASS_PART}) with the same
     * results. Arrays that are not plain are copied first (into arrays that go back to the pool after), and the
     * written ones copied back.
     */
    public static void pass(int written, Update f, INDArray... arrays) {
        long[] shape = arrays[0].shape();
        DataType type = arrays[0].dataType();
        boolean allPlain = true;
        for (INDArray a : arrays) {
            if (!Arrays.equals(a.shape(), shape) || a.dataType() != type || !floating(a)) {
                throw new ShapeException("pass: expected float32 or float64 arrays of one dtype and shape "
                        + Shapes.str(shape) + ", got " + a.dataType() + " " + Shapes.str(a.shape()) + " beside "
                        + type);
            }
            allPlain &= NdArrays.isPlain(a);
        }
        if (allPlain) {
            run(written, false, f, arrays);
            return;
        }
        try (Scope copies = Scope.open()) {
            INDArray[] plain = new INDArray[arrays.length];
            for (int j = 0; j < arrays.length; j++) {
                plain[j] = NdArrays.isPlain(arrays[j]) ? arrays[j] : Copies.copy(arrays[j]);
            }
            run(written, false, f, plain);
            for (int j = 0; j < written; j++) {
                if (plain[j] != arrays[j]) {
                    Copies.assign(arrays[j], plain[j]);
                }
            }
        }
    }

    /**
     * A {@link #pass} over plain arrays of one dtype and shape; with {@code fresh}, the written arrays' contents
     * are not read ({@code f} sets them).
     */
    static void run(int written, boolean fresh, Update f, INDArray... arrays) {
        Buffer[] nio = new Buffer[arrays.length];
        long n = arrays[0].length();
        for (int j = 0; j < arrays.length; j++) {
            nio[j] = n <= Kernels.ELEMENTWISE_LIMIT ? Access.state().nio.of(arrays[j]) : nio(arrays[j]);
        }
        int parts = Threads.count() > 1 && n >= 2 * PASS_PART && SPLIT_PASSES.incrementAndGet() > PASS_WARMUP
                ? (int) (n / PASS_PART) : 1;
        Threads.parallel(parts, part -> passRange(written, fresh, f, nio, (int) (n * part / parts),
                (int) (n * (part + 1) / parts)));
    }

    /** Elements [from, to) of a {@link #run}, chunk by chunk, in this thread's chunks. */
    static void passRange(int written, boolean fresh, Update f, Buffer[] nio, int from, int to) {
        boolean float32 = nio[0] instanceof FloatBuffer;
        int k = nio.length + SCRATCH;
        Chunk[] c = chunks(float32, k);
        for (int start = from; start < to; start += CHUNK) {
            int len = Math.min(CHUNK, to - start);
            for (int j = 0; j < k; j++) {
                c[j].length(len);
                if (j >= nio.length || fresh && j < written) {
                    continue;
                }
                if (float32) {
                    ((FloatBuffer) nio[j]).get(start, c[j].floats(), 0, len);
                } else {
                    ((DoubleBuffer) nio[j]).get(start, c[j].doubles(), 0, len);
                }
            }
            f.apply(c);
            for (int j = 0; j < written; j++) {
                if (float32) {
                    ((FloatBuffer) nio[j]).put(start, c[j].floats(), 0, len);
                } else {
                    ((DoubleBuffer) nio[j]).put(start, c[j].doubles(), 0, len);
                }
            }
        }
    }

    /** At least {@code k} chunks of this thread (the same objects each call) of the given precision. */
    static Chunk[] chunks(boolean float32, int k) {
        Chunk[][] all = Access.state().chunks;
        int t = float32 ? 0 : 1;
        if (all[t].length < k) {
            Chunk[] grown = Arrays.copyOf(all[t], k);
            for (int j = all[t].length; j < k; j++) {
                grown[j] = new Chunk(float32, Access.CHUNK);
            }
            all[t] = grown;
        }
        return all[t];
    }

    /**
     * The LSTM cell (Hochreiter &amp; Schmidhuber 1997, in PyTorch's gate order i, f, g, o) in one pass per row:
     * from pre-activations {@code gates} (B, 4H) and the cell state {@code c} (B, H), i = σ(gates_i), f = σ(gates_f),
     * g = tanh(gates_g), o = σ(gates_o), c' = f·c + i·g and h = o·tanh(c'), computed in double precision (for a
     * float32 result, σ and tanh from {@link #tanh32}). Returns {h, c'}; writes the activations (i, f, g, o) into
     * {@code act} (B, 4H) and tanh(c') into {@code tanhC} (B, H) for the backward when these are not null. Its five
     * activations per unit dominate, so from {@link #CELL_SPLIT} units the rows are split over the cores
     * ({@link Threads}).
     */
    public static INDArray[] lstmCell(INDArray gates, INDArray c, INDArray act, INDArray tanhC) {
        int b = (int) c.size(0);
        int hidden = (int) c.size(1);
        INDArray h = Scope.allocate(gates.dataType(), b, hidden);
        INDArray next = Scope.allocate(gates.dataType(), b, hidden);
        try (Scope copies = Scope.open()) {
            cellRows(buffers(plain(gates), plain(c), h, next, act, tanhC), new int[6], b, hidden);
        }
        return new INDArray[] {h, next};
    }

    /** {@link #lstmCell}'s units at which its rows are split over the cores. */
    public static final long CELL_SPLIT = 2048;

    /**
     * The cell's rows 0 to {@code b} over buffers gates, c, h, c', act (or null), tanh(c') (or null), each from its
     * element {@code base[k]}; split over the cores from {@link #CELL_SPLIT} units.
     */
    private static void cellRows(Buffer[] io, int[] base, int b, int hidden) {
        boolean float32 = io[0] instanceof FloatBuffer;
        int parts = split(b, hidden);
        Threads.parallel(parts, part -> cellRows(io, base, null, hidden, float32, b * part / parts,
                b * (part + 1) / parts, new Rows(hidden)));
    }

    /** Rows [from, to) of {@link #cellRows}, {@code bias} (or null) added to the gates, through the scratch rows s. */
    private static void cellRows(Buffer[] io, int[] base, double[] bias, int hidden, boolean float32, int from, int to,
            Rows s) {
        double[] g = s.gates;
        double[] cs = s.u1;
        double[] hs = s.u2;
        double[] ts = s.u3;
        float[] fs = s.floats;
        for (int r = from; r < to; r++) {
            get(io[0], base[0] + r * 4 * hidden, g, fs);
            get(io[1], base[1] + r * hidden, cs, fs);
            if (bias != null) {
                for (int j = 0; j < 4 * hidden; j++) {
                    g[j] += bias[j];
                }
            }
            // one loop per activation and per step of the update: in float32 plain arithmetic (tanh32), which the JIT
            // vectorizes one loop at a time
            for (int j = 0; j < 2 * hidden; j++) {
                g[j] = sigmoid(g[j], float32);
            }
            for (int j = 2 * hidden; j < 3 * hidden; j++) {
                g[j] = tanh(g[j], float32);
            }
            for (int j = 3 * hidden; j < 4 * hidden; j++) {
                g[j] = sigmoid(g[j], float32);
            }
            for (int j = 0; j < hidden; j++) {
                cs[j] = g[hidden + j] * cs[j] + g[j] * g[2 * hidden + j];
            }
            for (int j = 0; j < hidden; j++) {
                ts[j] = tanh(cs[j], float32);
            }
            for (int j = 0; j < hidden; j++) {
                hs[j] = g[3 * hidden + j] * ts[j];
            }
            put(io[2], base[2] + r * hidden, hs, fs);
            put(io[3], base[3] + r * hidden, cs, fs);
            if (io[4] != null) {
                put(io[4], base[4] + r * 4 * hidden, g, fs);
                put(io[5], base[5] + r * hidden, ts, fs);
            }
        }
    }

    /**
     * The gradient of {@link #lstmCell} from its activations {@code act} (i, f, g, o), the old state {@code c},
     * tanh(c') and the gradients {@code dh} and {@code dc} of h and c', in one pass per row: with
     * dc* = dc + dh·o·(1 - tanh²(c')), the gates' gradient is (dc*·g·i(1 - i), dc*·c·f(1 - f), dc*·i·(1 - g²),
     * dh·tanh(c')·o(1 - o)) and the old state's dc*·f. Returns {dgates (B, 4H), dc (B, H)}.
     */
    public static INDArray[] lstmCellBackward(INDArray act, INDArray c, INDArray tanhC, INDArray dh, INDArray dc) {
        int b = (int) c.size(0);
        int hidden = (int) c.size(1);
        INDArray dGates = Scope.allocate(act.dataType(), act.shape());
        INDArray dPrev = Scope.allocate(act.dataType(), b, hidden);
        try (Scope copies = Scope.open()) {
            cellBackRows(buffers(plain(act), plain(c), plain(tanhC), plain(dh), plain(dc), dGates, dPrev),
                    new int[7], b, hidden, null, new Rows(hidden));
        }
        return new INDArray[] {dGates, dPrev};
    }

    /**
     * {@link #lstmCellBackward}'s rows over buffers act, c, tanh(c'), dh, dc, dgates, dc_prev, each from its element
     * {@code base[k]} (dc and dc_prev may be one buffer: each row is read before it is written), the gates' gradients
     * also summed into {@code db} when not null, through the scratch rows {@code s}.
     */
    private static void cellBackRows(Buffer[] io, int[] base, int b, int hidden, double[] db, Rows s) {
        double[] a = s.gates;
        double[] cs = s.u1;
        double[] ts = s.u2;
        double[] dhs = s.u3;
        double[] dcs = s.u4;
        float[] fs = s.floats;
        for (int r = 0; r < b; r++) {
            get(io[0], base[0] + r * 4 * hidden, a, fs);
            get(io[1], base[1] + r * hidden, cs, fs);
            get(io[2], base[2] + r * hidden, ts, fs);
            get(io[3], base[3] + r * hidden, dhs, fs);
            get(io[4], base[4] + r * hidden, dcs, fs);
            for (int j = 0; j < hidden; j++) {
                double i = a[j];
                double f = a[hidden + j];
                double g = a[2 * hidden + j];
                double o = a[3 * hidden + j];
                double t = ts[j];
                double total = dcs[j] + dhs[j] * o * (1 - t * t);
                a[j] = total * g * i * (1 - i);
                a[hidden + j] = total * cs[j] * f * (1 - f);
                a[2 * hidden + j] = total * i * (1 - g * g);
                a[3 * hidden + j] = dhs[j] * t * o * (1 - o);
                dcs[j] = total * f;
            }
            put(io[5], base[5] + r * 4 * hidden, a, fs);
            if (db != null) {
                for (int j = 0; j < 4 * hidden; j++) {
                    db[j] += a[j];
                }
            }
            put(io[6], base[6] + r * hidden, dcs, fs);
        }
    }

    /**
     * An LSTM layer's direction over every step in one call (PyTorch's {@code _VF.lstm} for one layer and
     * direction): from the input's share of the gates {@code gx} (B, T, 4H), the states h0 and c0 (B, H), the
     * recurrent weight {@code w} (4H, H) and bias {@code b} (4H, or null), each step's gates gx_t + h·wᵀ (its rows
     * of gx copied as they are, then {@link Products#gemmRecurrent} adding into them) go through {@link #lstmCell}'s
     * pass, which adds b; {@code reverse} walks the steps from the last.
     * Returns {output (B, T, H), h_n, c_n}. With {@code keep} = {act (T, B, 4H), tanh(c) (T, B, H), the old states
     * c (T, B, H), the old states h (B, T, H)} not null, fills it for {@link #lstmBackward}. A row of the batch
     * depends on no other, so from {@link #CELL_SPLIT} units the rows are split over the cores for every step at
     * once: no thread waits for another between steps.
     */
    public static INDArray[] lstm(INDArray gx, INDArray h0, INDArray c0, INDArray w, INDArray b, boolean reverse,
            INDArray[] keep) {
        int batch = (int) gx.size(0);
        int steps = (int) gx.size(1);
        int hidden = (int) gx.size(2) / 4;
        DataType type = gx.dataType();
        INDArray out = Scope.allocate(type, batch, steps, hidden);
        INDArray hn = Scope.allocate(type, batch, hidden);
        INDArray cn = Scope.allocate(type, batch, hidden);
        try (Scope temporaries = Scope.open()) {
            Buffer[] shared = buffers(plain(gx), out, hn, cn, plain(h0), plain(c0), b == null ? null : plain(b));
            Buffer[] kb = keep == null ? new Buffer[4] : buffers(keep);
            INDArray v = Products.recurrentWeight(w, false);
            Part[] ps = Part.split(type, batch, hidden);
            Threads.parallel(ps.length, p -> ps[p].forward(shared, kb, v, batch, steps, reverse));
        }
        return new INDArray[] {out, hn, cn};
    }

    /** The cores a cell pass over {@code batch} rows of {@code hidden} units is split over. */
    private static int split(int batch, int hidden) {
        return split(batch, hidden, CELL_SPLIT);
    }

    /** The cores a pass over {@code rows} rows of {@code width} values is split over: all from {@code from} values. */
    private static int split(int rows, int width, long from) {
        return (long) rows * width >= from ? Math.min(rows, Threads.count()) : 1;
    }

    /**
     * The gradients of {@link #lstm} from those of its output, h_n and c_n, back through the steps (each step's
     * gates by {@link #lstmCellBackward}'s pass, the gradient of the earlier h by {@link Products#gemmRecurrent}, rows
     * split over the cores as in the forward), then the weight's gradient as one product over every step, Σ_t
     * dgates_tᵀ·h_(t-1), and the bias's as the sum of each part's gates' gradients (in the order of the parts). Returns
     * {dgx (B, T, 4H), dh0, dc0, dw (4H, H), db (4H, or null without {@code bias})}.
     */
    public static INDArray[] lstmBackward(INDArray[] keep, INDArray w, boolean bias, boolean reverse, INDArray dout,
            INDArray dhn, INDArray dcn) {
        int batch = (int) dout.size(0);
        int steps = (int) dout.size(1);
        int hidden = (int) dout.size(2);
        int g4 = 4 * hidden;
        DataType type = dout.dataType();
        INDArray dgx = Scope.allocate(type, batch, steps, g4);
        INDArray dh0 = Scope.allocate(type, batch, hidden);
        INDArray dc0 = Scope.allocate(type, batch, hidden);
        INDArray dw = Scope.allocate(type, g4, hidden);
        INDArray db = bias ? Scope.allocate(type, g4) : null;
        try (Scope temporaries = Scope.open()) {
            Buffer[] shared = buffers(dgx, plain(dout), dh0, dc0, plain(dhn), plain(dcn));
            Buffer[] kb = buffers(plain(keep[0]), plain(keep[1]), plain(keep[2]));
            INDArray v = Products.recurrentWeight(w, true);
            Part[] ps = Part.split(type, batch, hidden);
            double[][] sums = new double[ps.length][];
            for (int p = 0; p < ps.length; p++) {
                sums[p] = bias ? new double[g4] : null;
            }
            Threads.parallel(ps.length, p -> ps[p].backward(shared, kb, v, batch, steps, reverse, sums[p]));
            Products.gemmInto(dgx, plain(keep[3]), dw, true, false, g4, hidden, batch * steps, 0);
            if (db != null) {
                for (int p = 1; p < ps.length; p++) {
                    for (int j = 0; j < g4; j++) {
                        sums[0][j] += sums[p][j];
                    }
                }
                put(nio(db), 0, sums[0], new float[g4]);
            }
        }
        return new INDArray[] {dgx, dh0, dc0, dw, db};
    }

    /**
     * One thread's scratch rows for the cell passes, made once per pass and reused by every row and step: a row of the
     * gates, four rows of units, and a float32 row for conversions.
     */
    private static final class Rows {
        final double[] gates;
        final double[] u1;
        final double[] u2;
        final double[] u3;
        final double[] u4;
        final float[] floats;

        Rows(int hidden) {
            gates = new double[4 * hidden];
            u1 = new double[hidden];
            u2 = new double[hidden];
            u3 = new double[hidden];
            u4 = new double[hidden];
            floats = new float[4 * hidden];
        }
    }

    /**
     * Rows [from, to) of an LSTM's batch, taken through every step by one thread: its own gates (or their
     * gradients), two h and two c arrays (or the gradients of h and c) that the steps take in turn, and its scratch
     * rows. Made on the calling thread, whose scope owns the arrays.
     */
    private static final class Part {
        final int from;
        final int rows;
        final int hidden;
        final INDArray gates;
        final INDArray[] h;
        final INDArray[] c;
        /** {@link Products#gemmRecurrent}'s scratch (4H, rows): the step's product unit by unit, gates or dh. */
        final INDArray product;
        final Rows scratch;

        private Part(DataType type, int from, int to, int hidden) {
            this.from = from;
            this.rows = to - from;
            this.hidden = hidden;
            this.gates = Scope.allocate(type, rows, 4 * hidden);
            this.h = new INDArray[] {Scope.allocate(type, rows, hidden), Scope.allocate(type, rows, hidden)};
            this.c = new INDArray[] {Scope.allocate(type, rows, hidden), Scope.allocate(type, rows, hidden)};
            this.product = Scope.allocate(type, 4 * hidden, rows);
            this.scratch = new Rows(hidden);
        }

        /** The batch's rows in {@link #split} parts. */
        static Part[] split(DataType type, int batch, int hidden) {
            Part[] ps = new Part[Fused.split(batch, hidden)];
            for (int p = 0; p < ps.length; p++) {
                ps[p] = new Part(type, batch * p / ps.length, batch * (p + 1) / ps.length, hidden);
            }
            return ps;
        }

        /**
         * The forward over the whole batch's buffers {gx, out, h_n, c_n, h0, c0, b or null} and keep's (or nulls), with
         * the recurrent weight w (4H, H) as {@link Products#recurrentWeight} gives it, {@code v}.
         */
        void forward(Buffer[] shared, Buffer[] kb, INDArray v, int batch, int steps, boolean reverse) {
            int g4 = 4 * hidden;
            Buffer gb = nio(gates);
            Buffer[] hb = {nio(h[0]), nio(h[1])};
            Buffer[] cb = {nio(c[0]), nio(c[1])};
            float[] fs = scratch.floats;
            double[] bias = shared[6] == null ? null : new double[g4];
            if (bias != null) {
                get(shared[6], 0, bias, fs);
            }
            Copies.rows(shared[4], from * hidden, hidden, hb[0], 0, hidden, rows, hidden);
            Copies.rows(shared[5], from * hidden, hidden, cb[0], 0, hidden, rows, hidden);
            boolean float32 = gb instanceof FloatBuffer;
            for (int s = 0; s < steps; s++) {
                int t = reverse ? steps - 1 - s : s;
                int now = s % 2;
                Copies.rows(shared[0], (from * steps + t) * g4, steps * g4, gb, 0, g4, rows, g4);
                Products.gemmRecurrent(h[now], v, gates, rows, g4, hidden, 1, product);
                if (kb[0] != null) {
                    Copies.rows(cb[now], 0, hidden, kb[2], (t * batch + from) * hidden, hidden, rows, hidden);
                    Copies.rows(hb[now], 0, hidden, kb[3], (from * steps + t) * hidden, steps * hidden, rows, hidden);
                }
                cellRows(new Buffer[] {gb, cb[now], hb[1 - now], cb[1 - now], kb[0], kb[1]}, new int[] {0, 0, 0, 0,
                        (t * batch + from) * g4, (t * batch + from) * hidden}, bias, hidden, float32, 0, rows, scratch);
                Copies.rows(hb[1 - now], 0, hidden, shared[1], (from * steps + t) * hidden, steps * hidden, rows,
                        hidden);
            }
            int last = steps % 2;
            Copies.rows(hb[last], 0, hidden, shared[2], from * hidden, hidden, rows, hidden);
            Copies.rows(cb[last], 0, hidden, shared[3], from * hidden, hidden, rows, hidden);
        }

        /**
         * The backward over buffers {dgx, dout, dh0, dc0, dh_n, dc_n} and keep's {act, tanh(c), old c}, with wᵀ as
         * {@link Products#recurrentWeight} gives it, {@code v}, the gates' gradients summed into {@code db} (or not,
         * null): h[0] holds the gradient of the step's h, c[0] that of c.
         */
        void backward(Buffer[] shared, Buffer[] kb, INDArray v, int batch, int steps, boolean reverse, double[] db) {
            int g4 = 4 * hidden;
            Buffer gb = nio(gates);
            Buffer hb = nio(h[0]);
            Buffer cb = nio(c[0]);
            float[] fs = scratch.floats;
            double[] row = new double[hidden];
            double[] add = new double[hidden];
            int last = reverse ? 0 : steps - 1;
            for (int r = 0; r < rows; r++) {
                get(shared[4], (from + r) * hidden, row, fs);
                get(shared[1], ((from + r) * steps + last) * hidden, add, fs);
                for (int j = 0; j < hidden; j++) {
                    row[j] += add[j];
                }
                put(hb, r * hidden, row, fs);
            }
            Copies.rows(shared[5], from * hidden, hidden, cb, 0, hidden, rows, hidden);
            for (int s = steps - 1; s >= 0; s--) {
                int t = reverse ? steps - 1 - s : s;
                cellBackRows(new Buffer[] {kb[0], kb[2], kb[1], hb, cb, gb, cb}, new int[] {(t * batch + from) * g4,
                        (t * batch + from) * hidden, (t * batch + from) * hidden, 0, 0, 0, 0}, rows, hidden, db,
                        scratch);
                Copies.rows(gb, 0, g4, shared[0], (from * steps + t) * g4, steps * g4, rows, g4);
                // the earlier step's dh: its output's gradient, plus this step's gates' through w
                if (s > 0) {
                    int before = reverse ? t + 1 : t - 1;
                    Copies.rows(shared[1], (from * steps + before) * hidden, steps * hidden, hb, 0, hidden, rows,
                            hidden);
                }
                Products.gemmRecurrent(gates, v, h[0], rows, hidden, g4, s > 0 ? 1 : 0, product);
            }
            Copies.rows(hb, 0, hidden, shared[2], from * hidden, hidden, rows, hidden);
            Copies.rows(cb, 0, hidden, shared[3], from * hidden, hidden, rows, hidden);
        }
    }

    /** {@code a} itself when plain, else a C-order copy in the current scope. */
    static INDArray plain(INDArray a) {
        return NdArrays.isPlain(a) ? a : Copies.copy(a);
    }

    /** The NIO views of plain arrays (null for null), taken on the calling thread. */
    static Buffer[] buffers(INDArray... arrays) {
        Buffer[] out = new Buffer[arrays.length];
        for (int i = 0; i < arrays.length; i++) {
            out[i] = arrays[i] == null ? null : nio(arrays[i]);
        }
        return out;
    }

    /**
     * {@code dst.length} values of a float32 or float64 buffer from element {@code at}, as doubles (a float32 row
     * through {@code floats}, a scratch row at least as long).
     */
    static void get(Buffer b, int at, double[] dst, float[] floats) {
        if (b instanceof DoubleBuffer d) {
            d.get(at, dst);
        } else {
            ((FloatBuffer) b).get(at, floats, 0, dst.length);
            for (int j = 0; j < dst.length; j++) {
                dst[j] = floats[j];
            }
        }
    }

    /** {@code src} written to a float32 or float64 buffer from element {@code at} (through {@code floats}). */
    static void put(Buffer b, int at, double[] src, float[] floats) {
        if (b instanceof DoubleBuffer d) {
            d.put(at, src);
        } else {
            for (int j = 0; j < src.length; j++) {
                floats[j] = (float) src[j];
            }
            ((FloatBuffer) b).put(at, floats, 0, src.length);
        }
    }

    /** The logistic function 1/(1 + e^-x); for a float32 result (1 + tanh(x/2))/2 by {@link #tanh32}. */
    private static double sigmoid(double x, boolean float32) {
        return float32 ? 0.5 + 0.5 * tanh32(0.5 * x) : 1 / (1 + Math.exp(-x));
    }

    /** tanh; for a float32 result {@link #tanh32}. */
    private static double tanh(double x, boolean float32) {
        return float32 ? tanh32(x) : Math.tanh(x);
    }

    /**
     * tanh for float32 results: Eigen's 13/6-degree rational interpolant ({@code generic_fast_tanh_float}, also
     * ONNX Runtime's), accurate to a couple of float32 ulp on [-9, 9], outside of which tanh is ±1 in float32. Six
     * multiply-adds and a division, which the JIT vectorizes, where {@code Math.exp} costs about 4.6 ns.
     */
    static double tanh32(double x) {
        double c = Math.max(-9, Math.min(9, x));
        double c2 = c * c;
        double p = ((((((-2.76076847742355e-16 * c2 + 2.00018790482477e-13) * c2 - 8.60467152213735e-11) * c2
                + 5.12229709037114e-08) * c2 + 1.48572235717979e-05) * c2 + 6.37261928875436e-04) * c2
                + 4.89352455891786e-03) * c;
        double q = ((1.19825839466702e-06 * c2 + 1.18534705686654e-04) * c2 + 2.26843463243900e-03) * c2
                + 4.89352518554385e-03;
        return p / q;
    }

    /**
     * Softmax cross-entropy of each row of (N, C) logits {@code x} against {@code labels} (in range): ln Σ_j
     * e^(x_ij - m_i) - (x_iy - m_i), with m_i the row's maximum (0 when it is not finite), in one pass per row in
     * double precision. With {@code probs} (a C-order (N, C) array) not null, also writes softmax(x) into it. From
     * {@link #ROWS_SPLIT} values the rows are split over the cores (an exponential costs about 5 ns).
     */
    public static INDArray crossEntropy(INDArray x, int[] labels, INDArray probs) {
        int n = labels.length;
        int c = (int) x.size(1);
        INDArray out = Scope.allocate(x.dataType(), n);
        try (Scope copies = Scope.open()) {
            Buffer[] io = buffers(plain(x), probs, out);
            int parts = split(n, c, ROWS_SPLIT);
            Threads.parallel(parts, part -> crossEntropyRows(io, labels, c, n * part / parts,
                    n * (part + 1) / parts));
        }
        return out;
    }

    /** Values of a row pass ({@link #crossEntropy} and its backward) from which its rows are split over the cores. */
    public static final long ROWS_SPLIT = 1L << 14;

    /** Rows [from, to) of {@link #crossEntropy} over buffers x, probs (or null), losses. */
    private static void crossEntropyRows(Buffer[] io, int[] labels, int c, int from, int to) {
        double[] v = new double[c];
        float[] fs = new float[Math.max(c, to - from)];
        double[] losses = new double[to - from];
        for (int i = from; i < to; i++) {
            get(io[0], i * c, v, fs);
            double max = Double.NEGATIVE_INFINITY;
            for (int j = 0; j < c; j++) {
                max = Math.max(max, v[j]);
            }
            double shift = Double.isInfinite(max) ? 0 : max;
            double target = v[labels[i]] - shift;
            double sum = 0;
            for (int j = 0; j < c; j++) {
                v[j] = Math.exp(v[j] - shift);
                sum += v[j];
            }
            losses[i - from] = Math.log(sum) - target;
            if (io[1] != null) {
                for (int j = 0; j < c; j++) {
                    v[j] /= sum;
                }
                put(io[1], i * c, v, fs);
            }
        }
        put(io[2], from, losses, fs);
    }

    /**
     * The gradient of {@link #crossEntropy}'s losses for their gradient {@code g} (N): (probs - onehot(labels))
     * times g_i in each row, in a new (N, C) array, in one pass, split over the cores as the forward.
     */
    public static INDArray crossEntropyBackward(INDArray probs, int[] labels, INDArray g) {
        int n = labels.length;
        int c = (int) probs.size(1);
        INDArray out = Scope.allocate(probs.dataType(), probs.shape());
        try (Scope copies = Scope.open()) {
            Buffer[] io = buffers(plain(probs), plain(g), out);
            int parts = split(n, c, ROWS_SPLIT);
            Threads.parallel(parts, part -> {
                int from = n * part / parts;
                int to = n * (part + 1) / parts;
                double[] v = new double[c];
                double[] gs = new double[to - from];
                float[] fs = new float[Math.max(c, to - from)];
                get(io[1], from, gs, fs);
                for (int i = from; i < to; i++) {
                    get(io[0], i * c, v, fs);
                    v[labels[i]] -= 1;
                    for (int j = 0; j < c; j++) {
                        v[j] *= gs[i - from];
                    }
                    put(io[2], i * c, v, fs);
                }
            });
        }
        return out;
    }
}
