package io.gyrosentinel.client;

import io.gyrosentinel.ErrorCode;
import io.gyrosentinel.GyroSentinelException;
import io.gyrosentinel.internal.client.DefaultDeviceClient;
import io.gyrosentinel.transport.Endpoint;
import io.gyrosentinel.transport.Transport;
import io.gyrosentinel.transport.Transports;

import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;

/** Builds a {@link DeviceClient}. Validates in {@link #connect()}. */
public final class DeviceClientBuilder {
    private String uri;
    private Transport transport;
    private Duration requestTimeout = Duration.ofSeconds(5);
    private Duration handshakeTimeout = Duration.ofSeconds(10);
    private Executor callbackExecutor;
    private int streamBuffer = 4096;
    private String clientName = "gyrosentinel-java/0.1.0";

    DeviceClientBuilder() {
    }

    /**
     * The device URI: {@code sim:...}, {@code serial:/dev/ttyUSB0?baud=921600}, {@code mqtt://host:1883/device}.
     *
     * @param uri the device URI; credentials in it are removed from {@link DeviceClient#uri()} and logs
     * @return this builder
     */
    public DeviceClientBuilder uri(String uri) {
        this.uri = uri;
        return this;
    }

    /**
     * Uses an already-created transport instead of looking one up by URI scheme.
     *
     * @param transport the transport to use (the client closes it)
     * @return this builder
     */
    public DeviceClientBuilder transport(Transport transport) {
        this.transport = transport;
        return this;
    }

    /**
     * How long a request waits for its response (default 5 s).
     *
     * @param d the timeout, positive
     * @return this builder
     */
    public DeviceClientBuilder requestTimeout(Duration d) {
        this.requestTimeout = d;
        return this;
    }

    /**
     * How long the handshake may take (default 10 s).
     *
     * @param d the timeout
     * @return this builder
     */
    public DeviceClientBuilder handshakeTimeout(Duration d) {
        this.handshakeTimeout = d;
        return this;
    }

    /**
     * Where user callbacks and future completions run (default: the client's own daemon threads).
     *
     * @param e the executor, or {@code null} for the client's own threads
     * @return this builder
     */
    public DeviceClientBuilder callbackExecutor(Executor e) {
        this.callbackExecutor = e;
        return this;
    }

    /**
     * Blocks kept for {@link io.gyrosentinel.stream.GyroStream#poll} before the oldest are dropped (default 4096).
     *
     * @param blocks capacity in blocks, at least 2
     * @return this builder
     */
    public DeviceClientBuilder streamBuffer(int blocks) {
        this.streamBuffer = blocks;
        return this;
    }

    /**
     * Name sent to the device in the handshake.
     *
     * @param name free text identifying the host software (default {@code gyrosentinel-java/0.1.0})
     * @return this builder
     */
    public DeviceClientBuilder clientName(String name) {
        this.clientName = name;
        return this;
    }

    /**
     * Opens the transport and performs the handshake; blocks until connected.
     *
     * @return the connected client
     * @throws io.gyrosentinel.GyroSentinelException {@code BAD_URI} when neither a URI nor a transport is set, {@code
     *         BAD_INPUT} for a non-positive request timeout or a stream buffer below 2, and whatever opening the
     *         transport ({@code UNKNOWN_SCHEME}, {@code TRANSPORT}) or the handshake ({@code TIMEOUT}, {@code
     *         PROTOCOL_VERSION}) fails with
     */
    public DeviceClient connect() {
        validate();
        Transport t = transport != null ? transport : Transports.open(uri);
        String shown = uri != null ? Endpoint.parse(uri).redacted() : t.describe();
        return DefaultDeviceClient.connect(t, shown, requestTimeout, handshakeTimeout, callbackExecutor, streamBuffer,
                clientName);
    }

    /**
     * Connects on another thread.
     *
     * @return completes with the connected client, or fails as {@link #connect()} does
     * @throws io.gyrosentinel.GyroSentinelException {@code BAD_URI} or {@code BAD_INPUT} right away when the settings
     *         are invalid
     */
    public CompletableFuture<DeviceClient> connectAsync() {
        validate();
        return CompletableFuture.supplyAsync(this::connect, r -> {
            Thread th = new Thread(r, "gs-connect");
            th.setDaemon(true);
            th.start();
        });
    }

    private void validate() {
        if (uri == null && transport == null) {
            throw new GyroSentinelException(ErrorCode.BAD_URI, "set a device URI (e.g. sim:) or a transport");
        }
        Objects.requireNonNull(requestTimeout, "requestTimeout");
        if (requestTimeout.isNegative() || requestTimeout.isZero()) {
            throw new GyroSentinelException(ErrorCode.BAD_INPUT, "requestTimeout must be positive, got " + requestTimeout);
        }
        if (streamBuffer < 2) {
            throw new GyroSentinelException(ErrorCode.BAD_INPUT, "streamBuffer must be >= 2, got " + streamBuffer);
        }
    }
}
