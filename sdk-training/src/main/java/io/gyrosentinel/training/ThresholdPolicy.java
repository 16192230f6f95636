package io.gyrosentinel.training;

import io.gyrosentinel.ErrorCode;
import io.gyrosentinel.GyroSentinelException;

/**
 * How the alarm threshold is derived from the reconstruction errors of the validation windows (normal data
 * the model did not train on). A window is anomalous when its score is strictly above the threshold.
 */
public sealed interface ThresholdPolicy {

    /**
     * The {@code q}-quantile of validation scores (linear interpolation, like numpy's default).
     *
     * @param q the quantile, 0 &lt; q &lt;= 1 (e.g. 0.995)
     * @return the policy
     * @throws GyroSentinelException {@link ErrorCode#INVALID_ARGUMENT} (field {@code q}) unless 0 &lt; q &lt;= 1
     */
    static ThresholdPolicy quantile(double q) {
        return new Quantile(q);
    }

    /**
     * {@code mean + k * std} of validation scores (population standard deviation).
     *
     * @param k the multiple of the standard deviation, finite
     * @return the policy
     * @throws GyroSentinelException {@link ErrorCode#INVALID_ARGUMENT} (field {@code k}) if k is not finite
     */
    static ThresholdPolicy meanPlusKSigma(double k) {
        return new MeanPlusKSigma(k);
    }

    /** {@return the stable identifier stored in the model manifest: {@code quantile} or {@code mean_plus_k_sigma}} */
    String method();

    /** {@return the policy's parameter ({@code q} or {@code k})} */
    double parameter();

    /**
     * Applies the policy to scores (not modified).
     *
     * @param scores the validation windows' scores
     * @return the threshold
     * @throws GyroSentinelException {@link ErrorCode#BAD_INPUT} if there are no scores
     */
    double compute(double[] scores);

    /**
     * Rebuilds a policy from its manifest form.
     *
     * @param method    {@code quantile} or {@code mean_plus_k_sigma}
     * @param parameter {@code q} or {@code k}
     * @return the policy
     * @throws GyroSentinelException {@link ErrorCode#INVALID_ARGUMENT} for an unknown method (field
     *                               {@code method}) or a parameter the policy refuses
     */
    static ThresholdPolicy of(String method, double parameter) {
        return switch (method) {
            case "quantile" -> quantile(parameter);
            case "mean_plus_k_sigma" -> meanPlusKSigma(parameter);
            default -> throw new GyroSentinelException(ErrorCode.INVALID_ARGUMENT, "unknown threshold method '" + method
                    + "' (known: quantile, mean_plus_k_sigma)", "method", null);
        };
    }

    /**
     * The threshold is the {@code q}-quantile of the validation scores (linear interpolation).
     *
     * @param q the quantile, 0 &lt; q &lt;= 1
     */
    record Quantile(double q) implements ThresholdPolicy {
        /**
         * Validates {@code q}.
         *
         * @param q the quantile, 0 &lt; q &lt;= 1
         * @throws GyroSentinelException {@link ErrorCode#INVALID_ARGUMENT} (field {@code q}) otherwise
         */
        public Quantile {
            if (!(q > 0 && q <= 1)) {
                throw new GyroSentinelException(ErrorCode.INVALID_ARGUMENT, "quantile must be in (0, 1], was " + q, "q", null);
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

    /**
     * The threshold is {@code mean + k * std} of the validation scores (population standard deviation).
     *
     * @param k the multiple of the standard deviation
     */
    record MeanPlusKSigma(double k) implements ThresholdPolicy {
        /**
         * Validates {@code k}.
         *
         * @param k the multiple of the standard deviation, finite
         * @throws GyroSentinelException {@link ErrorCode#INVALID_ARGUMENT} (field {@code k}) otherwise
         */
        public MeanPlusKSigma {
            if (!Double.isFinite(k)) {
                throw new GyroSentinelException(ErrorCode.INVALID_ARGUMENT, "k must be finite, was " + k, "k", null);
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
            throw new GyroSentinelException(ErrorCode.BAD_INPUT, "no validation scores to calibrate a threshold on");
        }
    }
}
