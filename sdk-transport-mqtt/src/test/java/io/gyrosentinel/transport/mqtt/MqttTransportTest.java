package io.gyrosentinel.transport.mqtt;

import io.gyrosentinel.ErrorCode;
import io.gyrosentinel.GyroSentinelException;
import io.gyrosentinel.InferenceResult;
import io.gyrosentinel.client.DeviceClient;
import io.gyrosentinel.internal.wire.v1.Envelope;
import io.gyrosentinel.sim.VirtualDevice;
import io.gyrosentinel.transport.Transport;
import io.gyrosentinel.transport.Transports;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.time.Duration;
import java.util.Set;
import java.util.concurrent.ConcurrentSkipListSet;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

@Timeout(90)
class MqttTransportTest {

    @Test
    void bothSchemesAreInstalledThroughServiceLoader() {
        assertInstanceOf(MqttTransportProvider.class, Transports.forScheme("mqtt"));
        assertInstanceOf(MqttTransportProvider.class, Transports.forScheme("mqtts"));
    }

    @Test
    void badUrisAreRejectedWithTheReason() {
        assertBadUri("mqtt://localhost:1883", "no device id");
        assertBadUri("mqtt://localhost:1883/a/b", "device id 'a/b'");
        assertBadUri("mqtt://localhost:1883/pump+7", "device id");
        assertBadUri("mqtt://localhost:1883/dev?sampleQos=2", "sampleQos=2");
        assertBadUri("mqtt://localhost:1883/dev?sesionExpiry=5", "unknown parameter 'sesionExpiry'");
        assertBadUri("mqtt://localhost:1883/dev?sessionExpiry=-1", "sessionExpiry");
        assertBadUri("mqtt://localhost:1883/dev?caFile=/tmp/ca.pem", "caFile only applies to mqtts://");
        assertBadUri("mqtts://localhost:8883/dev?caFile=/no/such/ca.pem", "does not exist");
        assertBadUri("mqtt://localhost:1883/dev?password=x", "password given without username");
        GyroSentinelException e = assertThrows(GyroSentinelException.class,
                () -> Transports.open("mqtt://localhost:1883/dev?username=u&password=secret&bogus=1"));
        assertTrue(!e.getMessage().contains("secret"), "password must not appear: " + e.getMessage());
    }

    private static void assertBadUri(String uri, String expected) {
        GyroSentinelException e = assertThrows(GyroSentinelException.class, () -> Transports.open(uri));
        assertEquals(ErrorCode.BAD_URI, e.code());
        assertTrue(e.getMessage().contains(expected), e.getMessage());
    }

    @Test
    void aBrokerThatIsNotRunningGivesATransportError() {
        int port;
        try (MosquittoBroker b = MosquittoBroker.start()) {
            port = b.port();
        }
        GyroSentinelException e = assertThrows(GyroSentinelException.class,
                () -> DeviceClient.connect("mqtt://127.0.0.1:" + port + "/dev"));
        assertEquals(ErrorCode.TRANSPORT, e.code());
        assertTrue(e.getMessage().contains("connection refused"), e.getMessage());
    }

    @Test
    void wrongPasswordIsRefusedWithAClearMessageAndTheRightOneWorks() {
        try (MosquittoBroker b = MosquittoBroker.start(MosquittoBroker.Config.plain().withPassword("ops", "s3cret"));
             VirtualDevice dev = VirtualDevice.builder().deviceId("auth-1").realTime(false).build()) {
            String good = b.uri() + "/auth-1?username=ops&password=s3cret";
            GyroSentinelException e = assertThrows(GyroSentinelException.class,
                    () -> DeviceClient.connect(b.uri() + "/auth-1?username=ops&password=wrong"));
            assertEquals(ErrorCode.TRANSPORT, e.code());
            assertTrue(e.getMessage().contains("broker refused") && e.getMessage().contains("check username/password"),
                    e.getMessage());
            assertTrue(!e.getMessage().contains("wrong"), "password must not appear: " + e.getMessage());
            GyroSentinelException anon = assertThrows(GyroSentinelException.class,
                    () -> DeviceClient.connect(b.uri() + "/auth-1"));
            assertTrue(anon.getMessage().contains("not authorised — check username/password"), anon.getMessage());
            try (MqttDeviceBridge bridge = MqttDeviceBridge.attach(dev, good);
                 DeviceClient c = DeviceClient.connect(good)) {
                assertEquals("auth-1", c.info().deviceId());
            }
        }
    }

