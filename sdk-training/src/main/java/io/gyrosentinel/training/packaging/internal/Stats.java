package io.gyrosentinel.training.packaging.internal;

import java.util.Arrays;

/** Rank statistics for verification. */
public final class Stats {
    private Stats() {
    }

    /** Spearman rank correlation (average ranks for ties). */
    public static double spearman(double[] a, double[] b) {
        double[] ra = ranks(a);
        double[] rb = ranks(b);
        double ma = mean(ra);
        double mb = mean(rb);
        double sab = 0;
        double saa = 0;
        double sbb = 0;
        for (int i = 0; i < a.length; i++) {
            sab += (ra[i] - ma) * (rb[i] - mb);
            saa += (ra[i] - ma) * (ra[i] - ma);
            sbb += (rb[i] - mb) * (rb[i] - mb);
        }
        return saa == 0 || sbb == 0 ? (saa == sbb ? 1 : 0) : sab / Math.sqrt(saa * sbb);
    }

    /** ROC-AUC of scores where {@code positive[i]} marks anomalous windows (Mann–Whitney, ties count half). */
    public static double rocAuc(double[] scores, boolean[] positive) {
        double[] r = ranks(scores);
        double sumPos = 0;
        long pos = 0;
        for (int i = 0; i < scores.length; i++) {
            if (positive[i]) {
                sumPos += r[i];
                pos++;
            }
        }
        long neg = scores.length - pos;
        if (pos == 0 || neg == 0) {
            return Double.NaN;
        }
        return (sumPos - pos * (pos + 1) / 2.0) / ((double) pos * neg);
    }

    /** 1-based ranks, ties get their average rank. */
    static double[] ranks(double[] v) {
        Integer[] idx = new Integer[v.length];
        for (int i = 0; i < v.length; i++) {
            idx[i] = i;
        }
        Arrays.sort(idx, (x, y) -> Double.compare(v[x], v[y]));
        double[] r = new double[v.length];
        int i = 0;
        while (i < v.length) {
            int j = i;
            while (j + 1 < v.length && v[idx[j + 1]] == v[idx[i]]) {
                j++;
            }
            double avg = (i + j) / 2.0 + 1;
            for (int k = i; k <= j; k++) {
                r[idx[k]] = avg;
            }
            i = j + 1;
        }
        return r;
    }

    static double mean(double[] v) {
        double s = 0;
        for (double x : v) {
            s += x;
        }
        return s / v.length;
    }

    public static double median(long[] v) {
        long[] s = v.clone();
        Arrays.sort(s);
        return s.length == 0 ? Double.NaN : s[s.length / 2];
    }
}
