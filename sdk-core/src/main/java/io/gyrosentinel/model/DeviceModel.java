package io.gyrosentinel.model;

/**
 * A model loaded by an inference engine, as a device runs it: it takes one window of samples in
 * the session's physical units (interleaved, {@code windowSize() * channels()} values) and
 * returns the reconstruction error per channel (mean squared error in normalised units). The
 * caller does the windowing, the threshold and the event hysteresis, as the firmware does.
 */
public interface DeviceModel extends AutoCloseable {
    String modelId();

    int windowSize();

    int stride();

    int channels();

    /** Anomaly threshold on the mean of the channel errors. */
    float threshold();

    /** Reconstruction error per channel for one window. */
    float[] channelErrors(float[] window);

    @Override
    void close();
}
