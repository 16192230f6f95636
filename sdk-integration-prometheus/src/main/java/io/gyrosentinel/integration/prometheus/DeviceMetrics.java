package io.gyrosentinel.integration.prometheus;

import io.gyrosentinel.AnomalyEvent;
import io.gyrosentinel.Gap;
import io.gyrosentinel.InferenceResult;
import io.gyrosentinel.SampleBlock;
import io.gyrosentinel.client.ConnectionEvent;
import io.gyrosentinel.client.DeployResult;
import io.gyrosentinel.client.DeviceClient;
import io.gyrosentinel.collect.Collector;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.Flow;
import java.util.concurrent.atomic.AtomicReference;

/**
 * One device's metrics in a Micrometer {@link MeterRegistry}, with the device id in the {@code device} tag. Names as
 * Prometheus shows them (Micrometer adds {@code _total} to counters):
 * <ul>
 *   <li>gauges: {@code gyrosentinel_score} (the last window's score), {@code gyrosentinel_threshold},
 *   {@code gyrosentinel_anomaly_state} (1 while an anomaly event is open), {@code gyrosentinel_online} (1 while the
 *   link is up), {@code gyrosentinel_last_event_timestamp_seconds} (host time of the last STARTED event, Unix s);</li>
 *   <li>counters: {@code gyrosentinel_samples_total}, {@code gyrosentinel_gaps_total},
 *   {@code gyrosentinel_missing_samples_total}, {@code gyrosentinel_dropped_samples_total} (lost on the device),
 *   {@code gyrosentinel_windows_total}, {@code gyrosentinel_anomalous_windows_total},
 *   {@code gyrosentinel_events_total} (STARTED events), {@code gyrosentinel_deploys_total};</li>
 *   <li>the client's link health, when {@link #bind(DeviceClient)} is used: {@code gyrosentinel_reconnects_total},
 *   {@code gyrosentinel_bad_frames_total}, {@code gyrosentinel_frames_in_total}.</li>
 * </ul>
 * {@link #bind(DeviceClient)} feeds it the device's results and events and its link state; {@code
 * stream.collectTo(metrics.collector())} feeds it a stream's samples and gaps. Thread-safe; {@link #close()} removes
 * its meters from the registry (detaching the collector does not).
 *
 * <pre>{@code
 * PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
 * try (PrometheusEndpoint http = PrometheusEndpoint.start(registry, 9464);
 *      DeviceClient dev = DeviceClient.connect("serial:/dev/ttyUSB0");
 *      DeviceMetrics metrics = new DeviceMetrics(registry, "pump-7").bind(dev);
 *      GyroStream stream = dev.stream()) {
 *     stream.collectTo(metrics.collector());   // scrape http://host:9464/metrics
 *     ...
 * }
 * }</pre>
 */
public final class DeviceMetrics implements AutoCloseable {
    private final MeterRegistry registry;
    private final Tags tags;
    private final List<Meter> meters = new ArrayList<>();
    private final List<AutoCloseable> subscriptions = new ArrayList<>();
    private final AtomicReference<Double> score = new AtomicReference<>(Double.NaN);
    private final AtomicReference<Double> threshold = new AtomicReference<>(Double.NaN);
    private final AtomicReference<Double> online = new AtomicReference<>(0.0);
    private final AtomicReference<Double> lastEvent = new AtomicReference<>(Double.NaN);
    private final Counter samples;
    private final Counter gaps;
    private final Counter missing;
    private final Counter dropped;
    private final Counter windows;
    private final Counter anomalousWindows;
    private final Counter events;
    private final Counter deploys;
    private volatile boolean inEvent;

    /**
     * Registers the device's meters.
     *
     * @param registry where the meters live (a {@code PrometheusMeterRegistry} for {@link PrometheusEndpoint})
     * @param deviceId the {@code device} tag, e.g. the device's id or the machine's name
     */
    public DeviceMetrics(MeterRegistry registry, String deviceId) {
        this.registry = Objects.requireNonNull(registry, "registry");
        this.tags = Tags.of("device", Objects.requireNonNull(deviceId, "deviceId"));
        gauge("gyrosentinel.score", "score of the last window the device's model scored", score);
        gauge("gyrosentinel.threshold", "the model's threshold the scores are compared with", threshold);
        meters.add(Gauge.builder("gyrosentinel.anomaly.state", this, m -> m.inEvent ? 1 : 0).tags(tags)
                .description("1 while an anomaly event is open, else 0").register(registry));
        gauge("gyrosentinel.online", "1 while the link to the device is up", online);
        gauge("gyrosentinel.last.event.timestamp.seconds", "host time of the last STARTED event, Unix seconds",
                lastEvent);
        samples = counter("gyrosentinel.samples", "samples received");
        gaps = counter("gyrosentinel.gaps", "gaps in the stream (lost batches, device overflows, reconnects)");
        missing = counter("gyrosentinel.missing.samples", "samples missing in those gaps");
        dropped = counter("gyrosentinel.dropped.samples", "samples the device itself lost (its buffer overflowed)");
        windows = counter("gyrosentinel.windows", "windows the device's model scored");
        anomalousWindows = counter("gyrosentinel.anomalous.windows", "windows with a score above the threshold");
        events = counter("gyrosentinel.events", "anomaly events started");
        deploys = counter("gyrosentinel.deploys", "models deployed to the device");
    }

