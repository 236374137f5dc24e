package ndgrad.autograd;

import static ndgrad.autograd.Function.tensors;

import ndgrad.core.ShapeException;
import ndgrad.core.kernels.Fused;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * The fused recurrent cell: the LSTM's gate activations and state update as one op, and its backward as another
 * (PyTorch's {@code _thnn_fused_lstm_cell} and its backward), where the composed cell takes some fifteen ops a step.
 */
final class CellOps {
    private CellOps() {
    }

    /**
     * h and c' of an LSTM cell from pre-activations {@code gates} (B, 4H) in PyTorch's order i, f, g, o and the state
     * {@code c} (B, H): c' = σ(f)·c + σ(i)·tanh(g), h = σ(o)·tanh(c'). The forward keeps the activations and tanh(c')
     * for the backward, {@link #lstmCellBackward}, recorded or not.
     */
    static Tensor[] lstmCell(Tensor gates, Tensor c) {
        if (gates.dim() != 2 || c.dim() != 2 || gates.size(0) != c.size(0) || gates.size(1) != 4 * c.size(1)
                || gates.dtype() != c.dtype()) {
            throw new ShapeException("lstmCell: expected gates (B, 4H) and state c (B, H) of one dtype, got gates "
                    + gates.shapeString() + " " + gates.dtype() + " and c " + c.shapeString() + " " + c.dtype());
        }
        return new Function("lstmCell", "σ'(gates), tanh'(gates) and tanh'(c') (lstmCellBackward)", "σ(f)") {
            @Override
            protected Tensor[] forward(Context ctx, Tensor... in) {
                boolean keep = ctx.needsInputGrad(0) || ctx.needsInputGrad(1);
                Tensor act = keep ? ctx.scratch(in[0].dtype(), in[0].shape()) : null;
                Tensor tanhC = keep ? ctx.scratch(in[1].dtype(), in[1].shape()) : null;
                INDArray[] out = Fused.lstmCell(in[0].array(), in[1].array(), keep ? act.array() : null,
                        keep ? tanhC.array() : null);
                if (keep) {
                    ctx.save(in[0], in[1]);
                }
                return tensors(ctx.output(out[0]), ctx.output(out[1]));
            }

            @Override
            protected Tensor[] backward(Context ctx, Tensor... g) {
                return lstmCellBackward(ctx.saved(2), ctx.saved(3), ctx.saved(0), ctx.saved(1), g[0], g[1]);
            }
        }.applyAll(gates, c);
    }

    /**
     * The gradients of {@link #lstmCell}'s gates and state from those of h and c' ({@code dh}, {@code dc}), one pass
     * over the kept activations {@code act} and {@code tanhC}. Its own derivatives, with the activations computed
     * again as differentiable ops (the kept ones carry no graph), follow from L = Σ u·dgates + v·dc_prev: with
     * q = dc + dh·o·(1 - T²), K = u_i·g·i(1-i) + u_f·c·f(1-f) + u_g·i·(1-g²) + v·f and R = (u_o·dh·o(1-o) -
     * 2K·dh·o·T)·(1 - T²), the derivative is q·∂K/∂z + R·∂c'/∂z for z in i, f, g, c, plus u_o·dh·T·(1-2o) + K·dh·(1-T²)
     * for o (times each gate's activation derivative); u_o·T·o(1-o) + K·o·(1-T²) for dh; K for dc.
     */
    private static Tensor[] lstmCellBackward(Tensor gates, Tensor c, Tensor act, Tensor tanhC, Tensor dh,
            Tensor dc) {
        return new Function("lstmCellBackward", "∂²(lstmCell)", "∂²(lstmCell)", "-", "-", "∂(lstmCell)/∂c'",
                "∂(lstmCell)/∂h") {
            @Override
            protected Tensor[] forward(Context ctx, Tensor... in) {
                ctx.save(in[0], in[1], in[4], in[5]);
                INDArray[] out = Fused.lstmCellBackward(in[2].array(), in[1].array(), in[3].array(), in[4].array(),
                        in[5].array());
                return tensors(ctx.output(out[0]), ctx.output(out[1]));
            }

            @Override
            protected Tensor[] backward(Context ctx, Tensor... grads) {
                Tensor[] z = ctx.saved(0).chunk(4, 1);
                Tensor cOld = ctx.saved(1);
                Tensor dhs = ctx.saved(2);
                Tensor dcs = ctx.saved(3);
                Tensor[] u = grads[0].chunk(4, 1);
                Tensor v = grads[1];
                Tensor i = z[0].sigmoid();
                Tensor f = z[1].sigmoid();
                Tensor g = z[2].tanh();
                Tensor o = z[3].sigmoid();
                Tensor si = i.mul(i.rsub(1));
                Tensor sf = f.mul(f.rsub(1));
                Tensor so = o.mul(o.rsub(1));
                Tensor sg = g.mul(g).rsub(1);
                Tensor t = f.mul(cOld).add(i.mul(g)).tanh();
                Tensor st = t.mul(t).rsub(1);
                Tensor q = dcs.add(dhs.mul(o).mul(st));
                Tensor k = u[0].mul(g).mul(si).add(u[1].mul(cOld).mul(sf)).add(u[2].mul(i).mul(sg)).add(v.mul(f));
                Tensor r = u[3].mul(dhs).mul(so).sub(k.mul(dhs).mul(o).mul(t).mul(2)).mul(st);
                Tensor di = q.mul(u[0].mul(g).mul(i.mul(-2).add(1)).add(u[2].mul(sg))).add(r.mul(g)).mul(si);
                Tensor df = q.mul(u[1].mul(cOld).mul(f.mul(-2).add(1)).add(v)).add(r.mul(cOld)).mul(sf);
                Tensor dg = q.mul(u[0].mul(si).sub(u[2].mul(i).mul(g).mul(2))).add(r.mul(i)).mul(sg);
                Tensor dout = u[3].mul(dhs).mul(t).mul(o.mul(-2).add(1)).add(k.mul(dhs).mul(st)).mul(so);
                return tensors(ctx.inputGrad(0, () -> Tensor.concat(1, di, df, dg, dout)),
                        ctx.inputGrad(1, () -> u[1].mul(sf).mul(q).add(r.mul(f))), null, null,
                        ctx.inputGrad(4, () -> u[3].mul(t).mul(so).add(k.mul(o).mul(st))), ctx.inputGrad(5, () -> k));
            }
        }.applyAll(gates, c, act, tanhC, dh, dc);
    }
}
