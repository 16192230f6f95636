package io.gyrosentinel.integration.sparkplug.internal;

import io.gyrosentinel.AnomalyEvent;
import io.gyrosentinel.Gap;
import io.gyrosentinel.InferenceResult;
import io.gyrosentinel.client.DeviceWatch;
import io.gyrosentinel.transport.mqtt.internal.MqttSettings;
import io.gyrosentinel.transport.mqtt.internal.Paho;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

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

/**
 * The edge node's MQTT session and Sparkplug state machine. Everything (connecting, births, data, deaths, commands,
 * device changes) runs on one thread, so seq numbers follow the order of the messages on the wire.
 *
 * <p>Each MQTT session: a new client with clean start and session expiry 0, the NDEATH (next bdSeq) as its Will
 * (QoS 1, not retained), subscriptions to NCMD and DCMD (QoS 1), then NBIRTH (seq 0) and one DBIRTH per online
 * device. A lost connection is retried with a new session (new bdSeq) after 1 s, doubling up to the URI's
 * {@code maxReconnectDelay}.
 */
public final class EdgeNodeEngine {
    private static final Logger LOG = LoggerFactory.getLogger(EdgeNodeEngine.class);
    /** MQTT 5 DISCONNECT reason "Disconnect with Will Message" (Sparkplug 3.0 for an intentional disconnect). */
    private static final int DISCONNECT_WITH_WILL = 0x04;
    private static final int ALIASES_PER_DEVICE = 100;
    private static final Pattern STATE_ONLINE = Pattern.compile("\"online\"\\s*:\\s*(true|false)");
    private static final Pattern STATE_TIMESTAMP = Pattern.compile("\"timestamp\"\\s*:\\s*(\\d{1,19})");

    private final MqttSettings settings;
    private final String groupId;
    private final String nodeId;
    private final long minIntervalNanos;
    private final String clientId;
    private final String primaryHostId;
    private final ScheduledExecutorService exec;
    private final Thread thread;
    private final Mod256 bdSeq = new Mod256();
    private final Mod256 seq = new Mod256();
    private final Map<String, Device> devices = new LinkedHashMap<>();
    private long nextAliasBase = ALIASES_PER_DEVICE;

    private MqttAsyncClient client;
    private int sessionBdSeq = -1;
    private boolean born;
    private boolean started;
    private volatile boolean closed;
    private long reconnectDelayMillis = 1000;
    /** The primary host's last STATE said online (only with a primary host). */
    private boolean hostOnline;
    /** Timestamp of the last STATE message taken into account; -1 before the first. */
    private long hostStateMillis = -1;
    private ScheduledFuture<?> reconnect;

    private final class Device {
        final DeviceWatch watch;
        final String id;
        final long aliasBase;
        AutoCloseable listening;
        DeviceWatch.State state;
        AnomalyEvent lastEvent;
        long lastEventMillis;
        boolean born;
        Object[] published;
        long lastDataNanos;
        ScheduledFuture<?> flush;

        Device(DeviceWatch watch, String id, long aliasBase) {
            this.watch = watch;
            this.id = id;
            this.aliasBase = aliasBase;
        }

        Object[] values() {
            return DeviceMetric.values(state, lastEvent, lastEventMillis);
        }
    }

    /**
     * @param settings        the broker (the SDK's MQTT URI; sessionExpiry is ignored: Sparkplug requires 0)
     * @param groupId         validated Sparkplug group id
     * @param nodeId          validated edge node id
     * @param minIntervalNanos the least time between two DDATA of one device for score changes
     * @param primaryHostId   validated primary host application id whose STATE gates the births, or null
     */
    public EdgeNodeEngine(MqttSettings settings, String groupId, String nodeId, long minIntervalNanos,
                          String primaryHostId) {
        this.primaryHostId = primaryHostId;
        this.settings = settings;
        this.groupId = groupId;
        this.nodeId = nodeId;
        this.minIntervalNanos = minIntervalNanos;
        this.clientId = settings.clientIdOr("gs-spb-", null);
        Thread[] t = new Thread[1];
        this.exec = Executors.newSingleThreadScheduledExecutor(r -> {
            t[0] = new Thread(r, "gyrosentinel-sparkplug-" + nodeId);
            t[0].setDaemon(true);
            return t[0];
        });
        try {
            exec.submit(() -> { }).get();
        } catch (InterruptedException | ExecutionException e) {
            throw new IllegalStateException(e);
        }
        this.thread = t[0];
    }

