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
    /**
     * See {@link DeviceClient#configure(SensorConfig)}.
     *
     * @param config the configuration to apply
     * @return completes when the device acknowledged it; fails with {@code BUSY} while a stream is open
     */
    CompletableFuture<Void> configure(SensorConfig config);

    /**
     * See {@link DeviceClient#stream(StreamOptions)}.
     *
     * @param options the sample limit and whether to ask for results
     * @return the open stream, once the device confirmed it; fails with {@code BUSY} when a stream is already open
     */
    CompletableFuture<GyroStream> stream(StreamOptions options);

    /**
     * See {@link DeviceClient#telemetry()}.
     *
     * @return the device's health counters
     */
    CompletableFuture<Telemetry> telemetry();

    /**
     * See {@link DeviceClient#ping()}.
     *
     * @return the round trip time
     */
    CompletableFuture<Duration> ping();

    /**
     * Repeats the handshake (e.g. to refresh the model slots).
     *
     * @return what the device says about itself now
     */
    CompletableFuture<DeviceInfo> refreshInfo();

    /**
     * See {@link DeviceClient#deploy(ModelBundle, DeployOptions)}. Cancelling the future stops
     * the transfer after the chunk in flight; the device keeps what it received.
     *
     * @param bundle  the model bundle
     * @param options activation, chunk size, retries and progress listener
     * @return the outcome of the deployment
     */
    CompletableFuture<DeployResult> deploy(ModelBundle bundle, DeployOptions options);

    /**
     * See {@link DeviceClient#modelStatus()}.
     *
     * @return the device's model slots and transfer state
     */
    CompletableFuture<ModelStatus> modelStatus();

    /**
     * See {@link DeviceClient#activateModel(int)}.
     *
     * @param slot the slot to run, 0 or 1
     * @return the slots after the switch
     */
    CompletableFuture<ModelStatus> activateModel(int slot);

    /**
     * See {@link DeviceClient#rollbackModel()}.
     *
     * @return the slots after the switch
     */
    CompletableFuture<ModelStatus> rollbackModel();

    /**
     * See {@link DeviceClient#abortModelTransfer()}.
     *
     * @return completes when the device forgot the pending transfer
     */
    CompletableFuture<Void> abortModelTransfer();

    /**
     * See {@link DeviceClient#calibrate(CalibrationOptions)}; completes after about the duration.
     *
     * @param options how long to collect and how to set the threshold
     * @return the normalisation and threshold the device now uses
     */
    CompletableFuture<CalibrationResult> calibrate(CalibrationOptions options);

    /** {@return the blocking view of the same client} */
    DeviceClient blocking();
}
