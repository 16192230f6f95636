package io.gyrosentinel.client;

/**
 * How to stream.
 *
 * @param maxSamples stop by itself after this many samples (0 = until closed)
 * @param results    ask the device for an InferenceResult per window when a model is active
 */
public record StreamOptions(long maxSamples, boolean results) {

    /**
     * Checks the options.
     *
     * @param maxSamples stop by itself after this many samples (0 = until closed)
     * @param results    ask the device for an InferenceResult per window when a model is active
     * @throws io.gyrosentinel.GyroSentinelException {@code INVALID_ARGUMENT} when {@code maxSamples} is negative
     */
    public StreamOptions {
        if (maxSamples < 0) {
            throw new io.gyrosentinel.GyroSentinelException(io.gyrosentinel.ErrorCode.INVALID_ARGUMENT,
                    "maxSamples must be >= 0 (0 = until closed), got " + maxSamples, "max_samples", null);
        }
    }

    /** {@return a builder starting from {@link #defaults()}, like SensorConfig's and DeployOptions'} */
    public static Builder builder() {
        return new Builder();
    }

    /** Builds {@link StreamOptions}: {@code StreamOptions.builder().maxSamples(10_000).results(false).build()}. */
    public static final class Builder {
        private long maxSamples;
        private boolean results = true;

        private Builder() {
        }

        /**
         * Stops the stream by itself after this many samples.
         *
         * @param n samples, 0 (the default) for until closed
         * @return this builder
         */
        public Builder maxSamples(long n) {
            this.maxSamples = n;
            return this;
        }

        /**
         * Asks for an InferenceResult per window when a model is active (default true).
         *
         * @param r whether to ask
         * @return this builder
         */
        public Builder results(boolean r) {
            this.results = r;
            return this;
        }

        /**
         * Builds the options.
         *
         * @return the options
         * @throws io.gyrosentinel.GyroSentinelException {@code INVALID_ARGUMENT} when maxSamples is negative
         */
        public StreamOptions build() {
            return new StreamOptions(maxSamples, results);
        }
    }

    /** {@return stream until closed, with inference results} */
    public static StreamOptions defaults() {
        return new StreamOptions(0, true);
    }

    /**
     * A copy with another sample limit.
     *
     * @param n stop after this many samples, 0 for until closed
     * @return the new options
     */
    public StreamOptions withMaxSamples(long n) {
        return new StreamOptions(n, results);
    }

    /**
     * A copy that does or does not ask for inference results.
     *
     * @param r whether to ask for an InferenceResult per window
     * @return the new options
     */
    public StreamOptions withResults(boolean r) {
        return new StreamOptions(maxSamples, r);
    }
}
