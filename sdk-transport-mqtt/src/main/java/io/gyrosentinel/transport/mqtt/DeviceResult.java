package io.gyrosentinel.transport.mqtt;

import io.gyrosentinel.InferenceResult;

/**
 * An inference result and the device that produced it.
 *
 * @param deviceId the device's id (from the topic)
 * @param result   the result
 */
public record DeviceResult(String deviceId, InferenceResult result) {
}
