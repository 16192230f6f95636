package io.gyrosentinel.client;

import io.gyrosentinel.model.ModelStatus;

import java.time.Duration;

/**
 * The outcome of a successful deployment.
 *
 * @param modelId     the bundle's model id
 * @param sha256      hex SHA-256 of the payload
 * @param slot        the slot the model was written to
 * @param activated   true when the model now runs inference
 * @param bytesSent   payload bytes this call sent (less than the payload when it resumed)
 * @param resumedFrom offset the transfer started at: above zero when the device already held
 *                    part of the payload from an interrupted deployment
 * @param retries     lost links and corrupted chunks recovered from
 * @param elapsed     wall-clock time of the call
 * @param status      the device's model store afterwards
 */
public record DeployResult(String modelId, String sha256, int slot, boolean activated, long bytesSent,
                           long resumedFrom, int retries, Duration elapsed, ModelStatus status) {
}
