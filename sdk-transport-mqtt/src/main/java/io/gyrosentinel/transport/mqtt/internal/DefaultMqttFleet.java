package io.gyrosentinel.transport.mqtt.internal;

import com.google.protobuf.InvalidProtocolBufferException;
import io.gyrosentinel.collect.Collector;
import io.gyrosentinel.internal.wire.WireCodec;
import io.gyrosentinel.internal.wire.v1.Envelope;
import io.gyrosentinel.internal.wire.v1.SampleBatch;
import io.gyrosentinel.transport.mqtt.DeviceBatch;
import io.gyrosentinel.transport.mqtt.DeviceEvent;
import io.gyrosentinel.transport.mqtt.DeviceResult;
import io.gyrosentinel.transport.mqtt.DeviceStatus;
import io.gyrosentinel.transport.mqtt.FleetStats;
import io.gyrosentinel.transport.mqtt.MqttFleet;
import org.eclipse.paho.mqttv5.client.IMqttToken;
import org.eclipse.paho.mqttv5.client.MqttCallback;
import org.eclipse.paho.mqttv5.client.MqttDisconnectResponse;
import org.eclipse.paho.mqttv5.common.MqttException;
import org.eclipse.paho.mqttv5.common.MqttMessage;
import org.eclipse.paho.mqttv5.common.MqttSubscription;
import org.eclipse.paho.mqttv5.common.packet.MqttProperties;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executor;
import java.util.concurrent.Executors;
import java.util.concurrent.Flow;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.SubmissionPublisher;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;

/** One MQTT client that watches many devices. */
public final class DefaultMqttFleet implements MqttFleet, MqttCallback {
    private static final Logger log = LoggerFactory.getLogger(DefaultMqttFleet.class);
    /** A device silent this long is forgotten at the next sweep. */
    static final long EVICT_AFTER_NANOS = TimeUnit.HOURS.toNanos(24);
    private static final long SWEEP_NANOS = TimeUnit.MINUTES.toNanos(1);
    /** Largest message read: an envelope is at most 2048 bytes, a status about 120. */
    static final int MAX_PAYLOAD = 16 * 1024;
    private static final AtomicInteger THREADS = new AtomicInteger();

    private final MqttSettings settings;
    private final String upFilter;
    private final String statusFilter;
    private final int bufferSize;
    private final ExecutorService ownExecutor;
    private final SubmissionPublisher<DeviceStatus> statusPub;
    private final SubmissionPublisher<DeviceResult> resultPub;
    private final SubmissionPublisher<DeviceEvent> eventPub;
    private final SubmissionPublisher<DeviceBatch> batchPub;
    private final Map<String, DeviceStatus> devices = new ConcurrentHashMap<>();
    /** Next expected batch sequence per device; touched only on the I/O thread. */
    private final Map<String, Long> nextSequence = new HashMap<>();
    private final List<CollectorSink> sinks = new CopyOnWriteArrayList<>();
    private final AtomicLong messages = new AtomicLong();
    private final AtomicLong batches = new AtomicLong();
    private final AtomicLong missing = new AtomicLong();
    private final AtomicLong results = new AtomicLong();
    private final AtomicLong events = new AtomicLong();
    private final AtomicLong undecodable = new AtomicLong();
    private final AtomicLong dropped = new AtomicLong();
    private final AtomicLong reconnects = new AtomicLong();
    private final AtomicLong rejected = new AtomicLong();
    private final AtomicLong evicted = new AtomicLong();
    /** When each known device was last heard from (System.nanoTime); touched only on the I/O thread. */
    private final Map<String, Long> lastSeen = new HashMap<>();
    private long lastAgeSweep = System.nanoTime();
    private volatile ManagedClient managed;
    private volatile boolean closed;

    private final int maxDevices;

    private DefaultMqttFleet(MqttSettings s, String group, Executor executor, int bufferSize, int maxDevices) {
        this.settings = s;
        this.maxDevices = maxDevices;
        String device = s.deviceId() != null ? s.deviceId() : "+";
        this.upFilter = group == null ? Topics.up(device) : Topics.shared(group, Topics.up(device));
        this.statusFilter = Topics.status(device);
        this.bufferSize = bufferSize;
        this.ownExecutor = executor == null ? Executors.newCachedThreadPool(r -> daemon(r, "gs-fleet-")) : null;
        Executor ex = executor != null ? executor : ownExecutor;
        this.statusPub = new SubmissionPublisher<>(ex, bufferSize);
        this.resultPub = new SubmissionPublisher<>(ex, bufferSize);
        this.eventPub = new SubmissionPublisher<>(ex, bufferSize);
        this.batchPub = new SubmissionPublisher<>(ex, bufferSize);
    }

