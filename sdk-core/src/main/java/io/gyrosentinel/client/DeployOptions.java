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

    /** Activate, device-sized chunks, 5 retries, 30 s to reconnect, no progress listener. */
    public static DeployOptions defaults() {
        return builder().build();
    }

    public static Builder builder() {
        return new Builder();
    }

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

        public Builder activate(boolean a) { this.activate = a; return this; }
        public Builder chunkSize(int bytes) { this.chunkSize = bytes; return this; }
        public Builder maxRetries(int n) { this.maxRetries = n; return this; }
        public Builder reconnectTimeout(Duration d) { this.reconnectTimeout = d; return this; }
        public Builder onProgress(DeployProgressListener l) { this.progress = l; return this; }

        public DeployOptions build() {
            return new DeployOptions(activate, chunkSize, maxRetries, reconnectTimeout, progress);
        }
    }
}
