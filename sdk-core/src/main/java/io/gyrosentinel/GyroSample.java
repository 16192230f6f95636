package io.gyrosentinel;

/**
 * One sample in physical units. The convenient form; {@link SampleBlock} is the fast path.
 *
 * @param index           sample index in the stream
 * @param timestampMicros sensor-clock time, µs
 * @param values          one value per channel (dps for a gyroscope)
 */
public record GyroSample(long index, long timestampMicros, float[] values) {
    public GyroSample {
        values = values.clone();
    }

    @Override
    public float[] values() {
        return values.clone();
    }

    public float value(int channel) {
        return values[channel];
    }

    public int channels() {
        return values.length;
    }
}
