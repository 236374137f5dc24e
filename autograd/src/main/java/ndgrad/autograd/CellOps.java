package ndgrad.autograd;

import static ndgrad.autograd.Function.tensors;

import java.util.Arrays;
import ndgrad.core.ShapeException;
import ndgrad.core.kernels.Fused;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * The fused LSTM: its cell (gate activations and state update) as one op and the cell's backward as another
 * (PyTorch's {@code _thnn_fused_lstm_cell} and its backward), where the composed cell takes some fifteen ops a step;
 * and a layer's direction over every step as one op, whose backward takes the steps back in one pass and the
 * recurrent weight's gradient as one product.
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
        return new Function("lstmCellBackward", "∂²(lstmCell)", "∂²(lstmCell)", "-", "-", "∂h/∂(gates, c)",
                "∂c'/∂(gates, c)") {
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

    /**
     * An LSTM layer's direction over every step (PyTorch's {@code _VF.lstm} for one layer and direction): from the
     * input's share of the gates {@code gx} (B, T, 4H), the states {@code h0}, {@code c0} (B, H), the recurrent
     * weight {@code w} (4H, H) and bias {@code b} (4H, or null), each step's gates are gx_t + b + h·wᵀ and its states
     * {@link #lstmCell}'s; {@code reverse} walks from the last step. Returns {output (B, T, H), h_n, c_n}. The
     * backward is one pass of kernels ({@link Fused#lstmBackward}); recorded for a second derivative, it is the same
     * rule composed of differentiable ops: the steps taken again with {@link #lstmCell}, each cell's backward, and the
     * products.
     */
    static Tensor[] lstm(Tensor gx, Tensor h0, Tensor c0, Tensor w, Tensor b, boolean reverse) {
        long batch = h0.size(0);
        long hidden = w.size(1);
        boolean shapes = gx.dim() == 3 && gx.size(0) == batch && gx.size(2) == 4 * hidden && w.dim() == 2
                && w.size(0) == 4 * hidden && Arrays.equals(h0.shape(), new long[] {batch, hidden})
                && Arrays.equals(c0.shape(), h0.shape()) && (b == null || Arrays.equals(b.shape(),
                new long[] {4 * hidden}));
        boolean dtypes = h0.dtype() == gx.dtype() && c0.dtype() == gx.dtype() && w.dtype() == gx.dtype()
                && (b == null || b.dtype() == gx.dtype());
        if (!shapes || !dtypes || h0.dim() != 2) {
            throw new ShapeException("lstm: expected gx (B, T, 4H), h0 and c0 (B, H), w (4H, H) and b (4H) or none, "
                    + "of one dtype; got gx " + gx.shapeString() + ", h0 " + h0.shapeString() + ", c0 "
                    + c0.shapeString() + ", w " + w.shapeString() + (b == null ? "" : ", b " + b.shapeString())
                    + " (" + gx.dtype() + ")");
        }
        Tensor[] inputs = b == null ? new Tensor[] {gx, h0, c0, w} : new Tensor[] {gx, h0, c0, w, b};
        return new Function("lstm", "∂(lstm)/∂gx: each step's cell backward", "∂/∂h0", "∂/∂c0",
                "Σ_t dgates_tᵀ·h_(t-1)", "Σ_t dgates_t") {
            @Override
            protected Tensor[] forward(Context ctx, Tensor... in) {
                boolean keep = false;
                for (int i = 0; i < in.length; i++) {
                    keep |= ctx.needsInputGrad(i);
                }
                long steps = in[0].size(1);
                DataType type = in[0].dtype();
                INDArray[] kept = keep ? new INDArray[] {ctx.scratch(type, steps, batch, 4 * hidden).array(),
                        ctx.scratch(type, steps, batch, hidden).array(), ctx.scratch(type, steps, batch, hidden)
                        .array(), ctx.scratch(type, batch, steps, hidden).array()} : null;
                INDArray[] out = Fused.lstm(in[0].array(), in[1].array(), in[2].array(), in[3].array(),
                        in.length > 4 ? in[4].array() : null, reverse, kept);
                if (keep) {
                    ctx.save(in);
                }
                return tensors(ctx.output(out[0]), ctx.output(out[1]), ctx.output(out[2]));
            }

            @Override
            protected Tensor[] backward(Context ctx, Tensor... g) {
                Tensor[] in = new Tensor[inputs.length];
                for (int i = 0; i < in.length; i++) {
                    in[i] = ctx.saved(4 + i);
                }
                Tensor[] d;
                if (Autograd.isGradEnabled()) {
                    d = composedBackward(in, reverse, g);
                } else {
                    INDArray[] k = Fused.lstmBackward(new INDArray[] {ctx.saved(0).array(), ctx.saved(1).array(),
                            ctx.saved(2).array(), ctx.saved(3).array()}, in[3].array(), in.length > 4, reverse,
                            g[0].array(), g[1].array(), g[2].array());
                    d = new Tensor[in.length];
                    for (int i = 0; i < d.length; i++) {
                        d[i] = Tensor.constant(k[i]);
                    }
                }
                for (int i = 0; i < d.length; i++) {
                    d[i] = ctx.needsInputGrad(i) ? d[i] : null;
                }
                return d;
            }
        }.applyAll(inputs);
    }

    /**
     * {@link #lstm}'s backward as differentiable ops on its inputs {gx, h0, c0, w[, b]}: the steps taken again with
     * {@link #lstmCell}, then from the last step back, each cell's own backward ({@link Function.Context#backward}),
     * the earlier h's gradient dgates·w, and the weight's and bias's gradients summed over the steps.
     */
    private static Tensor[] composedBackward(Tensor[] in, boolean reverse, Tensor[] g) {
        Tensor w = in[3];
        Tensor b = in.length > 4 ? in[4] : null;
        int steps = (int) in[0].size(1);
        Tensor[] gx = in[0].unbind(1);
        Function.Context[] cells = new Function.Context[steps];
        Tensor[] before = new Tensor[steps];
        Tensor h = in[1];
        Tensor c = in[2];
        for (int s = 0; s < steps; s++) {
            int t = reverse ? steps - 1 - s : s;
            Tensor[] hc = gx[t].add(h.linear(w, b)).lstmCell(c);
            cells[t] = hc[0].node();
            before[t] = h;
            h = hc[0];
            c = hc[1];
        }
        Tensor[] dOut = g[0].unbind(1);
        Tensor[] dgx = new Tensor[steps];
        Tensor dh = g[1];
        Tensor dc = g[2];
        Tensor dw = null;
        Tensor db = null;
        for (int s = steps - 1; s >= 0; s--) {
            int t = reverse ? steps - 1 - s : s;
            Tensor[] d = cells[t].backward(dOut[t].add(dh), dc);
            dgx[t] = d[0];
            dc = d[1] == null ? Tensor.zerosLike(in[2]) : d[1];
            dh = d[0].matmul(w);
            dw = dw == null ? d[0].t().matmul(before[t]) : dw.add(d[0].t().matmul(before[t]));
            db = b == null ? null : db == null ? d[0].sum(0) : db.add(d[0].sum(0));
        }
        Tensor dgxAll = Tensor.stack(1, dgx);
        return b == null ? tensors(dgxAll, dh, dc, dw) : tensors(dgxAll, dh, dc, dw, db);
    }
}
