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

import java.util.function.Supplier;

/**
 * A Paho client that reconnects by itself with a fresh {@link MqttAsyncClient} each time.
 * Paho 1.2.5's own automatic reconnect sometimes leaves the old sender thread waiting, so the new
 * connection's CONNECT is never sent and the client hangs forever (seen against Mosquitto restarts).
 * After each reconnect the subscriptions are made again, then the callback hears
 * {@code connectComplete(true, ...)}.
 */
final class ManagedClient implements MqttCallback {
    private static final Logger log = LoggerFactory.getLogger(ManagedClient.class);

    private final MqttSettings settings;
    private final String clientId;
    private final MqttCallback callback;
    private final Supplier<MqttConnectionOptions> options;
    private final Supplier<MqttSubscription[]> subscriptions;
    private final String what;
    private volatile MqttAsyncClient client;
    private volatile boolean closed;
    private volatile boolean reconnecting;

    ManagedClient(MqttSettings settings, String clientId, MqttCallback callback,
                  Supplier<MqttConnectionOptions> options, Supplier<MqttSubscription[]> subscriptions, String what) {
        this.settings = settings;
        this.clientId = clientId;
        this.callback = callback;
        this.options = options;
        this.subscriptions = subscriptions;
        this.what = what;
    }

    /** First connect: blocking, throws GyroSentinelException. */
    void connect() {
        MqttAsyncClient c = open();
        client = c;
        try {
            Paho.subscribe(c, settings, subscriptions.get());
        } catch (RuntimeException e) {
            Paho.closeQuietly(c);
            throw e;
        }
    }

    private MqttAsyncClient open() {
        MqttAsyncClient c = Paho.client(settings, clientId);
        c.setCallback(this);
        MqttConnectionOptions o = options.get();
        o.setAutomaticReconnect(false);
        Paho.connect(c, o, settings, what);
        return c;
    }

    MqttAsyncClient current() {
        return client;
    }

    boolean isConnected() {
        MqttAsyncClient c = client;
        return c != null && c.isConnected();
    }

    private synchronized void startReconnect() {
        if (closed || reconnecting) {
            return;
        }
        reconnecting = true;
        Thread t = new Thread(this::reconnectLoop, "gs-mqtt-reconnect-" + clientId);
        t.setDaemon(true);
        t.start();
    }

    private void reconnectLoop() {
        long wait = 100;
        MqttAsyncClient old = client;
        Thread closer = new Thread(() -> Paho.closeQuietly(old), "gs-mqtt-close");
        closer.setDaemon(true);
        closer.start();
        try {
            while (!closed) {
                sleep(wait);
                if (closed) {
                    return;
                }
                try {
                    MqttAsyncClient c = open();
                    try {
                        Paho.subscribe(c, settings, subscriptions.get());
                    } catch (RuntimeException e) {
                        Paho.closeQuietly(c);
                        throw e;
                    }
                    if (closed) {
                        Paho.closeQuietly(c);
                        return;
                    }
                    client = c;
                    reconnecting = false;
                    callback.connectComplete(true, settings.serverUri());
                    return;
                } catch (RuntimeException e) {
                    log.debug("{}: reconnect failed: {}", clientId, e.getMessage());
                    wait = Math.min(wait * 2, settings.maxReconnectDelaySeconds() * 1000L);
                }
            }
        } finally {
            reconnecting = false;
        }
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Stops reconnecting but leaves the current client to the caller (e.g. for a forced disconnect). */
    void abandon() {
        closed = true;
    }

    void close() {
        closed = true;
        MqttAsyncClient c = client;
        if (c != null) {
            Paho.closeQuietly(c);
        }
    }

    // ------------------------------------------------------------ Paho callbacks, forwarded

    @Override
    public void disconnected(MqttDisconnectResponse r) {
        if (closed) {
            return;
        }
        callback.disconnected(r);
        startReconnect();
    }

    @Override
    public void mqttErrorOccurred(MqttException e) {
        callback.mqttErrorOccurred(e);
    }

    @Override
    public void messageArrived(String topic, MqttMessage message) throws Exception {
        callback.messageArrived(topic, message);
    }

    @Override
    public void deliveryComplete(IMqttToken token) {
        callback.deliveryComplete(token);
    }

    @Override
    public void connectComplete(boolean reconnect, String serverURI) {
        // reported by reconnectLoop once the subscriptions are back
    }

    @Override
    public void authPacketArrived(int reasonCode, MqttProperties properties) {
        callback.authPacketArrived(reasonCode, properties);
    }
}
