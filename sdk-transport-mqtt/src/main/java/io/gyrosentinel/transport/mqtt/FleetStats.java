package io.gyrosentinel.transport.mqtt;

/**
 * Counters of an {@link MqttFleet}.
 *
 * @param messages       messages received on {@code up} topics
 * @param batches        sample batches among them
 * @param missingBatches batches missing by sequence number, summed over devices
 * @param results        inference results
 * @param events         anomaly events
 * @param undecodable    messages that were not a protocol envelope
 * @param dropped        items dropped because a subscriber or collector fell behind
 * @param reconnects     broker reconnects
 * @param rejected       messages refused before decoding: an invalid device id in the topic (wildcards, {@code $},
 *                       spaces, control or bidi characters, over 64 characters), an oversized payload, or a handler
 *                       failure; never redelivered, never fatal to the connection
 * @param evicted        devices forgotten to keep the fleet's state bounded (silent longest, or silent for a day)
 */
public record FleetStats(long messages, long batches, long missingBatches, long results, long events, long undecodable,
                         long dropped, long reconnects, long rejected, long evicted) {
}
