/**
 * GyroSentinel's data types: samples, blocks, sensor configuration, device information,
 * inference results, anomaly events, telemetry, gaps, and the one root exception
 * {@link io.gyrosentinel.GyroSentinelException} with its {@link io.gyrosentinel.ErrorCode}.
 *
 * <p>Entry points live in sub-packages: {@link io.gyrosentinel.client.DeviceClient} talks to a
 * device, {@link io.gyrosentinel.stream.GyroStream} delivers its samples,
 * {@link io.gyrosentinel.recording} stores sessions, {@link io.gyrosentinel.transport} lets you
 * plug in links, {@link io.gyrosentinel.sim} simulates a device.
 */
package io.gyrosentinel;
