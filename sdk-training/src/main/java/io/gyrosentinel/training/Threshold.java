package io.gyrosentinel.training;

import io.gyrosentinel.ErrorCode;
import io.gyrosentinel.GyroSentinelException;

/**
 * The calibrated alarm threshold: a window whose score (mean squared reconstruction error of the normalised
 * window) is strictly greater than {@link #value()} is anomalous.
 *
 * @param policy             how it was computed
 * @param value              the threshold
 * @param calibrationWindows how many validation windows it was computed from
 */
public record Threshold(ThresholdPolicy policy, double value, int calibrationWindows) {
    /**
     * @param policy             how it was computed, not {@code null}
     * @param value              the threshold, finite
     * @param calibrationWindows how many validation windows it was computed from
     * @throws GyroSentinelException {@link ErrorCode#INVALID_ARGUMENT} (field {@code policy} or {@code value}) if the
     *                               policy is null or the value not finite
     */
    public Threshold {
        if (policy == null) {
            throw new GyroSentinelException(ErrorCode.INVALID_ARGUMENT, "policy is required", "policy", null);
        }
        if (!Double.isFinite(value)) {
            throw new GyroSentinelException(ErrorCode.INVALID_ARGUMENT, "threshold must be finite, was " + value, "value",
                    null);
        }
    }

    /**
     * Whether a window score is above the threshold.
     *
     * @param score a window's score
     * @return {@code score > value()}
     */
    public boolean isAnomalous(double score) {
        return score > value;
    }
}
