package org.perceptuallab.kit.metrics;

import org.ejml.data.DMatrixRMaj;
import org.ejml.dense.row.CommonOps_DDRM;
import org.ejml.dense.row.MatrixFeatures_DDRM;
import org.ejml.dense.row.SingularOps_DDRM;
import org.ejml.dense.row.factory.DecompositionFactory_DDRM;
import org.ejml.interfaces.decomposition.EigenDecomposition_F64;
import org.perceptuallab.api.PlabException;

/**
 * The Fréchet distance between two Gaussians fitted to feature sets (FID when the features are
 * Inception's): {@code ||mu1 - mu2||^2 + tr(S1) + tr(S2) - 2 tr(sqrtm(S1 S2))}, in float64, with
 * pytorch-fid's handling of a square root that is not finite (retried with 1e-6 added to both covariances'
 * diagonals) or complex (an error above 1e-3, else its real part).
 */
public final class FrechetDistance {
    /** Added to both diagonals when the square root is not finite, as the reference does. */
    static final double DIAGONAL_OFFSET = 1e-6;
    /** The largest imaginary part accepted, and dropped, as rounding (the reference's tolerance). */
    static final double MAX_IMAGINARY = 1e-3;

    private FrechetDistance() {
    }

    /** The Fréchet distance between the Gaussians of {@code a} and {@code b}. */
    public static double between(FeatureStatistics a, FeatureStatistics b) {
        if (a.dimension() != b.dimension()) {
            throw new PlabException("Fréchet distance: the statistics have " + a.dimension() + " and " + b.dimension()
                    + " features; compute both from one feature space");
        }
        requireFinite(a, "first");
        requireFinite(b, "second");
        int d = a.dimension();
        double meanTerm = 0;
        double traces = 0;
        for (int i = 0; i < d; i++) {
            double diff = a.mean()[i] - b.mean()[i];
            meanTerm += diff * diff;
            traces += a.covariance()[i][i] + b.covariance()[i][i];
        }
        DMatrixRMaj s1 = a.covarianceMatrix();
        DMatrixRMaj s2 = b.covarianceMatrix();
        double root = traceOfRoot(s1, s2);
        if (!Double.isFinite(root)) {
            for (int i = 0; i < d; i++) {
                s1.add(i, i, DIAGONAL_OFFSET);
                s2.add(i, i, DIAGONAL_OFFSET);
            }
            root = traceOfRoot(s1, s2);
            if (!Double.isFinite(root)) {
                throw new PlabException("Fréchet distance: the square root of the covariances' product is not finite,"
                        + " even with " + DIAGONAL_OFFSET + " added to their diagonals; the features are too large"
                        + " or degenerate (check the feature extractor's output for huge values)");
            }
        }
        // the traces are the covariances' own, without the offset, as in the reference
        return meanTerm + traces - 2 * root;
    }

    /**
     * The Fréchet distance between the Gaussians fitted to two sets of feature vectors (rows; covariances over
     * n - 1). Where both sets have at least as many vectors as dimensions this is {@link #between} of their
     * statistics. Where a set has fewer (a deep network's features of a few hundred images: thousands of
     * dimensions), the D x D covariances are never formed: with A and B the centred rows, S1 = A^T A / (n1 - 1)
     * and S2 = B^T B / (n2 - 1), the eigenvalues of S1 S2 other than zero are those of C C^T / ((n1 - 1)(n2 - 1))
     * with C = A B^T (n1 x n2), so tr(sqrtm(S1 S2)) is the sum of C's singular values over sqrt((n1 - 1)(n2 - 1)),
     * and tr(S) is the sum of squares of the centred rows over n - 1: real and exact, in float64.
     */
    public static double betweenFeatures(float[][] a, float[][] b) {
        int d = a.length == 0 ? 0 : a[0].length;
        int dB = b.length == 0 ? 0 : b[0].length;
        if (d != dB) {
            throw new PlabException("Fréchet distance: the feature sets have " + d + " and " + dB
                    + " features; compute both in one feature space");
        }
        if (a.length >= d && b.length >= d) {
            return between(FeatureStatistics.of(a), FeatureStatistics.of(b));
        }
        FeatureStatistics.Centred ca = FeatureStatistics.Centred.of(a);
        FeatureStatistics.Centred cb = FeatureStatistics.Centred.of(b);
        if (MatrixFeatures_DDRM.hasUncountable(ca.rows()) || MatrixFeatures_DDRM.hasUncountable(cb.rows())) {
            throw new PlabException("Fréchet distance: a feature value is not finite; the features were NaN or"
                    + " infinite: check the images and the network");
        }
        double meanTerm = 0;
        for (int j = 0; j < d; j++) {
            double diff = ca.mean()[j] - cb.mean()[j];
            meanTerm += diff * diff;
        }
        DMatrixRMaj cross = new DMatrixRMaj(a.length, b.length);
        CommonOps_DDRM.multTransB(ca.rows(), cb.rows(), cross);
        double root = 0;
        for (double singular : SingularOps_DDRM.singularValues(cross)) {
            root += singular;
        }
        root /= Math.sqrt((a.length - 1.0) * (b.length - 1.0));
        return meanTerm + ca.trace() + cb.trace() - 2 * root;
    }

