package io.gyrosentinel;

/**
 * An anomaly episode: consecutive anomalous windows, with hysteresis applied on the device.
 * A device sends one event when the episode starts ({@link State#STARTED}) and one when it
 * ends ({@link State#ENDED}) with its end time and peak.
 *
 * @param eventId              the event's number on the device; an episode's {@code ENDED} event repeats the id of
 *                             its {@code STARTED} event
 * @param state                whether the episode starts or ends with this event
 * @param startTimestampMicros sensor-clock time the episode started (its first anomalous window), µs
 * @param endTimestampMicros 0 while the event is open
 * @param peakScore            highest window score seen in the episode so far
 * @param peakTimestampMicros  sensor-clock time of the peak window, µs
 * @param threshold            the model's threshold the scores were compared to
 * @param windows              number of windows in the episode so far
 * @param modelId              id of the model that raised the event
 * @param peakChannelError   each channel's share of the score at the peak window (their mean is the peak score):
 *                           which axis the episode is about; empty from devices that predate it
 */
public record AnomalyEvent(long eventId, State state, long startTimestampMicros, long endTimestampMicros,
                           float peakScore, long peakTimestampMicros, float threshold, int windows, String modelId,
                           float[] peakChannelError) {
    /** Whether an event opens or closes an episode. */
    public enum State {
        /** Enough consecutive anomalous windows opened an episode. */
        STARTED,
        /** Enough consecutive calm windows closed the episode; the end time and peak are final. */
        ENDED
    }

    /**
     * Copies {@code peakChannelError} ({@code null} reads as empty).
     *
     * @param eventId              the event's number on the device
     * @param state                whether the episode starts or ends
     * @param startTimestampMicros start of the episode, sensor clock, µs
     * @param endTimestampMicros   end of the episode, µs; 0 while it is open
     * @param peakScore            highest window score of the episode
     * @param peakTimestampMicros  time of the peak window, µs
     * @param threshold            the model's threshold
     * @param windows              windows in the episode
     * @param modelId              id of the model
     * @param peakChannelError     per-channel error of the peak window, or {@code null}
     */
    public AnomalyEvent {
        peakChannelError = peakChannelError == null ? new float[0] : peakChannelError.clone();
    }

    /**
     * An event without the per-channel explanation.
     *
     * @param eventId              the event's number on the device
     * @param state                whether the episode starts or ends
     * @param startTimestampMicros start of the episode, sensor clock, µs
     * @param endTimestampMicros   end of the episode, µs; 0 while it is open
     * @param peakScore            highest window score of the episode
     * @param peakTimestampMicros  time of the peak window, µs
     * @param threshold            the model's threshold
     * @param windows              windows in the episode
     * @param modelId              id of the model
     */
    public AnomalyEvent(long eventId, State state, long startTimestampMicros, long endTimestampMicros, float peakScore,
                        long peakTimestampMicros, float threshold, int windows, String modelId) {
        this(eventId, state, startTimestampMicros, endTimestampMicros, peakScore, peakTimestampMicros, threshold,
                windows, modelId, new float[0]);
    }

    /**
     * {@return a copy of each channel's share of the score at the peak window; empty from devices that predate it}
     */
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
