package io.gyrosentinel.integration.sparkplug;

import io.gyrosentinel.client.DeviceWatch;
import io.gyrosentinel.integration.sparkplug.internal.EdgeNodeEngine;
import io.gyrosentinel.integration.sparkplug.internal.SparkplugIds;
import io.gyrosentinel.transport.mqtt.internal.MqttSettings;

import java.time.Duration;
import java.util.Objects;

/**
 * A Sparkplug B edge node (Sparkplug 3.0 over MQTT 5) that publishes GyroSentinel devices as Sparkplug devices: an
 * NBIRTH when its MQTT session starts, a DBIRTH per device with all its metrics, DDATA when a device's score, state
 * or anomaly event changes (report by exception), DDEATH when a device's link drops, and NDEATH (registered as the
 * MQTT Will, and published by {@link #close()}).
 *
 * <pre>{@code
 * try (SparkplugEdgeNode node = SparkplugEdgeNode.builder()
 *         .broker("mqtt://broker.plant:1883")
 *         .groupId("hall-3").edgeNodeId("gateway-1")
 *         .minPublishInterval(Duration.ofSeconds(1))
 *         .build()) {
 *     node.start();
 *     try (DeviceWatch watch = DeviceWatch.follow(client);
 *          SparkplugEdgeNode.DeviceHandle device = node.addDevice(watch)) {
 *         ...
 *     }
 * }
 * }</pre>
 *
 * A lost MQTT connection is re-established in the background as a new session (the next bdSeq, a new NBIRTH and
 * DBIRTHs); a host's rebirth request (NCMD {@code Node Control/Rebirth} = true) republishes NBIRTH and DBIRTHs.
 * Thread-safe.
 */
public final class SparkplugEdgeNode implements AutoCloseable {
    /** A device published under the node; closing it publishes its DDEATH and stops publishing it. */
    public interface DeviceHandle extends AutoCloseable {
        /** Publishes the device's DDEATH (when it is born) and stops following it; the watch stays open. */
        @Override
        void close();
    }

    private final String groupId;
    private final String edgeNodeId;
    private final EdgeNodeEngine engine;

    private SparkplugEdgeNode(Builder b, MqttSettings settings) {
        this.groupId = b.groupId;
        this.edgeNodeId = b.edgeNodeId;
        this.engine = new EdgeNodeEngine(settings, b.groupId, b.edgeNodeId, b.minPublishInterval.toNanos(),
                b.primaryHostId);
    }

    /** {@return a builder; broker, groupId and edgeNodeId are required} */
    public static Builder builder() {
        return new Builder();
    }

    /** {@return the Sparkplug group id} */
    public String groupId() {
        return groupId;
    }

    /** {@return the Sparkplug edge node id} */
    public String edgeNodeId() {
        return edgeNodeId;
    }

    /**
     * Connects to the broker and publishes the NBIRTH, then a DBIRTH for each device added before. Later connection
     * losses are retried in the background; this first connection is not.
     *
     * @throws io.gyrosentinel.GyroSentinelException when the broker cannot be reached or refuses the connection
     * @throws IllegalStateException                 when the node is already started or closed
     */
    public void start() {
        engine.start();
    }

    /**
     * {@return whether the node has an MQTT session and has published its NBIRTH}
     */
    public boolean isOnline() {
        return engine.online();
    }

    /**
     * Publishes a device under this node, as Sparkplug device {@code watch.deviceId()}: a DBIRTH now (when the node
     * is online and the device's link is up), then DDATA as its state changes, a DDEATH when its link drops and a
     * DBIRTH when it comes back.
     *
     * @param watch the device; it must stay open while published
     * @return closing it publishes the device's DDEATH and stops publishing it
     * @throws IllegalArgumentException when the device id is not a valid Sparkplug id or already published here
     * @throws IllegalStateException    when the node is closed
     */
    public DeviceHandle addDevice(DeviceWatch watch) {
        Objects.requireNonNull(watch, "watch");
        String id = SparkplugIds.check("deviceId", watch.deviceId());
        Runnable remove = engine.add(watch, id);
        return remove::run;
    }

