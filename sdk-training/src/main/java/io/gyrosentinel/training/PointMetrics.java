package io.gyrosentinel.training;

import java.util.List;

/**
 * Point-wise detection metrics on per-sample labels: every sample that ends a full window is scored, and it counts
 * as flagged when the window that ends on it is above the threshold (the alarm state a device scoring every sample
 * would show at that instant). The first {@code windowLength - 1} samples of each segment end no window and are
 * counted as {@code unscored}, not as hits or misses.
 *
 * @param points          samples scored
 * @param unscored        samples that end no full window (the start of each segment)
 * @param truePositives   anomalous samples flagged
 * @param falsePositives  normal samples flagged
 * @param trueNegatives   normal samples not flagged
 * @param falseNegatives  anomalous samples not flagged
 */
public record PointMetrics(long points, long unscored, long truePositives, long falsePositives, long trueNegatives,
        long falseNegatives) {

    /** Computes the metrics from window scores taken with stride 1 (one window ending on every scored sample). */
    static PointMetrics of(List<WindowScore> strideOne, List<TimeSeries> series) {
        long tp = 0;
        long fp = 0;
        long tn = 0;
        long fn = 0;
        for (WindowScore w : strideOne) {
            boolean anomalous = series.get(w.series()).isAnomalous(w.end() - 1);
            if (w.alarm()) {
                if (anomalous) {
                    tp++;
                } else {
                    fp++;
                }
            } else if (anomalous) {
                fn++;
            } else {
                tn++;
            }
        }
        long total = 0;
        for (TimeSeries s : series) {
            total += s.length();
        }
        long points = tp + fp + tn + fn;
        return new PointMetrics(points, total - points, tp, fp, tn, fn);
    }

    /** {@return flagged anomalous samples / flagged samples (NaN when nothing is flagged)} */
    public double precision() {
        return (double) truePositives / (truePositives + falsePositives);
    }

    /** {@return flagged anomalous samples / anomalous samples (NaN without anomalous samples)} */
    public double recall() {
        return (double) truePositives / (truePositives + falseNegatives);
    }

    /** {@return the harmonic mean of precision and recall (0 when both are 0 or undefined)} */
    public double f1() {
        double p = precision();
        double r = recall();
        return p + r > 0 ? 2 * p * r / (p + r) : 0;
    }

    /** {@return the false alarm rate: flagged normal samples / normal samples} */
    public double falseAlarmRate() {
        return (double) falsePositives / (falsePositives + trueNegatives);
    }

    /** {@return the missed alarm rate: unflagged anomalous samples / anomalous samples} */
    public double missedAlarmRate() {
        return (double) falseNegatives / (falseNegatives + truePositives);
    }
}
