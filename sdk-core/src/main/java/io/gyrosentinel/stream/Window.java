package io.gyrosentinel.stream;

/**
 * A sliding window of consecutive samples in physical units. A window never spans a gap.
 *
 * @param startSample     index of the first sample in the stream
 * @param startTimestampMicros sensor-clock time of the first sample, µs
 * @param size            samples in the window
 * @param channels        values per sample
 * @param values          {@code size * channels} values, interleaved; owned by this window
 */
public record Window(long startSample, long startTimestampMicros, int size, int channels, float[] values) {
    /**
     * The value of one sample and channel.
     *
     * @param i sample index in the window, 0 .. {@code size - 1}
     * @param c channel, 0 .. {@code channels - 1}
     * @return the physical value
     */
    public float value(int i, int c) {
        return values[i * channels + c];
    }

    /** {@return the stream index one past the window's last sample} */
    public long endSample() {
        return startSample + size;
    }
}
