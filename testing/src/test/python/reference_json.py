"""What make_ops.py and make_layers.py share: tensors as JSON, and writing the file."""
import json
import os
import sys

import torch


def T(t):
    """A tensor as {"shape", "dtype", "data"}: row-major values, float64 (booleans as 0/1) or int64."""
    t = t.detach()
    if t.dtype == torch.bool:
        t = t.to(torch.float64)
    if t.is_floating_point():
        return {"shape": list(t.shape), "dtype": "float64", "data": [float(v) for v in t.flatten().tolist()]}
    return {"shape": list(t.shape), "dtype": "int64", "data": [int(v) for v in t.flatten().tolist()]}


def grid(generator, *shape):
    """Values with no ties: an evenly spaced grid over [-3, 3] (shifted off 0), shuffled by the generator."""
    n = 1
    for s in shape:
        n *= s
    values = torch.linspace(-3.0, 3.0, n) + 0.0137
    return values[torch.randperm(n, generator=generator)].reshape(shape)


def write(doc, file_name):
    """Writes doc to the path given as the first argument, else to ../resources/registry/file_name (not
    reference/: autograd's tests, on the same classpath in the mutation run, read a reference/layers.json of their
    own)."""
    out = sys.argv[1] if len(sys.argv) > 1 else os.path.join(os.path.dirname(os.path.abspath(__file__)), "..",
                                                              "resources", "registry", file_name)
    with open(out, "w") as f:
        json.dump(doc, f, indent=1)
        f.write("\n")
    print("wrote %d cases to %s" % (len(doc["cases"]), os.path.normpath(out)))