    /**
     * Publishes NDEATH, disconnects (MQTT 5 "disconnect with Will message", so the broker also delivers the Will, with
     * the same bdSeq) and stops. The device watches stay open.
     */
    @Override
    public void close() {
        engine.close();
    }

    /** Configures a {@link SparkplugEdgeNode}. */
    public static final class Builder {
        private String broker;
        private String groupId;
        private String edgeNodeId;
        private Duration minPublishInterval = Duration.ofSeconds(1);
        private String primaryHostId;

        private Builder() {
        }

        /**
         * The MQTT broker, in the SDK's MQTT URI syntax without a device path: {@code mqtt://host:port} or
         * {@code mqtts://host:port?caFile=...}, with optional {@code username}, {@code password}, {@code clientId},
         * {@code keepAlive}, {@code connectTimeout}, {@code maxReconnectDelay}. {@code sessionExpiry} and
         * {@code sampleQos} do not apply: Sparkplug requires clean start and session expiry 0.
         *
         * @param uri the broker URI
         * @return this builder
         */
        public Builder broker(String uri) {
            this.broker = uri;
            return this;
        }

        /**
         * The Sparkplug group id (one topic level: no {@code +}, {@code /} or {@code #}).
         *
         * @param groupId the group
         * @return this builder
         */
        public Builder groupId(String groupId) {
            this.groupId = groupId;
            return this;
        }

        /**
         * The Sparkplug edge node id (one topic level: no {@code +}, {@code /} or {@code #}).
         *
         * @param edgeNodeId the edge node
         * @return this builder
         */
        public Builder edgeNodeId(String edgeNodeId) {
            this.edgeNodeId = edgeNodeId;
            return this;
        }

        /**
         * The least time between two DDATA messages of one device for score changes (default 1 s); the latest score
         * goes out when the interval has passed. Anomaly events, link gaps and births are published at once.
         *
         * @param interval zero or more; zero publishes every window's score
         * @return this builder
         */
        public Builder minPublishInterval(Duration interval) {
            Objects.requireNonNull(interval, "minPublishInterval");
            if (interval.isNegative()) {
                throw new IllegalArgumentException("Sparkplug minPublishInterval must not be negative: " + interval);
            }
            this.minPublishInterval = interval;
            return this;
        }

        /**
         * A primary host application to wait for: the node subscribes to {@code spBv1.0/STATE/{hostId}} and
         * publishes its births only while that host's latest STATE says online; when it goes offline, the node
         * publishes NDEATH, disconnects and starts a new session that waits again. Default: none (births as soon
         * as connected).
         *
         * @param hostId the primary host application's id (one topic level), or null for none
         * @return this builder
         */
        public Builder primaryHostId(String hostId) {
            this.primaryHostId = hostId;
            return this;
        }

        /**
         * {@return the edge node, not yet connected (see {@link SparkplugEdgeNode#start()})}
         *
         * @throws IllegalArgumentException       when groupId or edgeNodeId is missing or not a valid Sparkplug id
         * @throws io.gyrosentinel.GyroSentinelException when the broker URI is missing or malformed
         */
        public SparkplugEdgeNode build() {
            SparkplugIds.check("groupId", groupId);
            SparkplugIds.check("edgeNodeId", edgeNodeId);
            if (primaryHostId != null) {
                SparkplugIds.check("primaryHostId", primaryHostId);
            }
            if (broker == null) {
                throw new IllegalArgumentException("Sparkplug broker is not set; e.g. broker(\"mqtt://localhost:1883\")");
            }
            MqttSettings settings = MqttSettings.parse(broker, false);
            if (settings.deviceId() != null) {
                throw new IllegalArgumentException("Sparkplug broker URI '" + settings.uri()
                        + "' must not have a path: devices are added with addDevice()");
            }
            return new SparkplugEdgeNode(this, settings);
        }
    }
}
