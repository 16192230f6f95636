package io.gyrosentinel.console;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.gyrosentinel.AnomalyEvent;
import io.gyrosentinel.console.internal.Store;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Base64;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Bound beyond loopback, the console wants a user for everything but /healthz, a role for each action, and a CSRF
 * token for every state-changing request; every change is audited with who did it.
 */
@Timeout(60)
class ConsoleSecurityTest {
    @TempDir
    Path tmp;

    private final HttpClient http = HttpClient.newHttpClient();

    private HttpResponse<String> send(String method, String url, String user, String password, String csrf)
            throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(url));
        if (user != null) {
            b.header("Authorization", "Basic " + Base64.getEncoder().encodeToString((user + ":" + password)
                    .getBytes(StandardCharsets.UTF_8)));
        }
        if (csrf != null) {
            b.header("X-GS-CSRF", csrf).header("Cookie", "gs_csrf=" + csrf);
        }
        b.method(method, method.equals("GET") ? HttpRequest.BodyPublishers.noBody()
                : HttpRequest.BodyPublishers.ofString("{\"note\":\"looked at it\"}"));
        return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void aConsoleBeyondLoopbackWithNoUserDoesNotStart() {
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> Console.builder().bind("0.0.0.0")
                .port(0).database("jdbc:h2:file:" + tmp.resolve("db")).start());
        assertTrue(e.getMessage().contains("no user to authenticate"), e.getMessage());
    }

    @Test
    void beyondLoopbackEveryRequestNeedsAUserAndEveryChangeARoleAndACsrfToken() throws Exception {
        String db = "jdbc:h2:file:" + tmp.resolve("db");
        Console.Builder b = Console.builder().bind("0.0.0.0").port(0).database(db);
        b.saveUser("olga", Role.OPERATOR, "correct horse".toCharArray());
        b.saveUser("vic", Role.VIEWER, "battery staple".toCharArray());
        assertThrows(IllegalArgumentException.class, () -> b.saveUser("eve", Role.ADMIN, "short".toCharArray()));
        long alarm;
        try (Store store = Store.open(db, null, null)) {
            store.seenDevice("pump-7", "1.0.0", "m1");
            alarm = store.event("pump-7", new AnomalyEvent(4, AnomalyEvent.State.STARTED, 1_000_000, 0, 3.5f,
                    1_000_000, 1.0f, 3, "m1", new float[] {1, 2, 3})).orElseThrow().id();
        }
        try (Console c = b.start()) {
            String base = "http://127.0.0.1:" + c.port();
            String act = base + "/api/alarms/" + alarm + "/acknowledge";
            assertEquals(200, send("GET", base + "/healthz", null, null, null).statusCode());
            HttpResponse<String> anon = send("GET", base + "/api/devices", null, null, null);
            assertEquals(401, anon.statusCode());
            assertTrue(anon.headers().firstValue("WWW-Authenticate").orElse("").startsWith("Basic"));
            assertEquals(401, send("GET", base + "/", null, null, null).statusCode(), "pages too");
            assertEquals(401, send("POST", act, null, null, "t0k3n").statusCode(), "a change with no user");
            assertEquals(401, send("POST", act, "olga", "wrong password", "t0k3n").statusCode());
            assertEquals(200, send("GET", base + "/api/devices", "vic", "battery staple", null).statusCode());
            assertEquals(403, send("POST", act, "vic", "battery staple", "t0k3n").statusCode(), "a viewer");
            HttpResponse<String> noCsrf = send("POST", act, "olga", "correct horse", null);
            assertEquals(403, noCsrf.statusCode());
            assertTrue(noCsrf.body().contains("CSRF"), noCsrf.body());
            assertEquals(403, send("GET", base + "/api/audit", "olga", "correct horse", null).statusCode(),
                    "the audit log is for admins");
            HttpResponse<String> ok = send("POST", act, "olga", "correct horse", "t0k3n");
            assertEquals(200, ok.statusCode(), ok.body());
            assertTrue(ok.body().contains("\"status\":\"ACKNOWLEDGED\"") && ok.body().contains("\"updatedBy\":\"olga\""),
                    ok.body());
            assertEquals(409, send("POST", act, "olga", "correct horse", "t0k3n").statusCode(), "acknowledged already");
            assertEquals(404, send("POST", base + "/api/alarms/999/confirm", "olga", "correct horse", "t0k3n")
                    .statusCode());
            assertEquals(400, send("POST", base + "/api/alarms/" + alarm + "/delete", "olga", "correct horse", "t0k3n")
                    .statusCode());
        }
        try (Store store = Store.open(db, null, null)) {
            Store.Audit last = store.audits(1).get(0);
            assertEquals("olga", last.actor());
            assertEquals("alarm.acknowledged", last.action());
            assertEquals("alarm/" + alarm, last.target());
            assertEquals("looked at it", last.detail());
        }
    }

    @Test
    void onLoopbackACrossSiteRequestIsRefused() throws Exception {
        try (Console c = Console.builder().port(0).database("jdbc:h2:file:" + tmp.resolve("db")).start()) {
            String act = "http://127.0.0.1:" + c.port() + "/api/alarms/1/dismiss";
            // what a page of another site can send: no custom header, no cookie of ours
            assertEquals(403, send("POST", act, null, null, null).statusCode());
            HttpRequest foreign = HttpRequest.newBuilder(URI.create(act)).header("Origin", "http://evil.example")
                    .header("X-GS-CSRF", "x").header("Cookie", "gs_csrf=x")
                    .POST(HttpRequest.BodyPublishers.ofString("{}")).build();
            assertEquals(403, http.send(foreign, HttpResponse.BodyHandlers.ofString()).statusCode());
            assertEquals(404, send("POST", act, null, null, "x").statusCode(), "a same-site request gets through");
        }
    }
}
