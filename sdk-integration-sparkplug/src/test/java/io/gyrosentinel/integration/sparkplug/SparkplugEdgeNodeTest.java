package io.gyrosentinel.integration.sparkplug;

import static io.gyrosentinel.integration.sparkplug.SparkplugSubscriber.u64;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.gyrosentinel.client.DeviceClient;
import io.gyrosentinel.client.DeviceWatch;
import io.gyrosentinel.client.StreamOptions;
import io.gyrosentinel.integration.sparkplug.SparkplugSubscriber.Msg;
import io.gyrosentinel.sim.Fault;
import io.gyrosentinel.sim.VirtualDevice;
import io.gyrosentinel.stream.GyroStream;
import io.gyrosentinel.testing.MovingAverageEngine;
import io.gyrosentinel.testing.PluggableTransport;
import io.gyrosentinel.transport.mqtt.MosquittoBroker;

import java.time.Duration;
import java.util.Date;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.eclipse.tahu.message.model.MetricDataType;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The edge node on a real Mosquitto, watched by a test host that decodes every message with Tahu: births in order,
 * data, an anomaly, a device drop, a rebirth request, an abrupt connection loss and a clean close.
 */
@Timeout(60)
class SparkplugEdgeNodeTest {
    private static final String GROUP = "plant-1";
    private static final String NODE = "gw-7";
    private static final String DEVICE = "fan-3";

    private MosquittoBroker broker;
    private SparkplugSubscriber host;

    @BeforeEach
    void startBroker() throws Exception {
        broker = MosquittoBroker.start();
        host = new SparkplugSubscriber(broker.uri(), GROUP);
    }

    @AfterEach
    void stopBroker() throws Exception {
        try {
            host.close();
        } finally {
            broker.close();
        }
    }

    private static double threshold() {
        return MovingAverageEngine.fanThreshold();
    }

    private SparkplugEdgeNode node(String uri, Duration interval) {
        return SparkplugEdgeNode.builder().broker(uri).groupId(GROUP).edgeNodeId(NODE).minPublishInterval(interval)
                .build();
    }

    /** Within each session (from an NBIRTH on), every seq is the previous one + 1 mod 256. */
    private void assertSeqContinuous() {
        Long prev = null;
        for (Msg m : host.messages()) {
            if (m.type().equals("NDEATH")) {
                assertNull(m.seq(), "NDEATH has no seq");
                continue;
            }
            if (m.type().equals("NCMD")) {
                continue;
            }
            assertNotNull(m.seq(), m.type() + " has a seq");
            if (m.type().equals("NBIRTH")) {
                assertEquals(0, m.seq(), "NBIRTH starts the seq at 0");
            } else {
                assertNotNull(prev, m.type() + " before any NBIRTH:" + host.summary());
                assertEquals((prev + 1) % 256, m.seq(), m.type() + " seq follows the previous:" + host.summary());
            }
            prev = m.seq();
        }
        assertEquals(List.of(), host.errors());
    }

    private static void assertNbirth(Msg m, long bdSeq) {
        assertEquals("NBIRTH", m.type());
        assertEquals(NODE, m.node());
        assertEquals(0, m.seq());
        assertEquals(bdSeq, m.bdSeq());
        assertEquals(MetricDataType.Int64, m.types().get("bdSeq"));
        assertEquals(false, m.value("Node Control/Rebirth"));
        assertEquals(MetricDataType.Boolean, m.types().get("Node Control/Rebirth"));
        assertFalse(m.aliases().containsKey("Node Control/Rebirth"), "no alias on Node Control/Rebirth");
        assertTrue(m.timestamp() > System.currentTimeMillis() - 60_000, "payload timestamp");
    }

