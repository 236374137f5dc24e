/**
 * The arithmetic under {@code Tensor}, one file per family, on one low-level access layer ({@code Access},
 * {@code Strided}). Where a kernel goes: by what it computes, not by how.
 * <ul>
 * <li>{@link ndgrad.core.kernels.Pointwise}: each output element from the elements at its position (arithmetic,
 * functions, comparisons, casts, the in-place update y += α·x);</li>
 * <li>{@link ndgrad.core.kernels.Reduce}: each output element from many along axes (sums, extrema, norms);</li>
 * <li>{@link ndgrad.core.kernels.Indexing}: elements picked or scattered by index;</li>
 * <li>{@link ndgrad.core.kernels.Copies}: the same elements in another place, shape or layout;</li>
 * <li>{@link ndgrad.core.kernels.Products}: matrix products and linear algebra;</li>
 * <li>{@link ndgrad.core.kernels.Unfold} and {@link ndgrad.core.kernels.Pooling}: sliding windows;</li>
 * <li>{@link ndgrad.core.kernels.Norms}: normalization over each channel's values (batch norm and its backward);</li>
 * <li>{@link ndgrad.core.kernels.Fused}: several steps in one pass over the arrays (optimizer updates, the
 * cross-entropy loss), with {@link ndgrad.core.kernels.Chunk}'s in-place primitives.</li>
 * </ul>
 * A kernel chooses its path through {@code Access} ({@link ndgrad.core.kernels.Kernels} says how), reads and writes
 * arrays of any layout through {@code Strided} and plain ones through {@code Access}'s cached views (or directly for
 * bulk work over a plain buffer: a copy, a BLAS call, a window loop), and allocates its results with
 * {@link ndgrad.core.memory.Scope#allocate}. A kernel with a Java and a native path has both tested against each
 * other in {@code KernelsTest}.
 */
package ndgrad.core.kernels;
