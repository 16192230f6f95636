package io.gyrosentinel.transport.mqtt.internal;

import org.eclipse.paho.mqttv5.client.IMqttToken;
import org.eclipse.paho.mqttv5.client.MqttAsyncClient;
import org.eclipse.paho.mqttv5.client.MqttCallback;
import org.eclipse.paho.mqttv5.client.MqttConnectionOptions;
import org.eclipse.paho.mqttv5.client.MqttDisconnectResponse;
import org.eclipse.paho.mqttv5.common.MqttException;
import org.eclipse.paho.mqttv5.common.MqttMessage;
import org.eclipse.paho.mqttv5.common.MqttSubscription;
import org.eclipse.paho.mqttv5.common.packet.MqttProperties;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The device end of the MQTT mapping, as the ESP32 firmware does it: subscribes to {@code down},
 * publishes envelopes to {@code up} (sample batches at the configured QoS, everything else at
 * QoS 1), keeps a retained status with a Last Will. QoS 1 messages stay in an outbox until the
 * broker acknowledges them and are re-sent after a reconnect (at least once; up to 10,000
 * waiting); QoS 0 sample batches are dropped and counted while the broker is away, as the
 * firmware does.
 */
public final class DeviceLink implements MqttCallback, AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(DeviceLink.class);

    /** Receives envelopes from the host. */
    public interface Handler {
        void onEnvelope(byte[] buf, int off, int len);
    }

    private final MqttSettings settings;
    private final String device;
    private final String firmware;
    private final int protocol;
    private final Handler handler;
    private final AtomicLong published = new AtomicLong();
    private final AtomicLong dropped = new AtomicLong();
    private final AtomicLong acked = new AtomicLong();
    private static final int OUTBOX_LIMIT = 10_000;
    /** QoS 1 envelopes by id until the broker acknowledges them. */
    private final TreeMap<Long, byte[]> outbox = new TreeMap<>();
    private long nextId;
    private volatile boolean replaying;
    private Long replayCursor;
    private volatile ManagedClient managed;
    private volatile boolean closed;

    public DeviceLink(MqttSettings settings, String firmware, int protocol, Handler handler) {
        this.settings = Objects.requireNonNull(settings);
        this.device = Objects.requireNonNull(settings.deviceId(), "device id");
        this.firmware = firmware;
        this.protocol = protocol;
        this.handler = Objects.requireNonNull(handler);
    }

    public void start() {
        ManagedClient m = new ManagedClient(settings, settings.clientIdOr("gs-dev-", device), this, () -> {
            MqttConnectionOptions o = Paho.options(settings);
            // Clean start on every connect: Paho 1.2.5 retransmits its in-flight QoS 1 PUBLISHes on a
            // resumed session in a form Mosquitto 2.0 rejects as a protocol error, looping forever.
            // The outbox below gives the at-least-once guarantee instead.
            o.setCleanStart(true);
            Paho.will(o, Topics.status(device), StatusJson.offline(device, "lost", 0));
            return o;
        }, () -> new MqttSubscription[] {new MqttSubscription(Topics.down(device), 1)},
                "device " + device + " cannot connect");
        m.connect();
        managed = m;
        try {
            // Online only once we listen: a host that sees "online" may send a Hello at once.
            m.current().publish(Topics.status(device), Paho.json(online(), true)).waitForCompletion(5000);
        } catch (MqttException | RuntimeException e) {
            m.close();
            throw Paho.error("device " + device + " cannot announce itself", settings, e);
        }
    }

    private byte[] online() {
        return StatusJson.online(device, firmware, protocol, System.currentTimeMillis());
    }

    /** Publishes one envelope to {@code up}. */
    public void send(byte[] envelope) throws IOException {
        ManagedClient m = managed;
        MqttAsyncClient c = m == null ? null : m.current();
        if (closed) {
            throw new IOException("device link " + device + " is closed");
        }
        if (c == null) {
            dropped.incrementAndGet(); // not started yet
            return;
        }
        int qos = EnvelopePeek.bodyField(envelope) == EnvelopePeek.SAMPLE_BATCH ? settings.sampleQos() : 1;
        if (qos == 0) {
            if (!c.isConnected()) {
                dropped.incrementAndGet();
                return;
            }
            try {
                c.publish(Topics.up(device), new MqttMessage(envelope, 0, false, null));
                published.incrementAndGet();
            } catch (MqttException e) {
                dropped.incrementAndGet();
            }
            return;
        }
        Long id;
        synchronized (outbox) {
            if (outbox.size() >= OUTBOX_LIMIT) {
                outbox.pollFirstEntry();
                dropped.incrementAndGet();
            }
            id = nextId++;
            outbox.put(id, envelope);
        }
        published.incrementAndGet();
        if (c.isConnected() && !replaying) {
            publishQos1(c, id, envelope);
        }
        // else: stays in the outbox, replayed after the reconnect
    }

    private void publishQos1(MqttAsyncClient c, Long id, byte[] envelope) {
        try {
            Paho.publish(c, Topics.up(device), new MqttMessage(envelope, 1, false, null), id, 2_000);
        } catch (MqttException e) {
            log.debug("device {}: publish deferred to the reconnect: {}", device, e.toString());
        }
    }

    /** Publishes what the broker has not acknowledged, oldest first, after a reconnect. */
    private void replay() {
        MqttAsyncClient c = managed.current();
        try {
            while (!closed && c.isConnected()) {
                Map.Entry<Long, byte[]> next;
                synchronized (outbox) {
                    next = replayCursor == null ? outbox.firstEntry() : outbox.higherEntry(replayCursor);
                    if (next == null) {
                        replaying = false;
                        replayCursor = null;
                        return;
                    }
                    replayCursor = next.getKey();
                }
                publishQos1(c, next.getKey(), next.getValue());
            }
        } finally {
            synchronized (outbox) {
                replaying = false;
                replayCursor = null;
            }
        }
    }

    /** QoS 1 messages not yet acknowledged by the broker. */
    public int unacknowledged() {
        synchronized (outbox) {
            return outbox.size();
        }
    }

    public boolean isConnected() {
        ManagedClient m = managed;
        return m != null && m.isConnected();
    }

    public long published() {
        return published.get();
    }

    public long dropped() {
        return dropped.get();
    }

    /** Closes the socket without DISCONNECT, like a power cut: the broker publishes the Last Will. */
    public void dropConnection() {
        if (closed) {
            return;
        }
        closed = true;
        ManagedClient m = managed;
        MqttAsyncClient c = m.current();
        m.abandon(); // no reconnect, and no clean DISCONNECT that would suppress the Will
        try {
            c.disconnectForcibly(0, 1000, false);
        } catch (MqttException | RuntimeException e) {
            log.debug("device {}: forced disconnect: {}", device, e.toString());
        }
        try {
            c.close(true);
        } catch (MqttException | RuntimeException ignored) {
            // gone already
        }
    }

    @Override
    public void messageArrived(String topic, MqttMessage message) {
        if (closed) {
            return;
        }
        byte[] p = message.getPayload();
        try {
            handler.onEnvelope(p, 0, p.length);
        } catch (Throwable e) {
            // Network input: never let it reach Paho (it would drop the connection and get the message redelivered).
            log.warn("device {}: dropped a message on {} that failed: {}", device, Topics.printable(topic),
                    e.toString());
        }
    }

    @Override
    public void connectComplete(boolean reconnect, String serverURI) {
        if (!reconnect || closed) {
            return;
        }
        log.info("device {}: reconnected to the broker", device);
        try {
            managed.current().publish(Topics.status(device), Paho.json(online(), true));
        } catch (MqttException e) {
            log.debug("device {}: status after reconnect: {}", device, e.toString());
        }
        synchronized (outbox) {
            replaying = true;
            replayCursor = null;
        }
        Thread t = new Thread(this::replay, "gs-dev-replay-" + device);
        t.setDaemon(true);
        t.start();
    }

    @Override
    public void disconnected(MqttDisconnectResponse r) {
        if (!closed) {
            log.info("device {}: broker connection lost: {}", device, r);
        }
    }

    @Override
    public void mqttErrorOccurred(MqttException e) {
        log.debug("device {}: MQTT error: {}", device, e.toString());
    }

    @Override
    public void deliveryComplete(IMqttToken token) {
        if (token.getUserContext() instanceof Long id) {
            synchronized (outbox) {
                if (outbox.remove(id) != null) {
                    acked.incrementAndGet();
                }
            }
        }
    }

    public long acked() {
        return acked.get();
    }

    @Override
    public void authPacketArrived(int reasonCode, MqttProperties properties) {
        // no enhanced authentication
    }

    /** Publishes the retained "offline" (reason shutdown) and disconnects cleanly. */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        ManagedClient m = managed;
        if (m == null) {
            return;
        }
        MqttAsyncClient c = m.current();
        try {
            if (c.isConnected()) {
                c.publish(Topics.status(device), Paho.json(StatusJson.offline(device, "shutdown",
                        System.currentTimeMillis()), true)).waitForCompletion(2000);
            }
        } catch (MqttException | RuntimeException e) {
            log.debug("device {}: offline status: {}", device, e.toString());
        }
        m.close();
    }
}
