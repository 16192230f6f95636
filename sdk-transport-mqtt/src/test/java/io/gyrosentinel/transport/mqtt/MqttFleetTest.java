package io.gyrosentinel.transport.mqtt;

import io.gyrosentinel.AnomalyEvent;
import io.gyrosentinel.InferenceResult;
import io.gyrosentinel.collect.Collector;
import io.gyrosentinel.sim.VirtualDevice;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Flow;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

@Timeout(90)
class MqttFleetTest {
    private static MosquittoBroker broker;

    @BeforeAll
    static void startBroker() {
        broker = MosquittoBroker.start();
    }

    @AfterAll
    static void stopBroker() {
        broker.close();
    }

    @Test
    void discoversDevicesFromRetainedStatusAndSeesTheLastWillWhenAConnectionDies() {
        try (VirtualDevice a = VirtualDevice.builder().deviceId("disc-a").build();
             VirtualDevice b = VirtualDevice.builder().deviceId("disc-b").build()) {
            MqttDeviceBridge ba = MqttDeviceBridge.attach(a, broker.uri());
            MqttDeviceBridge bb = MqttDeviceBridge.attach(b, broker.uri());
            try (MqttFleet fleet = MqttFleet.builder().broker(broker.uri()).build()) {
                Queue<DeviceStatus> changes = new ConcurrentLinkedQueue<>();
                fleet.statusChanges().subscribe(collect(changes));
                await(() -> online(fleet, "disc-a") && online(fleet, "disc-b"), "both devices discovered");
                DeviceStatus st = fleet.devices().get("disc-a");
                assertEquals(VirtualDevice.FIRMWARE_VERSION, st.firmware());
                assertEquals(1, st.protocolVersion());

                ba.simulatePowerLoss();
                await(() -> !online(fleet, "disc-a"), "Last Will marks disc-a offline");
                assertEquals("lost", fleet.devices().get("disc-a").reason());
                await(() -> changes.stream().anyMatch(s -> s.deviceId().equals("disc-a") && !s.online()),
                        "status change published");

                bb.close();
                await(() -> !online(fleet, "disc-b"), "clean shutdown marks disc-b offline");
                assertEquals("shutdown", fleet.devices().get("disc-b").reason());
            }
            // A fleet that starts later learns the same from the retained messages.
            try (MqttFleet late = MqttFleet.builder().broker(broker.uri()).build()) {
                await(() -> late.devices().containsKey("disc-a") && late.devices().containsKey("disc-b"), "retained");
                assertFalse(late.devices().get("disc-a").online());
            }
        }
    }

    @Test
    void sharedSubscriptionSplitsResultsBetweenTwoConsumersWithoutDuplicates() {
        int devices = 4;
        int perDevice = 200;
        List<VirtualDevice> devs = new ArrayList<>();
        List<MqttDeviceBridge> bridges = new ArrayList<>();
        try (MqttFleet w1 = MqttFleet.builder().broker(broker.uri()).sharedGroup("workers").build();
             MqttFleet w2 = MqttFleet.builder().broker(broker.uri()).sharedGroup("workers").build();
             MqttFleet all = MqttFleet.builder().broker(broker.uri()).build()) {
            Queue<DeviceResult> r1 = new ConcurrentLinkedQueue<>();
            Queue<DeviceResult> r2 = new ConcurrentLinkedQueue<>();
            w1.results().subscribe(collect(r1));
            w2.results().subscribe(collect(r2));
            Map<String, AtomicInteger> perDeviceResults = new ConcurrentHashMap<>();
            Map<String, AtomicInteger> perDeviceEvents = new ConcurrentHashMap<>();
            Set<String> closed = ConcurrentHashMap.newKeySet();
            AutoCloseable handle = all.collectTo(id -> new Collector() {
                public void onResult(InferenceResult r) {
                    perDeviceResults.computeIfAbsent(id, k -> new AtomicInteger()).incrementAndGet();
                }

                public void onEvent(AnomalyEvent e) {
                    perDeviceEvents.computeIfAbsent(id, k -> new AtomicInteger()).incrementAndGet();
                }

                public void close() {
                    closed.add(id);
                }
            });
            for (int d = 0; d < devices; d++) {
                VirtualDevice dev = VirtualDevice.builder().deviceId("shared-" + d).build();
                devs.add(dev);
                bridges.add(MqttDeviceBridge.attach(dev, broker.uri()));
            }
            for (int w = 0; w < perDevice; w++) {
                for (VirtualDevice dev : devs) {
                    InferenceResult r = new InferenceResult(w, w, w + 1, w, 0.5f, false, new float[3], 10, "m");
                    dev.publish(r);
                }
            }
            for (VirtualDevice dev : devs) {
                AnomalyEvent e = new AnomalyEvent(1, AnomalyEvent.State.STARTED, 5, 0, 2f, 6, 0.5f, 3, "m");
                dev.publish(e);
            }
            int total = devices * perDevice;
            await(() -> r1.size() + r2.size() >= total, "all results consumed by the group");
            MqttTransportTest.sleepMillis(300); // would-be duplicates
            assertEquals(total, r1.size() + r2.size(), "each message goes to one member");
            Set<String> distinct = ConcurrentHashMap.newKeySet();
            r1.forEach(r -> distinct.add(r.deviceId() + "/" + r.result().window()));
            r2.forEach(r -> distinct.add(r.deviceId() + "/" + r.result().window()));
            assertEquals(total, distinct.size());
            assertTrue(r1.size() > total / 5 && r2.size() > total / 5, "load split: " + r1.size() + " / " + r2.size());

            await(() -> perDeviceEvents.size() == devices
                    && perDeviceResults.values().stream().allMatch(c -> c.get() == perDevice)
                    && perDeviceResults.size() == devices, "the non-shared consumer sees everything, per device");
            handle.close();
            assertEquals(devices, closed.size(), "collectors closed with the handle");
            assertEquals(total, all.stats().results());
            assertEquals(devices, all.stats().events());
        } catch (Exception e) {
            throw new AssertionError(e);
        } finally {
            bridges.forEach(MqttDeviceBridge::close);
            devs.forEach(VirtualDevice::close);
        }
    }

    private static boolean online(MqttFleet f, String id) {
        DeviceStatus s = f.devices().get(id);
        return s != null && s.online();
    }

    static <T> Flow.Subscriber<T> collect(Queue<T> into) {
        return new Flow.Subscriber<>() {
            public void onSubscribe(Flow.Subscription s) { s.request(Long.MAX_VALUE); }
            public void onNext(T item) { into.add(item); }
            public void onError(Throwable t) { }
            public void onComplete() { }
        };
    }

    static void await(BooleanSupplier cond, String what) {
        long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        while (!cond.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out waiting for: " + what);
            }
            MqttTransportTest.sleepMillis(10);
        }
    }
}
