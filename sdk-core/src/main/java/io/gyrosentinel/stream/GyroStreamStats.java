package io.gyrosentinel.stream;

/**
 * Counters of a {@link GyroStream}.
 *
 * @param missingSamples samples lost on the link, on the device or by a slow consumer
 * @param droppedBlocks  blocks this process dropped because a consumer did not keep up
 */
public record GyroStreamStats(long blocks, long samples, long gaps, long missingSamples, long droppedBlocks,
                              long deviceDroppedSamples) {
}
