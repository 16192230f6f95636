package io.gyrosentinel.training;

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
 * TimeSeries normal = TimeSeries.of(samples, 3, 200.0, TimeSeries.Label.NORMAL);
 * TimeSeries run = TimeSeries.builder().name("pump-7 2024-05-01").samples(samples, 3).sampleRateHz(200)
 *         .label(TimeSeries.Label.ANOMALOUS).sampleLabels(faultFlags).build();
 * }</pre>
 */
public final class TimeSeries {

    /** Ground truth of a series or a sample. */
    public enum Label {
        NORMAL, ANOMALOUS
    }

    private final String name;
    private final float[] samples;
    private final int channels;
    private final double sampleRateHz;
    private final Label label;
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
     * @throws GyroSentinelException {@link ErrorCode#INVALID_ARGUMENT} as {@link Builder#build()}
     */
    public static TimeSeries of(float[] interleaved, int channels, double sampleRateHz, Label label) {
        return builder().samples(interleaved, channels).sampleRateHz(sampleRateHz).label(label).build();
    }

    public static Builder builder() {
        return new Builder();
    }

    /** A builder pre-filled with this series' values. */
    public Builder toBuilder() {
        Builder b = new Builder().name(name).samples(samples, channels).sampleRateHz(sampleRateHz).label(label);
        if (sampleLabels != null) {
            b.sampleLabels(sampleLabels);
        }
        return b;
    }

    /** Optional human-readable name (used in error messages and CSV exports); may be null. */
    public String name() {
        return name;
    }

    public int channels() {
        return channels;
    }

    /** Number of samples (time steps), not floats. */
    public int length() {
        return samples.length / channels;
    }

    public double sampleRateHz() {
        return sampleRateHz;
    }

    public Label label() {
        return label;
    }

    /** Value of one channel of one sample. */
    public float value(int sample, int channel) {
        return samples[sample * channels + channel];
    }

    /** A copy of the interleaved samples. */
    public float[] samples() {
        return samples.clone();
    }

    /**
     * The raw windows of {@code length} samples that start every {@code stride} samples ({@code length * channels}
     * interleaved floats each), e.g. the normal and anomalous windows {@code ModelPackager.pack} verifies on.
     *
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

    /** Per-sample labels, if the series has them. */
    public Optional<boolean[]> sampleLabels() {
        return Optional.ofNullable(sampleLabels).map(boolean[]::clone);
    }

    /**
     * Whether sample {@code i} is anomalous: its per-sample label if there are any, else the series label.
     */
    public boolean isAnomalous(int sample) {
        return sampleLabels != null ? sampleLabels[sample] : label == Label.ANOMALOUS;
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
        private Label label = Label.NORMAL;
        private boolean[] sampleLabels;

        private Builder() {}

        public Builder name(String name) {
            this.name = name;
            return this;
        }

        /** Interleaved samples and their channel count. */
        public Builder samples(float[] interleaved, int channels) {
            this.samples = interleaved;
            this.channels = channels;
            return this;
        }

        public Builder sampleRateHz(double sampleRateHz) {
            this.sampleRateHz = sampleRateHz;
            return this;
        }

        public Builder label(Label label) {
            this.label = label;
            return this;
        }

        /** One flag per sample, {@code true} = anomalous. */
        public Builder sampleLabels(boolean[] sampleLabels) {
            this.sampleLabels = sampleLabels;
            return this;
        }

        /**
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