    /**
     * tr(sqrtm(S1 S2)), NaN when a decomposition fails. The principal square root of S1 S2 has as eigenvalues
     * the square roots of S1 S2's, so its trace is their sum; and S1 S2 has the eigenvalues of the symmetric
     * S1^(1/2) S2 S1^(1/2) (similar matrices; by continuity when S1 is singular). With S1 = V L V^T and
     * W = V L^(1/2), W^T S2 W = V^T (S1^(1/2) S2 S1^(1/2)) V has them too, so two symmetric
     * eigendecompositions give the trace, where the reference takes a general square root of the
     * non-symmetric product. Negative eigenvalues (rounding, or a covariance that is not positive
     * semi-definite) have imaginary roots: above {@link #MAX_IMAGINARY} that is an error, below it the root's
     * real part, zero, is taken, as the reference takes the real part of a nearly real result. Unlike the
     * reference's general square root, a singular product (fewer samples than features) stays finite here.
     */
    private static double traceOfRoot(DMatrixRMaj s1, DMatrixRMaj s2) {
        int d = s1.numRows;
        EigenDecomposition_F64<DMatrixRMaj> first = DecompositionFactory_DDRM.eig(d, true, true);
        if (!first.decompose(s1.copy())) {
            return Double.NaN;
        }
        double imaginary = 0;
        double floor = roundingFloor(first);
        DMatrixRMaj w = new DMatrixRMaj(d, d);
        for (int k = 0; k < d; k++) {
            double lambda = first.getEigenvalue(k).real;
            imaginary = Math.max(imaginary, lambda < 0 ? Math.sqrt(-lambda) : 0);
            double scale = lambda > floor ? Math.sqrt(lambda) : 0;
            DMatrixRMaj v = first.getEigenVector(k);
            for (int i = 0; i < d; i++) {
                w.unsafe_set(i, k, v.get(i) * scale);
            }
        }
        DMatrixRMaj s2w = new DMatrixRMaj(d, d);
        CommonOps_DDRM.mult(s2, w, s2w);
        DMatrixRMaj product = new DMatrixRMaj(d, d);
        CommonOps_DDRM.multTransA(w, s2w, product);
        if (MatrixFeatures_DDRM.hasUncountable(product)) {
            return Double.NaN;
        }
        symmetrise(product);
        EigenDecomposition_F64<DMatrixRMaj> second = DecompositionFactory_DDRM.eig(d, false, true);
        if (!second.decompose(product)) {
            return Double.NaN;
        }
        double trace = 0;
        floor = roundingFloor(second);
        for (int k = 0; k < d; k++) {
            double mu = second.getEigenvalue(k).real;
            imaginary = Math.max(imaginary, mu < 0 ? Math.sqrt(-mu) : 0);
            trace += mu > floor ? Math.sqrt(mu) : 0;
        }
        if (imaginary > MAX_IMAGINARY) {
            throw new PlabException("Fréchet distance: the square root of the covariances' product has an imaginary"
                    + " part of " + imaginary + " (above " + MAX_IMAGINARY + "), so a covariance is not positive"
                    + " semi-definite; compute the statistics with FeatureStatistics.of from finite features");
        }
        return trace;
    }

    /**
     * The size below which an eigenvalue is rounding: a symmetric solver finds each to within about
     * D ulps of the largest, so a singular covariance's zero eigenvalues come out near that, and their
     * square roots (1e-8 of the scale rather than 1e-16) would add up to a visible error.
     */
    private static double roundingFloor(EigenDecomposition_F64<DMatrixRMaj> eig) {
        double largest = 0;
        for (int k = 0; k < eig.getNumberOfEigenvalues(); k++) {
            largest = Math.max(largest, Math.abs(eig.getEigenvalue(k).real));
        }
        return eig.getNumberOfEigenvalues() * Math.ulp(largest);
    }

    /** Rounding leaves W^T S2 W slightly asymmetric; the symmetric solver reads one triangle, so average them. */
    private static void symmetrise(DMatrixRMaj m) {
        for (int i = 0; i < m.numRows; i++) {
            for (int j = i + 1; j < m.numCols; j++) {
                double mean = (m.unsafe_get(i, j) + m.unsafe_get(j, i)) / 2;
                m.unsafe_set(i, j, mean);
                m.unsafe_set(j, i, mean);
            }
        }
    }

    private static void requireFinite(FeatureStatistics s, String which) {
        for (int i = 0; i < s.dimension(); i++) {
            boolean finite = Double.isFinite(s.mean()[i]);
            for (double c : s.covariance()[i]) {
                finite &= Double.isFinite(c);
            }
            if (!finite) {
                throw new PlabException("Fréchet distance: the " + which + " statistics hold a value that is not finite"
                        + " (feature " + i + "); the features were NaN or infinite: check the images and the network");
            }
        }
    }
}
