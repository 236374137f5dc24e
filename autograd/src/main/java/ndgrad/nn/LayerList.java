package ndgrad.nn;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import ndgrad.autograd.Tensor;

/**
 * Layers in a list, registered under their positions ({@code blocks.0.weight}), as PyTorch's {@code nn.ModuleList}:
 * it has no forward of its own; a model calls its layers. A field holding a {@code List} or array of layers is
 * registered the same way.
 *
 * <p>Usage: {@code LayerList blocks = new LayerList(); for (int i = 0; i < 3; i++) blocks.add(new Linear(8, 8, rng));}
 */
public final class LayerList extends Layer implements Iterable<Layer> {
    private final List<Layer> layers = new ArrayList<>();

    /** The given layers, in order. */
    public LayerList(Layer... layers) {
        for (Layer l : layers) {
            add(l);
        }
    }

    /** Appends {@code layer} under the next position; returns this. */
    public LayerList add(Layer layer) {
        child(Integer.toString(layers.size()), layer);
        layers.add(layer);
        return this;
    }

    /** The layer at {@code index}. */
    public Layer get(int index) {
        return layers.get(index);
    }

    /** The number of layers. */
    public int size() {
        return layers.size();
    }

    @Override
    public Iterator<Layer> iterator() {
        return java.util.Collections.unmodifiableList(layers).iterator();
    }

    /** Refused: a list of layers has no forward, as PyTorch's ModuleList. */
    @Override
    public Tensor forward(Tensor x) {
        throw new UnsupportedOperationException("LayerList: has no forward (as PyTorch's ModuleList); call its layers");
    }
}
