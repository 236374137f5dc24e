package ndgrad.nn;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import ndgrad.autograd.Tensor;

/**
 * Layers under names, in insertion order, registered under their keys ({@code heads.digit.weight}), as PyTorch's
 * {@code nn.ModuleDict}: it has no forward of its own. A field holding a {@code Map} of layers is registered the
 * same way.
 *
 * <p>Usage: {@code LayerDict heads = new LayerDict().put("digit", new Linear(64, 10, rng));}
 */
public final class LayerDict extends Layer {
    private final Map<String, Layer> layers = new LinkedHashMap<>();

    /** Adds {@code layer} under {@code key} (non-empty, no dot, not yet used); returns this. */
    public LayerDict put(String key, Layer layer) {
        child(key, layer);
        layers.put(key, layer);
        return this;
    }

    /** The layer under {@code key}, or null. */
    public Layer get(String key) {
        return layers.get(key);
    }

    /** The layers by key, read-only, in insertion order. */
    public Map<String, Layer> asMap() {
        return Collections.unmodifiableMap(layers);
    }

    /** Refused: a dict of layers has no forward, as PyTorch's ModuleDict. */
    @Override
    public Tensor forward(Tensor x) {
        throw new UnsupportedOperationException("LayerDict: has no forward (as PyTorch's ModuleDict); call its layers");
    }
}
