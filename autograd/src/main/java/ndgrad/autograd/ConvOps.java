package ndgrad.autograd;

import static ndgrad.autograd.Function.tensors;

import ndgrad.core.ShapeException;
import ndgrad.core.Shapes;
import ndgrad.core.kernels.Convolutions;
import ndgrad.core.kernels.Unfold;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Convolution as one op ({@link Convolutions}, sample by sample, as PyTorch's {@code slow_conv2d}): its backward is
 * one kernel pass, or, recorded for a second derivative, the same rule composed of differentiable ops: the input's
 * columns ({@link Tensor#unfold}), products with the output's gradient, and the columns' gradient folded back.
 */
final class ConvOps {
    private ConvOps() {
    }

    /**
     * x (N, C, H, W) of the geometry's input shape, weight (O, C/groups, kh, kw), bias (O) or null: (N, O, oh, ow),
     * cross-correlation with zero padding, as {@code F.conv2d}.
     */
    static Tensor conv2d(Tensor x, Tensor weight, Tensor bias, Unfold.Geometry g, int groups) {
        long[] ws = weight.shape();
        boolean shapes = java.util.Arrays.equals(x.shape(), g.input()) && ws.length == 4 && groups >= 1
                && g.c() % groups == 0 && ws[0] % groups == 0 && ws[1] == g.c() / groups && ws[2] == g.kh()
                && ws[3] == g.kw() && (bias == null || bias.dim() == 1 && bias.size(0) == ws[0]);
        boolean dtypes = weight.dtype() == x.dtype() && (bias == null || bias.dtype() == x.dtype());
        if (!shapes || !dtypes) {
            throw new ShapeException("conv2d: expected input " + Shapes.str(g.input()) + ", weight (O, "
                    + (groups >= 1 ? g.c() / groups : "C/groups") + ", " + g.kh() + ", " + g.kw() + ") with O and C "
                    + "divisible by groups=" + groups + ", bias (O) or none, of one dtype; got input "
                    + x.shapeString() + ", weight " + weight.shapeString() + (bias == null ? "" : ", bias "
                    + bias.shapeString()) + " (" + x.dtype() + ", " + weight.dtype() + ")");
        }
        Tensor[] inputs = bias == null ? new Tensor[] {x, weight} : new Tensor[] {x, weight, bias};
        return new Function("conv2d", "Wᵀ·dy folded back (col2im)", "dy·unfold(x)ᵀ", "dy summed over N, oh, ow") {
            @Override
            protected Tensor[] forward(Context ctx, Tensor... in) {
                if (ctx.needsInputGrad(0) || ctx.needsInputGrad(1) || in.length > 2 && ctx.needsInputGrad(2)) {
                    ctx.save(in[0], in[1]);
                }
                return tensors(ctx.output(Convolutions.conv2d(in[0].array(), in[1].array(), in.length > 2
                        ? in[2].array() : null, g, groups)));
            }

            @Override
            protected Tensor[] backward(Context ctx, Tensor... dy) {
                Tensor xs = ctx.saved(0);
                Tensor w = ctx.saved(1);
                boolean withBias = inputs.length > 2;
                if (Autograd.isGradEnabled()) {
                    Tensor[] d = composedBackward(xs, w, dy[0], g, groups, ctx.needsInputGrad(0), withBias);
                    for (int i = 1; i < d.length; i++) {
                        d[i] = ctx.needsInputGrad(i) ? d[i] : null;
                    }
                    return d;
                }
                INDArray[] d = Convolutions.conv2dBackward(xs.array(), w.array(), dy[0].array(), g, groups,
                        ctx.needsInputGrad(0), withBias && ctx.needsInputGrad(2));
                Tensor[] out = new Tensor[inputs.length];
                out[0] = d[0] == null ? null : Tensor.constant(d[0]);
                out[1] = ctx.needsInputGrad(1) ? Tensor.constant(d[1]) : null;
                if (withBias) {
                    out[2] = d[2] == null ? null : Tensor.constant(d[2]);
                }
                return out;
            }
        }.applyAll(inputs)[0];
    }

    /**
     * {@link #conv2d}'s gradients as differentiable ops: with the output's gradient seen as (O, N·oh·ow) and the
     * input's columns (C·kh·kw, N·oh·ow), per group dW = dy·colsᵀ and dcols = Wᵀ·dy, folded back into dx; db = dy
     * summed over N, oh and ow.
     */
    private static Tensor[] composedBackward(Tensor x, Tensor w, Tensor dy, Unfold.Geometry g, int groups,
            boolean inputGrad, boolean withBias) {
        long o = w.size(0);
        long og = o / groups;
        long k = w.size(1) * w.size(2) * w.size(3);
        long cols = g.n() * g.oh() * g.ow();
        Tensor dyT = dy.reshape(g.n(), o, (long) g.oh() * g.ow()).permute(1, 0, 2).reshape(o, cols);
        Tensor unfolded = x.unfold(g, 0);
        Tensor wm = w.reshape(o, k);
        Tensor[] dw = new Tensor[groups];
        Tensor[] dcols = new Tensor[groups];
        for (int grp = 0; grp < groups; grp++) {
            Tensor dyG = groups == 1 ? dyT : dyT.slice(0, grp * og, (grp + 1) * og);
            Tensor colsG = groups == 1 ? unfolded : unfolded.slice(0, grp * k, (grp + 1) * k);
            Tensor wG = groups == 1 ? wm : wm.slice(0, grp * og, (grp + 1) * og);
            dw[grp] = dyG.matmul(colsG.t());
            dcols[grp] = wG.t().matmul(dyG);
        }
        Tensor dwAll = (groups == 1 ? dw[0] : Tensor.concat(0, dw)).reshape(w.shape());
        Tensor dx = inputGrad ? ShapeOps.fold(groups == 1 ? dcols[0] : Tensor.concat(0, dcols), g) : null;
        return withBias ? tensors(dx, dwAll, dy.sum(0, 2, 3)) : tensors(dx, dwAll);
    }
}
