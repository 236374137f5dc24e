package ndgrad.core.memory;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

class ArrayPoolTest {
    @BeforeEach
    @AfterEach
    void emptyPool() {
        ArrayPool.setLimitBytes(256L << 20);
        ArrayPool.clear();
    }

    @Test
    void aRepeatedLoopReusesItsArraysAfterTheFirstStep() {
        INDArray[] first = new INDArray[2];
        try (Scope s = Scope.open()) {
            first[0] = Scope.allocate(DataType.FLOAT, 3, 4);
            first[1] = Scope.allocate(DataType.DOUBLE, 3, 4);
        }
        assertEquals(new ArrayPool.Stats(2, 3 * 4 * 4 + 3 * 4 * 8 + 2 * ArrayPool.OVERHEAD_BYTES, 0, 2),
                ArrayPool.stats(), "each array's data, plus the charge per array");
        for (int step = 0; step < 3; step++) {
            try (Scope s = Scope.open()) {
                INDArray b = Scope.allocate(DataType.DOUBLE, 3, 4);
                INDArray a = Scope.allocate(DataType.FLOAT, 3, 4);
                assertSame(first[0], a);
                assertSame(first[1], b);
                assertTrue(s.owns(a) && s.owns(b));
                assertNotSame(a, Scope.allocate(DataType.FLOAT, 4, 3), "another shape is another array");
            }
        }
        ArrayPool.Stats st = ArrayPool.stats();
        assertEquals(8, st.hits(), "two arrays in each of three steps, the (4, 3) one in two");
        assertEquals(3, st.misses(), "two arrays at the start, one (4, 3) array in the first loop step");
        assertEquals(3, st.arrays());
        assertFalse(first[0].wasClosed());
        ArrayPool.clear();
        assertTrue(first[0].wasClosed() && first[1].wasClosed());
        assertEquals(new ArrayPool.Stats(0, 0, 0, 0), ArrayPool.stats());
    }

    @Test
    void theLeaseChangesWhenTheScopeLetsGoAndKeptArraysLeaveThePool() {
        INDArray kept;
        Scope.Lease owned;
        Scope.Lease keptLease;
        int generation;
        try (Scope s = Scope.open()) {
            INDArray a = Scope.allocate(DataType.FLOAT, 5);
            owned = Scope.lease(a);
            generation = owned.generation();
            kept = Scope.keep(Scope.allocate(DataType.FLOAT, 6));
            keptLease = Scope.lease(kept);
            assertSame(owned, Scope.lease(a.reshape(1, 5)), "a view shares the lease of the array it looks into");
        }
        assertNull(keptLease, "kept with no enclosing scope: nobody owns it");
        assertEquals(generation + 1, owned.generation());
        assertEquals(1, ArrayPool.stats().arrays(), "the kept array is not pooled");
        try (Scope s = Scope.open()) {
            assertNotSame(kept, Scope.allocate(DataType.FLOAT, 6));
        }
    }

    /** The bound counts each array as its data plus a fixed charge, so it bounds the count of tiny arrays too. */
    @Test
    void theBoundIsKeptAndZeroTurnsPoolingOff() throws Throwable {
        onANewThread(ArrayPoolTest::boundIsKept);
    }

    private static void boundIsKept() {
        ArrayPool.setLimitBytes(100 + 2 * ArrayPool.OVERHEAD_BYTES - 1);
        INDArray small;
        INDArray big;
        try (Scope s = Scope.open()) {
            small = Scope.allocate(DataType.FLOAT, 20);
            big = Scope.allocate(DataType.FLOAT, 30);
        }
        assertEquals(1, ArrayPool.stats().arrays());
        assertTrue(big.wasClosed() ^ small.wasClosed(), "only one of 80 and 120 bytes (with their charges) fits");
        ArrayPool.clear();
        ArrayPool.setLimitBytes(10 * ArrayPool.OVERHEAD_BYTES + 40);
        try (Scope s = Scope.open()) {
            for (int i = 0; i < 20; i++) {
                Scope.allocate(DataType.FLOAT);
            }
        }
        assertEquals(10, ArrayPool.stats().arrays(), "twenty scalars, 80 bytes of data: the charge keeps ten");
        ArrayPool.setLimitBytes(0);
        assertEquals(0, ArrayPool.stats().arrays());
        assertTrue(small.wasClosed() && big.wasClosed());
        assertThrows(IllegalArgumentException.class, () -> ArrayPool.setLimitBytes(-1));
    }

