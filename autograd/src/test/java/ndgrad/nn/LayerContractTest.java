package ndgrad.nn;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import ndgrad.autograd.Autograd;
import ndgrad.autograd.Tensor;
import ndgrad.core.Rng;
import org.junit.jupiter.api.Test;

/**
 * What Layer promises every subclass, as nn.Module does: fields, lists and arrays of layers and leaf parameters are
 * registered by field name in declaration order (a superclass's first); explicit registration takes another name;
 * train() and eval() reach every descendant; a registered parameter is a leaf that requires grad, detached from the
 * graph that made it; state lists parameters, then buffers, then children's.
 */
class LayerContractTest {
    /** A block with a layer field, a list and an array of layers, a parameter field and a non-parameter tensor. */
    static class Block extends Layer {
        final Linear head = new Linear(2, 3, new Rng(1));
        final List<Layer> body = List.of(new Dropout(0.5, new Rng(2)), new Linear(3, 3, new Rng(3)));
        final Layer[] tail = {Activation.tanh(), new BatchNorm1d(3)};
        final Tensor scale = Tensor.of(2.0).requiresGrad();
        final Tensor constant = Tensor.of(1.0);
        final Tensor notALeaf = scale.mul(2);

        @Override
        public Tensor forward(Tensor x) {
            Tensor h = head.forward(x);
            for (Layer l : body) {
                h = l.forward(h);
            }
            for (Layer l : tail) {
                h = l.forward(h);
            }
            return h.mul(scale);
        }
    }

    /** A subclass that adds its own field after the superclass's. */
    static class Deeper extends Block {
        final Linear extra = new Linear(3, 1, new Rng(4));
    }

    @Test
    void fieldsListsAndArraysAreRegisteredByNameInOrder() {
        Deeper d = new Deeper();
        assertEquals(List.of("scale", "head.weight", "head.bias", "body.1.weight", "body.1.bias", "tail.1.weight",
                "tail.1.bias", "extra.weight", "extra.bias"), d.namedParameters().stream().map(Parameter::name)
                .toList());
        assertEquals(List.of("scale", "head.weight", "head.bias", "body.1.weight", "body.1.bias", "tail.1.weight",
                "tail.1.bias", "tail.1.running_mean", "tail.1.running_var", "tail.1.num_batches_tracked",
                "extra.weight", "extra.bias"), d.namedState().stream().map(Parameter::name).toList());
        assertSame(d.scale, d.parameters().get(0), "the field's tensor itself is the parameter");
        assertEquals(1 + (6 + 3) + (9 + 3) + (3 + 3) + (3 + 1), d.parameterCount());
        assertTrue(d.toString().startsWith("Deeper(head=Linear(2, 3), body="), d.toString());
    }

    @Test
    void evalAndTrainReachEveryDescendant() {
        Deeper d = new Deeper();
        Dropout dropout = (Dropout) d.body.get(0);
        BatchNorm1d norm = (BatchNorm1d) d.tail[1];
        assertTrue(dropout.isTraining() && norm.isTraining());
        d.eval();
        assertFalse(d.isTraining() || d.head.isTraining() || dropout.isTraining() || norm.isTraining()
                || d.extra.isTraining(), "eval() reached every layer");
        Tensor x = Tensor.of(new double[] {1, 2, 3, 4}, 2, 2);
        assertEquals(d.forward(x).toString(), d.forward(x).toString(), "in eval, dropout and batch norm are fixed");
        d.train();
        assertTrue(d.isTraining() && d.head.isTraining() && dropout.isTraining() && norm.isTraining());
    }

    @Test
    void registeredParametersAreDetachedLeaves() {
        Tensor source = Tensor.of(3.0, 4.0).requiresGrad();
        Tensor made = source.mul(2);
        Layer l = new Layer() {
            final Tensor p = param("p", made);

            @Override
            public Tensor forward(Tensor x) {
                return x.mul(p);
            }
        };
        Tensor p = l.parameters().get(0);
        assertTrue(p.isLeaf() && p.isRequiresGrad(), "a parameter is a leaf that requires grad");
        l.forward(Tensor.of(1.0, 1.0)).sum().backward();
        assertEquals(List.of(1.0, 1.0), List.of(p.grad().toDoubleArray()[0], p.grad().toDoubleArray()[1]));
        assertFalse(source.hasGrad(), "no gradient flows into the graph that made the parameter");
        assertEquals(List.of("p"), l.namedParameters().stream().map(Parameter::name).toList());
    }

    @Test
    void explicitRegistrationTakesItsNameAndRefusesRepeatsAndDots() {
        Layer l = new Layer() {
            final Linear a = child("first", new Linear(1, 1, new Rng(5)));
            final Tensor b = buffer("stat", Tensor.of(0.0));

            @Override
            public Tensor forward(Tensor x) {
                return a.forward(x).add(b);
            }
        };
        assertEquals(List.of("first.weight", "first.bias"), l.namedParameters().stream().map(Parameter::name)
                .toList(), "a child registered by name is not registered again by its field");
        assertEquals("stat", l.namedState().get(0).name(), "a module's own buffers come before its children's state");
        IllegalArgumentException repeat = assertThrows(IllegalArgumentException.class, () -> new Layer() {
            final Tensor x = param("w", Tensor.of(1.0));
            final Tensor y = param("w", Tensor.of(2.0));

            @Override
            public Tensor forward(Tensor t) {
                return t;
            }
        });
        assertTrue(repeat.getMessage().contains("'w'"), repeat.getMessage());
        assertThrows(IllegalArgumentException.class, () -> new Layer() {
            final Tensor x = param("a.b", Tensor.of(1.0));

            @Override
            public Tensor forward(Tensor t) {
                return t;
            }
        });
    }

