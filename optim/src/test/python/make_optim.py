#!/usr/bin/python3
"""PyTorch float64 trajectories of every optimizer option and learning rates of every scheduler, for ndgrad's optim
tests: optim/src/test/resources/reference/optim.json.

Run from the repository root with Debian's python3-torch (PyTorch 1.13):
    /usr/bin/python3 optim/src/test/python/make_optim.py

Optimizers: 50 steps on f(w) = sum(0.5 a (w - c)^2 + 0.05 w^4) over w = (1.5, -0.7, 0.3) and v = ((2.0, -1.2)),
the parameters after every step. Schedulers: an SGD at lr 0.1 stepped 20 epochs, the lr after every epoch (and
before the first). Nothing is random.
"""
import json
import os
import sys

import torch

torch.set_default_dtype(torch.float64)
A = torch.tensor([1.0, 3.0, 0.5, 2.0, 1.5])
C = torch.tensor([0.2, -1.0, 0.8, 0.0, 0.5])


def trajectory(make):
    w = torch.tensor([1.5, -0.7, 0.3], requires_grad=True)
    v = torch.tensor([[2.0, -1.2]], requires_grad=True)
    opt = make([w, v])
    out = []
    for _ in range(50):
        opt.zero_grad()
        x = torch.cat([w, v.flatten()])
        (0.5 * A * (x - C) ** 2 + 0.05 * x ** 4).sum().backward()
        opt.step()
        out.append([float(t) for t in torch.cat([w, v.flatten()]).tolist()])
    return out


O = torch.optim
OPTIMIZERS = [
    ("SGD plain", "SGD(lr=0.05)", lambda p: O.SGD(p, lr=0.05)),
    ("SGD momentum", "SGD(lr=0.05, momentum=0.9)", lambda p: O.SGD(p, lr=0.05, momentum=0.9)),
    ("SGD momentum + dampening", "SGD(lr=0.05, momentum=0.9, dampening=0.5)",
     lambda p: O.SGD(p, lr=0.05, momentum=0.9, dampening=0.5)),
    ("SGD nesterov", "SGD(lr=0.05, momentum=0.8, nesterov=True)",
     lambda p: O.SGD(p, lr=0.05, momentum=0.8, nesterov=True)),
    ("SGD weight decay", "SGD(lr=0.05, weight_decay=0.1)", lambda p: O.SGD(p, lr=0.05, weight_decay=0.1)),
    ("SGD nesterov + weight decay", "SGD(lr=0.05, momentum=0.5, nesterov=True, weight_decay=0.05)",
     lambda p: O.SGD(p, lr=0.05, momentum=0.5, nesterov=True, weight_decay=0.05)),
    ("SGD EMA momentum (dampening = momentum)", "SGD(lr=0.05, momentum=0.9, dampening=0.9)",
     lambda p: O.SGD(p, lr=0.05, momentum=0.9, dampening=0.9)),
    ("RMSprop defaults", "RMSprop()", lambda p: O.RMSprop(p)),
    ("RMSprop centered", "RMSprop(centered=True)", lambda p: O.RMSprop(p, centered=True)),
    ("RMSprop momentum", "RMSprop(momentum=0.5)", lambda p: O.RMSprop(p, momentum=0.5)),
    ("RMSprop weight decay, alpha 0.9", "RMSprop(alpha=0.9, weight_decay=0.1)",
     lambda p: O.RMSprop(p, alpha=0.9, weight_decay=0.1)),
    ("RMSprop centered + momentum + eps", "RMSprop(lr=0.005, eps=1e-3, momentum=0.9, centered=True)",
     lambda p: O.RMSprop(p, lr=0.005, eps=1e-3, momentum=0.9, centered=True)),
    ("Adam defaults", "Adam(lr=0.05)", lambda p: O.Adam(p, lr=0.05)),
    ("Adam weight decay", "Adam(lr=0.05, weight_decay=0.1)", lambda p: O.Adam(p, lr=0.05, weight_decay=0.1)),
    ("Adam amsgrad", "Adam(lr=0.05, amsgrad=True)", lambda p: O.Adam(p, lr=0.05, amsgrad=True)),
    ("Adam betas (0.3, 0.5), eps 1e-3", "Adam(lr=0.05, betas=(0.3, 0.5), eps=1e-3)",
     lambda p: O.Adam(p, lr=0.05, betas=(0.3, 0.5), eps=1e-3)),
    ("AdamW decoupled", "AdamW(lr=0.05, weight_decay=0.1)", lambda p: O.AdamW(p, lr=0.05, weight_decay=0.1)),
    ("AdamW decoupled + amsgrad", "AdamW(lr=0.05, weight_decay=0.1, amsgrad=True)",
     lambda p: O.AdamW(p, lr=0.05, weight_decay=0.1, amsgrad=True)),
    ("Adagrad defaults", "Adagrad(lr=0.1)", lambda p: O.Adagrad(p, lr=0.1)),
    ("Adagrad lr decay", "Adagrad(lr=0.1, lr_decay=0.05)", lambda p: O.Adagrad(p, lr=0.1, lr_decay=0.05)),
    ("Adagrad weight decay", "Adagrad(lr=0.1, weight_decay=0.1)", lambda p: O.Adagrad(p, lr=0.1, weight_decay=0.1)),
    ("Adagrad initial accumulator, eps", "Adagrad(lr=0.1, initial_accumulator_value=0.5, eps=1e-3)",
     lambda p: O.Adagrad(p, lr=0.1, initial_accumulator_value=0.5, eps=1e-3)),
]

