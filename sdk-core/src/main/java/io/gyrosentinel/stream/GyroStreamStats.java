package io.gyrosentinel.stream;

/**
 * Counters of a {@link GyroStream}.
 *
 * @param blocks               blocks delivered
 * @param samples              samples delivered
 * @param gaps                 gaps detected
 * @param missingSamples       samples lost on the link, on the device or by a slow consumer
 * @param droppedBlocks        blocks this process dropped because a consumer did not keep up
 * @param deviceDroppedSamples samples the device reported it dropped itself (its buffer overflowed)
 */
public record GyroStreamStats(long blocks, long samples, long gaps, long missingSamples, long droppedBlocks,
                              long deviceDroppedSamples) {
}