    /**
     * A growing bound follows the working set: an array closed for lack of room and asked for again grows the bound
     * by its size, so the loop's next pass finds both of its arrays; a fixed bound keeps closing one of them.
     */
    @Test
    void aGrowingBoundTakesInTheArraysALoopKeepsAskingFor() throws Throwable {
        onANewThread(ArrayPoolTest::growingBound);
    }

    private static void growingBound() {
        for (boolean growing : new boolean[] {true, false}) {
            ArrayPool.clear();
            ArrayPool.setLimitBytes(400 + ArrayPool.OVERHEAD_BYTES, growing);
            for (int pass = 0; pass < 3; pass++) {
                try (Scope s = Scope.open()) {
                    Scope.allocate(DataType.FLOAT, 100);
                    Scope.allocate(DataType.FLOAT, 10, 10);
                }
            }
            ArrayPool.Stats st = ArrayPool.stats();
            if (growing) {
                assertEquals(2, st.arrays(), "both arrays kept once the bound grew");
                assertEquals(3, st.hits(), "pass 2 found one array, pass 3 both");
            } else {
                assertEquals(1, st.arrays());
                assertEquals(2, st.hits(), "one hit per pass after the first, the other array closed each time");
            }
        }
    }

    /**
     * A request the pool misses, for a dtype and shape whose floating arrays were dropped since the last such
     * collection, asks for one and takes them back (on a new thread: a recycler of its own, none of its 32 MiB of
     * misses spent, no collection spacing it); a shape with nothing out asks for none.
     */
    @Test
    void aMissForAShapeWhoseDroppedArraysAreOutTakesThemBackFirst() throws Throwable {
        onANewThread(() -> {
            long[] shape = {517, 2053};
            long bytes = 64L << 20;
            assertFalse(Recycler.reclaim(new ArrayPool.Key(DataType.FLOAT, new long[] {3, 5, 7}), bytes),
                    "nothing of that shape was out");
            INDArray dropped = dropFloating(shape);
            assertTrue(Recycler.reclaim(new ArrayPool.Key(DataType.FLOAT, shape), bytes),
                    "the dropped array came back");
            assertSame(dropped, ArrayPool.take(DataType.FLOAT, shape), "and the pool served it");
        });
    }

    /**
     * Runs {@code body} on a thread of its own, whose pool holds only what the body gives back: on this one, arrays
     * that earlier tests dropped come back whenever a collection (anyone's) has found them.
     */
    private static void onANewThread(Runnable body) throws Throwable {
        AtomicReference<Throwable> failed = new AtomicReference<>();
        Thread t = new Thread(() -> {
            try {
                body.run();
            } catch (Throwable e) {
                failed.set(e);
            }
        });
        t.start();
        t.join();
        if (failed.get() != null) {
            throw failed.get();
        }
    }

    /** A new floating array of {@code shape}, watched; only the raw array outlives the call. */
    private static INDArray dropFloating(long[] shape) {
        return Storage.value(Scope.allocate(DataType.FLOAT, shape)).array();
    }

    @Test
    void eachThreadHasItsOwnPool() throws InterruptedException {
        INDArray mine;
        try (Scope s = Scope.open()) {
            mine = Scope.allocate(DataType.FLOAT, 7);
        }
        AtomicReference<INDArray> theirs = new AtomicReference<>();
        Thread t = new Thread(() -> {
            try (Scope s = Scope.open()) {
                theirs.set(Scope.allocate(DataType.FLOAT, 7));
            }
            ArrayPool.clear();
        });
        t.start();
        t.join();
        assertNotSame(mine, theirs.get());
        assertTrue(theirs.get().wasClosed());
        assertFalse(mine.wasClosed());
        try (Scope s = Scope.open()) {
            assertSame(mine, Scope.allocate(DataType.FLOAT, 7));
        }
    }