    public static MqttFleet start(MqttSettings s, String group, Executor executor, int bufferSize, int maxDevices) {
        DefaultMqttFleet f = new DefaultMqttFleet(s, group, executor, bufferSize, maxDevices);
        try {
            f.connect();
        } catch (RuntimeException e) {
            f.close();
            throw e;
        }
        return f;
    }

    private static Thread daemon(Runnable r, String prefix) {
        Thread t = new Thread(r, prefix + THREADS.incrementAndGet());
        t.setDaemon(true);
        return t;
    }

    private void connect() {
        ManagedClient m = new ManagedClient(settings, settings.clientIdOr("gs-fleet-", null), this,
                () -> Paho.options(settings), this::subscriptions, "fleet cannot connect");
        managed = m;
        m.connect();
    }

    private MqttSubscription[] subscriptions() {
        return new MqttSubscription[] {new MqttSubscription(statusFilter, 1), new MqttSubscription(upFilter, 1)};
    }

    // ---------------------------------------------------------------- API

    @Override
    public Map<String, DeviceStatus> devices() {
        return new TreeMap<>(devices);
    }

    @Override
    public Flow.Publisher<DeviceStatus> statusChanges() {
        return statusPub;
    }

    @Override
    public Flow.Publisher<DeviceResult> results() {
        return resultPub;
    }

    @Override
    public Flow.Publisher<DeviceEvent> events() {
        return eventPub;
    }

    @Override
    public Flow.Publisher<DeviceBatch> batches() {
        return batchPub;
    }

    @Override
    public AutoCloseable collectTo(Function<String, Collector> perDevice) {
        CollectorSink s = new CollectorSink(Objects.requireNonNull(perDevice));
        sinks.add(s);
        return s;
    }

    @Override
    public FleetStats stats() {
        return new FleetStats(messages.get(), batches.get(), missing.get(), results.get(), events.get(),
                undecodable.get(), dropped.get(), reconnects.get(), rejected.get(), evicted.get());
    }

    // ---------------------------------------------------------------- I/O thread

    @Override
    public void messageArrived(String topic, MqttMessage message) {
        if (closed) {
            return;
        }
        long now = System.nanoTime();
        // Network input: anything thrown here would make Paho drop the connection and the broker redeliver the same
        // message (QoS 1) to the next connection, forever. Bad messages are counted and dropped instead.
        try {
            String device = Topics.deviceOf(topic);
            byte[] p = message.getPayload();
            if (device == null || p.length > MAX_PAYLOAD) {
                rejected.incrementAndGet();
                return;
            }
            if (Topics.isStatus(topic)) {
                onStatus(device, p, now);
            } else if (Topics.isUp(topic)) {
                onUp(device, p, now);
            }
        } catch (Throwable e) {
            rejected.incrementAndGet();
            log.warn("fleet: dropped a message on {} ({} bytes) that failed: {}", Topics.printable(topic),
                    message.getPayload().length, e.toString());
        }
    }

    /**
     * Registers a message from {@code device}; keeps the fleet's state bounded: when {@code maxDevices} are known,
     * devices silent for {@link #EVICT_AFTER_NANOS} are forgotten, else the one silent longest. I/O thread only.
     */
    private void seen(String device, long now) {
        if (lastSeen.put(device, now) != null) {
            return;
        }
        if (lastSeen.size() > maxDevices || now - lastAgeSweep > SWEEP_NANOS) {
            lastAgeSweep = now;
            lastSeen.entrySet().removeIf(e -> {
                boolean old = now - e.getValue() > EVICT_AFTER_NANOS;
                if (old) {
                    forget(e.getKey());
                }
                return old;
            });
        }
        while (lastSeen.size() > maxDevices) {
            String oldest = null;
            long at = Long.MAX_VALUE;
            for (var e : lastSeen.entrySet()) {
                if (e.getValue() < at && !e.getKey().equals(device)) {
                    at = e.getValue();
                    oldest = e.getKey();
                }
            }
            lastSeen.remove(oldest);
            forget(oldest);
        }
    }

    private void forget(String device) {
        devices.remove(device);
        nextSequence.remove(device);
        evicted.incrementAndGet();
    }

    private void onStatus(String device, byte[] p, long now) {
        if (p.length == 0) {
            devices.remove(device); // retained status cleared: the device was decommissioned
            nextSequence.remove(device);
            lastSeen.remove(device);
            return;
        }
        seen(device, now);
        Map<String, String> m = StatusJson.parse(p);
        int proto = 0;
        try {
            proto = Integer.parseInt(m.getOrDefault("protocol", "0"));
        } catch (NumberFormatException ignored) {
            // leave 0
        }
        DeviceStatus st = new DeviceStatus(device, "online".equals(m.get("state")), m.getOrDefault("firmware", ""),
                proto, m.getOrDefault("reason", ""), Instant.now());
        devices.put(device, st);
        offer(statusPub, st);
    }

