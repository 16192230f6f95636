package io.gyrosentinel.transport.mqtt;

import java.time.Instant;

/**
 * What a device's retained status topic says.
 *
 * @param deviceId        the device's id (from the topic)
 * @param online          true for "online"
 * @param firmware        firmware version from the "online" status, else empty
 * @param protocolVersion protocol version from the "online" status, else 0
 * @param reason          for offline: {@code shutdown} (clean stop), {@code lost} (Last Will), else empty
 * @param receivedAt      when this process received the status
 */
public record DeviceStatus(String deviceId, boolean online, String firmware, int protocolVersion, String reason,
                           Instant receivedAt) {
}
