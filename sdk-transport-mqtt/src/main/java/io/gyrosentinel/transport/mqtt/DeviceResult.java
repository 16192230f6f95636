package io.gyrosentinel.transport.mqtt;

import io.gyrosentinel.InferenceResult;

/** An inference result and the device that produced it. */
public record DeviceResult(String deviceId, InferenceResult result) {
}
