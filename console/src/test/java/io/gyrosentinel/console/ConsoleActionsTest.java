package io.gyrosentinel.console;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.gyrosentinel.client.DeviceClient;
import io.gyrosentinel.client.DeviceWatch;
import io.gyrosentinel.client.StreamOptions;
import io.gyrosentinel.recording.Recording;
import io.gyrosentinel.recording.SessionLabel;
import io.gyrosentinel.sim.VirtualDevice;
import io.gyrosentinel.stream.GyroStream;
import io.gyrosentinel.testing.MovingAverageEngine;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.spec.ECGenParameterSpec;
import java.util.function.Predicate;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Deploy, roll back and record from the console on a simulated device that trusts one signing key: a bundle signed
 * with it is deployed, one signed with another key is refused by the device (and the console says so), a rollback
 * restores the previous model, a recording lands in the index and on disk.
 */
@Timeout(120)
class ConsoleActionsTest {
    @TempDir
    Path tmp;

    private final HttpClient http = HttpClient.newHttpClient();
    private final ObjectMapper json = new ObjectMapper();

    private static KeyPair ecKey() throws Exception {
        KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
        g.initialize(new ECGenParameterSpec("secp256r1"));
        return g.generateKeyPair();
    }

    private HttpResponse<String> post(Console c, String path, String body) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create(c.url() + path)).header("X-GS-CSRF", "t")
                .header("Cookie", "gs_csrf=t").POST(HttpRequest.BodyPublishers.ofString(body)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private JsonNode get(Console c, String path) throws Exception {
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(c.url() + path)).build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(200, r.statusCode(), r.body());
        return json.readTree(r.body());
    }

    private JsonNode awaitRow(Console c, String list, Predicate<JsonNode> row) throws Exception {
        long until = System.nanoTime() + 30_000_000_000L;
        while (System.nanoTime() < until) {
            for (JsonNode n : get(c, "api/devices/fan-1").path(list)) {
                if (row.test(n)) {
                    return n;
                }
            }
            Thread.sleep(50);
        }
        throw new AssertionError("no such row in " + list + ": " + get(c, "api/devices/fan-1").path(list));
    }

    @Test
    void deployRollBackAndRecordFromTheConsole() throws Exception {
        KeyPair fleet = ecKey();
        KeyPair stranger = ecKey();
        double threshold = MovingAverageEngine.fanThreshold();
        Path bundles = Files.createDirectories(tmp.resolve("bundles"));
        MovingAverageEngine.bundle("ma-1", MovingAverageEngine.manifest(40, 40, 8, threshold), 1000)
                .sign(fleet.getPrivate()).write(bundles.resolve("ma-1.gsb"));
        MovingAverageEngine.bundle("ma-2", MovingAverageEngine.manifest(40, 40, 4, threshold), 1000)
                .sign(fleet.getPrivate()).write(bundles.resolve("ma-2.gsb"));
        MovingAverageEngine.bundle("ma-evil", MovingAverageEngine.manifest(40, 40, 8, threshold * 100), 1000)
                .sign(stranger.getPrivate()).write(bundles.resolve("ma-evil.gsb"));

        try (VirtualDevice dev = VirtualDevice.builder().deviceId("fan-1").realTime(true)
                .inferenceEngine(new MovingAverageEngine()).trustedKey(fleet.getPublic()).build();
             DeviceClient client = DeviceClient.builder().transport(dev.newTransport()).connect();
             DeviceWatch watch = DeviceWatch.follow(client);
             GyroStream stream = client.stream(StreamOptions.defaults());
             Console console = Console.builder().port(0).database("jdbc:h2:file:" + tmp.resolve("db"))
                     .bundles(bundles).recordings(tmp.resolve("recordings")).start();
             AutoCloseable followed = console.follow(watch, stream)) {
            assertEquals(202, post(console, "api/devices/fan-1/deploy", "{\"bundle\":\"ma-1.gsb\"}").statusCode());
            awaitRow(console, "deployments", n -> n.path("bundle").asText().equals("ma-1.gsb") && n.path("ok").asBoolean());
            assertEquals(202, post(console, "api/devices/fan-1/deploy", "{\"bundle\":\"ma-2.gsb\"}").statusCode());
            awaitRow(console, "deployments", n -> n.path("bundle").asText().equals("ma-2.gsb") && n.path("ok").asBoolean());
            assertEquals("ma-2", watch.state().modelId());

            // signed by a key the device does not trust: the device refuses it, the console records the refusal
            assertEquals(202, post(console, "api/devices/fan-1/deploy", "{\"bundle\":\"ma-evil.gsb\"}").statusCode());
            JsonNode refused = awaitRow(console, "deployments", n -> n.path("bundle").asText().equals("ma-evil.gsb"));
            assertTrue(!refused.path("ok").asBoolean(), refused.toString());
            assertTrue(refused.path("detail").asText().toLowerCase().contains("signature"), refused.toString());
            assertEquals("ma-2", watch.state().modelId(), "the running model is untouched");

            assertEquals(202, post(console, "api/devices/fan-1/rollback", "").statusCode());
            awaitRow(console, "deployments", n -> n.path("action").asText().equals("rollback") && n.path("ok").asBoolean());
            assertEquals("ma-1", watch.state().modelId());
            assertEquals("ma-1", client.modelStatus().active().orElseThrow().modelId());

            // bad input is named
            assertEquals(400, post(console, "api/devices/fan-1/deploy", "{\"bundle\":\"../db.mv.db\"}").statusCode());
            assertEquals(404, post(console, "api/devices/fan-1/deploy", "{\"bundle\":\"nope.gsb\"}").statusCode());
            assertEquals(404, post(console, "api/devices/fan-9/rollback", "").statusCode());
            assertEquals(400, post(console, "api/devices/fan-1/record", "{\"seconds\":2,\"label\":\"maybe\"}")
                    .statusCode());

            assertEquals(202, post(console, "api/devices/fan-1/record", "{\"seconds\":2,\"label\":\"normal\"}")
                    .statusCode());
            JsonNode rec = awaitRow(console, "recordings", n -> n.path("label").asText().equals("normal"));
            Path file = tmp.resolve("recordings/fan-1").resolve(rec.path("file").asText());
            Recording r = Recording.read(file);
            assertEquals(SessionLabel.NORMAL, r.info().label());
            assertTrue(r.samples() > 960 && r.samples() == rec.path("samples").asLong(), rec.toString());

            JsonNode models = get(console, "api/models");
            assertEquals(3, models.path("bundles").size());
            assertTrue(models.path("bundles").get(0).path("signed").asBoolean());
            assertEquals("ma-1", models.path("running").get(0).path("model").asText());
            assertEquals(4, models.path("deployments").size());
        }
    }
}
