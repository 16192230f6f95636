package io.gyrosentinel.sim;

import com.google.protobuf.ByteString;
import com.google.protobuf.InvalidProtocolBufferException;
import io.gyrosentinel.Capability;
import io.gyrosentinel.DeviceInfo;
import io.gyrosentinel.DeviceLimits;
import io.gyrosentinel.GyroSentinelException;
import io.gyrosentinel.ModelSlotInfo;
import io.gyrosentinel.SensorConfig;
import io.gyrosentinel.internal.framing.FrameCodec;
import io.gyrosentinel.internal.framing.FrameDecoder;
import io.gyrosentinel.internal.DeviceMessages;
import io.gyrosentinel.internal.wire.WireCodec;
import io.gyrosentinel.internal.wire.v1.Ack;
import io.gyrosentinel.internal.wire.v1.Calibrate;
import io.gyrosentinel.internal.wire.v1.CalibrationResult;
import io.gyrosentinel.internal.wire.v1.Envelope;
import io.gyrosentinel.internal.wire.v1.Error;
import io.gyrosentinel.internal.wire.v1.ErrorCode;
import io.gyrosentinel.internal.wire.v1.Pong;
import io.gyrosentinel.internal.wire.v1.SampleBatch;
import io.gyrosentinel.internal.wire.v1.StreamStatus;
import io.gyrosentinel.internal.wire.v1.Telemetry;
import io.gyrosentinel.model.DeviceModel;
import io.gyrosentinel.model.InferenceEngineProvider;
import io.gyrosentinel.model.InferenceEngines;
import io.gyrosentinel.model.ModelBundle;
import io.gyrosentinel.transport.StreamTransport;
import io.gyrosentinel.transport.Transport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.channels.Channels;
import java.nio.channels.Pipe;
import java.nio.file.Path;
import java.security.PublicKey;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Consumer;

/**
 * A simulated ESP32 running GyroSentinel firmware. It speaks the real protocol through the real
 * codec and framing, honours {@code SensorConfig}, and streams timestamped batches of a
 * simulated rotating machine ({@link MachineModel}) at the configured rate, in real time or as
 * fast as the link takes them. Faults can be injected while it runs. Deterministic for a seed.
 *
 * <p>Like the firmware it keeps models in two slots (A/B) and receives them over the protocol's
 * model transfer (resumable, CRC-checked chunks, SHA-256 and, with a {@linkplain
 * Builder#trustedKey trusted key}, ECDSA signature checks). When an {@link InferenceEngineProvider}
 * is available (given to the builder, or found on the class path) the active model scores every
 * window of the stream on the device's own inference thread and the device sends
 * {@code InferenceResult}s and {@code AnomalyEvent}s.
 *
 * <pre>{@code
 * try (VirtualDevice dev = VirtualDevice.builder().machine(MachineModel.fan(1500)).seed(7).build();
 *      DeviceClient client = DeviceClient.builder().transport(dev.newTransport()).connect()) {
 *     dev.injectFault(new Fault.Imbalance(0.5));
 *     ...
 * }
 * }</pre>
 */
