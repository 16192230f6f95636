package io.gyrosentinel.cli.report;

import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A self-contained HTML report (opens offline: Chart.js is inlined from its WebJar, no CDN):
 * signals per axis, reconstruction error over time with the threshold and detected events, ROC
 * curve, training loss curves, the cost card and the deployment result. When the page has drawn
 * its charts it sets {@code <body data-charts="N">}, which the rendering test checks in headless
 * Chromium.
 */
public final class HtmlReport {
    static final String CHART_JS = "/META-INF/resources/webjars/chart.js/4.4.1/dist/chart.umd.js";

    private final Map<String, Object> data = new LinkedHashMap<>();

    public HtmlReport(String title) {
        data.put("title", title);
        data.put("generated", java.time.ZonedDateTime.now().withNano(0).toString());
    }

    /** Signals: one series per channel, in physical units, decimated to at most {@code maxPoints}. */
    public HtmlReport signals(List<String> names, String unit, double rateHz, float[] interleaved, int maxPoints,
                              double faultAtSeconds) {
        int ch = names.size();
        int n = interleaved.length / ch;
        int step = Math.max(1, n / maxPoints);
        List<Map<String, Object>> series = new ArrayList<>();
        for (int c = 0; c < ch; c++) {
            List<double[]> pts = new ArrayList<>();
            for (int i = 0; i < n; i += step) {
                pts.add(new double[] {round(i / rateHz), round(interleaved[i * ch + c])});
            }
            series.add(Map.of("name", names.get(c), "points", pts));
        }
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("unit", unit);
        m.put("series", series);
        m.put("faultAt", nanToNull(faultAtSeconds)); // null when there was no fault
        data.put("signals", m);
        return this;
    }

    /**
     * Reconstruction error over time.
     *
     * @param events pairs of (start, end) seconds of detected anomaly events
     */
    public HtmlReport scores(double[] timesSeconds, double[] scores, double threshold, List<double[]> events,
                             double faultAtSeconds, String source) {
        List<double[]> pts = new ArrayList<>();
        for (int i = 0; i < scores.length; i++) {
            pts.add(new double[] {round(timesSeconds[i]), scores[i]});
        }
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("points", pts);
        m.put("threshold", threshold);
        m.put("events", events);
        m.put("faultAt", nanToNull(faultAtSeconds));
        m.put("source", source);
        data.put("scores", m);
        return this;
    }

    /** ROC curve from scores and ground truth; also stores the AUC. */
    public HtmlReport roc(double[] scores, boolean[] anomalous, double auc) {
        Integer[] idx = new Integer[scores.length];
        for (int i = 0; i < idx.length; i++) {
            idx[i] = i;
        }
        Arrays.sort(idx, (a, b) -> Double.compare(scores[b], scores[a]));
        long pos = 0;
        for (boolean b : anomalous) {
            pos += b ? 1 : 0;
        }
        long neg = anomalous.length - pos;
        List<double[]> pts = new ArrayList<>();
        pts.add(new double[] {0, 0});
        long tp = 0;
        long fp = 0;
        for (int k = 0; k < idx.length; k++) {
            if (anomalous[idx[k]]) {
                tp++;
            } else {
                fp++;
            }
            if (k == idx.length - 1 || scores[idx[k + 1]] != scores[idx[k]]) {
                pts.add(new double[] {neg == 0 ? 0 : round4((double) fp / neg), pos == 0 ? 0 : round4((double) tp / pos)});
            }
        }
        data.put("roc", Map.of("points", thin(pts, 400), "auc", auc));
        return this;
    }

    /**
     * A detection-vs-cost scatter (the bench): each point a map with {@code name}, {@code x} (cost), {@code y}
     * (detection), {@code pareto} and {@code chosen}.
     */
    public HtmlReport tradeoff(List<Map<String, Object>> points, String xLabel, String yLabel) {
        List<Map<String, Object>> clean = new ArrayList<>();
        for (Map<String, Object> p : points) {
            Map<String, Object> c = new LinkedHashMap<>(p);
            c.replaceAll((k, v) -> v instanceof Double d && !Double.isFinite(d) ? null : v);
            clean.add(c);
        }
        data.put("tradeoff", Map.of("points", clean, "x", xLabel, "y", yLabel));
        return this;
    }

    /** Training and validation loss per epoch. */
    public HtmlReport losses(List<double[]> epochTrainVal) {
        data.put("losses", epochTrainVal);
        return this;
    }

    /** A table section (cost card, metrics, deployment result). */
    public HtmlReport table(String key, String title, Map<String, ?> rows) {
        @SuppressWarnings("unchecked")
        List<Map<String, Object>> tables = (List<Map<String, Object>>) data.computeIfAbsent("tables", k -> new ArrayList<>());
        tables.add(Map.of("key", key, "title", title, "rows", rows));
        return this;
    }

    /** Free text shown under the title. */
    public HtmlReport summary(String text) {
        data.put("summary", text);
        return this;
    }

    /** Writes the report atomically. */
    public void write(Path file) throws IOException {
        String chartJs;
        try (InputStream in = HtmlReport.class.getResourceAsStream(CHART_JS)) {
            if (in == null) {
                throw new IOException("Chart.js is missing from the class path (" + CHART_JS + ")");
            }
            chartJs = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
        String template;
        try (InputStream in = HtmlReport.class.getResourceAsStream("report-template.html")) {
            template = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
        String json = new ObjectMapper().writeValueAsString(data).replace("</", "<\\/");
        String title = String.valueOf(data.get("title")).replace("&", "&amp;").replace("<", "&lt;");
        String html = template.replace("{{TITLE}}", title).replace("/*{{CHARTJS}}*/", chartJs.replace("</script", "<\\/script"))
                .replace("/*{{DATA}}*/null", json);
        io.gyrosentinel.io.AtomicFiles.write(file, html.getBytes(StandardCharsets.UTF_8));
    }

    private static List<double[]> thin(List<double[]> pts, int max) {
        if (pts.size() <= max) {
            return pts;
        }
        List<double[]> out = new ArrayList<>();
        double step = (pts.size() - 1) / (double) (max - 1);
        for (int i = 0; i < max; i++) {
            out.add(pts.get((int) Math.round(i * step)));
        }
        return out;
    }

    private static Object nanToNull(double v) {
        return Double.isNaN(v) ? null : v;
    }

    private static double round(double v) {
        return Math.round(v * 1e4) / 1e4;
    }

    private static double round4(double v) {
        return Math.round(v * 1e4) / 1e4;
    }
}
