package io.gyrosentinel.transport.mqtt.internal;

import io.gyrosentinel.ErrorCode;
import io.gyrosentinel.GyroSentinelException;
import io.gyrosentinel.transport.Transport;
import io.gyrosentinel.transport.TransportStats;
import org.eclipse.paho.mqttv5.client.IMqttToken;
import org.eclipse.paho.mqttv5.client.MqttAsyncClient;
import org.eclipse.paho.mqttv5.client.MqttCallback;
import org.eclipse.paho.mqttv5.client.MqttDisconnectResponse;
import org.eclipse.paho.mqttv5.common.MqttException;
import org.eclipse.paho.mqttv5.common.MqttMessage;
import org.eclipse.paho.mqttv5.common.MqttSubscription;
import org.eclipse.paho.mqttv5.common.packet.MqttProperties;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.Map;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The host end of one device over MQTT: subscribes to the device's {@code up} and {@code status}
 * topics, publishes requests to {@code down} at QoS 1. Broker reconnects and the device going
 * offline/online (its retained status, Last Will) both reach the listener as
 * disconnected/connected(reconnect=true), so the client re-handshakes.
 */
public final class MqttTransport implements Transport, MqttCallback {
    private static final Logger log = LoggerFactory.getLogger(MqttTransport.class);
    /** How long send() waits for room in the QoS 1 in-flight window. */
    private static final long SEND_WAIT_MS = 2000;

    private final MqttSettings settings;
    private final String device;
    private final AtomicLong framesIn = new AtomicLong();
    private final AtomicLong framesOut = new AtomicLong();
    private final AtomicLong bytesIn = new AtomicLong();
    private final AtomicLong bytesOut = new AtomicLong();
    private final AtomicLong reconnects = new AtomicLong();
    /** Messages dropped: oversized, or their handling failed (reported as badFrames). */
    private final AtomicLong rejected = new AtomicLong();
    private final Object stateLock = new Object();
    private volatile ManagedClient managed;
    private volatile Listener listener;
    private volatile boolean closed;
    /** True while both the broker link and the device (per its status) are up, as last told to the listener. */
    private boolean linkUp;
    private boolean brokerUp;
    /** null until a status was seen; the device may run firmware that does not publish one. */
    private Boolean deviceOnline;

    public MqttTransport(MqttSettings settings) {
        this.settings = Objects.requireNonNull(settings);
        this.device = Objects.requireNonNull(settings.deviceId(), "device id");
    }

    @Override
    public void start(Listener l) {
        if (this.listener != null) {
            throw new IllegalStateException("already started");
        }
        this.listener = Objects.requireNonNull(l);
        ManagedClient m = new ManagedClient(settings, settings.clientIdOr("gs-host-" + device + "-", null), this,
                () -> Paho.options(settings), this::subscriptions, "cannot connect to device " + device);
        m.connect();
        managed = m;
        synchronized (stateLock) {
            brokerUp = true;
            linkUp = true;
        }
        l.onConnected(false);
    }

    private MqttSubscription[] subscriptions() {
        return new MqttSubscription[] {new MqttSubscription(Topics.up(device), 1),
                new MqttSubscription(Topics.status(device), 1)};
    }

    @Override
    public void send(byte[] envelope) {
        if (envelope.length > io.gyrosentinel.DeviceLimits.MAX_ENVELOPE_BYTES) {
            throw new GyroSentinelException(ErrorCode.FRAME_TOO_LARGE, "envelope of " + envelope.length
                    + " bytes exceeds the maximum of " + io.gyrosentinel.DeviceLimits.MAX_ENVELOPE_BYTES);
        }
        ManagedClient m = managed;
        MqttAsyncClient c = m == null ? null : m.current();
        if (closed || c == null) {
            throw new GyroSentinelException(ErrorCode.CONNECTION_CLOSED, describe() + " is closed");
        }
        if (!c.isConnected()) {
            throw new GyroSentinelException(ErrorCode.CONNECTION_CLOSED, "broker connection for " + describe()
                    + " is down; reconnecting");
        }
        try {
            Paho.publish(c, Topics.down(device), new MqttMessage(envelope, 1, false, null), SEND_WAIT_MS);
        } catch (MqttException e) {
            throw new GyroSentinelException(ErrorCode.CONNECTION_CLOSED, "publish to " + describe() + " failed: "
                    + e.getMessage(), e);
        }
        framesOut.incrementAndGet();
        bytesOut.addAndGet(envelope.length);
    }

