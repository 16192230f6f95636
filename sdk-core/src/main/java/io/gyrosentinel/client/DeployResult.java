package io.gyrosentinel.client;

import io.gyrosentinel.model.ModelStatus;

import java.time.Duration;

/**
 * The outcome of a successful deployment.
 *
 * @param modelId     the bundle's model id
 * @param sha256      hex SHA-256 of the payload
 * @param slot        the slot the model was written to
 * @param activated   true when the model is now the device's active model; whether it also runs is
 *                    {@link #runsInference()}
 * @param bytesSent   payload bytes this call sent (less than the payload when it resumed)
 * @param resumedFrom offset the transfer started at: above zero when the device already held
 *                    part of the payload from an interrupted deployment
 * @param retries     lost links and corrupted chunks recovered from
 * @param elapsed     wall-clock time of the call
 * @param status      the device's model store afterwards
 */
public record DeployResult(String modelId, String sha256, int slot, boolean activated, long bytesSent,
                           long resumedFrom, int retries, Duration elapsed, ModelStatus status) {

    /**
     * The deployed model is active and scores windows. False after an activation when the device keeps models but
     * has no inference runtime — a {@code sim:} device on a host without an inference engine (add
     * {@code io.gyrosentinel:sdk-training}) — so nothing is scored: no results, no anomaly events.
     *
     * @return whether the deployed model is the active one and the device scores windows with it
     */
    public boolean runsInference() {
        return activated && status != null && status.runsInference()
                && status.active().map(s -> s.slot() == slot).orElse(false);
    }
}
