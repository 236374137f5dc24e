package ndgrad.core.kernels;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.assertThrows;

import ndgrad.core.NdArrays;
import ndgrad.core.Restore;
import ndgrad.core.Rng;
import ndgrad.core.ShapeException;
import ndgrad.core.Shapes;
import ndgrad.core.memory.ArrayPool;
import ndgrad.core.memory.Scope;
import java.util.ArrayList;
import java.util.List;
import java.util.Arrays;
import java.util.function.Supplier;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

/** The Java-loop path and the ND4J path of every kernel give the same values, for every shape class. */
class KernelsTest {
    private static final Rng RNG = new Rng(7);

    /** Operand shape classes: same shape, row and column broadcasts, both ways, rank 0, and strided views. */
    static Stream<Arguments> pairs() {
        List<Arguments> out = new ArrayList<>();
        for (DataType t : new DataType[] {DataType.DOUBLE, DataType.FLOAT}) {
            out.add(Arguments.of(t, "same", (Supplier<INDArray[]>) () -> new INDArray[] {r(t, 3, 4), r(t, 3, 4)}));
            out.add(Arguments.of(t, "row", (Supplier<INDArray[]>) () -> new INDArray[] {r(t, 3, 4), r(t, 4)}));
            out.add(Arguments.of(t, "column", (Supplier<INDArray[]>) () -> new INDArray[] {r(t, 3, 1), r(t, 3, 4)}));
            out.add(Arguments.of(t, "both", (Supplier<INDArray[]>) () -> new INDArray[] {r(t, 3, 1), r(t, 1, 4)}));
            out.add(Arguments.of(t, "rank0", (Supplier<INDArray[]>) () -> new INDArray[] {r(t, 2, 3), r(t)}));
            out.add(Arguments.of(t, "3d", (Supplier<INDArray[]>) () -> new INDArray[] {r(t, 2, 1, 4), r(t, 3, 1)}));
            out.add(Arguments.of(t, "rows across chunks", (Supplier<INDArray[]>) () -> new INDArray[] {
                r(t, 33, 70), r(t, 70)}));
            out.add(Arguments.of(t, "views", (Supplier<INDArray[]>) () -> new INDArray[] {r(t, 4, 3).transpose(),
                r(t, 5, 4).get(NDArrayIndex.interval(1, 4), NDArrayIndex.all())}));
        }
        return out.stream();
    }

