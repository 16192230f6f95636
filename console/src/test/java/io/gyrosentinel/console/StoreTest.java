package io.gyrosentinel.console;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.gyrosentinel.AnomalyEvent;
import io.gyrosentinel.console.internal.Passwords;
import io.gyrosentinel.console.internal.Store;

import java.nio.file.Path;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.List;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The console's database on both engines it supports: embedded H2 and a real PostgreSQL, one schema. */
@Timeout(120)
class StoreTest {
    static PostgresServer pg;

    @TempDir
    static Path tmp;

    @BeforeAll
    static void postgres() throws Exception {
        pg = PostgresServer.start();
    }

    @AfterAll
    static void stop() throws Exception {
        if (pg != null) {
            pg.close();
        }
    }

    static int db;

    private static String url(String engine) {
        db++;
        return engine.equals("h2") ? "jdbc:h2:file:" + tmp.resolve("h2-" + db) : pg.jdbcUrl();
    }

    private static AnomalyEvent event(long id, AnomalyEvent.State s, long start, long end, float peak) {
        return new AnomalyEvent(id, s, start, end, peak, start, 1.25f, 4, "fan-v2", new float[] {1, 2, 3});
    }

    @ParameterizedTest
    @ValueSource(strings = {"h2", "postgresql"})
    void alarmsScoresUsersAndTheAuditLog(String engine) {
        String url = url(engine);
        try (Store s = Store.open(url, null, null)) {
            s.seenDevice("pump-7", "1.0.0", "fan-v1");
            s.seenDevice("pump-7", "1.1.0", "fan-v2");

            // an episode: STARTED twice (a redelivery after a reconnect) is one alarm; ENDED closes it
            Alarm a = s.event("pump-7", event(9, AnomalyEvent.State.STARTED, 5_000_000, 0, 3f)).orElseThrow();
            assertEquals(a, s.event("pump-7", event(9, AnomalyEvent.State.STARTED, 5_000_000, 0, 3f)).orElseThrow());
            assertTrue(a.active());
            assertEquals(AlarmStatus.OPEN, a.status());
            Alarm ended = s.event("pump-7", event(9, AnomalyEvent.State.ENDED, 5_000_000, 9_000_000, 4.5f))
                    .orElseThrow();
            assertEquals(a.id(), ended.id());
            assertFalse(ended.active());
            assertEquals(9_000_000L, ended.deviceEndUs());
            assertEquals(4.5, ended.peakScore(), 1e-6);
            // an ENDED whose STARTED came before the console followed the device is stored whole
            Alarm late = s.event("pump-7", event(10, AnomalyEvent.State.ENDED, 20_000_000, 23_000_000, 2f))
                    .orElseThrow();
            assertFalse(late.active());
            assertTrue(late.startedAt().isBefore(late.endedAt()));

            // feedback: OPEN -> ACKNOWLEDGED -> DISMISSED; final states stay final
            assertInstanceOf(Store.Change.Done.class, s.setStatus(a.id(), AlarmStatus.ACKNOWLEDGED, null, "olga"));
            Store.Change d = s.setStatus(a.id(), AlarmStatus.DISMISSED, "the fan was being cleaned", "olga");
            assertEquals(AlarmStatus.DISMISSED, ((Store.Change.Done) d).alarm().status());
            assertInstanceOf(Store.Change.Conflict.class, s.setStatus(a.id(), AlarmStatus.CONFIRMED, null, "vic"));
            assertInstanceOf(Store.Change.NotFound.class, s.setStatus(12345, AlarmStatus.CONFIRMED, null, "vic"));
            // newest start first: the late one's start is dated back by its length (3 s)
            assertEquals(List.of(a.id(), late.id()), s.alarms(null, "pump-7", 10).stream().map(Alarm::id).toList());
            assertEquals(List.of(a.id()), s.alarms(AlarmStatus.DISMISSED, null, 10).stream().map(Alarm::id).toList());
            assertEquals("the fan was being cleaned", s.alarm(a.id()).orElseThrow().note());
            assertEquals(List.of("alarm.dismissed", "alarm.acknowledged"),
                    s.audits(10).stream().map(Store.Audit::action).toList());

            // scores per minute add up
            OffsetDateTime minute = OffsetDateTime.now(ZoneOffset.UTC).truncatedTo(ChronoUnit.MINUTES);
            s.addScores("pump-7", minute, 10, 10 * 0.5, 0.9, 1.25);
            s.addScores("pump-7", minute, 30, 30 * 1.0, 1.1, 1.25);
            Store.ScoreMinute m = s.scores("pump-7", minute.minusHours(1)).get(0);
            assertEquals(40, m.windows());
            assertEquals((5 + 30) / 40.0, m.mean(), 1e-9);
            assertEquals(1.1, m.max(), 1e-9);

            // users: only the hash is stored
            s.putUser("olga", Role.OPERATOR, Passwords.hash("correct horse".toCharArray()), "cli");
            Store.User u = s.user("olga").orElseThrow();
            assertEquals(Role.OPERATOR, u.role());
            assertFalse(u.passwordHash().contains("correct horse"));
            assertTrue(Passwords.matches("correct horse".toCharArray(), u.passwordHash()));
            assertFalse(Passwords.matches("correct horsE".toCharArray(), u.passwordHash()));
            assertEquals(1, s.userCount());
            assertTrue(s.user("nobody").isEmpty());
        }
        // reopened: migrations are not run twice, the data is there
        try (Store again = Store.open(url, null, null)) {
            assertEquals(2, again.alarms(null, null, 10).size());
            assertEquals(9_000_000L, again.alarms(AlarmStatus.DISMISSED, null, 1).get(0).deviceEndUs());
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"h2", "postgresql"})
    void aBadDatabaseSaysWhichAndWhy(String engine) {
        String url = engine.equals("h2") ? "jdbc:h2:file:/proc/no/such/dir/console"
                : pg.jdbcUrl().replace("/console?", "/no_such_db?");
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> Store.open(url, null, null));
        assertTrue(e.getMessage().startsWith("cannot open the console database jdbc:"), e.getMessage());
    }
}
