package ndgrad.autograd;

import static ndgrad.autograd.Function.tensors;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.IntStream;
import ndgrad.core.ShapeException;
import ndgrad.core.kernels.Norms;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Batch normalization as PyTorch's {@code F.batch_norm}: in training, one op over the batch's statistics whose
 * forward and backward are each one kernel pass per channel ({@link Norms}), as {@code native_batch_norm}; in
 * evaluation, a per-channel scale and shift composed of differentiable ops.
 */
final class NormOps {
    private NormOps() {
    }

    /** See {@link Tensor#batchNorm}. */
    static Tensor batchNorm(Tensor x, Tensor runningMean, Tensor runningVar, Tensor weight, Tensor bias,
            boolean training, double momentum, double eps) {
        check(x, runningMean, runningVar, weight, bias, training, momentum, eps);
        long c = x.size(1);
        long[] stat = new long[x.dim()];
        Arrays.fill(stat, 1);
        stat[1] = c;
        if (!training) {
            Tensor scale = runningVar.detach().add(eps).sqrt().reciprocal();
            scale = weight == null ? scale : scale.mul(weight);
            Tensor shift = runningMean.detach().mul(scale).neg();
            shift = bias == null ? shift : shift.add(bias);
            return x.mul(scale.reshape(stat)).add(shift.reshape(stat));
        }
        List<Tensor> in = new ArrayList<>(List.of(x));
        List<String> rules = new ArrayList<>(List.of("w·(dy - mean(dy) - x̂·mean(dy·x̂))/√(σ² + eps)"));
        int w = weight == null ? -1 : add(in, weight, rules, "Σ dy·x̂");
        int b = bias == null ? -1 : add(in, bias, rules, "Σ dy");
        return new Function("batchNorm", rules.toArray(new String[0])) {
            @Override
            protected Tensor[] forward(Context ctx, Tensor... t) {
                Tensor mean = ctx.scratch(x.dtype(), c);
                Tensor var = ctx.scratch(x.dtype(), c);
                INDArray y = Norms.batchNorm(t[0].array(), w < 0 ? null : t[w].array(), b < 0 ? null : t[b].array(),
                        eps, mean.array(), var.array());
                ctx.save(t);
                if (runningMean != null) {
                    long count = x.numel() / c;
                    runningMean.copyFrom(runningMean.mul(1 - momentum).add(mean.mul(momentum)));
                    runningVar.copyFrom(runningVar.mul(1 - momentum).add(var.mul(momentum * count / (count - 1))));
                }
                return tensors(ctx.output(y));
            }

            @Override
            protected Tensor[] backward(Context ctx, Tensor... g) {
                Tensor xs = ctx.saved(2);
                Tensor ws = w < 0 ? null : ctx.saved(2 + w);
                Tensor[] d;
                if (Autograd.isGradEnabled()) {
                    d = composedBackward(xs, ws, g[0], eps, stat);
                } else {
                    INDArray[] k = Norms.batchNormBackward(xs.array(), g[0].array(), ws == null ? null : ws.array(),
                            ctx.saved(0).array(), ctx.saved(1).array(), eps);
                    d = new Tensor[] {Tensor.constant(k[0]), Tensor.constant(k[1]), Tensor.constant(k[2])};
                }
                Tensor[] out = new Tensor[in.size()];
                out[0] = ctx.needsInputGrad(0) ? d[0] : null;
                if (w >= 0) {
                    out[w] = ctx.needsInputGrad(w) ? d[1] : null;
                }
                if (b >= 0) {
                    out[b] = ctx.needsInputGrad(b) ? d[2] : null;
                }
                return out;
            }
        }.apply(in.toArray(new Tensor[0]));
    }

    /**
     * The batch-norm backward as differentiable ops on x and w, for a second derivative: x̂ = (x - μ)/√(σ² + eps)
     * from x again, dx = (dy·w - mean(dy·w) - x̂·mean(dy·w·x̂))/√(σ² + eps), dw = Σ dy·x̂, db = Σ dy.
     */
    private static Tensor[] composedBackward(Tensor x, Tensor w, Tensor g, double eps, long[] stat) {
        int[] axes = IntStream.range(0, x.dim()).filter(a -> a != 1).toArray();
        Tensor centred = x.sub(x.mean(true, axes));
        Tensor inv = centred.mul(centred).mean(true, axes).add(eps).sqrt().reciprocal();
        Tensor xhat = centred.mul(inv);
        Tensor gy = w == null ? g : g.mul(w.reshape(stat));
        Tensor dx = gy.sub(gy.mean(true, axes)).sub(xhat.mul(gy.mul(xhat).mean(true, axes))).mul(inv);
        return new Tensor[] {dx, g.mul(xhat).sum(false, axes), g.sum(false, axes)};
    }

    /** Appends input {@code t} with its rule; returns its index. */
    private static int add(List<Tensor> in, Tensor t, List<String> rules, String rule) {
        in.add(t);
        rules.add(rule);
        return in.size() - 1;
    }

    private static void check(Tensor x, Tensor runningMean, Tensor runningVar, Tensor weight, Tensor bias,
            boolean training, double momentum, double eps) {
        if (x.dim() < 2 || x.size(1) == 0 || !x.dtype().isFPType()) {
            throw new ShapeException("batchNorm: expected a floating input (N, C, ...) of rank 2 or more, C > 0, got "
                    + x.shapeString() + " " + x.dtype());
        }
        long c = x.size(1);
        for (Tensor v : new Tensor[] {runningMean, runningVar, weight, bias}) {
            if (v != null && (v.dim() != 1 || v.size(0) != c || v.dtype() != x.dtype())) {
                throw new ShapeException("batchNorm: expected running statistics, weight and bias of shape (" + c
                        + ") and dtype " + x.dtype() + " for input " + x.shapeString() + ", got " + v.shapeString()
                        + " " + v.dtype());
            }
        }
        if ((runningMean == null) != (runningVar == null) || !training && runningMean == null) {
            throw new IllegalArgumentException("batchNorm: expected running mean and variance both or neither, and "
                    + "both in evaluation (training false)");
        }
        if (!(eps > 0) || !(momentum >= 0 && momentum <= 1)) {
            throw new IllegalArgumentException("batchNorm: expected eps > 0 and momentum in [0, 1], got eps=" + eps
                    + ", momentum=" + momentum);
        }
        if (training && x.numel() / c < 2) {
            throw new ShapeException("batchNorm: training needs more than one value per channel, got input "
                    + x.shapeString());
        }
    }
}
