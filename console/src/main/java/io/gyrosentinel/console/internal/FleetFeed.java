package io.gyrosentinel.console.internal;

import io.gyrosentinel.client.DeviceWatch;
import io.gyrosentinel.transport.mqtt.DeviceStatus;
import io.gyrosentinel.transport.mqtt.MqttFleet;

import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Flow;
import java.util.function.Consumer;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Follows an MQTT fleet: every device whose status the broker holds becomes a {@link DeviceWatch#detached} watch the
 * console shows, fed with the results and events the fleet delivers. Two consoles on one broker with the same
 * shared group split the results and events (each message reaches one of them) and write to one database; both see
 * every device, because device status is not shared.
 */
public final class FleetFeed implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(FleetFeed.class);

    private final Fleet fleet;
    private final Map<String, DeviceWatch> watches = new ConcurrentHashMap<>();
    private final List<AutoCloseable> open = new CopyOnWriteArrayList<>();

    /**
     * Starts following.
     *
     * @param fleet the console's devices
     * @param mqtt  the MQTT fleet
     */
    public FleetFeed(Fleet fleet, MqttFleet mqtt) {
        this.fleet = fleet;
        mqtt.devices().values().forEach(this::status);
        subscribe(mqtt.statusChanges(), this::status);
        subscribe(mqtt.results(), r -> watch(r.deviceId(), "").feed().onResult(r.result()));
        subscribe(mqtt.events(), e -> watch(e.deviceId(), "").feed().onEvent(e.event()));
    }

    private void status(DeviceStatus s) {
        watch(s.deviceId(), s.firmware() == null ? "" : s.firmware()).online(s.online());
    }

    private DeviceWatch watch(String id, String firmware) {
        return watches.computeIfAbsent(id, k -> {
            DeviceWatch w = DeviceWatch.detached(k, firmware);
            open.add(fleet.add(w));
            return w;
        });
    }

    private <T> void subscribe(Flow.Publisher<T> p, Consumer<T> action) {
        p.subscribe(new Flow.Subscriber<>() {
            @Override
            public void onSubscribe(Flow.Subscription s) {
                open.add(s::cancel);
                s.request(Long.MAX_VALUE);
            }

            @Override
            public void onNext(T item) {
                try {
                    action.accept(item);
                } catch (RuntimeException e) {
                    LOG.warn("fleet message not taken: {}", item, e);
                }
            }

            @Override
            public void onError(Throwable t) {
                LOG.warn("the MQTT fleet failed", t);
            }

            @Override
            public void onComplete() {
                // the fleet closed
            }
        });
    }

    /** {@return how many devices the feed follows} */
    public int devices() {
        return watches.size();
    }

    @Override
    public void close() {
        for (AutoCloseable c : open) {
            try {
                c.close();
            } catch (Exception ignored) {
                // cancelling does not fail
            }
        }
        open.clear();
        watches.values().forEach(DeviceWatch::close);
    }
}
