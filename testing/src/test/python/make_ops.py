#!/usr/bin/python3
"""PyTorch float64 values for ndgrad's op registry: testing/src/test/resources/registry/ops.json.

Run from the repository root with Debian's python3-torch (PyTorch 1.13):
    /usr/bin/python3 testing/src/test/python/make_ops.py

Each case names an entry of the registry ("op: what"), the PyTorch call, its inputs (float64, or int64 for
indices; "grad" marks those the gradient is taken for), the output, a weighting R of the output's shape, and the
gradients of sum(output * R) with respect to each input marked "grad" (by position). Values come from one
torch.Generator seeded 20261206, drawn in the order of this file, so a rerun writes the same file.
"""
import math

import torch
import torch.nn.functional as F

from reference_json import T, grid, write

torch.set_default_dtype(torch.float64)
G = torch.Generator().manual_seed(20261206)
CASES = []
INF = math.inf


def randn(*shape):
    return torch.randn(shape, generator=G)


def positive(*shape):
    return 0.5 + 1.5 * torch.rand(shape, generator=G)


def distinct(*shape):
    return grid(G, *shape)


def given(values, *shape):
    return torch.tensor(values, dtype=torch.float64).reshape(shape)


def index(values, *shape):
    return torch.tensor(values, dtype=torch.int64).reshape(shape)


def case(name, call, fn, *inputs, grad=None):
    """inputs: tensors; float ones get gradients unless `grad` lists the positions that do."""
    xs = []
    for i, x in enumerate(inputs):
        x = x.detach().clone()
        wants = x.is_floating_point() and (grad is None or i in grad)
        xs.append(x.requires_grad_(wants))
    out = fn(*xs)
    entry = {"name": name, "call": call, "inputs": [dict(T(x), grad=x.requires_grad) for x in xs], "output": T(out)}
    wrt = [i for i, x in enumerate(xs) if x.requires_grad]
    if out.is_floating_point() and out.requires_grad and wrt:
        R = torch.randn(out.shape, generator=G)
        gs = torch.autograd.grad((out * R).sum(), [xs[i] for i in wrt], allow_unused=True)
        entry["R"] = T(R)
        entry["grads"] = {str(i): T(g if g is not None else torch.zeros(xs[i].shape)) for i, g in zip(wrt, gs)}
    CASES.append(entry)


# ---------------------------------------------------------------- elementwise of one input

KINKS = given([-2.0, -0.0, 0.0, 0.5, 3.0, -1e-300, 1e-300, 40.0, -40.0], 9)
case("neg: values", "torch.neg(x)", torch.neg, randn(2, 3))
case("reciprocal: values", "torch.reciprocal(x)", torch.reciprocal, positive(2, 3))
case("reciprocal: zero and infinities", "torch.reciprocal(x)", torch.reciprocal, given([0.0, -0.0, INF, -INF, 2.0], 5))
case("exp: values", "torch.exp(x)", torch.exp, randn(2, 3))
case("exp: large and infinite", "torch.exp(x)", torch.exp, given([700.0, -700.0, -INF, 0.0, 80.0], 5))
case("log: values", "torch.log(x)", torch.log, positive(2, 3))
case("log: zero, infinity, negative", "torch.log(x)", torch.log, given([0.0, INF, -1.0, 1e-300, 1.0], 5))
case("sin: values", "torch.sin(x)", torch.sin, randn(2, 3))
case("sin: large", "torch.sin(x)", torch.sin, given([1e6, -1e5, math.pi, 0.0], 4))
case("cos: values", "torch.cos(x)", torch.cos, randn(2, 3))
case("cos: large", "torch.cos(x)", torch.cos, given([1e6, -1e5, math.pi / 2, 0.0], 4))
case("sqrt: values", "torch.sqrt(x)", torch.sqrt, positive(2, 3))
case("sqrt: zero and infinity", "torch.sqrt(x)", torch.sqrt, given([0.0, INF, 1e-300, 4.0], 4))
case("abs: values", "torch.abs(x)", torch.abs, randn(2, 3))
case("abs: kinks", "torch.abs(x)", torch.abs, KINKS)
case("tanh: values", "torch.tanh(x)", torch.tanh, randn(2, 3))
case("tanh: saturated", "torch.tanh(x)", torch.tanh, given([30.0, -30.0, 400.0, -INF, 0.0], 5))
case("sigmoid: values", "torch.sigmoid(x)", torch.sigmoid, randn(2, 3))
case("sigmoid: saturated", "torch.sigmoid(x)", torch.sigmoid, given([40.0, -40.0, 800.0, -800.0, -INF, INF], 6))
case("relu: values", "torch.relu(x)", torch.relu, randn(2, 3))
case("relu: kinks", "torch.relu(x)", torch.relu, KINKS)
case("leakyRelu: values", "F.leaky_relu(x, 0.1)", lambda x: F.leaky_relu(x, 0.1), randn(2, 3))
case("leakyRelu: kinks", "F.leaky_relu(x, 0.01)", lambda x: F.leaky_relu(x, 0.01), KINKS)
case("softplus: values", "F.softplus(x)", F.softplus, randn(2, 3))
case("softplus: large", "F.softplus(x)", F.softplus, given([100.0, -100.0, 30.0, -30.0, 0.0], 5))
case("erf: values", "torch.erf(x)", torch.erf, randn(2, 3))
case("erf: tails", "torch.erf(x)", torch.erf, given([6.0, -6.0, 1e-10, 3.5, -27.0], 5))
case("gelu: values", "F.gelu(x)", F.gelu, randn(2, 3))
case("gelu: tails", "F.gelu(x)", F.gelu, given([-10.0, 10.0, -40.0, 0.0], 4))
case("geluTanh: values", "F.gelu(x, approximate='tanh')", lambda x: F.gelu(x, approximate='tanh'), randn(2, 3))
case("clamp: values", "torch.clamp(x, -0.5, 0.8)", lambda x: torch.clamp(x, -0.5, 0.8), randn(3, 4))
case("clamp: at the bounds", "torch.clamp(x, -0.5, 0.8)", lambda x: torch.clamp(x, -0.5, 0.8),
     given([-0.5, 0.8, -0.6, 0.9, 0.0, -INF, INF], 7))
