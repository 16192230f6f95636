package io.gyrosentinel;

/**
 * Samples that did not arrive. Gaps are never silent: a stream reports those lost on the link or
 * on the device as events, and every loss (a slow consumer's too) in its statistics, on the next
 * {@link SampleBlock} ({@link SampleBlock#missingBefore()}) and in recordings.
 *
 * @param atSample       index (in the stream's sample numbering) where the missing samples belong
 * @param missingSamples how many samples are missing (estimated from batch size when batches were lost)
 * @param missingBatches how many batches are missing (0 when the device dropped them or the stream restarted)
 * @param cause          why
 */
public record Gap(long atSample, long missingSamples, int missingBatches, Cause cause) {
    /** Why samples are missing. */
    public enum Cause {
        /** Batch sequence numbers jumped: frames were lost or corrupted on the link. */
        SEQUENCE,
        /** The device dropped samples itself (its buffer overflowed): the sensor clock jumped between batches. */
        DEVICE_OVERFLOW,
        /** The link went down and came back. */
        RECONNECT,
        /** A recording marks a gap here. */
        RECORDED,
        /**
         * A recording marks a segment boundary with no sample missing: an importer's next capture file, or a clock
         * that stepped backwards. Windows do not span it ({@code Recording.runs()}).
         */
        BOUNDARY
    }
}