    @Test
    void anEndedThreadsPoolIsClosedWhenAnotherThreadMakesOneAndItsLimitWasItsOwn() throws InterruptedException {
        AtomicReference<INDArray> theirs = new AtomicReference<>();
        Thread t = new Thread(() -> {
            ArrayPool.setLimitBytes((1 << 10) + ArrayPool.OVERHEAD_BYTES);
            try (Scope s = Scope.open()) {
                theirs.set(Scope.allocate(DataType.FLOAT, 9));
            }
        });
        t.start();
        t.join();
        assertFalse(theirs.get().wasClosed(), "pooled by its thread");
        AtomicReference<INDArray> big = new AtomicReference<>();
        Thread next = new Thread(() -> {
            try (Scope s = Scope.open()) {
                big.set(Scope.allocate(DataType.FLOAT, 4096));
            }
        });
        next.start();
        next.join();
        assertTrue(theirs.get().wasClosed(), "closed once its thread ended and another thread made a pool");
        assertFalse(big.get().wasClosed(), "16 KB is pooled by the new thread: the 1 KB limit was the other's");
        assertEquals(256L << 20, ArrayPool.LIMIT_BYTES);
    }

    @Test
    void withNoScopeOpenArraysFloatUntilAGraphRetiresThemAndComeBackOneRetirementLater() {
        Scope.retire(List.of(), List.of());
        INDArray a = Scope.allocate(DataType.DOUBLE, 2, 2);
        assertNull(Scope.lease(a), "no scope owns it");
        assertEquals(1, ArrayPool.stats().misses());
        Scope.Lease floating = Scope.adopt(a);
        assertTrue(floating.floating());
        INDArray b = Scope.allocate(DataType.DOUBLE, 2, 2);
        Scope.Lease pinned = Scope.adopt(b);
        pinned.pin();
        int generation = floating.generation();
        Scope.retire(List.of(floating, pinned), List.of());
        assertEquals(generation, floating.generation(), "still readable until the next retirement");
        assertEquals(0, ArrayPool.stats().arrays());
        Scope.retire(List.of(), List.of());
        assertEquals(generation + 1, floating.generation(), "let go at the next retirement");
        assertEquals(generation, pinned.generation(), "a pinned array is never let go");
        assertEquals(1, ArrayPool.stats().arrays());
        assertSame(a, Scope.allocate(DataType.DOUBLE, 2, 2), "the pool hands it out again");
        try (Scope s = Scope.open()) {
            INDArray owned = Scope.allocate(DataType.DOUBLE, 3);
            assertFalse(Scope.adopt(owned).floating(), "a scope's array keeps its scope's lease");
        }
    }

    @Test
    void aStepsInputsGoBackWhenTheNextGraphReplacesThemAndStayWhenItUsesThemAgain() {
        Scope.retire(List.of(), List.of());
        Scope.Lease batch = Scope.adopt(Scope.allocate(DataType.FLOAT, 5));
        Scope.Lease constant = Scope.adopt(Scope.allocate(DataType.FLOAT, 6));
        Scope.retire(List.of(), List.of(batch, constant));
        Scope.Lease nextBatch = Scope.adopt(Scope.allocate(DataType.FLOAT, 5));
        Scope.retire(List.of(), List.of(nextBatch, constant));
        assertEquals(1, batch.generation(), "the batch went back: the next graph took another of its kind");
        assertEquals(0, constant.generation(), "the input the next graph used again stays");
        Scope.retire(List.of(), List.of());
        Scope.retire(List.of(), List.of());
        assertEquals(0, constant.generation(), "and stays for good");
        assertEquals(0, nextBatch.generation(), "not replaced: left to the collector");
        Scope.Lease old = Scope.adopt(Scope.allocate(DataType.FLOAT, 7));
        Scope.retire(List.of(), List.of());
        Scope.retire(List.of(), List.of(old));
        Scope.retire(List.of(), List.of());
        assertEquals(0, old.generation(), "an input made before the step's previous retirement is not the step's");
    }
}