    @Test
    void birthsInOrderThenScoresThenAnAnomaly() throws Exception {
        double threshold = threshold();
        try (VirtualDevice dev = VirtualDevice.builder().deviceId(DEVICE).realTime(true)
                .inferenceEngine(new MovingAverageEngine()).build();
             DeviceClient client = DeviceClient.builder().transport(dev.newTransport()).connect();
             DeviceWatch watch = DeviceWatch.follow(client);
             SparkplugEdgeNode node = node(broker.uri(), Duration.ofMillis(200))) {
            client.deploy(MovingAverageEngine.bundle("ma-1", MovingAverageEngine.manifest(40, 40, 8, threshold),
                    1000));
            node.start();
            assertTrue(node.isOnline());
            try (SparkplugEdgeNode.DeviceHandle h = node.addDevice(watch);
                 GyroStream s = client.stream(StreamOptions.defaults())) {
                s.collectTo(watch.collector());
                Msg score = host.await(0, m -> m.type().equals("DDATA") && m.values().get("Score") != null,
                        "a DDATA with a score");
                List<Msg> all = host.messages();
                assertNbirth(all.get(0), 0);
                Msg dbirth = all.get(1);
                assertEquals("DBIRTH", dbirth.type());
                assertEquals(DEVICE, dbirth.device());
                assertEquals(1, dbirth.seq());
                Map<String, MetricDataType> expected = new LinkedHashMap<>();
                expected.put("Score", MetricDataType.Float);
                expected.put("Threshold", MetricDataType.Float);
                expected.put("Anomaly", MetricDataType.Boolean);
                expected.put("Events", MetricDataType.UInt64);
                expected.put("LastEventTime", MetricDataType.DateTime);
                expected.put("Model", MetricDataType.String);
                expected.put("Firmware", MetricDataType.String);
                expected.put("Windows", MetricDataType.UInt64);
                expected.put("Link/Gaps", MetricDataType.UInt64);
                expected.put("Link/MissingSamples", MetricDataType.UInt64);
                expected.put("Event/Id", MetricDataType.UInt64);
                expected.put("Event/State", MetricDataType.String);
                expected.put("Event/PeakScore", MetricDataType.Float);
                expected.put("Event/Windows", MetricDataType.UInt32);
                expected.put("Event/Time", MetricDataType.DateTime);
                assertEquals(expected, dbirth.types(), "DBIRTH names every metric with its datatype");
                assertEquals(expected.size(), dbirth.aliases().values().stream().distinct().count(), "unique aliases");
                assertEquals(expected.size(), dbirth.metricTimestamps().size(), "every metric has a timestamp");
                assertEquals(false, dbirth.value("Anomaly"));
                assertEquals(client.info().firmwareVersion(), dbirth.value("Firmware"));
                assertEquals(0L, u64(dbirth.value("Events")));
                assertNull(dbirth.value("Event/State"), "no event yet: null");
                assertTrue(host.indexOf(score) >= 2);
                assertFalse(score.namesInData(), "DDATA carries aliases only");
                assertFalse(score.typesInData(), "DDATA carries no datatypes");
                assertEquals(threshold, ((Float) host.await(0, m -> m.type().equals("DDATA")
                        && m.values().get("Threshold") != null, "the threshold").value("Threshold")), 1e-4 * threshold);
                assertTrue((Float) score.value("Score") < threshold);

                int before = host.messages().size();
                dev.injectFault(new Fault.Imbalance(2.0));
                Msg started = host.await(before, m -> m.type().equals("DDATA")
                        && Boolean.TRUE.equals(m.values().get("Anomaly")), "Anomaly = true");
                assertEquals("STARTED", started.value("Event/State"));
                assertEquals(1L, u64(started.value("Events")));
                assertTrue((Float) started.value("Event/PeakScore") > threshold);
                assertNotNull(started.value("Event/Id"));
                assertTrue(((Date) started.value("LastEventTime")).getTime() > System.currentTimeMillis() - 60_000);
                dev.clearFaults();
                Msg ended = host.await(host.indexOf(started), m -> m.type().equals("DDATA")
                        && Boolean.FALSE.equals(m.values().get("Anomaly")), "Anomaly = false");
                assertEquals("ENDED", ended.value("Event/State"));
                assertFalse(ended.values().containsKey("Events"), "unchanged metrics are not repeated");
                assertSeqContinuous();
                assertTrue(host.messages().size() > 5);
            }
            Msg ddeath = host.await(0, m -> m.type().equals("DDEATH"), "DDEATH when the device is removed");
            assertEquals(DEVICE, ddeath.device());
            assertSeqContinuous();
        }
        Msg ndeath = host.await(0, m -> m.type().equals("NDEATH"), "NDEATH on close()");
        assertEquals(0, ndeath.bdSeq());
        assertEquals(MetricDataType.Int64, ndeath.types().get("bdSeq"));
    }

