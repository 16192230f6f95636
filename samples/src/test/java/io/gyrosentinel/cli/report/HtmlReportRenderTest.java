package io.gyrosentinel.cli.report;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The report opens offline and draws its charts in a real browser (Debian's headless Chromium). */
public class HtmlReportRenderTest {
    @TempDir
    Path dir;

    static HtmlReport sample() {
        int n = 2000;
        float[] sig = new float[n * 3];
        for (int i = 0; i < n; i++) {
            for (int c = 0; c < 3; c++) {
                sig[i * 3 + c] = (float) Math.sin(2 * Math.PI * 25 * i / 960.0 + c);
            }
        }
        double[] t = new double[100];
        double[] s = new double[100];
        boolean[] lab = new boolean[100];
        for (int i = 0; i < 100; i++) {
            t[i] = i * 0.02;
            lab[i] = i >= 50;
            s[i] = (lab[i] ? 0.3 : 0.05) + 0.02 * Math.sin(i);
        }
        List<double[]> losses = new ArrayList<>();
        for (int e = 1; e <= 20; e++) {
            losses.add(new double[] {e, 1.0 / e, 1.2 / e});
        }
        Map<String, Object> cost = new LinkedHashMap<>();
        cost.put("MACs per sample", 1234);
        cost.put("verdict", "keeps up at 3840 Hz");
        return new HtmlReport("Test report").summary("A test.")
                .signals(List.of("x", "y", "z"), "dps", 960, sig, 1000, 1.0)
                .scores(t, s, 0.15, List.of(new double[] {1.0, 2.0}), 1.0, "device")
                .roc(s, lab, 1.0).losses(losses).table("cost", "Cost card", cost)
                .tradeoff(List.of(point("lstm-ae", 61.2, 0.99, false), point("features-pca-b8", 11.6, 0.995, true)),
                        "µs per sample", "ROC-AUC");
    }

    private static Map<String, Object> point(String name, double x, double y, boolean chosen) {
        Map<String, Object> p = new LinkedHashMap<>();
        p.put("name", name);
        p.put("x", x);
        p.put("y", y);
        p.put("pareto", true);
        p.put("chosen", chosen);
        return p;
    }

    static Path chromium() {
        for (String p : new String[] {"/usr/bin/chromium", "/usr/bin/chromium-browser", "/usr/bin/google-chrome"}) {
            if (Files.isExecutable(Path.of(p))) {
                return Path.of(p);
            }
        }
        throw new AssertionError("headless Chromium is needed to check the report renders: "
                + "apt-get install chromium (scripts/install-deps.sh does it)");
    }

    /** Loads the page in headless Chromium with no network and returns the DOM after its scripts ran. */
    public static String render(Path html, Path profile) throws Exception {
        Process p = new ProcessBuilder(chromium().toString(), "--headless", "--no-sandbox", "--disable-gpu",
                "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update",
                "--disable-sync", "--user-data-dir=" + profile, "--virtual-time-budget=10000",
                "--proxy-server=127.0.0.1:9", "--dump-dom", html.toUri().toString())
                .redirectError(ProcessBuilder.Redirect.DISCARD).start();
        byte[] out = p.getInputStream().readAllBytes();
        assertTrue(p.waitFor(120, TimeUnit.SECONDS), "chromium did not finish");
        return new String(out, StandardCharsets.UTF_8);
    }

    @Test
    @Timeout(180)
    void theReportIsSelfContainedAndDrawsAllItsCharts() throws Exception {
        Path html = dir.resolve("report.html");
        sample().write(html);
        String src = Files.readString(html);
        assertFalse(src.matches("(?s).*<script[^>]+src=.*"), "no external scripts");
        assertFalse(src.contains("cdn."), "no CDN");
        assertTrue(src.contains("Chart.js v4.4.1") || src.contains("Chart.js"), "Chart.js is inlined");
        String dom = render(html, dir.resolve("profile"));
        assertTrue(dom.contains("data-charts=\"5\""), "five charts drawn: " + dom.substring(0, Math.min(300, dom.length())));
        assertTrue(dom.contains("keeps up at 3840 Hz"), "the cost card table is there");
        assertEquals(5, dom.split("<canvas", -1).length - 1);
    }
}
