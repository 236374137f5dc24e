package ndgrad.core.kernels;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import ndgrad.core.NdArrays;
import ndgrad.core.Shapes;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/** Views of views read the elements they stand for, and empty arrays pass through the kernels. */
class PointwiseAndCopiesTest {
    /**
     * Random chains of four slices and permutations of C- and F-order arrays, each link checked against the position
     * it must read, counted by hand: ND4J's own interval index returned arrays with no buffer, or empty ones, for a
     * slice of a slice.
     */
    @Test
    void slicesAndPermutationsOfViewsReadTheirOwnElements() {
        Random r = new Random(1);
        int checked = 0;
        for (int trial = 0; trial < 400; trial++) {
            int rank = 1 + r.nextInt(3);
            long[] shape = new long[rank];
            for (int d = 0; d < rank; d++) {
                shape[d] = 1 + r.nextInt(4);
            }
            double[] positions = new double[(int) Shapes.numel(shape)];
            for (int i = 0; i < positions.length; i++) {
                positions[i] = i;
            }
            INDArray x = NdArrays.create(positions, shape, DataType.DOUBLE);
            if (r.nextBoolean()) {
                x = x.dup('f');
            }
            long[] stride = new long[rank];
            for (int d = rank - 1, s = 1; d >= 0; s *= (int) shape[d], d--) {
                stride[d] = s;
            }
            long offset = 0;
            long[] now = shape.clone();
            for (int step = 0; step < 4; step++) {
                if (r.nextBoolean()) {
                    int axis = r.nextInt(rank);
                    long start = r.nextInt((int) now[axis]);
                    long end = start + 1 + r.nextInt((int) (now[axis] - start));
                    x = Copies.slice(x, axis, start, end);
                    offset += start * stride[axis];
                    now[axis] = end - start;
                } else {
                    List<Integer> order = new ArrayList<>();
                    for (int d = 0; d < rank; d++) {
                        order.add(d);
                    }
                    Collections.shuffle(order, r);
                    int[] dims = order.stream().mapToInt(Integer::intValue).toArray();
                    x = Copies.permute(x, dims);
                    long[] s2 = new long[rank];
                    long[] st2 = new long[rank];
                    for (int d = 0; d < rank; d++) {
                        s2[d] = now[dims[d]];
                        st2[d] = stride[dims[d]];
                    }
                    now = s2;
                    stride = st2;
                }
                double[] got = Copies.values(x);
                long[] index = new long[rank];
                for (int i = 0; i < got.length; i++) {
                    long rest = i;
                    long at = offset;
                    for (int d = rank - 1; d >= 0; d--) {
                        index[d] = rest % now[d];
                        rest /= now[d];
                        at += index[d] * stride[d];
                    }
                    assertEquals(at, got[i], "trial " + trial + " step " + step + " element " + i);
                    checked++;
                }
            }
        }
        assertEquals(true, checked > 1000, "checked " + checked);
    }

    @Test
    void anEmptySliceAndAnEmptyArrayPassThroughTheKernels() {
        INDArray x = NdArrays.create(new double[] {1, 2, 3, 4, 5, 6}, new long[] {2, 3}, DataType.DOUBLE);
        INDArray empty = Copies.slice(x, 1, 2, 2);
        assertArrayEquals(new long[] {2, 0}, empty.shape());
        assertEquals(0, Copies.values(empty).length);
        assertEquals(0, Pointwise.binary(Pointwise.Binary.ADD, empty, empty).length());
        assertEquals(0, Copies.values(Pointwise.unary(Pointwise.Unary.EXP, empty)).length);
        INDArray padded = Copies.pad(empty, 1, 1, 2);
        assertArrayEquals(new double[6], Copies.values(padded));
    }
}
