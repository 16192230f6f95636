package io.gyrosentinel.cli;

import io.gyrosentinel.recording.SessionLabel;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.gyrosentinel.training.ModelBench;
import io.gyrosentinel.training.ModelBench.Candidate;
import io.gyrosentinel.training.ModelFamily;
import io.gyrosentinel.training.Sessions;
import io.gyrosentinel.training.TimeSeries;
import me.tongfei.progressbar.ProgressBar;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;

@Command(name = "bench", mixinStandardHelpOptions = true,
        description = {"Train every model family on the same data, measure detection and device cost, and choose.",
                "Each candidate is trained, scored on held-out normal data and on anomalies (your recordings, or "
                        + "synthetic faults), packaged for TensorFlow Lite Micro (verified) and costed at --odr. Rule: "
                        + "among the candidates within " + ModelBench.AUC_TOLERANCE + " ROC-AUC of the best, the one "
                        + "that costs the device least (ties: higher F1, then fewer false alarms). Writes every "
                        + "candidate's model directory and bundle, and DIR/best + DIR/best.gsb."})
final class BenchCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = "--data", required = true, arity = "1..*", description = "Normal recordings (.gsr) to train on")
    List<Path> data;

    @Option(names = "--validation", arity = "1..*", description = "Held-out normal recordings: the first half of each "
            + "calibrates the thresholds, the second half tests (default: the last 40 %% of each --data session)")
    List<Path> validation = new ArrayList<>();

    @Option(names = "--anomalous", arity = "1..*", description = "Recordings of faults (default: the stretches of --data "
            + "labelled anomalous, else synthetic anomalies)")
    List<Path> anomalous = new ArrayList<>();

    @Option(names = "--families", split = ",", description = "Families to try (default: all): lstm-ae, dense-ae, conv-ae, "
            + "features-mahalanobis, features-pca")
    List<String> families = new ArrayList<>();

    @Option(names = "--window", defaultValue = "40", description = "Window length of every candidate (default: ${DEFAULT-VALUE})")
    int window;

    @Option(names = "--stride", description = "Window stride for training and scoring (default: window / 4)")
    Integer stride;

    @Option(names = "--odr", description = "The device's sample rate for the cost (default: the data's)")
    Double odr;

    @Option(names = "--budget", converter = Durations.class, defaultValue = "10m",
            description = "Longest training of one candidate, e.g. 2m (default: ${DEFAULT-VALUE}); longer ones are skipped")
    Duration budget;

    @Option(names = "--epochs", defaultValue = "60", description = "Epoch cap of the autoencoders (default: ${DEFAULT-VALUE})")
    int epochs;

    @Option(names = "--remove-dc", description = "Every candidate without the window mean (static offset): the "
            + "autoencoders subtract it, the feature families leave it out")
    boolean removeDc;

    @Option(names = "--seed", defaultValue = "1", description = "Seed (default: ${DEFAULT-VALUE})")
    long seed;

    @Option(names = "--quantile", description = "Threshold = this quantile of calibration scores (default 0.99)")
    Double quantile;

    @Option(names = "--out", required = true, description = "Directory for every candidate (must be new or empty)")
    Path out;

    @Option(names = "--json", description = "Write the results as JSON")
    Path json;

    @Option(names = "--report", description = "Write an HTML report with the detection/cost trade-off chart")
    Path report;

    @Override
    public Integer call() throws Exception {
        PrintWriter pw = spec.commandLine().getOut();
        if (Files.exists(out)) {
            boolean empty = Files.isDirectory(out);
            if (empty) {
                try (var entries = Files.list(out)) {
                    empty = entries.findAny().isEmpty();
                }
            }
            if (!empty) {
                throw new IllegalArgumentException("--out " + out + " exists and is not an empty directory; choose a "
                        + "new one");
            }
        }
        List<TimeSeries> all = Sessions.read(data);
        Sessions.NormalParts parts = Sessions.normalParts(all);
        List<TimeSeries> normal = Sessions.usable(parts.series(), window, "bench training").series();
        List<TimeSeries> val = validation.isEmpty() ? List.of()
                : Sessions.usable(Sessions.normalParts(Sessions.read(validation)).series(), window, "bench validation")
                        .series();
        List<TimeSeries> anom = anomalous.isEmpty() ? List.of()
                : Sessions.read(anomalous, SessionLabel.ANOMALOUS);
        if (anomalous.isEmpty() && parts.anomalousSamplesLeftOut() > 0) {
            // labelled logs: their anomalous stretches are the faults (only the windows the labels mark are scored)
            anom = all.stream().filter(s -> s.sampleLabels().isPresent() || s.label() == SessionLabel.ANOMALOUS)
                    .filter(s -> s.length() >= window).toList();
            pw.printf("anomalies: the %d samples labelled anomalous in --data%n", parts.anomalousSamplesLeftOut());
        }
        ModelBench.Builder b = ModelBench.builder().windowLength(window).budget(budget).lstmEpochs(epochs)
                .removeDc(removeDc).seed(seed);
        if (!families.isEmpty()) {
            b.families(families.stream().map(ModelFamily::of).toList());
        }
        if (stride != null) {
            b.stride(stride);
        }
        if (odr != null) {
            b.sampleRateHz(odr);
        }
        if (quantile != null) {
            b.thresholdPolicy(io.gyrosentinel.training.ThresholdPolicy.quantile(quantile));
        }
        ModelBench.Result r;
        try (ProgressBar bar = Progress.bar("bench", 1, "candidates")) {
            b.listener(new ModelBench.Listener() {
                @Override
                public void started(String candidate, int index, int of) {
                    bar.maxHint(of);
                    bar.stepTo(index);
                    bar.setExtraMessage(" training " + candidate);
                }

                @Override
                public void finished(Candidate c) {
                    bar.step();
                }

                @Override
                public void skipped(String candidate, String why) {
                    bar.step();
                    System.err.printf("%s skipped: %s%n", candidate, why);
                }
            });
            r = b.build().run(normal, val, anom);
        }
        Files.createDirectories(out);
        for (Candidate c : r.candidates()) {
            c.model().save(out.resolve(c.name()));
            if (c.bundle() != null) {
                c.bundle().bundle().write(out.resolve(c.name() + ".gsb"));
            }
        }
        r.chosen().model().save(out.resolve("best"));
        if (r.chosen().bundle() != null) {
            r.chosen().bundle().bundle().write(out.resolve("best.gsb"));
        }
        pw.printf(Locale.ROOT, "held-out: %d normal windows, %d anomalous (%s); device cost at %.0f Hz%n",
                r.normalTestWindows(), r.anomalousTestWindows(), r.anomalies(), r.sampleRateHz());
        pw.printf("%-26s %7s %7s %7s %7s %7s %9s %7s %8s %8s %8s%n", "candidate", "ROC-AUC", "PR-AUC", "F1", "FAR",
                "MAR", "us/sample", "core %", "flash B", "arena B", "train s");
        for (Candidate c : r.candidates()) {
            var e = c.evaluation();
            String mark = (c.chosen() ? " <- chosen" : "") + (c.onPareto() ? " (Pareto)" : "")
                    + (c.bundle() == null ? " (not packaged: " + brief(c.packagingError()) + ")" : "");
            pw.printf(Locale.ROOT, "%-26s %7.4f %7.4f %7.4f %7.4f %7.4f %9.1f %7.2f %8d %8d %8.1f%s%n", c.name(),
                    e.rocAuc(), e.prAuc(), e.f1(), e.falseAlarmRate(), e.missedAlarmRate(), c.usPerSample(),
                    100 * c.coreShare(), c.flashBytes(), c.arenaBytes(), c.trainSeconds(), mark);
        }
        pw.printf("chosen: %s (%s); model %s, bundle %s%n", r.chosen().name(), r.chosen().family().id(),
                out.resolve("best"), r.chosen().bundle() != null ? out.resolve("best.gsb") : "(none)");
        if (json != null) {
            io.gyrosentinel.io.AtomicFiles.write(json, new ObjectMapper()
                    .enable(SerializationFeature.INDENT_OUTPUT).writeValueAsBytes(toJson(r)));
            pw.printf("results written to %s%n", json);
        }
        if (report != null) {
            List<Map<String, Object>> points = new ArrayList<>();
            for (Candidate c : r.candidates()) {
                Map<String, Object> p = new LinkedHashMap<>();
                p.put("name", c.name());
                p.put("x", c.usPerSample());
                p.put("y", c.evaluation().rocAuc());
                p.put("pareto", c.onPareto());
                p.put("chosen", c.chosen());
                points.add(p);
            }
            Map<String, Object> chosen = new LinkedHashMap<>();
            var e = r.chosen().evaluation();
            chosen.put("candidate", r.chosen().name());
            chosen.put("ROC-AUC", e.rocAuc());
            chosen.put("F1", e.f1());
            chosen.put("false alarms", e.falseAlarmRate());
            chosen.put("µs/sample", r.chosen().usPerSample());
            chosen.put("rule", "within " + ModelBench.AUC_TOLERANCE + " ROC-AUC of the best, the lowest device cost");
            new io.gyrosentinel.cli.report.HtmlReport("GyroSentinel bench")
                    .summary(r.candidates().size() + " candidates on " + r.normalTestWindows() + " held-out normal and "
                            + r.anomalousTestWindows() + " anomalous windows (" + r.anomalies() + ")")
                    .tradeoff(points, "device µs per sample at " + Math.round(r.sampleRateHz()) + " Hz", "ROC-AUC")
                    .table("chosen", "Chosen", chosen).write(report);
            pw.printf("report written to %s%n", report);
        }
        return 0;
    }

    /** The first clause of a packaging error, for the table (the JSON keeps all of it). */
    static String brief(String message) {
        if (message == null) {
            return "";
        }
        int cut = message.indexOf("; ");
        String s = cut > 0 ? message.substring(0, cut) : message;
        return s.length() > 160 ? s.substring(0, 157) + "..." : s;
    }

    static Map<String, Object> toJson(ModelBench.Result r) {
        List<Map<String, Object>> cands = new ArrayList<>();
        for (Candidate c : r.candidates()) {
            var e = c.evaluation();
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("family", c.family().id());
            m.put("candidate", c.name());
            m.put("roc_auc", e.rocAuc());
            m.put("pr_auc", e.prAuc());
            m.put("f1", e.f1());
            m.put("far", e.falseAlarmRate());
            m.put("mar", e.missedAlarmRate());
            m.put("us_per_sample", c.usPerSample());
            m.put("core_share", c.coreShare());
            m.put("flash_bytes", c.flashBytes());
            m.put("arena_bytes", c.arenaBytes());
            m.put("train_seconds", c.trainSeconds());
            m.put("pareto", c.onPareto());
            m.put("chosen", c.chosen());
            if (c.packagingError() != null) {
                m.put("packaging_error", c.packagingError());
            }
            cands.add(m);
        }
        Map<String, Object> root = new LinkedHashMap<>();
        root.put("candidates", cands);
        root.put("chosen", r.chosen().family().id());
        root.put("chosen_candidate", r.chosen().name());
        root.put("rule", "among candidates within " + ModelBench.AUC_TOLERANCE + " ROC-AUC of the best, the lowest "
                + "us_per_sample; ties: higher f1, then lower far");
        root.put("anomalies", r.anomalies());
        root.put("normal_test_windows", r.normalTestWindows());
        root.put("anomalous_test_windows", r.anomalousTestWindows());
        root.put("odr_hz", r.sampleRateHz());
        return root;
    }
}
