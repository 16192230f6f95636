package io.gyrosentinel;

/**
 * The device's verdict on one window.
 *
 * @param window              window index since inference started
 * @param startTimestampMicros sensor-clock time of the first sample of the window, µs
 * @param endTimestampMicros   sensor-clock time of the last sample of the window, µs
 * @param score               reconstruction error (mean squared error, normalised units)
 * @param channelError        mean squared error per channel
 * @param inferenceMicros     time the model took on the device, µs
 */
public record InferenceResult(long window, long startTimestampMicros, long endTimestampMicros, float score,
                              float threshold, boolean anomalous, float[] channelError, int inferenceMicros,
                              String modelId) {
    public InferenceResult {
        channelError = channelError.clone();
    }

    @Override
    public float[] channelError() {
        return channelError.clone();
    }
}