case("clamp: one-sided", "torch.clamp(x, min=-0.25)", lambda x: torch.clamp(x, min=-0.25), randn(2, 3))
case("pow scalar: values", "torch.pow(x, 3.0)", lambda x: torch.pow(x, 3.0), randn(2, 3))
case("pow scalar: fractional", "torch.pow(x, 0.5)", lambda x: torch.pow(x, 0.5), positive(2, 3))
case("pow scalar: negative", "torch.pow(x, -2.0)", lambda x: torch.pow(x, -2.0), positive(2, 3))
case("pow scalar: zero exponent", "torch.pow(x, 0.0)", lambda x: torch.pow(x, 0.0), given([0.0, -1.5, 2.0], 3))
case("pow scalar: zero base", "torch.pow(x, 2.0)", lambda x: torch.pow(x, 2.0), given([0.0, -0.0, 1.0], 3))
case("pow scalar: zero base, fractional", "torch.pow(x, 0.5)", lambda x: torch.pow(x, 0.5), given([0.0, 4.0], 2))
case("add scalar: values", "x + 2.5", lambda x: x + 2.5, randn(2, 3))
case("sub scalar: values", "x - 1.25", lambda x: x - 1.25, randn(2, 3))
case("mul scalar: values", "x * -1.5", lambda x: x * -1.5, randn(2, 3))
case("div scalar: values", "x / 3", lambda x: x / 3, randn(2, 3))
case("rsub: values", "3 - x", lambda x: 3 - x, randn(2, 3))
case("rdiv: values", "2.5 / x", lambda x: 2.5 / x, positive(2, 3))

# ---------------------------------------------------------------- elementwise of two or three inputs

case("add: broadcast", "torch.add(a, b)", torch.add, randn(3, 4), randn(4))
case("sub: broadcast", "torch.sub(a, b)", torch.sub, randn(3, 1), randn(1, 4))
case("mul: broadcast", "torch.mul(a, b)", torch.mul, randn(2, 3, 4), randn(3, 1))
case("div: broadcast", "torch.div(a, b)", torch.div, randn(3, 4), positive(4))
case("div: by zero", "torch.div(a, b)", torch.div, given([1.0, -1.0, 0.0, 2.0], 4), given([0.0, 0.0, 0.0, -0.0], 4))
case("pow: broadcast", "torch.pow(a, b)", torch.pow, positive(3, 4), randn(4))
case("pow: zero base", "torch.pow(a, b)", torch.pow, given([0.0, 0.0, 0.0, 2.0, 0.0], 5),
     given([2.0, 0.5, 0.0, 3.0, 1.0], 5))
