package io.gyrosentinel.training;

import io.gyrosentinel.ErrorCode;
import io.gyrosentinel.GyroSentinelException;
import java.util.ArrayList;
import java.util.List;

/**
 * Per-window, per-channel signal features of the statistical model families ({@link ModelFamily#FEATURES_MAHALANOBIS},
 * {@link ModelFamily#FEATURES_PCA}). Input: one normalised window, {@code T × F} floats, time-major
 * ({@code x0 y0 z0 x1 …}). For each channel {@code c}, with {@code m} the window mean and {@code a = x − m}:
 * <pre>
 *   mean        m                                   (left out when dc = "remove")
 *   log_std     ½ · ln(var + ε)                     var = mean(a²)     (AC RMS, in log)
 *   log_peak    ln(max|a| + ε)
 *   crest       max|a| / sqrt(var + ε)
 *   kurtosis    mean(a⁴) / (var² + ε)
 *   log_band_b  ln(E_b + ε), b = 0 … bands−1        E_b = Σ_{k in band b} |A_k|² / T²
 * </pre>
 * {@code A_k = Σ_t h_t a_t e^{−2πi k t / T}} with the periodic Hann window {@code h_t = ½ − ½ cos(2π t / T)}; the
 * bins {@code k = 1 … ⌊T/2⌋} are split into {@code bands} contiguous bands of (nearly) equal width:
 * band {@code b} holds bins {@code 1 + ⌊b·K/N⌋ … ⌊(b+1)·K/N⌋} ({@code K = ⌊T/2⌋}, {@code N = bands}).
 * {@code ε = }{@value #EPSILON}. The feature vector is channel-major: feature {@code i} of channel {@code c} is at
 * {@code c · perChannel() + i}. The packager builds the same computation from TFLite ops, so host and device agree.
 *
 * @param windowLength samples per window ({@code T}, at least 4)
 * @param channels     channels ({@code F}, at least 1)
 * @param bands        frequency bands ({@code 1 … ⌊T/2⌋})
 * @param withMean     whether the window mean is a feature (false: DC removed)
 */
public record SignalFeatures(int windowLength, int channels, int bands, boolean withMean) {
    /** The ε of every log and ratio. */
    public static final double EPSILON = 1e-6;
    /** Default number of frequency bands (fewer when the window has fewer bins). */
    public static final int DEFAULT_BANDS = 8;

    /**
     * @param windowLength samples per window, at least 4
     * @param channels     channels, at least 1
     * @param bands        frequency bands, 1 … ⌊windowLength/2⌋
     * @param withMean     whether the window mean is a feature
     * @throws GyroSentinelException {@link ErrorCode#INVALID_ARGUMENT} (field names the component) when a value is
     *                               out of range
     */
    public SignalFeatures {
        if (windowLength < 4) {
            throw invalid("windowLength", "windowLength must be >= 4 for signal features, was " + windowLength);
        }
        if (channels < 1) {
            throw invalid("channels", "channels must be >= 1, was " + channels);
        }
        if (bands < 1 || bands > windowLength / 2) {
            throw invalid("bands", "bands must be 1 .. windowLength/2 = " + windowLength / 2 + ", was " + bands);
        }
    }

    /**
     * The default bands for a window: {@value #DEFAULT_BANDS}, or every bin when the window has fewer.
     *
     * @param windowLength samples per window
     * @return the number of bands, at least 1
     */
    public static int defaultBands(int windowLength) {
        return Math.max(1, Math.min(DEFAULT_BANDS, windowLength / 2));
    }

    /** {@return the number of features per channel: 4 (5 with the mean) plus the bands} */
    public int perChannel() {
        return (withMean ? 5 : 4) + bands;
    }

    /** {@return the length of the feature vector ({@code channels × perChannel()})} */
    public int size() {
        return channels * perChannel();
    }

    /**
     * The channel a feature belongs to.
     *
     * @param feature index in the feature vector
     * @return the channel, 0 … {@code channels − 1}
     */
    public int channelOf(int feature) {
        return feature / perChannel();
    }

    /** {@return the feature names, e.g. {@code ch0.log_std}, {@code ch2.log_band3}, in vector order} */
    public List<String> names() {
        List<String> out = new ArrayList<>();
        for (int c = 0; c < channels; c++) {
            if (withMean) {
                out.add("ch" + c + ".mean");
            }
            for (String s : new String[] {"log_std", "log_peak", "crest", "kurtosis"}) {
                out.add("ch" + c + "." + s);
            }
            for (int b = 0; b < bands; b++) {
                out.add("ch" + c + ".log_band" + b);
            }
        }
        return out;
    }