    /** {@return the topic of a node message type (NBIRTH, NDATA, NDEATH, NCMD)} */
    private String nodeTopic(String type) {
        return "spBv1.0/" + groupId + "/" + type + "/" + nodeId;
    }

    private String stateTopic() {
        return "spBv1.0/STATE/" + primaryHostId;
    }

    private String deviceTopic(String type, String deviceId) {
        return "spBv1.0/" + groupId + "/" + type + "/" + nodeId + "/" + deviceId;
    }

    /** Connects the first session and publishes the births; throws when the broker cannot be reached. */
    public void start() {
        call(() -> {
            if (closed) {
                throw new IllegalStateException("the Sparkplug edge node is closed");
            }
            if (started) {
                throw new IllegalStateException("the Sparkplug edge node is already started");
            }
            connect();
            started = true;
            return null;
        });
    }

    /** {@return whether the node has an MQTT session and has published its NBIRTH} */
    public boolean online() {
        if (closed) {
            return false;
        }
        return call(() -> born && client != null && client.isConnected());
    }

    /**
     * Publishes a device under the node.
     *
     * @param watch the device
     * @param id    its validated Sparkplug device id
     * @return removes it (DDEATH)
     */
    public Runnable add(DeviceWatch watch, String id) {
        Device d = call(() -> {
            if (closed) {
                throw new IllegalStateException("the Sparkplug edge node is closed");
            }
            if (devices.containsKey(id)) {
                throw new IllegalArgumentException("Sparkplug deviceId '" + id + "' is already published by edge node '"
                        + nodeId + "'");
            }
            Device dev = new Device(watch, id, nextAliasBase);
            nextAliasBase += ALIASES_PER_DEVICE;
            dev.listening = watch.listen(new DeviceWatch.Listener() {
                @Override
                public void onResult(DeviceWatch.State s, InferenceResult r) {
                    later(() -> result(dev, s));
                }

                @Override
                public void onEvent(DeviceWatch.State s, AnomalyEvent e) {
                    long now = System.currentTimeMillis();
                    later(() -> event(dev, s, e, now));
                }

                @Override
                public void onLink(DeviceWatch.State s) {
                    later(() -> link(dev, s));
                }

                @Override
                public void onGap(DeviceWatch.State s, Gap gap) {
                    later(() -> gap(dev, s));
                }
            });
            dev.state = watch.state();
            devices.put(id, dev);
            if (born && dev.state.online()) {
                dbirth(dev);
            }
            return dev;
        });
        return () -> call(() -> {
            if (devices.remove(d.id, d)) {
                closeQuietly(d.listening);
                if (d.flush != null) {
                    d.flush.cancel(false);
                }
                ddeath(d);
            }
            return null;
        });
    }

    /** Publishes NDEATH, disconnects (with the Will, as Sparkplug 3.0 asks of MQTT 5 clients), stops the thread. */
    public void close() {
        if (closed) {
            return;
        }
        try {
            call(() -> {
                closed = true;
                if (reconnect != null) {
                    reconnect.cancel(false);
                }
                for (Device d : devices.values()) {
                    closeQuietly(d.listening);
                    if (d.flush != null) {
                        d.flush.cancel(false);
                    }
                }
                devices.clear();
                MqttAsyncClient c = client;
                client = null;
                born = false;
                if (c != null) {
                    endSession(c);
                }
                return null;
            });
        } finally {
            closed = true;
            exec.shutdownNow();
        }
    }

