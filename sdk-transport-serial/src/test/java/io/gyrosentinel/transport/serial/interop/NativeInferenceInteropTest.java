package io.gyrosentinel.transport.serial.interop;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.gyrosentinel.AnomalyEvent;
import io.gyrosentinel.Axis;
import io.gyrosentinel.InferenceResult;
import io.gyrosentinel.SampleBlock;
import io.gyrosentinel.SensorConfig;
import io.gyrosentinel.client.DeviceClient;
import io.gyrosentinel.client.StreamOptions;
import io.gyrosentinel.model.ModelBundle;
import io.gyrosentinel.stream.GyroStream;
import io.gyrosentinel.training.TrainedModel;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Flow;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Inference on the C device, end to end: a bundle deployed with {@code deploy()} is parsed on the device
 * (BundlePayload + manifest), its "reference.f32" weights run in the C reference backend on the streamed samples,
 * and every InferenceResult's per-channel error equals what {@link TrainedModel} computes in Java for the same
 * window of the same samples (shared test vectors: the stream itself).
 */
@Timeout(60)
class NativeInferenceInteropTest {
    static final int STRIDE = 8;
    static final double TOLERANCE = 1e-5;

    @TempDir
    Path tmp;

    @Test
    void deviceChannelErrorsMatchTheJavaReferenceAndEventsFollow() throws Exception {
        // Threshold 0: every window is anomalous, so the hysteresis (3 windows in) opens one event.
        TrainedModel model = InteropModels.randomModel(11, 0.0);
        ModelBundle bundle = InteropModels.bundle("interop-infer", model, STRIDE);
        int t = model.architecture().windowLength();
        int f = model.architecture().channels();
        long n = 2000;
        try (NativeVirtualDevice device = NativeVirtualDevice.start("--model-dir",
                Files.createDirectories(tmp.resolve("m")).toString(),
                "--seed", "9", "--fast");
                DeviceClient dev = DeviceClient.connect(device.uri())) {
            SensorConfig cfg = SensorConfig.builder().odrHz(960).fullScaleDps(125).axes(EnumSet.allOf(Axis.class))
                    .batchSize(48).build();
            dev.configure(cfg);
            assertTrue(dev.deploy(bundle).activated());
            List<InferenceResult> results = collect(dev.results());
            List<AnomalyEvent> events = collect(dev.events());

            List<short[]> samples = new ArrayList<>();
            long[] ts = new long[(int) n];
            float[] scale;
            try (GyroStream stream = dev.stream(StreamOptions.defaults().withMaxSamples(n).withResults(true))) {
                scale = stream.scale();
                while (samples.size() < n) {
                    SampleBlock b = stream.poll(Duration.ofSeconds(5));
                    assertTrue(b != null, "stream stalled at " + samples.size() + "\n" + device.log());
                    assertEquals(samples.size(), b.firstSample(), "no gaps");
                    for (int i = 0; i < b.count(); i++) {
                        ts[samples.size()] = b.timestampMicros(i);
                        samples.add(new short[] {b.raw(i, 0), b.raw(i, 1), b.raw(i, 2)});
                    }
                }
            }
            int windows = (int) ((n - t) / STRIDE + 1);
            long deadline = System.nanoTime() + 5_000_000_000L;
            while (results.size() < windows && System.nanoTime() < deadline) {
                Thread.onSpinWait();
            }
            assertEquals(windows, results.size(), "one InferenceResult per window\n" + device.log());

            double worst = 0;
            for (InferenceResult r : results) {
                int start = (int) r.window() * STRIDE;
                // The host derives sample times from the batch's first timestamp and the period (rounded to
                // 1 ns), the device uses the sensor's own time of each sample: equal within 1 us.
                assertEquals(ts[start], r.startTimestampMicros(), 1, "window " + r.window() + " start");
                assertEquals(ts[start + t - 1], r.endTimestampMicros(), 1, "window " + r.window() + " end");
                assertEquals("interop-infer", r.modelId());
                float[] raw = new float[t * f];
                for (int s = 0; s < t; s++) {
                    for (int c = 0; c < f; c++) {
                        raw[s * f + c] = samples.get(start + s)[c] * scale[c]; // what SampleBlock.value does
                    }
                }
                float[] x = model.normalize(raw);
                float[] y = model.reconstructNormalized(x);
                double total = 0;
                float[] got = r.channelError();
                assertEquals(f, got.length);
                for (int c = 0; c < f; c++) {
                    double acc = 0;
                    for (int s = 0; s < t; s++) {
                        double d = (double) x[s * f + c] - y[s * f + c];
                        acc += d * d;
                    }
                    double want = acc / t;
                    total += want;
                    worst = Math.max(worst, Math.abs(want - got[c]));
                    assertEquals(want, got[c], TOLERANCE, "window " + r.window() + " channel " + c);
                }
                assertEquals(total / f, r.score(), TOLERANCE, "score of window " + r.window());
                assertEquals(model.score(raw), r.score(), TOLERANCE, "TrainedModel.score of window " + r.window());
                assertTrue(r.anomalous());
            }
            assertTrue(worst < TOLERANCE, "max |error| " + worst);

            deadline = System.nanoTime() + 2_000_000_000L;
            while (events.isEmpty() && System.nanoTime() < deadline) {
                Thread.onSpinWait();
            }
            assertEquals(1, events.size(), events.toString());
            AnomalyEvent e = events.get(0);
            assertEquals(AnomalyEvent.State.STARTED, e.state());
            assertEquals(3, e.windows(), "opened by 3 anomalous windows in a row");
            assertEquals(results.get(0).startTimestampMicros(), e.startTimestampMicros());
            assertEquals("interop-infer", e.modelId());
        }
    }

    static <T> List<T> collect(Flow.Publisher<T> p) {
        List<T> items = new CopyOnWriteArrayList<>();
        p.subscribe(new Flow.Subscriber<>() {
            public void onSubscribe(Flow.Subscription s) {
                s.request(Long.MAX_VALUE);
            }

            public void onNext(T item) {
                items.add(item);
            }

            public void onError(Throwable t) {
            }

            public void onComplete() {
            }
        });
        return items;
    }
}
