package com.example;

import ndgrad.autograd.Tensor;
import ndgrad.core.Rng;
import ndgrad.nn.Activation;
import ndgrad.nn.Linear;
import ndgrad.nn.Losses;
import ndgrad.nn.Sequential;
import ndgrad.optim.Adam;

/** A training loop as in PyTorch: a 2-8-1 tanh MLP learns XOR with Adam. */
public final class Train {
    private Train() {
    }

    /** The model this project trains; the test checks its gradients. */
    static Sequential model(Rng rng) {
        return new Sequential(new Linear(2, 8, rng), Activation.tanh(), new Linear(8, 1, rng));
    }

    public static void main(String[] args) {
        Sequential model = model(new Rng(0));
        Adam opt = new Adam(model.parameters(), Adam.options().lr(0.05));
        Tensor x = Tensor.of(new double[] {0, 0, 0, 1, 1, 0, 1, 1}, 4, 2);
        Tensor y = Tensor.of(new double[] {0, 1, 1, 0}, 4, 1);
        for (int step = 1; step <= 300; step++) {
            opt.zeroGrad();
            Tensor loss = Losses.mse(model.forward(x), y);
            loss.backward();
            opt.step();
            if (step % 100 == 0) {
                System.out.printf("step %d: loss %.6f%n", step, loss.item());
            }
        }
        System.out.println(model.forward(x));
    }
}
