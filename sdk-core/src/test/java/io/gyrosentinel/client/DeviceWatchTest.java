package io.gyrosentinel.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.gyrosentinel.AnomalyEvent;
import io.gyrosentinel.InferenceResult;
import io.gyrosentinel.sim.Fault;
import io.gyrosentinel.sim.VirtualDevice;
import io.gyrosentinel.stream.GyroStream;
import io.gyrosentinel.testing.Await;
import io.gyrosentinel.testing.MovingAverageEngine;
import io.gyrosentinel.testing.PluggableTransport;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** A simulated fan with a model on the device: the watch follows its scores, an anomaly event and a pulled cable. */
@Timeout(60)
class DeviceWatchTest {

    @Test
    void followsScoresEventsAndTheLink() throws Exception {
        double threshold = MovingAverageEngine.fanThreshold();
        List<String> seen = new CopyOnWriteArrayList<>();
        try (VirtualDevice dev = VirtualDevice.builder().deviceId("fan-3").realTime(true)
                .inferenceEngine(new MovingAverageEngine()).build()) {
            PluggableTransport cable = new PluggableTransport(dev.newTransport());
            try (DeviceClient client = DeviceClient.builder().transport(cable).connect();
                 DeviceWatch watch = DeviceWatch.follow(client)) {
                DeviceWatch.State first = watch.state();
                assertEquals("fan-3", first.deviceId());
                assertTrue(first.online());
                assertEquals(client.info().firmwareVersion(), first.firmware());
                assertTrue(Float.isNaN(first.score()), "no score before the first window");
                watch.listen(new DeviceWatch.Listener() {
                    @Override
                    public void onEvent(DeviceWatch.State s, AnomalyEvent e) {
                        seen.add(e.state() + " anomaly=" + s.anomaly() + " events=" + s.events());
                    }

                    @Override
                    public void onLink(DeviceWatch.State s) {
                        seen.add("online=" + s.online());
                    }
                });
                AutoCloseable failing = watch.listen(new DeviceWatch.Listener() {
                    @Override
                    public void onResult(DeviceWatch.State s, InferenceResult r) {
                        throw new IllegalStateException("a broken listener must not stop the others");
                    }
                });
                client.deploy(MovingAverageEngine.bundle("ma-1", MovingAverageEngine.manifest(40, 40, 8, threshold),
                        1000));
                try (GyroStream s = client.stream(StreamOptions.defaults())) {
                    s.collectTo(watch.collector());
                    Await.until("scored windows", Duration.ofSeconds(20), () -> watch.state().windows() >= 5);
                    failing.close();
                    DeviceWatch.State calm = watch.state();
                    assertEquals("ma-1", calm.modelId());
                    assertEquals(threshold, calm.threshold(), 1e-4 * threshold);
                    assertTrue(calm.score() < calm.threshold());
                    assertFalse(calm.anomaly());

                    dev.injectFault(new Fault.Imbalance(2.0));
                    Await.until("an anomaly event", Duration.ofSeconds(20), () -> watch.state().anomaly());
                    assertEquals(1, watch.state().events());
                    assertTrue(watch.state().lastEventMillis() > System.currentTimeMillis() - 60_000);
                    dev.clearFaults();
                    Await.until("the event to end", Duration.ofSeconds(20), () -> !watch.state().anomaly());
                    assertEquals(List.of("STARTED anomaly=true events=1", "ENDED anomaly=false events=1"), seen);

                    cable.unplug();
                    Await.until("the link lost", Duration.ofSeconds(20), () -> !watch.state().online());
                    cable.plug();
                    Await.until("the link back", Duration.ofSeconds(20), () -> watch.state().online());
                    assertEquals(List.of("online=false", "online=true"), seen.subList(2, seen.size()));
                }
            }
        }
    }
}
