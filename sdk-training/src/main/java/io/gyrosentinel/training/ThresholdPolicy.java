package io.gyrosentinel.training;

/**
 * How the alarm threshold is derived from the reconstruction errors of the validation windows (normal data
 * the model did not train on). A window is anomalous when its score is strictly above the threshold.
 */
public sealed interface ThresholdPolicy {

    /** The {@code q}-quantile of validation scores (linear interpolation, like numpy's default). */
    static ThresholdPolicy quantile(double q) {
        return new Quantile(q);
    }

    /** {@code mean + k * std} of validation scores (population standard deviation). */
    static ThresholdPolicy meanPlusKSigma(double k) {
        return new MeanPlusKSigma(k);
    }

    /** Stable identifier stored in the model manifest: {@code quantile} or {@code mean_plus_k_sigma}. */
    String method();

    /** The policy's parameter ({@code q} or {@code k}). */
    double parameter();

    /** Applies the policy to scores (not modified). */
    double compute(double[] scores);

    /** Rebuilds a policy from its manifest form. */
    static ThresholdPolicy of(String method, double parameter) {
        return switch (method) {
            case "quantile" -> quantile(parameter);
            case "mean_plus_k_sigma" -> meanPlusKSigma(parameter);
            default -> throw new IllegalArgumentException("unknown threshold method '" + method
                    + "' (known: quantile, mean_plus_k_sigma)");
        };
    }

    record Quantile(double q) implements ThresholdPolicy {
        public Quantile {
            if (!(q > 0 && q <= 1)) {
                throw new IllegalArgumentException("quantile must be in (0, 1], was " + q);
            }
        }

        @Override
        public String method() {
            return "quantile";
        }

        @Override
        public double parameter() {
            return q;
        }

        @Override
        public double compute(double[] scores) {
            requireScores(scores);
            double[] s = scores.clone();
            java.util.Arrays.sort(s);
            double pos = q * (s.length - 1);
            int lo = (int) Math.floor(pos);
            int hi = Math.min(lo + 1, s.length - 1);
            return s[lo] + (pos - lo) * (s[hi] - s[lo]);
        }
    }

    record MeanPlusKSigma(double k) implements ThresholdPolicy {
        public MeanPlusKSigma {
            if (!Double.isFinite(k)) {
                throw new IllegalArgumentException("k must be finite, was " + k);
            }
        }

        @Override
        public String method() {
            return "mean_plus_k_sigma";
        }

        @Override
        public double parameter() {
            return k;
        }

        @Override
        public double compute(double[] scores) {
            requireScores(scores);
            double mean = 0;
            for (double v : scores) {
                mean += v;
            }
            mean /= scores.length;
            double var = 0;
            for (double v : scores) {
                var += (v - mean) * (v - mean);
            }
            return mean + k * Math.sqrt(var / scores.length);
        }
    }

    private static void requireScores(double[] scores) {
        if (scores.length == 0) {
            throw new IllegalArgumentException("no validation scores to calibrate a threshold on");
        }
    }
}
