package io.gyrosentinel.transport.mqtt;

import io.gyrosentinel.AnomalyEvent;

/**
 * An anomaly event and the device that raised it.
 *
 * @param deviceId the device's id (from the topic)
 * @param event    the event
 */
public record DeviceEvent(String deviceId, AnomalyEvent event) {
}
