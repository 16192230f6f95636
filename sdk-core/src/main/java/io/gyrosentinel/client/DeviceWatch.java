package io.gyrosentinel.client;

import io.gyrosentinel.AnomalyEvent;
import io.gyrosentinel.DeviceInfo;
import io.gyrosentinel.Gap;
import io.gyrosentinel.InferenceResult;
import io.gyrosentinel.ModelSlotInfo;
import io.gyrosentinel.collect.Collector;

import java.util.List;
import java.util.Objects;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Flow;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The live state of one device as plant systems show it (online, firmware, active model, last score, threshold,
 * anomaly state, event count, link gaps), kept from a {@link DeviceClient}'s results, events and link state, with
 * listeners told of every change. One source for every integration (OPC UA, Sparkplug B, a console), so they agree
 * on what "anomalous" and "online" mean.
 *
 * <pre>{@code
 * try (DeviceClient dev = DeviceClient.connect("serial:/dev/ttyUSB0");
 *      DeviceWatch watch = DeviceWatch.follow(dev);
 *      GyroStream stream = dev.stream()) {
 *     stream.collectTo(watch.collector());           // counts the stream's gaps
 *     watch.listen(new DeviceWatch.Listener() {
 *         public void onEvent(DeviceWatch.State s, AnomalyEvent e) { alarm(s.deviceId(), e); }
 *     });
 * }
 * }</pre>
 *
 * Thread-safe. Listeners run on the client's delivery thread, in the order the device's messages came; one that
 * throws is logged and does not stop the others.
 */