case("maximum: broadcast", "torch.maximum(a, b)", torch.maximum, distinct(3, 4), randn(4))
case("maximum: ties", "torch.maximum(a, b)", torch.maximum, given([1.0, 2.0, -3.0, 0.0], 4),
     given([1.0, 1.0, -3.0, -0.0], 4))
case("minimum: broadcast", "torch.minimum(a, b)", torch.minimum, distinct(3, 4), randn(3, 1))
case("minimum: ties", "torch.minimum(a, b)", torch.minimum, given([1.0, 2.0, -3.0, -INF], 4),
     given([1.0, 1.0, -3.0, -INF], 4))
case("where: broadcast", "torch.where(c != 0, a, b)", lambda c, a, b: torch.where(c != 0, a, b),
     given([1, 0, 0, 1, 1, 0, 1, 0, 0, 0, 1, 1], 3, 4), randn(3, 4), randn(4), grad=[1, 2])
case("maskedFill: values", "x.masked_fill(m != 0, 2.0)", lambda x, m: x.masked_fill(m != 0, 2.0), randn(3, 4),
     given([1, 0, 0, 1], 4), grad=[0])

# ---------------------------------------------------------------- comparisons (0/1 in the input's dtype in ndgrad)

for op in ("gt", "ge", "lt", "le", "eq"):
    fn = getattr(torch, op)
    case(op + ": values", "torch.%s(a, b)" % op, fn, given([1.0, 2.0, -3.0, 0.0, INF, -0.0], 2, 3),
         given([1.0, 3.0, -4.0], 3), grad=[])
case("gt scalar: values", "x > 0.5", lambda x: x > 0.5, given([0.5, 0.6, -1.0, INF], 4), grad=[])
case("lt scalar: values", "x < 0.5", lambda x: x < 0.5, given([0.5, 0.4, -1.0, -INF], 4), grad=[])

# ---------------------------------------------------------------- reductions

case("sum: dims", "torch.sum(x, (0, 2))", lambda x: torch.sum(x, (0, 2)), randn(2, 3, 4))
case("mean: dim keepdim", "torch.mean(x, -1, keepdim=True)", lambda x: torch.mean(x, -1, keepdim=True), randn(3, 4))
case("var: unbiased", "torch.var(x, 1)", lambda x: torch.var(x, 1), randn(3, 4))
case("var: population, keepdim", "torch.var(x, 0, unbiased=False, keepdim=True)",
     lambda x: torch.var(x, 0, unbiased=False, keepdim=True), randn(3, 4))
case("amax: ties", "torch.amax(x, 1)", lambda x: torch.amax(x, 1), given([1, 3, 3, 0, 2, 2, 2, -1, -5, -5, -6, -7], 3, 4))
case("amin: ties", "torch.amin(x, 0, keepdim=True)", lambda x: torch.amin(x, 0, keepdim=True),
     given([1, 3, 3, 0, 1, 2, 2, -1, 4, -5, 3, -1], 3, 4))
case("max: all, ties", "torch.max(x)", torch.max, given([1.0, 3.0, 3.0, 0.0, 3.0, -1.0], 2, 3))
case("min: all, ties", "torch.min(x)", torch.min, given([1.0, -3.0, 3.0, -3.0, 3.0, -1.0], 2, 3))
case("max dim: ties", "torch.max(x, 1).values", lambda x: torch.max(x, 1).values,
     given([1, 3, 3, 0, 2, 2, 2, -1, -5, -5, -6, -7], 3, 4))
case("max dim indices: ties", "torch.max(x, 1).indices", lambda x: torch.max(x, 1).indices,
     given([1, 3, 3, 0, 2, 2, 2, -1, -5, -5, -6, -7], 3, 4))
case("min dim: ties, keepdim", "torch.min(x, 0, keepdim=True).values",
     lambda x: torch.min(x, 0, keepdim=True).values, given([1, 3, 3, 0, 1, 2, 2, -1, 4, -5, 3, -1], 3, 4))
case("argmax: ties", "torch.argmax(x, 1)", lambda x: torch.argmax(x, 1), given([1, 3, 3, 0, 2, 2, 2, -1], 2, 4), grad=[])
case("argmin: ties", "torch.argmin(x)", torch.argmin, given([1, -3, 3, -3, 2, 2], 2, 3), grad=[])
case("logSumExp: values", "torch.logsumexp(x, 1)", lambda x: torch.logsumexp(x, 1), randn(3, 4))
case("logSumExp: -inf and large", "torch.logsumexp(x, 1)", lambda x: torch.logsumexp(x, 1),
     given([-INF, 0.0, 1.0, 1000.0, 1000.0, -1000.0], 2, 3))