    private void gauge(String name, String help, AtomicReference<Double> value) {
        meters.add(Gauge.builder(name, value, AtomicReference::get).tags(tags).description(help).register(registry));
    }

    private Counter counter(String name, String help) {
        Counter c = Counter.builder(name).tags(tags).description(help).register(registry);
        meters.add(c);
        return c;
    }

    /**
     * {@return the collector that feeds these metrics: blocks, gaps, results and events; closing it (as detaching it
     * from a stream does) leaves the metrics registered}
     */
    public Collector collector() {
        return view;
    }

    private final Collector view = new Collector() {
        @Override
        public void onBlock(SampleBlock block) {
            samples.increment(block.count());
        }

        @Override
        public void onGap(Gap gap) {
            gaps.increment();
            missing.increment(gap.missingSamples());
            if (gap.cause() == Gap.Cause.DEVICE_OVERFLOW) {
                dropped.increment(gap.missingSamples());
            }
        }

        @Override
        public void onResult(InferenceResult result) {
            score.set((double) result.score());
            threshold.set((double) result.threshold());
            windows.increment();
            if (result.anomalous()) {
                anomalousWindows.increment();
            }
        }

        @Override
        public void onEvent(AnomalyEvent event) {
            event(event);
        }
    };

    /**
     * Follows the client: the device's results and events, its link state ({@code gyrosentinel_online}) and the
     * link health counters.
     *
     * @param client the device's client; it must outlive this object or be closed after it
     * @return this
     */
    public DeviceMetrics bind(DeviceClient client) {
        Objects.requireNonNull(client, "client");
        online.set(1.0);
        meters.add(FunctionCounter.builder("gyrosentinel.reconnects", client, c -> c.stats().reconnects())
                .tags(tags).description("times the link came back").register(registry));
        meters.add(FunctionCounter.builder("gyrosentinel.bad.frames", client, c -> c.stats().badFrames())
                .tags(tags).description("corrupted frames dropped by the transport").register(registry));
        meters.add(FunctionCounter.builder("gyrosentinel.frames.in", client, c -> c.stats().framesIn())
                .tags(tags).description("envelopes received from the device").register(registry));
        AutoCloseable results = client.collectTo(view);
        synchronized (subscriptions) {
            subscriptions.add(results);
        }
        client.connectionEvents().subscribe(new Flow.Subscriber<>() {
            @Override
            public void onSubscribe(Flow.Subscription s) {
                synchronized (subscriptions) {
                    subscriptions.add(s::cancel);
                }
                s.request(Long.MAX_VALUE);
            }

            @Override
            public void onNext(ConnectionEvent e) {
                switch (e.type()) {
                    case CONNECTED, RECONNECTED -> online.set(1.0);
                    case LINK_LOST, CLOSED -> online.set(0.0);
                    default -> {
                    }
                }
            }

            @Override
            public void onError(Throwable t) {
                online.set(0.0);
            }

            @Override
            public void onComplete() {
                online.set(0.0);
            }
        });
        return this;
    }

    /**
     * Counts a deployment.
     *
     * @param result what {@link DeviceClient#deploy} returned
     */
    public void recordDeploy(DeployResult result) {
        Objects.requireNonNull(result, "result");
        deploys.increment();
    }

    private synchronized void event(AnomalyEvent event) {
        threshold.set((double) event.threshold());
        if (event.state() == AnomalyEvent.State.STARTED) {
            events.increment();
            lastEvent.set(System.currentTimeMillis() / 1000.0);
            inEvent = true;
        } else {
            inEvent = false;
        }
    }

    /** Removes this device's meters from the registry and stops following the client. */
    @Override
    public void close() {
        synchronized (subscriptions) {
            for (AutoCloseable s : subscriptions) {
                try {
                    s.close();
                } catch (Exception ignored) {
                    // cancelling a subscription does not fail
                }
            }
            subscriptions.clear();
        }
        for (Meter m : meters) {
            registry.remove(m);
        }
        meters.clear();
    }
}
