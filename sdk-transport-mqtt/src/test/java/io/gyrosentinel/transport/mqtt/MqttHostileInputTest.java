package io.gyrosentinel.transport.mqtt;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.gyrosentinel.client.DeviceClient;
import io.gyrosentinel.sim.VirtualDevice;
import io.gyrosentinel.stream.GyroStream;
import io.gyrosentinel.transport.mqtt.internal.StatusJson;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.function.BooleanSupplier;
import org.eclipse.paho.mqttv5.client.MqttClient;
import org.eclipse.paho.mqttv5.client.persist.MemoryPersistence;
import org.eclipse.paho.mqttv5.common.MqttMessage;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Network input that once stopped a fleet: a retained status with a 5000-character firmware string overflowed the
 * status parser's regex (StackOverflowError, not a RuntimeException), Paho dropped the connection, the broker
 * redelivered the message, and the fleet reconnected forever while a DeviceClient stream froze. Also device ids that
 * are not ids, and a flood of them.
 */
@Timeout(120)
class MqttHostileInputTest {
    private static MosquittoBroker broker;

    @BeforeAll
    static void startBroker() {
        broker = MosquittoBroker.start();
    }

    @AfterAll
    static void stopBroker() {
        broker.close();
    }

    /** A plain MQTT client playing the attacker (or a broken device). */
    record Pub(MqttClient client) implements AutoCloseable {
        @Override
        public void close() throws Exception {
            client.disconnect();
            client.close();
        }
    }

    private static Pub publisher() throws Exception {
        MqttClient c = new MqttClient(broker.uri().replace("mqtt://", "tcp://"), "hostile-" + System.nanoTime(),
                new MemoryPersistence());
        c.connect();
        return new Pub(c);
    }

    private static void publish(Pub p, String topic, String payload, boolean retained) throws Exception {
        MqttMessage m = new MqttMessage(payload.getBytes(StandardCharsets.UTF_8));
        m.setQos(1);
        m.setRetained(retained);
        p.client().publish(topic, m);
    }

    private static void await(BooleanSupplier cond, Duration max, String what) throws InterruptedException {
        long end = System.nanoTime() + max.toNanos();
        while (!cond.getAsBoolean()) {
            assertTrue(System.nanoTime() < end, "timed out waiting for: " + what);
            Thread.sleep(20);
        }
    }

    @Test
    void theStatusParserIsLinearAndBounded() {
        String big = "x".repeat(200_000);
        Map<String, String> m = StatusJson.parse(("{\"state\":\"online\",\"firmware\":\"" + "\\\"".repeat(1000) + "\"}")
                .getBytes(StandardCharsets.UTF_8));
        assertEquals("online", m.get("state"));
        assertEquals(StatusJson.MAX_VALUE, m.get("firmware").length());
        assertTrue(StatusJson.parse(("{\"firmware\":\"" + big + "\"}").getBytes(StandardCharsets.UTF_8)).isEmpty(),
                "over MAX_PAYLOAD: not a status");
        Map<String, String> cut = StatusJson.parse(("{\"state\":\"online\",\"firmware\":\"" + "y".repeat(3000)
                + "\",\"protocol\":1}").getBytes(StandardCharsets.UTF_8));
        assertEquals(StatusJson.MAX_VALUE, cut.get("firmware").length());
        assertEquals("1", cut.get("protocol"));
    }

    @Test
    void mutatedStatusesNeverThrowAndStayBounded() {
        // seeded random mutation of valid statuses, bounded for CI (the same harness idea as sdk-core's
        // HostileInputFuzzTest): parse must never throw and never return more than it promises
        java.util.Random r = new java.util.Random(20261204L);
        byte[][] seeds = {StatusJson.online("pump-7", "1.2.0", 1, 1732560000000L),
                StatusJson.offline("pump-7", "lost", 1732560000000L)};
        for (int i = 0; i < 20_000; i++) {
            byte[] b = seeds[r.nextInt(seeds.length)].clone();
            for (int k = 0, n = 1 + r.nextInt(4); k < n; k++) {
                int at = r.nextInt(b.length);
                switch (r.nextInt(3)) {
                    case 0 -> b[at] = (byte) "\"\\{}:,\u0000x9 ".charAt(r.nextInt(10));
                    case 1 -> b = java.util.Arrays.copyOf(b, at + 1);
                    default -> {
                        byte[] c = new byte[b.length + 40];
                        System.arraycopy(b, 0, c, 0, at);
                        java.util.Arrays.fill(c, at, at + 40, (byte) (r.nextBoolean() ? '\\' : '"'));
                        System.arraycopy(b, at, c, at + 40, b.length - at);
                        b = c;
                    }
                }
            }
            Map<String, String> m = StatusJson.parse(b);
            assertTrue(m.size() <= 32);
            m.values().forEach(v -> assertTrue(v.length() <= StatusJson.MAX_VALUE));
        }
    }

