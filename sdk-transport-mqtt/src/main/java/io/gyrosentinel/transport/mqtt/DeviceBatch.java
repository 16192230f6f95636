package io.gyrosentinel.transport.mqtt;

/**
 * One sample batch as a device published it: raw sensor values, no scaling (the scale depends on
 * the device's full-scale setting, which a fleet consumer may not know).
 *
 * @param deviceId        the device that published the batch
 * @param sequence        the device's batch counter (+1 per batch since StartStreaming)
 * @param missingBefore   batches missing right before this one, judged by {@code sequence}
 *                        (QoS 0 losses or another consumer of a shared subscription)
 * @param timestampMicros sensor-clock time of the first sample, µs since device boot
 * @param periodNanos     time between samples, ns
 * @param count           samples in the batch
 * @param channels        values per sample
 * @param raw             {@code count * channels} int16 values, interleaved; do not modify
 * @param receivedNanos   {@link System#nanoTime()} when the message arrived
 */
public record DeviceBatch(String deviceId, long sequence, long missingBefore, long timestampMicros, long periodNanos,
                          int count, int channels, short[] raw, long receivedNanos) {
}
