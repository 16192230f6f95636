/**
 * Talking to a device: {@link io.gyrosentinel.client.DeviceClient} (blocking view) and
 * {@link io.gyrosentinel.client.AsyncDeviceClient} (asynchronous view) over any transport.
 */
package io.gyrosentinel.client;
