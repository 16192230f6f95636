package io.gyrosentinel.training;

import io.gyrosentinel.ErrorCode;
import io.gyrosentinel.GyroSentinelException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Random;

/**
 * Anomalous windows made from normal ones, for plants that have no recording of a fault yet: the packager's ROC-AUC
 * gate (does the quantised model still rank faults above normal windows?) needs something to rank. Each kind is a
 * plausible change of a vibration signal, applied per channel with a size relative to the channel's spread (the
 * model's normalisation std):
 * <ul>
 * <li>{@link Kind#HARMONIC_AMPLITUDE}: the window's strongest frequency component doubled (imbalance grows);</li>
 * <li>{@link Kind#IMPULSES}: an impulse of 3 std every 7 samples (bearing or gear defect);</li>
 * <li>{@link Kind#BROADBAND_NOISE}: white noise of 1 std added (looseness, rubbing, cavitation);</li>
 * <li>{@link Kind#OFFSET}: a constant offset of 2 std (a shifted mounting or bias);</li>
 * <li>{@link Kind#FREQUENCY_SHIFT}: the signal 30 % faster, by linear interpolation (speed or resonance change).</li>
 * </ul>
 * They are a stand-in: a model that separates them is not proven to catch a real fault, and real anomalous
 * recordings replace them whenever there are some. Deterministic for a seed.
 */
public final class SyntheticAnomalies {
    /** The perturbations, in the order they are applied round-robin. */
    public enum Kind {
        /** The window's strongest frequency component doubled (imbalance grows). */
        HARMONIC_AMPLITUDE("dominant harmonic amplitude x2"),
        /** An impulse of 3 std every 7 samples (bearing or gear defect). */
        IMPULSES("impulse train, 3 std every 7 samples"),
        /** White noise of 1 std added (looseness, rubbing, cavitation). */
        BROADBAND_NOISE("broadband noise, 1 std"),
        /** A constant offset of 2 std (a shifted mounting or bias). */
        OFFSET("offset of 2 std"),
        /** The signal 30 % faster, by linear interpolation (speed or resonance change). */
        FREQUENCY_SHIFT("frequency shift x1.3");

        private final String description;

        Kind(String description) {
            this.description = description;
        }

        /** {@return the perturbation in words, e.g. {@code offset of 2 std}} */
        public String description() {
            return description;
        }
    }

    private SyntheticAnomalies() {
    }

    /** {@return what {@link #from} applies, in words (the kinds' descriptions joined by "; "), e.g. for a report} */
    public static String describe() {
        List<String> d = new ArrayList<>();
        for (Kind k : Kind.values()) {
            d.add(k.description());
        }
        return String.join("; ", d);
    }

    /**
     * One anomalous window per normal window (raw, physical units, {@code windowLength * channels} interleaved), the
     * kinds taking turns.
     *
     * @param normal the normal windows, each {@code windowLength * channels} values (the model's)
     * @param model  gives the window shape and the channels' spread
     * @param seed   makes the random parts reproducible
     * @return new windows, one per normal window, in the same order
     * @throws GyroSentinelException {@link ErrorCode#BAD_INPUT} when there are no windows or one has the wrong size
     */
    public static float[][] from(float[][] normal, AnomalyModel model, long seed) {
        int t = model.windowLength();
        int f = model.channels();
        if (normal == null || normal.length == 0) {
            throw new GyroSentinelException(ErrorCode.BAD_INPUT, "no normal windows to derive synthetic anomalies from");
        }
        float[] std = model.normalization().std();
        Random r = new Random(seed);
        Kind[] kinds = Kind.values();
        float[][] out = new float[normal.length][];
        for (int i = 0; i < normal.length; i++) {
            float[] x = normal[i];
            if (x == null || x.length != t * f) {
                throw new GyroSentinelException(ErrorCode.BAD_INPUT, String.format(Locale.ROOT,
                        "normal window %d has %s values, expected %d x %d", i, x == null ? "no" : x.length, t, f));
            }
            out[i] = apply(kinds[i % kinds.length], x, t, f, std, r);
        }
        return out;
    }

    static float[] apply(Kind k, float[] x, int t, int f, float[] std, Random r) {
        float[] y = x.clone();
        for (int c = 0; c < f; c++) {
            double s = std[c];
            switch (k) {
                case HARMONIC_AMPLITUDE -> {
                    // the strongest DFT bin (not DC) of this channel, added once more: its amplitude doubles
                    double mean = 0;
                    for (int n = 0; n < t; n++) {
                        mean += x[n * f + c];
                    }
                    mean /= t;
                    int best = 1;
                    double bestPow = -1;
                    double bestRe = 0;
                    double bestIm = 0;
                    for (int b = 1; b <= t / 2; b++) {
                        double re = 0;
                        double im = 0;
                        for (int n = 0; n < t; n++) {
                            double v = x[n * f + c] - mean;
                            re += v * Math.cos(2 * Math.PI * b * n / t);
                            im -= v * Math.sin(2 * Math.PI * b * n / t);
                        }
                        double p = re * re + im * im;
                        if (p > bestPow) {
                            bestPow = p;
                            best = b;
                            bestRe = re;
                            bestIm = im;
                        }
                    }
                    double scale = (best == t / 2.0 ? 1.0 : 2.0) / t;
                    for (int n = 0; n < t; n++) {
                        double ph = 2 * Math.PI * best * n / t;
                        y[n * f + c] += (float) (scale * (bestRe * Math.cos(ph) - bestIm * Math.sin(ph)));
                    }
                }
                case IMPULSES -> {
                    int phase = r.nextInt(7);
                    for (int n = phase; n < t; n += 7) {
                        y[n * f + c] += (float) (3 * s * (r.nextBoolean() ? 1 : -1));
                    }
                }
                case BROADBAND_NOISE -> {
                    for (int n = 0; n < t; n++) {
                        y[n * f + c] += (float) (s * r.nextGaussian());
                    }
                }
                case OFFSET -> {
                    float d = (float) (2 * s * (r.nextBoolean() ? 1 : -1));
                    for (int n = 0; n < t; n++) {
                        y[n * f + c] += d;
                    }
                }
                case FREQUENCY_SHIFT -> {
                    // sample the window 1.3x faster, reflecting at its end
                    for (int n = 0; n < t; n++) {
                        double p = n * 1.3;
                        double q = p % (2 * (t - 1));
                        if (q > t - 1) {
                            q = 2 * (t - 1) - q;
                        }
                        int a = (int) Math.floor(q);
                        int b = Math.min(t - 1, a + 1);
                        double w = q - a;
                        y[n * f + c] = (float) (x[a * f + c] * (1 - w) + x[b * f + c] * w);
                    }
                }
                default -> throw new IllegalStateException(k.name());
            }
        }
        return y;
    }
}
