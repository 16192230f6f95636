/**
 * MQTT 5 transport, device bridge and fleet API.
 *
 * <p>Topics (docs/protocol.md §6): {@code gyrosentinel/v1/{device}/up} carries device→host
 * envelopes, one per message, unframed; {@code .../down} carries host→device requests at QoS 1;
 * {@code .../status} holds a retained JSON status, {@code {"state":"online","deviceId":"pump-7",
 * "firmware":"1.2.0","protocol":1,"ts":...}}, replaced by the Last Will
 * {@code {"state":"offline","deviceId":"pump-7","reason":"lost"}} when the connection dies
 * (reason {@code shutdown} on a clean stop). Sample batches use QoS 0 by default
 * ({@code sampleQos=1} for at least once); everything else uses QoS 1.
 *
 * <pre>{@code
 * // One device: the usual DeviceClient, found through the mqtt: scheme.
 * try (DeviceClient pump = DeviceClient.connect("mqtt://broker:1883/pump-7?username=ops&password=secret")) {
 *     pump.configure(SensorConfig.builder().odrHz(1920).batchSize(48).build());
 *     try (GyroStream s = pump.stream()) { ... }
 * }
 *
 * // Many devices: results and anomalies of the whole fleet, split across the JVMs of a group.
 * try (MqttFleet fleet = MqttFleet.builder().broker("mqtts://broker:8883?caFile=/etc/gs/ca.pem")
 *         .sharedGroup("workers").build()) {
 *     fleet.events().subscribe(alerts);
 *     fleet.devices().forEach((id, status) -> System.out.println(id + " " + (status.online() ? "up" : "down")));
 * }
 *
 * // A simulated device on the broker, as an ESP32 would be.
 * try (VirtualDevice dev = VirtualDevice.builder().deviceId("pump-7").build();
 *      MqttDeviceBridge bridge = MqttDeviceBridge.attach(dev, "mqtt://localhost:1883/pump-7")) { ... }
 * }</pre>
 *
 * A broker reconnect, or the device going offline and coming back, reaches the
 * {@link io.gyrosentinel.transport.Transport.Listener} as disconnected / connected(reconnect=true),
 * so a {@code DeviceClient} re-handshakes and restarts its stream by itself. Eclipse Paho is used
 * inside {@code ...mqtt.internal} only.
 */
package io.gyrosentinel.transport.mqtt;
