package io.gyrosentinel.sim;

import io.gyrosentinel.AnomalyEvent;
import io.gyrosentinel.InferenceResult;
import io.gyrosentinel.SampleBlock;
import io.gyrosentinel.Telemetry;
import io.gyrosentinel.client.DeviceClient;
import io.gyrosentinel.client.StreamOptions;
import io.gyrosentinel.stream.GyroStream;
import io.gyrosentinel.testing.Collecting;
import io.gyrosentinel.testing.MovingAverageEngine;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.time.Duration;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The VirtualDevice runs the active model on its own thread: results, events with hysteresis, telemetry. */
@Timeout(60)
class OnDeviceInferenceTest {
    private static final int WINDOW = 96;
    private static final int STRIDE = 48;
    private static final int AVERAGE = 8;
    /** Between the worst normal window and the mildest imbalanced one, measured on the host. */
    private static double threshold;

    @BeforeAll
    static void calibrate() {
        MovingAverageEngine.Model m = new MovingAverageEngine.Model("cal", WINDOW, STRIDE, 3, AVERAGE, 0f, 0);
        double normalMax = maxOrMin(new SignalGenerator(MachineModel.fan(1500), 960, 3).generate(9600), m, true);
        SignalGenerator g = new SignalGenerator(MachineModel.fan(1500), 960, 4);
        g.setFaults(List.of(new Fault.Imbalance(1.0)));
        double faultyMin = maxOrMin(g.generate(9600), m, false);
        assertTrue(faultyMin > 1.5 * normalMax, "the test model separates imbalance: normal <= " + normalMax
                + ", imbalanced >= " + faultyMin);
        threshold = Math.sqrt(normalMax * faultyMin);
    }

    private static double maxOrMin(float[] xyz, MovingAverageEngine.Model m, boolean max) {
        double r = max ? 0 : Double.MAX_VALUE;
        for (int s = 0; s + WINDOW <= xyz.length / 3; s += STRIDE) {
            double v = m.score(java.util.Arrays.copyOfRange(xyz, s * 3, (s + WINDOW) * 3));
            r = max ? Math.max(r, v) : Math.min(r, v);
        }
        return r;
    }

    private static VirtualDevice.Builder device() {
        return VirtualDevice.builder().inferenceEngine(new MovingAverageEngine());
    }

    private static DeviceClient deployed(VirtualDevice dev, String manifest) {
        DeviceClient c = DeviceClient.builder().transport(dev.newTransport()).connect();
        c.deploy(MovingAverageEngine.bundle("fan-ma", manifest, 1_000));
        return c;
    }

    @Test
    void theActiveModelScoresEveryWindowOfTheStream() throws Exception {
        try (VirtualDevice dev = device().build();
             DeviceClient c = deployed(dev, MovingAverageEngine.manifest(WINDOW, STRIDE, AVERAGE, threshold))) {
            Collecting<InferenceResult> results = Collecting.subscribe(c.results());
            try (GyroStream s = c.stream()) {
                InferenceResult prev = null;
                for (int i = 0; i < 6; i++) {
                    InferenceResult r = results.await(x -> true, Duration.ofSeconds(5));
                    assertNotNull(r, "result " + i);
                    assertEquals("fan-ma", r.modelId());
                    assertEquals(i, r.window());
                    assertEquals(3, r.channelError().length);
                    float[] e = r.channelError();
                    assertEquals((e[0] + e[1] + e[2]) / 3, r.score(), 1e-6);
                    assertEquals((float) threshold, r.threshold(), 1e-6);
                    assertEquals(r.score() > r.threshold(), r.anomalous());
                    // 96 samples at 960 Hz span 95 periods; windows start 48 samples apart
                    assertEquals(95 * 1_041_667L / 1000, r.endTimestampMicros() - r.startTimestampMicros(), 2);
                    if (prev != null) {
                        assertEquals(48 * 1_041_667L / 1000, r.startTimestampMicros() - prev.startTimestampMicros(), 2);
                    }
                    prev = r;
                }
                assertTrue(s.poll(Duration.ofSeconds(1)) != null, "samples flow alongside results");
            }
            Telemetry t = c.telemetry();
            assertEquals(8, t.queueCapacity());
            assertTrue(t.inferenceMicrosMax() >= t.inferenceMicrosP50());
            assertEquals(0, dev.windowsSkipped());
        }
    }

