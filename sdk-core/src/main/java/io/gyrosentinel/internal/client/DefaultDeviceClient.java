package io.gyrosentinel.internal.client;

import com.google.protobuf.InvalidProtocolBufferException;
import io.gyrosentinel.AnomalyEvent;
import io.gyrosentinel.DeviceInfo;
import io.gyrosentinel.ErrorCode;
import io.gyrosentinel.GyroSentinelException;
import io.gyrosentinel.InferenceResult;
import io.gyrosentinel.SensorConfig;
import io.gyrosentinel.Telemetry;
import io.gyrosentinel.client.AsyncDeviceClient;
import io.gyrosentinel.client.CalibrationOptions;
import io.gyrosentinel.client.ClientStats;
import io.gyrosentinel.client.ConnectionEvent;
import io.gyrosentinel.client.DeployOptions;
import io.gyrosentinel.client.DeployResult;
import io.gyrosentinel.client.DeviceClient;
import io.gyrosentinel.client.StreamOptions;
import io.gyrosentinel.collect.Collector;
import io.gyrosentinel.internal.stream.DefaultGyroStream;
import io.gyrosentinel.internal.wire.WireCodec;
import io.gyrosentinel.internal.wire.v1.Calibrate;
import io.gyrosentinel.internal.wire.v1.Envelope;
import io.gyrosentinel.internal.wire.v1.GetModelStatus;
import io.gyrosentinel.internal.wire.v1.GetTelemetry;
import io.gyrosentinel.internal.wire.v1.ModelAbort;
import io.gyrosentinel.internal.wire.v1.ModelActivate;
import io.gyrosentinel.internal.wire.v1.ModelRollback;
import io.gyrosentinel.internal.wire.v1.Hello;
import io.gyrosentinel.internal.wire.v1.Ping;
import io.gyrosentinel.internal.wire.v1.SampleBatch;
import io.gyrosentinel.internal.wire.v1.StartStreaming;
import io.gyrosentinel.internal.wire.v1.StopStreaming;
import io.gyrosentinel.model.CalibrationResult;
import io.gyrosentinel.model.ModelBundle;
import io.gyrosentinel.model.ModelStatus;
import io.gyrosentinel.stream.GyroStream;
import io.gyrosentinel.transport.Transport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.Arrays;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Flow;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.SubmissionPublisher;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The one implementation of both client views. All I/O callbacks arrive on the transport's
 * thread and are handed off: responses complete futures on the callback executor; streams and
 * publishers deliver on the callback executor.
 */
public final class DefaultDeviceClient implements DeviceClient, Transport.Listener {
    private static final Logger log = LoggerFactory.getLogger(DefaultDeviceClient.class);

    private final Transport transport;
    private final String uri;
    private final Duration requestTimeout;
    private final Duration handshakeTimeout;
    private final Executor executor;
    private final ExecutorService ownExecutor;
    private final ScheduledExecutorService timer;
    private final int streamBuffer;
    private final String clientName;
    private final Map<Integer, Pending> pending = new ConcurrentHashMap<>();
    private final AtomicInteger nextId = new AtomicInteger();
    private final SubmissionPublisher<InferenceResult> results;
    private final SubmissionPublisher<AnomalyEvent> events;
    private final SubmissionPublisher<Telemetry> telemetry;
    private final SubmissionPublisher<ConnectionEvent> connectionEvents;
    private final AtomicLong framesIn = new AtomicLong();
    private final AtomicLong framesOut = new AtomicLong();
    private final AtomicLong undecodable = new AtomicLong();
    private final AtomicLong unknown = new AtomicLong();
    private final AtomicLong versionMismatch = new AtomicLong();
    private final AtomicLong late = new AtomicLong();
    private final AtomicLong reconnects = new AtomicLong();
    private final Object streamLock = new Object();

    private volatile DeviceInfo info;
    private volatile SensorConfig config;
    private volatile DefaultGyroStream stream;
    private volatile DefaultGyroStream startedStream;
    private volatile StreamOptions streamOptions;
    private volatile int negotiatedVersion;
    private volatile boolean closed;
    private volatile boolean linkUp;
    /** Counts completed handshakes; guarded by itself. A deployment waits on it for a reconnect. */
    private final Object sessionLock = new Object();
    private long sessionGeneration;
    private boolean linkGone;

    /** {@code onIo} runs on the I/O thread when the response arrives, before later frames are handled. */
    private record Pending(CompletableFuture<Envelope> future, String what, Runnable onIo) {
    }

