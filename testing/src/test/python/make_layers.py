#!/usr/bin/python3
"""PyTorch float64 values for the layers of ndgrad's op registry: testing/src/test/resources/registry/layers.json.

Run from the repository root with Debian's python3-torch (PyTorch 1.13):
    /usr/bin/python3 testing/src/test/python/make_layers.py

Each case names a registry entry and its options ("Conv2d: k3 s2 p1"), the PyTorch call, the layer's parameters
and buffers (named as named_parameters() and named_buffers() name them), its inputs (float64, or int64 ids),
the output, a weighting R, and the gradients of sum(output * R) with respect to each float input (by position) and
each parameter (by name). Parameters are drawn, not left at PyTorch's initialization, so that every entry of every
gradient is exercised; one torch.Generator seeded 20261207 draws everything in the order of this file.
"""

import torch
import torch.nn as nn
import torch.nn.functional as F

from reference_json import T, grid, write

torch.set_default_dtype(torch.float64)
G = torch.Generator().manual_seed(20261207)
CASES = []


def randn(*shape):
    return torch.randn(shape, generator=G)


def distinct(*shape):
    return grid(G, *shape)


def case(name, call, module, fn, *inputs, norm=False, prepare=None):
    """fn(module, *inputs) -> output; float inputs get gradients; parameters are redrawn first, then prepared."""
    with torch.no_grad():
        for pname, p in module.named_parameters():
            if norm and pname.endswith("weight"):
                p.copy_(1.0 + 0.3 * randn(*p.shape))
            elif norm or pname.endswith("bias") or pname.startswith("bias"):
                p.copy_(0.3 * randn(*p.shape))
            else:
                p.copy_(0.5 * randn(*p.shape))
        if prepare is not None:
            prepare(module)
    params = dict(module.named_parameters())
    buffers = {k: T(b) for k, b in module.named_buffers()}
    xs = [x.detach().clone().requires_grad_(x.is_floating_point()) for x in inputs]
    entry = {"name": name, "call": call, "mode": "train" if module.training else "eval",
             "parameters": {k: T(p) for k, p in params.items()}, "buffers": buffers,
             "inputs": [T(x) for x in xs]}
    out = fn(module, *xs)
    R = torch.randn(out.shape, generator=G)
    wrt = [x for x in xs if x.requires_grad] + list(params.values())
    gs = torch.autograd.grad((out * R).sum(), wrt, allow_unused=True)
    gs = [g if g is not None else torch.zeros(w.shape) for g, w in zip(gs, wrt)]
    floats = [i for i, x in enumerate(xs) if x.requires_grad]
    entry["output"] = T(out)
    entry["R"] = T(R)
    entry["grads"] = {"inputs": {str(i): T(g) for i, g in zip(floats, gs)},
                      "parameters": {k: T(g) for k, g in zip(params.keys(), gs[len(floats):])}}
    CASES.append(entry)


def forward(m, x):
    return m(x)


case("Linear: bias", "nn.Linear(3, 4)", nn.Linear(3, 4), forward, randn(5, 3))
case("Linear: no bias", "nn.Linear(3, 2, bias=False)", nn.Linear(3, 2, bias=False), forward, randn(4, 3))
case("Linear: 3-D input", "nn.Linear(3, 2)", nn.Linear(3, 2), forward, randn(2, 4, 3))

case("Conv1d: k3 s1 p1", "nn.Conv1d(2, 3, 3, stride=1, padding=1)", nn.Conv1d(2, 3, 3, padding=1), forward,
     randn(2, 2, 7))
case("Conv1d: k2 s2 d2 groups 2, no bias", "nn.Conv1d(4, 2, 2, stride=2, dilation=2, groups=2, bias=False)",
     nn.Conv1d(4, 2, 2, stride=2, dilation=2, groups=2, bias=False), forward, randn(1, 4, 9))
case("Conv2d: k3 s2 p1", "nn.Conv2d(2, 4, 3, stride=2, padding=1)", nn.Conv2d(2, 4, 3, stride=2, padding=1),
     forward, randn(2, 2, 7, 6))
case("Conv2d: dilation 2, no bias", "nn.Conv2d(3, 3, 2, dilation=2, bias=False)",
     nn.Conv2d(3, 3, 2, dilation=2, bias=False), forward, randn(1, 3, 6, 6))
