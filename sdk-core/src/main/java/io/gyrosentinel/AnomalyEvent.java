package io.gyrosentinel;

/**
 * An anomaly episode: consecutive anomalous windows, with hysteresis applied on the device.
 * A device sends one event when the episode starts ({@link State#STARTED}) and one when it
 * ends ({@link State#ENDED}) with its end time and peak.
 *
 * @param endTimestampMicros 0 while the event is open
 * @param peakChannelError   each channel's share of the score at the peak window (their mean is the peak score):
 *                           which axis the episode is about; empty from devices that predate it
 */
public record AnomalyEvent(long eventId, State state, long startTimestampMicros, long endTimestampMicros,
                           float peakScore, long peakTimestampMicros, float threshold, int windows, String modelId,
                           float[] peakChannelError) {
    public enum State { STARTED, ENDED }

    public AnomalyEvent {
        peakChannelError = peakChannelError == null ? new float[0] : peakChannelError.clone();
    }

    /** An event without the per-channel explanation. */
    public AnomalyEvent(long eventId, State state, long startTimestampMicros, long endTimestampMicros, float peakScore,
                        long peakTimestampMicros, float threshold, int windows, String modelId) {
        this(eventId, state, startTimestampMicros, endTimestampMicros, peakScore, peakTimestampMicros, threshold,
                windows, modelId, new float[0]);
    }

    @Override
    public float[] peakChannelError() {
        return peakChannelError.clone();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof AnomalyEvent e && e.eventId == eventId && e.state == state
                && e.startTimestampMicros == startTimestampMicros && e.endTimestampMicros == endTimestampMicros
                && Float.compare(e.peakScore, peakScore) == 0 && e.peakTimestampMicros == peakTimestampMicros
                && Float.compare(e.threshold, threshold) == 0 && e.windows == windows
                && java.util.Objects.equals(e.modelId, modelId)
                && java.util.Arrays.equals(e.peakChannelError, peakChannelError);
    }

    @Override
    public int hashCode() {
        return java.util.Objects.hash(eventId, state, startTimestampMicros, peakScore, modelId)
                * 31 + java.util.Arrays.hashCode(peakChannelError);
    }

    @Override
    public String toString() {
        return "AnomalyEvent[eventId=" + eventId + ", state=" + state + ", start=" + startTimestampMicros + ", end="
                + endTimestampMicros + ", peakScore=" + peakScore + ", peakAt=" + peakTimestampMicros + ", threshold="
                + threshold + ", windows=" + windows + ", modelId=" + modelId + ", peakChannelError="
                + java.util.Arrays.toString(peakChannelError) + "]";
    }
}
