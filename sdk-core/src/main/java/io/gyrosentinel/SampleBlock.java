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

    /**
     * Checks that the arrays are large enough; they are kept, not copied.
     *
     * @param sequence        batch sequence number
     * @param firstSample     index of the first sample in the stream
     * @param timestampMicros sensor-clock time of the first sample, µs
     * @param periodNanos     time between samples, ns
     * @param count           number of samples, not negative
     * @param channels        values per sample, at least 1
     * @param raw             raw values, interleaved, at least {@code count * channels}
     * @param scale           physical units per LSB, at least one per channel
     * @param missingBefore   samples missing right before this block
     * @throws GyroSentinelException {@link ErrorCode#BAD_INPUT} when the sizes do not agree
     */
    public SampleBlock {
        if (count < 0 || channels < 1 || raw.length < (long) count * channels || scale.length < channels) {
            throw new GyroSentinelException(ErrorCode.BAD_INPUT, "inconsistent block: count=" + count
                    + " channels=" + channels + " raw.length=" + raw.length + " scale.length=" + scale.length);
        }
    }

    /**
     * Raw value of sample {@code i}, channel {@code c}.
     *
     * @param i sample index in this block, 0 .. {@code count - 1}
     * @param c channel, 0 .. {@code channels - 1}
     * @return the raw sensor value (LSB)
     */
    public short raw(int i, int c) {
        return raw[i * channels + c];
    }

    /**
     * Physical value (dps for a gyroscope) of sample {@code i}, channel {@code c}.
     *
     * @param i sample index in this block, 0 .. {@code count - 1}
     * @param c channel, 0 .. {@code channels - 1}
     * @return the raw value times the channel's scale
     */
    public float value(int i, int c) {
        return raw[i * channels + c] * scale[c];
    }

    /**
     * Writes all physical values, interleaved, into {@code dst} from {@code offset}.
     *
     * @param dst    destination, with room for {@code count * channels} values from {@code offset}
     * @param offset first index written in {@code dst}
     */
    public void values(float[] dst, int offset) {
        int n = count * channels;
        for (int k = 0, c = 0; k < n; k++) {
            dst[offset + k] = raw[k] * scale[c];
            if (++c == channels) {
                c = 0;
            }
        }
    }

    /**
     * Sensor-clock time of sample {@code i}, µs.
     *
     * @param i sample index in this block
     * @return the first sample's time plus {@code i} periods, µs
     */
    public long timestampMicros(int i) {
        return timestampMicros + (i * periodNanos) / 1000;
    }

    /**
     * Sample {@code i} as an object (allocates; use the array accessors on hot paths).
     *
     * @param i sample index in this block
     * @return the sample, with its index in the stream and its physical values
     */
    public GyroSample sample(int i) {
        float[] v = new float[channels];
        for (int c = 0; c < channels; c++) {
            v[c] = value(i, c);
        }
        return new GyroSample(firstSample + i, timestampMicros(i), v);
    }

    /** {@return the stream index one past this block's last sample ({@code firstSample + count})} */
    public long endSample() {
        return firstSample + count;
    }
}
