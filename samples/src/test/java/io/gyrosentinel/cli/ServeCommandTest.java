package io.gyrosentinel.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** {@code gyrosentinel serve --demo 2}: the JSON API the issue names, while the CLI runs. */
@Timeout(90)
class ServeCommandTest {
    @TempDir
    Path tmp;

    @Test
    void serveListsTheDemoDevices() throws Exception {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CompletableFuture<Integer> run = CompletableFuture.supplyAsync(() -> GyroSentinelCli.run(new String[] {
            "serve", "--demo", "2", "--port", "0", "--db", "jdbc:h2:file:" + tmp.resolve("console"),
            "--duration", "6s"}, new PrintWriter(out, true), new PrintWriter(err, true)));
        Pattern url = Pattern.compile("console of 2 device\\(s\\) at (http://127\\.0\\.0\\.1:\\d+/)");
        Matcher m = url.matcher("");
        long until = System.nanoTime() + 60_000_000_000L;
        while (!(m = url.matcher(out.toString())).find() && System.nanoTime() < until && !run.isDone()) {
            Thread.sleep(50);
        }
        assertTrue(m.find(0), out + "\n" + err);
        HttpClient http = HttpClient.newHttpClient();
        assertEquals(200, http.send(HttpRequest.newBuilder(URI.create(m.group(1) + "healthz")).build(),
                HttpResponse.BodyHandlers.ofString()).statusCode());
        Thread.sleep(1000);
        JsonNode devices = new ObjectMapper().readTree(http.send(HttpRequest.newBuilder(URI.create(m.group(1)
                + "api/devices")).build(), HttpResponse.BodyHandlers.ofString()).body());
        assertEquals(2, devices.size(), devices.toString());
        assertEquals("demo-fan-01", devices.get(0).path("id").asText());
        for (JsonNode d : devices) {
            assertTrue(d.path("online").asBoolean(), d.toString());
            assertEquals("demo-fan-mahalanobis", d.path("model").asText());
            assertTrue(d.path("score").isNumber() && d.path("threshold").asDouble() > 0, d.toString());
            assertTrue(d.path("anomaly").isBoolean(), d.toString());
        }
        assertEquals(0, run.get(), err.toString());
    }

    @Test
    void beyondLoopbackWithNoUserServeRefusesToStart() {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int rc = GyroSentinelCli.run(new String[] {"serve", "--demo", "1", "--bind", "0.0.0.0", "--port", "0", "--db",
            "jdbc:h2:file:" + tmp.resolve("open")}, new PrintWriter(out, true), new PrintWriter(err, true));
        assertNotEquals(0, rc);
        assertTrue(err.toString().contains("no user to authenticate"), err.toString());
    }
}
