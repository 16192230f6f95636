package io.gyrosentinel.model;

/**
 * A model loaded by an inference engine, as a device runs it: it takes one window of samples in
 * the session's physical units (interleaved, {@code windowSize() * channels()} values) and
 * returns the reconstruction error per channel (mean squared error in normalised units). The
 * caller does the windowing, the threshold and the event hysteresis, as the firmware does.
 */
public interface DeviceModel extends AutoCloseable {
    /** {@return the model's id, from the bundle's manifest} */
    String modelId();

    /** {@return the samples per window the model takes} */
    int windowSize();

    /** {@return the samples between the starts of two consecutive windows} */
    int stride();

    /** {@return the channels per sample the model takes} */
    int channels();

    /** {@return the anomaly threshold on the mean of the channel errors (the window score)} */
    float threshold();

    /**
     * Reconstruction error per channel for one window.
     *
     * @param window {@code windowSize() * channels()} values in the session's physical units, interleaved
     * @return the mean squared error per channel, normalised units; their mean is the window's score
     */
    float[] channelErrors(float[] window);

    @Override
    void close();
}
