package io.gyrosentinel.transport.mqtt;

import io.gyrosentinel.ErrorCode;
import io.gyrosentinel.GyroSentinelException;
import io.gyrosentinel.collect.Collector;
import io.gyrosentinel.transport.mqtt.internal.DefaultMqttFleet;
import io.gyrosentinel.transport.mqtt.internal.MqttSettings;

import java.util.Map;
import java.util.Objects;
import java.util.concurrent.Executor;
import java.util.concurrent.Flow;
import java.util.function.Function;
import java.util.regex.Pattern;

/**
 * Many devices through one MQTT connection: discovers devices from their retained status and
 * consumes what they publish. Several JVMs with the same {@link Builder#sharedGroup shared group}
 * split the devices' messages between them (MQTT 5 shared subscription
 * {@code $share/<group>/gyrosentinel/v1/+/up}); every member still sees every status.
 *
 * <pre>{@code
 * try (MqttFleet fleet = MqttFleet.builder().broker("mqtt://broker:1883?username=ops&password=secret")
 *         .sharedGroup("workers").build()) {
 *     fleet.events().subscribe(new MySubscriber());           // DeviceEvent: which device, which anomaly
 *     fleet.collectTo(device -> new CsvCollector(dir.resolve(device + ".csv")));  // one collector per device
 *     System.out.println(fleet.devices().keySet());             // known devices, online or not
 * }
 * }</pre>
 *
 * Items reach subscribers on the fleet's executor, never on the MQTT I/O thread; a subscriber
 * that falls more than {@link Builder#bufferSize} items behind loses items (counted in
 * {@link FleetStats#dropped()}). Requests to devices go through a {@link io.gyrosentinel.client.DeviceClient}
 * per device ({@code mqtt://broker/deviceId}).
 */
public interface MqttFleet extends AutoCloseable {

    /** {@return a new builder; {@link Builder#broker(String)} is required} */
    static Builder builder() {
        return new Builder();
    }

    /** {@return the devices seen so far, by id, with their latest status (online or not)} */
    Map<String, DeviceStatus> devices();

    /**
     * {@return a publisher of status changes (a device came online, went offline) as they arrive, retained ones
     * first}
     */
    Flow.Publisher<DeviceStatus> statusChanges();

    /** {@return a publisher of the inference results of all devices} */
    Flow.Publisher<DeviceResult> results();

    /** {@return a publisher of the anomaly events of all devices} */
    Flow.Publisher<DeviceEvent> events();

    /** {@return a publisher of the raw sample batches of all devices (decoded only while someone subscribes)} */
    Flow.Publisher<DeviceBatch> batches();

    /**
     * Sends each device's results and events to its own collector, created by {@code perDevice}
     * on the device's first item. Calls come from one thread, in order. Closing the returned
     * handle (or the fleet) detaches and closes the collectors.
     *
     * @param perDevice creates the collector of a device from its id
     * @return the handle detaching the collectors
     */
    AutoCloseable collectTo(Function<String, Collector> perDevice);

    /** {@return the fleet's counters so far} */
    FleetStats stats();

    /** Disconnects, completes the publishers and closes the collectors. Idempotent. */
    @Override
    void close();

    /** Builds an {@link MqttFleet}; validates in {@link #build()}. */
    final class Builder {
        private static final Pattern GROUP = Pattern.compile("[A-Za-z0-9._-]{1,64}");
        private String broker;
        private String sharedGroup;
        private Executor executor;
        private int bufferSize = 8192;
        private int maxDevices = 10_000;

        Builder() {
        }

        /**
         * Broker URI: {@code mqtt://host:port} or {@code mqtts://host:port?caFile=...}, with the
         * parameters of {@link MqttTransportProvider}. A device id in the path limits the fleet to
         * that device.
         *
         * @param uri the broker URI, e.g. {@code mqtt://broker:1883?username=ops&password=secret}
         * @return this builder
         */
        public Builder broker(String uri) {
            this.broker = uri;
            return this;
        }

        /**
         * Joins a shared-subscription group: members split the devices' messages.
         *
         * @param group the group name, 1 .. 64 characters of {@code A-Z a-z 0-9 . _ -}; {@code null} for none (the
         *              default)
         * @return this builder
         */
        public Builder sharedGroup(String group) {
            this.sharedGroup = group;
            return this;
        }

        /**
         * Where subscribers and collectors run (default: the fleet's own daemon threads).
         *
         * @param executor the executor, or {@code null} for the fleet's own threads
         * @return this builder
         */
        public Builder executor(Executor executor) {
            this.executor = executor;
            return this;
        }

        /**
         * Items buffered per subscriber before the oldest are dropped (default 8192).
         *
         * @param items buffer size per subscriber, items, positive
         * @return this builder
         */
        public Builder bufferSize(int items) {
            this.bufferSize = items;
            return this;
        }

        /**
         * Devices the fleet keeps state for (default 10 000): past that, devices silent for a day are forgotten, else
         * the one silent longest ({@link FleetStats#evicted()}), so a flood of made-up device ids cannot grow memory
         * without bound. A forgotten device that speaks again is simply known again.
         *
         * @param devices the largest number of devices kept, positive
         * @return this builder
         */
        public Builder maxDevices(int devices) {
            this.maxDevices = devices;
            return this;
        }

        /**
         * Connects and subscribes; blocks until done.
         *
         * @return the connected fleet; close it when done
         * @throws GyroSentinelException {@code BAD_URI} or {@code TRANSPORT} saying what to fix
         */
        public MqttFleet build() {
            if (broker == null) {
                throw new GyroSentinelException(ErrorCode.BAD_URI, "MqttFleet needs broker(\"mqtt://host:1883\")");
            }
            if (sharedGroup != null && !GROUP.matcher(sharedGroup).matches()) {
                throw new GyroSentinelException(ErrorCode.BAD_URI, "shared group '" + sharedGroup
                        + "' must be 1..64 characters of A-Z a-z 0-9 . _ -");
            }
            if (bufferSize < 1) {
                throw new GyroSentinelException(ErrorCode.BAD_URI, "bufferSize must be positive, not " + bufferSize);
            }
            if (maxDevices < 1) {
                throw new GyroSentinelException(ErrorCode.BAD_URI, "maxDevices must be positive, not " + maxDevices);
            }
            MqttSettings s = MqttSettings.parse(Objects.requireNonNull(broker), false);
            return DefaultMqttFleet.start(s, sharedGroup, executor, bufferSize, maxDevices);
        }
    }
}
