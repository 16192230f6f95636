package io.gyrosentinel;

/**
 * One sample in physical units. The convenient form; {@link SampleBlock} is the fast path.
 *
 * @param index           sample index in the stream
 * @param timestampMicros sensor-clock time, µs
 * @param values          one value per channel (dps for a gyroscope)
 */
public record GyroSample(long index, long timestampMicros, float[] values) {
    /**
     * Copies {@code values}.
     *
     * @param index           sample index in the stream
     * @param timestampMicros sensor-clock time, µs
     * @param values          one value per channel
     */
    public GyroSample {
        values = values.clone();
    }

    /** {@return a copy of the values, one per channel (dps for a gyroscope)} */
    @Override
    public float[] values() {
        return values.clone();
    }

    /**
     * The value of one channel.
     *
     * @param channel channel index, 0 .. {@link #channels()} - 1
     * @return the physical value (dps for a gyroscope)
     */
    public float value(int channel) {
        return values[channel];
    }

    /** {@return the number of channels (values) in this sample} */
    public int channels() {
        return values.length;
    }
}
