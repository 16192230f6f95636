package io.gyrosentinel;

/**
 * The device's verdict on one window.
 *
 * @param window              window index since inference started
 * @param startTimestampMicros sensor-clock time of the first sample of the window, µs
 * @param endTimestampMicros   sensor-clock time of the last sample of the window, µs
 * @param score               reconstruction error (mean squared error, normalised units)
 * @param threshold           the model's threshold the score was compared to
 * @param anomalous           whether {@code score > threshold}
 * @param channelError        mean squared error per channel
 * @param inferenceMicros     time the model took on the device, µs
 * @param modelId             id of the model that scored the window
 */
public record InferenceResult(long window, long startTimestampMicros, long endTimestampMicros, float score,
                              float threshold, boolean anomalous, float[] channelError, int inferenceMicros,
                              String modelId) {
    /**
     * Copies {@code channelError}.
     *
     * @param window               window index since inference started
     * @param startTimestampMicros first sample of the window, µs
     * @param endTimestampMicros   last sample of the window, µs
     * @param score                the window's score
     * @param threshold            the model's threshold
     * @param anomalous            whether the score is above the threshold
     * @param channelError         error per channel
     * @param inferenceMicros      time the model took, µs
     * @param modelId              id of the model
     */
    public InferenceResult {
        channelError = channelError.clone();
    }

    /** {@return a copy of the mean squared error per channel (the score is their mean)} */
    @Override
    public float[] channelError() {
        return channelError.clone();
    }
}
