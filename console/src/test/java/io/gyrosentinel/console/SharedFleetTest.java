package io.gyrosentinel.console;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.gyrosentinel.AnomalyEvent;
import io.gyrosentinel.InferenceResult;
import io.gyrosentinel.sim.VirtualDevice;
import io.gyrosentinel.testing.Await;
import io.gyrosentinel.transport.mqtt.MosquittoBroker;
import io.gyrosentinel.transport.mqtt.MqttDeviceBridge;
import io.gyrosentinel.transport.mqtt.MqttFleet;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Two consoles on one MQTT broker and one PostgreSQL: their fleets share a subscription group, so each result and
 * event reaches one of them; both show every device, each episode is stored once, and feedback given on one console
 * shows on the other.
 */
@Timeout(120)
class SharedFleetTest {
    private final HttpClient http = HttpClient.newHttpClient();
    private final ObjectMapper json = new ObjectMapper();

    private JsonNode get(Console c, String path) throws Exception {
        return json.readTree(http.send(HttpRequest.newBuilder(URI.create(c.url() + path)).build(),
                HttpResponse.BodyHandlers.ofString()).body());
    }


    private static boolean lists(SharedFleetTest t, Console c, int n) {
        try {
            JsonNode d = t.get(c, "api/devices");
            int online = 0;
            for (JsonNode x : d) {
                online += x.path("online").asBoolean() ? 1 : 0;
            }
            return d.size() == n && online == n;
        } catch (Exception e) {
            return false;
        }
    }

    private boolean offline(Console c, String id) {
        try {
            for (JsonNode x : get(c, "api/devices")) {
                if (x.path("id").asText().equals(id)) {
                    return !x.path("online").asBoolean();
                }
            }
            return false;
        } catch (Exception e) {
            return false;
        }
    }

    @Test
    void twoConsolesSplitAFleetAndShareOneDatabase() throws Exception {
        List<AutoCloseable> open = new ArrayList<>();
        try (PostgresServer pg = PostgresServer.start();
             MosquittoBroker broker = MosquittoBroker.start();
             Console a = Console.builder().port(0).database(pg.jdbcUrl()).start();
             Console b = Console.builder().port(0).database(pg.jdbcUrl()).start();
             MqttFleet fa = MqttFleet.builder().broker(broker.uri()).sharedGroup("consoles").build();
             MqttFleet fb = MqttFleet.builder().broker(broker.uri()).sharedGroup("consoles").build()) {
            open.add(a.follow(fa));
            open.add(b.follow(fb));
            List<VirtualDevice> devs = new ArrayList<>();
            List<MqttDeviceBridge> bridges = new ArrayList<>();
            for (int i = 0; i < 3; i++) {
                VirtualDevice d = VirtualDevice.builder().deviceId("line-" + i).build();
                open.add(d);
                devs.add(d);
                MqttDeviceBridge br = MqttDeviceBridge.attach(d, broker.uri());
                open.add(br);
                bridges.add(br);
            }
            Await.until("both consoles listing the 3 devices online", Duration.ofSeconds(30),
                    () -> lists(this, a, 3) && lists(this, b, 3));

            int perDevice = 100;
            for (int w = 0; w < perDevice; w++) {
                for (VirtualDevice d : devs) {
                    d.publish(new InferenceResult(w, w * 40_000L, (w + 1) * 40_000L, 0.4f, 1.0f, false,
                            new float[] {0.2f, 0.1f, 0.1f}, 50, "m1"));
                }
            }
            for (int i = 1; i < 3; i++) {
                VirtualDevice d = devs.get(i);
                d.publish(new AnomalyEvent(7, AnomalyEvent.State.STARTED, 5_000_000, 0, 2.5f, 5_100_000, 1.0f, 3, "m1",
                        new float[] {2, 1, 1}));
                d.publish(new AnomalyEvent(7, AnomalyEvent.State.ENDED, 5_000_000, 9_000_000, 3.5f, 6_000_000, 1.0f, 90,
                        "m1", new float[] {2, 1, 1}));
            }
            int total = 3 * perDevice;
            Await.until("all results consumed", Duration.ofSeconds(30),
                    () -> fa.stats().results() + fb.stats().results() >= total);
            assertEquals(total, fa.stats().results() + fb.stats().results(), "each result reached one console");
            assertTrue(fa.stats().results() > 0 && fb.stats().results() > 0,
                    "the group split them: " + fa.stats().results() + " / " + fb.stats().results());

            Await.until("two ended episodes stored", Duration.ofSeconds(30),
                    () -> a.alarms(null, null, 10).size() == 2
                            && a.alarms(null, null, 10).stream().noneMatch(Alarm::active));
            Thread.sleep(300); // would-be duplicates
            List<Alarm> stored = a.alarms(null, null, 10);
            assertEquals(2, stored.size(), "one alarm per episode, whichever console took which message: " + stored);
            assertEquals(List.of("line-1", "line-2"), stored.stream().map(Alarm::deviceId).sorted().toList());
            assertEquals(3.5, stored.get(0).peakScore(), 1e-6);

            // feedback on one console is the other's too
            long id = stored.get(0).id();
            HttpResponse<String> ack = http.send(HttpRequest.newBuilder(URI.create(a.url() + "api/alarms/" + id
                    + "/confirm")).header("X-GS-CSRF", "t").header("Cookie", "gs_csrf=t")
                    .POST(HttpRequest.BodyPublishers.ofString("{\"note\":\"seen on the line\"}")).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertEquals(200, ack.statusCode(), ack.body());
            JsonNode onB = get(b, "api/alarms?status=confirmed");
            assertEquals(1, onB.size(), onB.toString());
            assertEquals(id, onB.get(0).path("id").asLong());

            // a fleet device has no connection for requests: the console says so
            HttpResponse<String> cal = http.send(HttpRequest.newBuilder(URI.create(b.url()
                    + "api/devices/line-1/calibrate")).header("X-GS-CSRF", "t").header("Cookie", "gs_csrf=t")
                    .POST(HttpRequest.BodyPublishers.ofString("{}")).build(), HttpResponse.BodyHandlers.ofString());
            assertEquals(409, cal.statusCode(), cal.body());
            assertTrue(cal.body().contains("MQTT fleet"), cal.body());

            // a device that goes away is offline on both
            open.remove(bridges.get(0));
            bridges.get(0).close();
            Await.until("line-0 offline on both consoles", Duration.ofSeconds(30),
                    () -> offline(a, "line-0") && offline(b, "line-0"));
        } finally {
            for (int i = open.size() - 1; i >= 0; i--) {
                try {
                    open.get(i).close();
                } catch (Exception ignored) {
                    // closing what is left
                }
            }
        }
    }
}
