package io.gyrosentinel.sim;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.gyrosentinel.DeviceLimits;
import io.gyrosentinel.internal.wire.v1.AnomalyEvent;
import io.gyrosentinel.internal.wire.v1.Envelope;
import io.gyrosentinel.model.DeviceModel;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The VirtualDevice's anomaly events follow the device contract's hysteresis, as the firmware's scorer
 * (gs_scoring.c): {@link DeviceLimits#EVENT_ENTER_WINDOWS} windows with score &gt; threshold open an event,
 * {@link DeviceLimits#EVENT_EXIT_WINDOWS} windows with score &lt; threshold x {@link DeviceLimits#EVENT_EXIT_RATIO}
 * close it; a window exactly at the threshold is neither.
 */
@Timeout(30)
class EventHysteresisTest {

    /** Window of one 1-channel sample whose channel error is the sample itself. */
    private static final DeviceModel ECHO = new DeviceModel() {
        @Override public String modelId() { return "echo"; }
        @Override public int windowSize() { return 1; }
        @Override public int stride() { return 1; }
        @Override public int channels() { return 1; }
        @Override public float threshold() { return 1.0f; }
        @Override public float[] channelErrors(float[] window) { return new float[] {window[0]}; }
        @Override public void close() { }
    };

    private static List<AnomalyEvent> run(float... scores) throws InterruptedException {
        List<AnomalyEvent> events = new CopyOnWriteArrayList<>();
        List<Envelope.Builder> all = new CopyOnWriteArrayList<>();
        try (InferenceLoop loop = new InferenceLoop("test", e -> {
            all.add(e);
            if (e.hasAnomalyEvent()) {
                events.add(e.getAnomalyEvent());
            }
        }, 256, DeviceLimits.EVENT_ENTER_WINDOWS, DeviceLimits.EVENT_EXIT_WINDOWS)) {
            InferenceLoop.Session s = new InferenceLoop.Session(true, 0, 1_000_000, 1);
            loop.onSamples(s, new InferenceLoop.Loaded(0, ECHO), scores, scores.length, 0);
            long until = System.nanoTime() + 10_000_000_000L;
            while (loop.scored() < scores.length && System.nanoTime() < until) {
                Thread.sleep(5);
            }
            assertEquals(scores.length, loop.scored(), "every window scored");
        }
        return events;
    }

    @Test
    void anEventOpensAfterTheEnterWindowsAndClosesAfterTheExitWindows() throws InterruptedException {
        List<AnomalyEvent> e = run(2, 2, 2, 0.5f, 0.5f, 0.5f, 0.5f, 0.5f);
        assertEquals(2, e.size(), e::toString);
        assertEquals(AnomalyEvent.State.STARTED, e.get(0).getState());
        assertEquals(AnomalyEvent.State.ENDED, e.get(1).getState());
        assertEquals(3 + 5, e.get(1).getWindows());
    }

    @Test
    void aWindowExactlyAtTheThresholdIsNotCalm() throws InterruptedException {
        // 3 anomalous windows open the event; 4 calm, one at the threshold (resets the run), 4 calm: still open
        List<AnomalyEvent> e = run(2, 2, 2, 0.5f, 0.5f, 0.5f, 0.5f, 1.0f, 0.5f, 0.5f, 0.5f, 0.5f);
        assertEquals(1, e.size(), e::toString);
        assertEquals(AnomalyEvent.State.STARTED, e.get(0).getState());
        // and it does not count as anomalous either: fewer than 3 in a row do not open an event
        assertEquals(0, run(2, 2, 1.0f, 2, 2).size());
    }
}
