package ndgrad.nn;

import ndgrad.autograd.Tensor;
import ndgrad.core.NdArrays;
import ndgrad.core.ShapeException;
import org.nd4j.linalg.api.buffer.DataType;

/**
 * Loss functions composed from tensor ops, with PyTorch's definitions and reductions ({@code torch.nn.functional}).
 *
 * <p>Usage: {@code Tensor loss = Losses.crossEntropy(model.forward(x), labels);}
 */
public final class Losses {
    private Losses() {
    }

    /** How per-element losses are combined: their mean, their sum, or none (the per-element tensor). */
    public enum Reduction { MEAN, SUM, NONE }

    /** Mean squared error (x - y)², as {@code mse_loss}. */
    public static Tensor mse(Tensor input, Tensor target) {
        return mse(input, target, Reduction.MEAN);
    }

    /** Squared error with a reduction. */
    public static Tensor mse(Tensor input, Tensor target, Reduction r) {
        Tensor d = input.sub(sameShape("mse", input, target));
        return reduce(d.mul(d), r);
    }

    /** Absolute error |x - y|, as {@code l1_loss}. */
    public static Tensor l1(Tensor input, Tensor target, Reduction r) {
        return reduce(input.sub(sameShape("l1", input, target)).abs(), r);
    }

    /**
     * Huber loss with threshold δ: ½ d² where |d| &lt; δ, else δ(|d| - ½ δ), as {@code huber_loss}; composed as
     * ½ m² + δ(|d| - m) with m = min(|d|, δ).
     */
    public static Tensor huber(Tensor input, Tensor target, double delta, Reduction r) {
        if (!(delta > 0)) {
            throw new IllegalArgumentException("huber: delta must be positive, got " + delta);
        }
        Tensor a = input.sub(sameShape("huber", input, target)).abs();
        Tensor m = a.clamp(Double.NEGATIVE_INFINITY, delta);
        return reduce(m.mul(m).mul(0.5).add(a.sub(m).mul(delta)), r);
    }

    /**
     * Binary cross-entropy on logits x with targets y in [0, 1]: softplus(x) - x·y, which equals
     * max(x, 0) - x·y + ln(1 + e^-|x|) and never overflows ({@code binary_cross_entropy_with_logits}).
     */
    public static Tensor bceWithLogits(Tensor logits, Tensor target, Reduction r) {
        return reduce(logits.softplus().sub(logits.mul(sameShape("bceWithLogits", logits, target))), r);
    }

    /** Softmax cross-entropy of (N, C) logits against integer class labels, mean over the batch. */
    public static Tensor crossEntropy(Tensor logits, int[] labels) {
        return crossEntropy(logits, labels, Reduction.MEAN);
    }

    /**
     * Softmax cross-entropy -log softmax(x)[label] of (N, C) logits against integer labels in [0, C), as
     * {@code cross_entropy}; computed by the fused, stable {@link Tensor#crossEntropy(int[])}.
     */
    public static Tensor crossEntropy(Tensor logits, int[] labels, Reduction r) {
        return reduce(logits.crossEntropy(labels), r);
    }

    /**
     * The keywords of {@code torch.nn.functional.cross_entropy}: a class {@code weight} of shape (C) or null,
     * {@code ignoreIndex} (a label that contributes nothing; PyTorch's default -100), {@code labelSmoothing} in
     * [0, 1], and the reduction. Usage: {@code Losses.CrossEntropyOptions.defaults().labelSmoothing(0.1)}.
     */
    public record CrossEntropyOptions(Tensor weight, int ignoreIndex, double labelSmoothing, Reduction reduction) {
        /** PyTorch's defaults: no weight, ignoreIndex -100, no smoothing, the mean. */
        public static CrossEntropyOptions defaults() {
            return new CrossEntropyOptions(null, -100, 0, Reduction.MEAN);
        }

        /** With a class weight of shape (C). */
        public CrossEntropyOptions weight(Tensor w) {
            return new CrossEntropyOptions(w, ignoreIndex, labelSmoothing, reduction);
        }

        /** With a label to ignore. */
        public CrossEntropyOptions ignoreIndex(int label) {
            return new CrossEntropyOptions(weight, label, labelSmoothing, reduction);
        }

        /** With label smoothing ε in [0, 1]. */
        public CrossEntropyOptions labelSmoothing(double eps) {
            return new CrossEntropyOptions(weight, ignoreIndex, eps, reduction);
        }

        /** With a reduction. */
        public CrossEntropyOptions reduction(Reduction r) {
            return new CrossEntropyOptions(weight, ignoreIndex, labelSmoothing, r);
        }
    }

