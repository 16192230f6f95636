package io.gyrosentinel.samples.plant;

import io.gyrosentinel.AnomalyEvent;
import io.gyrosentinel.client.DeviceClient;
import io.gyrosentinel.collect.Collector;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.Locale;

/**
 * Plant-software integration: anomaly events from a device go into the plant's database (JDBC)
 * and, optionally, to a webhook (e.g. the maintenance system). The part a plant engineer copies:
 *
 * <pre>{@code
 * try (DeviceClient dev = DeviceClient.connect("serial:/dev/ttyUSB0");
 *      AlarmToDatabase alarms = new AlarmToDatabase("jdbc:postgresql://db/plant", "pump-7", webhookUri)) {
 *     dev.collectTo(alarms);                 // every AnomalyEvent -> one row (+ one POST)
 *     try (var stream = dev.stream()) {      // the device scores while it streams
 *         Thread.sleep(Long.MAX_VALUE);
 *     }
 * }
 * }</pre>
 */
public final class AlarmToDatabase implements Collector {
    private static final Logger log = LoggerFactory.getLogger(AlarmToDatabase.class);
    private final Connection db;
    private final PreparedStatement insert;
    private final String machine;
    private final URI webhook;
    private final HttpClient http;

    public AlarmToDatabase(String jdbcUrl, String machine, URI webhook) throws SQLException {
        this.db = DriverManager.getConnection(jdbcUrl);
        try (Statement s = db.createStatement()) {
            s.execute("CREATE TABLE IF NOT EXISTS anomaly_event (machine VARCHAR(64), event_id BIGINT, state VARCHAR(8), "
                    + "start_us BIGINT, end_us BIGINT, peak_score REAL, threshold REAL, windows INT, model_id VARCHAR(48), "
                    + "received_at TIMESTAMP DEFAULT CURRENT_TIMESTAMP)");
        }
        this.insert = db.prepareStatement("INSERT INTO anomaly_event (machine, event_id, state, start_us, end_us, "
                + "peak_score, threshold, windows, model_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)");
        this.machine = machine;
        this.webhook = webhook;
        this.http = webhook == null ? null : HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(3)).build();
    }

    /** Convenience: attach to a device's results and events. */
    public AutoCloseable attach(DeviceClient device) {
        return device.collectTo(this);
    }

    @Override
    public synchronized void onEvent(AnomalyEvent e) {
        try {
            insert.setString(1, machine);
            insert.setLong(2, e.eventId());
            insert.setString(3, e.state().name());
            insert.setLong(4, e.startTimestampMicros());
            insert.setLong(5, e.endTimestampMicros());
            insert.setFloat(6, e.peakScore());
            insert.setFloat(7, e.threshold());
            insert.setInt(8, e.windows());
            insert.setString(9, e.modelId());
            insert.executeUpdate();
        } catch (SQLException ex) {
            log.error("could not store anomaly event {} of {}: {}", e.eventId(), machine, ex.getMessage());
        }
        if (webhook != null) {
            String json = String.format(Locale.ROOT, "{\"machine\":\"%s\",\"event\":%d,\"state\":\"%s\",\"start_us\":%d,"
                    + "\"end_us\":%d,\"peak_score\":%.6f,\"threshold\":%.6f}", machine, e.eventId(), e.state(),
                    e.startTimestampMicros(), e.endTimestampMicros(), e.peakScore(), e.threshold());
            HttpRequest req = HttpRequest.newBuilder(webhook).timeout(Duration.ofSeconds(5))
                    .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(json)).build();
            http.sendAsync(req, HttpResponse.BodyHandlers.discarding()).whenComplete((r, t) -> {
                if (t != null || r.statusCode() >= 300) {
                    log.warn("webhook {} failed for event {}: {}", webhook, e.eventId(), t != null ? t.toString() : r.statusCode());
                }
            });
        }
    }

    @Override
    public synchronized void close() {
        try {
            insert.close();
            db.close();
        } catch (SQLException ex) {
            log.warn("closing the database failed: {}", ex.getMessage());
        }
    }
}
