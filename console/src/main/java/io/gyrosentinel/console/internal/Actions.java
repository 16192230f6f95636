package io.gyrosentinel.console.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.gyrosentinel.client.DeployResult;
import io.gyrosentinel.client.DeviceWatch;
import io.gyrosentinel.model.ModelBundle;
import io.gyrosentinel.model.ModelStatus;
import io.gyrosentinel.recording.RecordingWriter;
import io.gyrosentinel.recording.SessionLabel;
import io.gyrosentinel.stream.GyroStream;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ExecutorService;
import java.util.stream.Stream;

/**
 * What people start from the console on a device — deploy a bundle, roll back, record — run as background jobs
 * whose outcome is stored, audited and pushed to the pages; and the models page's data (the bundle directory, where
 * each model runs, the deployments).
 */
final class Actions {
    private final Store store;
    private final Fleet fleet;
    private final Path bundles;
    private final Path recordings;
    private final ExecutorService jobs;

    Actions(Store store, Fleet fleet, Path bundles, Path recordings, ExecutorService jobs) {
        this.store = store;
        this.fleet = fleet;
        this.bundles = bundles;
        this.recordings = recordings;
        this.jobs = jobs;
    }

    DeviceWatch device(String id) {
        DeviceWatch w = fleet.watch(id);
        if (w == null) {
            throw new NoSuchElementException("no device '" + id + "'");
        }
        if (!w.hasClient()) {
            throw new IllegalStateException("device '" + id + "' is followed through its MQTT fleet's results and "
                    + "events: the console has no connection to send it requests");
        }
        return w;
    }

    /** Thrown for a device or bundle that is not there (404). */
    static final class NoSuchElementException extends RuntimeException {
        NoSuchElementException(String message) {
            super(message);
        }
    }

    /** The bundle file named {@code name} in the bundle directory, refusing any other path. */
    Path bundle(String name) {
        if (bundles == null) {
            throw new IllegalArgumentException("this console has no bundle directory (serve --bundles DIR)");
        }
        if (name == null || !name.matches("[A-Za-z0-9._-]{1,200}\\.gsb") || name.startsWith(".")) {
            throw new IllegalArgumentException("bundle: a .gsb file name in the bundle directory, not '" + name + "'");
        }
        Path p = bundles.resolve(name);
        if (!Files.isRegularFile(p)) {
            throw new NoSuchElementException("no bundle '" + name + "' in " + bundles);
        }
        return p;
    }

    ObjectNode deploy(String id, String bundleName, String actor) {
        DeviceWatch w = device(id);
        Path p = bundle(bundleName);
        ModelBundle b = ModelBundle.read(p);
        jobs.submit(() -> {
            ObjectNode r = Fleet.JSON.createObjectNode().put("device", id).put("action", "deploy")
                    .put("bundle", bundleName).put("by", actor);
            try {
                DeployResult d = w.client().deploy(b);
                w.modelChanged(d.modelId());
                store.addDeployment(new Store.Deployment(0, id, "deploy", bundleName, d.modelId(), d.sha256(),
                        d.slot(), true, "active: " + d.activated(), actor, null));
                r.put("ok", true).put("model", d.modelId()).put("slot", d.slot()).put("activated", d.activated());
            } catch (RuntimeException e) {
                store.addDeployment(new Store.Deployment(0, id, "deploy", bundleName, b.modelId(),
                        b.payloadSha256Hex(), null, false, String.valueOf(e.getMessage()), actor, null));
                r.put("ok", false).put("error", String.valueOf(e.getMessage()));
            }
            fleet.push("deployment", r.toString());
        });
        return Fleet.JSON.createObjectNode().put("device", id).put("deploying", bundleName);
    }

    ObjectNode rollback(String id, String actor) {
        DeviceWatch w = device(id);
        jobs.submit(() -> {
            ObjectNode r = Fleet.JSON.createObjectNode().put("device", id).put("action", "rollback").put("by", actor);
            try {
                ModelStatus s = w.client().rollbackModel();
                String model = s.active().map(io.gyrosentinel.ModelSlotInfo::modelId).orElse("");
                w.modelChanged(model);
                store.addDeployment(new Store.Deployment(0, id, "rollback", null, model, null, s.activeSlot(), true,
                        null, actor, null));
                r.put("ok", true).put("model", model).put("slot", s.activeSlot());
            } catch (RuntimeException e) {
                store.addDeployment(new Store.Deployment(0, id, "rollback", null, null, null, null, false,
                        String.valueOf(e.getMessage()), actor, null));
                r.put("ok", false).put("error", String.valueOf(e.getMessage()));
            }
            fleet.push("deployment", r.toString());
        });
        return Fleet.JSON.createObjectNode().put("device", id).put("rollingBack", true);
    }

