package io.gyrosentinel;

/**
 * Samples that did not arrive. Gaps are never silent: every stream reports them as events, in
 * its statistics, on the next {@link SampleBlock} ({@link SampleBlock#missingBefore()}) and in
 * recordings.
 *
 * @param atSample       index (in the stream's sample numbering) where the missing samples belong
 * @param missingSamples how many samples are missing (estimated from batch size when batches were lost)
 * @param missingBatches how many batches are missing (0 for a consumer overflow)
 * @param cause          why
 */
public record Gap(long atSample, long missingSamples, int missingBatches, Cause cause) {
    public enum Cause {
        /** Batch sequence numbers jumped: frames were lost or corrupted on the link. */
        SEQUENCE,
        /** The device reported samples it dropped itself (its buffer overflowed). */
        DEVICE_OVERFLOW,
        /** This process did not keep up and dropped blocks from a full buffer. */
        CONSUMER_OVERFLOW,
        /** The link went down and came back. */
        RECONNECT,
        /** A recording marks a gap here. */
        RECORDED
    }
}