case("softmax: values", "torch.softmax(x, 1)", lambda x: torch.softmax(x, 1), randn(3, 4))
case("softmax: -inf and large", "torch.softmax(x, 1)", lambda x: torch.softmax(x, 1),
     given([-INF, 0.0, 1.0, 1000.0, 1000.0, -1000.0], 2, 3))
case("logSoftmax: values", "torch.log_softmax(x, 0)", lambda x: torch.log_softmax(x, 0), randn(3, 4))
case("crossEntropy: values", "F.cross_entropy(x, y, reduction='none')",
     lambda x, y: F.cross_entropy(x, y, reduction='none'), randn(4, 3), index([2, 0, 1, 2], 4))
case("crossEntropy: large logits", "F.cross_entropy(x, y, reduction='none')",
     lambda x, y: F.cross_entropy(x, y, reduction='none'), given([1000.0, -1000.0, 0.0, 50.0, 50.0, 50.0], 2, 3),
     index([1, 0], 2))

# ---------------------------------------------------------------- products

case("matmul: 2-D", "torch.matmul(a, b)", torch.matmul, randn(2, 3), randn(3, 4))
case("matmul: 4-D by 1-D", "torch.matmul(a, b)", torch.matmul, randn(2, 1, 3, 5), randn(5))
case("matmul: 1-D by 4-D", "torch.matmul(a, b)", torch.matmul, randn(5), randn(2, 1, 5, 3))
case("matmul: 4-D by 2-D", "torch.matmul(a, b)", torch.matmul, randn(2, 1, 3, 5), randn(5, 4))
case("matmul: batches broadcast", "torch.matmul(a, b)", torch.matmul, randn(2, 1, 3, 5), randn(4, 5, 2))
case("linear: values", "F.linear(x, w, b)", F.linear, randn(4, 3), randn(5, 3), randn(5))

# ---------------------------------------------------------------- shapes and indexing

case("gather: repeats", "torch.gather(x, 1, i)", lambda x, i: torch.gather(x, 1, i), randn(2, 5),
     index([0, 4, 4, 1, 2, 2, 2, 3], 2, 4))
case("scatterAdd: repeats", "x.scatter_add(1, i, s)", lambda x, i, s: x.scatter_add(1, i, s), randn(2, 5),
     index([0, 4, 4, 1, 2, 2, 3, 0], 2, 4), randn(2, 4))
case("indexSelect: repeats", "torch.index_select(x, 0, i)", lambda x: torch.index_select(x, 0, index([2, 0, 2], 3)),
     randn(3, 4))
case("pad: values", "F.pad(x, (0, 0, 2, 1))", lambda x: F.pad(x, (0, 0, 2, 1)), randn(2, 3))
case("unfold: padding filled", "F.unfold(F.pad(x, (1, 1, 1, 1), value=2.5), 2, dilation=2) as (C·k·k, N·L)",
     lambda x: F.unfold(F.pad(x, (1, 1, 1, 1), value=2.5), 2, dilation=2).permute(1, 0, 2).reshape(4, -1),
     randn(2, 1, 4, 4))
case("maxPool2d: ties and padding", "F.max_pool2d(x, 3, 2, 1)", lambda x: F.max_pool2d(x, 3, 2, 1),
     torch.round(randn(1, 2, 5, 5)))

# ---------------------------------------------------------------- losses

case("mse: mean", "F.mse_loss(x, y)", F.mse_loss, randn(3, 4), randn(3, 4), grad=[0])
case("mse: none", "F.mse_loss(x, y, reduction='none')", lambda x, y: F.mse_loss(x, y, reduction='none'),
     randn(3, 4), randn(3, 4))
case("l1: sum", "F.l1_loss(x, y, reduction='sum')", lambda x, y: F.l1_loss(x, y, reduction='sum'), randn(3, 4),
     randn(3, 4), grad=[0])
case("l1: equal values", "F.l1_loss(x, y, reduction='none')", lambda x, y: F.l1_loss(x, y, reduction='none'),
     given([1.0, 2.0, -3.0], 3), given([1.0, 2.5, -3.0], 3))
case("huber: mean", "F.huber_loss(x, y, delta=0.7)", lambda x, y: F.huber_loss(x, y, delta=0.7), randn(3, 4),
     randn(3, 4), grad=[0])
