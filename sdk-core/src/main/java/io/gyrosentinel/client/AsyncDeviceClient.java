package io.gyrosentinel.client;

import io.gyrosentinel.SensorConfig;
import io.gyrosentinel.Telemetry;
import io.gyrosentinel.DeviceInfo;
import io.gyrosentinel.model.ModelBundle;
import io.gyrosentinel.model.CalibrationResult;
import io.gyrosentinel.model.ModelStatus;
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

    /**
     * See {@link DeviceClient#deploy(ModelBundle, DeployOptions)}. Cancelling the future stops
     * the transfer after the chunk in flight; the device keeps what it received.
     */
    CompletableFuture<DeployResult> deploy(ModelBundle bundle, DeployOptions options);

    CompletableFuture<ModelStatus> modelStatus();

    CompletableFuture<ModelStatus> activateModel(int slot);

    CompletableFuture<ModelStatus> rollbackModel();

    CompletableFuture<Void> abortModelTransfer();

    /** See {@link DeviceClient#calibrate(CalibrationOptions)}; completes after about the duration. */
    CompletableFuture<CalibrationResult> calibrate(CalibrationOptions options);

    /** The blocking view of the same client. */
    DeviceClient blocking();
}
