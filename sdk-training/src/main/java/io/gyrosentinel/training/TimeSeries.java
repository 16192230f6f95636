package io.gyrosentinel.training;

import io.gyrosentinel.recording.SessionLabel;
import io.gyrosentinel.ErrorCode;
import io.gyrosentinel.GyroSentinelException;
import java.util.Objects;
import java.util.Optional;

/**
 * A multichannel time series of vibration samples: the input of training and evaluation.
 *
 * <p>Samples are interleaved ({@code samples[i*channels + c]} is channel {@code c} of sample {@code i}), in
 * physical units (e.g. deg/s); the model normalises them itself. A series carries a label for all its
 * samples and, optionally, one label per sample (for recordings in which a fault starts part-way through).
 * Values are not checked here (a recording may hold NaN); training and evaluation reject non-finite samples
 * with the series, sample and channel named. Instances are immutable.
 *
 * <pre>{@code
 * TimeSeries normal = TimeSeries.of(samples, 3, 200.0, SessionLabel.NORMAL);
 * TimeSeries run = TimeSeries.builder().name("pump-7 2024-05-01").samples(samples, 3).sampleRateHz(200)
 *         .label(SessionLabel.ANOMALOUS).sampleLabels(faultFlags).build();
 * }</pre>
 */
public final class TimeSeries {


    private final String name;
    private final float[] samples;
    private final int channels;
    private final double sampleRateHz;
    private final SessionLabel label;
    private final boolean[] sampleLabels;

    private TimeSeries(Builder b) {
        if (b.samples == null) {
            throw invalid("samples", "samples are required");
        }
        if (b.channels < 1) {
            throw invalid("channels", "channels must be >= 1, was " + b.channels);
        }
        if (b.samples.length % b.channels != 0) {
            throw invalid("samples", "samples.length " + b.samples.length
                    + " is not a multiple of channels " + b.channels + " (samples must be interleaved)");
        }
        if (!(b.sampleRateHz > 0) || Double.isInfinite(b.sampleRateHz)) {
            throw invalid("sampleRateHz", "sampleRateHz must be positive and finite, was " + b.sampleRateHz);
        }
        int length = b.samples.length / b.channels;
        if (b.sampleLabels != null && b.sampleLabels.length != length) {
            throw invalid("sampleLabels", "sampleLabels has " + b.sampleLabels.length
                    + " entries but the series has " + length + " samples");
        }
        this.name = b.name;
        this.samples = b.samples.clone();
        this.channels = b.channels;
        this.sampleRateHz = b.sampleRateHz;
        this.label = Objects.requireNonNull(b.label, "label");
        this.sampleLabels = b.sampleLabels == null ? null : b.sampleLabels.clone();
    }

    private static GyroSentinelException invalid(String field, String message) {
        return new GyroSentinelException(ErrorCode.INVALID_ARGUMENT, message, field, null);
    }

    /**
     * A series with one label for all samples.
     *
     * @param interleaved  the samples, interleaved, physical units; copied
     * @param channels     channels per sample, at least 1
     * @param sampleRateHz sample rate, Hz, positive and finite
     * @param label        the label of every sample
     * @return the series, without a name or per-sample labels
     * @throws GyroSentinelException {@link ErrorCode#INVALID_ARGUMENT} as {@link Builder#build()}
     */
    public static TimeSeries of(float[] interleaved, int channels, double sampleRateHz, SessionLabel label) {
        return builder().samples(interleaved, channels).sampleRateHz(sampleRateHz).label(label).build();
    }

    /** {@return an empty builder (label {@link SessionLabel#NORMAL})} */
    public static Builder builder() {
        return new Builder();
    }

    /** {@return a builder pre-filled with this series' values} */
    public Builder toBuilder() {
        Builder b = new Builder().name(name).samples(samples, channels).sampleRateHz(sampleRateHz).label(label);
        if (sampleLabels != null) {
            b.sampleLabels(sampleLabels);
        }
        return b;
    }

    /** {@return the optional human-readable name (used in error messages and CSV exports); may be null} */
    public String name() {
        return name;
    }

    /** {@return the number of channels per sample} */
    public int channels() {
        return channels;
    }

    /** {@return the number of samples (time steps), not floats} */
    public int length() {
        return samples.length / channels;
    }

    /** {@return the sample rate, Hz} */
    public double sampleRateHz() {
        return sampleRateHz;
    }

    /** {@return the label of the series as a whole} */
    public SessionLabel label() {
        return label;
    }

