package io.gyrosentinel.console.internal;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import io.gyrosentinel.AnomalyEvent;
import io.gyrosentinel.console.Alarm;
import io.gyrosentinel.console.AlarmStatus;
import io.gyrosentinel.console.Role;
import org.flywaydb.core.Flyway;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The console's database: H2 or PostgreSQL through one pool, its schema migrated by Flyway on open
 * (classpath:db/migration). Plain JDBC with SQL both engines run.
 */
public final class Store implements AutoCloseable {
    private final HikariDataSource ds;

    /** A stored user. */
    public record User(String name, Role role, String passwordHash) {
    }

    /** An audit line. */
    public record Audit(OffsetDateTime at, String actor, String action, String target, String detail) {
    }

    private Store(HikariDataSource ds) {
        this.ds = ds;
    }

    /**
     * Opens the database and migrates its schema.
     *
     * @param jdbcUrl  e.g. {@code jdbc:h2:file:/var/lib/gs/console} or {@code jdbc:postgresql://db/gs}
     * @param user     database user, may be null
     * @param password database password, may be null
     * @return the store
     * @throws IllegalStateException naming the URL when the database cannot be opened or migrated
     */
    public static Store open(String jdbcUrl, String user, String password) {
        HikariConfig c = new HikariConfig();
        c.setJdbcUrl(jdbcUrl);
        if (user != null) {
            c.setUsername(user);
        }
        if (password != null) {
            c.setPassword(password);
        }
        c.setMaximumPoolSize(4);
        c.setPoolName("gs-console");
        c.setInitializationFailTimeout(10_000);
        HikariDataSource ds;
        try {
            ds = new HikariDataSource(c);
        } catch (RuntimeException e) {
            throw new IllegalStateException("cannot open the console database " + redact(jdbcUrl) + ": "
                    + rootMessage(e), e);
        }
        try {
            Flyway.configure().dataSource(ds).locations("classpath:db/migration").load().migrate();
        } catch (RuntimeException e) {
            ds.close();
            throw new IllegalStateException("cannot migrate the console database " + redact(jdbcUrl) + ": "
                    + rootMessage(e), e);
        }
        return new Store(ds);
    }

    private static String redact(String url) {
        return url.replaceAll("(?i)(password=)[^;&]*", "$1***");
    }

    private static String rootMessage(Throwable e) {
        Throwable t = e;
        while (t.getCause() != null && t.getCause() != t) {
            t = t.getCause();
        }
        return t.getMessage();
    }

    private static OffsetDateTime now() {
        return OffsetDateTime.now(ZoneOffset.UTC);
    }

    private interface Work<T> {
        T run(Connection c) throws SQLException;
    }

    private <T> T tx(Work<T> w) {
        try (Connection c = ds.getConnection()) {
            c.setAutoCommit(false);
            try {
                T r = w.run(c);
                c.commit();
                return r;
            } catch (SQLException | RuntimeException e) {
                c.rollback();
                throw e;
            }
        } catch (SQLException e) {
            throw new StoreException("console database: " + e.getMessage(), e);
        }
    }

    /** A database operation failed (the console answers 500). */
    public static final class StoreException extends RuntimeException {
        StoreException(String message, SQLException cause) {
            super(message, cause);
        }
    }

    /**
     * Runs work in a transaction, again when it lost a race on a unique key to another console writing to the same
     * database (SQLState 23505 on H2 and PostgreSQL): the second try sees the other's row.
     */
    private <T> T txRetry(Work<T> w) {
        for (int attempt = 1; ; attempt++) {
            try {
                return tx(w);
            } catch (StoreException e) {
                if (attempt >= 3 || !(e.getCause() instanceof SQLException s) || !"23505".equals(s.getSQLState())) {
                    throw e;
                }
            }
        }
    }

