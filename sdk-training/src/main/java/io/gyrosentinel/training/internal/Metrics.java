package io.gyrosentinel.training.internal;

import io.gyrosentinel.training.ConfusionMatrix;
import io.gyrosentinel.training.EvaluationReport;
import io.gyrosentinel.training.WindowScore;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;

/** Detection metrics. */
public final class Metrics {
    private Metrics() {}

    public static EvaluationReport report(List<WindowScore> windows, double threshold) {
        int n = windows.size();
        double[] scores = new double[n];
        boolean[] labels = new boolean[n];
        long tp = 0;
        long fp = 0;
        long tn = 0;
        long fn = 0;
        for (int i = 0; i < n; i++) {
            WindowScore w = windows.get(i);
            scores[i] = w.score();
            labels[i] = w.anomalous();
            boolean alarm = w.score() > threshold;
            if (alarm && w.anomalous()) {
                tp++;
            } else if (alarm) {
                fp++;
            } else if (w.anomalous()) {
                fn++;
            } else {
                tn++;
            }
        }
        double precision = div(tp, tp + fp);
        double recall = div(tp, tp + fn);
        double f1 = precision + recall > 0 ? 2 * precision * recall / (precision + recall) : Double.NaN;
        return new EvaluationReport(rocAuc(scores, labels), averagePrecision(scores, labels), precision, recall, f1,
                div(fp, fp + tn), div(fn, fn + tp), threshold, new ConfusionMatrix(tp, fp, tn, fn), windows);
    }

    private static double div(long a, long b) {
        return b == 0 ? Double.NaN : (double) a / b;
    }

    /** ROC-AUC as the Mann–Whitney U statistic with average ranks for ties. */
    public static double rocAuc(double[] scores, boolean[] labels) {
        int n = scores.length;
        Integer[] idx = sortedIndex(scores, false);
        double[] ranks = new double[n];
        for (int i = 0; i < n;) {
            int j = i;
            while (j + 1 < n && scores[idx[j + 1]] == scores[idx[i]]) {
                j++;
            }
            double r = (i + j) / 2.0 + 1;
            for (int k = i; k <= j; k++) {
                ranks[idx[k]] = r;
            }
            i = j + 1;
        }
        long pos = 0;
        double rankSum = 0;
        for (int i = 0; i < n; i++) {
            if (labels[i]) {
                pos++;
                rankSum += ranks[i];
            }
        }
        long neg = n - pos;
        if (pos == 0 || neg == 0) {
            return Double.NaN;
        }
        return (rankSum - pos * (pos + 1) / 2.0) / ((double) pos * neg);
    }

    /** Area under the precision-recall curve as average precision (step-wise, as scikit-learn). */
    public static double averagePrecision(double[] scores, boolean[] labels) {
        int n = scores.length;
        long pos = 0;
        for (boolean l : labels) {
            if (l) {
                pos++;
            }
        }
        if (pos == 0 || pos == n) {
            return Double.NaN;
        }
        Integer[] idx = sortedIndex(scores, true);
        double ap = 0;
        long tp = 0;
        long seen = 0;
        double prevRecall = 0;
        for (int i = 0; i < n;) {
            int j = i;
            while (j + 1 < n && scores[idx[j + 1]] == scores[idx[i]]) {
                j++;
            }
            for (int k = i; k <= j; k++) {
                seen++;
                if (labels[idx[k]]) {
                    tp++;
                }
            }
            double recall = (double) tp / pos;
            double precision = (double) tp / seen;
            ap += (recall - prevRecall) * precision;
            prevRecall = recall;
            i = j + 1;
        }
        return ap;
    }

    private static Integer[] sortedIndex(double[] scores, boolean descending) {
        Integer[] idx = new Integer[scores.length];
        for (int i = 0; i < idx.length; i++) {
            idx[i] = i;
        }
        Comparator<Integer> c = Comparator.comparingDouble(i -> scores[i]);
        Arrays.sort(idx, descending ? c.reversed() : c);
        return idx;
    }
}