    @Test
    void aPoisonRetainedStatusDoesNotStopTheFleetOrADeviceClientStream() throws Exception {
        try (VirtualDevice dev = VirtualDevice.builder().deviceId("victim-1").build();
             MqttDeviceBridge bridge = MqttDeviceBridge.attach(dev, broker.uri() + "/victim-1");
             MqttFleet fleet = MqttFleet.builder().broker(broker.uri()).build();
             DeviceClient client = DeviceClient.connect(broker.uri() + "/victim-1");
             GyroStream s = client.stream();
             Pub pub = publisher()) {
            assertNotNull(s.poll(Duration.ofSeconds(5)));
            // 5000 characters of escapes in the firmware field, retained, QoS 1: once the fleet's and the client's
            // parser died on it, were disconnected and got it again at every reconnect
            String poison = "{\"state\":\"online\",\"deviceId\":\"victim-1\",\"firmware\":\"" + "\\\"".repeat(2500)
                    + "\",\"protocol\":1}";
            publish(pub, "gyrosentinel/v1/victim-1/status", poison, true);
            publish(pub, "gyrosentinel/v1/poison-2/status", poison.replace("victim-1", "poison-2"), true);
            await(() -> fleet.devices().containsKey("poison-2"), Duration.ofSeconds(10), "the fleet read the status");
            long before = s.stats().samples();
            long end = System.nanoTime() + Duration.ofSeconds(2).toNanos();
            while (System.nanoTime() < end) {
                s.poll(Duration.ofMillis(100));
            }
            assertTrue(s.stats().samples() > before, "the stream kept flowing");
            assertTrue(client.ping().toMillis() < 2000, "the client still answers");
            assertEquals(0, fleet.stats().reconnects(), "the fleet was never disconnected");
            assertEquals(0, client.stats().reconnects(), "the client was never disconnected");
            // over StatusJson.MAX_PAYLOAD: read as a status with no fields (the device is known, nothing else)
            assertTrue(fleet.devices().get("poison-2").firmware().length() <= StatusJson.MAX_VALUE);
            // clear the retained poison for the other tests
            publish(pub, "gyrosentinel/v1/victim-1/status", "", true);
            publish(pub, "gyrosentinel/v1/poison-2/status", "", true);
        }
    }

    @Test
    void deviceIdsThatAreNotIdsAreRejectedAndCounted() throws Exception {
        try (MqttFleet fleet = MqttFleet.builder().broker(broker.uri()).build();
             Pub pub = publisher()) {
            String[] bad = {"..", "a b", "\u202Eevil", "x".repeat(65), "-dash-first", "semi;colon"};
            for (String id : bad) {
                publish(pub, "gyrosentinel/v1/" + id + "/status", "{\"state\":\"online\"}", false);
            }
            publish(pub, "gyrosentinel/v1/fine-id.1/status", "{\"state\":\"online\"}", false);
            await(() -> fleet.devices().containsKey("fine-id.1"), Duration.ofSeconds(10), "the valid id");
            await(() -> fleet.stats().rejected() >= bad.length, Duration.ofSeconds(10), "every bad id counted");
            for (String id : bad) {
                assertFalse(fleet.devices().containsKey(id), "refused: " + id);
            }
        }
    }

    @Test
    void theFleetForgetsTheLongestSilentDevicesWhenItIsFull() throws Exception {
        try (MqttFleet fleet = MqttFleet.builder().broker(broker.uri()).maxDevices(50).build();
             Pub pub = publisher()) {
            for (int i = 0; i < 200; i++) {
                publish(pub, "gyrosentinel/v1/flood-" + i + "/status", "{\"state\":\"online\"}", false);
            }
            await(() -> fleet.devices().containsKey("flood-199"), Duration.ofSeconds(20), "the last device");
            assertTrue(fleet.devices().size() <= 50, "bounded: " + fleet.devices().size());
            assertTrue(fleet.stats().evicted() >= 150, "evicted " + fleet.stats().evicted());
            assertFalse(fleet.devices().containsKey("flood-0"), "the longest silent was forgotten");
        }
    }
}