    @Test
    void tlsWithTheTestCaConnectsAndWithoutItFailsClearly() {
        TestPki pki = TestPki.generate();
        try (MosquittoBroker b = MosquittoBroker.start(MosquittoBroker.Config.plain().withTls(pki));
             VirtualDevice dev = VirtualDevice.builder().deviceId("tls-1").realTime(false).build()) {
            String uri = b.uri() + "/tls-1?caFile=" + pki.caFile();
            try (MqttDeviceBridge bridge = MqttDeviceBridge.attach(dev, uri);
                 DeviceClient c = DeviceClient.connect(uri)) {
                assertEquals("tls-1", c.info().deviceId());
                assertTrue(c.ping().toMillis() < 5000);
            }
            GyroSentinelException e = assertThrows(GyroSentinelException.class,
                    () -> DeviceClient.connect(b.uri() + "/tls-1"));
            assertEquals(ErrorCode.TRANSPORT, e.code());
            assertTrue(e.getMessage().contains("TLS handshake"), e.getMessage());
            GyroSentinelException plain = assertThrows(GyroSentinelException.class,
                    () -> DeviceClient.connect("mqtt://127.0.0.1:" + b.port() + "/tls-1?connectTimeout=2"));
            assertEquals(ErrorCode.TRANSPORT, plain.code());
        }
    }

    @Test
    void brokerRestartMidStreamLosesNoQos1Result() throws Exception {
        int n = 1500;
        try (MosquittoBroker b = MosquittoBroker.start();
             VirtualDevice dev = VirtualDevice.builder().deviceId("rst-1").build();
             MqttDeviceBridge bridge = MqttDeviceBridge.attach(dev, b.uri() + "/rst-1");
             Transport host = Transports.open(b.uri() + "/rst-1")) {
            Set<Long> windows = new ConcurrentSkipListSet<>();
            AtomicInteger downs = new AtomicInteger();
            AtomicInteger ups = new AtomicInteger();
            host.start(new Transport.Listener() {
                public void onFrame(byte[] buf, int off, int len) {
                    try {
                        Envelope env = Envelope.parser().parseFrom(buf, off, len);
                        if (env.getBodyCase() == Envelope.BodyCase.INFERENCE_RESULT) {
                            windows.add(env.getInferenceResult().getWindow());
                        }
                    } catch (Exception e) {
                        throw new AssertionError(e);
                    }
                }

                public void onConnected(boolean reconnect) {
                    if (reconnect) {
                        ups.incrementAndGet();
                    }
                }

                public void onDisconnected(Throwable cause, boolean willReconnect) {
                    assertTrue(willReconnect);
                    downs.incrementAndGet();
                }
            });
            Thread producer = new Thread(() -> {
                for (int w = 0; w < n; w++) {
                    InferenceResult r = new InferenceResult(w, w * 1000L, w * 1000L + 999, 0.1f, 0.5f, false,
                            new float[] {0.1f, 0.1f, 0.1f}, 900, "m1");
                    dev.publish(r);
                    sleepMillis(2);
                }
            });
            producer.start();
            while (windows.size() < n / 3) {
                sleepMillis(5);
            }
            b.restart();
            producer.join();
            long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            while (windows.size() < n && System.nanoTime() < deadline) {
                sleepMillis(20);
            }
            assertEquals(n, windows.size(), "results lost: " + missing(windows, n) + " published=" + bridge.published()
                    + " dropped=" + bridge.dropped() + " unacked=" + bridge.unacknowledged() + " hostIn=" + host.stats().framesIn() + " connected=" + bridge.isConnected() + "; broker log:\n" + b.log());
            assertEquals(0, bridge.dropped());
            assertTrue(downs.get() >= 1 && ups.get() >= 1, "disconnect/reconnect seen: " + downs + "/" + ups);
            assertTrue(host.stats().reconnects() >= 1);
        }
    }

