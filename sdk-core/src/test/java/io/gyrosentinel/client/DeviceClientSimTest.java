package io.gyrosentinel.client;

import io.gyrosentinel.ErrorCode;
import io.gyrosentinel.GyroSentinelException;
import io.gyrosentinel.SampleBlock;
import io.gyrosentinel.SensorConfig;
import io.gyrosentinel.Telemetry;
import io.gyrosentinel.internal.wire.v1.Envelope;
import io.gyrosentinel.internal.wire.v1.Hello;
import io.gyrosentinel.sim.VirtualDevice;
import io.gyrosentinel.stream.GyroStream;
import io.gyrosentinel.stream.Window;
import io.gyrosentinel.transport.Transport;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Flow;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

@Timeout(60)
class DeviceClientSimTest {

    @Test
    void handshakeReportsTheVirtualDevice() {
        try (DeviceClient c = DeviceClient.connect("sim:?id=fan-7&realtime=false")) {
            assertEquals("fan-7", c.info().deviceId());
            assertEquals(1, c.info().protocolVersion());
            assertEquals("virtual", c.info().chip());
            assertEquals(2, c.info().modelSlots().size());
            assertEquals(SensorConfig.defaults(), c.config());
        }
    }

    @Test
    void streamsTenThousandSamplesWithoutGapsInOrder() {
        try (DeviceClient c = DeviceClient.connect("sim:?realtime=false")) {
            c.configure(SensorConfig.builder().odrHz(3840).fullScaleDps(500).batchSize(100).build());
            try (GyroStream s = c.stream(StreamOptions.defaults().withMaxSamples(10_000))) {
                long expected = 0;
                long total = 0;
                SampleBlock b;
                while ((b = s.poll(Duration.ofSeconds(10))) != null) {
                    assertEquals(expected, b.firstSample());
                    assertEquals(0, b.missingBefore());
                    assertEquals(3, b.channels());
                    assertEquals(260_417, b.periodNanos());
                    expected = b.endSample();
                    total += b.count();
                }
                assertEquals(10_000, total);
                assertEquals(0, s.stats().gaps());
                assertTrue(s.isDone(), "the device ended the stream after max samples");
            }
        }
    }

    @Test
    void samplesAreInDegreesPerSecondAtTheConfiguredFullScale() {
        try (DeviceClient c = DeviceClient.connect("sim:?realtime=false&rpm=1200")) {
            c.configure(SensorConfig.builder().odrHz(960).fullScaleDps(125).build());
            try (GyroStream s = c.stream(StreamOptions.defaults().withMaxSamples(960))) {
                double sumSq = 0;
                int n = 0;
                SampleBlock b;
                while ((b = s.poll(Duration.ofSeconds(10))) != null) {
                    assertEquals(125 * 35e-6, b.scale()[0], 1e-9);
                    for (int i = 0; i < b.count(); i++) {
                        sumSq += b.value(i, 0) * b.value(i, 0);
                        n++;
                    }
                }
                double rms = Math.sqrt(sumSq / n);
                // X: 2.0 dps fundamental, 0.35 and 0.15 harmonics, 0.15 dps noise -> rms ~ 1.54 dps
                assertTrue(rms > 1.3 && rms < 1.8, "rms " + rms);
            }
        }
    }

    @Test
    void realTimeStreamingKeepsTheConfiguredRate() {
        try (DeviceClient c = DeviceClient.connect("sim:")) {
            c.configure(SensorConfig.builder().odrHz(960).batchSize(48).build());
            long t0 = System.nanoTime();
            try (GyroStream s = c.stream(StreamOptions.defaults().withMaxSamples(960))) {
                long n = 0;
                SampleBlock b;
                while ((b = s.poll(Duration.ofSeconds(5))) != null) {
                    n += b.count();
                }
                assertEquals(960, n);
            }
            double secs = (System.nanoTime() - t0) / 1e9;
            assertTrue(secs > 0.8, "960 samples at 960 Hz take about a second, took " + secs);
        }
    }

