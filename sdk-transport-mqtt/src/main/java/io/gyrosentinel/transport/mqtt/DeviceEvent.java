package io.gyrosentinel.transport.mqtt;

import io.gyrosentinel.AnomalyEvent;

/** An anomaly event and the device that raised it. */
public record DeviceEvent(String deviceId, AnomalyEvent event) {
}