    /**
     * Records that a device is here (first time or again).
     *
     * @param id       device id
     * @param firmware its firmware version
     * @param modelId  its active model, "" when none
     */
    public void seenDevice(String id, String firmware, String modelId) {
        txRetry(c -> {
            OffsetDateTime now = now();
            try (PreparedStatement u = c.prepareStatement(
                    "UPDATE gs_device SET firmware = ?, model_id = ?, last_seen = ? WHERE id = ?")) {
                u.setString(1, firmware);
                u.setString(2, modelId);
                u.setObject(3, now);
                u.setString(4, id);
                if (u.executeUpdate() > 0) {
                    return null;
                }
            }
            try (PreparedStatement i = c.prepareStatement(
                    "INSERT INTO gs_device (id, firmware, model_id, first_seen, last_seen) VALUES (?, ?, ?, ?, ?)")) {
                i.setString(1, id);
                i.setString(2, firmware);
                i.setString(3, modelId);
                i.setObject(4, now);
                i.setObject(5, now);
                i.executeUpdate();
            }
            return null;
        });
    }

    /**
     * Stores a device's event: STARTED opens an alarm (once, however often the device repeats it), ENDED closes
     * the episode of the same event id.
     *
     * @param deviceId the device
     * @param e        its event
     * @return the alarm as stored now
     */
    public Optional<Alarm> event(String deviceId, AnomalyEvent e) {
        return txRetry(c -> {
            Optional<Alarm> existing = find(c, "device_id = ? AND model_id = ? AND event_id = ? AND device_start_us = ?",
                    deviceId, e.modelId(), e.eventId(), e.startTimestampMicros());
            if (e.state() == AnomalyEvent.State.STARTED) {
                if (existing.isPresent()) {
                    return existing;
                }
                try (PreparedStatement i = c.prepareStatement("INSERT INTO gs_alarm (device_id, event_id, model_id, "
                        + "started_at, device_start_us, peak_score, threshold, status) VALUES (?, ?, ?, ?, ?, ?, ?, ?)")) {
                    i.setString(1, deviceId);
                    i.setLong(2, e.eventId());
                    i.setString(3, e.modelId());
                    i.setObject(4, now());
                    i.setLong(5, e.startTimestampMicros());
                    i.setDouble(6, e.peakScore());
                    i.setDouble(7, e.threshold());
                    i.setString(8, AlarmStatus.OPEN.name());
                    i.executeUpdate();
                }
            } else {
                if (existing.isEmpty()) {
                    // the episode began before the console followed the device: store it whole
                    try (PreparedStatement i = c.prepareStatement("INSERT INTO gs_alarm (device_id, event_id, model_id, "
                            + "started_at, ended_at, device_start_us, device_end_us, peak_score, threshold, status) "
                            + "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")) {
                        OffsetDateTime now = now();
                        long lengthUs = Math.max(0, e.endTimestampMicros() - e.startTimestampMicros());
                        i.setString(1, deviceId);
                        i.setLong(2, e.eventId());
                        i.setString(3, e.modelId());
                        i.setObject(4, now.minusNanos(lengthUs * 1000));
                        i.setObject(5, now);
                        i.setLong(6, e.startTimestampMicros());
                        i.setLong(7, e.endTimestampMicros());
                        i.setDouble(8, e.peakScore());
                        i.setDouble(9, e.threshold());
                        i.setString(10, AlarmStatus.OPEN.name());
                        i.executeUpdate();
                    }
                } else if (existing.get().endedAt() == null) {
                    try (PreparedStatement u = c.prepareStatement("UPDATE gs_alarm SET ended_at = ?, device_end_us = ?, "
                            + "peak_score = ? WHERE id = ?")) {
                        u.setObject(1, now());
                        u.setLong(2, e.endTimestampMicros());
                        u.setDouble(3, Math.max(existing.get().peakScore(), e.peakScore()));
                        u.setLong(4, existing.get().id());
                        u.executeUpdate();
                    }
                }
            }
            return find(c, "device_id = ? AND model_id = ? AND event_id = ? AND device_start_us = ?",
                    deviceId, e.modelId(), e.eventId(), e.startTimestampMicros());
        });
    }

    /** The result of a status change. */
    public sealed interface Change {
        /** Done. @param alarm the alarm after it */
        record Done(Alarm alarm) implements Change {
        }

        /** No such alarm. */
        record NotFound() implements Change {
        }

        /** Not allowed from its state. @param alarm the alarm as it is */
        record Conflict(Alarm alarm) implements Change {
        }
    }

