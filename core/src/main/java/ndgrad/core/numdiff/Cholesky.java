package ndgrad.core.numdiff;

/**
 * Small dense symmetric positive-definite systems, by Cholesky factorization (Golub &amp; Van Loan, Matrix
 * Computations, Alg. 4.2.1): used by Newton's method and by the local-regression gradient estimator. The
 * factorization fails, rather than returning garbage, when the matrix is not positive definite.
 *
 * <p>Usage: {@code double[][] l = Cholesky.factor(hm, lambda, 1e-12); double[] step = l == null ? null : Cholesky.solve(l, rhs);}
 */
public final class Cholesky {
    private Cholesky() {
    }

    /**
     * The lower factor L of (A + Aᵀ)/2 + shift·I (A is symmetrized), or null when that matrix is not positive
     * definite: a pivot is not above {@code tolerance} times the largest diagonal entry.
     */
    public static double[][] factor(double[][] a, double shift, double tolerance) {
        int n = a.length;
        double scale = 0;
        for (int i = 0; i < n; i++) {
            scale = Math.max(scale, Math.abs(a[i][i] + shift));
        }
        double[][] l = new double[n][n];
        for (int i = 0; i < n; i++) {
            for (int j = 0; j <= i; j++) {
                double s = (a[i][j] + a[j][i]) / 2 + (i == j ? shift : 0);
                for (int k = 0; k < j; k++) {
                    s -= l[i][k] * l[j][k];
                }
                if (i == j) {
                    if (!(s > tolerance * scale)) {
                        return null;
                    }
                    l[i][i] = Math.sqrt(s);
                } else {
                    l[i][j] = s / l[j][j];
                }
            }
        }
        return l;
    }

    /** x with L Lᵀ x = b. */
    public static double[] solve(double[][] l, double[] b) {
        int n = b.length;
        double[] y = new double[n];
        for (int i = 0; i < n; i++) {
            double s = b[i];
            for (int k = 0; k < i; k++) {
                s -= l[i][k] * y[k];
            }
            y[i] = s / l[i][i];
        }
        double[] x = new double[n];
        for (int i = n - 1; i >= 0; i--) {
            double s = y[i];
            for (int k = i + 1; k < n; k++) {
                s -= l[k][i] * x[k];
            }
            x[i] = s / l[i][i];
        }
        return x;
    }
}