    private void onUp(String device, byte[] p, long now) {
        messages.incrementAndGet();
        seen(device, now);
        Envelope env;
        try {
            env = Envelope.parseFrom(p);
        } catch (InvalidProtocolBufferException e) {
            undecodable.incrementAndGet();
            return;
        }
        switch (env.getBodyCase()) {
            case SAMPLE_BATCH -> onBatch(device, env.getSampleBatch(), now);
            case INFERENCE_RESULT -> {
                results.incrementAndGet();
                DeviceResult r = new DeviceResult(device, WireCodec.fromWire(env.getInferenceResult()));
                offer(resultPub, r);
                for (CollectorSink s : sinks) {
                    s.submit(device, c -> c.onResult(r.result()));
                }
            }
            case ANOMALY_EVENT -> {
                events.incrementAndGet();
                DeviceEvent e = new DeviceEvent(device, WireCodec.fromWire(env.getAnomalyEvent()));
                offer(eventPub, e);
                for (CollectorSink s : sinks) {
                    s.submit(device, c -> c.onEvent(e.event()));
                }
            }
            case BODY_NOT_SET -> undecodable.incrementAndGet();
            default -> {
                // responses to some client's requests, stream status, telemetry: not a fleet concern
            }
        }
    }

    private void onBatch(String device, SampleBatch b, long now) {
        batches.incrementAndGet();
        long seq = Integer.toUnsignedLong(b.getSequence());
        Long expected = nextSequence.put(device, seq + 1);
        long gap = expected != null && seq > expected ? seq - expected : 0;
        missing.addAndGet(gap);
        if (!batchPub.hasSubscribers()) {
            return;
        }
        int count = b.getCount();
        short[] raw = WireCodec.toShorts(b.getData());
        int channels = count == 0 ? 0 : raw.length / count;
        offer(batchPub, new DeviceBatch(device, seq, gap, b.getTimestampUs(), Integer.toUnsignedLong(b.getSamplePeriodNs()),
                count, Math.max(channels, 1), raw, now));
    }

    private <T> void offer(SubmissionPublisher<T> pub, T item) {
        if (pub.hasSubscribers()) {
            pub.offer(item, (sub, x) -> {
                dropped.incrementAndGet();
                return false;
            });
        }
    }

    @Override
    public void connectComplete(boolean reconnect, String serverURI) {
        if (reconnect && !closed) {
            reconnects.incrementAndGet();
            log.info("fleet: reconnected to {}", settings.uri());
        }
    }

    @Override
    public void disconnected(MqttDisconnectResponse r) {
        if (!closed) {
            log.info("fleet: broker connection lost ({}); reconnecting", r);
        }
    }

    @Override
    public void mqttErrorOccurred(MqttException e) {
        log.debug("fleet: MQTT error: {}", e.toString());
    }

    @Override
    public void deliveryComplete(IMqttToken token) {
        // the fleet publishes nothing
    }

    @Override
    public void authPacketArrived(int reasonCode, MqttProperties properties) {
        // no enhanced authentication
    }

    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        ManagedClient m = managed;
        if (m != null) {
            m.close();
        }
        for (CollectorSink s : sinks) {
            s.close();
        }
        statusPub.close();
        resultPub.close();
        eventPub.close();
        batchPub.close();
        if (ownExecutor != null) {
            ownExecutor.shutdown();
        }
    }

    /** Runs one collector per device on a single thread, in arrival order. */
    private final class CollectorSink implements AutoCloseable {
        private final Function<String, Collector> factory;
        private final Map<String, Collector> collectors = new HashMap<>(); // sink thread only
        private final ThreadPoolExecutor thread;
        private volatile boolean done;

        CollectorSink(Function<String, Collector> factory) {
            this.factory = factory;
            this.thread = new ThreadPoolExecutor(1, 1, 0, TimeUnit.SECONDS, new LinkedBlockingQueue<>(bufferSize),
                    r -> daemon(r, "gs-fleet-collect-"));
        }

        void submit(String device, java.util.function.Consumer<Collector> call) {
            if (done) {
                return;
            }
            try {
                thread.execute(() -> {
                    if (done) {
                        return;
                    }
                    try {
                        call.accept(collectors.computeIfAbsent(device, factory));
                    } catch (RuntimeException e) {
                        log.warn("fleet: collector for {} failed: {}", device, e.toString());
                    }
                });
            } catch (RejectedExecutionException e) {
                dropped.incrementAndGet();
            }
        }

        @Override
        public void close() {
            if (done) {
                return;
            }
            sinks.remove(this);
            try {
                thread.execute(() -> {
                    done = true;
                    for (Collector c : collectors.values()) {
                        try {
                            c.close();
                        } catch (RuntimeException e) {
                            log.warn("fleet: closing a collector failed: {}", e.toString());
                        }
                    }
                    collectors.clear();
                });
            } catch (RejectedExecutionException e) {
                done = true;
            }
            thread.shutdown();
            try {
                thread.awaitTermination(5, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
