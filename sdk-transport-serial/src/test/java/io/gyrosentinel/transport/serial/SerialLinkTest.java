package io.gyrosentinel.transport.serial;

import io.gyrosentinel.ErrorCode;
import io.gyrosentinel.Gap;
import io.gyrosentinel.GyroSentinelException;
import io.gyrosentinel.SampleBlock;
import io.gyrosentinel.SensorConfig;
import io.gyrosentinel.client.ConnectionEvent;
import io.gyrosentinel.client.DeviceClient;
import io.gyrosentinel.client.StreamOptions;
import io.gyrosentinel.sim.MachineModel;
import io.gyrosentinel.sim.SignalGenerator;
import io.gyrosentinel.sim.VirtualDevice;
import io.gyrosentinel.stream.GyroStream;
import io.gyrosentinel.transport.serial.pty.PtyDevice;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Flow;
import java.util.function.BooleanSupplier;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** End-to-end behaviour of {@code serial:} over real PTYs with a VirtualDevice on the master side. */
@Timeout(60)
class SerialLinkTest {
    static final MachineModel MACHINE = MachineModel.fan(1500);
    static final long SEED = 11;

    static VirtualDevice device(SensorConfig cfg) {
        return VirtualDevice.builder().seed(SEED).machine(MACHINE).config(cfg).build();
    }

    /** Checks delivered raw values against the device's deterministic signal, by sample index. */
    static final class Reference {
        final SignalGenerator gen;
        final float lsb;
        final double[] s = new double[3];
        long pos;

        Reference(SensorConfig cfg) {
            gen = new SignalGenerator(MACHINE, cfg.odrHz(), SEED);
            lsb = cfg.dpsPerLsb();
        }

        void check(SampleBlock b) {
            while (pos < b.firstSample()) {
                gen.next(s);
                pos++;
            }
            for (int i = 0; i < b.count(); i++) {
                gen.next(s);
                pos++;
                for (int c = 0; c < 3; c++) {
                    short expected = (short) Math.max(-32768, Math.min(32767, Math.round(s[c] / lsb)));
                    assertEquals(expected, b.raw(i, c), "sample " + (b.firstSample() + i) + " channel " + c);
                }
            }
        }
    }

    static <T> List<T> collect(Flow.Publisher<T> p) {
        List<T> items = new CopyOnWriteArrayList<>();
        p.subscribe(new Flow.Subscriber<>() {
            public void onSubscribe(Flow.Subscription s) { s.request(Long.MAX_VALUE); }
            public void onNext(T item) { items.add(item); }
            public void onError(Throwable t) { }
            public void onComplete() { }
        });
        return items;
    }

    /** Gaps reach subscribers on the callback executor, a moment after the block that reveals them. */
    static void awaitTrue(BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + 3_000_000_000L;
        while (!condition.getAsBoolean() && System.nanoTime() < deadline) {
            Thread.sleep(10);
        }
    }

    @Test
    void streamsThreeSecondsAt3840HzThreeAxisInRealTimeWithoutAGap() {
        SensorConfig cfg = SensorConfig.builder().odrHz(3840).fullScaleDps(500).batchSize(64).build();
        try (PtyDevice dev = PtyDevice.plug(device(SensorConfig.defaults()));
             DeviceClient c = DeviceClient.connect("serial:" + dev.slavePath() + "?baud=921600")) {
            c.configure(cfg);
            Reference ref = new Reference(cfg);
            long n = 0;
            long t0 = System.nanoTime();
            try (GyroStream s = c.stream(StreamOptions.defaults().withMaxSamples(3 * 3840))) {
                SampleBlock b;
                while ((b = s.poll(Duration.ofSeconds(5))) != null) {
                    assertEquals(n, b.firstSample(), "contiguous");
                    assertEquals(0, b.missingBefore());
                    assertEquals(3, b.channels());
                    ref.check(b);
                    n += b.count();
                }
                assertEquals(0, s.stats().gaps());
                assertEquals(0, s.stats().missingSamples());
            }
            double seconds = (System.nanoTime() - t0) / 1e9;
            assertEquals(3 * 3840, n);
            assertTrue(seconds > 2.7, "paced in real time: " + seconds + " s");
            assertEquals(0, c.stats().badFrames());
        }
    }

    /** Flips random bits in the device → host byte stream. */
    static final class FlipBytes extends FilterOutputStream {
        final Random r = new Random(42);
        volatile double rate;
        volatile long flipped;
        volatile long total;

        FlipBytes(OutputStream out) {
            super(out);
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            byte[] c = Arrays.copyOfRange(b, off, off + len);
            double p = rate;
            for (int i = 0; i < c.length; i++) {
                if (p > 0 && r.nextDouble() < p) {
                    c[i] ^= (byte) (1 << r.nextInt(8));
                    flipped++;
                }
            }
            total += len;
            out.write(c, 0, c.length);
        }
    }

