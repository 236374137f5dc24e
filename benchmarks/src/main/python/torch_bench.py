#!/usr/bin/python3
"""PyTorch's side of ndgrad's benchmark (run by ndgrad.benchmarks.Bench, not by hand).

  torch_bench.py step CONFIG TORCH_THREADS WARMUP_S TIMED_S   -> RESULT ms_per_step peak_rss_mb
  torch_bench.py mnist DATA_DIR TORCH_THREADS                 -> RESULT seconds test_accuracy peak_rss_mb

The step configurations are ndgrad's (Workload.java): tiny 2-16-16-1 tanh MSE batch 1, small 784-128-64-10 relu
cross-entropy batch 32, big 784-512-512-10 relu cross-entropy batch 256; forward + backward + plain SGD (lr 0.01) on
one fixed batch, float32; cnn is ../shared/peers/torch_cnn.py's net (conv5-32, pool, conv5-64, pool, 1024-128-10)
with Adam 1e-3 on one fixed batch of 64; lstm is Embedding(96, 32), LSTM(32 to 128) over 64 steps, batch 32,
Linear(128 to 96), cross-entropy, Adam 1e-3, on one fixed batch of ids; eval-cnn is the cnn's forward over 2,000
uniform digits in batches of 500 with no graph, one pass per step. The MNIST job is ../shared/peers/torch_mnist.py's: 784-256-128-10 relu, Adam 1e-3, batch
64, 15 epochs on the bundled 8,000/2,000 split, test accuracy after every epoch, timed from the first step to the
last evaluation. OpenBLAS's thread count comes from OPENBLAS_NUM_THREADS, which the caller sets.
"""
import gzip
import os
import resource
import struct
import sys
import time

import numpy as np
import torch

CONFIGS = {"tiny": ([2, 16, 16, 1], True, 1), "small": ([784, 128, 64, 10], False, 32),
           "big": ([784, 512, 512, 10], False, 256)}


def mlp(sizes, tanh):
    layers = []
    for i in range(len(sizes) - 1):
        layers.append(torch.nn.Linear(sizes[i], sizes[i + 1]))
        if i + 2 < len(sizes):
            layers.append(torch.nn.Tanh() if tanh else torch.nn.ReLU())
    return torch.nn.Sequential(*layers)


def peak_rss_mb():
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def cnn():
    return torch.nn.Sequential(torch.nn.Conv2d(1, 32, 5), torch.nn.ReLU(), torch.nn.MaxPool2d(2),
                               torch.nn.Conv2d(32, 64, 5), torch.nn.ReLU(), torch.nn.MaxPool2d(2), torch.nn.Flatten(),
                               torch.nn.Linear(1024, 128), torch.nn.ReLU(), torch.nn.Linear(128, 10))


class Lstm(torch.nn.Module):
    """ndgrad's lstm configuration: Embedding(96, 32), LSTM(32, 128) batch-first over 64 steps, Linear(128, 96)."""

    def __init__(self):
        super().__init__()
        self.embed = torch.nn.Embedding(96, 32)
        self.lstm = torch.nn.LSTM(32, 128, batch_first=True)
        self.out = torch.nn.Linear(128, 96)

    def forward(self, ids):
        h, _ = self.lstm(self.embed(ids))
        return self.out(h).reshape(-1, 96)


def step(config, warmup, timed):
    torch.manual_seed(7)
    if config == "eval-cnn":
        model = cnn().eval()
        x = torch.rand(2000, 1, 28, 28)

        def one():
            with torch.no_grad():
                for i in range(0, 2000, 500):
                    model(x[i:i + 500]).argmax(1).tolist()
        return timing(one, warmup, timed)
    if config == "lstm":
        model = Lstm()
        opt = torch.optim.Adam(model.parameters(), lr=1e-3)
        x = torch.randint(0, 96, (32, 64))
        y = torch.randint(0, 96, (32 * 64,))
        loss_fn = torch.nn.functional.cross_entropy
    elif config == "cnn":
        model = cnn()
        opt = torch.optim.Adam(model.parameters(), lr=1e-3)
        x = torch.rand(64, 1, 28, 28)
        y = torch.randint(0, 10, (64,))
        loss_fn = torch.nn.functional.cross_entropy
    else:
        sizes, tanh, batch = CONFIGS[config]
        model = mlp(sizes, tanh)
        opt = torch.optim.SGD(model.parameters(), lr=0.01)
        x = torch.rand(batch, sizes[0])
        if sizes[-1] == 1:
            y = torch.rand(batch, 1) * 2 - 1
            loss_fn = torch.nn.functional.mse_loss
        else:
            y = torch.randint(0, sizes[-1], (batch,))
            loss_fn = torch.nn.functional.cross_entropy

    def one():
        loss = loss_fn(model(x), y)
        opt.zero_grad()
        loss.backward()
        opt.step()
    timing(one, warmup, timed)


def timing(one, warmup, timed):
    def run_for(seconds, least):
        t0 = time.perf_counter()
        n = 0
        while True:
            one()
            n += 1
            elapsed = time.perf_counter() - t0
            if elapsed >= seconds and n >= least:
                return n, elapsed

    run_for(warmup, 0)
    # the median of 10 batches, as Bench does for the JVMs: a burst of another tenant slows one batch
    ms = sorted(elapsed * 1000 / n for n, elapsed in (run_for(timed / 10, 2) for _ in range(10)))
    print(f"RESULT {(ms[4] + ms[5]) / 2} {peak_rss_mb()}")


def idx(path):
    b = gzip.open(path).read()
    magic, n = struct.unpack('>II', b[:8])
    if magic == 0x803:
        r, c = struct.unpack('>II', b[8:16])
        return np.frombuffer(b, np.uint8, offset=16).reshape(n, r * c)
    return np.frombuffer(b, np.uint8, offset=8)


def mnist(data):
    x = torch.tensor(idx(os.path.join(data, 'mnist-10k-images-idx3-ubyte.gz')), dtype=torch.float32) / 255.0
    y = torch.tensor(idx(os.path.join(data, 'mnist-10k-labels-idx1-ubyte.gz')), dtype=torch.long)
    torch.manual_seed(0)
    xtr, ytr, xte, yte = x[:8000], y[:8000], x[8000:], y[8000:]
    model = mlp([784, 256, 128, 10], False)
    opt = torch.optim.Adam(model.parameters(), lr=1e-3)
    acc = 0.0
    t0 = time.perf_counter()
    for _ in range(15):
        perm = torch.randperm(8000)
        for i in range(0, 8000 - 63, 64):
            b = perm[i:i + 64]
            loss = torch.nn.functional.cross_entropy(model(xtr[b]), ytr[b])
            opt.zero_grad()
            loss.backward()
            opt.step()
        with torch.no_grad():
            acc = (model(xte).argmax(1) == yte).float().mean().item()
    print(f"RESULT {time.perf_counter() - t0} {acc} {peak_rss_mb()}")


if __name__ == "__main__":
    torch.set_num_threads(int(sys.argv[3]))
    if sys.argv[1] == "step":
        step(sys.argv[2], float(sys.argv[4]), float(sys.argv[5]))
    else:
        mnist(sys.argv[2])
