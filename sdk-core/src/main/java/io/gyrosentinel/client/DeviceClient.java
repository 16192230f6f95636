package io.gyrosentinel.client;

import io.gyrosentinel.AnomalyEvent;
import io.gyrosentinel.DeviceInfo;
import io.gyrosentinel.InferenceResult;
import io.gyrosentinel.SensorConfig;
import io.gyrosentinel.Telemetry;
import io.gyrosentinel.collect.Collector;
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