    private DefaultDeviceClient(Transport transport, String uri, Duration requestTimeout, Duration handshakeTimeout,
                                Executor callbackExecutor, int streamBuffer, String clientName) {
        this.transport = transport;
        this.uri = uri;
        this.requestTimeout = requestTimeout;
        this.handshakeTimeout = handshakeTimeout;
        this.streamBuffer = streamBuffer;
        this.clientName = clientName;
        if (callbackExecutor == null) {
            ownExecutor = Executors.newCachedThreadPool(daemon("gs-callback"));
            executor = ownExecutor;
        } else {
            ownExecutor = null;
            executor = callbackExecutor;
        }
        timer = Executors.newSingleThreadScheduledExecutor(daemon("gs-timer"));
        results = new SubmissionPublisher<>(executor, 1024);
        events = new SubmissionPublisher<>(executor, 1024);
        telemetry = new SubmissionPublisher<>(executor, 256);
        connectionEvents = new SubmissionPublisher<>(executor, 256);
    }

    /** Opens the transport, performs the handshake, and returns the connected client. */
    public static DeviceClient connect(Transport transport, String uri, Duration requestTimeout,
                                       Duration handshakeTimeout, Executor callbackExecutor, int streamBuffer,
                                       String clientName) {
        DefaultDeviceClient c = new DefaultDeviceClient(transport, uri, requestTimeout, handshakeTimeout,
                callbackExecutor, streamBuffer, clientName);
        try {
            transport.start(c);
            c.linkUp = true;
            c.info = await(c.handshake(), "handshake");
            c.config = c.info.sensorConfig();
            c.sessionEstablished();
            c.connectionEvents.offer(new ConnectionEvent(ConnectionEvent.Type.CONNECTED, transport.describe(), null),
                    null);
            log.info("connected to {} ({} firmware {}, protocol {})", uri, c.info.deviceId(),
                    c.info.firmwareVersion(), c.info.protocolVersion());
            return c;
        } catch (RuntimeException e) {
            c.close();
            throw e;
        }
    }