public final class DeviceWatch implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(DeviceWatch.class);

    /**
     * A device's state at one moment.
     *
     * @param deviceId        the device's id
     * @param online          the link is up
     * @param firmware        the firmware version the device reported
     * @param modelId         id of the model that scored the last window, or of the active slot's model before
     *                        the first window; empty when none is known
     * @param score           score of the last window, NaN before the first
     * @param threshold       the model's threshold, NaN before the first window or event
     * @param anomaly         an anomaly event is open
     * @param events          anomaly events started since the watch began
     * @param lastEventMillis host time of the last STARTED event, Unix ms; 0 when none
     * @param windows         windows scored since the watch began
     * @param gaps            gaps seen in the stream fed through {@link #collector()}
     * @param missingSamples  samples missing in those gaps
     * @param updatedMillis   host time of the last change, Unix ms
     */
    public record State(String deviceId, boolean online, String firmware, String modelId, float score,
                        float threshold, boolean anomaly, long events, long lastEventMillis, long windows, long gaps,
                        long missingSamples, long updatedMillis) {
    }

    /** Told of every change; every method has an empty default. */
    public interface Listener {
        /**
         * A window was scored.
         *
         * @param state  the state after it
         * @param result the device's result
         */
        default void onResult(State state, InferenceResult result) {
        }

        /**
         * An anomaly event opened or closed.
         *
         * @param state the state after it
         * @param event the device's event
         */
        default void onEvent(State state, AnomalyEvent event) {
        }

        /**
         * The link went down or came back.
         *
         * @param state the state after it; {@link State#online()} tells which
         */
        default void onLink(State state) {
        }

        /**
         * The stream fed through {@link #collector()} lost samples.
         *
         * @param state the state after it
         * @param gap   the gap
         */
        default void onGap(State state, Gap gap) {
        }
    }

    private final DeviceClient client;
    private final List<Listener> listeners = new CopyOnWriteArrayList<>();
    private final List<AutoCloseable> subscriptions = new CopyOnWriteArrayList<>();
    // the state's parts, guarded by this; state is their snapshot after each change
    private final String deviceId;
    private final String firmware;
    private boolean online = true;
    private String modelId;
    private float score = Float.NaN;
    private float threshold = Float.NaN;
    private boolean anomaly;
    private long events;
    private long lastEventMillis;
    private long windows;
    private long gaps;
    private long missingSamples;
    private State state;

    private DeviceWatch(String deviceId, String firmware) {
        this.client = null;
        this.deviceId = deviceId;
        this.firmware = firmware;
        this.modelId = "";
        changed(System.currentTimeMillis());
    }

    /** Takes the snapshot after a change; the caller holds the lock. */
    private State changed(long now) {
        return state = new State(deviceId, online, firmware, modelId, score, threshold, anomaly, events,
                lastEventMillis, windows, gaps, missingSamples, now);
    }

    private DeviceWatch(DeviceClient client) {
        this.client = client;
        DeviceInfo info = client.info();
        String model;
        try {
            // asked now: the handshake's slots are stale after a deploy on this connection
            model = client.modelStatus().active().map(ModelSlotInfo::modelId).orElse("");
        } catch (RuntimeException e) {
            LOG.debug("model status of {} unknown; using the handshake's", info.deviceId(), e);
            model = info.modelSlots().stream().filter(ModelSlotInfo::active).map(ModelSlotInfo::modelId)
                    .findFirst().orElse("");
        }
        this.deviceId = info.deviceId();
        this.firmware = info.firmwareVersion();
        this.modelId = model;
        changed(System.currentTimeMillis());
    }

    /**
     * Starts following a client: its results and events, and its link state.
     *
     * @param client a connected client; it must outlive the watch or be closed after it
     * @return the watch, online
     */
    public static DeviceWatch follow(DeviceClient client) {
        Objects.requireNonNull(client, "client");
        DeviceWatch w = new DeviceWatch(client);
        w.subscriptions.add(client.collectTo(w.view));
        client.connectionEvents().subscribe(new Flow.Subscriber<>() {
            @Override
            public void onSubscribe(Flow.Subscription s) {
                w.subscriptions.add(s::cancel);
                s.request(Long.MAX_VALUE);
            }

            @Override
            public void onNext(ConnectionEvent e) {
                switch (e.type()) {
                    case CONNECTED, RECONNECTED -> w.link(true);
                    case LINK_LOST, CLOSED -> w.link(false);
                    default -> {
                    }
                }
            }

            @Override
            public void onError(Throwable t) {
                w.link(false);
            }

            @Override
            public void onComplete() {
                w.link(false);
            }
        });
        return w;
    }

    /**
     * A watch fed by hand rather than by a client: results and events through {@link #feed()}, the link state through
     * {@link #online(boolean)} — e.g. a device of an MQTT fleet, whose results and events the fleet delivers.
     *
     * @param deviceId the device's id
     * @param firmware its firmware version, "" when unknown
     * @return the watch, online
     */
    public static DeviceWatch detached(String deviceId, String firmware) {
        return new DeviceWatch(Objects.requireNonNull(deviceId, "deviceId"), Objects.requireNonNull(firmware,
                "firmware"));
    }

    /** {@return whether the watch follows a client (else it is fed by hand)} */
    public boolean hasClient() {
        return client != null;
    }

    /**
     * {@return the client this watch follows}
     *
     * @throws IllegalStateException for a {@link #detached} watch
     */
    public DeviceClient client() {
        if (client == null) {
            throw new IllegalStateException("device '" + deviceId() + "' is watched through its results and events "
                    + "only, with no client to send it requests");
        }
        return client;
    }

    /**
     * {@return the collector that feeds a {@link #detached} watch the device's results and events (a watch that
     * follows a client gets them from the client: do not feed it these too)}
     */
    public Collector feed() {
        return view;
    }

    /**
     * Sets the link state of a {@link #detached} watch.
     *
     * @param up whether the device is reachable
     */
    public void online(boolean up) {
        link(up);
    }

    /** {@return the device's id} */
    public String deviceId() {
        return deviceId;
    }

    /** {@return the state now} */
    public synchronized State state() {
        return state;
    }

    /**
     * Adds a listener.
     *
     * @param listener told of every later change
     * @return closing it removes the listener
     */
    public AutoCloseable listen(Listener listener) {
        Objects.requireNonNull(listener, "listener");
        listeners.add(listener);
        return () -> listeners.remove(listener);
    }

    /**
     * {@return the collector that counts a stream's gaps into this watch ({@code stream.collectTo(watch.collector())});
     * results and events already come from the client}
     */
    public Collector collector() {
        return gapView;
    }

    private final Collector view = new Collector() {
        @Override
        public void onResult(InferenceResult r) {
            State s;
            synchronized (DeviceWatch.this) {
                if (!r.modelId().isEmpty()) {
                    modelId = r.modelId();
                }
                score = r.score();
                threshold = r.threshold();
                windows++;
                s = changed(System.currentTimeMillis());
            }
            for (Listener l : listeners) {
                safely(() -> l.onResult(s, r));
            }
        }

        @Override
        public void onEvent(AnomalyEvent e) {
            State s;
            synchronized (DeviceWatch.this) {
                long now = System.currentTimeMillis();
                boolean started = e.state() == AnomalyEvent.State.STARTED;
                if (!e.modelId().isEmpty()) {
                    modelId = e.modelId();
                }
                threshold = e.threshold();
                anomaly = started;
                if (started) {
                    events++;
                    lastEventMillis = now;
                }
                s = changed(now);
            }
            for (Listener l : listeners) {
                safely(() -> l.onEvent(s, e));
            }
        }
    };

    private final Collector gapView = new Collector() {
        @Override
        public void onGap(Gap gap) {
            State s;
            synchronized (DeviceWatch.this) {
                gaps++;
                missingSamples += gap.missingSamples();
                s = changed(System.currentTimeMillis());
            }
            for (Listener l : listeners) {
                safely(() -> l.onGap(s, gap));
            }
        }
    };

    private void link(boolean up) {
        State s;
        synchronized (this) {
            if (online == up) {
                return;
            }
            online = up;
            s = changed(System.currentTimeMillis());
        }
        for (Listener l : listeners) {
            safely(() -> l.onLink(s));
        }
    }

    /**
     * Notes a model change made outside the stream of results (a deploy, an activation, a rollback), so the state
     * names the new model before its first window.
     *
     * @param modelId the now active model's id
     */
    public void modelChanged(String modelId) {
        Objects.requireNonNull(modelId, "modelId");
        synchronized (this) {
            this.modelId = modelId;
            changed(System.currentTimeMillis());
        }
    }

    private static void safely(Runnable r) {
        try {
            r.run();
        } catch (RuntimeException e) {
            LOG.warn("device watch listener failed", e);
        }
    }

    /** Stops following the client (which stays open) and drops the listeners. */
    @Override
    public void close() {
        for (AutoCloseable s : subscriptions) {
            try {
                s.close();
            } catch (Exception ignored) {
                // cancelling a subscription does not fail
            }
        }
        subscriptions.clear();
        listeners.clear();
    }
}