    @Test
    void publisherDeliversBlocksOffTheIoThread() throws Exception {
        try (DeviceClient c = DeviceClient.connect("sim:?realtime=false")) {
            CountDownLatch done = new CountDownLatch(1);
            List<String> threads = new CopyOnWriteArrayList<>();
            long[] count = new long[1];
            try (GyroStream s = c.stream(StreamOptions.defaults().withMaxSamples(4800))) {
                s.subscribe(new Flow.Subscriber<>() {
                    public void onSubscribe(Flow.Subscription sub) { sub.request(Long.MAX_VALUE); }
                    public void onNext(SampleBlock b) { threads.add(Thread.currentThread().getName()); count[0] += b.count(); }
                    public void onError(Throwable t) { done.countDown(); }
                    public void onComplete() { done.countDown(); }
                });
                assertTrue(done.await(20, TimeUnit.SECONDS));
            }
            assertEquals(4800, count[0]);
            assertTrue(threads.stream().noneMatch(t -> t.startsWith("gs-io")), threads.toString());
        }
    }

    @Test
    void slidingWindowsHaveTheRequestedSizeAndStride() throws Exception {
        try (DeviceClient c = DeviceClient.connect("sim:?realtime=false")) {
            List<Window> windows = new CopyOnWriteArrayList<>();
            CountDownLatch done = new CountDownLatch(1);
            try (GyroStream s = c.stream(StreamOptions.defaults().withMaxSamples(1000))) {
                s.windows(40, 10).subscribe(new Flow.Subscriber<>() {
                    public void onSubscribe(Flow.Subscription sub) { sub.request(Long.MAX_VALUE); }
                    public void onNext(Window w) { windows.add(w); }
                    public void onError(Throwable t) { done.countDown(); }
                    public void onComplete() { done.countDown(); }
                });
                assertTrue(done.await(20, TimeUnit.SECONDS));
            }
            assertEquals((1000 - 40) / 10 + 1, windows.size());
            for (int i = 0; i < windows.size(); i++) {
                assertEquals(i * 10L, windows.get(i).startSample());
                assertEquals(40 * 3, windows.get(i).values().length);
            }
        }
    }

    @Test
    void pingAndTelemetryAnswer() {
        try (DeviceClient c = DeviceClient.connect("sim:")) {
            Duration rtt = c.ping();
            assertTrue(rtt.toMillis() < 2000);
            Telemetry t = c.telemetry();
            assertTrue(t.uptimeMillis() >= 5000, "virtual device boots at 5 s: " + t.uptimeMillis());
            CompletableFuture<Duration> f = c.async().ping();
            assertNotNull(f.join());
        }
    }

    @Test
    void invalidConfigurationIsRejectedNamingTheField() {
        try (DeviceClient c = DeviceClient.connect("sim:")) {
            GyroSentinelException e = assertThrows(GyroSentinelException.class,
                    () -> SensorConfig.builder().odrHz(5000).build());
            assertEquals("configure.odr_hz", e.field());
            assertEquals(ErrorCode.INVALID_ARGUMENT, e.code());
            assertTrue(e.getMessage().contains("5000"), e.getMessage());
            // the device validates too (bypass the builder), with the firmware's words
            GyroSentinelException d = assertThrows(GyroSentinelException.class,
                    () -> c.configure(new SensorConfig(960, 300, SensorConfig.defaults().axes(), 1, 48)));
            assertEquals(ErrorCode.INVALID_ARGUMENT, d.code());
            assertEquals("configure.full_scale_dps", d.field());
            assertTrue(d.detail().endsWith(io.gyrosentinel.internal.DeviceMessages.FULL_SCALE), d.detail());
            // a rate the sensor does not have is run at the nearest one, and the client is told
            c.configure(SensorConfig.builder().odrHz(1000).build());
            assertEquals(960, c.config().odrHz());
        }
    }

    @Test
    void aSecondStreamWhileOneIsOpenIsBusy() {
        try (DeviceClient c = DeviceClient.connect("sim:?realtime=false"); GyroStream s = c.stream()) {
            GyroSentinelException e = assertThrows(GyroSentinelException.class, c::stream);
            assertEquals(ErrorCode.BUSY, e.code());
            assertNotNull(s.poll(Duration.ofSeconds(5)));
        }
    }

    @Test
    void closingTheStreamStopsTheDevice() throws Exception {
        try (VirtualDevice dev = VirtualDevice.builder().realTime(true).build();
             DeviceClient c = DeviceClient.builder().transport(dev.newTransport()).connect()) {
            GyroStream s = c.stream();
            assertNotNull(s.poll(Duration.ofSeconds(5)));
            assertTrue(dev.isStreaming());
            s.close();
            assertFalse(dev.isStreaming());
            assertTrue(s.isDone());
            // a new stream can start after the first closed
            try (GyroStream s2 = c.stream()) {
                assertNotNull(s2.poll(Duration.ofSeconds(5)));
            }
        }
    }