    private static ThreadFactory daemon(String name) {
        AtomicInteger n = new AtomicInteger();
        return r -> {
            Thread t = new Thread(r, name + "-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        };
    }

    // ------------------------------------------------------------------ requests

    CompletableFuture<Envelope> request(Envelope.Builder body, String what, Duration timeout) {
        return request(body, what, timeout, null);
    }

    private CompletableFuture<Envelope> request(Envelope.Builder body, String what, Duration timeout, Runnable onIo) {
        CompletableFuture<Envelope> f = new CompletableFuture<>();
        if (closed) {
            f.completeExceptionally(new GyroSentinelException(ErrorCode.CONNECTION_CLOSED, "client for " + uri
                    + " is closed"));
            return f;
        }
        int id;
        do {
            id = nextId.incrementAndGet() & 0x7FFFFFFF;
        } while (id == 0);
        Envelope env = body.setProtocolVersion(WireCodec.PROTOCOL_VERSION).setRequestId(id).build();
        final int rid = id;
        pending.put(rid, new Pending(f, what, onIo));
        try {
            timer.schedule(() -> {
                Pending p = pending.remove(rid);
                if (p != null) {
                    p.future.completeExceptionally(new GyroSentinelException(ErrorCode.TIMEOUT, "no response to " + what
                            + " from " + uri + " within " + timeout.toMillis() + " ms; check that the device is powered, "
                            + "connected and running GyroSentinel firmware"));
                }
            }, timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (java.util.concurrent.RejectedExecutionException closedMeanwhile) {
            pending.remove(rid);
            f.completeExceptionally(new GyroSentinelException(ErrorCode.CONNECTION_CLOSED, "client for " + uri
                    + " was closed"));
            return f;
        }
        try {
            transport.send(env.toByteArray());
            framesOut.incrementAndGet();
        } catch (RuntimeException e) {
            pending.remove(rid);
            f.completeExceptionally(e instanceof GyroSentinelException ? e
                    : new GyroSentinelException(ErrorCode.TRANSPORT, "cannot send " + what + ": " + e.getMessage(), e));
        }
        // The raw future completes on the I/O thread: the blocking view waits on it directly (so a
        // blocking call made from a callback cannot deadlock on the callback executor), and the
        // async view hands completion to the callback executor (handOff) so user code never runs
        // on the I/O thread. Internal continuations on it are short and never block.
        return f;
    }

    /** The future as the async view returns it: completed on the callback executor. */
    private <T> CompletableFuture<T> handOff(CompletableFuture<T> f) {
        return f.whenCompleteAsync((v, t) -> { }, this::runCallback);
    }

    private static <T> T await(CompletableFuture<T> f, String what) {
        try {
            return f.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new GyroSentinelException(ErrorCode.CANCELLED, "interrupted while waiting for " + what, e);
        } catch (ExecutionException e) {
            throw rethrow(e.getCause());
        }
    }

    /** Rethrows with the caller's stack trace, keeping the original as the cause. */
    static GyroSentinelException rethrow(Throwable t) {
        while (t instanceof CompletionException && t.getCause() != null) {
            t = t.getCause();
        }
        if (t instanceof GyroSentinelException g) {
            return new GyroSentinelException(g.code(), g.detail(), g.field(), g);
        }
        return new GyroSentinelException(ErrorCode.INTERNAL, String.valueOf(t), t);
    }

    /** The exception inside a future's failure, as it was raised. */
    static GyroSentinelException unwrap(Throwable t) {
        while ((t instanceof CompletionException || t instanceof ExecutionException) && t.getCause() != null) {
            t = t.getCause();
        }
        return t instanceof GyroSentinelException g ? g : new GyroSentinelException(ErrorCode.INTERNAL, String.valueOf(t), t);
    }


    static Envelope expect(Envelope env, Envelope.BodyCase body, String what) {
        if (env.getBodyCase() == Envelope.BodyCase.ERROR) {
            throw WireCodec.toException(env.getError(), what);
        }
        if (env.getBodyCase() != body) {
            throw new GyroSentinelException(ErrorCode.PROTOCOL_VIOLATION, "device answered " + what + " with "
                    + WireCodec.bodyName(env.getBodyCase()) + ", expected " + WireCodec.bodyName(body));
        }
        return env;
    }

    private CompletableFuture<DeviceInfo> handshake() {
        Hello hello = Hello.newBuilder().setMinProtocolVersion(WireCodec.MIN_PROTOCOL_VERSION)
                .setMaxProtocolVersion(WireCodec.PROTOCOL_VERSION).setClientName(clientName)
                .setHostTimeUs(System.currentTimeMillis() * 1000).build();
        return request(Envelope.newBuilder().setHello(hello), "hello", handshakeTimeout).thenApply(env -> {
            DeviceInfo di = WireCodec.fromWire(expect(env, Envelope.BodyCase.DEVICE_INFO, "hello").getDeviceInfo());
            if (di.protocolVersion() < WireCodec.MIN_PROTOCOL_VERSION || di.protocolVersion() > WireCodec.PROTOCOL_VERSION) {
                throw new GyroSentinelException(ErrorCode.PROTOCOL_VERSION, "device " + di.deviceId()
                        + " speaks protocol " + di.protocolVersion() + ", this SDK speaks "
                        + WireCodec.MIN_PROTOCOL_VERSION + ".." + WireCodec.PROTOCOL_VERSION
                        + "; update the SDK or the firmware");
            }
            negotiatedVersion = di.protocolVersion();
            return di;
        });
    }

    // ------------------------------------------------------------------ transport callbacks (I/O thread)

    @Override
    public void onFrame(byte[] buf, int off, int len) {
        framesIn.incrementAndGet();
        Envelope env;
        try {
            env = WireCodec.parseEnvelope(buf, off, len);
            if (env.getBodyCase() != Envelope.BodyCase.SAMPLE_BATCH) {
                // only the sample path may alias the reused frame buffer; others are kept for later
                env = Envelope.parseFrom(java.nio.ByteBuffer.wrap(buf, off, len));
            }
        } catch (InvalidProtocolBufferException e) {
            undecodable.incrementAndGet();
            log.debug("undecodable envelope ({} bytes): {}", len, e.getMessage());
            return;
        }
        int v = env.getProtocolVersion();
        if (negotiatedVersion != 0 && v != negotiatedVersion) {
            versionMismatch.incrementAndGet();
            log.warn("dropping envelope with protocol version {} (session speaks {})", v, negotiatedVersion);
            return;
        }
        switch (env.getBodyCase()) {
            case SAMPLE_BATCH -> onBatch(env.getSampleBatch());
            case INFERENCE_RESULT -> results.offer(WireCodec.fromWire(env.getInferenceResult()), null);
            case ANOMALY_EVENT -> events.offer(WireCodec.fromWire(env.getAnomalyEvent()), null);
            case STREAM_STATUS -> onStreamStatus(env);
            case TELEMETRY -> {
                if (env.getRequestId() == 0) {
                    telemetry.offer(WireCodec.fromWire(env.getTelemetry()), null);
                } else {
                    complete(env);
                }
            }
            case BODY_NOT_SET -> {
                unknown.incrementAndGet();
                log.debug("envelope with an unknown body (request id {}), ignored", env.getRequestId());
                if (env.getRequestId() != 0) {
                    complete(env);
                }
            }
            default -> {
                if (env.getRequestId() != 0) {
                    complete(env);
                } else {
                    unknown.incrementAndGet();
                }
            }
        }
    }

    private void complete(Envelope env) {
        Pending p = pending.remove(env.getRequestId());
        if (p == null) {
            late.incrementAndGet();
            return;
        }
        if (p.onIo != null && env.getBodyCase() != Envelope.BodyCase.ERROR) {
            p.onIo.run();
        }
        p.future.complete(env);
    }

    private void onBatch(SampleBatch b) {
        DefaultGyroStream s = stream;
        if (s == null) {
            return; // a batch after stop: the device had it in flight
        }
        int count = b.getCount();
        short[] raw = WireCodec.toShorts(b.getData());
        s.onBatch(Integer.toUnsignedLong(b.getSequence()), b.getTimestampUs(), Integer.toUnsignedLong(b.getSamplePeriodNs()),
                count, raw);
    }

    private void onStreamStatus(Envelope env) {
        var st = env.getStreamStatus();
        DefaultGyroStream s = stream;
        // A status that left the device before this stream's start was acknowledged belongs
        // to the previous stream (e.g. the "stopped" that follows a StopStreaming).
        if (s != null && s == startedStream) {
            s.onDeviceDropped(st.getDroppedSamples());
            if (!st.getStreaming()) {
                stream = null;
                s.finish(null);
            }
        }
        if (env.getRequestId() != 0) {
            complete(env);
        }
    }

    /** Increments at every reconnect: a resume attempt of an older one gives up. */
    private final java.util.concurrent.atomic.AtomicLong resumeGeneration = new java.util.concurrent.atomic.AtomicLong();

    @Override
    public void onConnected(boolean reconnect) {
        linkUp = true;
        if (!reconnect || closed) {
            return;
        }
        reconnects.incrementAndGet();
        // On the I/O thread, before any batch of the new link: the next batch may restart its
        // sequence numbers, and the samples lost meanwhile are a RECONNECT gap.
        DefaultGyroStream current = stream;
        if (current != null && !current.isDone()) {
            current.onReconnect();
        }
        // The handshake waits for frames from the I/O thread: run it elsewhere. A newer reconnect supersedes it.
        long generation = resumeGeneration.incrementAndGet();
        Thread t = new Thread(() -> resume(generation), "gs-resume");
        t.setDaemon(true);
        t.start();
    }

    /**
     * Resumes the session after the transport reconnected: handshake, configuration, streaming. The link can be back
     * before the device is (after a broker crash the host often reconnects first and its hello is lost), so a failed
     * attempt is retried, with a growing pause, for as long as the link is up and no newer reconnect took over. The
     * LINK_LOST of the disconnect stands until then; RECONNECTED comes when the session is really back.
     */
    private void resume(long generation) {
        long pause = 200;
        for (int attempt = 1; ; attempt++) {
            if (closed || !linkUp || resumeGeneration.get() != generation) {
                return;
            }
            try {
                info = await(handshake(), "handshake after reconnect");
                sessionEstablished();
                SensorConfig c = config;
                if (c != null && !c.equals(info.sensorConfig())) {
                    await(configureAsync(c, true), "configure after reconnect");
                }
                DefaultGyroStream s = stream;
                if (s != null && !s.isDone()) {
                    await(startStreaming(streamOptions, () -> startedStream = s), "start streaming after reconnect");
                }
                if (!closed) {
                    connectionEvents.offer(new ConnectionEvent(ConnectionEvent.Type.RECONNECTED, transport.describe(),
                            null), null);
                }
                log.info("resumed session with {} after reconnect (attempt {})", uri, attempt);
                return;
            } catch (RuntimeException e) {
                if (closed) {
                    return; // the client was closed while resuming: nothing to report
                }
                log.info("resuming the session with {} failed (attempt {}): {}; retrying while the link is up", uri,
                        attempt, e.getMessage());
            }
            try {
                Thread.sleep(pause);
            } catch (InterruptedException ie) {
                Thread.currentThread().interrupt();
                return;
            }
            pause = Math.min(pause * 2, 5000);
        }
    }

    @Override
    public void onDisconnected(Throwable cause, boolean willReconnect) {
        linkUp = false;
        if (!willReconnect) {
            synchronized (sessionLock) {
                linkGone = true;
                sessionLock.notifyAll();
            }
        }
        GyroSentinelException ex = new GyroSentinelException(ErrorCode.CONNECTION_CLOSED, "link to " + uri + " lost: "
                + (cause == null ? "closed" : cause.getMessage()), cause);
        for (Integer id : pending.keySet()) {
            Pending p = pending.remove(id);
            if (p != null) {
                p.future.completeExceptionally(ex);
            }
        }
        if (!closed) {
            connectionEvents.offer(new ConnectionEvent(ConnectionEvent.Type.LINK_LOST, transport.describe(), cause), null);
        }
        if (!willReconnect) {
            DefaultGyroStream s = stream;
            if (s != null) {
                stream = null;
                s.finish(closed ? null : ex);
            }
        }
    }

    // ------------------------------------------------------------------ blocking view

    @Override
    public DeviceInfo info() {
        return info;
    }

    @Override
    public void configure(SensorConfig c) {
        await(configureAsync(c), "configure");
    }

    @Override
    public SensorConfig config() {
        return config;
    }

    @Override
    public GyroStream stream() {
        return stream(StreamOptions.defaults());
    }

    @Override
    public GyroStream stream(StreamOptions options) {
        return await(streamAsync(options), "start streaming");
    }

    @Override
    public Telemetry telemetry() {
        return await(telemetryAsync(), "telemetry");
    }

    @Override
    public Duration ping() {
        return await(pingAsync(), "ping");
    }

    @Override
    public Flow.Publisher<InferenceResult> results() {
        return results;
    }

    @Override
    public Flow.Publisher<AnomalyEvent> events() {
        return events;
    }

    @Override
    public Flow.Publisher<Telemetry> telemetryUpdates() {
        return telemetry;
    }

    @Override
    public Flow.Publisher<ConnectionEvent> connectionEvents() {
        return connectionEvents;
    }

    @Override
    public AutoCloseable collectTo(Collector collector) {
        ResultCollectorBridge bridge = new ResultCollectorBridge(collector);
        results.subscribe(bridge.results());
        events.subscribe(bridge.events());
        return bridge;
    }

    @Override
    public AsyncDeviceClient async() {
        return asyncView;
    }

    @Override
    public ClientStats stats() {
        var t = transport.stats();
        return new ClientStats(framesIn.get(), framesOut.get(), t.badFrames(), undecodable.get(), unknown.get(),
                versionMismatch.get(), late.get(), Math.max(reconnects.get(), t.reconnects()));
    }

    @Override
    public String uri() {
        return uri;
    }

    // ------------------------------------------------------------------ async view

    private CompletableFuture<Void> configureAsync(SensorConfig c) {
        return configureAsync(c, false);
    }

    /** {@code resuming}: re-applying the configuration after a reconnect, while the stream waits. */
    private CompletableFuture<Void> configureAsync(SensorConfig c, boolean resuming) {
        synchronized (streamLock) {
            DefaultGyroStream s = stream;
            if (!resuming && s != null && !s.isDone()) {
                return CompletableFuture.failedFuture(new GyroSentinelException(ErrorCode.BUSY,
                        "cannot reconfigure while streaming; close the stream first"));
            }
        }
        return request(Envelope.newBuilder().setConfigure(WireCodec.toWire(c)), "configure", requestTimeout)
                .thenApply(env -> {
                    expect(env, Envelope.BodyCase.ACK, "configure");
                    // the device says what it applied (the sensor's nearest rate); an older one does not
                    config = env.getAck().hasConfig() ? WireCodec.fromWire(env.getAck().getConfig()) : c;
                    return null;
                });
    }

    CompletableFuture<GyroStream> streamAsync(StreamOptions options) {
        DefaultGyroStream s;
        synchronized (streamLock) {
            if (stream != null && !stream.isDone()) {
                return CompletableFuture.failedFuture(new GyroSentinelException(ErrorCode.BUSY,
                        "a stream is already open on " + uri + "; close it before starting another"));
            }
            SensorConfig c = config;
            float[] scale = new float[c.channels()];
            Arrays.fill(scale, c.dpsPerLsb());
            DefaultGyroStream[] holder = new DefaultGyroStream[1];
            s = new DefaultGyroStream(c, scale, executor, streamBuffer, () -> stopStreaming(holder[0]));
            holder[0] = s;
            stream = s;
            streamOptions = options;
        }
        final DefaultGyroStream started = s;
        return startStreaming(options, () -> startedStream = started).handle((v, t) -> {
            if (t != null) {
                synchronized (streamLock) {
                    if (stream == started) {
                        stream = null;
                    }
                }
                started.finish(t);
                throw t instanceof CompletionException ce ? ce : new CompletionException(t);
            }
            return (GyroStream) started;
        });
    }

    private CompletableFuture<Void> startStreaming(StreamOptions o, Runnable onIo) {
        StartStreaming start = StartStreaming.newBuilder().setMaxSamples(o.maxSamples()).setResults(o.results()).build();
        return request(Envelope.newBuilder().setStartStreaming(start), "start streaming", requestTimeout, onIo)
                .thenApply(env -> {
                    if (env.getBodyCase() == Envelope.BodyCase.ERROR) {
                        throw WireCodec.toException(env.getError(), "start streaming");
                    }
                    return null;
                });
    }

    private void stopStreaming(DefaultGyroStream s) {
        synchronized (streamLock) {
            if (stream == s) {
                stream = null;
            }
        }
        if (closed || !linkUp) {
            return;
        }
        try {
            request(Envelope.newBuilder().setStopStreaming(StopStreaming.getDefaultInstance()), "stop streaming",
                    requestTimeout).get(requestTimeout.toMillis() + 500, TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (ExecutionException | TimeoutException e) {
            log.warn("stop streaming on {} failed: {}", uri, e.getCause() == null ? e : e.getCause().getMessage());
        }
    }

    CompletableFuture<Telemetry> telemetryAsync() {
        return request(Envelope.newBuilder().setGetTelemetry(GetTelemetry.getDefaultInstance()), "telemetry",
                requestTimeout).thenApply(env -> WireCodec.fromWire(expect(env, Envelope.BodyCase.TELEMETRY,
                "telemetry").getTelemetry()));
    }

    CompletableFuture<Duration> pingAsync() {
        long nonce = System.nanoTime();
        long t0 = System.nanoTime();
        return request(Envelope.newBuilder().setPing(Ping.newBuilder().setNonce(nonce)), "ping", requestTimeout)
                .thenApply(env -> {
                    var pong = expect(env, Envelope.BodyCase.PONG, "ping").getPong();
                    if (pong.getNonce() != nonce) {
                        throw new GyroSentinelException(ErrorCode.PROTOCOL_VIOLATION, "pong carries nonce "
                                + pong.getNonce() + ", expected " + nonce);
                    }
                    return Duration.ofNanos(System.nanoTime() - t0);
                });
    }

    CompletableFuture<DeviceInfo> refreshInfoAsync() {
        return handshake().thenApply(di -> {
            info = di;
            return di;
        });
    }

    // ------------------------------------------------------------------ models

    @Override
    public DeployResult deploy(ModelBundle bundle, DeployOptions options) {
        CompletableFuture<DeployResult> f = deployRaw(bundle, options);
        try {
            return await(f, "deploy");
        } catch (GyroSentinelException e) {
            if (e.code() == ErrorCode.CANCELLED) {
                f.cancel(false);
            }
            throw e;
        }
    }

    @Override
    public ModelStatus modelStatus() {
        return await(modelStatusAsync(), "model status");
    }

    @Override
    public ModelStatus activateModel(int slot) {
        return await(activateAsync(slot), "activate model");
    }

    @Override
    public ModelStatus rollbackModel() {
        return await(rollbackAsync(), "roll back model");
    }

    @Override
    public void abortModelTransfer() {
        await(abortAsync(), "abort model transfer");
    }

    @Override
    public CalibrationResult calibrate(CalibrationOptions options) {
        return await(calibrateAsync(options), "calibrate");
    }

    CompletableFuture<CalibrationResult> calibrateAsync(CalibrationOptions options) {
        Objects.requireNonNull(options, "options");
        long ms = options.duration().toMillis();
        Calibrate req = Calibrate.newBuilder().setDurationMs((int) ms).setQuantile((float) options.quantile())
                .setKSigma((float) options.kSigma()).build();
        // the device answers once it has collected the data
        Duration timeout = options.duration().plus(slowRequestTimeout());
        return request(Envelope.newBuilder().setCalibrate(req), "calibrate", timeout).thenApply(env -> {
            var r = expect(env, Envelope.BodyCase.CALIBRATION_RESULT, "calibrate").getCalibrationResult();
            float[] mean = new float[r.getChannelMeanCount()];
            float[] std = new float[r.getChannelStdCount()];
            for (int i = 0; i < mean.length; i++) {
                mean[i] = r.getChannelMean(i);
            }
            for (int i = 0; i < std.length; i++) {
                std[i] = r.getChannelStd(i);
            }
            if (mean.length != std.length) {
                throw new GyroSentinelException(ErrorCode.PROTOCOL_VIOLATION, "CalibrationResult has " + mean.length
                        + " means but " + std.length + " standard deviations");
            }
            return new CalibrationResult(mean, std, r.getThreshold(), r.getWindows());
        }).handle((res, t) -> {
            if (t == null) {
                return res;
            }
            GyroSentinelException g = unwrap(t);
            String advice = switch (g.code()) {
                case NO_MODEL -> "calibration needs an active model whose channels match the enabled axes; "
                        + "deploy() one first";
                case BUSY -> "the device is already calibrating; wait for that to finish";
                case UNSUPPORTED -> "this device's firmware cannot calibrate; update it";
                default -> null;
            };
            throw advice == null ? g : new GyroSentinelException(g.code(), g.detail() + ". "
                    + Character.toUpperCase(advice.charAt(0)) + advice.substring(1), g.field(), g);
        });
    }

    CompletableFuture<DeployResult> deployAsync(ModelBundle bundle, DeployOptions options) {
        CompletableFuture<DeployResult> f = deployRaw(bundle, options);
        CompletableFuture<DeployResult> out = handOff(f);
        out.whenComplete((v, e) -> {
            if (out.isCancelled()) {
                f.cancel(false);
            }
        });
        return out;
    }

    /** Runs the deployment on its own thread; cancelling the returned future stops it after the chunk in flight. */
    private CompletableFuture<DeployResult> deployRaw(ModelBundle bundle, DeployOptions options) {
        Objects.requireNonNull(bundle, "bundle");
        Objects.requireNonNull(options, "options");
        Executor callbacks = this::runCallback;
        ModelDeployer d = new ModelDeployer(this, bundle, options, callbacks);
        CompletableFuture<DeployResult> f = new CompletableFuture<>();
        Thread t = new Thread(() -> {
            try {
                f.complete(d.run());
            } catch (RuntimeException e) {
                f.completeExceptionally(e);
            }
        }, "gs-deploy-" + bundle.modelId());
        t.setDaemon(true);
        t.start();
        f.whenComplete((v, e) -> {
            if (f.isCancelled()) {
                d.cancel();
            }
        });
        return f;
    }

    CompletableFuture<ModelStatus> modelStatusAsync() {
        return modelRequest(Envelope.newBuilder().setGetModelStatus(GetModelStatus.getDefaultInstance()),
                "model status", requestTimeout);
    }

    private CompletableFuture<ModelStatus> activateAsync(int slot) {
        if (slot < 0) {
            return CompletableFuture.failedFuture(new GyroSentinelException(ErrorCode.BAD_INPUT,
                    "slot must be >= 0, got " + slot));
        }
        return explainSlotErrors(modelRequest(Envelope.newBuilder().setModelActivate(ModelActivate.newBuilder()
                .setSlot(slot)), "activate model slot " + slot, slowRequestTimeout()));
    }

    private CompletableFuture<ModelStatus> rollbackAsync() {
        return explainSlotErrors(modelRequest(Envelope.newBuilder().setModelRollback(
                ModelRollback.getDefaultInstance()), "roll back model", slowRequestTimeout()));
    }

    private CompletableFuture<Void> abortAsync() {
        return request(Envelope.newBuilder().setModelAbort(ModelAbort.getDefaultInstance()), "abort model transfer",
                requestTimeout).thenApply(env -> {
                    // the protocol answers Ack; firmware may answer its ModelStatus
                    if (env.getBodyCase() != Envelope.BodyCase.MODEL_STATUS) {
                        expect(env, Envelope.BodyCase.ACK, "abort model transfer");
                    }
                    return null;
                });
    }

    private CompletableFuture<ModelStatus> modelRequest(Envelope.Builder body, String what, Duration timeout) {
        return request(body, what, timeout).thenApply(env -> {
            ModelStatus st = WireCodec.fromWire(expect(env, Envelope.BodyCase.MODEL_STATUS, what).getModelStatus());
            updateSlots(st);
            return st;
        });
    }

    private static CompletableFuture<ModelStatus> explainSlotErrors(CompletableFuture<ModelStatus> f) {
        return f.handle((st, t) -> {
            if (t == null) {
                return st;
            }
            GyroSentinelException g = unwrap(t);
            String advice = switch (g.code()) {
                case NO_MODEL -> "that slot holds no valid model; modelStatus() lists the slots, deploy() fills one";
                case MODEL_LOAD_FAILED -> "the device could not load the model and keeps running the one it had; "
                        + "deploy a model built for this firmware";
                case UNSUPPORTED -> "the device has no model store; update its firmware";
                default -> null;
            };
            throw advice == null ? g : new GyroSentinelException(g.code(), g.detail() + ". "
                    + Character.toUpperCase(advice.charAt(0)) + advice.substring(1), g.field(), g);
        });
    }

    /** Keeps {@link #info()}'s slots current after model operations. */
    void updateSlots(ModelStatus st) {
        DeviceInfo di = info;
        if (di != null) {
            info = new DeviceInfo(di.deviceId(), di.firmwareVersion(), di.protocolVersion(), di.chip(),
                    di.sensorModel(), di.capabilities(), di.maxFrameSize(), di.maxChunkSize(), st.slots(),
                    di.sensorConfig());
        }
    }

    /**
     * Runs {@code r} on the callback executor, or right here once that executor is shut down: a
     * request racing with {@link #close()} must still complete its future.
     */
    private void runCallback(Runnable r) {
        try {
            executor.execute(r);
        } catch (java.util.concurrent.RejectedExecutionException e) {
            r.run();
        }
    }

    Duration requestTimeout() {
        return requestTimeout;
    }

    /** Verifying and loading a model can take a device a while. */
    Duration slowRequestTimeout() {
        return requestTimeout.compareTo(Duration.ofSeconds(15)) > 0 ? requestTimeout : Duration.ofSeconds(15);
    }

    boolean isClosed() {
        return closed;
    }

    long sessionGeneration() {
        synchronized (sessionLock) {
            return sessionGeneration;
        }
    }

    private void sessionEstablished() {
        synchronized (sessionLock) {
            sessionGeneration++;
            sessionLock.notifyAll();
        }
    }

    /**
     * Waits until a session newer than {@code generation} is up (after a reconnect), or — when
     * {@code needNew} is false — until the link is up at all.
     *
     * @throws GyroSentinelException CONNECTION_CLOSED when the client closed or the transport gave up,
     *                               TIMEOUT when the link did not come back in time
     */
    void awaitSession(long generation, Duration timeout, boolean needNew) {
        long deadline = System.nanoTime() + timeout.toNanos();
        synchronized (sessionLock) {
            while (true) {
                if (closed) {
                    throw new GyroSentinelException(ErrorCode.CONNECTION_CLOSED, "client for " + uri + " was closed");
                }
                if (sessionGeneration > generation || (!needNew && linkUp)) {
                    return;
                }
                if (linkGone) {
                    throw new GyroSentinelException(ErrorCode.CONNECTION_CLOSED, "link to " + uri
                            + " is down and its transport does not reconnect");
                }
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    throw new GyroSentinelException(ErrorCode.TIMEOUT, "link to " + uri + " did not come back within "
                            + timeout.toMillis() + " ms");
                }
                try {
                    sessionLock.wait(Math.max(1, left / 1_000_000));
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new GyroSentinelException(ErrorCode.CANCELLED, "interrupted while waiting for " + uri
                            + " to reconnect", e);
                }
            }
        }
    }

    private final AsyncDeviceClient asyncView = new AsyncDeviceClient() {
        public CompletableFuture<Void> configure(SensorConfig c) { return handOff(configureAsync(c)); }
        public CompletableFuture<GyroStream> stream(StreamOptions o) { return handOff(streamAsync(o)); }
        public CompletableFuture<Telemetry> telemetry() { return handOff(telemetryAsync()); }
        public CompletableFuture<Duration> ping() { return handOff(pingAsync()); }
        public CompletableFuture<DeviceInfo> refreshInfo() { return handOff(refreshInfoAsync()); }
        public CompletableFuture<DeployResult> deploy(ModelBundle b, DeployOptions o) { return deployAsync(b, o); }
        public CompletableFuture<ModelStatus> modelStatus() { return handOff(modelStatusAsync()); }
        public CompletableFuture<ModelStatus> activateModel(int slot) { return handOff(activateAsync(slot)); }
        public CompletableFuture<ModelStatus> rollbackModel() { return handOff(rollbackAsync()); }
        public CompletableFuture<Void> abortModelTransfer() { return handOff(abortAsync()); }
        public CompletableFuture<CalibrationResult> calibrate(CalibrationOptions o) { return handOff(calibrateAsync(o)); }
        public DeviceClient blocking() { return DefaultDeviceClient.this; }
    };

    /**
     * Sends a raw request and returns the raw response. For SDK modules (model transfer) that
     * need messages the public API does not expose yet.
     */
    public CompletableFuture<Envelope> rawRequest(Envelope.Builder body, String what, Duration timeout) {
        return request(body, what, timeout);
    }

    // ------------------------------------------------------------------ close

    @Override
    public void close() {
        if (closed) {
            return;
        }
        DefaultGyroStream s = stream;
        if (s != null) {
            s.close(); // sends StopStreaming while the link is still open
        }
        closed = true;
        synchronized (sessionLock) {
            sessionLock.notifyAll();
        }
        try {
            transport.close();
        } finally {
            GyroSentinelException ex = new GyroSentinelException(ErrorCode.CONNECTION_CLOSED, "client for " + uri
                    + " was closed");
            pending.values().forEach(p -> p.future.completeExceptionally(ex));
            pending.clear();
            connectionEvents.offer(new ConnectionEvent(ConnectionEvent.Type.CLOSED, transport.describe(), null), null);
            results.close();
            events.close();
            telemetry.close();
            connectionEvents.close();
            timer.shutdownNow();
            if (ownExecutor != null) {
                ownExecutor.shutdown();
            }
        }
    }
}
