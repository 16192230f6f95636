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
import java.util.regex.Matcher;

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
        CliRun run = new CliRun("serve", "--demo", "2", "--port", "0", "--db", "jdbc:h2:file:" + tmp.resolve("console"),
                "--duration", "6s");
        Matcher m = run.await("console of 2 device\\(s\\) at (http://127\\.0\\.0\\.1:\\d+/)");
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
        assertEquals(0, run.exit.get(), run.err.toString());

        // the console's database is what export --alarms reads (no alarm judged yet: nothing to write)
        CliRun export = new CliRun("export", "--alarms", "--out", tmp.resolve("labelled").toString(), "--db",
                "jdbc:h2:file:" + tmp.resolve("console"));
        assertEquals(0, export.exit.get(), export.err.toString());
        assertTrue(export.out.toString().startsWith("wrote 0 labelled recordings to "), export.out.toString());
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
