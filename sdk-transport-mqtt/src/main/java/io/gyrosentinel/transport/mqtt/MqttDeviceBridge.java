package io.gyrosentinel.transport.mqtt;

import io.gyrosentinel.internal.wire.WireCodec;
import io.gyrosentinel.internal.wire.v1.Ping;
import io.gyrosentinel.sim.VirtualDevice;
import io.gyrosentinel.transport.mqtt.internal.DeviceLink;
import io.gyrosentinel.transport.mqtt.internal.MqttSettings;

import java.io.IOException;
import java.util.Objects;

/**
 * Puts a {@link VirtualDevice} on a broker the way the ESP32 firmware is: it subscribes to
 * {@code gyrosentinel/v1/{device}/down}, publishes to {@code .../up} (sample batches at
 * {@code sampleQos}, everything else at QoS 1), and keeps a retained JSON status on
 * {@code .../status} with a Last Will that says offline.
 *
 * <pre>{@code
 * try (VirtualDevice dev = VirtualDevice.builder().deviceId("pump-7").build();
 *      MqttDeviceBridge bridge = MqttDeviceBridge.attach(dev, "mqtt://localhost:1883/pump-7");
 *      DeviceClient client = DeviceClient.connect("mqtt://localhost:1883/pump-7")) {
 *     ...
 * }
 * }</pre>
 *
 * Closing the bridge publishes "offline" (reason {@code shutdown}) and disconnects; it does not
 * close the device.
 */
public final class MqttDeviceBridge implements AutoCloseable {
    private final VirtualDevice device;
    private final DeviceLink link;
    private final VirtualDevice.Uplink uplink;
    private final ThreadLocal<Boolean> swallowReply = ThreadLocal.withInitial(() -> false);

    private MqttDeviceBridge(VirtualDevice device, MqttSettings settings) {
        this.device = device;
        this.uplink = this::up;
        this.link = new DeviceLink(settings, VirtualDevice.FIRMWARE_VERSION, WireCodec.PROTOCOL_VERSION,
                (buf, off, len) -> device.onEnvelope(buf, off, len, uplink));
    }

    /**
     * Attaches with the device id in the URI's path, or the device's own id when the path is empty.
     *
     * @param device    the device to put on the broker; the bridge does not close it
     * @param brokerUri the broker, e.g. {@code mqtt://localhost:1883/pump-7} (parameters as for {@code mqtt:} client
     *                  URIs)
     * @return the bridge, connected and announced online
     * @throws io.gyrosentinel.GyroSentinelException {@code BAD_URI} for a malformed URI, {@code TRANSPORT} when the
     *         broker cannot be reached
     */
    public static MqttDeviceBridge attach(VirtualDevice device, String brokerUri) {
        Objects.requireNonNull(device, "device");
        MqttSettings s = MqttSettings.parse(brokerUri, false);
        return start(device, s.deviceId() != null ? s : s.withDeviceId(device.deviceId()));
    }

    /**
     * Attaches as {@code deviceId} (any path in the URI is ignored).
     *
     * @param device    the device to put on the broker; the bridge does not close it
     * @param brokerUri the broker, e.g. {@code mqtt://localhost:1883}
     * @param deviceId  the id used in the topics
     * @return the bridge, connected and announced online
     * @throws io.gyrosentinel.GyroSentinelException {@code BAD_URI} for a malformed URI or device id, {@code
     *         TRANSPORT} when the broker cannot be reached
     */
    public static MqttDeviceBridge attach(VirtualDevice device, String brokerUri, String deviceId) {
        Objects.requireNonNull(device, "device");
        return start(device, MqttSettings.parse(brokerUri, false).withDeviceId(deviceId));
    }

    private static MqttDeviceBridge start(VirtualDevice device, MqttSettings s) {
        MqttDeviceBridge b = new MqttDeviceBridge(device, s);
        b.register();
        b.link.start();
        return b;
    }

    /**
     * The VirtualDevice learns a message uplink only from an incoming envelope. Feed it a ping
     * and swallow the pong, so unsolicited messages ({@code sendAll}) reach the broker at once.
     */
    private void register() {
        byte[] ping = WireCodec.envelope(0).setPing(Ping.newBuilder().setNonce(0)).build().toByteArray();
        swallowReply.set(true);
        try {
            device.onEnvelope(ping, 0, ping.length, uplink);
        } finally {
            swallowReply.remove();
        }
    }

    private void up(byte[] envelope) throws IOException {
        if (swallowReply.get()) {
            return;
        }
        link.send(envelope);
    }

    /** {@return the id of the bridged device} */
    public String deviceId() {
        return device.deviceId();
    }

    /** {@return whether the bridge is connected to the broker now} */
    public boolean isConnected() {
        return link.isConnected();
    }

    /** {@return the number of messages published to {@code up} so far} */
    public long published() {
        return link.published();
    }

    /** {@return the QoS 1 messages the broker has not acknowledged yet (re-sent after a reconnect)} */
    public int unacknowledged() {
        return link.unacknowledged();
    }

    /**
     * {@return the messages dropped: QoS 0 sample batches while the broker was away, or QoS 1 beyond the
     * 10,000-message outbox}
     */
    public long dropped() {
        return link.dropped();
    }

    /**
     * Simulates a power cut: the TCP connection closes without an MQTT DISCONNECT, so the broker
     * publishes the Last Will (status offline, reason {@code lost}). The bridge is closed afterwards.
     */
    public void simulatePowerLoss() {
        device.detach(uplink);
        link.dropConnection();
    }

    @Override
    public void close() {
        device.detach(uplink);
        link.close();
    }

}
