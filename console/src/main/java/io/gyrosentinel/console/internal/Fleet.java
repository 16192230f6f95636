package io.gyrosentinel.console.internal;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.gyrosentinel.AnomalyEvent;
import io.gyrosentinel.Gap;
import io.gyrosentinel.InferenceResult;
import io.gyrosentinel.console.Alarm;
import io.gyrosentinel.console.AlarmStatus;
import io.gyrosentinel.client.DeviceWatch;

import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.BiConsumer;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The devices the console follows: their live state, stored as alarms and score minutes, and pushed to the pages
 * (every change of a device at most every {@link #PUSH_MILLIS} ms; events and link changes at once).
 */
public final class Fleet implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(Fleet.class);
    static final long PUSH_MILLIS = 250;
    static final ObjectMapper JSON = new ObjectMapper();

    private final Store store;
    private final java.nio.file.Path recordings;
    private final java.util.concurrent.ExecutorService writer = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "gs-console-clips");
        t.setDaemon(true);
        return t;
    });
    /** Model id → precision of the bundles the console knows (its bundle directory). */
    final Map<String, String> precisions = new java.util.concurrent.ConcurrentHashMap<>();
    private final Map<String, Followed> devices = new ConcurrentSkipListMap<>();
    private final List<BiConsumer<String, String>> sinks = new CopyOnWriteArrayList<>();
    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "gs-console-push");
        t.setDaemon(true);
        return t;
    });

    /** One followed device. */
    private final class Followed implements DeviceWatch.Listener {
        final DeviceWatch watch;
        final Clips clips;
        final io.gyrosentinel.stream.GyroStream stream;
        final AutoCloseable listening;
        volatile boolean dirty;
        // the current minute of scores, flushed to the store by the timer
        OffsetDateTime bucket;
        int windows;
        double sum;
        double max;
        double threshold;
        final Drift drift = new Drift();
        volatile float[] share;
        Drift.Verdict verdict = new Drift.Verdict(Drift.State.LEARNING, Double.NaN, Double.NaN, Double.NaN, "");
        long verdictAt;

        Followed(DeviceWatch watch, Clips clips, io.gyrosentinel.stream.GyroStream stream) {
            this.watch = watch;
            this.clips = clips;
            this.stream = stream;
            this.listening = watch.listen(this);
        }

        @Override
        public void onResult(DeviceWatch.State s, InferenceResult r) {
            synchronized (this) {
                OffsetDateTime minute = OffsetDateTime.now(ZoneOffset.UTC).truncatedTo(ChronoUnit.MINUTES);
                if (bucket != null && !bucket.equals(minute)) {
                    flushLocked();
                }
                bucket = minute;
                windows++;
                sum += r.score();
                max = Math.max(max, r.score());
                threshold = r.threshold();
                drift.add(r.modelId(), r.score(), r.threshold(), s.anomaly());
            }
            float[] e = r.channelError();
            if (e.length > 0) {
                double sum = 0;
                for (float v : e) {
                    sum += Math.max(0, v);
                }
                float[] sh = new float[e.length];
                for (int i = 0; i < e.length && sum > 0; i++) {
                    sh[i] = (float) (Math.max(0, e[i]) / sum);
                }
                share = sh;
            }
            dirty = true;
        }

        @Override
        public void onEvent(DeviceWatch.State s, AnomalyEvent e) {
            try {
                store.event(s.deviceId(), e).ifPresent(a -> {
                    push("alarm", alarmJson(a).toString());
                    if (!a.active() && a.clip() == null && clips != null && recordings != null) {
                        writer.submit(() -> saveClip(a, clips));
                    }
                });
            } catch (RuntimeException ex) {
                LOG.error("could not store the event {} of {}", e.eventId(), s.deviceId(), ex);
            }
            push("device", json().toString());
            dirty = false;
        }

        @Override
        public void onLink(DeviceWatch.State s) {
            push("device", json().toString());
            dirty = false;
        }

        @Override
        public void onGap(DeviceWatch.State s, Gap gap) {
            dirty = true;
        }

        synchronized Drift.Verdict verdict() {
            long now = System.currentTimeMillis();
            if (now - verdictAt > 2000) {
                verdict = drift.verdict();
                verdictAt = now;
            }
            return verdict;
        }

        ObjectNode json() {
            ObjectNode o = deviceJson(watch.state(), verdict());
            o.put("controllable", watch.hasClient());
            if (watch.hasClient()) {
                var st = watch.client().stats();
                o.putObject("link").put("reconnects", st.reconnects()).put("badFrames", st.badFrames())
                        .put("framesIn", st.framesIn());
            }
            String p = precisions.get(o.path("model").asText());
            if (p != null) {
                o.put("precision", p);
            }
            float[] sh = share;
            if (sh != null) {
                ArrayNode a = o.putArray("channelShare");
                for (float v : sh) {
                    a.add(v);
                }
            }
            return o;
        }

        void flushLocked() {
            if (windows > 0) {
                try {
                    store.addScores(watch.deviceId(), bucket, windows, sum, max, threshold);
                } catch (RuntimeException ex) {
                    LOG.error("could not store the scores of {}", watch.deviceId(), ex);
                }
            }
            windows = 0;
            sum = 0;
            max = 0;
        }
    }

    private void saveClip(Alarm a, Clips clips) {
        try {
            java.nio.file.Path p = clips.save(a, recordings);
            if (p != null) {
                store.setClip(a.id(), p.toString());
                store.alarm(a.id()).ifPresent(x -> push("alarm", alarmJson(x).toString()));
            }
        } catch (RuntimeException ex) {
            LOG.error("could not save the episode of alarm {} of {}", a.id(), a.deviceId(), ex);
        }
    }

    /**
     * A fleet writing to a store.
     *
     * @param store      the console's database
     * @param recordings where the alarms' episodes are saved, null to keep none
     */
    public Fleet(Store store, java.nio.file.Path recordings) {
        this.store = store;
        this.recordings = recordings;
        timer.scheduleWithFixedDelay(this::pushDirty, PUSH_MILLIS, PUSH_MILLIS, TimeUnit.MILLISECONDS);
        timer.scheduleWithFixedDelay(this::flushMinutes, 10, 10, TimeUnit.SECONDS);
    }

    /**
     * Follows a device.
     *
     * @param watch the device's watch
     * @return closing it stops following (the device stays listed, offline)
     * @throws IllegalArgumentException when a device of that id is followed already
     */
    public AutoCloseable add(DeviceWatch watch) {
        return add(watch, null, null);
    }

    /**
     * Follows a device and keeps its last samples to save each alarm's episode.
     *
     * @param watch the device's watch
     * @param clips  its stream's recent samples, null for none
     * @param stream its stream (recordings are started on it), null for none
     * @return closing it stops following
     */
    public AutoCloseable add(DeviceWatch watch, Clips clips, io.gyrosentinel.stream.GyroStream stream) {
        DeviceWatch.State s = watch.state();
        Followed f = new Followed(watch, clips, stream);
        if (devices.putIfAbsent(s.deviceId(), f) != null) {
            try {
                f.listening.close();
            } catch (Exception ignored) {
                // removing a listener does not fail
            }
            throw new IllegalArgumentException("the console follows a device '" + s.deviceId() + "' already");
        }
        store.seenDevice(s.deviceId(), s.firmware(), s.modelId());
        push("device", f.json().toString());
        return () -> {
            if (devices.remove(s.deviceId(), f)) {
                f.listening.close();
                synchronized (f) {
                    f.flushLocked();
                }
            }
        };
    }

    /**
     * Adds a receiver of pushes (event name, JSON).
     *
     * @param sink the receiver
     * @return closing it removes the receiver
     */
    public AutoCloseable onPush(BiConsumer<String, String> sink) {
        sinks.add(sink);
        return () -> sinks.remove(sink);
    }

    /**
     * Sends an update to every page.
     *
     * @param event the SSE event name
     * @param json  its data
     */
    public void push(String event, String json) {
        for (BiConsumer<String, String> s : sinks) {
            try {
                s.accept(event, json);
            } catch (RuntimeException e) {
                LOG.debug("a page went away", e);
            }
        }
    }

    private void pushDirty() {
        for (Followed f : devices.values()) {
            if (f.dirty) {
                f.dirty = false;
                push("device", f.json().toString());
            }
        }
    }

    private void flushMinutes() {
        OffsetDateTime minute = OffsetDateTime.now(ZoneOffset.UTC).truncatedTo(ChronoUnit.MINUTES);
        for (Followed f : devices.values()) {
            synchronized (f) {
                if (f.bucket != null && !f.bucket.equals(minute)) {
                    f.flushLocked();
                    f.bucket = null;
                }
            }
        }
    }

    /** {@return the followed devices' states, by id} */
    public Collection<DeviceWatch.State> states() {
        List<DeviceWatch.State> out = new ArrayList<>();
        for (Followed f : devices.values()) {
            out.add(f.watch.state());
        }
        return out;
    }

    /**
     * {@return a followed device's watch, or null}
     *
     * @param id the device id
     */
    public DeviceWatch watch(String id) {
        Followed f = devices.get(id);
        return f == null ? null : f.watch;
    }

    /** Judged alarms of the last 30 days that make the console suggest a recalibration: at least ... */
    static final int FALSE_ALARMS_MIN = 3;
    /** ... this many dismissed, and at least this share of the judged ones. */
    static final double FALSE_ALARM_SHARE = 0.5;

    /**
     * {@return a followed device's recent samples, or null when it was followed without its stream}
     *
     * @param id the device id
     */
    public Clips clips(String id) {
        Followed f = devices.get(id);
        return f == null ? null : f.clips;
    }

    /**
     * {@return a followed device's stream, or null when it was followed without one}
     *
     * @param id the device id
     */
    public io.gyrosentinel.stream.GyroStream stream(String id) {
        Followed f = devices.get(id);
        return f == null ? null : f.stream;
    }

    /** {@return every device as the API lists it, with its alarm counts and suggestions} */
    public ArrayNode devicesJson() {
        Map<String, Map<AlarmStatus, Integer>> counts = store.alarmCounts(
                OffsetDateTime.now(ZoneOffset.UTC).minusDays(30));
        ArrayNode arr = JSON.createArrayNode();
        for (Followed f : devices.values()) {
            arr.add(withFeedback(f.json(), counts.getOrDefault(f.watch.deviceId(), Map.of())));
        }
        return arr;
    }

    /**
     * {@return one device as the API shows it, or null when it is not followed}
     *
     * @param id the device id
     */
    public ObjectNode deviceJson(String id) {
        Followed f = devices.get(id);
        if (f == null) {
            return null;
        }
        return withFeedback(f.json(), store.alarmCounts(OffsetDateTime.now(ZoneOffset.UTC).minusDays(30))
                .getOrDefault(id, Map.of()));
    }

    private static ObjectNode withFeedback(ObjectNode o, Map<AlarmStatus, Integer> c) {
        int open = c.getOrDefault(AlarmStatus.OPEN, 0) + c.getOrDefault(AlarmStatus.ACKNOWLEDGED, 0);
        int confirmed = c.getOrDefault(AlarmStatus.CONFIRMED, 0);
        int dismissed = c.getOrDefault(AlarmStatus.DISMISSED, 0);
        o.put("openAlarms", open);
        ObjectNode fb = o.putObject("feedback");
        fb.put("confirmed", confirmed).put("dismissed", dismissed);
        boolean recalibrate = dismissed >= FALSE_ALARMS_MIN && dismissed >= FALSE_ALARM_SHARE * (dismissed + confirmed);
        fb.put("suggestRecalibration", recalibrate);
        fb.put("suggestion", recalibrate ? String.format(java.util.Locale.ROOT, "%d of the %d alarms judged in the "
                + "last 30 days were false alarms: recalibrate the threshold on this machine's normal operation",
                dismissed, dismissed + confirmed) : "");
        return o;
    }

    /** Forgets a device's drift reference (after a calibration). @param id the device */
    public void resetDrift(String id) {
        Followed f = devices.get(id);
        if (f != null) {
            synchronized (f) {
                f.drift.reset();
                f.verdictAt = 0;
            }
        }
    }

    /**
     * {@return a device's state as JSON}
     *
     * @param s the state
     * @param v its drift verdict
     */
    public static ObjectNode deviceJson(DeviceWatch.State s, Drift.Verdict v) {
        ObjectNode o = JSON.createObjectNode();
        o.put("id", s.deviceId());
        o.put("online", s.online());
        o.put("firmware", s.firmware());
        o.put("model", s.modelId());
        number(o, "score", s.score());
        number(o, "threshold", s.threshold());
        o.put("anomaly", s.anomaly());
        o.put("events", s.events());
        o.put("lastEventMillis", s.lastEventMillis());
        o.put("windows", s.windows());
        o.put("gaps", s.gaps());
        o.put("missingSamples", s.missingSamples());
        o.put("updatedMillis", s.updatedMillis());
        ObjectNode d = o.putObject("drift");
        d.put("state", v.state().name());
        number(d, "ks", (float) v.ks());
        number(d, "medianRatio", (float) v.medianRatio());
        number(d, "p95OfThreshold", (float) v.p95OfThreshold());
        d.put("suggestion", v.suggestion());
        return o;
    }

    private static void number(ObjectNode o, String name, float v) {
        if (Float.isFinite(v)) {
            o.put(name, v);
        } else {
            o.putNull(name);
        }
    }

    /**
     * {@return an alarm as JSON}
     *
     * @param a the alarm
     */
    public static ObjectNode alarmJson(Alarm a) {
        ObjectNode o = JSON.createObjectNode();
        o.put("id", a.id());
        o.put("device", a.deviceId());
        o.put("eventId", a.eventId());
        o.put("model", a.modelId());
        o.put("startedAt", a.startedAt().toString());
        o.put("endedAt", a.endedAt() == null ? null : a.endedAt().toString());
        o.put("active", a.active());
        o.put("peakScore", a.peakScore());
        o.put("threshold", a.threshold());
        o.put("status", a.status().name());
        o.put("note", a.note());
        o.put("updatedBy", a.updatedBy());
        o.put("updatedAt", a.updatedAt() == null ? null : a.updatedAt().toString());
        o.put("clip", a.clip() != null);
        return o;
    }

    @Override
    public void close() {
        timer.shutdownNow();
        writer.shutdown();
        try {
            writer.awaitTermination(10, TimeUnit.SECONDS); // the clips being written
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        for (Followed f : devices.values()) {
            try {
                f.listening.close();
            } catch (Exception ignored) {
                // removing a listener does not fail
            }
            synchronized (f) {
                f.flushLocked();
            }
        }
        devices.clear();
    }
}
