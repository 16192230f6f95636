package io.gyrosentinel.training;

/**
 * Window counts at the threshold; "positive" = anomalous.
 *
 * @param truePositives  anomalous windows that raised an alarm
 * @param falsePositives normal windows that raised an alarm (false alarms)
 * @param trueNegatives  normal windows without an alarm
 * @param falseNegatives anomalous windows without an alarm (missed)
 */
public record ConfusionMatrix(long truePositives, long falsePositives, long trueNegatives, long falseNegatives) {
    /** {@return the number of windows counted} */
    public long total() {
        return truePositives + falsePositives + trueNegatives + falseNegatives;
    }
}
