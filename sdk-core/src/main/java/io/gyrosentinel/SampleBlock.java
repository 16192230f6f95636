package io.gyrosentinel;

/**
 * A run of consecutive samples as primitive arrays: the fast path. One block per wire batch.
 *
 * <p>The arrays are shared, not copied: treat them as read-only. {@code raw} holds
 * {@code count * channels} raw sensor values, interleaved ({@code x0 y0 z0 x1 y1 z1 ...});
 * the physical value of sample {@code i}, channel {@code c} is {@code raw[i*channels+c] * scale[c]}.
 *
 * @param sequence        batch sequence number as sent by the device
 * @param firstSample     index of the first sample in the stream (counts missing samples too)
 * @param timestampMicros sensor-clock time of the first sample, µs
 * @param periodNanos     time between samples, ns
 * @param count           number of samples
 * @param channels        values per sample
 * @param raw             raw values, interleaved
 * @param scale           physical units per LSB, per channel (dps/LSB for a gyroscope)
 * @param missingBefore   samples missing right before this block (0 when contiguous)
 */
public record SampleBlock(long sequence, long firstSample, long timestampMicros, long periodNanos, int count,
                          int channels, short[] raw, float[] scale, long missingBefore) {

    public SampleBlock {
        if (count < 0 || channels < 1 || raw.length < (long) count * channels || scale.length < channels) {
            throw new GyroSentinelException(ErrorCode.BAD_INPUT, "inconsistent block: count=" + count
                    + " channels=" + channels + " raw.length=" + raw.length + " scale.length=" + scale.length);
        }
    }

    /** Raw value of sample {@code i}, channel {@code c}. */
    public short raw(int i, int c) {
        return raw[i * channels + c];
    }

    /** Physical value (dps for a gyroscope) of sample {@code i}, channel {@code c}. */
    public float value(int i, int c) {
        return raw[i * channels + c] * scale[c];
    }

    /** Writes all physical values, interleaved, into {@code dst} from {@code offset}. */
    public void values(float[] dst, int offset) {
        int n = count * channels;
        for (int k = 0, c = 0; k < n; k++) {
            dst[offset + k] = raw[k] * scale[c];
            if (++c == channels) {
                c = 0;
            }
        }
    }

    /** Sensor-clock time of sample {@code i}, µs. */
    public long timestampMicros(int i) {
        return timestampMicros + (i * periodNanos) / 1000;
    }

    /** Sample {@code i} as an object (allocates; use the array accessors on hot paths). */
    public GyroSample sample(int i) {
        float[] v = new float[channels];
        for (int c = 0; c < channels; c++) {
            v[c] = value(i, c);
        }
        return new GyroSample(firstSample + i, timestampMicros(i), v);
    }

    /** Index one past the last sample. */
    public long endSample() {
        return firstSample + count;
    }
}
