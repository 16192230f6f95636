package io.gyrosentinel;

import java.util.List;
import java.util.Set;

/**
 * What a device said about itself in the handshake.
 *
 * @param deviceId        the device's unique id (MQTT topics and bundle scopes use it)
 * @param firmwareVersion firmware version string
 * @param protocolVersion the protocol version negotiated for this session
 * @param chip            the device's chip, e.g. {@code esp32s3}, or {@code virtual}
 * @param sensorModel     the gyroscope, e.g. {@code ISM330BX}
 * @param capabilities    what the device can do
 * @param maxFrameSize    largest envelope the device accepts, bytes
 * @param maxChunkSize    largest model chunk the device accepts, bytes
 * @param modelSlots      the model slots (A/B) and what they hold
 * @param sensorConfig    the sensor configuration in force at handshake time
 */
public record DeviceInfo(String deviceId, String firmwareVersion, int protocolVersion, String chip,
                         String sensorModel, Set<Capability> capabilities, int maxFrameSize, int maxChunkSize,
                         List<ModelSlotInfo> modelSlots, SensorConfig sensorConfig) {
    /**
     * Copies {@code capabilities} and {@code modelSlots} into unmodifiable collections.
     *
     * @param deviceId        the device's unique id
     * @param firmwareVersion firmware version string
     * @param protocolVersion negotiated protocol version
     * @param chip            the device's chip
     * @param sensorModel     the gyroscope
     * @param capabilities    what the device can do
     * @param maxFrameSize    largest envelope the device accepts, bytes
     * @param maxChunkSize    largest model chunk the device accepts, bytes
     * @param modelSlots      the model slots
     * @param sensorConfig    the sensor configuration in force
     */
    public DeviceInfo {
        capabilities = Set.copyOf(capabilities);
        modelSlots = List.copyOf(modelSlots);
    }

    /**
     * Whether the device announced a capability.
     *
     * @param c the capability
     * @return {@code true} when {@link #capabilities()} contains it
     */
    public boolean has(Capability c) {
        return capabilities.contains(c);
    }
}