    @Test
    void deviceClientResumesStreamingAfterABrokerRestart() {
        try (MosquittoBroker b = MosquittoBroker.start();
             VirtualDevice dev = VirtualDevice.builder().deviceId("rst-2").build();
             MqttDeviceBridge bridge = MqttDeviceBridge.attach(dev, b.uri() + "/rst-2");
             DeviceClient c = DeviceClient.connect(b.uri() + "/rst-2");
             var s = c.stream()) {
            assertTrue(s.poll(Duration.ofSeconds(5)) != null);
            b.restart();
            long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            while (c.stats().reconnects() == 0 && System.nanoTime() < deadline) {
                sleepMillis(50);
            }
            assertTrue(c.stats().reconnects() >= 1, "client saw the reconnect");
            long before = s.stats().samples();
            long until = System.nanoTime() + Duration.ofSeconds(15).toNanos();
            while (s.stats().samples() <= before && System.nanoTime() < until) {
                s.poll(Duration.ofMillis(200));
            }
            assertTrue(s.poll(Duration.ofSeconds(5)) != null, "samples flow again after the restart");
            assertTrue(c.ping().toMillis() < 5000);
        }
    }

    @Test
    void afterABrokerKill9TheClientResumesReportsReconnectedAndCountsTheGap() throws Exception {
        try (MosquittoBroker b = MosquittoBroker.start();
             VirtualDevice dev = VirtualDevice.builder().deviceId("kill-1").build();
             MqttDeviceBridge bridge = MqttDeviceBridge.attach(dev, b.uri() + "/kill-1");
             DeviceClient c = DeviceClient.connect(b.uri() + "/kill-1");
             var s = c.stream()) {
            java.util.List<io.gyrosentinel.client.ConnectionEvent> events =
                    java.util.Collections.synchronizedList(new java.util.ArrayList<>());
            c.connectionEvents().subscribe(new java.util.concurrent.Flow.Subscriber<>() {
                public void onSubscribe(java.util.concurrent.Flow.Subscription x) { x.request(Long.MAX_VALUE); }
                public void onNext(io.gyrosentinel.client.ConnectionEvent e) { events.add(e); }
                public void onError(Throwable t) { }
                public void onComplete() { }
            });
            assertTrue(s.poll(Duration.ofSeconds(5)) != null);
            b.killAndRestart(Duration.ofSeconds(6));
            long deadline = System.nanoTime() + Duration.ofSeconds(40).toNanos();
            while (System.nanoTime() < deadline && events.stream().noneMatch(
                    e -> e.type() == io.gyrosentinel.client.ConnectionEvent.Type.RECONNECTED)) {
                s.poll(Duration.ofMillis(100));
            }
            var types = events.stream().map(e -> e.type()).toList();
            assertTrue(types.contains(io.gyrosentinel.client.ConnectionEvent.Type.RECONNECTED),
                    "RECONNECTED after the broker came back: " + events);
            int last = types.lastIndexOf(io.gyrosentinel.client.ConnectionEvent.Type.RECONNECTED);
            assertFalse(types.subList(last, types.size()).contains(io.gyrosentinel.client.ConnectionEvent.Type.LINK_LOST),
                    "no LINK_LOST after the resume: " + events);
            long before = s.stats().samples();
            long until = System.nanoTime() + Duration.ofSeconds(10).toNanos();
            while (s.stats().samples() <= before + 960 && System.nanoTime() < until) {
                s.poll(Duration.ofMillis(100));
            }
            assertTrue(s.stats().samples() > before + 960, "samples flow after the resume");
            assertTrue(s.stats().gaps() >= 1 && s.stats().missingSamples() > 0, "the outage is a gap: " + s.stats());
            assertTrue(c.ping().toMillis() < 5000);
        }
    }

    private static String missing(Set<Long> got, int n) {
        StringBuilder sb = new StringBuilder();
        long start = -1;
        for (long w = 0; w <= n; w++) {
            boolean miss = w < n && !got.contains(w);
            if (miss && start < 0) {
                start = w;
            } else if (!miss && start >= 0) {
                sb.append(start).append("..").append(w - 1).append(' ');
                start = -1;
            }
        }
        return sb.toString();
    }

    static void sleepMillis(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