    /**
     * Moves an alarm to a new status, with a note, and audits it, in one transaction.
     *
     * @param id    the alarm
     * @param next  the new status
     * @param note  what the person says, may be null
     * @param actor who
     * @return what happened
     */
    public Change setStatus(long id, AlarmStatus next, String note, String actor) {
        return tx(c -> {
            Optional<Alarm> a = find(c, "id = ?", id);
            if (a.isEmpty()) {
                return new Change.NotFound();
            }
            if (!a.get().status().canMoveTo(next)) {
                return new Change.Conflict(a.get());
            }
            try (PreparedStatement u = c.prepareStatement("UPDATE gs_alarm SET status = ?, note = ?, updated_by = ?, "
                    + "updated_at = ? WHERE id = ? AND status = ?")) {
                u.setString(1, next.name());
                u.setString(2, note);
                u.setString(3, actor);
                u.setObject(4, now());
                u.setLong(5, id);
                u.setString(6, a.get().status().name());
                if (u.executeUpdate() == 0) {
                    return new Change.Conflict(find(c, "id = ?", id).orElseThrow());
                }
            }
            audit(c, actor, "alarm." + next.name().toLowerCase(java.util.Locale.ROOT), "alarm/" + id, note);
            return new Change.Done(find(c, "id = ?", id).orElseThrow());
        });
    }

    /**
     * Alarms, newest first.
     *
     * @param status   only these, null for all
     * @param deviceId only this device's, null for all
     * @param limit    at most this many
     * @return the alarms
     */
    public List<Alarm> alarms(AlarmStatus status, String deviceId, int limit) {
        return tx(c -> {
            StringBuilder where = new StringBuilder("1 = 1");
            List<Object> args = new ArrayList<>();
            if (status != null) {
                where.append(" AND status = ?");
                args.add(status.name());
            }
            if (deviceId != null) {
                where.append(" AND device_id = ?");
                args.add(deviceId);
            }
            return query(c, where + " ORDER BY started_at DESC, id DESC FETCH FIRST " + Math.max(1, limit)
                    + " ROWS ONLY", args.toArray());
        });
    }

    /**
     * Notes where an alarm's episode was saved.
     *
     * @param id   the alarm
     * @param path the recording
     */
    public void setClip(long id, String path) {
        tx(c -> {
            try (PreparedStatement u = c.prepareStatement("UPDATE gs_alarm SET clip_path = ? WHERE id = ?")) {
                u.setString(1, path);
                u.setLong(2, id);
                u.executeUpdate();
            }
            return null;
        });
    }

    /**
     * {@return per device, how many of its alarms since a time are in each status}
     *
     * @param since alarms started from then on
     */
    public java.util.Map<String, java.util.Map<AlarmStatus, Integer>> alarmCounts(OffsetDateTime since) {
        return tx(c -> {
            try (PreparedStatement q = c.prepareStatement("SELECT device_id, status, COUNT(*) FROM gs_alarm "
                    + "WHERE started_at >= ? OR status IN ('OPEN', 'ACKNOWLEDGED') GROUP BY device_id, status")) {
                q.setObject(1, since);
                java.util.Map<String, java.util.Map<AlarmStatus, Integer>> out = new java.util.HashMap<>();
                try (ResultSet r = q.executeQuery()) {
                    while (r.next()) {
                        out.computeIfAbsent(r.getString(1), k -> new java.util.EnumMap<>(AlarmStatus.class))
                                .put(AlarmStatus.valueOf(r.getString(2)), r.getInt(3));
                    }
                }
                return out;
            }
        });
    }

    /**
     * {@return one alarm}
     *
     * @param id its id
     */
    public Optional<Alarm> alarm(long id) {
        return tx(c -> find(c, "id = ?", id));
    }

    private static Optional<Alarm> find(Connection c, String where, Object... args) throws SQLException {
        List<Alarm> r = query(c, where, args);
        return r.isEmpty() ? Optional.empty() : Optional.of(r.get(0));
    }

