package ndgrad.testing;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import ndgrad.core.Rng;

/**
 * Samples of random shapes for ops that take inputs of any shapes that broadcast together: a result shape of rank 0
 * to 4 with sizes 1 to 3, and for each input that shape with some leading dimensions dropped and some sizes set to
 * 1.
 */
final class RandomShapes {
    private RandomShapes() {
    }

    /** A sample like {@code first}, each input drawn as before, in random shapes that broadcast together. */
    static Sample sample(Sample first, Rng rng) {
        long[] result = new long[rng.nextInt(5)];
        for (int d = 0; d < result.length; d++) {
            result[d] = 1 + rng.nextInt(3);
        }
        List<Arg> args = new ArrayList<>();
        for (int k = 0; k < first.args().size(); k++) {
            Arg a = first.args().get(k);
            if (a.kind() == Arg.Kind.INDEX) {
                throw new IllegalArgumentException("randomShapes: input " + k + " is an index, whose shape the op "
                        + "fixes; give samples of other shapes instead");
            }
            int drop = k == 0 || result.length == 0 ? 0 : rng.nextInt(result.length + 1);
            long[] shape = Arrays.copyOfRange(result, drop, result.length);
            for (int d = 0; d < shape.length; d++) {
                if (k > 0 && rng.nextInt(3) == 0) {
                    shape[d] = 1;
                }
            }
            args.add(a.withShape(shape));
        }
        return first.withArgs(args);
    }
}
