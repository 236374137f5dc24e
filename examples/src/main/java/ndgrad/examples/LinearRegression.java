package ndgrad.examples;

import ndgrad.core.NdArrays;
import ndgrad.core.io.Datasets;
import ndgrad.core.kernels.Copies;
import ndgrad.core.kernels.Products;
import java.util.ArrayList;
import java.util.List;
import ndgrad.autograd.Tensor;
import ndgrad.nn.Losses;
import ndgrad.optim.Optimizer;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Linear regression two ways: the closed form θ = (XᵀX)⁻¹Xᵀy (normal equations, X with a column of ones) and
 * gradient descent on the mean squared error; on well-conditioned data they agree.
 *
 * <p>Usage: {@code double[] theta = LinearRegression.closedForm(data); // w..., b}
 */
public final class LinearRegression {
    private LinearRegression() {
    }

    /** The least-squares weights followed by the bias. */
    public static double[] closedForm(Datasets.Regression d) {
        INDArray ones = NdArrays.create(new double[(int) d.x().size(0)], new long[] {d.x().size(0), 1},
                d.x().dataType());
        Copies.fill(ones, 1);
        INDArray x = Copies.concat(1, d.x(), ones);
        INDArray pseudoInverse = Products.gemm(Products.inverse(Products.gemm(x, x, true, false)), x, false, true);
        return Copies.values(Products.gemm(pseudoInverse, d.y(), false, false));
    }

    /** The mean squared error of weights and bias {@code theta} (as {@link #closedForm} returns them) on the data. */
    public static double mse(Datasets.Regression d, double[] theta) {
        int k = theta.length - 1;
        Tensor w = Tensor.of(java.util.Arrays.copyOf(theta, k), k, 1).to(d.x().dataType());
        return Losses.mse(Tensor.of(d.x()).matmul(w).add(theta[k]), Tensor.of(d.y())).item();
    }

    /** Fits w (d, 1) and b (1), leaves requiring grad that {@code opt} updates, for {@code steps}; returns losses. */
    public static List<Double> gradientDescent(Datasets.Regression d, Tensor w, Tensor b, Optimizer<?> opt,
            int steps) {
        Tensor x = Tensor.of(d.x());
        Tensor y = Tensor.of(d.y());
        List<Double> losses = new ArrayList<>();
        for (int k = 0; k < steps; k++) {
            Tensor loss = Losses.mse(x.matmul(w).add(b), y);
            opt.zeroGrad();
            loss.backward();
            opt.step();
            losses.add(Diverged.check(loss.item(), "train regression", losses.size() + 1));
        }
        return losses;
    }
}
