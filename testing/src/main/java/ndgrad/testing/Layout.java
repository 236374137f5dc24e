package ndgrad.testing;

import java.util.Arrays;
import ndgrad.core.NdArrays;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.INDArrayIndex;
import org.nd4j.linalg.indexing.NDArrayIndex;

/**
 * How the battery lays an input out in memory: C order (what ndgrad makes), or one of the layouts ND4J arrays that
 * users hand in can have: column-major, a slice of a larger array (an offset and a longer row), every other
 * element, or expanded (stride 0 along a dimension, as {@code torch.expand} makes).
 */
enum Layout {
    CONTIGUOUS("contiguous"),
    /** Column-major for rank 2 and more, every other element of a larger array for rank 1, an offset for rank 0. */
    COLUMN_MAJOR("column-major or strided"),
    /** The last dimension read from [1, n + 1) of n + 2: an offset and rows longer than they are read. */
    SLICED("sliced"),
    /** Stride 0 along the first dimension larger than 1: every slice along it is the same memory. */
    EXPANDED("expanded");

    private final String title;

    Layout(String title) {
        this.title = title;
    }

    String title() {
        return title;
    }

    /** Whether the layout applies to a shape (expanded needs a dimension larger than 1). */
    boolean appliesTo(long[] shape) {
        return this != EXPANDED || expandedAxis(shape) >= 0;
    }

    /**
     * The values an input of this layout holds: for {@link #EXPANDED}, the slices along the expanded dimension all
     * made equal to the first, since they are one memory; else the values themselves.
     */
    double[] values(double[] v, long[] shape) {
        int axis = expandedAxis(shape);
        if (this != EXPANDED || axis < 0) {
            return v;
        }
        long inner = 1;
        for (int d = axis + 1; d < shape.length; d++) {
            inner *= shape[d];
        }
        double[] out = v.clone();
        long[] index = new long[shape.length];
        for (int i = 0; i < out.length; i++) {
            Nd.unravel(i, shape, index);
            out[i] = v[(int) (i - index[axis] * inner)];
        }
        return out;
    }

    /** An array of this layout holding {@code v} (as {@link #values} made them) in C order. */
    INDArray array(double[] v, long[] shape, DataType type) {
        INDArray c = NdArrays.create(values(v, shape), shape, type);
        return switch (this) {
            case CONTIGUOUS -> c;
            case COLUMN_MAJOR -> shape.length >= 2 ? filled(Nd4j.create(type, shape, 'f'), c)
                    : shape.length == 1 ? filled(Nd4j.create(type, new long[] {shape[0], 2}, 'c').get(
                            NDArrayIndex.all(), NDArrayIndex.point(0)), c)
                    : filled(Nd4j.create(type, 2).get(NDArrayIndex.point(1)), c);
            case SLICED -> {
                if (shape.length == 0) {
                    yield filled(Nd4j.create(type, 3).get(NDArrayIndex.point(2)), c);
                }
                long[] wider = shape.clone();
                wider[wider.length - 1] += 2;
                INDArrayIndex[] at = new INDArrayIndex[shape.length];
                Arrays.fill(at, NDArrayIndex.all());
                at[at.length - 1] = NDArrayIndex.interval(1, shape[shape.length - 1] + 1);
                yield filled(Nd4j.create(type, wider, 'c').get(at), c);
            }
            case EXPANDED -> {
                int axis = expandedAxis(shape);
                long[] stride = c.stride().clone();
                stride[axis] = 0;
                yield Nd4j.create(c.data(), shape, stride, c.offset(), 'c');
            }
        };
    }

    private static INDArray filled(INDArray view, INDArray values) {
        view.assign(values);
        return view;
    }

    private static int expandedAxis(long[] shape) {
        for (int d = 0; d < shape.length; d++) {
            if (shape[d] > 1) {
                return d;
            }
        }
        return -1;
    }
}
