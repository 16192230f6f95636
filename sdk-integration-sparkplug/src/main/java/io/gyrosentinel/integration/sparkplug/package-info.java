/**
 * Sparkplug B for GyroSentinel devices: {@link io.gyrosentinel.integration.sparkplug.SparkplugEdgeNode} is an edge
 * node that publishes each followed device ({@link io.gyrosentinel.client.DeviceWatch}) as a Sparkplug device, with
 * birth and death certificates, seq and bdSeq numbers, and score, state and event metrics (Sparkplug 3.0, MQTT 5).
 * The module's README.md lists the topics and metrics.
 */
package io.gyrosentinel.integration.sparkplug;
