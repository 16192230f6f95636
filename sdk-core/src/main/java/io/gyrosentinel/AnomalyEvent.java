package io.gyrosentinel;

/**
 * An anomaly episode: consecutive anomalous windows, with hysteresis applied on the device.
 * A device sends one event when the episode starts ({@link State#STARTED}) and one when it
 * ends ({@link State#ENDED}) with its end time and peak.
 *
 * @param endTimestampMicros 0 while the event is open
 */
public record AnomalyEvent(long eventId, State state, long startTimestampMicros, long endTimestampMicros,
                           float peakScore, long peakTimestampMicros, float threshold, int windows, String modelId) {
    public enum State { STARTED, ENDED }
}