    @Test
    void seqWrapsFrom255To0() throws Exception {
        try (VirtualDevice dev = VirtualDevice.builder().deviceId(DEVICE).realTime(true)
                .inferenceEngine(new MovingAverageEngine()).build();
             DeviceClient client = DeviceClient.builder().transport(dev.newTransport()).connect();
             DeviceWatch watch = DeviceWatch.follow(client);
             SparkplugEdgeNode node = node(broker.uri(), Duration.ZERO)) {
            client.deploy(MovingAverageEngine.bundle("ma-1", MovingAverageEngine.manifest(40, 40, 8, threshold()),
                    1000));
            node.start();
            node.addDevice(watch);
            try (GyroStream s = client.stream(StreamOptions.defaults())) {
                // every window's score goes out (~24/s): seq passes 255 within seconds
                Msg wrapped = host.await(0, m -> m.type().equals("DDATA") && m.seq() == 0, "a DDATA with seq 0");
                assertEquals(255, host.messages().get(host.indexOf(wrapped) - 1).seq());
                assertEquals(1, host.messages().stream().filter(m -> m.type().equals("NBIRTH")).count());
                assertSeqContinuous();
            }
        }
    }

    @Test
    void aDroppedDeviceDiesAndIsBornAgain() throws Exception {
        try (VirtualDevice dev = VirtualDevice.builder().deviceId(DEVICE).realTime(true)
                .inferenceEngine(new MovingAverageEngine()).build()) {
            PluggableTransport cable = new PluggableTransport(dev.newTransport());
            try (DeviceClient client = DeviceClient.builder().transport(cable).connect();
                 DeviceWatch watch = DeviceWatch.follow(client);
                 SparkplugEdgeNode node = node(broker.uri(), Duration.ofSeconds(1))) {
                node.addDevice(watch); // before start: born with the node
                node.start();
                host.await(0, m -> m.type().equals("DBIRTH"), "DBIRTH");
                cable.unplug();
                Msg death = host.await(0, m -> m.type().equals("DDEATH"), "DDEATH");
                assertEquals(DEVICE, death.device());
                assertEquals(2, death.seq(), "NBIRTH 0, DBIRTH 1, DDEATH 2");
                assertTrue(death.values().isEmpty());
                cable.plug();
                Msg reborn = host.await(host.indexOf(death), m -> m.type().equals("DBIRTH"), "DBIRTH after return");
                assertEquals(3, reborn.seq());
                assertEquals(15, reborn.values().size());
                assertSeqContinuous();
            }
        }
    }

    @Test
    void aRebirthRequestRepublishesTheBirths() throws Exception {
        try (VirtualDevice dev = VirtualDevice.builder().deviceId(DEVICE).realTime(true)
                .inferenceEngine(new MovingAverageEngine()).build();
             DeviceClient client = DeviceClient.builder().transport(dev.newTransport()).connect();
             DeviceWatch watch = DeviceWatch.follow(client);
             SparkplugEdgeNode node = node(broker.uri(), Duration.ofSeconds(1))) {
            node.start();
            node.addDevice(watch);
            host.await(0, m -> m.type().equals("DBIRTH"), "DBIRTH");
            IllegalArgumentException twice = org.junit.jupiter.api.Assertions.assertThrows(
                    IllegalArgumentException.class, () -> node.addDevice(watch));
            assertTrue(twice.getMessage().contains("already published"), twice.getMessage());
            int before = host.messages().size();
            host.requestRebirth(NODE);
            Msg nbirth = host.await(before, m -> m.type().equals("NBIRTH"), "NBIRTH after the rebirth request");
            assertNbirth(nbirth, 0); // same session: same bdSeq, seq back to 0
            Msg dbirth = host.await(host.indexOf(nbirth), m -> m.type().equals("DBIRTH"), "DBIRTH after it");
            assertEquals(1, dbirth.seq());
            assertEquals(DEVICE, dbirth.device());
            assertSeqContinuous();
            assertEquals(0, host.messages().stream().filter(m -> m.type().equals("NDEATH")).count());
        }
    }