    @Test
    void onePercentFlippedBytesBecomeCountedBadFramesAndGapsWhileTheStreamGoesOn() throws Exception {
        SensorConfig cfg = SensorConfig.builder().odrHz(3840).batchSize(16).build();
        FlipBytes[] flip = new FlipBytes[1];
        try (PtyDevice dev = PtyDevice.plug(device(cfg), out -> flip[0] = new FlipBytes(out));
             DeviceClient c = DeviceClient.connect("serial:" + dev.slavePath())) {
            Reference ref = new Reference(cfg);
            long received = 0;
            long end = 0;
            long cleanAfterCorruption = 0;
            try (GyroStream s = c.stream()) {
                List<Gap> gaps = collect(s.gaps());
                long t0 = System.nanoTime();
                flip[0].rate = 0.01; // only once streaming: requests and acks are not the point here
                long flippedBytesStart = flip[0].total;
                long corruptedUntil = -1;
                SampleBlock b;
                while ((b = s.poll(Duration.ofSeconds(5))) != null) {
                    ref.check(b); // a frame that passed the CRC carries exactly what the device sent
                    received += b.count();
                    end = b.endSample();
                    double t = (System.nanoTime() - t0) / 1e9;
                    if (t > 2.0 && flip[0].rate > 0) {
                        flip[0].rate = 0;
                        corruptedUntil = flip[0].total;
                    }
                    if (t > 2.3) {
                        assertEquals(0, b.missingBefore(), "clean link, no gap");
                        cleanAfterCorruption += b.count();
                    }
                    if (t > 2.8) {
                        break;
                    }
                }
                long bytesCorrupted = corruptedUntil - flippedBytesStart;
                assertTrue(flip[0].flipped >= bytesCorrupted / 115, "~1 % flipped: " + flip[0].flipped + " of "
                        + bytesCorrupted);
                long bad = c.stats().badFrames();
                assertTrue(bad > 20, "bad frames counted: " + bad);
                assertTrue(s.stats().gaps() > 20, "gaps reported: " + s.stats().gaps());
                assertTrue(gaps.stream().allMatch(g -> g.cause() == Gap.Cause.SEQUENCE), gaps.toString());
                // every sample up to the last one is either delivered or reported missing
                assertEquals(end, received + s.stats().missingSamples());
                assertTrue(cleanAfterCorruption > 3840 / 4, "the stream goes on: " + cleanAfterCorruption);
                assertTrue(received > 3840, "good frames survive: " + received);
            }
        }
    }

    record Timed<T>(T item, long nanos) {
    }

    static <T> List<Timed<T>> collectTimed(Flow.Publisher<T> p) {
        List<Timed<T>> items = new CopyOnWriteArrayList<>();
        p.subscribe(new Flow.Subscriber<>() {
            public void onSubscribe(Flow.Subscription s) { s.request(Long.MAX_VALUE); }
            public void onNext(T item) { items.add(new Timed<>(item, System.nanoTime())); }
            public void onError(Throwable t) { }
            public void onComplete() { }
        });
        return items;
    }

    /** Streams until {@code samples} more arrived without a gap. */
    static void streamCleanly(GyroStream s, long samples) {
        long n = 0;
        while (n < samples) {
            SampleBlock b = s.poll(Duration.ofSeconds(5));
            assertNotNull(b, "streaming");
            assertEquals(0, b.missingBefore(), "contiguous");
            n += b.count();
        }
    }

    /** Waits for the first block after an outage (the one with missing samples before it). */
    static SampleBlock firstBlockAfterOutage(GyroStream s) {
        while (true) {
            SampleBlock b = s.poll(Duration.ofSeconds(10));
            assertNotNull(b, "streaming resumes after the replug");
            if (b.missingBefore() > 0) {
                return b;
            }
        }
    }

    /** LINK_LOST came within 500 ms of the unplug (the hang-up is seen at once), then RECONNECTED. */
    static void assertLostThenReconnected(List<Timed<ConnectionEvent>> events, long unpluggedAt) {
        List<ConnectionEvent.Type> types = events.stream().map(e -> e.item().type()).toList();
        long lostAfterMs = events.stream().filter(e -> e.item().type() == ConnectionEvent.Type.LINK_LOST)
                .mapToLong(e -> (e.nanos() - unpluggedAt) / 1_000_000).findFirst().orElse(-1);
        assertTrue(lostAfterMs >= 0 && lostAfterMs < 500, "LINK_LOST " + lostAfterMs + " ms after the unplug");
        assertTrue(types.indexOf(ConnectionEvent.Type.LINK_LOST) >= 0
                && types.lastIndexOf(ConnectionEvent.Type.RECONNECTED) > types.indexOf(ConnectionEvent.Type.LINK_LOST),
                types.toString());
    }

    @Test
    void aUsbPoweredBoardThatIsUnpluggedAndReplugsIsReconnectedAndTheOutageIsAReconnectGap() throws Exception {
        // the firmware keeps its sensor configuration in flash (NVS), so it comes back with it
        unplugARebootingBoard(SensorConfig.builder().odrHz(3840).batchSize(64).build());
    }

