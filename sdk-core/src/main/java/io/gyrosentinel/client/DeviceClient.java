package io.gyrosentinel.client;

import io.gyrosentinel.AnomalyEvent;
import io.gyrosentinel.DeviceInfo;
import io.gyrosentinel.InferenceResult;
import io.gyrosentinel.SensorConfig;
import io.gyrosentinel.Telemetry;
import io.gyrosentinel.collect.Collector;
import io.gyrosentinel.model.ModelBundle;
import io.gyrosentinel.model.CalibrationResult;
import io.gyrosentinel.model.ModelStatus;
import io.gyrosentinel.stream.GyroStream;

import java.time.Duration;
import java.util.concurrent.Flow;

/**
 * A connection to one device (real or simulated) over any transport, chosen by URI scheme.
 * This is the blocking view; {@link #async()} gives the same client with
 * {@link java.util.concurrent.CompletableFuture}s. Both views can be used together.
 *
 * <pre>{@code
 * try (DeviceClient dev = DeviceClient.builder().uri("sim:?rpm=1500").connect()) {
 *     System.out.println("connected to " + dev.info().deviceId());
 *     dev.configure(SensorConfig.builder().odrHz(1920).fullScaleDps(500).build());
 *     try (GyroStream stream = dev.stream()) {
 *         SampleBlock block = stream.poll(Duration.ofSeconds(1));
 *         System.out.printf("%d samples, first x = %.3f dps%n", block.count(), block.value(0, 0));
 *     }
 *     dev.results().subscribe(mySubscriber); // inference results from the device's model
 * }
 * }</pre>
 *
 * <p>Deploying a model (resumable: an interrupted deployment continues where the device stopped):
 * <pre>{@code
 * DeployResult r = dev.deploy(ModelBundle.read(Path.of("fan-1.gsb")), DeployOptions.builder()
 *         .onProgress((done, total) -> System.out.printf("%d%%%n", 100 * done / total))
 *         .build());
 * System.out.println(r.modelId() + " runs in slot " + r.slot());
 * }</pre>
 *
 * <p>Every failure is a {@link io.gyrosentinel.GyroSentinelException} whose
 * {@link io.gyrosentinel.GyroSentinelException#code() code} mirrors the protocol's error codes
 * (device errors) or names the host-side failure ({@code TIMEOUT}, {@code CONNECTION_CLOSED}, ...).
 */
public interface DeviceClient extends AutoCloseable {

    /** A builder for a client. */
    static DeviceClientBuilder builder() {
        return new DeviceClientBuilder();
    }

    /** Connects to {@code uri} with default settings and performs the handshake. */
    static DeviceClient connect(String uri) {
        return builder().uri(uri).connect();
    }

    /** What the device said in the handshake (refreshed after a reconnect). */
    DeviceInfo info();

    /** Applies a sensor configuration; the device validates it too. */
    void configure(SensorConfig config);

    /** The sensor configuration in force. */
    SensorConfig config();

    /** Starts streaming samples. One stream at a time; closing it stops streaming. */
    GyroStream stream();

    /** Starts streaming, with inference results when {@code withResults} and a model is active. */
    GyroStream stream(StreamOptions options);

    /** Asks the device for its telemetry. */
    Telemetry telemetry();

    /** Round trip time of a ping. */
    Duration ping();

    /** Inference results from the device's model, as they arrive. */
    Flow.Publisher<InferenceResult> results();

    /** Anomaly events from the device, as they arrive. */
    Flow.Publisher<AnomalyEvent> events();

    /** Periodic telemetry the device sends by itself. */
    Flow.Publisher<Telemetry> telemetryUpdates();

    /** Connection state changes (connected, link lost, reconnected, closed). */
    Flow.Publisher<ConnectionEvent> connectionEvents();

    /** Sends results and events to a collector until the client or the returned handle closes. */
    AutoCloseable collectTo(Collector collector);

    /**
     * Sends a model bundle to the device and, by default, activates it. Before it erases
     * anything the device checks the signature (when it has a configured key) and the manifest:
     * its {@code modelId}, its {@code scope} (a bundle made for another device id is refused) and
     * its {@code version} (lower than the highest version the device has accepted is refused
     * unless the manifest says {@code "downgrade": true}). It then writes the slot that is not
     * running, checks the CRC of every chunk and the SHA-256 of the whole payload, and loads the
     * model, keeping the previous one if the new one does not load.
     *
     * <p>Resumable: when the link drops, the call waits for the transport to reconnect and
     * continues from the device's {@code next_offset} (up to {@link DeployOptions#maxRetries()});
     * if it gives up, deploying the same bundle again later resumes too.
     *
     * @throws io.gyrosentinel.GyroSentinelException with the device's code ({@code
     *         MODEL_SIGNATURE_INVALID}, {@code MODEL_VERSION_REJECTED}, {@code INVALID_ARGUMENT}
     *         (field {@code manifest.scope}, {@code model_begin.model_id}, ...), {@code
     *         MODEL_HASH_MISMATCH}, {@code MODEL_TOO_LARGE}, {@code MODEL_LOAD_FAILED}, ...) and a
     *         message saying what to do
     */
    DeployResult deploy(ModelBundle bundle, DeployOptions options);

    /** {@link #deploy(ModelBundle, DeployOptions)} with {@link DeployOptions#defaults()}. */
    default DeployResult deploy(ModelBundle bundle) {
        return deploy(bundle, DeployOptions.defaults());
    }

    /** The device's model slots and transfer state. */
    ModelStatus modelStatus();

    /**
     * Runs the model in {@code slot}.
     *
     * @throws io.gyrosentinel.GyroSentinelException {@code NO_MODEL} when the slot holds no valid
     *         model, {@code MODEL_LOAD_FAILED} when it does not load (the running model stays)
     */
    ModelStatus activateModel(int slot);

    /** Goes back to the previously active model (the other valid slot). */
    ModelStatus rollbackModel();

    /** Makes the device forget a pending (interrupted) transfer, so the next deployment starts over. */
    void abortModelTransfer();

    /**
     * Calibrates the active model on the device with normal data, without retraining: the device
     * collects {@link CalibrationOptions#duration()} of samples (streaming or not), computes the
     * per-channel normalisation and a new threshold from the model's window scores, and uses both
     * from then on (until another model is activated). Blocks for about the duration.
     *
     * <pre>{@code
     * CalibrationResult r = client.calibrate(Duration.ofSeconds(30), 0.995);
     * }</pre>
     *
     * @throws io.gyrosentinel.GyroSentinelException {@code NO_MODEL} without an active model,
     *         {@code BUSY} while another calibration runs, {@code INVALID_ARGUMENT} (e.g. a duration
     *         too short for one window), {@code SENSOR} when a channel did not vary
     */
    CalibrationResult calibrate(CalibrationOptions options);

    /** {@link #calibrate(CalibrationOptions)} with a quantile threshold (0 &lt; {@code quantile} &lt; 1). */
    default CalibrationResult calibrate(Duration duration, double quantile) {
        return calibrate(CalibrationOptions.quantile(duration, quantile));
    }

    /** The asynchronous view of this client. */
    AsyncDeviceClient async();

    /** Link and protocol counters. */
    ClientStats stats();

    /** The URI this client was built from (credentials removed). */
    String uri();

    /** Stops streaming, closes the transport and the client's threads. Idempotent. */
    @Override
    void close();
}
