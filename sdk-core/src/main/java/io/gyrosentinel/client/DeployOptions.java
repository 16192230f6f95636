package io.gyrosentinel.client;

import io.gyrosentinel.ErrorCode;
import io.gyrosentinel.GyroSentinelException;

import java.time.Duration;
import java.util.Objects;

/**
 * How {@link DeviceClient#deploy(io.gyrosentinel.model.ModelBundle, DeployOptions)} sends a model.
 * Immutable; build with {@link #builder()}.
 *
 * <pre>{@code
 * DeployOptions o = DeployOptions.builder()
 *         .onProgress((done, total) -> System.out.printf("%d/%d bytes%n", done, total))
 *         .build();
 * }</pre>
 *
 * @param activate         run the model as soon as it is written (default true); the device
 *                         keeps the previous model when the new one fails to load
 * @param chunkSize        bytes per chunk, capped at the device's {@code maxChunkSize}; 0 (default)
 *                         uses the device's maximum
 * @param maxRetries       how many times a lost link or a corrupted chunk is retried before
 *                         giving up (default 5)
 * @param reconnectTimeout how long to wait for the link to come back after it dropped (default 30 s)
 * @param progress         called as the device confirms chunks, or {@code null}
 */
public record DeployOptions(boolean activate, int chunkSize, int maxRetries, Duration reconnectTimeout,
                            DeployProgressListener progress) {

    /**
     * Validates the options.
     *
     * @param activate         run the model once written
     * @param chunkSize        bytes per chunk, 0 for the device's maximum
     * @param maxRetries       retries after a lost link or a corrupted chunk, not negative
     * @param reconnectTimeout how long to wait for the link to come back, not negative
     * @param progress         progress listener, or {@code null}
     * @throws io.gyrosentinel.GyroSentinelException {@code BAD_INPUT} when a number is negative
     * @throws NullPointerException when {@code reconnectTimeout} is {@code null}
     */
    public DeployOptions {
        Objects.requireNonNull(reconnectTimeout, "reconnectTimeout");
        if (chunkSize < 0) {
            throw new GyroSentinelException(ErrorCode.BAD_INPUT, "chunkSize must be >= 0 (0 = device maximum), got "
                    + chunkSize);
        }
        if (maxRetries < 0) {
            throw new GyroSentinelException(ErrorCode.BAD_INPUT, "maxRetries must be >= 0, got " + maxRetries);
        }
        if (reconnectTimeout.isNegative()) {
            throw new GyroSentinelException(ErrorCode.BAD_INPUT, "reconnectTimeout must not be negative, got "
                    + reconnectTimeout);
        }
    }

    /** {@return activate, device-sized chunks, 5 retries, 30 s to reconnect, no progress listener} */
    public static DeployOptions defaults() {
        return builder().build();
    }

    /** {@return a builder holding the {@link #defaults()}} */
    public static Builder builder() {
        return new Builder();
    }

    /** {@return a builder holding these options, to change some of them} */
    public Builder toBuilder() {
        return new Builder().activate(activate).chunkSize(chunkSize).maxRetries(maxRetries)
                .reconnectTimeout(reconnectTimeout).onProgress(progress);
    }

    /** Builds {@link DeployOptions}; validates in {@link #build()}. */
    public static final class Builder {
        private boolean activate = true;
        private int chunkSize;
        private int maxRetries = 5;
        private Duration reconnectTimeout = Duration.ofSeconds(30);
        private DeployProgressListener progress;

        Builder() {
        }

        /**
         * Whether to run the model as soon as it is written (default {@code true}).
         *
         * @param a activate after writing
         * @return this builder
         */
        public Builder activate(boolean a) { this.activate = a; return this; }
        /**
         * Bytes per chunk, capped at the device's maximum; 0 (default) uses the device's maximum.
         *
         * @param bytes chunk size, bytes, not negative
         * @return this builder
         */
        public Builder chunkSize(int bytes) { this.chunkSize = bytes; return this; }
        /**
         * How many times a lost link or a corrupted chunk is retried before giving up (default 5).
         *
         * @param n retries, not negative
         * @return this builder
         */
        public Builder maxRetries(int n) { this.maxRetries = n; return this; }
        /**
         * How long to wait for the link to come back after it dropped (default 30 s).
         *
         * @param d the timeout, not negative
         * @return this builder
         */
        public Builder reconnectTimeout(Duration d) { this.reconnectTimeout = d; return this; }
        /**
         * Called as the device confirms chunks (default none).
         *
         * @param l the listener, or {@code null}
         * @return this builder
         */
        public Builder onProgress(DeployProgressListener l) { this.progress = l; return this; }

        /**
         * {@return the options}
         *
         * @throws io.gyrosentinel.GyroSentinelException {@code BAD_INPUT} when a number is negative
         */
        public DeployOptions build() {
            return new DeployOptions(activate, chunkSize, maxRetries, reconnectTimeout, progress);
        }
    }
}