    private void endSession(MqttAsyncClient c) {
        try {
            if (c.isConnected()) {
                IMqttToken t = c.publish(nodeTopic("NDEATH"), new MqttMessage(
                        Payloads.ndeath(sessionBdSeq, System.currentTimeMillis()), 1, false, null));
                t.waitForCompletion(2000);
                c.disconnect(1000, null, null, DISCONNECT_WITH_WILL, new MqttProperties()).waitForCompletion(2000);
            }
        } catch (MqttException | RuntimeException e) {
            LOG.debug("Sparkplug edge node {}: NDEATH or DISCONNECT failed", nodeId, e);
        }
        try {
            c.close(true);
        } catch (MqttException | RuntimeException ignored) {
            // best effort
        }
    }

    // ---- session ------------------------------------------------------------------------------------------

    private void connect() {
        int bd = bdSeq.next();
        MqttAsyncClient c = Paho.client(settings, clientId);
        MqttConnectionOptions o = Paho.options(settings);
        o.setCleanStart(true);
        o.setSessionExpiryInterval(0L);
        o.setAutomaticReconnect(false);
        o.setWill(nodeTopic("NDEATH"), new MqttMessage(Payloads.ndeath(bd, System.currentTimeMillis()), 1, false,
                null));
        c.setCallback(new Callback(c));
        String what = "Sparkplug edge node '" + nodeId + "' cannot connect to " + settings.uri();
        Paho.connect(c, o, settings, what);
        try {
            if (primaryHostId == null) {
                Paho.subscribe(c, settings, new MqttSubscription(nodeTopic("NCMD"), 1),
                        new MqttSubscription(nodeTopic("DCMD") + "/#", 1));
            } else {
                Paho.subscribe(c, settings, new MqttSubscription(nodeTopic("NCMD"), 1),
                        new MqttSubscription(nodeTopic("DCMD") + "/#", 1), new MqttSubscription(stateTopic(), 1));
            }
        } catch (RuntimeException e) {
            Paho.closeQuietly(c);
            throw e;
        }
        client = c;
        sessionBdSeq = bd;
        reconnectDelayMillis = 1000;
        LOG.info("Sparkplug edge node {}/{} connected to {} (bdSeq {})", groupId, nodeId, settings.uri(), bd);
        if (primaryHostId == null) {
            birth();
        } else {
            // the births wait for the primary host's STATE (retained: it arrives right after the subscription)
            hostOnline = false;
            born = false;
            LOG.info("Sparkplug edge node {}/{} waits for primary host '{}' to be online", groupId, nodeId,
                    primaryHostId);
        }
    }

    /** NBIRTH (seq 0, the session's bdSeq) then a DBIRTH for each online device. */
    private void birth() {
        long now = System.currentTimeMillis();
        seq.reset();
        born = false;
        for (Device d : devices.values()) {
            d.born = false;
        }
        if (!publish(nodeTopic("NBIRTH"), Payloads.nbirth(sessionBdSeq, seq.next(), now))) {
            return;
        }
        born = true;
        for (Device d : devices.values()) {
            if (d.state.online()) {
                dbirth(d);
            }
        }
    }

    private void lost(MqttAsyncClient c, Throwable cause) {
        if (c != client || closed) {
            return;
        }
        LOG.warn("Sparkplug edge node {}/{} lost its MQTT connection to {}{}; reconnecting", groupId, nodeId,
                settings.uri(), cause == null ? "" : ": " + cause.getMessage());
        client = null;
        born = false;
        for (Device d : devices.values()) {
            d.born = false;
        }
        Paho.closeQuietly(c);
        scheduleReconnect();
    }

    private void scheduleReconnect() {
        long delay = reconnectDelayMillis;
        reconnectDelayMillis = Math.min(reconnectDelayMillis * 2, settings.maxReconnectDelaySeconds() * 1000L);
        reconnect = exec.schedule(() -> {
            if (closed || client != null) {
                return;
            }
            try {
                connect();
            } catch (RuntimeException e) {
                LOG.warn("Sparkplug edge node {}/{}: {}", groupId, nodeId, e.getMessage());
                scheduleReconnect();
            }
        }, delay, TimeUnit.MILLISECONDS);
    }

