package io.gyrosentinel.transport.mqtt;

import io.gyrosentinel.client.DeviceClient;
import io.gyrosentinel.sim.VirtualDevice;
import io.gyrosentinel.testing.TransportContract;
import io.gyrosentinel.transport.Transport;
import io.gyrosentinel.transport.TransportStats;
import io.gyrosentinel.transport.Transports;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

import java.util.concurrent.atomic.AtomicInteger;

/** The transport contract through a real Mosquitto, the VirtualDevice attached by {@link MqttDeviceBridge}. */
class MqttTransportContractTest extends TransportContract {
    private static MosquittoBroker broker;
    private static final AtomicInteger DEVICES = new AtomicInteger();

    @BeforeAll
    static void startBroker() {
        broker = MosquittoBroker.start();
    }

    @AfterAll
    static void stopBroker() {
        broker.close();
    }

    @Override
    protected DeviceClient connect() {
        String id = "dev-" + DEVICES.incrementAndGet();
        String uri = broker.uri() + "/" + id;
        VirtualDevice dev = VirtualDevice.builder().deviceId(id).build();
        MqttDeviceBridge bridge = MqttDeviceBridge.attach(dev, uri);
        Transport mqtt = Transports.open(uri);
        // Closing the client closes the transport: take the device and its bridge down with it.
        Transport t = new Transport() {
            public void start(Listener l) { mqtt.start(l); }
            public void send(byte[] envelope) { mqtt.send(envelope); }
            public String describe() { return mqtt.describe(); }
            public TransportStats stats() { return mqtt.stats(); }
            public void close() {
                try {
                    mqtt.close();
                } finally {
                    bridge.close();
                    dev.close();
                }
            }
        };
        return DeviceClient.builder().transport(t).connect();
    }
}