case("huber: at delta", "F.huber_loss(x, y, reduction='none', delta=0.5)",
     lambda x, y: F.huber_loss(x, y, reduction='none', delta=0.5), given([0.5, -0.5, 0.0, 2.0], 4),
     given([0.0, 0.0, 0.0, 0.0], 4))
case("bceWithLogits: mean", "F.binary_cross_entropy_with_logits(x, y)", F.binary_cross_entropy_with_logits,
     randn(3, 4), torch.rand((3, 4), generator=G))
case("bceWithLogits: large logits", "F.binary_cross_entropy_with_logits(x, y, reduction='none')",
     lambda x, y: F.binary_cross_entropy_with_logits(x, y, reduction='none'), given([100.0, -100.0, 0.0], 3),
     given([0.0, 1.0, 0.5], 3))
case("crossEntropy labels: mean", "F.cross_entropy(x, y)", F.cross_entropy, randn(4, 3), index([2, 0, 1, 2], 4))
case("crossEntropy labels: sum", "F.cross_entropy(x, y, reduction='sum')",
     lambda x, y: F.cross_entropy(x, y, reduction='sum'), randn(4, 3), index([2, 0, 1, 2], 4))
W3 = given([0.5, 1.0, 2.0], 3)
case("crossEntropy options: weight, ignored, smoothed", "F.cross_entropy(x, y, weight=w, ignore_index=-100, "
     "label_smoothing=0.2)", lambda x, y: F.cross_entropy(x, y, weight=W3, label_smoothing=0.2), randn(4, 3),
     index([2, -100, 1, 0], 4))
case("crossEntropy probabilities: sum", "F.cross_entropy(x, p, reduction='sum')",
     lambda x, p: F.cross_entropy(x, p, reduction='sum'), randn(4, 3), torch.softmax(randn(4, 3), 1))
case("crossEntropy probabilities: weight, smoothed, mean", "F.cross_entropy(x, p, weight=w, label_smoothing=0.1)",
     lambda x, p: F.cross_entropy(x, p, weight=W3, label_smoothing=0.1), randn(4, 3),
     torch.softmax(randn(4, 3), 1))

# ---------------------------------------------------------------- added after the first set (appended, so that the
# seeded draws of the cases above stay the same)

case("log1p: values", "torch.log1p(x)", torch.log1p, positive(2, 3))
case("log1p: tiny, -1, infinity", "torch.log1p(x)", torch.log1p, given([1e-300, -1e-20, 1e-10, -1.0, INF, -0.5], 6))

# ---------------------------------------------------------------- integer data and orderings (issue 33), appended

case("cumsum: dim 1", "torch.cumsum(x, 1)", lambda x: torch.cumsum(x, 1), randn(2, 4))
case("cumsum: dim 0 of 3-D", "torch.cumsum(x, 0)", lambda x: torch.cumsum(x, 0), randn(3, 2, 2))
case("sort: descending, dim 0", "torch.sort(x, 0, descending=True, stable=True).values",
     lambda x: torch.sort(x, dim=0, descending=True, stable=True).values, distinct(4, 3))
case("sort indices: ties", "torch.sort(x, 1, stable=True).indices",
     lambda x: torch.sort(x, dim=1, stable=True).indices, given([2.0, 1.0, 2.0, 0.0, 1.0, 5.0, 5.0, 5.0], 2, 4))
case("topk: 2 largest of the last dim", "torch.topk(x, 2).values", lambda x: torch.topk(x, 2).values,
     distinct(3, 5))
case("topk: 3 smallest along dim 0", "torch.topk(x, 3, 0, largest=False).values",
     lambda x: torch.topk(x, 3, 0, largest=False).values, distinct(4, 2))
case("ne: values", "torch.ne(x, y)", torch.ne, given([1.0, 2.0, 3.0, -0.0], 4), given([1.0, 0.0, 3.0, 0.0], 4))
case("to int64: truncation", "x.to(torch.int64)", lambda x: x.to(torch.int64),
     given([1.7, -1.7, 2.5, -0.5, 3.0, 1e10], 6))

# ---------------------------------------------------------------- linear on (*, in) inputs (issue 32), appended

case("linear: 3-D input", "F.linear(x, w, b)", F.linear, randn(2, 3, 4), randn(5, 4), randn(5))
case("linear: 1-D input, no bias", "F.linear(x, w)", F.linear, randn(4), randn(3, 4))


def main():
    write({"description": "PyTorch float64 values for ndgrad's op registry (see make_ops.py)",
           "torch_version": torch.__version__, "seed": 20261206, "cases": CASES}, "ops.json")


if __name__ == "__main__":
    main()
