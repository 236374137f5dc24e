package com.example;

import static org.junit.jupiter.api.Assertions.assertTrue;

import ndgrad.autograd.GradCheck;
import ndgrad.autograd.Tensor;
import ndgrad.core.DTypes;
import ndgrad.core.Rng;
import ndgrad.nn.Sequential;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;

/** The model's gradients against central differences, in float64, as torch.autograd.gradcheck does. */
class TrainTest {
    @Test
    void theModelsGradientsMatchCentralDifferences() {
        try (var float64 = DTypes.use(DataType.DOUBLE)) {
            Sequential model = Train.model(new Rng(1));
            Tensor x = Tensor.of(new double[] {0.5, -1, 2, 0.25}, 2, 2).requiresGrad();
            GradCheck.assertGradients(t -> model.forward(t).pow(2).sum(), x);
            assertTrue(model.parameters().size() == 4, "two weights and two biases");
        }
    }
}