    @Test
    void birthsWaitForThePrimaryHostApplication() throws Exception {
        host.publishState("scada-1", false, 1000);
        try (VirtualDevice dev = VirtualDevice.builder().deviceId(DEVICE).realTime(true)
                .inferenceEngine(new MovingAverageEngine()).build();
             DeviceClient client = DeviceClient.builder().transport(dev.newTransport()).connect();
             DeviceWatch watch = DeviceWatch.follow(client);
             SparkplugEdgeNode node = SparkplugEdgeNode.builder().broker(broker.uri()).groupId(GROUP)
                     .edgeNodeId(NODE).primaryHostId("scada-1").build()) {
            node.start();
            node.addDevice(watch);
            Thread.sleep(1000);
            assertEquals(List.of(), host.messages(), "no birth while the primary host is offline");
            assertFalse(node.isOnline());

            host.publishState("scada-1", true, 2000);
            Msg nbirth = host.await(0, m -> m.type().equals("NBIRTH"), "NBIRTH once the host is online");
            assertNbirth(nbirth, 0);
            host.await(0, m -> m.type().equals("DBIRTH"), "DBIRTH");
            assertTrue(node.isOnline());

            host.publishState("scada-1", false, 1500); // older than the online STATE: ignored
            host.requestRebirth(NODE);
            Msg reborn = host.await(host.indexOf(nbirth) + 1, m -> m.type().equals("NBIRTH"), "NBIRTH on rebirth");
            assertNbirth(reborn, 0);
            assertTrue(host.messages().stream().noneMatch(m -> m.type().equals("NDEATH")), "stale STATE ignored");

            host.publishState("scada-1", false, 3000);
            Msg ndeath = host.await(0, m -> m.type().equals("NDEATH"), "NDEATH when the host goes offline");
            assertEquals(0, ndeath.bdSeq());
            Thread.sleep(1500); // the node reconnects (bdSeq 1) and waits again
            assertTrue(host.messages().subList(host.indexOf(ndeath), host.messages().size()).stream()
                    .noneMatch(m -> m.type().equals("NBIRTH")), "no birth while the host is offline");
            host.publishState("scada-1", true, 4000);
            Msg back = host.await(host.indexOf(ndeath), m -> m.type().equals("NBIRTH"), "NBIRTH when it is back");
            assertNbirth(back, 1);
            host.await(host.indexOf(back), m -> m.type().equals("DBIRTH"), "DBIRTH when it is back");
            assertSeqContinuous();
        }
    }

    @Test
    void anAbruptLossDeliversTheWillAndANewSessionFollows() throws Exception {
        try (TcpProxy proxy = new TcpProxy(broker.port());
             VirtualDevice dev = VirtualDevice.builder().deviceId(DEVICE).realTime(true)
                     .inferenceEngine(new MovingAverageEngine()).build();
             DeviceClient client = DeviceClient.builder().transport(dev.newTransport()).connect();
             DeviceWatch watch = DeviceWatch.follow(client)) {
            SparkplugEdgeNode node = node("mqtt://127.0.0.1:" + proxy.port(), Duration.ofSeconds(1));
            try {
                node.start();
                node.addDevice(watch);
                Msg first = host.await(0, m -> m.type().equals("NBIRTH"), "NBIRTH");
                host.await(0, m -> m.type().equals("DBIRTH"), "DBIRTH");
                proxy.cutAll();
                Msg will = host.await(0, m -> m.type().equals("NDEATH"), "the Will NDEATH");
                assertEquals(first.bdSeq(), will.bdSeq(), "the Will carries the NBIRTH's bdSeq");
                assertNull(will.seq());
                Msg second = host.await(host.indexOf(will), m -> m.type().equals("NBIRTH"), "a new NBIRTH");
                assertNbirth(second, first.bdSeq() + 1);
                Msg dbirth = host.await(host.indexOf(second), m -> m.type().equals("DBIRTH"), "a new DBIRTH");
                assertEquals(1, dbirth.seq());
                assertTrue(node.isOnline());
                assertSeqContinuous();
            } finally {
                node.close();
            }
            Msg last = host.await(0, m -> m.type().equals("NDEATH") && m.bdSeq() == 1, "NDEATH on close()");
            assertEquals(1, last.bdSeq());
            assertFalse(node.isOnline());
        }
    }
}
