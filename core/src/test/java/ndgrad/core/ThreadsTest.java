package ndgrad.core;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.atomic.AtomicReference;
import org.bytedeco.openblas.global.openblas_nolapack;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/** ndgrad's thread policy: set in code, and large products split in a way that never changes their results. */
class ThreadsTest {
    @Test
    void theLibrarySetsNd4jAndOpenBlasThreadsItself() {
        Threads.init();
        // surefire passes no OMP_NUM_THREADS; ND4J would default to the number of cores
        assertEquals(1, Threads.nativeCount());
        assertEquals(1, Nd4j.getEnvironment().maxMasterThreads());
        assertEquals(1, openblas_nolapack.blas_get_num_threads());
        assertEquals(Runtime.getRuntime().availableProcessors(), Threads.count());
    }

    @Test
    void aSplitProductIsTheSameWhetherTheWorkersRunItsPartsOrTheCallerDoes() {
        Rng rng = new Rng(3);
        for (DataType t : new DataType[] {DataType.FLOAT, DataType.DOUBLE}) {
            // 2^25 multiply-adds and more are split; rows or columns, transposed or not
            long[][] shapes = {{400, 600, 150, 0, 1}, {150, 600, 400, 1, 0}, {140, 800, 320, 0, 0},
                {601, 140, 500, 1, 1}};
            for (long[] s : shapes) {
                assertTrue(s[0] * s[1] * s[2] >= Kernels.SPLIT_LIMIT);
                boolean ta = s[3] == 1;
                boolean tb = s[4] == 1;
                INDArray a = ta ? rng.normal(t, s[2], s[0]) : rng.normal(t, s[0], s[2]);
                INDArray b = tb ? rng.normal(t, s[1], s[2]) : rng.normal(t, s[2], s[1]);
                INDArray free = Kernels.gemm(a, b, ta, tb);
                AtomicReference<INDArray> held = new AtomicReference<>();
                // inside a parallel body the workers are taken, so the nested product runs all its parts here
                Threads.parallel(Math.min(2, Threads.count()), part -> {
                    if (part == 0) {
                        held.set(Kernels.gemm(a, b, ta, tb));
                    }
                });
                assertArrayEquals(free.data().asDouble(), held.get().data().asDouble(), 0.0,
                        t + " " + java.util.Arrays.toString(s));
                INDArray reference = Nd4j.gemm(a.castTo(DataType.DOUBLE), b.castTo(DataType.DOUBLE), ta, tb);
                assertArrayEquals(reference.data().asDouble(), free.castTo(DataType.DOUBLE).data().asDouble(),
                        t == DataType.FLOAT ? 1e-3 : 1e-10, "the split product's values");
            }
        }
    }

    @Test
    void aFailingPartIsRethrownToTheCaller() {
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> Threads.parallel(Threads.count(),
                part -> {
                    if (part == Threads.count() - 1) {
                        throw new IllegalStateException("part " + part + " failed");
                    }
                }));
        assertEquals("part " + (Threads.count() - 1) + " failed", e.getMessage());
        int[] ran = new int[Threads.count()];
        Threads.parallel(Threads.count(), part -> ran[part]++);
        assertArrayEquals(java.util.stream.IntStream.generate(() -> 1).limit(ran.length).toArray(), ran,
                "the workers keep serving after a failure");
    }
}