    private void command(MqttAsyncClient c, String topic, byte[] payload) {
        if (c != client || closed) {
            return;
        }
        if (primaryHostId != null && topic.equals(stateTopic())) {
            hostState(c, payload);
        } else if (topic.equals(nodeTopic("NCMD"))) {
            try {
                if (Payloads.isRebirthRequest(payload) && (primaryHostId == null || hostOnline)) {
                    LOG.info("Sparkplug edge node {}/{}: rebirth requested", groupId, nodeId);
                    birth();
                } else {
                    LOG.debug("Sparkplug edge node {}/{}: NCMD without a rebirth request ignored", groupId, nodeId);
                }
            } catch (Exception e) {
                LOG.warn("Sparkplug edge node {}/{}: undecodable NCMD ignored: {}", groupId, nodeId, e.toString());
            }
        } else {
            LOG.debug("Sparkplug edge node {}/{}: device commands are not supported; ignored {}", groupId, nodeId,
                    topic);
        }
    }

    /**
     * The primary host's STATE ({@code {"online": bool, "timestamp": ms}}): online → births (once per session);
     * offline while born → NDEATH, disconnect and a new session that waits again. Older timestamps are ignored.
     */
    private void hostState(MqttAsyncClient c, byte[] payload) {
        String json = new String(payload, java.nio.charset.StandardCharsets.UTF_8);
        Matcher on = STATE_ONLINE.matcher(json);
        Matcher ts = STATE_TIMESTAMP.matcher(json);
        if (!on.find() || !ts.find()) {
            LOG.warn("Sparkplug edge node {}/{}: STATE of '{}' without online and timestamp ignored: {}",
                    groupId, nodeId, primaryHostId, json.length() > 200 ? json.substring(0, 200) : json);
            return;
        }
        long millis;
        try {
            millis = Long.parseLong(ts.group(1));
        } catch (NumberFormatException e) {
            return;
        }
        if (millis < hostStateMillis) {
            LOG.debug("Sparkplug edge node {}/{}: older STATE of '{}' ignored", groupId, nodeId, primaryHostId);
            return;
        }
        hostStateMillis = millis;
        hostOnline = Boolean.parseBoolean(on.group(1));
        if (hostOnline && !born) {
            LOG.info("Sparkplug edge node {}/{}: primary host '{}' online", groupId, nodeId, primaryHostId);
            birth();
        } else if (!hostOnline && born) {
            LOG.info("Sparkplug edge node {}/{}: primary host '{}' offline; ending the session", groupId, nodeId,
                    primaryHostId);
            client = null;
            born = false;
            for (Device d : devices.values()) {
                d.born = false;
            }
            endSession(c);
            reconnectDelayMillis = 1000;
            scheduleReconnect();
        }
    }

    // ---- devices ------------------------------------------------------------------------------------------

    private void result(Device d, DeviceWatch.State s) {
        if (!devices.containsValue(d)) {
            return;
        }
        d.state = s;
        if (!d.born) {
            return;
        }
        long wait = d.lastDataNanos + minIntervalNanos - System.nanoTime();
        if (wait <= 0) {
            ddata(d);
        } else if (d.flush == null || d.flush.isDone()) {
            d.flush = exec.schedule(() -> {
                if (d.born && devices.containsValue(d)) {
                    ddata(d);
                }
            }, wait, TimeUnit.NANOSECONDS);
        }
    }

    private void event(Device d, DeviceWatch.State s, AnomalyEvent e, long millis) {
        if (!devices.containsValue(d)) {
            return;
        }
        d.state = s;
        d.lastEvent = e;
        d.lastEventMillis = millis;
        if (d.born) {
            ddata(d);
        }
    }

    private void gap(Device d, DeviceWatch.State s) {
        if (!devices.containsValue(d)) {
            return;
        }
        d.state = s;
        if (d.born) {
            ddata(d);
        }
    }

    private void link(Device d, DeviceWatch.State s) {
        if (!devices.containsValue(d)) {
            return;
        }
        d.state = s;
        if (s.online()) {
            if (born && !d.born) {
                dbirth(d);
            }
        } else {
            ddeath(d);
        }
    }

