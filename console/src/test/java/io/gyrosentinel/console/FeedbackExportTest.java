package io.gyrosentinel.console;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.gyrosentinel.client.DeviceWatch;
import io.gyrosentinel.recording.Recording;
import io.gyrosentinel.recording.SessionLabel;
import io.gyrosentinel.sim.Fault;
import io.gyrosentinel.sim.VirtualDevice;
import io.gyrosentinel.testing.Await;
import io.gyrosentinel.testing.SimulatedFan;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Feedback closes the loop: two alarms of a simulated fan, their episodes saved by the console, one confirmed and
 * one dismissed over the API, exported as labelled recordings a model can be evaluated on.
 */
@Timeout(120)
class FeedbackExportTest {
    @TempDir
    Path tmp;


    private static void judge(Console c, long id, String action) throws Exception {
        HttpResponse<String> r = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(c.url()
                + "api/alarms/" + id + "/" + action)).header("X-GS-CSRF", "t").header("Cookie", "gs_csrf=t")
                .POST(HttpRequest.BodyPublishers.ofString("{\"note\":\"" + action + "\"}")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(200, r.statusCode(), r.body());
    }

    @Test
    void judgedAlarmsBecomeLabelledRecordings() throws Exception {
        String db = "jdbc:h2:file:" + tmp.resolve("console");
        try (SimulatedFan fan = new SimulatedFan("fan-9", true);
             Console console = Console.builder().port(0).database(db).start();
             AutoCloseable followed = console.follow(fan.watch, fan.stream)) {
            VirtualDevice dev = fan.dev;
            DeviceWatch watch = fan.watch;
            for (int episode = 1; episode <= 2; episode++) {
                Thread.sleep(2000); // normal operation before the fault: the clip's pre-roll
                dev.injectFault(new Fault.Imbalance(2.0));
                Await.until("episode start", Duration.ofSeconds(30), () -> watch.state().anomaly());
                Thread.sleep(1500);
                dev.clearFaults();
                int n = episode;
                Await.until("episode " + n + " saved", Duration.ofSeconds(30),
                        () -> console.alarms(null, "fan-9", 10).size() == n
                                && console.alarms(null, "fan-9", 10).get(0).clip() != null);
            }
            List<Alarm> alarms = console.alarms(null, "fan-9", 10);
            judge(console, alarms.get(1).id(), "confirm");
            judge(console, alarms.get(0).id(), "dismiss");
            for (Alarm a : alarms) {
                Recording clip = Recording.read(Path.of(a.clip()));
                assertEquals(SessionLabel.UNLABELLED, clip.info().label());
                assertTrue(clip.samples() > 960 * 3, "pre-roll and episode: " + clip.samples());
            }
        }

        FeedbackExport.Result r = FeedbackExport.export(db, null, null, tmp.resolve("labelled"));
        assertEquals(1, r.confirmed());
        assertEquals(1, r.dismissed());
        assertEquals(0, r.withoutClip() + r.missingClip());
        Recording confirmed = Recording.read(r.written().stream().filter(p -> p.toString().endsWith("-confirmed.gsr"))
                .findFirst().orElseThrow());
        assertEquals(SessionLabel.ANOMALOUS, confirmed.info().label());
        assertEquals("confirmed", confirmed.info().tags().get("feedback"));
        List<Recording.LabelRun> runs = confirmed.labelRuns();
        assertEquals(2, runs.size(), runs.toString());
        assertEquals(SessionLabel.NORMAL, runs.get(0).label());
        assertEquals(SessionLabel.ANOMALOUS, runs.get(1).label());
        assertTrue(runs.get(0).count() > 960, "about 2 s of normal operation before: " + runs);
        assertEquals(confirmed.samples(), runs.get(0).count() + runs.get(1).count());
        Recording dismissed = Recording.read(r.written().stream().filter(p -> p.toString().endsWith("-dismissed.gsr"))
                .findFirst().orElseThrow());
        assertEquals(List.of(new Recording.LabelRun(0, dismissed.samples(), SessionLabel.NORMAL)), dismissed.labelRuns());
        assertNotNull(Files.getLastModifiedTime(dismissed.path()));
    }
}
