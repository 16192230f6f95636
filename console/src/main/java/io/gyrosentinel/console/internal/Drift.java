package io.gyrosentinel.console.internal;

import java.util.Arrays;

/**
 * Drift watch for one device's model: the distribution of its scores on normal operation now (the last
 * {@link #WINDOWS} calm windows) against the one right after the model started or was calibrated (the first
 * {@link #WINDOWS} calm windows then), compared by the two-sample Kolmogorov–Smirnov distance and the ratio of
 * medians. Scores creeping up while no alarm fires — a bearing wearing in, a loosening mount, a changed duty — show
 * here before they cross the threshold. Windows inside an anomaly episode are left out of both.
 * Not thread-safe: the caller serialises.
 */
public final class Drift {
    /** Calm windows in the reference and in the rolling distribution. */
    static final int WINDOWS = 1200;
    /** KS distance above which the distributions differ ... */
    static final double KS_LIMIT = 0.3;
    /** ... and the median ratio away from 1 by more than this. */
    static final double MEDIAN_LIMIT = 1.25;

    /** What the watch says. */
    public enum State {
        /** Still collecting the reference distribution. */
        LEARNING,
        /** Scores on normal operation look as they did. */
        STABLE,
        /** Scores on normal operation have moved: check the machine, or recalibrate when the change is normal. */
        DRIFTING
    }

    /**
     * A verdict.
     *
     * @param state       the verdict
     * @param ks          Kolmogorov–Smirnov distance between reference and now, 0..1 (NaN while learning)
     * @param medianRatio median now / median of the reference (NaN while learning)
     * @param p95OfThreshold the 95th percentile of scores now as a share of the threshold
     * @param suggestion  what to do, for people; empty when stable
     */
    public record Verdict(State state, double ks, double medianRatio, double p95OfThreshold, String suggestion) {
    }

    private final float[] reference = new float[WINDOWS];
    private int referenceCount;
    private final float[] ring = new float[WINDOWS];
    private int ringCount;
    private int ringNext;
    private float threshold = Float.NaN;
    private String model = "";

    /**
     * Adds a window's score.
     *
     * @param modelId   the model that scored it: another model starts a new reference
     * @param score     the score
     * @param threshold the model's threshold
     * @param inEpisode whether an anomaly episode is open (the window is then left out)
     */
    public void add(String modelId, float score, float threshold, boolean inEpisode) {
        if (!modelId.equals(model) || (Float.isFinite(this.threshold) && threshold != this.threshold)) {
            reset(); // a new model or a new threshold (a calibration): a new reference
            model = modelId;
        }
        this.threshold = threshold;
        if (inEpisode || !Float.isFinite(score)) {
            return;
        }
        if (referenceCount < WINDOWS) {
            reference[referenceCount++] = score;
            return;
        }
        ring[ringNext] = score;
        ringNext = (ringNext + 1) % WINDOWS;
        ringCount = Math.min(WINDOWS, ringCount + 1);
    }

    /** Starts a new reference (after a calibration the console ran). */
    public void reset() {
        referenceCount = 0;
        ringCount = 0;
        ringNext = 0;
        threshold = Float.NaN;
    }

    /** {@return the verdict now} */
    public Verdict verdict() {
        if (referenceCount < WINDOWS || ringCount < WINDOWS / 2) {
            return new Verdict(State.LEARNING, Double.NaN, Double.NaN, Double.NaN, "");
        }
        float[] ref = reference.clone();
        float[] now = Arrays.copyOf(ring, ringCount);
        Arrays.sort(ref);
        Arrays.sort(now);
        double ks = ks(ref, now);
        double medianRatio = median(now) / Math.max(1e-12, median(ref));
        double p95 = now[(int) Math.floor(0.95 * (now.length - 1))] / (double) threshold;
        boolean moved = ks > KS_LIMIT && (medianRatio > MEDIAN_LIMIT || medianRatio < 1 / MEDIAN_LIMIT);
        if (!moved) {
            return new Verdict(State.STABLE, ks, medianRatio, p95, "");
        }
        String s = medianRatio > 1
                ? String.format(java.util.Locale.ROOT, "scores on normal operation have risen to %.1f x those after "
                        + "calibration (95%% of them below %.0f%% of the threshold): inspect the machine; if the "
                        + "change is normal, recalibrate", medianRatio, 100 * p95)
                : String.format(java.util.Locale.ROOT, "scores on normal operation have fallen to %.2f x those after "
                        + "calibration: the model may have become blind to this machine's state; recalibrate",
                        medianRatio);
        return new Verdict(State.DRIFTING, ks, medianRatio, p95, s);
    }

    /** Two-sample KS distance of two sorted samples. */
    static double ks(float[] a, float[] b) {
        int i = 0;
        int j = 0;
        double d = 0;
        while (i < a.length && j < b.length) {
            float x = Math.min(a[i], b[j]);
            while (i < a.length && a[i] <= x) {
                i++;
            }
            while (j < b.length && b[j] <= x) {
                j++;
            }
            d = Math.max(d, Math.abs(i / (double) a.length - j / (double) b.length));
        }
        return d;
    }

    private static double median(float[] sorted) {
        int n = sorted.length;
        return n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2.0;
    }
}