case("Conv2d: groups 2", "nn.Conv2d(4, 4, 3, groups=2)", nn.Conv2d(4, 4, 3, groups=2), forward, randn(1, 4, 5, 5))
case("Conv2d: 1x1", "nn.Conv2d(3, 2, 1)", nn.Conv2d(3, 2, 1), forward, randn(2, 3, 2, 3))

case("MaxPool2d: k2", "nn.MaxPool2d(2)", nn.MaxPool2d(2), forward, distinct(2, 2, 4, 5))
case("MaxPool2d: k3 s2 p1", "nn.MaxPool2d(3, stride=2, padding=1)", nn.MaxPool2d(3, stride=2, padding=1), forward,
     distinct(1, 2, 5, 5))
case("MaxPool2d: k2 s1, overlapping", "nn.MaxPool2d(2, stride=1)", nn.MaxPool2d(2, stride=1), forward,
     distinct(1, 1, 4, 4))
case("AvgPool2d: k2", "nn.AvgPool2d(2)", nn.AvgPool2d(2), forward, randn(2, 2, 4, 5))
case("AvgPool2d: k3 s1 p1", "nn.AvgPool2d(3, stride=1, padding=1)", nn.AvgPool2d(3, stride=1, padding=1), forward,
     randn(1, 2, 4, 4))
case("AdaptiveAvgPool2d: 1x1", "nn.AdaptiveAvgPool2d((1, 1))", nn.AdaptiveAvgPool2d((1, 1)), forward,
     randn(2, 3, 4, 5))
case("AdaptiveAvgPool2d: 5x7 to 3x2", "nn.AdaptiveAvgPool2d((3, 2))", nn.AdaptiveAvgPool2d((3, 2)), forward,
     randn(2, 2, 5, 7))
case("AdaptiveAvgPool2d: 3x3 to 4x4", "nn.AdaptiveAvgPool2d((4, 4))", nn.AdaptiveAvgPool2d((4, 4)), forward,
     randn(1, 2, 3, 3))
case("AdaptiveAvgPool2d: 4x6 to 2x3", "nn.AdaptiveAvgPool2d((2, 3))", nn.AdaptiveAvgPool2d((2, 3)), forward,
     randn(1, 1, 4, 6))


def batchnorm(cls, c, eps, momentum, train):
    m = cls(c, eps=eps, momentum=momentum)
    with torch.no_grad():
        m.running_mean.copy_(0.2 * randn(c))
        m.running_var.copy_(0.5 + torch.rand((c,), generator=G))
    return m.train(train)


case("BatchNorm1d: train", "nn.BatchNorm1d(4, eps=1e-5, momentum=0.1)", batchnorm(nn.BatchNorm1d, 4, 1e-5, 0.1, True),
     forward, randn(6, 4), norm=True)
case("BatchNorm1d: eval", "nn.BatchNorm1d(4, eps=1e-3, momentum=0.2).eval()",
     batchnorm(nn.BatchNorm1d, 4, 1e-3, 0.2, False), forward, randn(6, 4), norm=True)
case("BatchNorm1d: train, (N, C, L)", "nn.BatchNorm1d(3)", batchnorm(nn.BatchNorm1d, 3, 1e-5, 0.1, True), forward,
     randn(2, 3, 4), norm=True)
case("BatchNorm2d: train", "nn.BatchNorm2d(3, eps=1e-4, momentum=0.3)",
     batchnorm(nn.BatchNorm2d, 3, 1e-4, 0.3, True), forward, randn(2, 3, 3, 4), norm=True)
case("BatchNorm2d: eval", "nn.BatchNorm2d(3).eval()", batchnorm(nn.BatchNorm2d, 3, 1e-5, 0.1, False), forward,
     randn(2, 3, 3, 4), norm=True)
case("LayerNorm: last dim", "nn.LayerNorm(5)", nn.LayerNorm(5), forward, randn(3, 4, 5), norm=True)
case("LayerNorm: last two dims, eps 1e-3", "nn.LayerNorm((3, 4), eps=1e-3)", nn.LayerNorm((3, 4), eps=1e-3), forward,
     randn(2, 3, 4), norm=True)

case("Embedding: repeats", "nn.Embedding(10, 4)", nn.Embedding(10, 4), forward,
     torch.tensor([[1, 3, 3, 9, 0], [3, 2, 1, 1, 7]]))


def zero_row_2(m):
    m.weight[2].zero_()


case("Embedding: padding index 2", "nn.Embedding(6, 3, padding_idx=2)", nn.Embedding(6, 3, padding_idx=2), forward,
     torch.tensor([[2, 0, 2, 5], [1, 2, 4, 4]]), prepare=zero_row_2)


