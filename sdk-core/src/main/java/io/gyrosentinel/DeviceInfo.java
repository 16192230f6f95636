package io.gyrosentinel;

import java.util.List;
import java.util.Set;

/**
 * What a device said about itself in the handshake.
 *
 * @param protocolVersion the protocol version negotiated for this session
 * @param maxFrameSize    largest envelope the device accepts, bytes
 * @param maxChunkSize    largest model chunk the device accepts, bytes
 * @param sensorConfig    the sensor configuration in force at handshake time
 */
public record DeviceInfo(String deviceId, String firmwareVersion, int protocolVersion, String chip,
                         String sensorModel, Set<Capability> capabilities, int maxFrameSize, int maxChunkSize,
                         List<ModelSlotInfo> modelSlots, SensorConfig sensorConfig) {
    public DeviceInfo {
        capabilities = Set.copyOf(capabilities);
        modelSlots = List.copyOf(modelSlots);
    }

    public boolean has(Capability c) {
        return capabilities.contains(c);
    }
}