public final class VirtualDevice implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(VirtualDevice.class);
    /** The firmware version the device reports in its {@link DeviceInfo}. */
    public static final String FIRMWARE_VERSION = "virtual-0.1.0";
    private static final int PROTOCOL_VERSION = 1;
    /** Largest model chunk this device accepts (DeviceInfo.max_chunk_size). */
    public static final int MAX_CHUNK = 1024;
    /** Default size of one model slot. */
    public static final int DEFAULT_SLOT_SIZE = 256 * 1024;

    /** Where the device's outgoing envelopes go (one per call). */
    @FunctionalInterface
    public interface Uplink {
        /**
         * Sends one encoded envelope (unframed); called by one thread at a time.
         *
         * @param envelope the encoded envelope
         * @throws IOException when the link fails; the device then drops this uplink
         */
        void send(byte[] envelope) throws IOException;
    }

    private final String deviceId;
    private final long seed;
    private volatile boolean realTime;
    private final long bootMicros;
    /** Link outage (fault injection): batches of stream time [outageFromNanos, outageToNanos) are lost. */
    private final long outageFromNanos;
    private final long outageToNanos;
    private final long startNanos = System.nanoTime();
    private volatile MachineModel machine;
    private volatile SensorConfig config;
    private final List<Fault> faults = new CopyOnWriteArrayList<>();
    private final List<Uplink> uplinks = new CopyOnWriteArrayList<>();
    private final List<AutoCloseable> resources = new CopyOnWriteArrayList<>();
    private final Object sendLock = new Object();
    private final AtomicLong batchesSent = new AtomicLong();
    /** Samples lost on the device because the link could not take them (ring overflow). */
    private final AtomicLong droppedSamples = new AtomicLong();
    private final AtomicLong badFrames = new AtomicLong();
    private final AtomicLong framesIn = new AtomicLong();
    private volatile Streamer streamer;
    private volatile boolean closed;
    private volatile Consumer<Envelope> extension;
    private final InferenceEngineProvider engine;
    private final ModelStore store;
    private final InferenceLoop inference;
    /** The model running inference; swapped under the store's lock, read by the streaming thread. */
    private volatile InferenceLoop.Loaded loaded;
    private final AtomicBoolean calibrating = new AtomicBoolean();
    private final AtomicLong calibrationsRun = new AtomicLong();

    private VirtualDevice(Builder b) {
        this.deviceId = b.deviceId;
        this.seed = b.seed;
        this.streamsStarted = b.session;
        this.realTime = b.realTime;
        this.machine = b.machine;
        this.config = b.config;
        this.bootMicros = b.bootMicros;
        this.outageFromNanos = b.outageFromNanos;
        this.outageToNanos = b.outageToNanos;
        this.faults.addAll(b.faults);
        this.engine = b.engineSet ? b.engine : InferenceEngines.find().orElse(null);
        this.store = new ModelStore(b.slotSize, MAX_CHUNK, b.trustedKey, b.deviceId, b.modelDirectory);
        this.inference = new InferenceLoop(deviceId, this::sendAll, b.queueCapacity, b.enterWindows, b.exitWindows);
        // What firmware does at boot: load the active model, fall back when it no longer loads.
        while (engine != null && store.active() >= 0 && loaded == null) {
            int active = store.active();
            try {
                loaded = load(active);
            } catch (ModelStore.Refused e) {
                log.warn("virtual device {}: stored model in slot {} does not load ({}); falling back", deviceId,
                        active, e.getMessage());
                store.invalidate(active);
            }
        }
    }

    /**
     * {@return a builder: device {@code virtual-1}, seed 1, a fan at 1500 rpm, the default configuration, real time}
     */
    public static Builder builder() {
        return new Builder();
    }

    /** {@return the device's id, as reported in the handshake} */
    public String deviceId() {
        return deviceId;
    }

    /** {@return the sensor configuration in force (changed by the host's {@code configure})} */
    public SensorConfig config() {
        return config;
    }

    /** {@return the simulated machine} */
    public MachineModel machine() {
        return machine;
    }

    /**
     * Changes the machine (e.g. its speed). Takes effect at the next stream or calibration: a stream already running
     * keeps the machine it started with.
     *
     * @param m the new machine, not {@code null}
     */
    public void setMachine(MachineModel m) {
        this.machine = Objects.requireNonNull(m);
    }

    /**
     * Adds a fault from now on.
     *
     * @param f the fault, not {@code null}; faults add up
     */
    public void injectFault(Fault f) {
        faults.add(Objects.requireNonNull(f));
        pushFaults();
    }

    /** Removes every injected fault: the machine is healthy again from now on. */
    public void clearFaults() {
        faults.clear();
        pushFaults();
    }

    /** {@return a copy of the faults injected now} */
    public List<Fault> faults() {
        return List.copyOf(faults);
    }

    private void pushFaults() {
        Streamer s = streamer;
        if (s != null) {
            s.faultsChanged = true; // applied by the streamer at its next batch, which records when
        }
    }

    private volatile long faultChangeMicros = -1;

    /**
     * Sensor-clock time (µs) of the first sample generated after the last {@link #injectFault} or
     * {@link #clearFaults} took effect, or -1 before any change reached a stream. Use it to tell
     * detections after a fault from false alarms before it.
     *
     * @return the device-clock time of the last fault change reaching a stream, µs, or -1
     */
    public long faultChangeMicros() {
        return faultChangeMicros;
    }

    /**
     * Paces batches at the sensor rate (true) or sends them as fast as the link takes them.
     * Takes effect at the next StartStreaming.
     *
     * @param r {@code true} for real time
     */
    public void setRealTime(boolean r) {
        this.realTime = r;
    }

    /** {@return whether a stream is running} */
    public boolean isStreaming() {
        Streamer s = streamer;
        return s != null && s.running;
    }

    /** {@return the sample batches the device has sent since it started} */
    public long batchesSent() {
        return batchesSent.get();
    }

    /** {@return the frames the device discarded (bad CRC, bad COBS, oversize, undecodable)} */
    public long badFrames() {
        return badFrames.get();
    }

    /** {@return the id of the model in the active slot, or empty when no slot is active} */
    public java.util.Optional<String> activeModelId() {
        synchronized (store) {
            int a = store.active();
            return a < 0 ? java.util.Optional.empty() : java.util.Optional.of(store.slot(a).modelId());
        }
    }

    /** {@return the windows the inference thread has scored since the device started} */
    public long windowsScored() {
        return inference.scored();
    }

    /** {@return the windows skipped because the inference queue was full (the device could not keep up)} */
    public long windowsSkipped() {
        return inference.skipped();
    }

    /** {@return the device clock: µs since "boot" (the builder's {@code bootMicros} at creation)} */
    public long nowMicros() {
        return bootMicros + (System.nanoTime() - startNanos) / 1000;
    }

    // ------------------------------------------------------------------ links

    /**
     * A transport to this device over an OS pipe pair with real COBS/CRC framing: what a
     * {@code sim:} URI gives you.
     *
     * @return a new, unconnected transport; each (re)connect opens a new pipe pair
     */
    public Transport newTransport() {
        return new StreamTransport("sim:" + deviceId, () -> {
            Pipe toDevice = Pipe.open();
            Pipe fromDevice = Pipe.open();
            InputStream devIn = Channels.newInputStream(toDevice.source());
            OutputStream devOut = Channels.newOutputStream(fromDevice.sink());
            attach(devIn, devOut);
            InputStream hostIn = Channels.newInputStream(fromDevice.source());
            OutputStream hostOut = Channels.newOutputStream(toDevice.sink());
            return StreamTransport.Connection.of(hostIn, hostOut, () -> {
                toDevice.sink().close();
                fromDevice.source().close();
            });
        }, new StreamTransport.Options(false, java.time.Duration.ofMillis(100), java.time.Duration.ofSeconds(1)));
    }

    /**
     * Serves the protocol on a byte stream (a PTY, a socket, a pipe): reads framed envelopes from
     * {@code in}, writes framed envelopes to {@code out}. Returns at once; a daemon thread reads.
     * The link ends when {@code in} reaches its end or fails.
     *
     * @param in  the host's bytes (framed envelopes)
     * @param out where the device's framed envelopes go
     */
    public void attach(InputStream in, OutputStream out) {
        byte[] frameBuf = new byte[FrameCodec.MAX_FRAME];
        java.util.zip.CRC32 crc = new java.util.zip.CRC32();
        Uplink up = new Uplink() {
            @Override
            public void send(byte[] env) throws IOException {
                int n = FrameCodec.encode(env, 0, env.length, frameBuf, 0, crc);
                out.write(frameBuf, 0, n);
                out.flush();
            }
        };
        uplinks.add(up);
        FrameDecoder decoder = new FrameDecoder((buf, off, len) -> onEnvelope(buf, off, len, up));
        Thread t = new Thread(() -> {
            byte[] buf = new byte[4096];
            try {
                int n;
                while (!closed && (n = in.read(buf)) >= 0) {
                    decoder.feed(buf, 0, n);
                    badFrames.set(decoder.badFrames());
                }
            } catch (IOException e) {
                log.debug("virtual device {}: link closed: {}", deviceId, e.toString());
            } finally {
                uplinks.remove(up);
                closeQuietly(in);
                closeQuietly(out);
            }
        }, "gs-vdev-" + deviceId);
        t.setDaemon(true);
        t.start();
        resources.add(in);
        resources.add(out);
    }

    /**
     * Serves the protocol on a message link (MQTT): call this with each received envelope;
     * replies go to {@code uplink}.
     *
     * @param buf    the buffer holding the envelope
     * @param off    offset of the envelope in {@code buf}
     * @param len    length of the envelope, bytes
     * @param uplink where replies (and, from now on, unsolicited messages) go
     */
    public void onEnvelope(byte[] buf, int off, int len, Uplink uplink) {
        if (!uplinks.contains(uplink)) {
            uplinks.add(uplink);
        }
        framesIn.incrementAndGet();
        Envelope env;
        try {
            env = Envelope.parser().parseFrom(buf, off, len);
        } catch (InvalidProtocolBufferException e) {
            reply(uplink, 0, error(ErrorCode.MALFORMED, "undecodable envelope: " + e.getMessage(), ""));
            return;
        }
        handle(env, uplink);
    }

    /**
     * Registers a message uplink (e.g. an MQTT publisher) before the host has sent anything, so
     * unsolicited messages (status, batches) reach it. Envelopes received from that link go to
     * {@link #onEnvelope(byte[], int, int, Uplink)}.
     *
     * @param uplink the link's sending side
     */
    public void attach(Uplink uplink) {
        if (!uplinks.contains(uplink)) {
            uplinks.add(uplink);
        }
    }

    /**
     * Detaches a message uplink.
     *
     * @param uplink an uplink given to {@link #attach(Uplink)} or {@link #onEnvelope}
     */
    public void detach(Uplink uplink) {
        uplinks.remove(uplink);
    }

    /**
     * Lets an SDK module see requests the core device does not handle (e.g. {@code Calibrate}).
     * Internal hook.
     */
    void setExtension(Consumer<Envelope> ext) {
        this.extension = ext;
    }

    // ------------------------------------------------------------------ protocol

    private void handle(Envelope env, Uplink up) {
        int rid = env.getRequestId();
        // as the firmware: another version is refused, 0 (unset) reads as this one; Hello negotiates
        if (env.getProtocolVersion() != 0 && env.getProtocolVersion() != PROTOCOL_VERSION
                && env.getBodyCase() != Envelope.BodyCase.HELLO) {
            reply(up, rid, error(ErrorCode.PROTOCOL_VERSION, DeviceMessages.format(DeviceMessages.ENVELOPE_VERSION,
                    Integer.toUnsignedLong(env.getProtocolVersion())), "protocol_version"));
            return;
        }
        switch (env.getBodyCase()) {
            case HELLO -> {
                var h = env.getHello();
                // as the firmware: unset fields read as min 1, max = min
                int min = h.getMinProtocolVersion() != 0 ? h.getMinProtocolVersion() : 1;
                int max = h.getMaxProtocolVersion() != 0 ? h.getMaxProtocolVersion() : min;
                if (Integer.compareUnsigned(max, min) < 0) {
                    reply(up, rid, error(ErrorCode.INVALID_ARGUMENT, DeviceMessages.HELLO_MAX_BELOW_MIN,
                            "hello.max_protocol_version"));
                } else if (Integer.compareUnsigned(min, PROTOCOL_VERSION) > 0
                        || Integer.compareUnsigned(max, PROTOCOL_VERSION) < 0) {
                    reply(up, rid, error(ErrorCode.PROTOCOL_VERSION, DeviceMessages.format(DeviceMessages.HELLO_NO_COMMON,
                            PROTOCOL_VERSION, PROTOCOL_VERSION, Integer.toUnsignedLong(min), Integer.toUnsignedLong(max)),
                            "hello.min_protocol_version"));
                } else {
                    reply(up, rid, Envelope.newBuilder().setDeviceInfo(WireCodec.toWire(info())));
                }
            }
            case CONFIGURE -> configure(env.getConfigure(), up, rid);
            case START_STREAMING -> {
                if (calibrating.get()) {
                    reply(up, rid, error(ErrorCode.BUSY, DeviceMessages.START_CALIBRATING, ""));
                    return;
                }
                // like the firmware: the answer is the stream's status, sent before the first batch
                synchronized (this) {
                    stopStreaming();
                    reply(up, rid, Envelope.newBuilder().setStreamStatus(StreamStatus.newBuilder().setStreaming(true)
                            .setNextSequence(0)));
                    startStreaming(env.getStartStreaming().getMaxSamples(), env.getStartStreaming().getResults());
                }
            }
            case STOP_STREAMING -> {
                Streamer s = stopStreaming();
                reply(up, rid, Envelope.newBuilder().setStreamStatus(s == null ? StreamStatus.newBuilder()
                        : StreamStatus.newBuilder().setStreaming(false).setSamples(s.samples * s.cfg.decimation())
                                .setNextSequence(s.nextSequence)));
            }
            case PING -> reply(up, rid, Envelope.newBuilder().setPong(Pong.newBuilder()
                    .setNonce(env.getPing().getNonce()).setDeviceTimeUs(nowMicros())));
            case GET_TELEMETRY -> reply(up, rid, Envelope.newBuilder().setTelemetry(telemetry()));
            case MODEL_BEGIN, MODEL_CHUNK, MODEL_COMMIT, MODEL_ABORT, MODEL_ACTIVATE, MODEL_ROLLBACK,
                    GET_MODEL_STATUS -> reply(up, rid, onModel(env));
            case CALIBRATE -> calibrate(env.getCalibrate(), up, rid);
            case BODY_NOT_SET -> reply(up, rid, error(ErrorCode.UNKNOWN_MESSAGE, DeviceMessages.UNKNOWN_BODY, ""));
            default -> {
                Consumer<Envelope> ext = extension;
                if (ext != null) {
                    ext.accept(env);
                } else {
                    reply(up, rid, error(ErrorCode.UNKNOWN_MESSAGE, DeviceMessages.NOT_A_REQUEST, ""));
                }
            }
        }
    }

    private void configure(io.gyrosentinel.internal.wire.v1.SensorConfig w, Uplink up, int rid) {
        if (isStreaming()) {
            reply(up, rid, error(ErrorCode.BUSY, DeviceMessages.CONFIGURE_STREAMING, ""));
            return;
        }
        if (calibrating.get()) {
            reply(up, rid, error(ErrorCode.BUSY, DeviceMessages.CONFIGURE_CALIBRATING, ""));
            return;
        }
        // as the firmware: zero fields keep the current value, the merged whole is checked before anything changes
        SensorConfig cur = config;
        double odr = w.getOdrHz() != 0 ? w.getOdrHz() : cur.odrHz();
        int fs = w.getFullScaleDps() != 0 ? w.getFullScaleDps() : cur.fullScaleDps();
        int mask = w.getAxesMask() != 0 ? w.getAxesMask() : cur.axesMask();
        int dec = w.getDecimation() != 0 ? w.getDecimation() : cur.decimation();
        int batch = w.getBatchSize() != 0 ? w.getBatchSize() : cur.batchSize();
        var violation = SensorConfig.violation(odr, fs, mask, dec, batch);
        if (violation.isPresent()) {
            reply(up, rid, error(ErrorCode.INVALID_ARGUMENT, violation.get().message(), violation.get().field()));
            return;
        }
        // the sensor runs at its nearest rate, and the answer says which
        config = new SensorConfig(SensorConfig.nearestOdrHz((float) odr), fs, SensorConfig.axesFromMask(mask), dec,
                batch);
        reply(up, rid, Envelope.newBuilder().setAck(Ack.newBuilder().setConfig(WireCodec.toWire(config))));
    }

    // ------------------------------------------------------------------ calibration

    /**
     * Calibrate (docs/protocol.md §3.3), as the firmware does it: checks what can be checked at
     * once, then collects the samples on a thread of its own (this virtual sensor samples the
     * same machine with its own noise whether or not the device streams, paced in real time when
     * the device is) and answers when done.
     */
    private void calibrate(Calibrate c, Uplink up, int rid) {
        if (calibrating.get()) {
            reply(up, rid, error(ErrorCode.BUSY, DeviceMessages.CALIBRATION_BUSY, ""));
            return;
        }
        if (c.getDurationMs() < Calibration.MIN_MS || c.getDurationMs() > Calibration.MAX_MS) {
            reply(up, rid, error(ErrorCode.INVALID_ARGUMENT, DeviceMessages.CALIBRATION_DURATION,
                    "calibrate.duration_ms"));
            return;
        }
        float q = c.getQuantile();
        float k = c.getKSigma();
        if (!(q >= 0f && q < 1f)) {
            reply(up, rid, error(ErrorCode.INVALID_ARGUMENT, DeviceMessages.CALIBRATION_QUANTILE,
                    "calibrate.quantile"));
            return;
        }
        if (q == 0f && !(k > 0f && Float.isFinite(k))) {
            reply(up, rid, error(ErrorCode.INVALID_ARGUMENT, DeviceMessages.CALIBRATION_K_SIGMA,
                    "calibrate.k_sigma"));
            return;
        }
        InferenceLoop.Loaded m = loaded;
        if (m == null) {
            reply(up, rid, error(ErrorCode.NO_MODEL, DeviceMessages.CALIBRATION_NO_MODEL, ""));
            return;
        }
        SensorConfig cfg = config;
        if (m.channels != cfg.channels()) {
            reply(up, rid, error(ErrorCode.NO_MODEL, DeviceMessages.format(DeviceMessages.CALIBRATION_CHANNELS,
                    m.channels, cfg.channels()), ""));
            return;
        }
        long target = Calibration.samplesFor(c.getDurationMs(), (float) cfg.odrHz(), cfg.decimation());
        if (Math.min(target, Calibration.MAX_SAMPLES) < m.windowSize) {
            double ms = Math.ceil(m.windowSize * cfg.decimation() * 1000.0 / (float) cfg.odrHz());
            reply(up, rid, error(ErrorCode.INVALID_ARGUMENT, DeviceMessages.format(DeviceMessages.CALIBRATION_TOO_SHORT,
                    m.windowSize, ms), "calibrate.duration_ms"));
            return;
        }
        if (!calibrating.compareAndSet(false, true)) {
            reply(up, rid, error(ErrorCode.BUSY, DeviceMessages.CALIBRATION_BUSY, ""));
            return;
        }
        Thread t = new Thread(() -> {
            Envelope.Builder answer;
            try {
                answer = runCalibration(cfg, m, (int) target, c.getDurationMs(), q, k);
            } catch (RuntimeException e) {
                log.warn("virtual device {}: calibration failed", deviceId, e);
                answer = error(ErrorCode.INTERNAL, trim("calibration failed: " + e), "");
            } finally {
                // Not busy any more before the host hears the answer (as the firmware does): a request sent right
                // after it must not be refused as BUSY.
                calibrating.set(false);
            }
            reply(up, rid, answer);
        }, "gs-vdev-cal-" + deviceId);
        t.setDaemon(true);
        t.start();
    }

    private Envelope.Builder runCalibration(SensorConfig cfg, InferenceLoop.Loaded m, int target, int durationMs,
                                            float q, float k) {
        long deadline = System.nanoTime() + durationMs * 1_000_000L;
        int ch = cfg.channels();
        int dec = cfg.decimation();
        float lsb = cfg.dpsPerLsb();
        int[] axisIdx = cfg.axes().stream().mapToInt(Enum::ordinal).toArray();
        // the same machine, noise of its own (deterministic for the device's seed)
        long noiseSeed = seed + (0x10000L + calibrationsRun.getAndIncrement()) * 0x9E3779B97F4A7C15L;
        SignalGenerator g = new SignalGenerator(machine, cfg.odrHz(), seed, noiseSeed);
        g.setFaults(new ArrayList<>(faults));
        Calibration.Welford stats = new Calibration.Welford(ch);
        int stored = Math.min(target, Calibration.MAX_SAMPLES);
        float[] kept = new float[stored * ch];
        float[] one = new float[ch];
        double[] s = new double[3];
        for (int i = 0; i < target; i++) {
            for (int d = 0; d < dec; d++) {
                g.next(s);
            }
            for (int c = 0; c < ch; c++) {
                long raw = Math.round(s[axisIdx[c]] / lsb);
                short r = (short) Math.max(Short.MIN_VALUE, Math.min(Short.MAX_VALUE, raw));
                one[c] = r * lsb;
            }
            stats.add(one, 0);
            if (i < stored) {
                System.arraycopy(one, 0, kept, i * ch, ch);
            }
        }
        long wait;
        while (realTime && !closed && (wait = deadline - System.nanoTime()) > 0) {
            LockSupport.parkNanos(wait);
        }
        if (m != loaded || m.retired) {
            return error(ErrorCode.NO_MODEL, DeviceMessages.CALIBRATION_MODEL_GONE, "");
        }
        float[] mean = stats.mean();
        float[] std = stats.std();
        for (float v : std) {
            if (!(v > 0f) || !Float.isFinite(v)) {
                return error(ErrorCode.SENSOR, DeviceMessages.CALIBRATION_FLAT, "");
            }
        }
        float[] scores = new float[Calibration.MAX_WINDOWS];
        int n = 0;
        for (int start = 0; start + m.windowSize <= stored && n < Calibration.MAX_WINDOWS; start += m.stride) {
            scores[n++] = Calibration.windowScore(kept, start * ch, m.windowSize, ch, mean, std,
                    z -> m.model.channelErrors(m.denormalise(z)));
        }
        float threshold = Calibration.threshold(scores, n, q, k);
        m.calibrate(mean, std, threshold);
        // Kept with the slot, as the firmware does: it applies again whenever this slot is loaded (and after a
        // restart, with a model directory).
        synchronized (store) {
            store.calibrate(m.slot, new ModelStore.Calibration(mean, std, threshold));
        }
        log.info("virtual device {}: calibrated {} on {} samples, {} windows: threshold {}", deviceId, m.modelId,
                target, n, threshold);
        CalibrationResult.Builder r = CalibrationResult.newBuilder().setThreshold(threshold).setWindows(n);
        for (int c = 0; c < ch; c++) {
            r.addChannelMean(mean[c]).addChannelStd(std[c]);
        }
        return Envelope.newBuilder().setCalibrationResult(r);
    }

    // ------------------------------------------------------------------ models

    private Envelope.Builder onModel(Envelope env) {
        synchronized (store) {
            try {
                switch (env.getBodyCase()) {
                    case MODEL_BEGIN -> store.begin(env.getModelBegin());
                    case MODEL_CHUNK -> {
                        store.chunk(env.getModelChunk());
                        return Envelope.newBuilder().setAck(Ack.getDefaultInstance());
                    }
                    case MODEL_COMMIT -> {
                        int slot = store.commit();
                        log.info("virtual device {}: model {} written to slot {}", deviceId,
                                store.slot(slot).modelId(), slot);
                        if (env.getModelCommit().getActivate()) {
                            activate(slot, "model_commit.activate");
                        }
                    }
                    case MODEL_ABORT -> store.abort(); // answered with the model status, like the firmware
                    case MODEL_ACTIVATE -> activate(env.getModelActivate().getSlot(), "model_activate.slot");
                    case MODEL_ROLLBACK -> activate(store.rollbackTarget(), "");
                    default -> { } // GET_MODEL_STATUS
                }
                InferenceLoop.Loaded running = loaded;
                return Envelope.newBuilder().setModelStatus(store.status().toBuilder()
                        .setRunsInference(running != null && !running.retired));
            } catch (ModelStore.Refused e) {
                log.debug("virtual device {}: {} refused: {} {}", deviceId, WireCodec.bodyName(env.getBodyCase()),
                        e.code, e.getMessage());
                return error(e.code, e.getMessage(), e.field);
            }
        }
    }

    /** Loads {@code slot} and makes it the running model; a model that does not load is dropped (store lock held). */
    private void activate(int slot, String field) throws ModelStore.Refused {
        ModelStore.Slot s = store.requireRunnable(slot, field);
        InferenceLoop.Loaded current = loaded;
        if (store.active() == slot && (engine == null || (current != null && current.slot == slot))) {
            return;
        }
        InferenceLoop.Loaded next = null;
        if (engine != null) {
            try {
                next = load(slot);
            } catch (ModelStore.Refused e) {
                store.invalidate(slot);
                int a = store.active();
                throw new ModelStore.Refused(ErrorCode.MODEL_LOAD_FAILED, trim(e.getMessage() + "; "
                        + (a < 0 ? "no model is active" : "slot " + a + " (" + store.slot(a).modelId()
                        + ") keeps running")), field);
            }
        } else {
            log.warn("virtual device {}: no inference engine installed; model {} is active but does not run",
                    deviceId, s.modelId());
        }
        store.switchTo(slot);
        loaded = next;
        inference.retire(current);
        log.info("virtual device {}: slot {} ({}) active", deviceId, slot, s.modelId());
    }

    private InferenceLoop.Loaded load(int slot) throws ModelStore.Refused {
        ModelStore.Slot s = store.slot(slot);
        DeviceModel m;
        try {
            m = engine.load(ModelBundle.fromPayload(s.payload(), s.signature()));
        } catch (RuntimeException e) {
            String why = e instanceof GyroSentinelException g ? g.detail() : e.toString();
            throw new ModelStore.Refused(ErrorCode.MODEL_LOAD_FAILED, "model " + s.modelId() + " does not load: "
                    + why, "");
        }
        if (m == null || m.windowSize() < 2 || m.stride() < 1 || m.channels() < 1) {
            String shape = m == null ? "no model" : "window " + m.windowSize() + ", stride " + m.stride()
                    + ", channels " + m.channels();
            if (m != null) {
                m.close();
            }
            throw new ModelStore.Refused(ErrorCode.MODEL_LOAD_FAILED, "model " + s.modelId()
                    + " was loaded with an unusable shape: " + shape, "");
        }
        String manifest = ModelBundle.fromPayload(s.payload(), s.signature()).manifestJson();
        InferenceLoop.Loaded l = new InferenceLoop.Loaded(slot, m, Calibration.manifestArray(manifest, "mean"),
                Calibration.manifestArray(manifest, "std"));
        ModelStore.Calibration kept = store.calibration(slot);
        if (kept != null && kept.mean().length == l.channels && kept.std().length == l.channels) {
            l.calibrate(kept.mean(), kept.std(), kept.threshold());
        }
        return l;
    }

    /** Error.message holds 96 bytes on the firmware; the virtual device is more generous but bounded. */
    private static String trim(String m) {
        return m.length() <= 240 ? m : m.substring(0, 237) + "...";
    }

    /**
     * {@return what the device reports in the handshake: id, capabilities (inference and calibration with an engine,
     * signed models with a trusted key), frame and chunk limits, slots and configuration}
     */
    public DeviceInfo info() {
        EnumSet<Capability> caps = EnumSet.of(Capability.STREAMING, Capability.SENSOR_TIMESTAMPS,
                Capability.MODEL_TRANSFER);
        if (engine != null) {
            caps.add(Capability.INFERENCE);
            caps.add(Capability.CALIBRATION);
        }
        List<ModelSlotInfo> slots;
        synchronized (store) {
            if (store.signed()) {
                caps.add(Capability.SIGNED_MODELS);
            }
            slots = store.slotInfos();
        }
        return new DeviceInfo(deviceId, FIRMWARE_VERSION, PROTOCOL_VERSION, "virtual", "ISM330BX (simulated)",
                caps, FrameCodec.MAX_ENVELOPE, MAX_CHUNK, slots, config);
    }

    private Telemetry telemetry() {
        Streamer s = streamer;
        Runtime rt = Runtime.getRuntime();
        return Telemetry.newBuilder()
                .setUptimeMs(nowMicros() / 1000)
                .setFreeHeap((int) Math.min(Integer.MAX_VALUE, rt.freeMemory()))
                .setMinFreeHeap((int) Math.min(Integer.MAX_VALUE, rt.freeMemory()))
                .setDroppedSamples(droppedSamples.get())
                .setInferenceUsP50(inference.latencyP50())
                .setInferenceUsMax(inference.latencyMax())
                .setQueueDepth(inference.queueDepth())
                .setQueueCapacity(inference.capacity())
                .setBatchesSent(batchesSent.get())
                .setBadFrames(badFrames.get())
                .setCpuLoad(s != null && s.running ? 0.05f : 0.01f)
                .build();
    }

    private static Envelope.Builder error(ErrorCode code, String msg, String field) {
        return Envelope.newBuilder().setError(Error.newBuilder().setCode(code).setMessage(msg).setField(field));
    }

    /** Sends a reply on one link. */
    void reply(Uplink up, int rid, Envelope.Builder body) {
        byte[] bytes = body.setProtocolVersion(PROTOCOL_VERSION).setRequestId(rid).build().toByteArray();
        synchronized (sendLock) {
            try {
                up.send(bytes);
            } catch (IOException e) {
                log.debug("virtual device {}: reply lost: {}", deviceId, e.toString());
                uplinks.remove(up);
            }
        }
    }

    /**
     * Sends an inference result on every link, as if the device's model had produced it (tests, demos).
     *
     * @param result the result to send
     */
    public void publish(io.gyrosentinel.InferenceResult result) {
        sendAll(Envelope.newBuilder().setInferenceResult(WireCodec.toWire(result)));
    }

    /**
     * Sends an anomaly event on every link, as if the device had raised it (tests, demos).
     *
     * @param event the event to send
     */
    public void publish(io.gyrosentinel.AnomalyEvent event) {
        sendAll(Envelope.newBuilder().setAnomalyEvent(WireCodec.toWire(event)));
    }

    /** Sends an unsolicited message on every link. */
    void sendAll(Envelope.Builder body) {
        byte[] bytes = body.setProtocolVersion(PROTOCOL_VERSION).setRequestId(0).build().toByteArray();
        synchronized (sendLock) {
            for (Uplink up : uplinks) {
                try {
                    up.send(bytes);
                } catch (IOException e) {
                    log.debug("virtual device {}: link lost: {}", deviceId, e.toString());
                    uplinks.remove(up);
                }
            }
        }
    }

    // ------------------------------------------------------------------ streaming

    private int streamsStarted;

    private synchronized void startStreaming(long maxSamples, boolean results) {
        stopStreaming();
        Streamer s = new Streamer(config, maxSamples, results, streamsStarted++);
        streamer = s;
        s.thread.start();
    }

    private synchronized Streamer stopStreaming() {
        Streamer s = streamer;
        streamer = null;
        if (s != null) {
            s.running = false;
            if (s.thread != Thread.currentThread()) {
                LockSupport.unpark(s.thread);
                try {
                    s.thread.join(2000);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
        }
        return s;
    }

    private final class Streamer implements Runnable {
        final SensorConfig cfg;
        final long maxSamples;
        final boolean results;
        final SignalGenerator gen;
        final Thread thread;
        volatile boolean running = true;
        volatile boolean faultsChanged;
        final boolean paced = realTime;
        long samples;
        volatile int nextSequence;

        Streamer(SensorConfig cfg, long maxSamples, boolean results, int index) {
            this.cfg = cfg;
            this.maxSamples = maxSamples;
            this.results = results;
            // The same machine every time (its seed), new noise for every stream: recording twice
            // gives two sessions of one machine, not the same samples again.
            long noiseSeed = index == 0 ? seed : seed + index * 0x9E3779B97F4A7C15L;
            this.gen = new SignalGenerator(machine, cfg.odrHz(), seed, noiseSeed);
            this.gen.setFaults(new ArrayList<>(faults));
            this.thread = new Thread(this, "gs-vdev-stream-" + deviceId);
            this.thread.setDaemon(true);
        }

        @Override
        public void run() {
            int ch = cfg.channels();
            int batch = cfg.batchSize();
            int dec = cfg.decimation();
            long periodNs = SensorConfig.samplePeriodNs(cfg.odrHz(), dec); // as the firmware rounds it
            float lsb = cfg.dpsPerLsb();
            int[] axisIdx = cfg.axes().stream().mapToInt(Enum::ordinal).toArray();
            double[] s = new double[3];
            double[] skipped = new double[3];
            long streamDropped = 0;
            long droppedReported = 0;
            long lastDropReportNanos = Long.MIN_VALUE / 2;
            byte[] data = new byte[batch * ch * 2];
            float[] dps = new float[batch * ch];
            long t0Micros = nowMicros();
            long t0Nanos = System.nanoTime();
            int seq = 0;
            SignalGenerator g = gen;
            InferenceLoop.Session session = new InferenceLoop.Session(results, t0Micros, periodNs, ch);
            while (running && !closed) {
                if (paced && maxSamples == 0) {
                    // Like the firmware, the sensor never waits for the link: when sending blocked
                    // (a pulled cable, a full pipe) for longer than the ring holds, the samples
                    // of that time are lost on the device and the stream goes on at the sensor's
                    // clock. The host sees the jump in the timestamps as a gap.
                    long behind = System.nanoTime() - (t0Nanos + (samples + batch) * periodNs);
                    long ringNanos = 1024L * periodNs;
                    if (behind > ringNanos) {
                        long skip = (behind - ringNanos / 2) / periodNs;
                        for (long k = 0; k < skip * dec; k++) {
                            g.next(s);
                        }
                        samples += skip;
                        streamDropped += skip;
                        droppedSamples.addAndGet(skip);
                    }
                    // like the firmware: drops are reported in a StreamStatus, at most every DROP_REPORT_INTERVAL_MS
                    long nowNanos = System.nanoTime();
                    if (streamDropped != droppedReported
                            && nowNanos - lastDropReportNanos >= DeviceLimits.DROP_REPORT_INTERVAL_MS * 1_000_000L) {
                        lastDropReportNanos = nowNanos;
                        droppedReported = streamDropped;
                        sendAll(Envelope.newBuilder().setStreamStatus(StreamStatus.newBuilder().setStreaming(true)
                                .setDroppedSamples(streamDropped).setSamples(samples * dec).setNextSequence(seq)));
                    }
                }
                if (faultsChanged) {
                    faultsChanged = false;
                    g.setFaults(new ArrayList<>(faults));
                    faultChangeMicros = t0Micros + (samples * periodNs) / 1000;
                }
                int count = batch;
                if (maxSamples > 0) {
                    count = (int) Math.min(batch, maxSamples - samples);
                }
                for (int i = 0; i < count; i++) {
                    g.next(s); // like the firmware's batcher: the first sample of each group of `dec` is kept
                    for (int d = 1; d < dec; d++) {
                        g.next(skipped);
                    }
                    for (int c = 0; c < ch; c++) {
                        double v = s[axisIdx[c]];
                        long raw = Math.round(v / lsb);
                        short r = (short) Math.max(Short.MIN_VALUE, Math.min(Short.MAX_VALUE, raw));
                        int k = (i * ch + c) * 2;
                        data[k] = (byte) r;
                        data[k + 1] = (byte) (r >> 8);
                        dps[i * ch + c] = r * lsb;
                    }
                }
                long firstTs = t0Micros + (samples * periodNs) / 1000;
                if (paced) {
                    long due = t0Nanos + (samples + count) * periodNs;
                    long wait;
                    while (running && (wait = due - System.nanoTime()) > 0) {
                        LockSupport.parkNanos(wait);
                    }
                    if (!running) {
                        break;
                    }
                }
                SampleBatch sb = SampleBatch.newBuilder().setSequence(seq++).setTimestampUs(firstTs)
                        .setSamplePeriodNs((int) periodNs).setCount(count)
                        .setData(ByteString.copyFrom(data, 0, count * ch * 2)).build();
                long streamNanos = samples * periodNs;
                if (streamNanos < outageFromNanos || streamNanos >= outageToNanos) {
                    sendAll(Envelope.newBuilder().setSampleBatch(sb));
                } // else lost on the (simulated) link: the host sees a sequence gap when batches come back
                batchesSent.incrementAndGet();
                nextSequence = seq;
                inference.onSamples(session, loaded, dps, count, samples);
                samples += count;
                if (maxSamples > 0 && samples >= maxSamples) {
                    running = false;
                    synchronized (VirtualDevice.this) {
                        if (streamer == this) {
                            streamer = null;
                        }
                    }
                    sendAll(Envelope.newBuilder().setStreamStatus(StreamStatus.newBuilder().setStreaming(false)
                            .setSamples(samples * dec).setDroppedSamples(streamDropped).setNextSequence(seq)));
                    return;
                }
            }
        }
    }

    @Override
    public void close() {
        if (closed) {
            return;
        }
        stopStreaming();
        closed = true;
        inference.close();
        InferenceLoop.Loaded l;
        synchronized (store) {
            l = loaded;
            loaded = null;
        }
        if (l != null && !l.retired) {
            l.retired = true;
            l.model.close();
        }
        for (AutoCloseable r : resources) {
            closeQuietly(r);
        }
        uplinks.clear();
    }

    private static void closeQuietly(AutoCloseable c) {
        try {
            c.close();
        } catch (Exception ignored) {
            // best effort on shutdown
        }
    }

    /** Builds a {@link VirtualDevice}. */
    public static final class Builder {
        private String deviceId = "virtual-1";
        private long seed = 1;
        private int session;
        private boolean realTime = true;
        private MachineModel machine = MachineModel.fan(1500);
        private SensorConfig config = SensorConfig.defaults();
        private long bootMicros = 5_000_000;
        private long outageFromNanos = Long.MAX_VALUE;
        private long outageToNanos = Long.MAX_VALUE;
        private final List<Fault> faults = new ArrayList<>();
        private InferenceEngineProvider engine;
        private boolean engineSet;
        private PublicKey trustedKey;
        private Path modelDirectory;
        private int slotSize = DEFAULT_SLOT_SIZE;
        private int queueCapacity = 8;
        private int enterWindows = DeviceLimits.EVENT_ENTER_WINDOWS;
        private int exitWindows = DeviceLimits.EVENT_EXIT_WINDOWS;

        /**
         * The device id (default {@code virtual-1}); a bundle's {@code scope} must match it.
         *
         * @param id the id, not {@code null}
         * @return this builder
         */
        public Builder deviceId(String id) { this.deviceId = Objects.requireNonNull(id); return this; }
        /**
         * Fault injection: every stream loses the batches of its time {@code [after, after + length)} on the link
         * (sent by the "sensor", never delivered), as a cable pulled or a broker down would; the host sees the link go
         * quiet, then a gap. {@code sim:?outageAt=SECONDS&outageFor=SECONDS}.
         *
         * @param after  when the outage starts, measured from each stream's start
         * @param length how long it lasts
         * @return this builder
         * @throws GyroSentinelException {@link io.gyrosentinel.ErrorCode#INVALID_ARGUMENT} (field {@code
         *         linkOutage}) when a duration is negative
         */
        public Builder linkOutage(java.time.Duration after, java.time.Duration length) {
            if (after.isNegative() || length.isNegative()) {
                throw new GyroSentinelException(io.gyrosentinel.ErrorCode.INVALID_ARGUMENT, "link outage times must not be negative",
                        "linkOutage", null);
            }
            this.outageFromNanos = after.toNanos();
            this.outageToNanos = after.toNanos() + length.toNanos();
            return this;
        }
        /**
         * The seed (default 1): the same seed gives the same machine and the same signals.
         *
         * @param s the seed
         * @return this builder
         */
        public Builder seed(long s) { this.seed = s; return this; }
        /**
         * The session the device's first stream is (default 0): each stream is a new session of the same machine
         * (its own noise); separate devices given sessions 0, 1, 2 … of one seed record distinct sessions of one
         * machine, as successive streams of one device do.
         *
         * @param first the first stream's session number, &ge; 0
         * @return this builder
         * @throws GyroSentinelException {@link io.gyrosentinel.ErrorCode#INVALID_ARGUMENT} (field {@code session})
         *         when negative
         */
        public Builder session(int first) {
            if (first < 0) {
                throw new GyroSentinelException(io.gyrosentinel.ErrorCode.INVALID_ARGUMENT, "session must be >= 0, was " + first,
                        "session", null);
            }
            this.session = first;
            return this;
        }
        /**
         * Pace batches at the sensor rate (default) or send them as fast as the link takes them.
         *
         * @param r {@code true} to pace at the sensor rate
         * @return this builder
         */
        public Builder realTime(boolean r) { this.realTime = r; return this; }
        /**
         * The simulated machine (default {@link MachineModel#fan(double) a fan at 1500 rpm}).
         *
         * @param m the machine, not {@code null}
         * @return this builder
         */
        public Builder machine(MachineModel m) { this.machine = Objects.requireNonNull(m); return this; }
        /**
         * The sensor configuration at power-up (default {@link SensorConfig#defaults()}).
         *
         * @param c the configuration, not {@code null}
         * @return this builder
         */
        public Builder config(SensorConfig c) { this.config = Objects.requireNonNull(c); return this; }
        /**
         * Adds a fault present from the start; repeatable, faults add up.
         *
         * @param f the fault, not {@code null}
         * @return this builder
         */
        public Builder fault(Fault f) { this.faults.add(Objects.requireNonNull(f)); return this; }
        /**
         * Device clock at creation, µs.
         *
         * @param us the device clock at creation, µs (default 5 000 000)
         * @return this builder
         */
        public Builder bootMicros(long us) { this.bootMicros = us; return this; }

        /**
         * The engine that runs deployed models; {@code null} for none (the device then stores and
         * activates models without running them). Default: the first {@link InferenceEngineProvider}
         * on the class path, if any.
         *
         * @param p the engine, or {@code null} for none
         * @return this builder
         */
        public Builder inferenceEngine(InferenceEngineProvider p) { this.engine = p; this.engineSet = true; return this; }

        /**
         * Accept only models signed by this ECDSA P-256 key (the firmware's configured key); the
         * device then announces {@code SIGNED_MODELS}. Default: no key, signatures are not checked.
         *
         * @param key the EC P-256 public key, or {@code null} for none
         * @return this builder
         */
        public Builder trustedKey(PublicKey key) { this.trustedKey = key; return this; }

        /**
         * Keep the model slots in this directory across devices (default: in memory only).
         *
         * @param dir the directory, or {@code null} for memory only
         * @return this builder
         */
        public Builder modelDirectory(Path dir) { this.modelDirectory = dir; return this; }

        /**
         * Bytes one model slot holds (default 256 KiB); larger models get {@code MODEL_TOO_LARGE}.
         *
         * @param bytes slot size, bytes, at least 1
         * @return this builder
         */
        public Builder slotSize(int bytes) { this.slotSize = bytes; return this; }

        /**
         * Windows waiting for the inference thread before new ones are skipped (default 8).
         *
         * @param windows queue capacity, windows, at least 1
         * @return this builder
         */
        public Builder inferenceQueue(int windows) { this.queueCapacity = windows; return this; }

        /**
         * Event hysteresis: {@code enterWindows} anomalous windows in a row start an episode
         * (default 3), {@code exitWindows} normal windows in a row end it (default 5).
         *
         * @param enterWindows anomalous windows in a row that start an episode, at least 1
         * @param exitWindows  calm windows in a row that end it, at least 1
         * @return this builder
         */
        public Builder anomalyHysteresis(int enterWindows, int exitWindows) {
            this.enterWindows = enterWindows;
            this.exitWindows = exitWindows;
            return this;
        }

        /**
         * @return the device, ready to be attached to a link; close it to stop its threads
         * @throws GyroSentinelException {@link io.gyrosentinel.ErrorCode#INVALID_ARGUMENT} (with
         *                               {@link GyroSentinelException#field()}) if the slot size, the inference
         *                               queue or a hysteresis window count is below 1
         */
        public VirtualDevice build() {
            requireAtLeastOne("slotSize", slotSize);
            requireAtLeastOne("inferenceQueue", queueCapacity);
            requireAtLeastOne("enterWindows", enterWindows);
            requireAtLeastOne("exitWindows", exitWindows);
            return new VirtualDevice(this);
        }

        private static void requireAtLeastOne(String field, int v) {
            if (v < 1) {
                throw new GyroSentinelException(io.gyrosentinel.ErrorCode.INVALID_ARGUMENT, field
                        + " must be >= 1, got " + v, field, null);
            }
        }
    }
}
