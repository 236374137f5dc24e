#!/usr/bin/python3
"""Two PyTorch programs that PortedFromPyTorchTest ports line by line to ndgrad (ndgrad.examples.ported), and the
values they must reproduce. Run from the repository root with Debian's python3-torch (PyTorch 1.13):
    /usr/bin/python3 examples/src/test/python/port_from_pytorch.py

Writes to examples/src/test/resources/pytorch/, with numpy.savez (every array float32 but ids, targets and
num_batches_tracked, int64):
  cnn_init.npz     the CNN's state_dict as made (seed 0)
  cnn_run.npz      its input x and labels y; the eval output on x before training; the loss of each of 3 SGD steps
                   (lr 0.05, momentum 0.9) in train mode; the eval output after them
  cnn_trained.npz  the state_dict after the 3 steps (weights and BatchNorm's running statistics)
  tagger.npz       the tagger's state_dict (seed 1)
  tagger_run.npz   ids and tags; its eval log-probabilities; the mean cross-entropy and its gradient for out.weight
                   and lstm.weight_hh_l1_reverse
"""
import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

OUT = "examples/src/test/resources/pytorch/"


# ---- the CNN: the model as a PyTorch user writes it
class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv1 = nn.Conv2d(1, 8, 3, padding=1)
        self.bn1 = nn.BatchNorm2d(8)
        self.conv2 = nn.Conv2d(8, 16, 3, padding=1)
        self.bn2 = nn.BatchNorm2d(16)
        self.pool = nn.MaxPool2d(2)
        self.fc1 = nn.Linear(16 * 7 * 7, 64)
        self.fc2 = nn.Linear(64, 10)

    def forward(self, x):
        x = self.pool(F.relu(self.bn1(self.conv1(x))))
        x = self.pool(F.relu(self.bn2(self.conv2(x))))
        x = torch.flatten(x, 1)
        return self.fc2(F.relu(self.fc1(x)))
# ---- end of the CNN


# ---- the tagger: a two-layer bidirectional LSTM over embedded ids, a tag per position
class Tagger(nn.Module):
    def __init__(self, vocab=50, dim=16, hidden=32, tags=7):
        super().__init__()
        self.embed = nn.Embedding(vocab, dim)
        self.lstm = nn.LSTM(dim, hidden, num_layers=2, bidirectional=True, batch_first=True, dropout=0.1)
        self.out = nn.Linear(2 * hidden, tags)

    def forward(self, ids):
        h, _ = self.lstm(self.embed(ids))
        return self.out(h).log_softmax(-1)
# ---- end of the tagger


def state(m):
    return {k: v.detach().numpy() for k, v in m.state_dict().items()}


def cnn():
    torch.manual_seed(0)
    net = Net()
    np.savez(OUT + "cnn_init.npz", **state(net))
    g = torch.Generator().manual_seed(2)
    x = torch.randn(8, 1, 28, 28, generator=g)
    y = torch.randint(0, 10, (8,), generator=g)
    before = net.eval()(x).detach()
    net.train()
    opt = torch.optim.SGD(net.parameters(), lr=0.05, momentum=0.9)
    losses = []
    for _ in range(3):
        opt.zero_grad()
        loss = F.cross_entropy(net(x), y)
        loss.backward()
        opt.step()
        losses.append(loss.item())
    after = net.eval()(x).detach()
    np.savez(OUT + "cnn_trained.npz", **state(net))
    np.savez(OUT + "cnn_run.npz", x=x.numpy(), y=y.numpy(), before=before.numpy(),
             losses=np.array(losses, dtype=np.float32), after=after.numpy())


def tagger():
    torch.manual_seed(1)
    m = Tagger().eval()
    np.savez(OUT + "tagger.npz", **state(m))
    g = torch.Generator().manual_seed(3)
    ids = torch.randint(0, 50, (3, 9), generator=g)
    tags = torch.randint(0, 7, (3, 9), generator=g)
    logp = m(ids)
    loss = F.nll_loss(logp.reshape(-1, 7), tags.reshape(-1))
    loss.backward()
    np.savez(OUT + "tagger_run.npz", ids=ids.numpy(), tags=tags.numpy(), logp=logp.detach().numpy(),
             loss=np.array(loss.item(), dtype=np.float32), grad_out_weight=m.out.weight.grad.numpy(),
             grad_weight_hh_l1_reverse=m.lstm.weight_hh_l1_reverse.grad.numpy())


if __name__ == "__main__":
    cnn()
    tagger()
