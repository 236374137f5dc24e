package ndgrad.nn;

import java.util.Arrays;
import java.util.Iterator;
import java.util.NoSuchElementException;
import ndgrad.autograd.Tensor;
import ndgrad.core.Rng;
import ndgrad.core.ShapeException;

/**
 * Minibatches of a dataset of tensors that share their first dimension (inputs, targets, …), as PyTorch's
 * {@code DataLoader(TensorDataset(...), batch_size, shuffle, drop_last)}: each pass over it is one epoch, in a new
 * seeded order when shuffling, and each batch holds the rows of every tensor in that order, copied into new arrays
 * (from the pool inside a scope; with none open, recycled with the step that uses them).
 *
 * <p>Usage: {@code for (Tensor[] b : DataLoader.of(x, y).batchSize(64).shuffle(rng)) { step(b[0], b[1]); }}
 */
public final class DataLoader implements Iterable<Tensor[]> {
    private final Tensor[] tensors;
    private final int batchSize;
    private final Rng shuffle;
    private final boolean dropLast;

    private DataLoader(Tensor[] tensors, int batchSize, Rng shuffle, boolean dropLast) {
        this.tensors = tensors;
        this.batchSize = batchSize;
        this.shuffle = shuffle;
        this.dropLast = dropLast;
    }

    /** A loader over these tensors (same size along dim 0), batch size 1, in order, the last batch kept. */
    public static DataLoader of(Tensor... tensors) {
        if (tensors.length == 0) {
            throw new IllegalArgumentException("DataLoader: expected at least one tensor");
        }
        for (Tensor t : tensors) {
            if (t.dim() == 0 || t.size(0) != tensors[0].size(0)) {
                throw new ShapeException("DataLoader: every tensor needs the same size along dim 0, got "
                        + Arrays.stream(tensors).map(Tensor::shapeString).toList());
            }
        }
        return new DataLoader(tensors.clone(), 1, null, false);
    }

    /** With this batch size. */
    public DataLoader batchSize(int size) {
        if (size < 1) {
            throw new IllegalArgumentException("DataLoader: batch size must be >= 1, got " + size);
        }
        return new DataLoader(tensors, size, shuffle, dropLast);
    }

    /** Shuffled anew for every epoch, by {@code rng}. */
    public DataLoader shuffle(Rng rng) {
        return new DataLoader(tensors, batchSize, rng, dropLast);
    }

    /** Whether a last batch smaller than the batch size is dropped. */
    public DataLoader dropLast(boolean drop) {
        return new DataLoader(tensors, batchSize, shuffle, drop);
    }

    /** The number of batches in an epoch. */
    public int batches() {
        long n = tensors[0].size(0);
        return (int) (dropLast ? n / batchSize : (n + batchSize - 1) / batchSize);
    }

    /** One epoch of batches: each an array with the rows of every tensor, in the dataset's order. */
    @Override
    public Iterator<Tensor[]> iterator() {
        int n = (int) tensors[0].size(0);
        int[] order = shuffle != null ? shuffle.permutation(n) : java.util.stream.IntStream.range(0, n).toArray();
        int count = batches();
        return new Iterator<>() {
            private int next;

            @Override
            public boolean hasNext() {
                return next < count;
            }

            @Override
            public Tensor[] next() {
                if (!hasNext()) {
                    throw new NoSuchElementException("DataLoader: the epoch has " + count + " batches");
                }
                int from = next++ * batchSize;
                long[] rows = Arrays.stream(order, from, Math.min(n, from + batchSize)).asLongStream().toArray();
                Tensor[] batch = new Tensor[tensors.length];
                for (int i = 0; i < batch.length; i++) {
                    batch[i] = tensors[i].detach().indexSelect(0, rows);
                }
                return batch;
            }
        };
    }
}
