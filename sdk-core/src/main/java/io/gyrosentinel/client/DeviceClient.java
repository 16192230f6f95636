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

    /** {@return a new builder for a client (URI, timeouts, reconnection)} */
    static DeviceClientBuilder builder() {
        return new DeviceClientBuilder();
    }

    /**
     * Connects to {@code uri} with default settings and performs the handshake.
     *
     * @param uri the device, e.g. {@code sim:?rpm=1500}, {@code serial:/dev/ttyUSB0}, {@code mqtt://broker/device-1}
     * @return the connected client; close it when done
     * @throws io.gyrosentinel.GyroSentinelException {@code BAD_URI} or {@code UNKNOWN_SCHEME} for the URI, {@code
     *         TRANSPORT} when the link cannot be opened, {@code TIMEOUT} or {@code PROTOCOL_VERSION} when the
     *         handshake fails
     */
    static DeviceClient connect(String uri) {
        return builder().uri(uri).connect();
    }

    /** {@return what the device said in the handshake (refreshed after a reconnect)} */
    DeviceInfo info();

    /**
     * Applies a sensor configuration; the device validates it too.
     *
     * @param config the configuration to apply; afterwards {@link #config()} reports what the device runs (e.g. the
     *        sensor's nearest rate)
     * @throws io.gyrosentinel.GyroSentinelException {@code BUSY} while a stream is open, {@code INVALID_ARGUMENT}
     *         (with the field) when the device refuses a value, {@code TIMEOUT} without an answer
     */
    void configure(SensorConfig config);

    /** {@return the sensor configuration in force, as the device last reported it} */
    SensorConfig config();

    /**
     * Starts streaming samples. One stream at a time; closing it stops streaming.
     *
     * @return the open stream, with inference results when a model is active
     * @throws io.gyrosentinel.GyroSentinelException {@code BUSY} when a stream is already open
     */
    GyroStream stream();

    /**
     * Starts streaming, with inference results when {@link StreamOptions#results()} and a model is active.
     * One stream at a time; closing it stops streaming.
     *
     * @param options the sample limit and whether to ask for results
     * @return the open stream
     * @throws io.gyrosentinel.GyroSentinelException {@code BUSY} when a stream is already open
     */
    GyroStream stream(StreamOptions options);

    /** {@return the device's health counters, asked for now} */
    Telemetry telemetry();

    /** {@return the round trip time of a ping} */
    Duration ping();

    /** {@return a publisher of the inference results of the device's model, as they arrive} */
    Flow.Publisher<InferenceResult> results();

    /** {@return a publisher of the device's anomaly events, as they arrive} */
    Flow.Publisher<AnomalyEvent> events();

    /**
     * Calls {@code action} for every anomaly event from now on (on the client's callback executor, never the I/O
     * thread), without writing a {@link Flow.Subscriber}: {@code dev.onEvent(e -> alarm(e))}. Subscribe before
     * streaming; events end when the client closes.
     *
     * @param action what to do with each event; an exception it throws is logged and the events go on
     * @return closing it stops the calls
     */
    default AutoCloseable onEvent(java.util.function.Consumer<? super AnomalyEvent> action) {
        java.util.Objects.requireNonNull(action, "action");
        return collectTo(new Collector() {
            @Override
            public void onEvent(AnomalyEvent event) {
                handle(action, event);
            }
        });
    }

    /**
     * Like {@link #onEvent}, for the device model's per-window {@link InferenceResult}s.
     *
     * @param action what to do with each result; an exception it throws is logged and the results go on
     * @return closing it stops the calls
     */
    default AutoCloseable onResult(java.util.function.Consumer<? super InferenceResult> action) {
        java.util.Objects.requireNonNull(action, "action");
        return collectTo(new Collector() {
            @Override
            public void onResult(InferenceResult result) {
                handle(action, result);
            }
        });
    }

    /** Runs a handler of {@link #onEvent}/{@link #onResult}: its failure is logged and delivery goes on. */
    private static <T> void handle(java.util.function.Consumer<? super T> action, T item) {
        try {
            action.accept(item);
        } catch (RuntimeException e) {
            org.slf4j.LoggerFactory.getLogger(DeviceClient.class).warn("event handler failed", e);
        }
    }

    /** {@return a publisher of the telemetry the device sends by itself, periodically} */
    Flow.Publisher<Telemetry> telemetryUpdates();

    /** {@return a publisher of connection state changes (connected, link lost, reconnected, closed)} */
    Flow.Publisher<ConnectionEvent> connectionEvents();

    /**
     * Sends results and events to a collector until the client or the returned handle closes.
     *
     * @param collector receives the results and events (not the samples: use {@link GyroStream} for those)
     * @return closing it detaches the collector (and closes it)
     */
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
     * @param bundle  the model bundle, as written by the training module's packager
     * @param options activation, chunk size, retries and progress listener
     * @return the model's id, the slot it was written to and the transfer's figures
     * @throws io.gyrosentinel.GyroSentinelException with the device's code ({@code
     *         MODEL_SIGNATURE_INVALID}, {@code MODEL_VERSION_REJECTED}, {@code INVALID_ARGUMENT}
     *         (field {@code manifest.scope}, {@code model_begin.model_id}, ...), {@code
     *         MODEL_HASH_MISMATCH}, {@code MODEL_TOO_LARGE}, {@code MODEL_LOAD_FAILED}, ...) and a
     *         message saying what to do
     */
    DeployResult deploy(ModelBundle bundle, DeployOptions options);

    /**
     * {@link #deploy(ModelBundle, DeployOptions)} with {@link DeployOptions#defaults()}.
     *
     * @param bundle the model bundle
     * @return the model's id, the slot it was written to and the transfer's figures
     */
    default DeployResult deploy(ModelBundle bundle) {
        return deploy(bundle, DeployOptions.defaults());
    }

    /** {@return the device's model slots and transfer state} */
    ModelStatus modelStatus();

    /**
     * Runs the model in {@code slot}.
     *
     * @param slot the slot to run, 0 or 1
     * @return the slots after the switch
     * @throws io.gyrosentinel.GyroSentinelException {@code NO_MODEL} when the slot holds no valid
     *         model, {@code MODEL_LOAD_FAILED} when it does not load (the running model stays)
     */
    ModelStatus activateModel(int slot);

    /**
     * Goes back to the previously active model (the other valid slot).
     *
     * @return the slots after the switch
     * @throws io.gyrosentinel.GyroSentinelException {@code NO_MODEL} when there is no previous valid model
     */
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
     * @param options how long to collect and how to set the threshold
     * @return the per-channel normalisation and the threshold the device now uses
     * @throws io.gyrosentinel.GyroSentinelException {@code NO_MODEL} without an active model,
     *         {@code BUSY} while another calibration runs, {@code INVALID_ARGUMENT} (e.g. a duration
     *         too short for one window), {@code SENSOR} when a channel did not vary
     */
    CalibrationResult calibrate(CalibrationOptions options);

    /**
     * {@link #calibrate(CalibrationOptions)} with a quantile threshold (0 &lt; {@code quantile} &lt; 1).
     *
     * @param duration how long to collect normal data, 100 ms .. 600 s
     * @param quantile the threshold's quantile of the window scores
     * @return the per-channel normalisation and the threshold the device now uses
     */
    default CalibrationResult calibrate(Duration duration, double quantile) {
        return calibrate(CalibrationOptions.quantile(duration, quantile));
    }

    /** {@return the asynchronous view of this client (same connection)} */
    AsyncDeviceClient async();

    /** {@return the link and protocol counters, a snapshot} */
    ClientStats stats();

    /** {@return the URI this client was built from (credentials removed)} */
    String uri();

    /** Stops streaming, closes the transport and the client's threads. Idempotent. */
    @Override
    void close();
}