def states(m, x, *s):
    out = m(x, s[0] if len(s) == 1 else tuple(s))
    output, rest = out
    parts = [output.flatten()]
    for t in (rest if isinstance(rest, tuple) else (rest,)):
        parts.append(t.flatten())
    return torch.cat(parts)


def forward_first(m, x):
    return m(x)[0]


case("RNN: zero state", "nn.RNN(3, 4, batch_first=True)", nn.RNN(3, 4, batch_first=True), forward_first,
     randn(2, 5, 3))
case("RNN: h0, output then h_n", "nn.RNN(3, 4, batch_first=True)(x, h0): cat(output, h_n) flattened",
     nn.RNN(3, 4, batch_first=True), states, randn(2, 3, 3), randn(1, 2, 4))
case("LSTM: zero state", "nn.LSTM(3, 4, batch_first=True)", nn.LSTM(3, 4, batch_first=True), forward_first,
     randn(2, 5, 3))
case("LSTM: h0 and c0, output then h_n and c_n",
     "nn.LSTM(3, 4, batch_first=True)(x, (h0, c0)): cat(output, h_n, c_n) flattened",
     nn.LSTM(3, 4, batch_first=True), states, randn(2, 3, 3), randn(1, 2, 4), randn(1, 2, 4))
case("GRU: zero state", "nn.GRU(3, 4, batch_first=True)", nn.GRU(3, 4, batch_first=True), forward_first,
     randn(2, 5, 3))
case("GRU: h0, output then h_n", "nn.GRU(3, 4, batch_first=True)(x, h0): cat(output, h_n) flattened",
     nn.GRU(3, 4, batch_first=True), states, randn(2, 3, 3), randn(1, 2, 4))


def self_attention(causal):
    def f(m, x):
        mask = torch.triu(torch.full((x.shape[1], x.shape[1]), float("-inf")), diagonal=1) if causal else None
        return m(x, x, x, attn_mask=mask, need_weights=False)[0]
    return f


case("MultiheadAttention: causal, 2 heads", "nn.MultiheadAttention(4, 2, batch_first=True), causal attn_mask",
     nn.MultiheadAttention(4, 2, batch_first=True), self_attention(True), randn(2, 5, 4))
case("MultiheadAttention: 1 head", "nn.MultiheadAttention(6, 1, batch_first=True)",
     nn.MultiheadAttention(6, 1, batch_first=True), self_attention(False), randn(2, 3, 6))


def attention(causal):
    def f(m, q, k, v):
        s = q @ k.transpose(1, 2) / q.shape[2] ** 0.5
        if causal:
            s = s + torch.triu(torch.full((q.shape[1], k.shape[1]), float("-inf")), diagonal=1)
        return torch.softmax(s, -1) @ v
    return f


case("scaledDotProduct: causal", "softmax(q k^T / sqrt(d) + causal mask) v", nn.Identity(), attention(True),
     randn(2, 4, 3), randn(2, 4, 3), randn(2, 4, 2))
case("scaledDotProduct: keys longer than queries", "softmax(q k^T / sqrt(d)) v", nn.Identity(), attention(False),
     randn(2, 2, 3), randn(2, 5, 3), randn(2, 5, 4))

# added later, last, so that the cases above keep their random draws
case("LayerNorm: (4, 1e-3) in PyTorch's order", "nn.LayerNorm(4, 1e-3)", nn.LayerNorm(4, 1e-3), forward,
     randn(3, 4), norm=True)
case("LayerNorm: elementwise_affine False", "nn.LayerNorm((3, 4), elementwise_affine=False)",
     nn.LayerNorm((3, 4), elementwise_affine=False), forward, randn(2, 3, 4), norm=True)

case("LSTM: 2 layers, bidirectional, h0 and c0",
     "nn.LSTM(3, 4, num_layers=2, bidirectional=True, batch_first=True)(x, (h0, c0)): cat(output, h_n, c_n) flattened",
     nn.LSTM(3, 4, num_layers=2, bidirectional=True, batch_first=True), states, randn(2, 3, 3), randn(4, 2, 4),
     randn(4, 2, 4))
case("GRU: seq-first, no bias, h0", "nn.GRU(3, 4, bias=False)(x, h0): cat(output, h_n) flattened",
     nn.GRU(3, 4, bias=False), states, randn(4, 2, 3), randn(1, 2, 4))