    private static INDArray r(DataType t, long... shape) {
        return RNG.uniform(t, 0.2, 2.0, shape);
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("pairs")
    void binaryOpsAgree(DataType t, String shapes, Supplier<INDArray[]> operands) {
        INDArray[] ab = operands.get();
        for (Pointwise.Binary op : Pointwise.Binary.values()) {
            if (op == Pointwise.Binary.RELU_GRAD && !java.util.Arrays.equals(ab[0].shape(), ab[1].shape())) {
                continue; // relu's backward meets a gradient and an output of one shape
            }
            agree(t, op + " " + shapes, () -> Pointwise.binary(op, ab[0], ab[1]));
            agree(t, op + " reversed " + shapes, () -> Pointwise.binary(op, ab[1], ab[0]));
        }
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("pairs")
    void unaryAndScalarOpsAndReductionsAgree(DataType t, String shapes, Supplier<INDArray[]> operands) {
        INDArray x = operands.get()[0].sub(1.0);
        for (Pointwise.Unary op : Pointwise.Unary.values()) {
            INDArray in = op == Pointwise.Unary.LOG || op == Pointwise.Unary.SQRT ? Transforms2.abs(x) : x;
            agree(t, op + " " + shapes, () -> Pointwise.unary(op, in));
        }
        for (Pointwise.Scalar op : Pointwise.Scalar.values()) {
            INDArray in = op == Pointwise.Scalar.POW ? Transforms2.abs(x) : x;
            agree(t, op + " " + shapes, () -> Pointwise.scalar(op, in, 1.7));
        }
        for (int[] axes : axesOf(x.rank())) {
            agree(t, "sum " + shapes, () -> Reduce.sum(x, true, axes));
            agree(t, "sum " + shapes, () -> Reduce.sum(x, false, axes));
            agree(t, "max " + shapes, () -> Reduce.max(x, true, axes));
            agree(t, "max " + shapes, () -> Reduce.max(x, false, axes));
        }
        INDArray y = operands.get()[1];
        if (Shapes.broadcast("test", x.shape(), y.shape()).length == x.rank()
                && java.util.Arrays.equals(Shapes.broadcast("test", x.shape(), y.shape()), x.shape())) {
            agree(t, "axpy " + shapes, () -> {
                INDArray target = Copies.copy(x);
                Products.axpy(-0.3, y, target);
                return target;
            });
            agree(t, "assign " + shapes, () -> {
                INDArray target = Copies.copy(x);
                Copies.assign(target, y);
                return target;
            });
        }
        agree(t, "fill " + shapes, () -> {
            INDArray target = Copies.copy(x);
            Copies.fill(target, 2.5);
            return target;
        });
    }

    private static List<int[]> axesOf(int rank) {
        List<int[]> out = new ArrayList<>();
        for (int mask = 1; mask < 1 << rank; mask++) {
            int[] axes = new int[Integer.bitCount(mask)];
            for (int i = 0, k = 0; i < rank; i++) {
                if ((mask & 1 << i) != 0) {
                    axes[k++] = i;
                }
            }
            out.add(axes);
        }
        return out;
    }

    @Test
    void sumToAndGemmAgreeForEveryTransposeAndDtype() {
        for (DataType t : new DataType[] {DataType.DOUBLE, DataType.FLOAT}) {
            INDArray g = r(t, 2, 3, 4);
            for (long[] to : new long[][] {{3, 4}, {1, 4}, {3, 1}, {2, 1, 4}, {}, {1, 1}, {2, 3, 4}}) {
                agree(t, "sumTo " + Shapes.str(to), () -> Reduce.sumTo(g, to));
            }
            INDArray a = r(t, 3, 5);
            INDArray b = r(t, 5, 2);
            agree(t, "gemm", () -> Products.gemm(a, b, false, false));
            agree(t, "gemm ta", () -> Products.gemm(a.transpose().dup(), b, true, false));
            agree(t, "gemm tb", () -> Products.gemm(a, b.transpose().dup(), false, true));
            agree(t, "gemm ta tb", () -> Products.gemm(a.transpose().dup(), b.transpose().dup(), true, true));
            agree(t, "gemm of views", () -> Products.gemm(a.transpose().dup().transpose(), b, false, false));
            assertArrayEquals(a.mmul(b).dup().data().asDouble(), Products.gemm(a, b, false, false).data().asDouble(),
                    t == DataType.DOUBLE ? 1e-12 : 1e-5);
        }
    }

    @Test
    void gemmIntoAddsIntoBandsOfRowsSplitOverTheCores() {
        for (DataType t : new DataType[] {DataType.DOUBLE, DataType.FLOAT}) {
            // c (257, 64) += aᵀ·b with a (512, 257) and b (512, 64): 8.4 M multiply-adds, above SPLIT_LIMIT, with an
            // odd row count so the bands differ in size; and a small one on one thread, without transposes
            for (int[] mnk : new int[][] {{257, 64, 512}, {5, 3, 4}}) {
                int m = mnk[0];
                int n = mnk[1];
                int k = mnk[2];
                boolean ta = m > 5;
                INDArray a = ta ? r(t, k, m) : r(t, m, k);
                INDArray b = r(t, k, n);
                INDArray c = r(t, m, n);
                double[] av = a.castTo(DataType.DOUBLE).data().asDouble();
                double[] bv = b.castTo(DataType.DOUBLE).data().asDouble();
                double[] want = c.castTo(DataType.DOUBLE).data().asDouble();
                for (int i = 0; i < m; i++) {
                    for (int j = 0; j < n; j++) {
                        for (int p = 0; p < k; p++) {
                            want[i * n + j] += av[ta ? p * m + i : i * k + p] * bv[p * n + j];
                        }
                    }
                }
                Products.gemmInto(a, b, c, ta, false, m, n, k, 1);
                assertArrayEquals(want, c.castTo(DataType.DOUBLE).data().asDouble(), t == DataType.DOUBLE ? 1e-10
                        : 2e-3, t + " " + m + "x" + n + "x" + k);
            }
        }
    }

    @Test
    void gemmOfFewRowsByAWideWeightMatchesLoops() {
        // x·wᵀ with at most LEFT_ROWS rows and twice as many columns, computed as (w·xᵀ)ᵀ: one row; a batch whose
        // product is split over the cores (64x784 by 784x256, 12.8 M multiply-adds); (2, 16, 50) input rows
        for (DataType t : new DataType[] {DataType.DOUBLE, DataType.FLOAT}) {
            for (long[] s : new long[][] {{1, 300, 40}, {64, 256, 784}, {2, 16, 128, 50}}) {
                long[] xs = s.length == 3 ? new long[] {s[0], s[2]} : new long[] {s[0], s[1], s[3]};
                int n = (int) s[s.length - 2];
                int k = (int) s[s.length - 1];
                INDArray x = r(t, xs);
                INDArray w = r(t, n, k);
                double[] xv = x.castTo(DataType.DOUBLE).data().asDouble();
                double[] wv = w.castTo(DataType.DOUBLE).data().asDouble();
                int m = xv.length / k;
                double[] want = new double[m * n];
                for (int i = 0; i < m; i++) {
                    for (int j = 0; j < n; j++) {
                        for (int p = 0; p < k; p++) {
                            want[i * n + j] += xv[i * k + p] * wv[j * k + p];
                        }
                    }
                }
                INDArray y = Products.gemm(x, w, false, true);
                long[] shape = xs.clone();
                shape[shape.length - 1] = n;
                assertArrayEquals(shape, y.shape(), Arrays.toString(s));
                assertArrayEquals(want, y.castTo(DataType.DOUBLE).data().asDouble(), t == DataType.DOUBLE ? 1e-10
                        : 1e-2, t + " " + Arrays.toString(s));
            }
        }
    }

    @Test
    void gemmBandsAddsEachBandOfColumnsAsOneProductWould() {
        for (DataType t : new DataType[] {DataType.DOUBLE, DataType.FLOAT}) {
            // c (3, 50) = a (3, 4)·b (4, 50) + β·c: bands of at most 84 multiply-adds are 7 columns wide, so 8 bands
            // of 6 or 7; a limit of 0 still takes one column a band
            for (long limit : new long[] {84, 0, Long.MAX_VALUE}) {
                for (double beta : new double[] {0, 1}) {
                    INDArray a = r(t, 3, 4);
                    INDArray b = r(t, 4, 50);
                    INDArray c = r(t, 3, 50);
                    double[] av = a.castTo(DataType.DOUBLE).data().asDouble();
                    double[] bv = b.castTo(DataType.DOUBLE).data().asDouble();
                    double[] want = c.castTo(DataType.DOUBLE).data().asDouble();
                    for (int i = 0; i < 3; i++) {
                        for (int j = 0; j < 50; j++) {
                            want[i * 50 + j] *= beta;
                            for (int p = 0; p < 4; p++) {
                                want[i * 50 + j] += av[i * 4 + p] * bv[p * 50 + j];
                            }
                        }
                    }
                    Products.gemmBands(a, b, c, 3, 50, 4, beta, limit);
                    assertArrayEquals(want, c.castTo(DataType.DOUBLE).data().asDouble(), t == DataType.DOUBLE
                            ? 1e-12 : 1e-5, t + " limit " + limit + " beta " + beta);
                }
            }
        }
    }

    @Test
    void gemmRecurrentAddsTheProductWithTheWeightTransposedEitherWay() {
        for (DataType t : new DataType[] {DataType.DOUBLE, DataType.FLOAT}) {
            // out (3, 8) = x (3, 5)·wᵀ + β·out for w (8, 5), as the forward of a recurrence with 2 units (4 gates each)
            // calls it, and dh (3, 2) = dgates (3, 8)·w as its backward does (v = wᵀ); on both kernels' paths
            for (boolean small : new boolean[] {true, false}) {
                for (double beta : new double[] {0, 1}) {
                    INDArray w = r(t, 8, 5);
                    double[] wv = w.castTo(DataType.DOUBLE).data().asDouble();
                    for (boolean backward : new boolean[] {false, true}) {
                        int n = backward ? 5 : 8;
                        int k = backward ? 8 : 5;
                        INDArray x = r(t, 3, k);
                        INDArray out = r(t, 3, n);
                        double[] xv = x.castTo(DataType.DOUBLE).data().asDouble();
                        double[] want = out.castTo(DataType.DOUBLE).data().asDouble();
                        for (int i = 0; i < 3; i++) {
                            for (int j = 0; j < n; j++) {
                                want[i * n + j] *= beta;
                                for (int p = 0; p < k; p++) {
                                    want[i * n + j] += xv[i * k + p] * (backward ? wv[p * 5 + j] : wv[j * 5 + p]);
                                }
                            }
                        }
                        INDArray v = Products.recurrentWeight(w, backward, small);
                        Products.gemmRecurrent(x, v, out, 3, n, k, beta, Nd4j.create(t, 8, 3), small);
                        assertArrayEquals(want, out.castTo(DataType.DOUBLE).data().asDouble(), t == DataType.DOUBLE
                                ? 1e-12 : 1e-5, t + " small " + small + " beta " + beta + " backward " + backward);
                    }
                }
            }
        }
    }

    @Test
    void recurrentWeightCopiesOnlyATranspose() {
        INDArray w = r(DataType.FLOAT, 8, 5);
        // the small kernels read vᵀ: w's transpose for v = w, w itself for v = wᵀ; the others read v
        assertSame(w, Products.recurrentWeight(w, true, true));
        assertSame(w, Products.recurrentWeight(w, false, false));
        assertArrayEquals(new long[] {5, 8}, Products.recurrentWeight(w, false, true).shape());
        assertArrayEquals(new long[] {5, 8}, Products.recurrentWeight(w, true, false).shape());
        assertEquals(w.getFloat(3, 1), Products.recurrentWeight(w, false, true).getFloat(1, 3));
        assertTrue(NdArrays.isPlain(Products.recurrentWeight(w, true, false)));
    }

    @Test
    void transposeWritesOrAddsTheTransposeOfABlock() {
        for (DataType t : new DataType[] {DataType.DOUBLE, DataType.FLOAT}) {
            for (boolean add : new boolean[] {false, true}) {
                INDArray src = r(t, 3, 7);
                INDArray dst = r(t, 7, 3);
                double[] s = src.castTo(DataType.DOUBLE).data().asDouble();
                double[] want = dst.castTo(DataType.DOUBLE).data().asDouble();
                for (int c = 0; c < 7; c++) {
                    for (int r = 0; r < 3; r++) {
                        want[c * 3 + r] = (add ? want[c * 3 + r] : 0) + s[r * 7 + c];
                    }
                }
                Copies.transpose(Access.nio(src), 3, 7, Access.nio(dst), add);
                assertArrayEquals(want, dst.castTo(DataType.DOUBLE).data().asDouble(), t == DataType.DOUBLE ? 0
                        : 1e-6, t + " add " + add);
            }
        }
    }

    @Test
    void gemmBandsKeepsEachBandWithinTheSmallKernelsLimit() {
        assertEquals(8, Products.bands(3, 50, 4, 84));
        assertEquals(50, Products.bands(3, 50, 4, 0));
        assertEquals(1, Products.bands(3, 50, 4, Long.MAX_VALUE));
        assertEquals(1, Products.bands(1, 50, 1, Long.MAX_VALUE));
        // an LSTM(·, 128) step on each of two cores (16 rows): 16x128 by 128x512 forward, 16x512 by 512x128 backward
        assertEquals(2, Products.bands(16, 512, 128, Products.SMALL_PRODUCT));
        assertEquals(2, Products.bands(16, 128, 512, Products.SMALL_PRODUCT));
        assertEquals(3, Products.bands(32, 512, 128, Products.SMALL_PRODUCT));
        assertEquals(1, Products.bands(0, 512, 128, Products.SMALL_PRODUCT));
    }

    @Test
    void otherDtypesGoToNd4jOnEveryPath() {
        INDArray a = Nd4j.createFromArray(new double[][] {{1, 2}, {3, 4}}).castTo(DataType.HALF);
        INDArray b = Nd4j.createFromArray(new double[][] {{0.5, -1}, {2, 0.25}}).castTo(DataType.HALF);
        for (Kernels.Path path : Kernels.Path.values()) {
            try (Restore p = Kernels.use(path)) {
                assertArrayEquals(new double[] {4.5, -0.5, 9.5, -2}, Products.gemm(a, b, false, false)
                        .castTo(DataType.DOUBLE).data().asDouble(), 1e-3, path.toString());
                INDArray y = Copies.copy(a);
                Products.axpy(2, b, y);
                assertArrayEquals(new double[] {2, 0, 7, 4.5}, Pointwise.scalar(Pointwise.Scalar.MUL, y, 1)
                        .castTo(DataType.DOUBLE).data().asDouble(), 1e-3, path.toString());
                assertArrayEquals(new double[] {4, 6}, Reduce.sum(a, false, 0).castTo(DataType.DOUBLE).data()
                        .asDouble(), 1e-3, path.toString());
            }
        }
    }

    /**
     * The size picks the path: the Java loops and ND4J round some results differently (float32 exp, and a float32
     * product summed in double or in float), so the automatic path's bits show which path ran, just below and just
     * above each threshold; a forced path overrides the size.
     */
    @Test
    void theSizeDecidesUnlessAPathIsForced() {
        assertEquals(Kernels.Path.AUTO, Kernels.path());
        for (long n : new long[] {Kernels.ELEMENTWISE_LIMIT, Kernels.ELEMENTWISE_LIMIT + 1}) {
            // the paths differ in about 1 element of 2,000: the same seed for both sizes, so that both hold the one
            // this seed gives, whatever the other tests drew before
            INDArray x = new Rng(7).uniform(DataType.FLOAT, -20, 20, n);
            float[] java = viaPath(Kernels.Path.JAVA, () -> Pointwise.unary(Pointwise.Unary.EXP, x));
            float[] nd4j = viaPath(Kernels.Path.ND4J, () -> Pointwise.unary(Pointwise.Unary.EXP, x));
            assertFalse(Arrays.equals(java, nd4j), "the paths round exp differently, so they can be told apart");
            assertArrayEquals(n <= Kernels.ELEMENTWISE_LIMIT ? java : nd4j,
                    viaPath(Kernels.Path.AUTO, () -> Pointwise.unary(Pointwise.Unary.EXP, x)), "exp of " + n);
        }
        // gemm: m·n·k multiply-adds against BLAS_LIMIT (128): 1x1x128 and 1x1x129, a row (1e8, 1, ..., 1, -1e8)
        // times ones, whose exact sum k - 2 a float32 accumulation loses (1e8 + 1 rounds to 1e8)
        for (long k : new long[] {Kernels.BLAS_LIMIT, Kernels.BLAS_LIMIT + 1}) {
            double[] row = new double[(int) k];
            Arrays.fill(row, 1);
            row[0] = 1e8;
            row[(int) k - 1] = -1e8;
            INDArray a = NdArrays.create(row, new long[] {1, k}, DataType.FLOAT);
            INDArray b = Copies.copy(NdArrays.create(new double[(int) k], new long[] {k, 1}, DataType.FLOAT));
            Copies.fill(b, 1);
            float[] java = viaPath(Kernels.Path.JAVA, () -> Products.gemm(a, b, false, false));
            float[] blas = viaPath(Kernels.Path.ND4J, () -> Products.gemm(a, b, false, false));
            double exact = 0;
            for (int i = 0; i < k; i++) {
                exact += (double) a.getFloat(i) * b.getFloat(i);
            }
            assertEquals((float) exact, java[0], "the Java loop sums in double");
            assertEquals(k - 2, java[0], "the Java loop sums in double: exact");
            assertFalse(java[0] == blas[0], "BLAS sums in float32 and loses the ones next to 1e8");
            assertEquals(k <= Kernels.BLAS_LIMIT ? java[0] : blas[0],
                    viaPath(Kernels.Path.AUTO, () -> Products.gemm(a, b, false, false))[0], "gemm of " + k);
        }
        assertEquals(Kernels.Path.AUTO, Kernels.path());
    }

    private static float[] viaPath(Kernels.Path path, Supplier<INDArray> kernel) {
        try (Restore p = Kernels.use(path)) {
            return kernel.get().data().asFloat();
        }
    }

    /** Both paths against values computed here with java.lang.Math, not only against each other. */
    @Test
    void bothPathsGiveKnownValues() {
        double[] v = {-1.5, -0.25, 0.5, 2};
        double[] w = {0.75, -3, 1.25, 0.5};
        for (DataType t : new DataType[] {DataType.DOUBLE, DataType.FLOAT}) {
            INDArray x = NdArrays.create(v, new long[] {2, 2}, t);
            INDArray y = NdArrays.create(w, new long[] {2, 2}, t);
            double tol = t == DataType.DOUBLE ? 1e-15 : 1e-6;
            for (Kernels.Path path : new Kernels.Path[] {Kernels.Path.JAVA, Kernels.Path.ND4J}) {
                try (Restore p = Kernels.use(path)) {
                    String at = path + " " + t + " ";
                    for (Pointwise.Unary op : Pointwise.Unary.values()) {
                        if (op == Pointwise.Unary.LOG || op == Pointwise.Unary.SQRT || op == Pointwise.Unary.LOG1P) {
                            assertValues(at + op, map(w, op == Pointwise.Unary.LOG ? Math::log
                                    : op == Pointwise.Unary.SQRT ? Math::sqrt : Math::log1p, true),
                                    Pointwise.unary(op, Pointwise.unary(Pointwise.Unary.ABS, y)), tol);
                        } else {
                            assertValues(at + op, map(v, expected(op), false), Pointwise.unary(op, x), tol);
                        }
                    }
                    assertValues(at + "add", new double[] {-0.75, -3.25, 1.75, 2.5}, Pointwise.binary(
                            Pointwise.Binary.ADD, x, y), tol);
                    assertValues(at + "sub", new double[] {-2.25, 2.75, -0.75, 1.5}, Pointwise.binary(
                            Pointwise.Binary.SUB, x, y), tol);
                    assertValues(at + "mul", new double[] {-1.125, 0.75, 0.625, 1}, Pointwise.binary(
                            Pointwise.Binary.MUL, x, y), tol);
                    assertValues(at + "div", new double[] {-2, 1 / 12.0, 0.4, 4}, Pointwise.binary(
                            Pointwise.Binary.DIV, x, y), tol);
                    // grad rules: relu passes g where the output is > 0; tanh g(1 - t²); sigmoid g s(1 - s)
                    assertValues(at + "relu grad", new double[] {0, 0, 1.25, 0.5}, Pointwise.binary(
                            Pointwise.Binary.RELU_GRAD, y, x), tol);
                    assertValues(at + "tanh grad", new double[] {0.75 * (1 - 2.25), -3 * (1 - 0.0625), 1.25 * 0.75,
                        0.5 * (1 - 4)}, Pointwise.binary(Pointwise.Binary.TANH_GRAD, y, x), tol);
                    assertValues(at + "sigmoid grad", new double[] {0.75 * -1.5 * 2.5, -3 * -0.25 * 1.25,
                        1.25 * 0.5 * 0.5, 0.5 * 2 * -1}, Pointwise.binary(Pointwise.Binary.SIGMOID_GRAD, y, x), tol);
                    assertValues(at + "pow", new double[] {2.25, 0.0625, 0.25, 4}, Pointwise.scalar(
                            Pointwise.Scalar.POW, x, 2), tol);
                    assertValues(at + "sum axis 0", new double[] {-1, 1.75}, Reduce.sum(x, false, 0), tol);
                    assertValues(at + "max axis 1", new double[] {-0.25, 2}, Reduce.max(x, false, 1), tol);
                    assertValues(at + "sumTo row", new double[] {-1, 1.75}, Reduce.sumTo(x, new long[] {1, 2}),
                            tol);
                    INDArray z = Copies.copy(y);
                    Products.axpy(2, NdArrays.create(new double[] {1, -1}, new long[] {2}, t), z);
                    assertValues(at + "axpy of a row", new double[] {2.75, -5, 3.25, -1.5}, z, tol);
                    assertValues(at + "gemm", new double[] {-1.125 - 0.3125, 4.5 - 0.125, 0.375 + 2.5, -1.5 + 1},
                            Products.gemm(x, y, false, false), tol);
                }
            }
        }
    }

    private static java.util.function.DoubleUnaryOperator expected(Pointwise.Unary op) {
        return switch (op) {
            case NEG -> a -> -a;
            case EXP -> Math::exp;
            case SIN -> Math::sin;
            case COS -> Math::cos;
            case ABS -> Math::abs;
            case SIGN -> Math::signum;
            case TANH -> Math::tanh;
            case SIGMOID -> a -> 1 / (1 + Math.exp(-a));
            case RELU -> a -> Math.max(a, 0);
            default -> throw new IllegalArgumentException(op.toString());
        };
    }

    private static double[] map(double[] v, java.util.function.DoubleUnaryOperator f, boolean abs) {
        return Arrays.stream(v).map(a -> f.applyAsDouble(abs ? Math.abs(a) : a)).toArray();
    }

    private static void assertValues(String what, double[] expected, INDArray actual, double tol) {
        double[] got = Copies.values(actual);
        assertEquals(expected.length, got.length, what);
        for (int i = 0; i < got.length; i++) {
            assertEquals(expected[i], got[i], tol * Math.max(1, Math.abs(expected[i])), what + " element " + i);
        }
    }

    /** Both paths sum all elements with the same interleaved partial sums, so check them against a plain loop. */
    @Test
    void sumOfAllElementsMatchesAPlainLoopAcrossChunksAndRemainders() {
        for (DataType t : new DataType[] {DataType.DOUBLE, DataType.FLOAT}) {
            for (long[] shape : new long[][] {{3}, {3, 4}, {33, 70}}) {
                INDArray x = RNG.uniform(t, -1, 2, shape);
                double expected = 0;
                for (double v : x.dup().data().asDouble()) {
                    expected += v;
                }
                int[] all = java.util.stream.IntStream.range(0, shape.length).toArray();
                double got = Reduce.sum(x, false, all).getDouble(0);
                assertEquals(expected, got, (t == DataType.DOUBLE ? 1e-12 : 1e-6) * Math.max(1, Math.abs(expected)),
                        "sum of all of " + t + " " + Arrays.toString(shape));
            }
        }
    }

    @Test
    void indexSelectCopiesBlocksAndIndexAddScattersThemBack() {
        for (DataType t : new DataType[] {DataType.DOUBLE, DataType.FLOAT}) {
            // x[i][j][k] = 100 i + 10 j + k, shape (2, 3, 2); entries 2, 0, 2 along axis 1
            double[] v = new double[12];
            for (int i = 0; i < 12; i++) {
                v[i] = 100 * (i / 6) + 10 * (i / 2 % 3) + i % 2;
            }
            INDArray x = NdArrays.create(v, new long[] {2, 3, 2}, t);
            long[] idx = {2, 0, 2};
            INDArray picked = Indexing.indexSelect(x, 1, idx);
            assertArrayEquals(new long[] {2, 3, 2}, picked.shape());
            assertArrayEquals(new double[] {20, 21, 0, 1, 20, 21, 120, 121, 100, 101, 120, 121},
                    picked.castTo(DataType.DOUBLE).data().asDouble(), 0.0, t + " select");
            assertArrayEquals(new long[] {2, 3, 2}, x.shape(), "the input keeps its shape");
            // rows of a transposed view, and repeated indices accumulating
            INDArray view = x.reshape(6, 2).transpose();
            assertArrayEquals(new double[] {1, 11, 21, 101, 111, 121, 0, 10, 20, 100, 110, 120},
                    Indexing.indexSelect(view, 0, new long[] {1, 0}).castTo(DataType.DOUBLE).data().asDouble(), 0.0,
                    t + " view");
            INDArray g = NdArrays.create(new double[] {1, 2, 3, 4, 5, 6}, new long[] {3, 2}, t);
            assertArrayEquals(new double[] {5, 6, 0, 0, 4, 6, 0, 0},
                    Indexing.indexAdd(g, 0, new long[] {2, 2, 0}, 4).castTo(DataType.DOUBLE).data().asDouble(), 0.0,
                    t + " scatter-add");
        }
        INDArray ints = Nd4j.createFromArray(new int[][] {{1, 2}, {3, 4}, {5, 6}});
        assertArrayEquals(new int[] {5, 6, 1, 2}, Indexing.indexSelect(ints, 0, new long[] {2, 0}).data().asInt());
    }

    /**
     * Blocks of every length in bytes the copy handles (an odd number of floats ends in a 4-byte move; doubles and
     * even floats in 8-byte ones; a block of 1), at every axis, against element-by-element loops, into pooled
     * arrays that held NaN.
     */
    @Test
    void indexSelectAndIndexAddMatchElementLoopsForEveryBlockLength() {
        Rng rng = new Rng(12);
        long[] idx = {3, 0, 3, 1, 4, 4, 2};
        for (DataType t : new DataType[] {DataType.DOUBLE, DataType.FLOAT}) {
            for (long[] shape : new long[][] {{5, 1}, {5, 3}, {5, 4}, {5, 7}, {2, 5, 3}, {2, 3, 5}}) {
                int axis = shape[0] == 5 ? 0 : shape[1] == 5 ? 1 : 2;
                INDArray x = rng.normal(t, shape);
                long[] pickedShape = shape.clone();
                pickedShape[axis] = idx.length;
                try (Scope dirty = Scope.open()) {
                    // the outputs come from the pool, with what arrays of their shapes held before
                    Scope.allocate(t, shape).assign(Double.NaN);
                    Scope.allocate(t, pickedShape).assign(Double.NaN);
                }
                INDArray picked = Indexing.indexSelect(x, axis, idx);
                INDArray g = rng.normal(t, picked.shape());
                INDArray added = Indexing.indexAdd(g, axis, idx, 5);
                INDArray wantAdded = Nd4j.zeros(t, shape);
                for (int j = 0; j < idx.length; j++) {
                    INDArray to = wantAdded.get(at(shape.length, axis, idx[j]));
                    to.addi(g.get(at(shape.length, axis, j)));
                    assertEquals(x.get(at(shape.length, axis, idx[j])), picked.get(at(shape.length, axis, j)),
                            t + " " + Arrays.toString(shape) + " select, index " + j);
                }
                assertEquals(0, wantAdded.sub(added).amaxNumber().doubleValue(), 1e-6,
                        t + " " + Arrays.toString(shape) + " scatter-add");
            }
        }
    }

    /** Index j along {@code axis} of an array of rank {@code rank}, all of the other axes. */
    private static org.nd4j.linalg.indexing.INDArrayIndex[] at(int rank, int axis, long j) {
        org.nd4j.linalg.indexing.INDArrayIndex[] ix = new org.nd4j.linalg.indexing.INDArrayIndex[rank];
        for (int i = 0; i < rank; i++) {
            ix[i] = i == axis ? NDArrayIndex.point(j) : NDArrayIndex.all();
        }
        return ix;
    }

    /**
     * The kernels write memory directly: an index outside the axis, or an array of another shape than the indices
     * were checked against, is refused with the op, the index and size or the shapes.
     */
    @Test
    void indexKernelsRefuseIndicesOutsideTheAxis() {
        INDArray x = Nd4j.create(DataType.FLOAT, 4, 3);
        for (long bad : new long[] {-1, 4, Long.MAX_VALUE}) {
            ShapeException select = assertThrows(ShapeException.class,
                    () -> Indexing.indexSelect(x, 0, new long[] {0, bad}));
            assertEquals("indexSelect: index " + bad + " is out of range for axis 0 of size 4", select.getMessage());
            ShapeException add = assertThrows(ShapeException.class,
                    () -> Indexing.indexAdd(x, 1, new long[] {0, 1, bad}, 4));
            assertEquals("indexAdd: index " + bad + " is out of range for axis 1 of size 4", add.getMessage());
        }
        ShapeException count = assertThrows(ShapeException.class, () -> Indexing.indexAdd(x, 0, new long[] {0, 1}, 2));
        assertEquals("indexAdd: an array of shape [4, 3] where its indices need [2, 3]", count.getMessage());
        Indexing.Picks rows = Indexing.picks("lookup", new long[] {4, 3}, 0, new long[] {3, 3});
        ShapeException other = assertThrows(ShapeException.class,
                () -> Indexing.indexSelect(Nd4j.create(DataType.FLOAT, 5, 3), rows));
        assertEquals("indexSelect: an array of shape [5, 3] where its indices need [4, 3]", other.getMessage());
        ShapeException axis = assertThrows(ShapeException.class, () -> Indexing.indexSelect(x, 2, new long[] {0}));
        assertEquals("indexSelect: axis 2 is out of range for rank 2 (expected -2 to 1)", axis.getMessage());
    }

    /**
     * Chunk.tanh, Cephes' method in Java, against fdlibm's (StrictMath.tanh, what Math.tanh calls in Java 17): within
     * 2 ulp in double and 1 ulp after rounding to float, with tanh's own signed zero, ±1 at the ends, and NaN kept.
     */
    @Test
    void tanhInJavaAgreesWithFdlibm() {
        Rng rng = new Rng(11);
        List<Double> xs = new ArrayList<>(List.of(0.0, -0.0, 1e-300, -1e-20, 1e-8, 0.3, 0.625, -0.625,
                Math.nextUp(0.625), 1.0, -3.0, 19.06, 22.0, 40.0, 400.0, -400.0, Double.MAX_VALUE,
                Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY));
        for (int i = 0; i < 200_000; i++) {
            xs.add((2 * rng.nextDouble() - 1) * Math.pow(10, rng.nextInt(5) - 3));
        }
        for (double x : xs) {
            double want = StrictMath.tanh(x);
            double got = Chunk.tanh(x);
            assertEquals(want, got, 2 * Math.ulp(want), "tanh(" + x + ")");
            assertEquals((float) want, (float) got, Math.ulp((float) want), "float tanh(" + x + ")");
            assertEquals(Math.copySign(1.0, want), Math.copySign(1.0, got), "sign of tanh(" + x + ")");
        }
        assertEquals(Double.NaN, Chunk.tanh(Double.NaN));
        INDArray x = Nd4j.createFromArray(new float[] {-2f, -0.5f, 0f, 0.1f, 3f});
        assertArrayEquals(new float[] {(float) Math.tanh(-2), (float) Math.tanh(-0.5), 0f, (float) Math.tanh(0.1),
            (float) Math.tanh(3)}, Pointwise.unary(Pointwise.Unary.TANH, x).data().asFloat(), 1e-7f, "the op's kernel");
    }

    @Test
    void valuesAndCrossEntropyReadRowsLongerThanAChunk() {
        for (DataType t : new DataType[] {DataType.DOUBLE, DataType.FLOAT}) {
            INDArray x = r(t, 2, 1500);
            assertArrayEquals(x.castTo(DataType.DOUBLE).data().asDouble(), Copies.values(x), 0.0);
            assertArrayEquals(x.transpose().dup().castTo(DataType.DOUBLE).data().asDouble(),
                    Copies.values(x.transpose()), 0.0, "a transposed view, read in its C order");
            INDArray probs = Scope.allocate(t, 2, 1500);
            double[] losses = Copies.values(Fused.crossEntropy(x, new int[] {1499, 3}, probs));
            double[] v = Copies.values(x);
            for (int i = 0; i < 2; i++) {
                double sum = 0;
                for (int j = 0; j < 1500; j++) {
                    sum += Math.exp(v[i * 1500 + j]);
                }
                int label = i == 0 ? 1499 : 3;
                assertEquals(Math.log(sum) - v[i * 1500 + label], losses[i], 1e-5, t + " row " + i);
                assertEquals(Math.exp(v[i * 1500 + 1200]) / sum, probs.getDouble(i, 1200), 1e-7, t + " probs");
            }
        }
        assertArrayEquals(new double[] {1, 2, 3}, Copies.values(Nd4j.createFromArray(1, 2, 3)), 0.0, "ints");
    }

    @Test
    void crossEntropySplitOverTheCoresMatchesPlainLoops() {
        for (DataType t : new DataType[] {DataType.DOUBLE, DataType.FLOAT}) {
            // 100 classes by 300 rows: 30,000 values, above ROWS_SPLIT; logits read through a transposed view
            int n = 300;
            int c = 100;
            try (Scope scope = Scope.open()) {
                INDArray x = r(t, c, n).muli(3).transpose();
                x.putScalar(7, 5, Double.NaN);
                int[] labels = new int[n];
                for (int i = 0; i < n; i++) {
                    labels[i] = (i * 37) % c;
                }
                INDArray g = r(t, 2, n).getRow(1);
                INDArray probs = Scope.allocate(t, n, c);
                double[] losses = Copies.values(Fused.crossEntropy(x, labels, probs));
                double[] grads = Copies.values(Fused.crossEntropyBackward(probs, labels, g));
                double[] v = x.castTo(DataType.DOUBLE).dup().data().asDouble();
                double[] gs = g.castTo(DataType.DOUBLE).dup().data().asDouble();
                double tol = t == DataType.DOUBLE ? 1e-12 : 1e-5;
                for (int i = 0; i < n; i++) {
                    double max = Double.NEGATIVE_INFINITY;
                    for (int j = 0; j < c; j++) {
                        max = Math.max(max, v[i * c + j]);
                    }
                    double sum = 0;
                    for (int j = 0; j < c; j++) {
                        sum += Math.exp(v[i * c + j] - max);
                    }
                    assertEquals(Math.log(sum) - (v[i * c + labels[i]] - max), losses[i], tol, t + " loss " + i);
                    for (int j = 0; j < c; j++) {
                        double p = Math.exp(v[i * c + j] - max) / sum;
                        assertEquals(p, probs.getDouble(i, j), tol, t + " probs " + i + "," + j);
                        assertEquals((p - (j == labels[i] ? 1 : 0)) * gs[i], grads[i * c + j], tol,
                                t + " gradient " + i + "," + j);
                    }
                }
                assertTrue(Double.isNaN(losses[7]), "a NaN logit makes its row's loss NaN");
                assertFalse(Double.isNaN(losses[6]) || Double.isNaN(losses[8]), "and no other row's");
            }
        }
    }

    @Test
    void aPassUpdatesInTheArraysOwnPrecisionAndCopiesViewsBack() {
        for (DataType t : new DataType[] {DataType.DOUBLE, DataType.FLOAT}) {
            // 3,000 elements: chunks of 1,024 and a partial one; p ← p + 0.5·g·h, g read only
            INDArray p = r(t, 3, 1000);
            INDArray g = r(t, 3, 1000);
            INDArray h = r(t, 3, 1000);
            INDArray expected = p.castTo(DataType.DOUBLE).add(g.castTo(DataType.DOUBLE).mul(h.castTo(DataType.DOUBLE))
                    .mul(0.5));
            INDArray gBefore = g.dup();
            Fused.pass(1, c -> c[0].addcmul(0.5, c[1], c[2]), p, g, h);
            assertArrayEquals(expected.data().asDouble(), p.castTo(DataType.DOUBLE).data().asDouble(),
                    t == DataType.DOUBLE ? 1e-14 : 1e-6, t + " values");
            assertArrayEquals(gBefore.data().asDouble(), g.data().asDouble(), 0.0, "read-only arrays are unchanged");
            INDArray base = r(t, 4, 5);
            INDArray column = base.getColumn(2, true);
            INDArray expectedColumn = column.castTo(DataType.DOUBLE).mul(3);
            Fused.pass(1, c -> c[0].scale(3), column);
            assertArrayEquals(expectedColumn.data().asDouble(), base.getColumn(2, true).castTo(DataType.DOUBLE).dup()
                    .data().asDouble(), 1e-6, t + " a view is written back");
        }
        assertThrows(ShapeException.class, () -> Fused.pass(1, c -> { }, r(DataType.FLOAT, 2), r(DataType.DOUBLE,
                2)));
    }

    @Test
    void aLargeReshapeOfATransposedViewIsAPooledCopyAndOfAReshapeableViewAView() {
        for (DataType t : new DataType[] {DataType.DOUBLE, DataType.FLOAT}) {
            INDArray x = r(t, 60, 70); // 4,200 elements: past the Java path
            INDArray transposed = x.permute(1, 0);
            double[] expected = transposed.dup('c').castTo(DataType.DOUBLE).data().asDouble();
            ArrayPool.clear();
            for (int step = 0; step < 3; step++) {
                try (Scope s = Scope.open()) {
                    INDArray y = Copies.reshape(transposed, new long[] {10, 420});
                    assertArrayEquals(new long[] {10, 420}, y.shape());
                    assertArrayEquals(expected, y.castTo(DataType.DOUBLE).data().asDouble(), 0.0, t + " C order");
                    assertTrue(s.owns(y), "owned by the open scope: from the pool, not ND4J's allocator");
                }
            }
            assertEquals(2, ArrayPool.stats().misses(), t + ": the copy and the result, made once, then reused");
            INDArray rows = x.get(NDArrayIndex.interval(10, 50), NDArrayIndex.all()); // contiguous, at an offset
            INDArray view = Copies.reshape(rows, new long[] {70, 40});
            assertEquals(x.getDouble(49, 69), view.getDouble(69, 39), 0.0);
            view.putScalar(0, 0, 42);
            assertEquals(42, x.getDouble(10, 0), 0.0, t + ": a view of the same memory");
        }
    }

    @Test
    void theCopiesOfViewsThatIndexingAndPassesReadGoBackToThePoolWithNoScopeOpen() {
        long[] ids = {2, 0, 2};
        for (DataType t : new DataType[] {DataType.DOUBLE, DataType.FLOAT}) {
            INDArray table = r(t, 4, 5).transpose(); // (5, 4), not plain
            ArrayPool.clear();
            INDArray picked = Indexing.indexSelect(table, 0, ids);
            assertEquals(1, ArrayPool.stats().arrays(), t + ": indexSelect's copy of the table");
            assertArrayEquals(table.getRow(2).castTo(DataType.DOUBLE).toDoubleVector(),
                    picked.getRow(2).castTo(DataType.DOUBLE).toDoubleVector(), 0.0);
            INDArray g = r(t, 4, 3).transpose(); // (3, 4), not plain
            ArrayPool.clear();
            INDArray summed = Indexing.indexAdd(g, 0, ids, 5);
            assertEquals(1, ArrayPool.stats().arrays(), t + ": indexAdd's copy of the gradient");
            assertArrayEquals(g.getRow(0).add(g.getRow(2)).castTo(DataType.DOUBLE).toDoubleVector(),
                    summed.getRow(2).castTo(DataType.DOUBLE).toDoubleVector(), 1e-6);
            INDArray base = r(t, 4, 5);
            INDArray column = base.getColumn(1, true);
            double[] doubled = column.castTo(DataType.DOUBLE).mul(2).dup().data().asDouble();
            ArrayPool.clear();
            Fused.pass(1, c -> c[0].scale(2), column);
            assertEquals(1, ArrayPool.stats().arrays(), t + ": the pass's copy of the column");
            assertArrayEquals(doubled, base.getColumn(1, true).castTo(DataType.DOUBLE).dup().data().asDouble(),
                    1e-6);
        }
        ArrayPool.clear();
    }

    /** The kernel gives the same shape and, to the dtype's rounding, the same values on both paths. */
    private static void agree(DataType t, String what, Supplier<INDArray> kernel) {
        INDArray viaJava;
        INDArray viaNd4j;
        try (Restore k = Kernels.use(Kernels.Path.JAVA)) {
            viaJava = kernel.get();
        }
        try (Restore k = Kernels.use(Kernels.Path.ND4J)) {
            viaNd4j = kernel.get();
        }
        assertArrayEquals(viaNd4j.shape(), viaJava.shape(), what + ": shapes");
        assertEquals(t, viaJava.dataType(), what);
        double tol = t == DataType.DOUBLE ? 1e-12 : 2e-6;
        double[] a = viaNd4j.dup().data().asDouble();
        double[] b = viaJava.dup().data().asDouble();
        for (int i = 0; i < a.length; i++) {
            assertEquals(a[i], b[i], tol * Math.max(1, Math.abs(a[i])), what + " " + t + " element " + i);
        }
    }

    /** |x| without going through the kernels under test. */
    private static final class Transforms2 {
        static INDArray abs(INDArray x) {
            return org.nd4j.linalg.ops.transforms.Transforms.abs(x, true).add(0.1);
        }
    }
}
