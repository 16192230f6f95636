package io.gyrosentinel.cli;

import io.gyrosentinel.recording.SessionLabel;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.gyrosentinel.training.EvaluationReport;
import io.gyrosentinel.training.PointMetrics;
import io.gyrosentinel.training.Sessions;
import io.gyrosentinel.training.TimeSeries;
import io.gyrosentinel.training.AnomalyModel;
import io.gyrosentinel.training.TrainedModel;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;

@Command(name = "evaluate", mixinStandardHelpOptions = true,
        description = "Evaluate a model on normal and anomalous sessions: ROC-AUC, PR-AUC, precision, recall, F1, "
                + "false and missed alarm rates at the model's threshold.")
final class EvaluateCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = "--model", required = true, description = "Model directory (from train)")
    Path model;

    @Option(names = "--normal", arity = "1..*", description = "Normal recordings")
    List<Path> normal = new ArrayList<>();

    @Option(names = "--anomalous", arity = "1..*", description = "Anomalous recordings")
    List<Path> anomalous = new ArrayList<>();

    @Option(names = "--data", arity = "1..*", description = "Recordings with per-row labels (label runs, e.g. from "
            + "import --label-column): window metrics and point-wise F1 / FAR / MAR")
    List<Path> labelled = new ArrayList<>();

    @Option(names = "--stride", description = "Window stride for scoring (default: the model's)")
    Integer stride;

    @Option(names = "--json", description = "Write the metrics as JSON")
    Path json;

    @Option(names = "--scores", description = "Write per-window scores as CSV")
    Path scores;

    @Option(names = "--report", description = "Write an HTML report (ROC curve, training loss, metrics; opens offline)")
    Path report;

    @Override
    public Integer call() throws Exception {
        if (normal.isEmpty() && anomalous.isEmpty() && labelled.isEmpty()) {
            throw new IllegalArgumentException("give --normal and --anomalous recordings (or --data with per-sample labels)");
        }
        AnomalyModel m = AnomalyModel.load(model);
        List<TimeSeries> series = new ArrayList<>();
        series.addAll(Sessions.read(normal, SessionLabel.NORMAL));
        series.addAll(Sessions.read(anomalous, SessionLabel.ANOMALOUS));
        series.addAll(Sessions.read(labelled));
        var pw = spec.commandLine().getOut();
        Sessions.Usable usable = Sessions.usable(series, m.windowLength(), "evaluation");
        if (usable.series().size() < series.size()) {
            pw.printf("evaluation data: %s%n", usable.summary());
        }
        EvaluationReport r = stride == null ? m.evaluate(series) : m.evaluate(series, stride);
        pw.printf(Locale.ROOT, "windows: %d (%d anomalous)%n", r.windows().size(),
                r.windows().stream().filter(w -> w.anomalous()).count());
        pw.printf(Locale.ROOT, "ROC-AUC %.4f  PR-AUC %.4f%n", r.rocAuc(), r.prAuc());
        pw.printf(Locale.ROOT, "at threshold %.5f: precision %.4f  recall %.4f  F1 %.4f  false alarms %.4f  missed %.4f%n",
                r.threshold(), r.precision(), r.recall(), r.f1(), r.falseAlarmRate(), r.missedAlarmRate());
        pw.printf("confusion: %s%n", r.confusion());
        Map<String, Object> shares = channelShares(m, series, r);
        if (!shares.isEmpty()) {
            pw.printf("which channel: mean share of the score on %s%n", shares.entrySet().stream()
                    .map(e -> e.getKey() + " " + e.getValue()).collect(java.util.stream.Collectors.joining("; ")));
        }
        PointMetrics points = null;
        if (!labelled.isEmpty()) {
            // per-row labels: also point-wise, each sample judged by the window that ends on it
            points = m.evaluatePoints(series);
            pw.printf(Locale.ROOT, "point-wise (a sample is flagged when the window ending on it is): %d samples "
                    + "scored, %d unscored (the first %d of each segment); F1 %.4f  false alarms %.4f  missed %.4f  "
                    + "(tp %d fp %d tn %d fn %d)%n", points.points(), points.unscored(),
                    m.windowLength() - 1, points.f1(), points.falseAlarmRate(),
                    points.missedAlarmRate(), points.truePositives(), points.falsePositives(), points.trueNegatives(),
                    points.falseNegatives());
        }
        if (json != null) {
            writeJson(r, points, json);
            pw.printf("metrics written to %s%n", json);
        }
        if (scores != null) {
            r.writeCsv(scores);
            pw.printf("window scores written to %s%n", scores);
        }
        if (report != null) {
            double[] s = new double[r.windows().size()];
            boolean[] l = new boolean[s.length];
            double[] t = new double[s.length];
            for (int i = 0; i < s.length; i++) {
                s[i] = r.windows().get(i).score();
                l[i] = r.windows().get(i).anomalous();
                t[i] = i;
            }
            java.util.List<double[]> losses = new java.util.ArrayList<>();
            if (m instanceof TrainedModel tm && tm.history() != null) {
                tm.history().epochs().forEach(e -> losses.add(new double[] {e.epoch(), e.trainLoss(), e.validationLoss()}));
            }
            Map<String, Object> metrics = new LinkedHashMap<>(metrics(r));
            metrics.remove("confusion");
            metrics.put("confusion (tp fp tn fn)", r.confusion().truePositives() + " " + r.confusion().falsePositives() + " "
                    + r.confusion().trueNegatives() + " " + r.confusion().falseNegatives());
            new io.gyrosentinel.cli.report.HtmlReport("GyroSentinel evaluation: " + model.getFileName())
                    .summary("Model " + model + " evaluated on " + (normal.size() + anomalous.size() + labelled.size())
                            + " recording(s). Scores are in window order (normal sessions first).")
                    .scores(t, s, r.threshold(), java.util.List.of(), Double.NaN, "host scoring, window index")
                    .roc(s, l, r.rocAuc()).losses(losses).table("metrics", "Metrics at the model's threshold", metrics)
                    .table("channels", "Which channel: mean share of the score", shares)
                    .write(report);
            pw.printf("report written to %s%n", report);
        }
        return 0;
    }

    /**
     * Each channel's mean share of the score (AnomalyModel.channelScores, negative parts as 0) on the anomalous windows
     * and on the normal ones, from at most 500 windows of each, e.g. {"anomalous windows": "x 71 %, y 20 %, z 9 %"}.
     */
    static Map<String, Object> channelShares(AnomalyModel m, List<TimeSeries> series, EvaluationReport r) {
        Map<String, Object> out = new LinkedHashMap<>();
        int f = m.channels();
        if (f < 2) {
            return out;
        }
        for (boolean anomalous : new boolean[] {true, false}) {
            List<io.gyrosentinel.training.WindowScore> ws = r.windows().stream()
                    .filter(w -> w.anomalous() == anomalous && w.series() >= 0).toList();
            if (ws.isEmpty()) {
                continue;
            }
            double[] share = new double[f];
            int n = 0;
            int step = Math.max(1, ws.size() / 500);
            for (int i = 0; i < ws.size(); i += step) {
                var w = ws.get(i);
                float[] v = series.get(w.series()).samples();
                double[] s = MonitorCommand.shareOf(m.channelScores(java.util.Arrays.copyOfRange(v, w.start() * f,
                        w.end() * f)));
                if (s != null) {
                    for (int c = 0; c < f; c++) {
                        share[c] += s[c];
                    }
                    n++;
                }
            }
            if (n == 0) {
                continue;
            }
            StringBuilder sb = new StringBuilder();
            for (int c = 0; c < f; c++) {
                sb.append(c == 0 ? "" : ", ").append(MonitorCommand.channelName(c, f))
                        .append(String.format(Locale.ROOT, " %.0f %%", 100 * share[c] / n));
            }
            out.put((anomalous ? "anomalous" : "normal") + " windows", sb.toString());
        }
        return out;
    }

    static Map<String, Object> metrics(EvaluationReport r) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("roc_auc", r.rocAuc());
        m.put("pr_auc", r.prAuc());
        putRates(m, r.precision(), r.recall(), r.f1(), r.falseAlarmRate(), r.missedAlarmRate());
        m.put("threshold", r.threshold());
        m.put("windows", r.windows().size());
        m.put("confusion", confusion(r.confusion().truePositives(), r.confusion().falsePositives(),
                r.confusion().trueNegatives(), r.confusion().falseNegatives()));
        return m;
    }

    private static void putRates(Map<String, Object> m, double precision, double recall, double f1, double far,
            double mar) {
        m.put("precision", precision);
        m.put("recall", recall);
        m.put("f1", f1);
        m.put("far", far);
        m.put("mar", mar);
    }

    private static Map<String, Long> confusion(long tp, long fp, long tn, long fn) {
        return Map.of("tp", tp, "fp", fp, "tn", tn, "fn", fn);
    }

    static void writeJson(EvaluationReport r, Path file) throws java.io.IOException {
        writeJson(r, null, file);
    }

    static void writeJson(EvaluationReport r, PointMetrics p, Path file) throws java.io.IOException {
        Map<String, Object> m = metrics(r);
        if (p != null) {
            Map<String, Object> pm = new LinkedHashMap<>();
            pm.put("definition", "a sample is flagged when the window ending on it is above the threshold; the first "
                    + "window-1 samples of each segment are unscored");
            pm.put("points", p.points());
            pm.put("unscored", p.unscored());
            putRates(pm, p.precision(), p.recall(), p.f1(), p.falseAlarmRate(), p.missedAlarmRate());
            pm.put("confusion", confusion(p.truePositives(), p.falsePositives(), p.trueNegatives(), p.falseNegatives()));
            m.put("pointwise", pm);
        }
        io.gyrosentinel.io.AtomicFiles.write(file,
                new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValueAsBytes(m));
    }
}
