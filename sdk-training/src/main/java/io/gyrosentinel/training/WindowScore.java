package io.gyrosentinel.training;

/**
 * The score of one window.
 *
 * @param series     index of the series in the list that was scored
 * @param seriesName its name (may be null)
 * @param start      first sample of the window
 * @param end        one past the last sample
 * @param anomalous  ground truth: any sample of the window labelled anomalous
 * @param score      mean squared reconstruction error (normalised units)
 * @param alarm      {@code score > threshold}
 */
public record WindowScore(int series, String seriesName, int start, int end, boolean anomalous, double score,
        boolean alarm) {}
