"""Writes lstm_bn_fc.npz: a PyTorch state_dict converted with NumPy (numpy.savez), and prints the model's output on a
fixed input in eval mode, for ModelsTest. Run: /usr/bin/python3 make_state_dict.py (PyTorch 1.13, Debian)."""
import numpy as np, torch
torch.manual_seed(0)
class Net(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.lstm = torch.nn.LSTM(3, 4, batch_first=True)
        self.bn = torch.nn.BatchNorm1d(4)
        self.fc = torch.nn.Linear(4, 2)
    def forward(self, x):
        out, _ = self.lstm(x)
        return self.fc(self.bn(out[:, -1]))
m = Net()
with torch.no_grad():
    m.bn.running_mean.copy_(torch.tensor([0.1, -0.2, 0.3, 0.0]))
    m.bn.running_var.copy_(torch.tensor([0.5, 1.5, 1.0, 2.0]))
    m.bn.num_batches_tracked.fill_(7)
m.eval()
np.savez("lstm_bn_fc.npz", **{k: v.numpy() for k, v in m.state_dict().items()})
x = torch.arange(2 * 5 * 3, dtype=torch.float32).reshape(2, 5, 3).sin()
print(list(m.state_dict().keys()))
print(", ".join(repr(v) for v in m(x).detach().reshape(-1).tolist()))
