package io.gyrosentinel.training;

/**
 * The calibrated alarm threshold: a window whose score (mean squared reconstruction error of the normalised
 * window) is strictly greater than {@link #value()} is anomalous.
 *
 * @param policy             how it was computed
 * @param value              the threshold
 * @param calibrationWindows how many validation windows it was computed from
 */
public record Threshold(ThresholdPolicy policy, double value, int calibrationWindows) {
    public Threshold {
        if (policy == null) {
            throw new IllegalArgumentException("policy is required");
        }
        if (!Double.isFinite(value)) {
            throw new IllegalArgumentException("threshold must be finite, was " + value);
        }
    }

    public boolean isAnomalous(double score) {
        return score > value;
    }
}