S = torch.optim.lr_scheduler
PLATEAU_LOSSES = [1.0, 0.9, 0.95, 0.95, 0.95, 0.8, 0.8, 0.8, 0.8, 0.8, 0.79999, 0.7, 0.71, 0.72, 0.73, 0.74, 0.75,
                  0.76, 0.77, 0.78]
SCHEDULERS = [
    ("step", "StepLR(step_size=3, gamma=0.5)", lambda o: S.StepLR(o, step_size=3, gamma=0.5)),
    ("exponential", "ExponentialLR(gamma=0.9)", lambda o: S.ExponentialLR(o, gamma=0.9)),
    ("cosine", "CosineAnnealingLR(T_max=10, eta_min=0.01)", lambda o: S.CosineAnnealingLR(o, T_max=10, eta_min=0.01)),
    ("linear warmup", "LinearLR(start_factor=0.25, end_factor=1.0, total_iters=4)",
     lambda o: S.LinearLR(o, start_factor=0.25, end_factor=1.0, total_iters=4)),
    ("linear decay", "LinearLR(start_factor=0.5, end_factor=0.1, total_iters=8)",
     lambda o: S.LinearLR(o, start_factor=0.5, end_factor=0.1, total_iters=8)),
    ("lambda", "LambdaLR(lambda e: 0.95 ** e)", lambda o: S.LambdaLR(o, lambda e: 0.95 ** e)),
    ("plateau", "ReduceLROnPlateau(factor=0.5, patience=2, threshold=1e-4, cooldown=1, min_lr=0.02), losses "
     + str(PLATEAU_LOSSES), lambda o: S.ReduceLROnPlateau(o, factor=0.5, patience=2, threshold=1e-4, cooldown=1,
                                                          min_lr=0.02)),
]


def lrs(name, make):
    opt = torch.optim.SGD([torch.zeros(1, requires_grad=True)], lr=0.1)
    s = make(opt)
    out = [opt.param_groups[0]["lr"]]
    for e in range(20):
        opt.step()
        if name == "plateau":
            s.step(PLATEAU_LOSSES[e])
        else:
            s.step()
        out.append(opt.param_groups[0]["lr"])
    return out


def main():
    out = sys.argv[1] if len(sys.argv) > 1 else os.path.join(os.path.dirname(os.path.abspath(__file__)), "..",
                                                              "resources", "reference", "optim.json")
    doc = {"description": "PyTorch float64 optimizer trajectories and scheduler learning rates (see make_optim.py)",
           "torch_version": torch.__version__,
           "optimizers": [{"name": n, "call": "torch.optim." + c, "trajectory": trajectory(m)}
                          for n, c, m in OPTIMIZERS],
           "schedulers": [{"name": n, "call": "torch.optim.lr_scheduler." + c, "lr": lrs(n, m)}
                          for n, c, m in SCHEDULERS]}
    with open(out, "w") as f:
        json.dump(doc, f, indent=1)
        f.write("\n")
    print("wrote %d optimizers and %d schedulers to %s" % (len(OPTIMIZERS), len(SCHEDULERS), os.path.normpath(out)))


if __name__ == "__main__":
    main()
