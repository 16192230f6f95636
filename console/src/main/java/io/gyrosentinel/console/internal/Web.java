package io.gyrosentinel.console.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.gyrosentinel.client.DeviceWatch;
import io.gyrosentinel.console.Alarm;
import io.gyrosentinel.console.AlarmStatus;
import io.gyrosentinel.console.Role;
import io.javalin.Javalin;
import io.javalin.http.Context;
import io.javalin.http.Cookie;
import io.javalin.http.ForbiddenResponse;
import io.javalin.http.HandlerType;
import io.javalin.http.HttpStatus;
import io.javalin.http.SameSite;
import io.javalin.http.UnauthorizedResponse;
import io.javalin.http.sse.SseClient;

import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.Base64;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The console's HTTP side (Javalin): pages and assets from the jar, the JSON API, server-sent events, and the
 * checks every request passes (who it is, what its role allows, the CSRF token of state-changing ones).
 */
public final class Web implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(Web.class);
    private static final String ASSETS = "/io/gyrosentinel/console/web/";
    private static final String CHART_JS = "/META-INF/resources/webjars/chart.js/4.4.1/dist/chart.umd.js";
    private static final Map<String, String> PAGES = Map.of("/", "index.html", "/alarms", "alarms.html",
            "/device", "device.html", "/models", "models.html");
    private static final Map<String, String> TYPES = Map.of("html", "text/html; charset=utf-8",
            "js", "text/javascript; charset=utf-8", "css", "text/css; charset=utf-8");
    /** How long a checked Basic credential is believed without running PBKDF2 again. */
    private static final long CREDENTIAL_CACHE_MILLIS = 60_000;

    private final Store store;
    private final Fleet fleet;
    private final boolean loopback;
    private final String bind;
    private final Map<String, Cached> credentials = new ConcurrentHashMap<>();
    private final java.util.concurrent.ExecutorService jobs = java.util.concurrent.Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, "gs-console-job");
        t.setDaemon(true);
        return t;
    });
    private Javalin app;

    private record Caller(String name, Role role) {
    }

    private record Cached(Caller caller, long until) {
    }

    private final Actions actions;

    private Web(Store store, String bind, boolean loopback, java.nio.file.Path recordings,
                java.nio.file.Path bundles) {
        this.store = store;
        this.fleet = new Fleet(store, recordings);
        this.actions = new Actions(store, fleet, bundles, recordings, jobs);
        this.bind = bind;
        this.loopback = loopback;
    }

    /**
     * Starts the server.
     *
     * @param store    the database
     * @param bind     the address
     * @param port     the port, 0 for any
     * @param loopback whether the address is loopback (no authentication then)
     * @param recordings where alarms' episodes and recordings are saved
     * @param bundles    the model bundles people may deploy, null for none
     * @return the running server
     */
    public static Web start(Store store, String bind, int port, boolean loopback, java.nio.file.Path recordings,
                            java.nio.file.Path bundles) {
        Web w = new Web(store, bind, loopback, recordings, bundles);
        try {
            w.app = Javalin.create(cfg -> {
                cfg.jetty.host = bind;
                cfg.jetty.port = port;
                cfg.startup.showJavalinBanner = false;
                cfg.http.maxRequestSize = 64 * 1024;
                cfg.routes.before(w::check);
                cfg.routes.get("/healthz", ctx -> ctx.result("ok"));
                for (Map.Entry<String, String> p : PAGES.entrySet()) {
                    cfg.routes.get(p.getKey(), ctx -> w.asset(ctx, p.getValue()));
                }
                cfg.routes.get("/assets/{name}", ctx -> w.asset(ctx, ctx.pathParam("name")));
                cfg.routes.get("/assets/vendor/chart.umd.js", ctx -> w.resource(ctx, CHART_JS, "js"));
                cfg.routes.get("/api/session", w::session);
                cfg.routes.get("/api/devices", ctx -> w.json(ctx, w.fleet.devicesJson()));
                cfg.routes.get("/api/devices/{id}", w::device);
                cfg.routes.get("/api/alarms", w::alarms);
                cfg.routes.post("/api/alarms/{id}/{action}", w::alarmAction);
                cfg.routes.post("/api/devices/{id}/calibrate", w::calibrate);
                cfg.routes.post("/api/devices/{id}/deploy", ctx -> w.accepted(ctx, w.actions.deploy(
                        ctx.pathParam("id"), w.bodyText(ctx, "bundle"), need(ctx, Role.ADMIN).name())));
                cfg.routes.post("/api/devices/{id}/rollback", ctx -> w.accepted(ctx, w.actions.rollback(
                        ctx.pathParam("id"), need(ctx, Role.ADMIN).name())));
                cfg.routes.post("/api/devices/{id}/record", w::record);
                cfg.routes.get("/api/models", ctx -> w.json(ctx, w.actions.models()));
                cfg.routes.get("/api/audit", w::audit);
                cfg.routes.sse("/api/stream", w::stream);
                cfg.routes.sse("/api/devices/{id}/signal", w::signal);
                cfg.routes.exception(Actions.NoSuchElementException.class, (e, ctx) -> {
                    ctx.status(HttpStatus.NOT_FOUND);
                    w.json(ctx, Fleet.JSON.createObjectNode().put("error", e.getMessage()));
                });
                cfg.routes.exception(IllegalStateException.class, (e, ctx) -> {
                    ctx.status(HttpStatus.CONFLICT);
                    w.json(ctx, Fleet.JSON.createObjectNode().put("error", e.getMessage()));
                });
                cfg.routes.exception(IllegalArgumentException.class, (e, ctx) -> {
                    ctx.status(HttpStatus.BAD_REQUEST);
                    w.json(ctx, Fleet.JSON.createObjectNode().put("error", e.getMessage()));
                });
            }).start();
        } catch (RuntimeException e) {
            w.fleet.close();
            throw new IllegalStateException("cannot start the console on " + bind + ":" + port + ": "
                    + e.getMessage(), e);
        }
        try {
            w.actions.models(); // learns the bundles' precisions for the fleet page
        } catch (IOException | RuntimeException e) {
            LOG.warn("cannot read the bundle directory", e);
        }
        LOG.info("console at {}", w.url());
        return w;
    }

    /** {@return the fleet the pages show} */
    public Fleet fleet() {
        return fleet;
    }

    /** {@return the port} */
    public int port() {
        return app.port();
    }

    /** {@return the base URL} */
    public String url() {
        String host = bind.contains(":") ? "[" + bind + "]" : bind;
        return "http://" + ("0.0.0.0".equals(bind) ? "127.0.0.1" : host) + ":" + port() + "/";
    }

    // ---- every request

    private void check(Context ctx) {
        if (ctx.path().equals("/healthz")) {
            return;
        }
        Caller caller;
        try {
            caller = caller(ctx);
        } catch (UnauthorizedResponse e) {
            // the browser asks for credentials when it sees the challenge: on a page load (and to clients that are
            // not browsers), not on the page's own requests, which would pop a dialog over the page
            String mode = ctx.header("Sec-Fetch-Mode");
            if (mode == null || mode.equals("navigate")) {
                ctx.header("WWW-Authenticate", "Basic realm=\"GyroSentinel\", charset=\"UTF-8\"");
            }
            throw e;
        }
        ctx.attribute("caller", caller);
        if (ctx.cookie("gs_csrf") == null && ctx.method() == HandlerType.GET) {
            Cookie c = new Cookie("gs_csrf", Passwords.randomToken());
            c.setPath("/");
            c.setSameSite(SameSite.STRICT);
            ctx.cookie(c);
        }
        ctx.header("X-Content-Type-Options", "nosniff");
        ctx.header("X-Frame-Options", "DENY");
        ctx.header("Content-Security-Policy", "default-src 'self'; img-src 'self' data:; style-src 'self'; "
                + "script-src 'self'; connect-src 'self'; frame-ancestors 'none'");
        ctx.header("Referrer-Policy", "no-referrer");
        if (ctx.method() != HandlerType.GET && ctx.method() != HandlerType.HEAD) {
            String origin = ctx.header("Origin");
            if (origin != null && !sameOrigin(origin, ctx.host())) {
                throw new ForbiddenResponse("cross-origin request refused (Origin " + origin + ")");
            }
            String cookie = ctx.cookie("gs_csrf");
            String header = ctx.header("X-GS-CSRF");
            if (cookie == null || header == null || !MessageDigest.isEqual(cookie.getBytes(StandardCharsets.UTF_8),
                    header.getBytes(StandardCharsets.UTF_8))) {
                throw new ForbiddenResponse("missing or wrong CSRF token: send the gs_csrf cookie's value in the "
                        + "X-GS-CSRF header");
            }
        }
    }

    private static boolean sameOrigin(String origin, String host) {
        try {
            URI u = URI.create(origin);
            String o = u.getHost() + (u.getPort() >= 0 ? ":" + u.getPort() : "");
            return o.equalsIgnoreCase(host);
        } catch (IllegalArgumentException e) {
            return false;
        }
    }

    private Caller caller(Context ctx) {
        String auth = ctx.header("Authorization");
        if (auth != null && auth.regionMatches(true, 0, "Basic ", 0, 6)) {
            Cached c = credentials.get(auth);
            if (c != null && c.until() > System.currentTimeMillis()) {
                return c.caller();
            }
            String decoded;
            try {
                decoded = new String(Base64.getDecoder().decode(auth.substring(6).trim()), StandardCharsets.UTF_8);
            } catch (IllegalArgumentException e) {
                throw unauthorized("malformed Basic credentials");
            }
            int colon = decoded.indexOf(':');
            String name = colon < 0 ? decoded : decoded.substring(0, colon);
            char[] password = colon < 0 ? new char[0] : decoded.substring(colon + 1).toCharArray();
            Optional<Store.User> u = store.user(name);
            if (u.isEmpty() || !Passwords.matches(password, u.get().passwordHash())) {
                throw unauthorized("wrong user name or password");
            }
            Caller caller = new Caller(u.get().name(), u.get().role());
            if (credentials.size() > 1000) {
                credentials.clear();
            }
            credentials.put(auth, new Cached(caller, System.currentTimeMillis() + CREDENTIAL_CACHE_MILLIS));
            return caller;
        }
        if (loopback) {
            return new Caller("local", Role.ADMIN);
        }
        throw unauthorized("this console needs a user name and password");
    }

    private static UnauthorizedResponse unauthorized(String why) {
        return new UnauthorizedResponse(why);
    }

    private static Caller need(Context ctx, Role role) {
        Caller c = ctx.attribute("caller");
        if (c == null || !c.role().allows(role)) {
            throw new ForbiddenResponse("needs the " + role.name().toLowerCase(Locale.ROOT) + " role");
        }
        return c;
    }

    // ---- handlers

    private void asset(Context ctx, String name) {
        if (!name.matches("[a-z0-9-]+\\.(html|js|css)")) {
            ctx.status(HttpStatus.NOT_FOUND);
            return;
        }
        resource(ctx, ASSETS + name, name.substring(name.lastIndexOf('.') + 1));
    }

    private void resource(Context ctx, String path, String type) {
        InputStream in = Web.class.getResourceAsStream(path);
        if (in == null) {
            ctx.status(HttpStatus.NOT_FOUND);
            return;
        }
        try (in) {
            ctx.contentType(TYPES.get(type)).result(in.readAllBytes());
        } catch (IOException e) {
            throw new IllegalStateException("cannot read " + path, e);
        }
    }

    private void json(Context ctx, JsonNode node) {
        ctx.contentType("application/json").result(node.toString());
    }

    private void session(Context ctx) {
        Caller c = ctx.attribute("caller");
        json(ctx, Fleet.JSON.createObjectNode().put("user", c.name()).put("role", c.role().name())
                .put("authenticated", !loopback));
    }

    private void device(Context ctx) {
        String id = ctx.pathParam("id");
        ObjectNode o = fleet.deviceJson(id);
        if (o == null) {
            ctx.status(HttpStatus.NOT_FOUND);
            json(ctx, Fleet.JSON.createObjectNode().put("error", "no device '" + id + "'"));
            return;
        }
        ArrayNode history = o.putArray("scoreMinutes");
        for (Store.ScoreMinute m : store.scores(id, OffsetDateTime.now(ZoneOffset.UTC).minusHours(24))) {
            history.addObject().put("t", m.bucketStart().toString()).put("windows", m.windows())
                    .put("mean", m.mean()).put("max", m.max()).put("threshold", m.threshold());
        }
        ArrayNode alarms = o.putArray("alarms");
        for (Alarm a : store.alarms(null, id, 50)) {
            alarms.add(Fleet.alarmJson(a));
        }
        o.set("deployments", actions.deploymentsJson(id));
        o.set("recordings", actions.recordingsJson(id));
        json(ctx, o);
    }

    private void alarms(Context ctx) {
        String st = ctx.queryParam("status");
        AlarmStatus status = null;
        if (st != null && !st.isBlank()) {
            try {
                status = AlarmStatus.valueOf(st.trim().toUpperCase(Locale.ROOT));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("status: one of open, acknowledged, confirmed, dismissed, not '"
                        + st + "'");
            }
        }
        String limit = ctx.queryParam("limit");
        int n;
        try {
            n = limit == null ? 200 : Math.min(5000, Integer.parseInt(limit));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("limit: a number, not '" + limit + "'");
        }
        ArrayNode arr = Fleet.JSON.createArrayNode();
        for (Alarm a : store.alarms(status, ctx.queryParam("device"), n)) {
            arr.add(Fleet.alarmJson(a));
        }
        json(ctx, arr);
    }

    private void alarmAction(Context ctx) {
        Caller c = need(ctx, Role.OPERATOR);
        long id;
        try {
            id = Long.parseLong(ctx.pathParam("id"));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("alarm id: a number, not '" + ctx.pathParam("id") + "'");
        }
        AlarmStatus next = switch (ctx.pathParam("action")) {
            case "acknowledge" -> AlarmStatus.ACKNOWLEDGED;
            case "confirm" -> AlarmStatus.CONFIRMED;
            case "dismiss" -> AlarmStatus.DISMISSED;
            default -> throw new IllegalArgumentException("action: acknowledge, confirm or dismiss, not '"
                    + ctx.pathParam("action") + "'");
        };
        String note = null;
        String body = ctx.body();
        if (!body.isBlank()) {
            try {
                JsonNode n = Fleet.JSON.readTree(body).path("note");
                note = n.isMissingNode() || n.isNull() ? null : n.asText();
            } catch (IOException e) {
                throw new IllegalArgumentException("body: JSON such as {\"note\": \"...\"}: " + e.getMessage());
            }
        }
        if (note != null && note.length() > 2000) {
            throw new IllegalArgumentException("note: at most 2000 characters, not " + note.length());
        }
        Store.Change r = store.setStatus(id, next, note, c.name());
        if (r instanceof Store.Change.Done d) {
            ObjectNode a = Fleet.alarmJson(d.alarm());
            fleet.push("alarm", a.toString());
            json(ctx, a);
        } else if (r instanceof Store.Change.Conflict k) {
            ctx.status(HttpStatus.CONFLICT);
            json(ctx, Fleet.JSON.createObjectNode().put("error", "alarm " + id + " is " + k.alarm().status()
                    + ": it cannot become " + next).set("alarm", Fleet.alarmJson(k.alarm())));
        } else {
            ctx.status(HttpStatus.NOT_FOUND);
            json(ctx, Fleet.JSON.createObjectNode().put("error", "no alarm " + id));
        }
    }


    /** Recalibrates a device's threshold on its normal operation now; the result is pushed as "calibration". */
    private void calibrate(Context ctx) {
        Caller c = need(ctx, Role.ADMIN);
        String id = ctx.pathParam("id");
        DeviceWatch w = actions.device(id);
        double seconds = 30;
        double quantile = 0.999;
        if (!ctx.body().isBlank()) {
            try {
                JsonNode b = Fleet.JSON.readTree(ctx.body());
                seconds = b.path("seconds").asDouble(seconds);
                quantile = b.path("quantile").asDouble(quantile);
            } catch (IOException e) {
                throw new IllegalArgumentException("body: JSON such as {\"seconds\": 30, \"quantile\": 0.999}: "
                        + e.getMessage());
            }
        }
        if (!(seconds >= 5 && seconds <= 600)) {
            throw new IllegalArgumentException("seconds: 5..600, not " + seconds);
        }
        if (!(quantile > 0.5 && quantile < 1)) {
            throw new IllegalArgumentException("quantile: between 0.5 and 1, not " + quantile);
        }
        String detail = String.format(Locale.ROOT, "%.0f s, quantile %s", seconds, quantile);
        store.audit(c.name(), "device.calibrate", "device/" + id, detail);
        java.time.Duration d = java.time.Duration.ofMillis((long) (seconds * 1000));
        double q = quantile;
        jobs.submit(() -> {
            ObjectNode r = Fleet.JSON.createObjectNode().put("device", id).put("by", c.name());
            try {
                var result = w.client().calibrate(io.gyrosentinel.client.CalibrationOptions.quantile(d, q));
                fleet.resetDrift(id);
                r.put("ok", true).put("threshold", result.threshold()).put("windows", result.windows());
                store.audit(c.name(), "device.calibrated", "device/" + id, "threshold " + result.threshold());
            } catch (RuntimeException e) {
                r.put("ok", false).put("error", String.valueOf(e.getMessage()));
                store.audit(c.name(), "device.calibration_failed", "device/" + id, e.getMessage());
            }
            fleet.push("calibration", r.toString());
        });
        ctx.status(HttpStatus.ACCEPTED);
        json(ctx, Fleet.JSON.createObjectNode().put("device", id).put("calibrating", detail));
    }

    private JsonNode body(Context ctx) {
        if (ctx.body().isBlank()) {
            return Fleet.JSON.createObjectNode();
        }
        try {
            return Fleet.JSON.readTree(ctx.body());
        } catch (IOException e) {
            throw new IllegalArgumentException("body: not JSON: " + e.getMessage());
        }
    }

    private String bodyText(Context ctx, String field) {
        JsonNode n = body(ctx).path(field);
        return n.isTextual() ? n.asText() : null;
    }

    private void accepted(Context ctx, JsonNode answer) {
        ctx.status(HttpStatus.ACCEPTED);
        json(ctx, answer);
    }

    private void record(Context ctx) {
        Caller c = need(ctx, Role.OPERATOR);
        JsonNode b = body(ctx);
        io.gyrosentinel.recording.SessionLabel label;
        try {
            label = io.gyrosentinel.recording.SessionLabel.parse(b.path("label").asText("unlabelled"));
        } catch (RuntimeException e) {
            throw new IllegalArgumentException("label: normal, anomalous or unlabelled, not '"
                    + b.path("label").asText() + "'");
        }
        accepted(ctx, actions.record(ctx.pathParam("id"), b.path("seconds").asDouble(30), label, c.name()));
    }

    private void audit(Context ctx) {
        need(ctx, Role.ADMIN);
        ArrayNode arr = Fleet.JSON.createArrayNode();
        for (Store.Audit a : store.audits(500)) {
            arr.addObject().put("at", a.at().toString()).put("actor", a.actor()).put("action", a.action())
                    .put("target", a.target()).put("detail", a.detail());
        }
        json(ctx, arr);
    }

    /**
     * A page's event stream. Javalin's {@link SseClient} sets the stream up (headers, async request, kept open);
     * the events are then written by the console's own SSE thread straight to the response, never by a device's
     * delivery thread. When a write fails, or Jetty ends the request (the browser went away), the page is dropped
     * for good and its request completed here: SseClient's own close would complete Javalin's pending future on a
     * request Jetty may already have recycled, which Javalin 7.2 answers with an endless loop of
     * NullPointerExceptions (seen once in CI).
     */
    private final class Page {
        private final SseClient client;
        private final jakarta.servlet.AsyncContext async;
        private volatile boolean gone;
        private volatile AutoCloseable subscription;

        Page(SseClient client) {
            this.client = client;
            this.async = client.ctx().req().getAsyncContext();
        }

        void start(AutoCloseable sub, java.util.function.Consumer<Page> first) {
            subscription = sub;
            async.addListener(new jakarta.servlet.AsyncListener() {
                @Override
                public void onComplete(jakarta.servlet.AsyncEvent e) {
                    drop(false);
                }

                @Override
                public void onTimeout(jakarta.servlet.AsyncEvent e) {
                    drop(true);
                }

                @Override
                public void onError(jakarta.servlet.AsyncEvent e) {
                    drop(true);
                }

                @Override
                public void onStartAsync(jakarta.servlet.AsyncEvent e) {
                    // not restarted
                }
            });
            sse.execute(() -> first.accept(this));
        }

        void drop(boolean complete) {
            gone = true;
            AutoCloseable s = subscription;
            subscription = null;
            if (s != null) {
                try {
                    s.close();
                } catch (Exception ignored) {
                    // removing a sink does not fail
                }
            }
            if (complete) {
                try {
                    async.complete();
                } catch (RuntimeException ignored) {
                    // completed already
                }
            }
        }

        void send(String event, String data) {
            sse.execute(() -> {
                if (gone) {
                    return;
                }
                try {
                    var out = client.ctx().res().getOutputStream();
                    out.write(("event: " + event + "\ndata: " + data + "\n\n").getBytes(StandardCharsets.UTF_8));
                    out.flush();
                } catch (IOException | RuntimeException e) {
                    LOG.debug("a page went away", e);
                    drop(true);
                }
            });
        }
    }

    private final java.util.concurrent.ExecutorService sse = java.util.concurrent.Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "gs-console-sse");
        t.setDaemon(true);
        return t;
    });

    private void stream(SseClient client) {
        client.keepAlive();
        Page page = new Page(client);
        page.start(fleet.onPush(page::send), p -> p.send("fleet", fleet.devicesJson().toString()));
    }

    private final java.util.concurrent.ScheduledExecutorService signals =
            java.util.concurrent.Executors.newSingleThreadScheduledExecutor(r -> {
                Thread t = new Thread(r, "gs-console-signal");
                t.setDaemon(true);
                return t;
            });

    /** Points per axis and second sent to a device page's live signal chart. */
    static final int SIGNAL_POINTS_PER_SECOND = 100;

    /**
     * A device's live signal, per axis in dps, decimated to {@link #SIGNAL_POINTS_PER_SECOND}: an SSE event
     * {@code signal} every 200 ms, {@code {"t": [device ms], "axes": [[x...], [y...], [z...]]}}.
     */
    private void signal(SseClient client) {
        String id = client.ctx().pathParam("id");
        Clips clips = fleet.clips(id);
        if (clips == null) {
            client.sendEvent("error", "{\"error\":\"no live signal of '" + id.replace("\"", "") + "'\"}");
            client.close();
            return;
        }
        client.keepAlive();
        Page page = new Page(client);
        long[] last = {Long.MIN_VALUE};
        java.util.concurrent.ScheduledFuture<?> task = signals.scheduleWithFixedDelay(() -> {
            try {
                ObjectNode ev = Fleet.JSON.createObjectNode();
                ArrayNode t = ev.putArray("t");
                ArrayNode axes = ev.putArray("axes");
                java.util.List<io.gyrosentinel.SampleBlock> blocks = clips.since(last[0] == Long.MIN_VALUE
                        ? Long.MIN_VALUE : last[0] + 1);
                if (last[0] == Long.MIN_VALUE && !blocks.isEmpty()) {
                    // a new page starts with the last 5 s
                    long newest = blocks.get(blocks.size() - 1).timestampMicros();
                    blocks = clips.since(newest - 5_000_000L);
                }
                for (io.gyrosentinel.SampleBlock b : blocks) {
                    while (axes.size() < b.channels()) {
                        axes.addArray();
                    }
                    double rate = 1e9 / Math.max(1, b.periodNanos());
                    int step = (int) Math.max(1, Math.round(rate / SIGNAL_POINTS_PER_SECOND));
                    for (int i = 0; i < b.count(); i++) {
                        long ts = b.timestampMicros(i);
                        if (ts <= last[0] || Math.floorMod(b.firstSample() + i, step) != 0) {
                            continue;
                        }
                        t.add(ts / 1000);
                        for (int c = 0; c < b.channels(); c++) {
                            ((ArrayNode) axes.get(c)).add(Math.round(b.value(i, c) * 1000) / 1000.0);
                        }
                    }
                    last[0] = Math.max(last[0], b.timestampMicros(b.count() - 1));
                }
                if (!t.isEmpty()) {
                    page.send("signal", ev.toString());
                }
            } catch (RuntimeException e) {
                LOG.debug("signal of {} to a page", id, e);
            }
        }, 0, 200, java.util.concurrent.TimeUnit.MILLISECONDS);
        page.start(() -> task.cancel(false), p -> { });
    }

    @Override
    public void close() {
        signals.shutdownNow();
        sse.shutdownNow();
        jobs.shutdownNow();
        try {
            fleet.close();
        } finally {
            if (app != null) {
                app.stop();
            }
        }
    }
}