    private static List<Alarm> query(Connection c, String where, Object... args) throws SQLException {
        try (PreparedStatement q = c.prepareStatement("SELECT id, device_id, event_id, model_id, started_at, ended_at, "
                + "device_start_us, device_end_us, peak_score, threshold, status, note, updated_by, updated_at, clip_path "
                + "FROM gs_alarm WHERE " + where)) {
            for (int i = 0; i < args.length; i++) {
                q.setObject(i + 1, args[i]);
            }
            List<Alarm> out = new ArrayList<>();
            try (ResultSet r = q.executeQuery()) {
                while (r.next()) {
                    long end = r.getLong(8);
                    Long deviceEnd = r.wasNull() ? null : end;
                    out.add(new Alarm(r.getLong(1), r.getString(2), r.getLong(3), r.getString(4),
                            r.getObject(5, OffsetDateTime.class), r.getObject(6, OffsetDateTime.class), r.getLong(7),
                            deviceEnd, r.getDouble(9), r.getDouble(10), AlarmStatus.valueOf(r.getString(11)),
                            r.getString(12), r.getString(13), r.getObject(14, OffsetDateTime.class),
                            r.getString(15)));
                }
            }
            return out;
        }
    }

    /**
     * Adds a minute of a device's scores to the downsampled history (adds to the minute when it is there).
     *
     * @param deviceId    the device
     * @param bucketStart the minute
     * @param windows     windows scored in it
     * @param sum         sum of their scores
     * @param max         their largest score
     * @param threshold   the threshold in force
     */
    public void addScores(String deviceId, OffsetDateTime bucketStart, int windows, double sum, double max,
                          double threshold) {
        txRetry(c -> {
            // FOR UPDATE: another console may add to the same minute
            try (PreparedStatement q = c.prepareStatement("SELECT windows, mean_score, max_score FROM gs_score_minute "
                    + "WHERE device_id = ? AND bucket_start = ? FOR UPDATE")) {
                q.setString(1, deviceId);
                q.setObject(2, bucketStart);
                try (ResultSet r = q.executeQuery()) {
                    if (r.next()) {
                        int n = r.getInt(1) + windows;
                        double mean = (r.getDouble(2) * r.getInt(1) + sum) / n;
                        try (PreparedStatement u = c.prepareStatement("UPDATE gs_score_minute SET windows = ?, "
                                + "mean_score = ?, max_score = ?, threshold = ? WHERE device_id = ? AND bucket_start = ?")) {
                            u.setInt(1, n);
                            u.setDouble(2, mean);
                            u.setDouble(3, Math.max(max, r.getDouble(3)));
                            u.setDouble(4, threshold);
                            u.setString(5, deviceId);
                            u.setObject(6, bucketStart);
                            u.executeUpdate();
                        }
                        return null;
                    }
                }
            }
            try (PreparedStatement i = c.prepareStatement("INSERT INTO gs_score_minute (device_id, bucket_start, "
                    + "windows, mean_score, max_score, threshold) VALUES (?, ?, ?, ?, ?, ?)")) {
                i.setString(1, deviceId);
                i.setObject(2, bucketStart);
                i.setInt(3, windows);
                i.setDouble(4, sum / windows);
                i.setDouble(5, max);
                i.setDouble(6, threshold);
                i.executeUpdate();
            }
            return null;
        });
    }

    /** A downsampled minute. */
    public record ScoreMinute(OffsetDateTime bucketStart, int windows, double mean, double max, double threshold) {
    }

    /**
     * {@return a device's downsampled scores since a time, oldest first}
     *
     * @param deviceId the device
     * @param since    from this minute on
     */
    public List<ScoreMinute> scores(String deviceId, OffsetDateTime since) {
        return tx(c -> {
            try (PreparedStatement q = c.prepareStatement("SELECT bucket_start, windows, mean_score, max_score, "
                    + "threshold FROM gs_score_minute WHERE device_id = ? AND bucket_start >= ? ORDER BY bucket_start")) {
                q.setString(1, deviceId);
                q.setObject(2, since);
                List<ScoreMinute> out = new ArrayList<>();
                try (ResultSet r = q.executeQuery()) {
                    while (r.next()) {
                        out.add(new ScoreMinute(r.getObject(1, OffsetDateTime.class), r.getInt(2), r.getDouble(3),
                                r.getDouble(4), r.getDouble(5)));
                    }
                }
                return out;
            }
        });
    }