case("RNN: 3 layers, bidirectional, seq-first, h0",
     "nn.RNN(2, 3, num_layers=3, bidirectional=True)(x, h0): cat(output, h_n) flattened",
     nn.RNN(2, 3, num_layers=3, bidirectional=True), states, randn(3, 2, 2), randn(6, 2, 3))

case("BatchNorm2d: no affine, no running statistics, eval",
     "nn.BatchNorm2d(3, affine=False, track_running_stats=False).eval()",
     nn.BatchNorm2d(3, affine=False, track_running_stats=False).eval(), forward, randn(2, 3, 2, 3))
case("BatchNorm1d: momentum None, no affine", "nn.BatchNorm1d(4, momentum=None, affine=False)",
     nn.BatchNorm1d(4, momentum=None, affine=False), forward, randn(5, 4))

case("Conv2d: kernel (2, 3), stride (2, 1), padding (1, 0)",
     "nn.Conv2d(2, 3, (2, 3), stride=(2, 1), padding=(1, 0))",
     nn.Conv2d(2, 3, (2, 3), stride=(2, 1), padding=(1, 0)), forward, randn(1, 2, 5, 6))
case("MaxPool2d: (2, 3) s2 p1, ceil_mode", "nn.MaxPool2d((2, 3), stride=2, padding=1, ceil_mode=True)",
     nn.MaxPool2d((2, 3), stride=2, padding=1, ceil_mode=True), forward, distinct(1, 2, 5, 6))
case("MaxPool2d: k2 s1, dilation 2", "nn.MaxPool2d(2, stride=1, dilation=2)", nn.MaxPool2d(2, stride=1, dilation=2),
     forward, distinct(1, 1, 5, 5))
case("AvgPool2d: k3 s2 p1, ceil_mode, count_include_pad False",
     "nn.AvgPool2d(3, stride=2, padding=1, ceil_mode=True, count_include_pad=False)",
     nn.AvgPool2d(3, stride=2, padding=1, ceil_mode=True, count_include_pad=False), forward, randn(1, 2, 6, 5))
case("AvgPool2d: (2, 3) s2, ceil_mode", "nn.AvgPool2d((2, 3), stride=2, ceil_mode=True)",
     nn.AvgPool2d((2, 3), stride=2, ceil_mode=True), forward, randn(1, 1, 5, 7))

KEEP = torch.tensor([[True, True, False, True, False], [True, False, False, False, True],
                     [False, True, True, True, True]])


def masked_attention(q, k, v, mask, scale):
    s = q @ k.transpose(-2, -1) * scale
    s = s.masked_fill(~mask, float("-inf")) if mask.dtype == torch.bool else s + mask
    return torch.softmax(s, -1) @ v


case("scaledDotProduct: 4-D, bool mask, scale 0.5",
     "softmax((q k^T * 0.5).masked_fill(~keep, -inf)) v over (batch, heads, L, E); keep (3, 5) as in the test",
     nn.Identity(), lambda m, q, k, v: masked_attention(q, k, v, KEEP, 0.5), randn(2, 2, 3, 4), randn(2, 2, 5, 4),
     randn(2, 2, 5, 3))
case("scaledDotProduct: float mask per batch, broadcast over heads",
     "softmax(q k^T / sqrt(E) + mask) v; mask (2, 1, 3, 5) = 0.5 * arange(30) % 3 - 1 as in the test",
     nn.Identity(), lambda m, q, k, v: masked_attention(
         q, k, v, (0.5 * (torch.arange(30.0) % 3) - 1).reshape(2, 1, 3, 5), 4 ** -0.5),
     randn(2, 2, 3, 4), randn(2, 2, 5, 4), randn(2, 2, 5, 2))

def masked_self_attention(m, x):
    attn = torch.tensor([[False, True, True, False], [False, False, True, True], [True, False, False, False],
                         [False, False, False, False]])
    pad = torch.tensor([[False, False, False, True], [False, True, False, False]])
    return m(x, x, x, attn_mask=attn, key_padding_mask=pad, need_weights=False)[0]


case("MultiheadAttention: bool attn_mask and key_padding_mask",
     "nn.MultiheadAttention(6, 2, batch_first=True)(x, x, x, attn_mask, key_padding_mask) with the masks of the test",
     nn.MultiheadAttention(6, 2, batch_first=True).eval(), masked_self_attention, randn(2, 4, 6))


def main():
    write({"description": "PyTorch float64 values for the layers of ndgrad's op registry (see make_layers.py)",
           "torch_version": torch.__version__, "seed": 20261207, "cases": CASES}, "layers.json")


if __name__ == "__main__":
    main()