    @Test
    void unknownSchemeListsTheInstalledSchemes() {
        GyroSentinelException e = assertThrows(GyroSentinelException.class, () -> DeviceClient.connect("bogus:x"));
        assertEquals(ErrorCode.UNKNOWN_SCHEME, e.code());
        assertTrue(e.getMessage().contains("[sim]"), e.getMessage());
    }

    @Test
    void typoInUriParameterIsAClearError() {
        GyroSentinelException e = assertThrows(GyroSentinelException.class, () -> DeviceClient.connect("sim:?rmp=1500"));
        assertEquals(ErrorCode.BAD_URI, e.code());
        assertTrue(e.getMessage().contains("rmp"), e.getMessage());
    }

    @Test
    void deviceThatNeverAnswersTimesOutWithAClearMessage() {
        Transport silent = new Transport() {
            public void start(Listener l) { }
            public void send(byte[] env) { }
            public String describe() { return "silent"; }
            public void close() { }
        };
        GyroSentinelException e = assertThrows(GyroSentinelException.class, () -> DeviceClient.builder()
                .transport(silent).handshakeTimeout(Duration.ofMillis(300)).connect());
        assertEquals(ErrorCode.TIMEOUT, e.code());
        assertTrue(e.getMessage().contains("hello"), e.getMessage());
    }

    @Test
    void protocolVersionMismatchIsRejectedByTheDevice() throws Exception {
        try (VirtualDevice dev = VirtualDevice.builder().build()) {
            List<Envelope> replies = new ArrayList<>();
            CountDownLatch got = new CountDownLatch(2);
            VirtualDevice.Uplink up = env -> {
                replies.add(Envelope.parseFrom(env));
                got.countDown();
            };
            byte[] hello = Envelope.newBuilder().setProtocolVersion(2).setRequestId(1).setHello(Hello.newBuilder()
                    .setMinProtocolVersion(2).setMaxProtocolVersion(3)).build().toByteArray();
            dev.onEnvelope(hello, 0, hello.length, up);
            // a body this device does not know: an envelope with only an unknown field 99
            byte[] unknown = Envelope.newBuilder().setProtocolVersion(1).setRequestId(2).build().toByteArray();
            byte[] withUnknown = new byte[unknown.length + 3];
            System.arraycopy(unknown, 0, withUnknown, 0, unknown.length);
            withUnknown[unknown.length] = (byte) 0x98; // field 99, varint
            withUnknown[unknown.length + 1] = 0x06;
            withUnknown[unknown.length + 2] = 0x01;
            dev.onEnvelope(withUnknown, 0, withUnknown.length, up);
            assertTrue(got.await(5, TimeUnit.SECONDS));
            assertEquals(io.gyrosentinel.internal.wire.v1.ErrorCode.PROTOCOL_VERSION, replies.get(0).getError().getCode());
            assertEquals(1, replies.get(0).getRequestId());
            assertEquals(io.gyrosentinel.internal.wire.v1.ErrorCode.UNKNOWN_MESSAGE, replies.get(1).getError().getCode());
            assertEquals(2, replies.get(1).getRequestId());
        }
    }

    @Test
    void closeIsIdempotentAndLaterCallsFailClearly() {
        DeviceClient c = DeviceClient.connect("sim:");
        c.close();
        c.close();
        GyroSentinelException e = assertThrows(GyroSentinelException.class, c::ping);
        assertEquals(ErrorCode.CONNECTION_CLOSED, e.code());
    }

    @Test
    void pollReturnsNullAfterTheStreamEnds() {
        try (DeviceClient c = DeviceClient.connect("sim:?realtime=false");
             GyroStream s = c.stream(StreamOptions.defaults().withMaxSamples(96))) {
            int blocks = 0;
            while (s.poll(Duration.ofSeconds(5)) != null) {
                blocks++;
            }
            assertEquals(2, blocks);
            assertNull(s.poll(Duration.ofMillis(10)));
        }
    }

    @Test
    void aBlockingCallFromACallbackOnASingleThreadExecutorDoesNotDeadlock() throws Exception {
        java.util.concurrent.ExecutorService one = java.util.concurrent.Executors.newSingleThreadExecutor();
        try (DeviceClient c = DeviceClient.builder().uri("sim:").callbackExecutor(one).connect()) {
            CompletableFuture<Duration> fromCallback = c.async().ping().thenApplyAsync(d -> c.ping(), one);
            assertTrue(fromCallback.get(10, TimeUnit.SECONDS).toMillis() < 5000);
        } finally {
            one.shutdownNow();
        }
    }
}