    /**
     * First DFT bin of band {@code b} (bins run 1 … ⌊T/2⌋).
     *
     * @param b the band, 0 … {@code bands − 1}
     * @return the bin index
     */
    public int bandStart(int b) {
        return 1 + (int) ((long) b * (windowLength / 2) / bands);
    }

    /**
     * One past the last DFT bin of band {@code b}.
     *
     * @param b the band, 0 … {@code bands − 1}
     * @return the bin index
     */
    public int bandEnd(int b) {
        return 1 + (int) ((long) (b + 1) * (windowLength / 2) / bands);
    }

    /** {@return a new array with the periodic Hann window, {@code T} values} */
    public double[] hann() {
        double[] h = new double[windowLength];
        for (int t = 0; t < windowLength; t++) {
            h[t] = 0.5 - 0.5 * Math.cos(2 * Math.PI * t / windowLength);
        }
        return h;
    }

    /**
     * The features of one normalised window (computed in double, returned as float like the device's).
     *
     * @param window one normalised window, {@code T × F} values, time-major
     * @return a new feature vector of {@link #size()} values
     * @throws GyroSentinelException {@link ErrorCode#BAD_INPUT} if the window has the wrong length
     */
    public float[] extract(float[] window) {
        float[] out = new float[size()];
        extract(window, out, new Scratch(this));
        return out;
    }

    /** Reusable buffers of {@link #extract(float[], float[], Scratch)} (one per thread). */
    public static final class Scratch {
        final double[] a;
        final double[] cos;
        final double[] sin;
        final double[] hann;

        /**
         * Buffers (and the DFT and Hann tables) for windows of {@code f}'s shape.
         *
         * @param f the features the buffers are for
         */
        public Scratch(SignalFeatures f) {
            int t = f.windowLength;
            a = new double[t];
            hann = f.hann();
            int bins = t / 2;
            cos = new double[bins * t];
            sin = new double[bins * t];
            for (int k = 1; k <= bins; k++) {
                for (int i = 0; i < t; i++) {
                    double ang = 2 * Math.PI * ((long) k * i % t) / t;
                    cos[(k - 1) * t + i] = Math.cos(ang) * hann[i];
                    sin[(k - 1) * t + i] = Math.sin(ang) * hann[i];
                }
            }
        }
    }

    /**
     * As {@link #extract(float[])}, into {@code out} with reusable buffers.
     *
     * @param window one normalised window, {@code T × F} values, time-major
     * @param out    receives the {@link #size()} features
     * @param s      buffers made for this shape, not shared between threads
     * @throws GyroSentinelException {@link ErrorCode#BAD_INPUT} if the window has the wrong length
     */
    public void extract(float[] window, float[] out, Scratch s) {
        int t = windowLength;
        int f = channels;
        if (window == null || window.length != t * f) {
            throw new GyroSentinelException(ErrorCode.BAD_INPUT, "window has " + (window == null ? "no" : window.length)
                    + " floats, expected " + t + "*" + f + " = " + t * f);
        }
        int per = perChannel();
        for (int c = 0; c < f; c++) {
            double m = 0;
            for (int i = 0; i < t; i++) {
                m += window[i * f + c];
            }
            m /= t;
            double m2 = 0;
            double m4 = 0;
            double peak = 0;
            for (int i = 0; i < t; i++) {
                double a = window[i * f + c] - m;
                s.a[i] = a;
                double a2 = a * a;
                m2 += a2;
                m4 += a2 * a2;
                peak = Math.max(peak, Math.abs(a));
            }
            m2 /= t;
            m4 /= t;
            int o = c * per;
            if (withMean) {
                out[o++] = (float) m;
            }
            out[o++] = (float) (0.5 * Math.log(m2 + EPSILON));
            out[o++] = (float) Math.log(peak + EPSILON);
            out[o++] = (float) (peak / Math.sqrt(m2 + EPSILON));
            out[o++] = (float) (m4 / (m2 * m2 + EPSILON));
            for (int b = 0; b < bands; b++) {
                double e = 0;
                for (int k = bandStart(b); k < bandEnd(b); k++) {
                    double re = 0;
                    double im = 0;
                    int base = (k - 1) * t;
                    for (int i = 0; i < t; i++) {
                        re += s.cos[base + i] * s.a[i];
                        im += s.sin[base + i] * s.a[i];
                    }
                    e += re * re + im * im;
                }
                out[o++] = (float) Math.log(e / ((double) t * t) + EPSILON);
            }
        }
    }

    private static GyroSentinelException invalid(String field, String message) {
        return new GyroSentinelException(ErrorCode.INVALID_ARGUMENT, message, field, null);
    }
}
