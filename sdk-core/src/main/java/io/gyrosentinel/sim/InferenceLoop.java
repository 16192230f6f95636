package io.gyrosentinel.sim;

import io.gyrosentinel.DeviceLimits;
import io.gyrosentinel.internal.wire.v1.AnomalyEvent;
import io.gyrosentinel.internal.wire.v1.Envelope;
import io.gyrosentinel.internal.wire.v1.InferenceResult;
import io.gyrosentinel.model.DeviceModel;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.Arrays;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;

/**
 * The virtual device's inference path, shaped like the firmware's: the streaming thread cuts
 * windows and hands them to one inference thread through a bounded queue (a full queue skips the
 * window, as a device that cannot keep up must); the inference thread scores each window, sends
 * {@code InferenceResult}s when the stream asked for them, and turns runs of anomalous windows
 * into {@code AnomalyEvent}s with hysteresis.
 */
final class InferenceLoop implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(InferenceLoop.class);
    private static final int LATENCY_HISTORY = 256;

    /** A model loaded from a slot. Retired (and closed) on the inference thread, after its queued windows. */
    static final class Loaded {
        final int slot;
        final DeviceModel model;
        final String modelId;
        final int windowSize;
        final int stride;
        final int channels;
        /** The normalisation inside the model (its manifest's mean/std; 0 and 1 when it has none). */
        final float[] modelMean;
        final float[] modelStd;
        volatile boolean retired;
        /** Set by Calibrate, or at load from the calibration the store keeps for this slot. */
        private volatile Calibrated calibrated;

        record Calibrated(float[] mean, float[] std, float threshold) { }

        Loaded(int slot, DeviceModel model) {
            this(slot, model, null, null);
        }

        Loaded(int slot, DeviceModel model, float[] manifestMean, float[] manifestStd) {
            this.slot = slot;
            this.model = model;
            this.modelId = model.modelId();
            this.windowSize = model.windowSize();
            this.stride = model.stride();
            this.channels = model.channels();
            this.modelMean = new float[channels];
            this.modelStd = new float[channels];
            for (int k = 0; k < channels; k++) {
                boolean ok = manifestMean != null && manifestStd != null && manifestMean.length == channels
                        && manifestStd.length == channels && manifestStd[k] > 0;
                modelMean[k] = ok ? manifestMean[k] : 0f;
                modelStd[k] = ok ? manifestStd[k] : 1f;
            }
        }

        void calibrate(float[] mean, float[] std, float threshold) {
            calibrated = new Calibrated(mean.clone(), std.clone(), threshold);
        }

        float threshold() {
            Calibrated c = calibrated;
            return c == null ? model.threshold() : c.threshold();
        }

        /** Channel errors of a window in dps, with the calibrated normalisation when there is one. */
        float[] channelErrors(float[] windowDps) {
            Calibrated c = calibrated;
            return c == null ? model.channelErrors(windowDps)
                    : model.channelErrors(denormalise(Calibration.normalise(windowDps, c.mean(), c.std())));
        }

        /**
         * The model normalises with its own mean/std inside: hand it x' = mean_model + std_model × z,
         * so that what it computes, (x' − mean_model) / std_model, is the calibrated z.
         */
        float[] denormalise(float[] z) {
            float[] x = new float[z.length];
            for (int i = 0; i < z.length; i++) {
                int k = i % channels;
                x[i] = modelMean[k] + modelStd[k] * z[i];
            }
            return x;
        }
    }

    /** Per-stream state: the windowing part belongs to the streaming thread, the event part to the inference thread. */
    static final class Session {
        final boolean results;
        final long t0Micros;
        final long periodNanos;
        final int channels;
        // streaming thread
        Loaded model;
        float[] buf;
        int filled;
        long skip;
        long bufStart;
        long windowIndex;
        long nextSample = -1;
        // inference thread
        Loaded eventModel;
        boolean inEvent;
        int run;
        long runStartUs;
        AnomalyEvent.Builder event;

        Session(boolean results, long t0Micros, long periodNanos, int channels) {
            this.results = results;
            this.t0Micros = t0Micros;
            this.periodNanos = periodNanos;
            this.channels = channels;
        }

        long timestamp(long sample) {
            return t0Micros + (sample * periodNanos) / 1000;
        }
    }

    private final String deviceId;
    private final Consumer<Envelope.Builder> sink;
    private final int capacity;
    private final int enterWindows;
    private final int exitWindows;
    private final BlockingQueue<Runnable> queue = new LinkedBlockingQueue<>();
    private final AtomicInteger pendingWindows = new AtomicInteger();
    private final AtomicLong skipped = new AtomicLong();
    private final AtomicLong scored = new AtomicLong();
    private final AtomicLong failures = new AtomicLong();
    private final AtomicLong eventIds = new AtomicLong();
    private final int[] latency = new int[LATENCY_HISTORY];
    private int latencyCount;
    private int latencyMax;
    private Thread worker;
    private volatile boolean closed;

    InferenceLoop(String deviceId, Consumer<Envelope.Builder> sink, int capacity, int enterWindows, int exitWindows) {
        this.deviceId = deviceId;
        this.sink = sink;
        this.capacity = capacity;
        this.enterWindows = enterWindows;
        this.exitWindows = exitWindows;
    }

    // ------------------------------------------------------------------ streaming thread

    /** Feeds the samples of one batch (interleaved dps); {@code model} is the active model or null. */
    void onSamples(Session s, Loaded model, float[] dps, int count, long firstSample) {
        if (model == null || model.retired) {
            s.model = null;
            return;
        }
        if (model != s.model) {
            s.model = model;
            s.filled = 0;
            s.skip = 0;
            s.buf = null;
            if (model.channels != s.channels) {
                log.warn("virtual device {}: model {} expects {} channels, the stream has {}; no inference",
                        deviceId, model.modelId, model.channels, s.channels);
                return;
            }
            s.buf = new float[model.windowSize * model.channels];
        }
        if (s.buf == null) {
            return;
        }
        if (s.nextSample >= 0 && firstSample != s.nextSample) {
            // samples were dropped on the device: a window never spans the hole
            s.filled = 0;
            s.skip = 0;
        }
        s.nextSample = firstSample + count;
        int ch = s.channels;
        int ws = model.windowSize;
        int stride = model.stride;
        for (int i = 0; i < count; i++) {
            if (s.skip > 0) {
                s.skip--;
                continue;
            }
            if (s.filled == 0) {
                s.bufStart = firstSample + i;
            }
            System.arraycopy(dps, i * ch, s.buf, s.filled * ch, ch);
            if (++s.filled == ws) {
                submit(s, model, s.buf.clone(), s.windowIndex++, s.timestamp(s.bufStart),
                        s.timestamp(s.bufStart + ws - 1));
                if (stride < ws) {
                    System.arraycopy(s.buf, stride * ch, s.buf, 0, (ws - stride) * ch);
                    s.filled = ws - stride;
                    s.bufStart += stride;
                } else {
                    s.filled = 0;
                    s.skip = stride - ws;
                }
            }
        }
    }

    private void submit(Session s, Loaded m, float[] window, long index, long startUs, long endUs) {
        if (closed) {
            return;
        }
        if (pendingWindows.get() >= capacity) {
            long n = skipped.incrementAndGet();
            if (n == 1 || n % 100 == 0) {
                log.warn("virtual device {}: inference cannot keep up, window {} skipped ({} so far)", deviceId,
                        index, n);
            }
            return;
        }
        pendingWindows.incrementAndGet();
        ensureWorker();
        queue.add(() -> {
            pendingWindows.decrementAndGet();
            if (!m.retired) {
                score(s, m, window, index, startUs, endUs);
            }
        });
    }

    /** Closes {@code m} on the inference thread once the windows queued before are done. */
    void retire(Loaded m) {
        if (m == null) {
            return;
        }
        if (closed) {
            m.retired = true;
            closeQuietly(m);
            return;
        }
        ensureWorker();
        queue.add(new Closer(m));
    }

    private record Closer(Loaded m) implements Runnable {
        public void run() {
            m.retired = true;
            closeQuietly(m);
        }
    }

    private static void closeQuietly(Loaded m) {
        try {
            m.model.close();
        } catch (RuntimeException e) {
            log.debug("closing model {} failed: {}", m.modelId, e.toString());
        }
    }

    private synchronized void ensureWorker() {
        if (worker == null && !closed) {
            worker = new Thread(this::work, "gs-vdev-infer-" + deviceId);
            worker.setDaemon(true);
            worker.start();
        }
    }

    // ------------------------------------------------------------------ inference thread

    private void work() {
        try {
            while (!closed) {
                queue.take().run();
            }
        } catch (InterruptedException e) {
            // closing
        } finally {
            Runnable r;
            while ((r = queue.poll()) != null) {
                if (r instanceof Closer) {
                    r.run();
                }
            }
        }
    }

    private void score(Session s, Loaded m, float[] window, long index, long startUs, long endUs) {
        float[] err;
        long t0 = System.nanoTime();
        try {
            err = m.channelErrors(window);
        } catch (RuntimeException e) {
            long n = failures.incrementAndGet();
            if (n == 1 || n % 100 == 0) {
                log.warn("virtual device {}: model {} failed on window {}: {}", deviceId, m.modelId, index, e.toString());
            }
            return;
        }
        int us = (int) Math.min(Integer.MAX_VALUE, Math.max(0, (System.nanoTime() - t0) / 1000));
        recordLatency(us);
        scored.incrementAndGet();
        double sum = 0;
        for (float f : err) {
            sum += f;
        }
        float score = err.length == 0 ? 0f : (float) (sum / err.length);
        float threshold = m.threshold();
        boolean anomalous = score > threshold;
        if (s.results) {
            InferenceResult.Builder r = InferenceResult.newBuilder().setWindow(index).setStartTimestampUs(startUs)
                    .setEndTimestampUs(endUs).setScore(score).setThreshold(threshold).setAnomalous(anomalous)
                    .setInferenceUs(us).setModelId(m.modelId);
            for (float f : err) {
                r.addChannelError(f);
            }
            sink.accept(Envelope.newBuilder().setInferenceResult(r));
        }
        trackEvent(s, m, score, threshold, anomalous, startUs, endUs, err);
    }

    /**
     * Hysteresis: {@code enterWindows} anomalous windows in a row open an episode,
     * {@code exitWindows} calm windows in a row (score &lt; threshold x {@link DeviceLimits#EVENT_EXIT_RATIO}) close it,
     * so a score hovering at the threshold
     * does not produce a storm of events.
     */
    /** The event's peak: score, time and each channel's share (as the firmware's scorer keeps them). */
    private static void peak(AnomalyEvent.Builder e, float score, long startUs, float[] err) {
        e.setPeakScore(score).setPeakTimestampUs(startUs).clearPeakChannelError();
        for (float f : err) {
            e.addPeakChannelError(f);
        }
    }

    private void trackEvent(Session s, Loaded m, float score, float threshold, boolean anomalous, long startUs,
                            long endUs, float[] err) {
        if (s.eventModel != m) {
            s.eventModel = m;
            s.inEvent = false;
            s.run = 0;
        }
        if (!s.inEvent) {
            if (!anomalous) {
                s.run = 0;
                return;
            }
            if (s.run++ == 0) {
                s.runStartUs = startUs;
                s.event = AnomalyEvent.newBuilder();
                peak(s.event, score, startUs, err);
            } else if (score > s.event.getPeakScore()) {
                peak(s.event, score, startUs, err);
            }
            if (s.run >= enterWindows) {
                s.inEvent = true;
                s.event.setEventId(eventIds.incrementAndGet()).setState(AnomalyEvent.State.STARTED)
                        .setStartTimestampUs(s.runStartUs).setEndTimestampUs(0).setThreshold(threshold)
                        .setWindows(s.run).setModelId(m.modelId);
                s.run = 0;
                sink.accept(Envelope.newBuilder().setAnomalyEvent(s.event.clone()));
            }
            return;
        }
        s.event.setWindows(s.event.getWindows() + 1);
        if (score > s.event.getPeakScore()) {
            peak(s.event, score, startUs, err);
        }
        // as the firmware's scorer: calm is score < threshold x EVENT_EXIT_RATIO (a window exactly at the
        // threshold is not anomalous, yet not calm either)
        if (!(score < threshold * (float) DeviceLimits.EVENT_EXIT_RATIO)) {
            s.run = 0;
            return;
        }
        if (++s.run >= exitWindows) {
            s.inEvent = false;
            s.run = 0;
            s.event.setState(AnomalyEvent.State.ENDED).setEndTimestampUs(endUs);
            sink.accept(Envelope.newBuilder().setAnomalyEvent(s.event.clone()));
        }
    }

    // ------------------------------------------------------------------ statistics

    private synchronized void recordLatency(int us) {
        latency[latencyCount++ % LATENCY_HISTORY] = us;
        latencyMax = Math.max(latencyMax, us);
    }

    /** Median over the last {@value #LATENCY_HISTORY} windows, µs. */
    synchronized int latencyP50() {
        int n = Math.min(latencyCount, LATENCY_HISTORY);
        if (n == 0) {
            return 0;
        }
        int[] c = Arrays.copyOf(latency, n);
        Arrays.sort(c);
        return c[n / 2];
    }

    synchronized int latencyMax() {
        return latencyMax;
    }

    int queueDepth() {
        return pendingWindows.get();
    }

    int capacity() {
        return capacity;
    }

    long skipped() {
        return skipped.get();
    }

    long scored() {
        return scored.get();
    }

    @Override
    public void close() {
        Thread w;
        synchronized (this) {
            closed = true;
            w = worker;
        }
        if (w != null) {
            w.interrupt();
            try {
                w.join(2000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        } else {
            Runnable r;
            while ((r = queue.poll()) != null) {
                if (r instanceof Closer) {
                    r.run();
                }
            }
        }
    }
}
