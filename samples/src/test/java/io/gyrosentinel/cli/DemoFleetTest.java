package io.gyrosentinel.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.gyrosentinel.client.DeviceWatch;
import io.gyrosentinel.client.StreamOptions;
import io.gyrosentinel.stream.GyroStream;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** {@code --demo N}: the model runs on every simulated fan; the scheduled fault raises an alarm on machine 2 only. */
@Timeout(90)
class DemoFleetTest {

    @Test
    void theScheduledFaultAlarmsOnlyItsMachine() throws Exception {
        List<AutoCloseable> open = new ArrayList<>();
        try (DemoFleet fleet = DemoFleet.start(3, Duration.ofSeconds(4))) {
            List<DeviceWatch> watches = new ArrayList<>();
            for (var c : fleet.clients()) {
                DeviceWatch w = DeviceWatch.follow(c);
                open.add(w);
                watches.add(w);
                GyroStream s = c.stream(StreamOptions.defaults());
                open.add(s);
            }
            assertEquals(List.of("demo-fan-01", "demo-fan-02", "demo-fan-03"),
                    watches.stream().map(DeviceWatch::deviceId).toList());
            long until = System.nanoTime() + 40_000_000_000L;
            while (!watches.get(1).state().anomaly() && System.nanoTime() < until) {
                Thread.sleep(50);
            }
            assertTrue(watches.get(1).state().anomaly(), "the fault on demo-fan-02: " + watches.get(1).state());
            for (int i : new int[] {0, 2}) {
                DeviceWatch.State s = watches.get(i).state();
                assertEquals("demo-fan-mahalanobis", s.modelId());
                assertTrue(s.windows() > 50, s.toString());
                assertFalse(s.anomaly(), "a healthy machine: " + s);
                assertEquals(0, s.events(), "a healthy machine: " + s);
            }
        } finally {
            for (int i = open.size() - 1; i >= 0; i--) {
                open.get(i).close();
            }
        }
    }
}