    /**
     * The value of one channel of one sample.
     *
     * @param sample  sample index, 0 … {@code length() − 1}
     * @param channel channel, 0 … {@code channels() − 1}
     * @return the value, physical units
     */
    public float value(int sample, int channel) {
        return samples[sample * channels + channel];
    }

    /** {@return a copy of the interleaved samples} */
    public float[] samples() {
        return samples.clone();
    }

    /**
     * The raw windows of {@code length} samples that start every {@code stride} samples ({@code length * channels}
     * interleaved floats each), e.g. the normal and anomalous windows {@code ModelPackager.pack} verifies on.
     *
     * @param length samples per window
     * @param stride samples between window starts
     * @return new arrays, one per window that fits (none when the series is shorter than {@code length})
     * @throws GyroSentinelException {@link ErrorCode#INVALID_ARGUMENT} if length or stride is below 1
     */
    public float[][] windows(int length, int stride) {
        if (length < 1 || stride < 1) {
            throw new GyroSentinelException(ErrorCode.INVALID_ARGUMENT, "window length and stride must be >= 1, were "
                    + length + " and " + stride, length < 1 ? "length" : "stride", null);
        }
        int n = length() < length ? 0 : (length() - length) / stride + 1;
        float[][] w = new float[n][];
        for (int i = 0; i < n; i++) {
            w[i] = java.util.Arrays.copyOfRange(samples, i * stride * channels, (i * stride + length) * channels);
        }
        return w;
    }

    /** {@return a copy of the per-sample labels ({@code true} = anomalous), or empty if the series has none} */
    public Optional<boolean[]> sampleLabels() {
        return Optional.ofNullable(sampleLabels).map(boolean[]::clone);
    }

    /**
     * Whether sample {@code i} is anomalous: its per-sample label if there are any, else the series label.
     *
     * @param sample sample index, 0 … {@code length() − 1}
     * @return whether the sample is labelled anomalous
     */
    public boolean isAnomalous(int sample) {
        return sampleLabels != null ? sampleLabels[sample] : label == SessionLabel.ANOMALOUS;
    }

    /** Package-private zero-copy access for the pipeline. */
    float[] rawSamples() {
        return samples;
    }

    @Override
    public String toString() {
        return "TimeSeries[" + (name == null ? "" : name + ", ") + length() + " samples x " + channels + " ch @ "
                + sampleRateHz + " Hz, " + label + (sampleLabels != null ? ", per-sample labels" : "") + "]";
    }

    /** Builder; {@link #build()} validates and copies the arrays. */
    public static final class Builder {
        private String name;
        private float[] samples;
        private int channels;
        private double sampleRateHz;
        private SessionLabel label = SessionLabel.NORMAL;
        private boolean[] sampleLabels;

        private Builder() {}

        /**
         * An optional human-readable name.
         *
         * @param name the name, or {@code null}
         * @return this builder
         */
        public Builder name(String name) {
            this.name = name;
            return this;
        }

        /**
         * Interleaved samples and their channel count.
         *
         * @param interleaved the samples, interleaved, physical units
         * @param channels    channels per sample
         * @return this builder
         */
        public Builder samples(float[] interleaved, int channels) {
            this.samples = interleaved;
            this.channels = channels;
            return this;
        }

        /**
         * The sample rate (required).
         *
         * @param sampleRateHz the rate, Hz, positive and finite
         * @return this builder
         */
        public Builder sampleRateHz(double sampleRateHz) {
            this.sampleRateHz = sampleRateHz;
            return this;
        }

        /**
         * The label of the series (default {@link SessionLabel#NORMAL}); the recordings' label type, so a session's
         * label carries over as it is. {@link SessionLabel#UNLABELLED} counts as not anomalous.
         *
         * @param label the label, not {@code null}
         * @return this builder
         */
        public Builder label(SessionLabel label) {
            this.label = java.util.Objects.requireNonNull(label, "label");
            return this;
        }

        /**
         * One flag per sample, {@code true} = anomalous.
         *
         * @param sampleLabels one flag per sample, or {@code null} for none
         * @return this builder
         */
        public Builder sampleLabels(boolean[] sampleLabels) {
            this.sampleLabels = sampleLabels;
            return this;
        }

        /**
         * @return the series
         * @throws GyroSentinelException {@link ErrorCode#INVALID_ARGUMENT}, {@link GyroSentinelException#field()}
         *                               naming the setting: no samples, channels below 1, a sample count that
         *                               is not a multiple of channels, a rate that is not positive and finite,
         *                               or sample labels of another length
         */
        public TimeSeries build() {
            return new TimeSeries(this);
        }
    }
}