    /**
     * Adds or replaces a user.
     *
     * @param name         user name
     * @param role         role
     * @param passwordHash {@link Passwords#hash} of the password
     * @param actor        who does it
     */
    public void putUser(String name, Role role, String passwordHash, String actor) {
        tx(c -> {
            try (PreparedStatement d = c.prepareStatement("DELETE FROM gs_user WHERE name = ?")) {
                d.setString(1, name);
                d.executeUpdate();
            }
            try (PreparedStatement i = c.prepareStatement(
                    "INSERT INTO gs_user (name, role, password_hash, created_at) VALUES (?, ?, ?, ?)")) {
                i.setString(1, name);
                i.setString(2, role.name());
                i.setString(3, passwordHash);
                i.setObject(4, now());
                i.executeUpdate();
            }
            audit(c, actor, "user.put", "user/" + name, role.name());
            return null;
        });
    }

    /**
     * {@return a user}
     *
     * @param name the user name
     */
    public Optional<User> user(String name) {
        return tx(c -> {
            try (PreparedStatement q = c.prepareStatement("SELECT name, role, password_hash FROM gs_user WHERE name = ?")) {
                q.setString(1, name);
                try (ResultSet r = q.executeQuery()) {
                    return r.next() ? Optional.of(new User(r.getString(1), Role.valueOf(r.getString(2)), r.getString(3)))
                            : Optional.empty();
                }
            }
        });
    }

    /** {@return how many users there are} */
    public int userCount() {
        return tx(c -> {
            try (PreparedStatement q = c.prepareStatement("SELECT COUNT(*) FROM gs_user");
                 ResultSet r = q.executeQuery()) {
                r.next();
                return r.getInt(1);
            }
        });
    }

    /**
     * Writes an audit line.
     *
     * @param actor  who
     * @param action what, e.g. {@code alarm.confirmed}
     * @param target on what, e.g. {@code alarm/12}
     * @param detail more, may be null
     */
    public void audit(String actor, String action, String target, String detail) {
        tx(c -> {
            audit(c, actor, action, target, detail);
            return null;
        });
    }

    private static void audit(Connection c, String actor, String action, String target, String detail)
            throws SQLException {
        try (PreparedStatement i = c.prepareStatement(
                "INSERT INTO gs_audit (occurred_at, actor, action, target, detail) VALUES (?, ?, ?, ?, ?)")) {
            i.setObject(1, now());
            i.setString(2, actor);
            i.setString(3, action);
            i.setString(4, target);
            i.setString(5, detail);
            i.executeUpdate();
        }
    }

    /**
     * {@return the newest audit lines, newest first}
     *
     * @param limit at most this many
     */
    public List<Audit> audits(int limit) {
        return tx(c -> {
            try (PreparedStatement q = c.prepareStatement("SELECT occurred_at, actor, action, target, detail FROM gs_audit "
                    + "ORDER BY id DESC FETCH FIRST " + Math.max(1, limit) + " ROWS ONLY");
                 ResultSet r = q.executeQuery()) {
                List<Audit> out = new ArrayList<>();
                while (r.next()) {
                    out.add(new Audit(r.getObject(1, OffsetDateTime.class), r.getString(2), r.getString(3),
                            r.getString(4), r.getString(5)));
                }
                return out;
            }
        });
    }

    /** A deployment or rollback started from the console, as it ended. */
    public record Deployment(long id, String deviceId, String action, String bundle, String modelId, String sha256,
                             Integer slot, boolean ok, String detail, String actor, OffsetDateTime at) {
    }

