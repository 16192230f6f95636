package io.gyrosentinel.transport.mqtt;

import io.gyrosentinel.transport.Endpoint;
import io.gyrosentinel.transport.Transport;
import io.gyrosentinel.transport.TransportProvider;
import io.gyrosentinel.transport.mqtt.internal.MqttSettings;
import io.gyrosentinel.transport.mqtt.internal.MqttTransport;

import java.util.Set;

/**
 * The {@code mqtt:} and {@code mqtts:} schemes: one device through an MQTT 5 broker.
 *
 * <pre>{@code
 * mqtt://broker:1883/pump-7?username=ops&password=secret
 * mqtts://broker:8883/pump-7?caFile=/etc/gyrosentinel/ca.pem&sessionExpiry=600
 * }</pre>
 *
 * Parameters: {@code username}, {@code password}, {@code clientId} (default
 * {@code gs-host-<device>-<random>}), {@code sampleQos} (0 or 1: the QoS a device publishes sample
 * batches with; used by {@link MqttDeviceBridge}, accepted here so one URI serves both ends),
 * {@code sessionExpiry} (seconds, default 300: how long the broker keeps subscriptions and queued
 * QoS 1 messages while the client is away), {@code caFile} (PEM, mqtts only), {@code keepAlive}
 * (s, default 30), {@code connectTimeout} (s, default 10), {@code maxReconnectDelay} (s, default 5).
 * Unknown parameters are rejected.
 */
public final class MqttTransportProvider implements TransportProvider {
    /** Created by {@link java.util.ServiceLoader} (it is listed in {@code META-INF/services}). */
    public MqttTransportProvider() {
    }


    @Override
    public Set<String> schemes() {
        return Set.of("mqtt", "mqtts");
    }

    @Override
    public String description() {
        return "MQTT 5 broker (Eclipse Paho): mqtt://host:1883/deviceId, mqtts://host:8883/deviceId?caFile=ca.pem";
    }

    /** @throws io.gyrosentinel.GyroSentinelException {@code BAD_URI} naming the wrong parameter */
    @Override
    public Transport open(Endpoint endpoint) {
        return new MqttTransport(MqttSettings.of(endpoint, true));
    }
}