    ObjectNode record(String id, double seconds, SessionLabel label, String actor) {
        device(id);
        GyroStream stream = fleet.stream(id);
        if (stream == null) {
            throw new IllegalArgumentException("device '" + id + "' is followed without its stream: nothing to record");
        }
        if (!(seconds >= 1 && seconds <= 3600)) {
            throw new IllegalArgumentException("seconds: 1..3600, not " + seconds);
        }
        OffsetDateTime start = OffsetDateTime.now(ZoneOffset.UTC);
        Path target = recordings.resolve(id).resolve("rec-" + start.format(DateTimeFormatter.ofPattern(
                "yyyyMMdd-HHmmss", Locale.ROOT)) + "-" + label.name().toLowerCase(Locale.ROOT) + ".gsr");
        jobs.submit(() -> {
            ObjectNode r = Fleet.JSON.createObjectNode().put("device", id).put("by", actor);
            RecordingWriter w = null;
            try {
                Files.createDirectories(target.getParent());
                w = RecordingWriter.create(target, RecordingWriter.deviceSession(label, id, stream.config(),
                        "console:" + actor), stream.config(), fleet.watch(id).client().info());
                try (AutoCloseable feed = stream.collectTo(w)) {
                    Thread.sleep((long) (seconds * 1000));
                }
                long samples = w.samples();
                long gaps = w.gaps();
                w.close();
                store.addRecording(new Store.RecordingRow(0, id, target.toString(), label.name(), start, seconds,
                        samples, gaps, actor));
                r.put("ok", true).put("path", target.toString()).put("samples", samples).put("gaps", gaps);
            } catch (Exception e) {
                if (w != null) {
                    w.abort();
                }
                if (e instanceof InterruptedException) {
                    Thread.currentThread().interrupt();
                }
                r.put("ok", false).put("error", String.valueOf(e.getMessage()));
            }
            fleet.push("recording", r.toString());
        });
        return Fleet.JSON.createObjectNode().put("device", id).put("recording", seconds);
    }

    /** The models page: bundles in the directory (manifest, verification), where models run, deployments. */
    ObjectNode models() throws IOException {
        ObjectNode o = Fleet.JSON.createObjectNode();
        o.put("directory", bundles == null ? null : bundles.toString());
        ArrayNode list = o.putArray("bundles");
        if (bundles != null && Files.isDirectory(bundles)) {
            List<Path> files;
            try (Stream<Path> s = Files.list(bundles)) {
                files = s.filter(p -> p.getFileName().toString().endsWith(ModelBundle.EXTENSION)).sorted().toList();
            }
            for (Path p : files) {
                ObjectNode b = list.addObject().put("file", p.getFileName().toString());
                try {
                    ModelBundle m = ModelBundle.read(p);
                    b.put("modelId", m.modelId()).put("size", m.payloadSize()).put("signed", m.isSigned())
                            .put("sha256", m.payloadSha256Hex());
                    JsonNode manifest = Fleet.JSON.readTree(m.manifestJson());
                    b.set("manifest", manifest);
                    if (manifest.path("quantization").isTextual()) {
                        fleet.precisions.put(m.modelId(), manifest.path("quantization").asText());
                    }
                    if (m.parts().containsKey("report.json")) {
                        JsonNode report = Fleet.JSON.readTree(m.part("report.json"));
                        b.set("report", report);
                    }
                } catch (RuntimeException e) {
                    b.put("error", String.valueOf(e.getMessage()));
                }
            }
        }
        ArrayNode running = o.putArray("running");
        for (DeviceWatch.State s : fleet.states()) {
            running.addObject().put("device", s.deviceId()).put("model", s.modelId()).put("online", s.online());
        }
        o.set("deployments", deploymentsJson(null));
        return o;
    }

    ArrayNode deploymentsJson(String deviceId) {
        ArrayNode arr = Fleet.JSON.createArrayNode();
        for (Store.Deployment d : store.deployments(deviceId, 100)) {
            arr.addObject().put("device", d.deviceId()).put("action", d.action()).put("bundle", d.bundle())
                    .put("model", d.modelId()).put("ok", d.ok()).put("detail", d.detail()).put("by", d.actor())
                    .put("at", d.at().toString());
        }
        return arr;
    }

    ArrayNode recordingsJson(String deviceId) {
        ArrayNode arr = Fleet.JSON.createArrayNode();
        for (Store.RecordingRow r : store.recordings(deviceId, 100)) {
            arr.addObject().put("device", r.deviceId()).put("file", Path.of(r.path()).getFileName().toString())
                    .put("label", r.label().toLowerCase(Locale.ROOT)).put("startedAt", r.startedAt().toString())
                    .put("seconds", r.seconds()).put("samples", r.samples()).put("gaps", r.gaps()).put("by", r.actor());
        }
        return arr;
    }
}
