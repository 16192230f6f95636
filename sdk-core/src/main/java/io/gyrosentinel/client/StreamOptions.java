package io.gyrosentinel.client;

/**
 * How to stream.
 *
 * @param maxSamples stop by itself after this many samples (0 = until closed)
 * @param results    ask the device for an InferenceResult per window when a model is active
 */
public record StreamOptions(long maxSamples, boolean results) {
    public static StreamOptions defaults() {
        return new StreamOptions(0, true);
    }

    public StreamOptions withMaxSamples(long n) {
        return new StreamOptions(n, results);
    }

    public StreamOptions withResults(boolean r) {
        return new StreamOptions(maxSamples, r);
    }
}
