package io.gyrosentinel.integration.prometheus;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.gyrosentinel.client.DeployResult;
import io.gyrosentinel.client.DeviceClient;
import io.gyrosentinel.client.StreamOptions;
import io.gyrosentinel.sim.Fault;
import io.gyrosentinel.sim.VirtualDevice;
import io.gyrosentinel.stream.GyroStream;
import io.gyrosentinel.testing.MovingAverageEngine;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A simulated fan with a model on the device, a fault injected and cleared; the endpoint scraped over HTTP and
 * parsed as Prometheus' text exposition format.
 */
@Timeout(60)
class PrometheusScrapeTest {
    private static final Pattern SAMPLE = Pattern.compile("^([a-zA-Z_:][a-zA-Z0-9_:]*)\\{([^}]*)} (\\S+)$");

    static double threshold() {
        return MovingAverageEngine.fanThreshold();
    }

    /** Series name + labels → value, and the # TYPE of each family. */
    private record Scrape(Map<String, Double> values, Map<String, String> types, String text) {
        double value(String name, String device) {
            Double v = values.get(name + "{device=\"" + device + "\"}");
            if (v == null) {
                throw new AssertionError("no series " + name + " for " + device + " in:\n" + text);
            }
            return v;
        }
    }

    private static Scrape scrape(int port) throws Exception {
        HttpResponse<String> r = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                URI.create("http://127.0.0.1:" + port + "/metrics")).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(200, r.statusCode());
        assertTrue(r.headers().firstValue("Content-Type").orElse("").startsWith("text/plain; version=0.0.4"));
        Map<String, Double> values = new HashMap<>();
        Map<String, String> types = new HashMap<>();
        for (String line : r.body().split("\n")) {
            if (line.startsWith("# TYPE ")) {
                String[] p = line.split(" ");
                types.put(p[2], p[3]);
            } else if (!line.startsWith("#") && !line.isBlank()) {
                Matcher m = SAMPLE.matcher(line);
                assertTrue(m.matches(), "exposition format: " + line);
                values.put(m.group(1) + "{" + m.group(2).replaceAll(",$", "") + "}", Double.parseDouble(m.group(3)));
            }
        }
        return new Scrape(values, types, r.body());
    }

    @Test
    void aFaultShowsUpInTheScrapedSeries() throws Exception {
        PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        double threshold = threshold();
        try (PrometheusEndpoint http = PrometheusEndpoint.start(registry, 0);
             VirtualDevice dev = VirtualDevice.builder().realTime(true).inferenceEngine(new MovingAverageEngine())
                     .build();
             DeviceClient client = DeviceClient.builder().transport(dev.newTransport()).connect();
             DeviceMetrics metrics = new DeviceMetrics(registry, "pump-7").bind(client)) {
            DeployResult d = client.deploy(MovingAverageEngine.bundle("ma-1",
                    MovingAverageEngine.manifest(40, 40, 8, threshold), 1000));
            metrics.recordDeploy(d);
            try (GyroStream s = client.stream(StreamOptions.defaults())) {
                AutoCloseable h = s.collectTo(metrics.collector());
                s.poll(Duration.ofSeconds(5));
                Thread.sleep(800);
                Scrape calm = scrape(http.port());
                assertEquals(0, calm.value("gyrosentinel_anomaly_state", "pump-7"));
                dev.injectFault(new Fault.Imbalance(2.0));
                long until = System.nanoTime() + 10_000_000_000L;
                Scrape hot;
                do {
                    Thread.sleep(100);
                    hot = scrape(http.port());
                } while (hot.value("gyrosentinel_anomaly_state", "pump-7") == 0 && System.nanoTime() < until);
                assertEquals(1, hot.value("gyrosentinel_anomaly_state", "pump-7"), hot.text());
                assertTrue(hot.value("gyrosentinel_events_total", "pump-7") >= 1);
                assertTrue(hot.value("gyrosentinel_score", "pump-7") > threshold);
                assertTrue(hot.value("gyrosentinel_last_event_timestamp_seconds", "pump-7")
                        > System.currentTimeMillis() / 1000.0 - 60);
                dev.clearFaults();
                until = System.nanoTime() + 10_000_000_000L;
                Scrape after;
                do {
                    Thread.sleep(100);
                    after = scrape(http.port());
                } while (after.value("gyrosentinel_anomaly_state", "pump-7") == 1 && System.nanoTime() < until);
                assertEquals(0, after.value("gyrosentinel_anomaly_state", "pump-7"), "the event ended");
                assertTrue(after.value("gyrosentinel_samples_total", "pump-7") > 960);
                assertTrue(after.value("gyrosentinel_windows_total", "pump-7")
                        >= after.value("gyrosentinel_anomalous_windows_total", "pump-7") + 1);
                assertTrue(after.value("gyrosentinel_anomalous_windows_total", "pump-7") >= 3);
                assertEquals(threshold, after.value("gyrosentinel_threshold", "pump-7"), 1e-4 * threshold);
                assertEquals(1, after.value("gyrosentinel_deploys_total", "pump-7"));
                assertEquals(1, after.value("gyrosentinel_online", "pump-7"));
                assertEquals(0, after.value("gyrosentinel_gaps_total", "pump-7"));
                assertTrue(after.value("gyrosentinel_frames_in_total", "pump-7") > 0);
                assertEquals("counter", after.types().get("gyrosentinel_events_total"));
                // every series the documented Grafana dashboard queries exists
                String dashboard = java.nio.file.Files.readString(java.nio.file.Path.of("../docs/grafana/"
                        + "gyrosentinel-dashboard.json"));
                Matcher used = Pattern.compile("gyrosentinel_[a-z_]+").matcher(dashboard);
                int queried = 0;
                while (used.find()) {
                    queried++;
                    assertTrue(after.values().containsKey(used.group() + "{device=\"pump-7\"}"),
                            "the dashboard queries " + used.group());
                }
                assertTrue(queried >= 10, "the dashboard's queries");
                assertEquals("gauge", after.types().get("gyrosentinel_score"));
                h.close();
            }
            assertTrue(scrape(http.port()).text().contains("device=\"pump-7\""), "detaching keeps the series");
            metrics.close();
            assertFalse(scrape(http.port()).text().contains("device=\"pump-7\""), "close() removes the series");
        }
    }

    @Test
    void onlyGetMetricsIsServed() throws Exception {
        try (PrometheusEndpoint http = PrometheusEndpoint.start(new PrometheusMeterRegistry(PrometheusConfig.DEFAULT),
                0)) {
            HttpClient c = HttpClient.newHttpClient();
            assertEquals(404, c.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + http.port()
                    + "/metrics/x")).build(), HttpResponse.BodyHandlers.discarding()).statusCode());
            assertEquals(405, c.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + http.port()
                    + "/metrics")).POST(HttpRequest.BodyPublishers.ofString("x")).build(),
                    HttpResponse.BodyHandlers.discarding()).statusCode());
        }
    }
}
