package ndgrad.teaching;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ndgrad.autograd.Tensor;
import org.junit.jupiter.api.Test;

/**
 * Coordinates worked out by hand from the layout's rules: margins 12, layers 56 apart and each as wide as its widest
 * node (narrower ones centred), nodes stacked 18 apart, then each pulled to the mean centre of its neighbours and
 * the overlaps pushed apart (down, then up, averaged); routes leave a source's right middle and reach a target's left
 * middle.
 */
class LayoutTest {
    /** 0 (20 × 10) → 1 (30 × 20): node 0 is pulled to node 1's centre, 22. */
    @Test
    void aChainOfTwo() {
        Layout l = Layout.of(new double[] {20, 30}, new double[] {10, 20}, new int[][] {{0, 1}});
        assertEquals(12, l.x(0));
        assertEquals(17, l.y(0), "centred on node 1: 22 - 10/2");
        assertEquals(12 + 20 + 56, l.x(1));
        assertEquals(12, l.y(1));
        assertEquals(88 + 30 + 12, l.width());
        assertEquals(12 + 20 + 12, l.height());
        assertArrayEquals(new double[][] {{32, 22}, {88, 22}}, l.route(0));
        assertArrayEquals(new int[] {0, 1}, l.edge(0));
    }

    /**
     * Two sources (10 × 10 and 20 × 10) into one node (10 × 40): both want 27, the first is pushed up to 13 and the
     * second down to 41 (their mean of pushing down and pushing up), and the target sits at their mean centre.
     */
    @Test
    void twoSourcesIntoATallerNode() {
        Layout l = Layout.of(new double[] {10, 20, 10}, new double[] {10, 10, 40}, new int[][] {{0, 2}, {1, 2}});
        assertEquals(17, l.x(0), "centred in a layer 20 wide");
        assertEquals(12, l.x(1));
        assertEquals(12 + 20 + 56, l.x(2));
        assertEquals(13, l.y(0));
        assertEquals(41, l.y(1));
        assertEquals(12, l.y(2));
        assertEquals(88 + 10 + 12, l.width());
        assertEquals(12 + 40 + 12, l.height());
        assertArrayEquals(new double[][] {{27, 18}, {88, 32}}, l.route(0));
        assertArrayEquals(new double[][] {{32, 46}, {88, 32}}, l.route(1));
    }

    /** A source whose only consumer sits two layers on moves to the layer just before it. */
    @Test
    void aLateSourceMovesNextToItsConsumer() {
        Layout l = Layout.of(new double[] {10, 10, 10, 10}, new double[] {10, 10, 10, 10},
                new int[][] {{0, 1}, {1, 2}, {3, 2}});
        assertEquals(12, l.x(0));
        assertEquals(12 + 10 + 56, l.x(1));
        assertEquals(l.x(1), l.x(3), "node 3 joins node 1's layer");
        assertEquals(78 + 10 + 56, l.x(2));
        assertEquals(2, l.route(2).length, "no dummy node: the edge spans one layer");
    }

    /** An edge over two layers passes a dummy node in between: a zero-size point in the middle layer. */
    @Test
    void aLongEdgePassesADummyNode() {
        Layout l = Layout.of(new double[] {10, 10, 10}, new double[] {10, 10, 10},
                new int[][] {{0, 1}, {1, 2}, {0, 2}});
        double[][] r = l.route(2);
        assertEquals(3, r.length);
        assertEquals(l.x(0) + 10, r[0][0]);
        assertEquals(12 + 10 + 56 + 5, r[1][0], "the dummy sits centred in layer 1, which is 10 wide");
        assertEquals(l.x(2), r[2][0]);
        assertEquals(l.y(2) + 5, r[2][1]);
    }

    /**
     * a → d and b → c with a, b and c, d in input order cross; the downward sweep orders the second layer by its
     * sources' positions (d under a, c under b): no crossing, and each node level with its source.
     */
    @Test
    void aCrossingIsUndoneByTheBarycenterSweep() {
        Layout l = Layout.of(new double[] {10, 10, 10, 10}, new double[] {10, 10, 10, 10},
                new int[][] {{0, 3}, {1, 2}});
        assertEquals(12, l.y(0));
        assertEquals(40, l.y(1), "12 + 10 + 18");
        assertEquals(12, l.y(3), "d level with a");
        assertEquals(40, l.y(2), "c level with b");
        assertEquals(12 + 10 + 56, l.x(2));
    }

    /**
     * Four sources into two targets, listed so that their edges cross (0 → 2, 1 → 3, 4 → 3, 5 → 2): ordered by their
     * targets, the sources of 2 come above those of 3, and 2 sits centred on its two sources.
     */
    @Test
    void sourcesAreOrderedByTheirTargets() {
        Layout l = Layout.of(new double[] {10, 10, 10, 10, 10, 10}, new double[] {10, 10, 10, 10, 10, 10},
                new int[][] {{0, 2}, {1, 3}, {4, 3}, {5, 2}});
        assertTrue(l.y(2) < l.y(3), "the targets keep their order");
        assertTrue(l.y(0) < l.y(1) && l.y(5) < l.y(4), "the sources of 2 above the sources of 3");
        assertTrue(Math.abs(l.y(2) + 5 - (l.y(0) + l.y(5) + 10) / 2) < 1e-9, "2 centred on its two sources");
    }

    @Test
    void aGraphViewLabelsATensorOutsideItsGraphByNameOrQuestionMark() {
        GraphView view = GraphView.of(Tensor.of(1.0).requiresGrad().mul(2));
        assertEquals("w", view.label(Tensor.of(1.0).named("w")));
        assertEquals("?", view.label(Tensor.of(1.0)));
    }
}
