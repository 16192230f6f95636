package io.gyrosentinel.training;

/** Window counts at the threshold; "positive" = anomalous. */
public record ConfusionMatrix(long truePositives, long falsePositives, long trueNegatives, long falseNegatives) {
    public long total() {
        return truePositives + falsePositives + trueNegatives + falseNegatives;
    }
}