    /**
     * Writes a deployment or rollback and audits it, in one transaction.
     *
     * @param d what happened (its id and time are set here)
     */
    public void addDeployment(Deployment d) {
        tx(c -> {
            try (PreparedStatement i = c.prepareStatement("INSERT INTO gs_deployment (device_id, action, bundle, "
                    + "model_id, sha256, slot, ok, detail, actor, occurred_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")) {
                i.setString(1, d.deviceId());
                i.setString(2, d.action());
                i.setString(3, d.bundle());
                i.setString(4, d.modelId());
                i.setString(5, d.sha256());
                i.setObject(6, d.slot());
                i.setBoolean(7, d.ok());
                i.setString(8, d.detail());
                i.setString(9, d.actor());
                i.setObject(10, now());
                i.executeUpdate();
            }
            audit(c, d.actor(), "device." + d.action() + (d.ok() ? "" : "_failed"), "device/" + d.deviceId(),
                    (d.bundle() == null ? "" : d.bundle() + " ") + (d.modelId() == null ? "" : d.modelId() + " ")
                            + (d.detail() == null ? "" : d.detail()));
            return null;
        });
    }

    /**
     * {@return deployments and rollbacks, newest first}
     *
     * @param deviceId only this device's, null for all
     * @param limit    at most this many
     */
    public List<Deployment> deployments(String deviceId, int limit) {
        return tx(c -> {
            try (PreparedStatement q = c.prepareStatement("SELECT id, device_id, action, bundle, model_id, sha256, "
                    + "slot, ok, detail, actor, occurred_at FROM gs_deployment"
                    + (deviceId == null ? "" : " WHERE device_id = ?") + " ORDER BY id DESC FETCH FIRST "
                    + Math.max(1, limit) + " ROWS ONLY")) {
                if (deviceId != null) {
                    q.setString(1, deviceId);
                }
                List<Deployment> out = new ArrayList<>();
                try (ResultSet r = q.executeQuery()) {
                    while (r.next()) {
                        int slot = r.getInt(7);
                        out.add(new Deployment(r.getLong(1), r.getString(2), r.getString(3), r.getString(4),
                                r.getString(5), r.getString(6), r.wasNull() ? null : slot, r.getBoolean(8),
                                r.getString(9), r.getString(10), r.getObject(11, OffsetDateTime.class)));
                    }
                }
                return out;
            }
        });
    }

    /** A recording started from the console. */
    public record RecordingRow(long id, String deviceId, String path, String label, OffsetDateTime startedAt,
                               double seconds, long samples, long gaps, String actor) {
    }

    /**
     * Indexes a finished recording and audits it.
     *
     * @param r the recording (its id is set here)
     */
    public void addRecording(RecordingRow r) {
        tx(c -> {
            try (PreparedStatement i = c.prepareStatement("INSERT INTO gs_recording (device_id, path, label, "
                    + "started_at, seconds, samples, gaps, actor) VALUES (?, ?, ?, ?, ?, ?, ?, ?)")) {
                i.setString(1, r.deviceId());
                i.setString(2, r.path());
                i.setString(3, r.label());
                i.setObject(4, r.startedAt());
                i.setDouble(5, r.seconds());
                i.setLong(6, r.samples());
                i.setLong(7, r.gaps());
                i.setString(8, r.actor());
                i.executeUpdate();
            }
            audit(c, r.actor(), "device.recorded", "device/" + r.deviceId(), r.path());
            return null;
        });
    }

    /**
     * {@return recordings, newest first}
     *
     * @param deviceId only this device's, null for all
     * @param limit    at most this many
     */
    public List<RecordingRow> recordings(String deviceId, int limit) {
        return tx(c -> {
            try (PreparedStatement q = c.prepareStatement("SELECT id, device_id, path, label, started_at, seconds, "
                    + "samples, gaps, actor FROM gs_recording" + (deviceId == null ? "" : " WHERE device_id = ?")
                    + " ORDER BY id DESC FETCH FIRST " + Math.max(1, limit) + " ROWS ONLY")) {
                if (deviceId != null) {
                    q.setString(1, deviceId);
                }
                List<RecordingRow> out = new ArrayList<>();
                try (ResultSet r = q.executeQuery()) {
                    while (r.next()) {
                        out.add(new RecordingRow(r.getLong(1), r.getString(2), r.getString(3), r.getString(4),
                                r.getObject(5, OffsetDateTime.class), r.getDouble(6), r.getLong(7), r.getLong(8),
                                r.getString(9)));
                    }
                }
                return out;
            }
        });
    }

    @Override
    public void close() {
        ds.close();
    }
}