    @Test
    void anImbalanceStartsAnEpisodeThatEndsAfterTheFaultIsCleared() throws Exception {
        try (VirtualDevice dev = device().build();
             DeviceClient c = deployed(dev, MovingAverageEngine.manifest(WINDOW, STRIDE, AVERAGE, threshold))) {
            Collecting<InferenceResult> results = Collecting.subscribe(c.results());
            Collecting<AnomalyEvent> events = Collecting.subscribe(c.events());
            try (GyroStream s = c.stream()) {
                for (int i = 0; i < 8; i++) {
                    InferenceResult r = results.await(x -> true, Duration.ofSeconds(5));
                    assertTrue(r != null && !r.anomalous(), "a healthy machine scores below the threshold: " + r);
                }
                dev.injectFault(new Fault.Imbalance(1.0));
                AnomalyEvent started = events.await(e -> true, Duration.ofSeconds(5));
                assertNotNull(started, "STARTED after three anomalous windows");
                assertEquals(AnomalyEvent.State.STARTED, started.state());
                assertEquals(3, started.windows());
                assertEquals(0, started.endTimestampMicros());
                assertEquals("fan-ma", started.modelId());
                assertTrue(started.peakScore() > threshold);
                // the explanation: the peak window's channel errors, whose mean is the peak score
                float[] pce = started.peakChannelError();
                assertEquals(3, pce.length);
                assertEquals(started.peakScore(), (pce[0] + pce[1] + pce[2]) / 3, 1e-4 * started.peakScore());
                assertTrue(started.peakTimestampMicros() >= started.startTimestampMicros());

                dev.clearFaults();
                AnomalyEvent ended = events.await(e -> true, Duration.ofSeconds(5));
                assertNotNull(ended, "ENDED after five normal windows");
                assertEquals(AnomalyEvent.State.ENDED, ended.state());
                assertEquals(started.eventId(), ended.eventId());
                assertEquals(started.startTimestampMicros(), ended.startTimestampMicros());
                assertTrue(ended.endTimestampMicros() > ended.startTimestampMicros());
                assertTrue(ended.peakScore() >= started.peakScore());
                assertTrue(ended.windows() >= 3 + 5, "windows " + ended.windows());
                assertNull(events.await(e -> true, Duration.ofMillis(300)), "one episode, two events");
            }
        }
    }

    @Test
    void withoutResultsTheDeviceStillWatchesButSendsNoPerWindowResults() throws Exception {
        try (VirtualDevice dev = device().realTime(false).build();
             DeviceClient c = deployed(dev, MovingAverageEngine.manifest(WINDOW, STRIDE, AVERAGE, threshold))) {
            Collecting<InferenceResult> results = Collecting.subscribe(c.results());
            long samples = 0;
            try (GyroStream s = c.stream(StreamOptions.defaults().withResults(false).withMaxSamples(4800))) {
                SampleBlock b;
                while ((b = s.poll(Duration.ofSeconds(5))) != null) {
                    samples += b.count();
                }
            }
            assertEquals(4800, samples);
            long deadline = System.nanoTime() + 2_000_000_000L;
            while (dev.windowsScored() + dev.windowsSkipped() < 99 && System.nanoTime() < deadline) {
                Thread.sleep(10);
            }
            assertEquals(99, dev.windowsScored() + dev.windowsSkipped(), "every window was cut");
            assertNull(results.await(r -> true, Duration.ofMillis(200)));
        }
    }

    @Test
    void aDeviceThatCannotKeepUpSkipsWindowsAndReportsItsInferenceTime() throws Exception {
        try (VirtualDevice dev = device().realTime(false).inferenceQueue(2).build();
             DeviceClient c = deployed(dev, MovingAverageEngine.manifest(WINDOW, STRIDE, AVERAGE, threshold, 3000))) {
            Collecting<InferenceResult> results = Collecting.subscribe(c.results());
            try (GyroStream s = c.stream(StreamOptions.defaults().withMaxSamples(9600))) {
                while (s.poll(Duration.ofSeconds(5)) != null) {
                    // drain
                }
            }
            assertTrue(dev.windowsSkipped() > 0, "windows skipped");
            Thread.sleep(50);
            Telemetry t = c.telemetry();
            assertEquals(2, t.queueCapacity());
            assertTrue(t.inferenceMicrosP50() >= 3000, "p50 " + t.inferenceMicrosP50());
            assertTrue(t.inferenceMicrosMax() >= t.inferenceMicrosP50());
            InferenceResult last = null;
            InferenceResult r;
            while ((r = results.await(x -> true, Duration.ofMillis(100))) != null) {
                last = r;
                assertTrue(r.inferenceMicros() >= 3000);
            }
            assertNotNull(last);
            // every window of the stream was either scored (and sent) or counted as skipped
            long windows = (9600 - WINDOW) / STRIDE + 1;
            assertEquals(windows, results.all().size() + dev.windowsSkipped(),
                    results.all().size() + " results + " + dev.windowsSkipped() + " skipped");
            assertTrue(last.window() <= windows - 1, "window indices number every window, skipped or not");
            long prev = -1;
            for (InferenceResult x : results.all()) {
                assertTrue(x.window() > prev, "increasing window indices");
                prev = x.window();
            }
        }
    }
}
