/**
 * Talking to a device: {@link io.gyrosentinel.client.DeviceClient} (blocking view) and
 * {@link io.gyrosentinel.client.AsyncDeviceClient} (asynchronous view) over any transport,
 * including resumable model deployment ({@link io.gyrosentinel.client.DeployOptions},
 * {@link io.gyrosentinel.client.DeployResult}).
 */
package io.gyrosentinel.client;
