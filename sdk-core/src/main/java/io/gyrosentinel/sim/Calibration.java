package io.gyrosentinel.sim;

import java.util.Arrays;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The calibration math of docs/protocol.md §3.3, written to match the firmware's
 * {@code gs_calibration.c} operation for operation (float normalisation, double accumulators),
 * and checked by both against {@code proto/testdata/calibration/}.
 */
final class Calibration {
    /** The firmware's defaults (Kconfig GS_CALIBRATION_MAX_SAMPLES / _MAX_WINDOWS). */
    static final int MAX_SAMPLES = 4096;
    static final int MAX_WINDOWS = 1024;
    static final int MIN_MS = io.gyrosentinel.DeviceLimits.CALIBRATION_MIN_MS;
    static final int MAX_MS = io.gyrosentinel.DeviceLimits.CALIBRATION_MAX_MS;

    private Calibration() {
    }

    /** Kept samples a duration means: round(duration_ms × odr / decimation / 1000). */
    static long samplesFor(long durationMs, float odrHz, int decimation) {
        return Math.round((double) durationMs * (double) odrHz / decimation / 1000.0);
    }

    /** Welford's running mean and population variance per channel. */
    static final class Welford {
        final int channels;
        long n;
        final double[] mean;
        final double[] m2;

        Welford(int channels) {
            this.channels = channels;
            this.mean = new double[channels];
            this.m2 = new double[channels];
        }

        void add(float[] values, int offset) {
            n++;
            for (int k = 0; k < channels; k++) {
                double x = values[offset + k];
                double d = x - mean[k];
                mean[k] += d / n;
                m2[k] += d * (x - mean[k]);
            }
        }

        float[] mean() {
            float[] r = new float[channels];
            for (int k = 0; k < channels; k++) {
                r[k] = n == 0 ? 0f : (float) mean[k];
            }
            return r;
        }

        float[] std() {
            float[] r = new float[channels];
            for (int k = 0; k < channels; k++) {
                r[k] = n == 0 ? 0f : (float) Math.sqrt(m2[k] / n);
            }
            return r;
        }
    }

    /** (x − mean) / std per channel, in float as the firmware's scorer. */
    static float[] normalise(float[] x, float[] mean, float[] std) {
        int ch = mean.length;
        float[] z = new float[x.length];
        for (int i = 0; i < x.length; i++) {
            z[i] = (x[i] - mean[i % ch]) / std[i % ch];
        }
        return z;
    }

    /**
     * The score of one window: (x − mean) / std in float, then {@code channelErrors} of the
     * normalised window (MSE per channel), averaged over channels.
     */
    static float windowScore(float[] samples, int offset, int window, int channels, float[] mean, float[] std,
                             Function<float[], float[]> channelErrors) {
        float[] z = new float[window * channels];
        for (int t = 0; t < window; t++) {
            for (int k = 0; k < channels; k++) {
                z[t * channels + k] = (samples[offset + t * channels + k] - mean[k]) / std[k];
            }
        }
        float[] err = channelErrors.apply(z);
        double total = 0;
        for (float e : err) {
            total += e;
        }
        return (float) (total / channels);
    }

    /**
     * Threshold from window scores: the {@code quantile} (0 &lt; q &lt; 1) with linear interpolation
     * (numpy's default), or with quantile 0, mean + kSigma × population std.
     */
    static float threshold(float[] scores, int n, float quantile, float kSigma) {
        // package-private: VirtualDevice validates the request first (INVALID_ARGUMENT to the host), so the
        // IllegalArgumentExceptions below guard internal invariants only
        if (n <= 0 || !(quantile >= 0f && quantile < 1f)) {
            throw new IllegalArgumentException("need scores and 0 <= quantile < 1");
        }
        if (quantile > 0f) {
            float[] s = Arrays.copyOf(scores, n);
            Arrays.sort(s);
            double h = (n - 1) * (double) quantile;
            int i = (int) Math.floor(h);
            double lo = s[i];
            double hi = s[Math.min(i + 1, n - 1)];
            return (float) (lo + (h - i) * (hi - lo));
        }
        if (!(kSigma > 0f) || !Float.isFinite(kSigma)) {
            throw new IllegalArgumentException("kSigma must be > 0");
        }
        double sum = 0;
        for (int i = 0; i < n; i++) {
            sum += scores[i];
        }
        double mean = sum / n;
        double var = 0;
        for (int i = 0; i < n; i++) {
            double d = scores[i] - mean;
            var += d * d;
        }
        return (float) (mean + kSigma * Math.sqrt(var / n));
    }

    /** A number array of the manifest JSON ({@code "mean": [..]}), or null when absent. */
    static float[] manifestArray(String json, String key) {
        Matcher m = Pattern.compile("\"" + Pattern.quote(key) + "\"\\s*:\\s*\\[([^\\]]*)\\]").matcher(json);
        if (!m.find()) {
            return null;
        }
        String body = m.group(1).trim();
        if (body.isEmpty()) {
            return new float[0];
        }
        String[] parts = body.split(",");
        float[] r = new float[parts.length];
        for (int i = 0; i < parts.length; i++) {
            r[i] = Float.parseFloat(parts[i].trim());
        }
        return r;
    }
}
