package io.gyrosentinel.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.gyrosentinel.transport.mqtt.MosquittoBroker;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;

import org.eclipse.paho.mqttv5.client.IMqttMessageListener;
import org.eclipse.paho.mqttv5.client.MqttClient;
import org.eclipse.paho.mqttv5.client.MqttConnectionOptions;
import org.eclipse.paho.mqttv5.client.persist.MemoryPersistence;
import org.eclipse.paho.mqttv5.common.MqttSubscription;
import org.eclipse.tahu.message.SparkplugBPayloadDecoder;
import org.eclipse.tahu.message.model.Metric;
import org.eclipse.tahu.message.model.SparkplugBPayload;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * {@code gyrosentinel bridge --sparkplug GROUP/NODE --mqtt URI --demo 2}: two simulated fans with a model become Sparkplug B devices on
 * a real Mosquitto; a host subscribed before the bridge starts decodes the births and data with Tahu.
 */
@Timeout(90)
class BridgeSparkplugTest {
    private record Seen(String topic, SparkplugBPayload payload) {
    }

    @Test
    void bridgePublishesBirthsThenData() throws Exception {
        try (MosquittoBroker broker = MosquittoBroker.start()) {
            List<Seen> seen = new CopyOnWriteArrayList<>();
            MqttClient host = new MqttClient(broker.uri().replace("mqtt://", "tcp://"), "test-host",
                    new MemoryPersistence());
            host.connect(new MqttConnectionOptions());
            // (Paho 1.2.5's subscribe(String, int, listener) recurses into itself: the array form works)
            IMqttMessageListener decode = (topic, m) -> seen.add(new Seen(topic,
                    new SparkplugBPayloadDecoder().buildFromByteArray(m.getPayload(), null)));
            host.subscribe(new MqttSubscription[] {new MqttSubscription("spBv1.0/hall-3/#", 0)},
                    new IMqttMessageListener[] {decode});
            StringWriter out = new StringWriter();
            StringWriter err = new StringWriter();
            CompletableFuture<Integer> run = CompletableFuture.supplyAsync(() -> GyroSentinelCli.run(new String[] {
                "bridge", "--sparkplug", "hall-3/gw-1", "--mqtt", broker.uri(), "--sparkplug-interval", "200ms",
                "--duration", "5s", "--demo", "2"},
                    new PrintWriter(out, true), new PrintWriter(err, true)));
            assertEquals(0, run.get(), out + "\n" + err);
            host.disconnect();
            host.close();

            List<String> topics = new ArrayList<>(seen.stream().map(Seen::topic).toList());
            assertEquals("spBv1.0/hall-3/NBIRTH/gw-1", topics.get(0), topics.toString());
            List<String> births = topics.subList(1, 3);
            assertTrue(births.contains("spBv1.0/hall-3/DBIRTH/gw-1/demo-fan-01")
                    && births.contains("spBv1.0/hall-3/DBIRTH/gw-1/demo-fan-02"), topics.toString());
            assertTrue(topics.contains("spBv1.0/hall-3/DDATA/gw-1/demo-fan-01"), topics.toString());
            assertEquals("spBv1.0/hall-3/NDEATH/gw-1", topics.get(topics.size() - 1), "close() ends the node");
            SparkplugBPayload birth = seen.get(1).payload();
            List<String> names = birth.getMetrics().stream().map(Metric::getName).toList();
            assertTrue(names.containsAll(List.of("Score", "Threshold", "Anomaly", "Events", "Firmware")), names.toString());
            List<Seen> sequenced = seen.stream().filter(x -> !x.topic().contains("/NDEATH/")).toList();
            for (int i = 0; i < sequenced.size(); i++) {
                // seq +1 mod 256 over the node's messages (NDEATH carries none)
                assertEquals(i % 256, sequenced.get(i).payload().getSeq().longValue(), topics.toString());
            }
            assertTrue(out.toString().contains("publishing 2 device(s) as Sparkplug B devices"), out.toString());
        }
    }
}