    @Test
    void aUsbPoweredBoardThatRebootsWithItsDefaultConfigurationIsReconfiguredAfterTheReconnect() throws Exception {
        unplugARebootingBoard(SensorConfig.defaults());
    }

    private void unplugARebootingBoard(SensorConfig bootConfig) throws Exception {
        SensorConfig cfg = SensorConfig.builder().odrHz(3840).batchSize(64).build();
        try (PtyDevice dev = PtyDevice.plug(device(bootConfig));
             DeviceClient c = DeviceClient.connect("serial:" + dev.link() + "?backoffMs=50&maxBackoffMs=400")) {
            c.configure(cfg);
            List<Timed<ConnectionEvent>> events = collectTimed(c.connectionEvents());
            long tUnplug;
            try (GyroStream s = c.stream()) {
                List<Gap> gaps = collect(s.gaps());
                streamCleanly(s, 3840);
                tUnplug = System.nanoTime();
                dev.unplug();
                Thread.sleep(800);
                dev.replug(device(bootConfig)); // the board rebooted
                SampleBlock after = firstBlockAfterOutage(s);
                double outageS = (System.nanoTime() - tUnplug) / 1e9;
                awaitTrue(() -> !gaps.isEmpty());
                assertEquals(1, gaps.size(), gaps.toString());
                Gap g = gaps.get(0);
                assertEquals(Gap.Cause.RECONNECT, g.cause());
                assertEquals(after.missingBefore(), g.missingSamples());
                // the device clock restarted, so the client estimates the outage from its own clock
                assertTrue(g.missingSamples() > 0.7 * 3840 && g.missingSamples() < outageS * 3840 + 3840,
                        "missing " + g.missingSamples() + " for an outage of " + outageS + " s");
                // re-handshaken (and re-configured if needed): the stream goes on at 3840 Hz in batches of 64
                assertEquals(64, after.count());
                assertEquals(Math.round(1e9 / 3840), after.periodNanos());
                assertEquals(cfg, dev.device().config());
                streamCleanly(s, 3840);
            }
            assertTrue(c.ping().toMillis() < 5000, "requests work after the reconnect");
            assertTrue(c.stats().reconnects() >= 1);
            assertLostThenReconnected(events, tUnplug);
        }
    }

    @Test
    void aSelfPoweredBoardKeepsStreamingThroughAPulledCableAndOnlyTheOutageIsMissing() throws Exception {
        SensorConfig cfg = SensorConfig.builder().odrHz(3840).batchSize(64).build();
        try (PtyDevice dev = PtyDevice.plug(device(cfg));
             DeviceClient c = DeviceClient.connect("serial:" + dev.link() + "?backoffMs=50&maxBackoffMs=400")) {
            List<Timed<ConnectionEvent>> events = collectTimed(c.connectionEvents());
            long tUnplug;
            try (GyroStream s = c.stream()) {
                List<Gap> gaps = collect(s.gaps());
                streamCleanly(s, 3840);
                tUnplug = System.nanoTime();
                dev.unplug();
                Thread.sleep(800);
                dev.replug();
                firstBlockAfterOutage(s);
                double outageS = (System.nanoTime() - tUnplug) / 1e9;
                // The client restarts streaming after its re-handshake, which may cost a few more
                // samples: wait for a clean second after the last gap.
                long clean = 0;
                while (clean < 3840) {
                    SampleBlock b = s.poll(Duration.ofSeconds(5));
                    assertNotNull(b, "streaming");
                    clean = b.missingBefore() > 0 ? 0 : clean + b.count();
                }
                // the device clock ran on: the outage in samples comes from its timestamps
                awaitTrue(() -> gaps.stream().mapToLong(Gap::missingSamples).sum() == s.stats().missingSamples());
                long missing = gaps.stream().mapToLong(Gap::missingSamples).sum();
                assertTrue(missing > 0.7 * 3840 && missing < outageS * 3840 + 3840,
                        "missing " + missing + " for an outage of " + outageS + " s: " + gaps);
                assertTrue(gaps.stream().anyMatch(g -> g.cause() == Gap.Cause.RECONNECT), gaps.toString());
                assertEquals(missing, s.stats().missingSamples());
            }
            assertLostThenReconnected(events, tUnplug);
        }
    }

    @Test
    void withReconnectOffAPulledCableEndsTheStreamAndTheClientSaysConnectionClosed() throws Exception {
        SensorConfig cfg = SensorConfig.builder().odrHz(960).batchSize(48).build();
        try (PtyDevice dev = PtyDevice.plug(device(cfg));
             DeviceClient c = DeviceClient.connect("serial:" + dev.link() + "?reconnect=false")) {
            GyroStream s = c.stream();
            streamCleanly(s, 960);
            dev.unplug();
            while (s.poll(Duration.ofSeconds(3)) != null) {
                // drain what arrived before the unplug
            }
            assertTrue(s.isDone(), "the stream ended");
            s.close();
            GyroSentinelException e = assertThrows(GyroSentinelException.class, c::ping);
            assertEquals(ErrorCode.CONNECTION_CLOSED, e.code(), e.getMessage());
        }
    }
}