    @Test
    void zeroGradZerosEveryParameterAndOnlyLeavesThatRequireGradAreFound() {
        Block b = new Block();
        b.forward(Tensor.of(new double[] {1, 2, 3, 4}, 2, 2)).sum().backward();
        assertTrue(b.parameters().stream().allMatch(Tensor::hasGrad));
        b.zeroGrad();
        for (Tensor p : b.parameters()) {
            assertEquals(0, p.grad().abs().sum().item(), "zeroGrad zeroed " + p);
        }
        assertFalse(b.namedParameters().stream().anyMatch(p -> p.value() == b.constant || p.value() == b.notALeaf),
                "a tensor that does not require grad, or is not a leaf, is not a parameter");
        try (Autograd.GradMode off = Autograd.noGrad()) {
            assertEquals(2.0, b.scale.item());
        }
    }

    /** A layer asked first for its state, or printed first, still finds its fields; names repeat nowhere. */
    @Test
    void stateAndPrintingDiscoverFieldsTooAndNamesStayUnique() {
        assertEquals("scale", new Block().namedState().get(0).name());
        assertTrue(new Block().toString().startsWith("Block(head=Linear(2, 3)"), new Block().toString());
        Block b = new Block();
        assertSame(b, b.train());
        assertSame(b, b.eval());
        assertThrows(IllegalArgumentException.class, () -> new Layer() {
            final Tensor x = buffer("s", Tensor.of(1.0));
            final Tensor y = buffer("s", Tensor.of(2.0));

            @Override
            public Tensor forward(Tensor t) {
                return t;
            }
        });
        assertThrows(IllegalArgumentException.class, () -> new Layer() {
            final Linear a = child("c", new Linear(1, 1, new Rng(1)));
            final Linear b = child("c", new Linear(1, 1, new Rng(2)));

            @Override
            public Tensor forward(Tensor t) {
                return t;
            }
        });
    }

    /** Issue 33: a map of layers is registered under its keys, as PyTorch's ModuleDict; it saves and loads. */
    static class Heads extends Layer {
        final java.util.Map<String, Layer> heads = new java.util.LinkedHashMap<>();
        final java.util.Map<String, String> notLayers = java.util.Map.of("a", "b");

        Heads(long seed) {
            heads.put("digit", new Linear(4, 10, new Rng(seed)));
            heads.put("parity", new Linear(4, 2, new Rng(seed + 1)));
        }

        @Override
        public Tensor forward(Tensor x) {
            return heads.get("digit").forward(x);
        }
    }

    @Test
    void aMapOfLayersIsRegisteredUnderItsKeys(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir)
            throws java.io.IOException {
        Heads h = new Heads(5);
        assertEquals(List.of("heads.digit.weight", "heads.digit.bias", "heads.parity.weight", "heads.parity.bias"),
                h.namedParameters().stream().map(Parameter::name).toList());
        assertEquals(4 * 10 + 10 + 4 * 2 + 2, h.parameterCount());
        java.nio.file.Path file = dir.resolve("heads.npz");
        h.save(file);
        Heads other = new Heads(9);
        other.load(file);
        assertEquals(h.parameters().get(2).toDoubleArray()[0], other.parameters().get(2).toDoubleArray()[0], 0.0,
                "the parity head's weights came back");
        class Dotted extends Layer {
            final java.util.Map<String, Layer> m = java.util.Map.of("a.b", new Linear(1, 1, new Rng(0)));

            @Override
            public Tensor forward(Tensor x) {
                return x;
            }
        }
        IllegalArgumentException e = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                () -> new Dotted().namedParameters());
        assertTrue(e.getMessage().contains("invalid or repeated name 'a.b'"), e.getMessage());
    }

    /** Issue 33: LayerList and LayerDict, PyTorch's ModuleList and ModuleDict, register as fields of them do. */
    static class Blocks extends Layer {
        final LayerList blocks = new LayerList(new Linear(2, 3, new Rng(1)));
        final LayerDict heads = new LayerDict().put("a", new Linear(3, 1, new Rng(2)));

        Blocks() {
            blocks.add(new Linear(3, 3, new Rng(3)));
        }

        @Override
        public Tensor forward(Tensor x) {
            Tensor y = x;
            for (Layer l : blocks) {
                y = l.forward(y);
            }
            return heads.get("a").forward(y);
        }
    }

    @Test
    void layerListAndLayerDictAreRegisteredByPositionAndKey() {
        Blocks b = new Blocks();
        assertEquals(List.of("blocks.0.weight", "blocks.0.bias", "blocks.1.weight", "blocks.1.bias", "heads.a.weight",
                "heads.a.bias"), b.namedParameters().stream().map(Parameter::name).toList());
        assertEquals(2, b.blocks.size());
        assertEquals("[4, 1]", b.forward(Tensor.zeros(4, 2)).shapeString());
        assertEquals("LayerList: has no forward (as PyTorch's ModuleList); call its layers", org.junit.jupiter.api
                .Assertions.assertThrows(UnsupportedOperationException.class, () -> b.blocks.forward(Tensor.zeros(1)))
                .getMessage());
        assertTrue(org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                () -> b.heads.put("a", new Linear(1, 1, new Rng(0)))).getMessage().contains("repeated name 'a'"));
    }
}