    /**
     * Softmax cross-entropy of (N, C) logits against integer labels with PyTorch's options: with q = log
     * softmax(x), l_i = -w[y_i] q[i, y_i], or with smoothing ε, (1-ε)(-w[y_i] q[i, y_i]) + (ε/C) Σ_c (-w[c] q[i, c]);
     * an ignored label gives 0; 'mean' divides the sum by Σ w[y_i] over the labels not ignored (PyTorch's
     * {@code cross_entropy} documentation). Without weight, smoothing or ignored labels it is the fused op.
     */
    public static Tensor crossEntropy(Tensor logits, int[] labels, CrossEntropyOptions o) {
        int classes = checkLogits(logits, labels.length, o);
        boolean anyIgnored = false;
        for (int i = 0; i < labels.length; i++) {
            boolean ignored = labels[i] == o.ignoreIndex();
            anyIgnored |= ignored;
            if (!ignored && (labels[i] < 0 || labels[i] >= classes)) {
                throw new ShapeException("crossEntropy: label " + labels[i] + " at row " + i + " is outside [0, "
                        + classes + ") and is not the ignoreIndex " + o.ignoreIndex());
            }
        }
        if (o.weight() == null && o.labelSmoothing() == 0 && !anyIgnored) {
            return reduce(logits.crossEntropy(labels), o.reduction());
        }
        double[] w = classWeights(o, classes);
        int n = labels.length;
        double[] picked = new double[n];
        double[] wy = new double[n];
        double[] kept = new double[n];
        for (int i = 0; i < n; i++) {
            boolean ignored = labels[i] == o.ignoreIndex();
            picked[i] = ignored ? 0 : labels[i];
            wy[i] = ignored ? 0 : w[labels[i]];
            kept[i] = ignored ? 0 : 1;
        }
        Tensor q = logits.logSoftmax(1);
        Tensor index = Tensor.of(NdArrays.create(picked, new long[] {n, 1}, DataType.LONG));
        Tensor loss = q.gather(1, index).reshape(n).mul(constant(wy, logits, n)).neg();
        if (o.labelSmoothing() > 0) {
            Tensor smooth = q.mul(constant(w, logits, 1, classes)).sum(false, 1).neg().mul(constant(kept, logits, n));
            loss = loss.mul(1 - o.labelSmoothing()).add(smooth.mul(o.labelSmoothing() / classes));
        }
        double total = 0;
        for (double v : wy) {
            total += v;
        }
        return o.reduction() == Reduction.MEAN ? loss.sum().div(total) : reduce(loss, o.reduction());
    }

    /**
     * Softmax cross-entropy against {@code target} as PyTorch's {@code cross_entropy(input, target)} reads it: an
     * integer tensor (int64 or int32) of shape (N) holds class indices, a floating one of shape (N, C) class
     * probabilities.
     *
     * <p>Usage: {@code Tensor loss = Losses.crossEntropy(logits, Tensor.of(new long[] {2, 0, 1}, 3)); // int64 (N)}
     */
    public static Tensor crossEntropy(Tensor logits, Tensor target) {
        return crossEntropy(logits, target, CrossEntropyOptions.defaults());
    }

    /**
     * Softmax cross-entropy of (N, C) logits against class probabilities p (N, C), as {@code cross_entropy} with
     * probability targets: l_i = -Σ_c w[c] p[i, c] log softmax(x)[i, c], p smoothed to (1-ε)p + ε/C first; 'mean'
     * divides by N. The targets are differentiable too. An integer target holds class indices instead, as in
     * PyTorch, and goes to {@link #crossEntropy(Tensor, int[], CrossEntropyOptions)}.
     */
    public static Tensor crossEntropy(Tensor logits, Tensor probabilities, CrossEntropyOptions o) {
        if (!probabilities.dtype().isFPType()) {
            if (probabilities.dim() != 1) {
                throw new ShapeException("crossEntropy: class indices must be a 1-D integer tensor of shape (N), got "
                        + "shape " + probabilities.shapeString() + " and dtype " + probabilities.dtype());
            }
            return crossEntropy(logits, java.util.Arrays.stream(probabilities.toDoubleArray()).mapToInt(v -> (int) v)
                    .toArray(), o);
        }
        int classes = checkLogits(logits, logits.dim() == 2 ? logits.size(0) : -1, o);
        sameShape("crossEntropy", logits, probabilities);
        Tensor p = o.labelSmoothing() > 0
                ? probabilities.mul(1 - o.labelSmoothing()).add(o.labelSmoothing() / classes) : probabilities;
        Tensor loss = logits.logSoftmax(1).mul(p).mul(constant(classWeights(o, classes), logits, 1, classes))
                .sum(false, 1).neg();
        return reduce(loss, o.reduction());
    }

    private static int checkLogits(Tensor logits, long rows, CrossEntropyOptions o) {
        if (logits.dim() != 2 || logits.size(0) != rows) {
            throw new ShapeException("crossEntropy: expected logits of shape (N, C) with N = " + rows
                    + " targets, got " + logits.shapeString());
        }
        int classes = (int) logits.size(1);
        if (o.weight() != null && !java.util.Arrays.equals(o.weight().shape(), new long[] {classes})) {
            throw new ShapeException("crossEntropy: expected a class weight of shape [" + classes + "], got "
                    + o.weight().shapeString());
        }
        if (!(o.labelSmoothing() >= 0 && o.labelSmoothing() <= 1)) {
            throw new IllegalArgumentException("crossEntropy: labelSmoothing must be in [0, 1], got "
                    + o.labelSmoothing());
        }
        return classes;
    }

    private static double[] classWeights(CrossEntropyOptions o, int classes) {
        if (o.weight() != null) {
            return o.weight().toDoubleArray();
        }
        double[] ones = new double[classes];
        java.util.Arrays.fill(ones, 1);
        return ones;
    }

    /** A constant of {@code like}'s dtype. */
    private static Tensor constant(double[] values, Tensor like, long... shape) {
        return Tensor.of(NdArrays.create(values, shape, like.dtype()));
    }

    private static Tensor sameShape(String op, Tensor input, Tensor target) {
        if (!java.util.Arrays.equals(input.shape(), target.shape()) || input.dtype() != target.dtype()) {
            throw new ShapeException(op + ": input of shape " + input.shapeString() + " and dtype " + input.dtype()
                    + " and target of shape " + target.shapeString() + " and dtype " + target.dtype()
                    + " differ; expected the same shape and dtype");
        }
        return target;
    }

    private static Tensor reduce(Tensor t, Reduction r) {
        return switch (r) {
            case MEAN -> t.mean();
            case SUM -> t.sum();
            case NONE -> t;
        };
    }
}