    private void dbirth(Device d) {
        long now = System.currentTimeMillis();
        Object[] v = d.values();
        if (publish(deviceTopic("DBIRTH", d.id), Payloads.dbirth(d.aliasBase, v, d.state.updatedMillis(), seq.next(),
                now))) {
            d.born = true;
            d.published = v;
            d.lastDataNanos = System.nanoTime();
        }
    }

    private void ddata(Device d) {
        Object[] v = d.values();
        if (!Payloads.changed(v, d.published)) {
            return;
        }
        byte[] p = Payloads.ddata(d.aliasBase, v, d.published, d.state.updatedMillis(), seq.next(),
                System.currentTimeMillis());
        publish(deviceTopic("DDATA", d.id), p);
        d.published = v;
        d.lastDataNanos = System.nanoTime();
    }

    private void ddeath(Device d) {
        if (!d.born) {
            return;
        }
        d.born = false;
        if (born) {
            publish(deviceTopic("DDEATH", d.id), Payloads.ddeath(seq.next(), System.currentTimeMillis()));
        }
    }

    /** QoS 0, not retained (every Sparkplug edge message but the NDEATH). */
    private boolean publish(String topic, byte[] payload) {
        MqttAsyncClient c = client;
        if (c == null) {
            return false;
        }
        try {
            Paho.publish(c, topic, new MqttMessage(payload, 0, false, null), 2000);
            return true;
        } catch (MqttException | RuntimeException e) {
            LOG.debug("Sparkplug edge node {}/{}: publishing {} failed: {}", groupId, nodeId, topic, e.toString());
            return false;
        }
    }

    // ---- threading ----------------------------------------------------------------------------------------

    private void later(Runnable r) {
        if (closed) {
            return;
        }
        try {
            exec.execute(() -> {
                try {
                    r.run();
                } catch (RuntimeException e) {
                    LOG.warn("Sparkplug edge node {}/{}: {}", groupId, nodeId, e.toString(), e);
                }
            });
        } catch (java.util.concurrent.RejectedExecutionException ignored) {
            // closed meanwhile
        }
    }

    private <T> T call(Callable<T> task) {
        if (Thread.currentThread() == thread) {
            try {
                return task.call();
            } catch (RuntimeException e) {
                throw e;
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        }
        Future<T> f;
        try {
            f = exec.submit(task);
        } catch (java.util.concurrent.RejectedExecutionException e) {
            throw new IllegalStateException("the Sparkplug edge node is closed");
        }
        try {
            return f.get(settings.connectTimeoutSeconds() + 10L, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            f.cancel(true);
            throw new IllegalStateException("interrupted", e);
        } catch (TimeoutException e) {
            throw new IllegalStateException("the Sparkplug edge node's thread did not answer within "
                    + (settings.connectTimeoutSeconds() + 10) + " s");
        } catch (ExecutionException e) {
            if (e.getCause() instanceof RuntimeException r) {
                throw r;
            }
            if (e.getCause() instanceof Error err) {
                throw err;
            }
            throw new IllegalStateException(e.getCause());
        }
    }

    private static void closeQuietly(AutoCloseable c) {
        try {
            if (c != null) {
                c.close();
            }
        } catch (Exception ignored) {
            // removing a listener does not fail
        }
    }

    /** Paho's callbacks hand everything to the node's thread. */
    private final class Callback implements MqttCallback {
        private final MqttAsyncClient c;

        Callback(MqttAsyncClient c) {
            this.c = c;
        }

        @Override
        public void disconnected(MqttDisconnectResponse r) {
            later(() -> lost(c, r.getException()));
        }

        @Override
        public void mqttErrorOccurred(MqttException e) {
            LOG.debug("Sparkplug edge node {}/{}: MQTT error {}", groupId, nodeId, e.toString());
        }

        @Override
        public void messageArrived(String topic, MqttMessage m) {
            byte[] p = m.getPayload();
            later(() -> command(c, topic, p));
        }

        @Override
        public void deliveryComplete(IMqttToken t) {
            // QoS 0 births and data: nothing to track
        }

        @Override
        public void connectComplete(boolean reconnect, String uri) {
            // each session is connected from connect()
        }

        @Override
        public void authPacketArrived(int reasonCode, MqttProperties p) {
            // no enhanced authentication
        }
    }
}