    // ---------------------------------------------------------------- Paho callbacks (I/O thread)

    @Override
    public void messageArrived(String topic, MqttMessage message) {
        Listener l = listener;
        if (closed || l == null) {
            return;
        }
        byte[] p = message.getPayload();
        if (p.length > DefaultMqttFleet.MAX_PAYLOAD) {
            rejected.incrementAndGet();
            return;
        }
        try {
            if (Topics.isUp(topic)) {
                framesIn.incrementAndGet();
                bytesIn.addAndGet(p.length);
                l.onFrame(p, 0, p.length);
            } else if (Topics.isStatus(topic)) {
                onStatus(p);
            }
        } catch (Throwable e) {
            // Network input. Anything thrown here would make Paho drop the connection and the broker redeliver the
            // same message to the next one: drop the message instead, and count it.
            rejected.incrementAndGet();
            log.warn("{}: dropped a message on {} that failed: {}", describe(), Topics.printable(topic), e.toString());
        }
    }

    private void onStatus(byte[] p) {
        Map<String, String> s = StatusJson.parse(p);
        boolean online = "online".equals(s.get("state"));
        synchronized (stateLock) {
            deviceOnline = online;
        }
        if (!online && p.length > 0) {
            log.info("{}: device is offline ({})", describe(), s.getOrDefault("reason", "no reason"));
        }
        update(online ? null : new GyroSentinelException(ErrorCode.CONNECTION_CLOSED, "device " + device
                + " went offline (" + s.getOrDefault("reason", "status") + ")"));
    }

    /** Tells the listener about a change of (broker up AND device online). */
    private void update(Throwable cause) {
        boolean notifyUp;
        boolean notifyDown;
        synchronized (stateLock) {
            boolean up = brokerUp && !Boolean.FALSE.equals(deviceOnline);
            notifyUp = up && !linkUp;
            notifyDown = !up && linkUp;
            linkUp = up;
        }
        Listener l = listener;
        if (closed || l == null) {
            return;
        }
        if (notifyDown) {
            l.onDisconnected(cause, true);
        } else if (notifyUp) {
            l.onConnected(true);
        }
    }

    @Override
    public void disconnected(MqttDisconnectResponse r) {
        if (closed) {
            return;
        }
        log.info("{}: broker connection lost: {}", describe(), r);
        synchronized (stateLock) {
            brokerUp = false;
        }
        MqttException ex = r.getException();
        update(new GyroSentinelException(ErrorCode.CONNECTION_CLOSED, "broker connection lost: "
                + (ex != null ? ex.getMessage() : r.getReasonString()), ex));
    }

    @Override
    public void connectComplete(boolean reconnect, String serverURI) {
        if (!reconnect || closed) {
            return;
        }
        reconnects.incrementAndGet();
        log.info("{}: reconnected to the broker", describe());
        synchronized (stateLock) {
            brokerUp = true;
        }
        update(null);
    }

    @Override
    public void mqttErrorOccurred(MqttException e) {
        log.debug("{}: MQTT error: {}", describe(), e.toString());
    }

    @Override
    public void deliveryComplete(IMqttToken token) {
        // QoS 1 acknowledgements need no action.
    }

    @Override
    public void authPacketArrived(int reasonCode, MqttProperties properties) {
        // no enhanced authentication
    }

    // ----------------------------------------------------------------

    @Override
    public String describe() {
        return settings.uri();
    }

    @Override
    public TransportStats stats() {
        return new TransportStats(framesIn.get(), framesOut.get(), bytesIn.get(), bytesOut.get(), rejected.get(),
                reconnects.get());
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
    }
}
