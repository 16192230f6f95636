package io.gyrosentinel.samples;

import com.sun.net.httpserver.HttpServer;
import io.gyrosentinel.client.DeviceClient;
import io.gyrosentinel.client.StreamOptions;
import io.gyrosentinel.model.ModelBundle;
import io.gyrosentinel.samples.plant.AlarmToDatabase;
import io.gyrosentinel.sim.Fault;
import io.gyrosentinel.sim.VirtualDevice;
import io.gyrosentinel.stream.GyroStream;
import io.gyrosentinel.testing.MovingAverageEngine;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The plant-integration sample end to end: a device with a model raises anomaly events; the
 * sample writes them to a real database (H2, in memory) through JDBC and posts them to a webhook
 * (a real HTTP server on loopback).
 */
@Timeout(60)
class AlarmToDatabaseTest {

    /** 1.5 x the largest score of normal windows of the simulated fan. */
    static double threshold() {
        var model = new MovingAverageEngine.Model("ma", 40, 40, 3, 8, 0, 0);
        float[] normal = new io.gyrosentinel.sim.SignalGenerator(io.gyrosentinel.sim.MachineModel.fan(1500), 960, 1)
                .generate(40 * 200);
        double max = 0;
        for (int w = 0; w < 200; w++) {
            float[] win = java.util.Arrays.copyOfRange(normal, w * 120, (w + 1) * 120);
            float[] e = model.channelErrors(win);
            max = Math.max(max, (e[0] + e[1] + e[2]) / 3);
        }
        return 1.5 * max;
    }

    @Test
    void anomalyEventsLandInTheDatabaseAndTheWebhook() throws Exception {
        List<String> posts = new CopyOnWriteArrayList<>();
        HttpServer http = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        http.createContext("/alarms", ex -> {
            posts.add(new String(ex.getRequestBody().readAllBytes(), StandardCharsets.UTF_8));
            ex.sendResponseHeaders(204, -1);
            ex.close();
        });
        http.start();
        String jdbc = "jdbc:h2:mem:plant;DB_CLOSE_DELAY=-1";
        URI hook = URI.create("http://127.0.0.1:" + http.getAddress().getPort() + "/alarms");
        try (VirtualDevice dev = VirtualDevice.builder().realTime(true).inferenceEngine(new MovingAverageEngine())
                .build();
             DeviceClient client = DeviceClient.builder().transport(dev.newTransport()).connect();
             AlarmToDatabase alarms = new AlarmToDatabase(jdbc, "pump-7", hook)) {
            client.deploy(MovingAverageEngine.bundle("ma-1", MovingAverageEngine.manifest(40, 40, 8, threshold()), 1000));
            AutoCloseable h = alarms.attach(client);
            try (GyroStream s = client.stream(StreamOptions.defaults())) {
                s.poll(Duration.ofSeconds(5));
                Thread.sleep(800);
                dev.injectFault(new Fault.Imbalance(2.0));
                Thread.sleep(1500);
                dev.clearFaults();
                Thread.sleep(1500);
            }
            Thread.sleep(300);
            h.close();
        } finally {
            http.stop(0);
        }
        try (Connection db = DriverManager.getConnection(jdbc);
             ResultSet rs = db.createStatement().executeQuery(
                     "SELECT machine, state, peak_score FROM anomaly_event ORDER BY received_at")) {
            assertTrue(rs.next(), "an event row");
            assertEquals("pump-7", rs.getString(1));
            assertEquals("STARTED", rs.getString(2));
        }
        assertTrue(posts.stream().anyMatch(p -> p.contains("\"machine\":\"pump-7\"") && p.contains("STARTED")), posts.toString());
    }
}
