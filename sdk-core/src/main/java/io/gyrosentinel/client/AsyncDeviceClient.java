package io.gyrosentinel.client;

import io.gyrosentinel.SensorConfig;
import io.gyrosentinel.Telemetry;
import io.gyrosentinel.DeviceInfo;
import io.gyrosentinel.stream.GyroStream;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;

/**
 * The asynchronous view of a {@link DeviceClient}. Futures complete on the client's callback
 * executor, never on the I/O thread; they fail with
 * {@link io.gyrosentinel.GyroSentinelException}.
 */
public interface AsyncDeviceClient {
    CompletableFuture<Void> configure(SensorConfig config);

    CompletableFuture<GyroStream> stream(StreamOptions options);

    CompletableFuture<Telemetry> telemetry();

    CompletableFuture<Duration> ping();

    /** Repeats the handshake (e.g. to refresh the model slots). */
    CompletableFuture<DeviceInfo> refreshInfo();

    /** The blocking view of the same client. */
    DeviceClient blocking();
}
