package ndgrad.examples.ported;

import ndgrad.autograd.Tensor;
import ndgrad.nn.BatchNorm2d;
import ndgrad.nn.Conv2d;
import ndgrad.nn.Layer;
import ndgrad.nn.Linear;
import ndgrad.nn.MaxPool2d;

/**
 * A CNN with batch norm for 28×28 digits, ported line by line from the PyTorch class {@code Net} in
 * {@code examples/src/test/python/port_from_pytorch.py}: the same fields in the same order, so PyTorch's
 * {@code state_dict} saved with {@code numpy.savez} loads with {@code net.load(file)}.
 *
 * <p>Usage: {@code Net net = new Net(); net.load(Path.of("cnn.npz")); Tensor logits = net.eval().forward(x);}
 */
public final class Net extends Layer {
    // PyTorch's Conv2d(1, 8, 3, padding=1): in, out, kernel, stride, padding, dilation, groups, bias
    final Conv2d conv1 = new Conv2d(1, 8, 3, 1, 1, 1, 1, true);
    final BatchNorm2d bn1 = new BatchNorm2d(8);
    final Conv2d conv2 = new Conv2d(8, 16, 3, 1, 1, 1, 1, true);
    final BatchNorm2d bn2 = new BatchNorm2d(16);
    final MaxPool2d pool = new MaxPool2d(2);
    final Linear fc1 = new Linear(16 * 7 * 7, 64);
    final Linear fc2 = new Linear(64, 10);

    @Override
    public Tensor forward(Tensor x) {
        x = pool.forward(bn1.forward(conv1.forward(x)).relu());
        x = pool.forward(bn2.forward(conv2.forward(x)).relu());
        x = x.flatten(1);
        return fc2.forward(fc1.forward(x).relu());
    }
}
