package io.gyrosentinel.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.gyrosentinel.client.DeviceClient;
import io.gyrosentinel.InferenceResult;
import io.gyrosentinel.model.ModelBundle;
import io.gyrosentinel.sim.Fault;
import io.gyrosentinel.sim.MachineModel;
import io.gyrosentinel.sim.VirtualDevice;
import io.gyrosentinel.stream.GyroStream;
import io.gyrosentinel.client.StreamOptions;
import io.gyrosentinel.cli.report.HtmlReportRenderTest;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Flow;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code gyrosentinel bench} on recordings of the simulated fan (normal, and a subtle +20 % imbalance), every
 * family, then the chosen statistical model deployed to the VirtualDevice, which scores with it as the firmware does.
 */
@Timeout(600)
class BenchCliTest {
    @TempDir
    static Path dir;

    static CliTest.Run cli(String... args) {
        CliTest.Run r = CliTest.cli(args);
        System.out.println("$ gyrosentinel " + String.join(" ", args) + "\n" + r.out() + r.err());
        return r;
    }

    @BeforeAll
    static void record() {
        for (String[] s : new String[][] {{"n1", "seed=1", "normal", "10s"}, {"n2", "seed=2", "normal", "6s"},
                {"a1", "seed=3&fault=imbalance&severity=0.2", "anomalous", "4s"}}) {
            CliTest.Run r = CliTest.cli("record", "--device", "sim:?realtime=false&" + s[1], "--duration", s[3],
                    "--label", s[2], "--out", dir.resolve(s[0] + ".gsr").toString());
            assertEquals(0, r.code(), r.err());
        }
    }

    @Test
    void benchTrainsEveryFamilyChoosesByTheRuleAndWritesEveryCandidate() throws Exception {
        Path out = dir.resolve("bench");
        Path json = dir.resolve("bench.json");
        Path report = dir.resolve("bench.html");
        CliTest.Run r = cli("bench", "--data", dir.resolve("n1.gsr").toString(), "--validation",
                dir.resolve("n2.gsr").toString(), "--anomalous", dir.resolve("a1.gsr").toString(), "--window", "64",
                "--stride", "32", "--epochs", "4", "--odr", "3840", "--out", out.toString(), "--json", json.toString(),
                "--report", report.toString());
        assertEquals(0, r.code(), r.out() + r.err());
        JsonNode j = new ObjectMapper().readTree(json.toFile());
        JsonNode cands = j.path("candidates");
        assertEquals(7, cands.size(), "lstm-ae, dense-ae, conv-ae and two band settings of each statistical family");
        double best = 0;
        JsonNode chosen = null;
        for (JsonNode c : cands) {
            for (String k : List.of("family", "roc_auc", "pr_auc", "f1", "far", "mar", "us_per_sample", "core_share",
                    "flash_bytes", "arena_bytes", "train_seconds", "chosen")) {
                assertTrue(c.has(k), "candidate field " + k + ": " + c);
            }
            best = Math.max(best, c.path("roc_auc").asDouble());
            if (c.path("chosen").asBoolean()) {
                chosen = c;
            }
            String name = c.path("candidate").asText();
            assertTrue(Files.isDirectory(out.resolve(name)), name + " model directory");
            assertTrue(Files.isRegularFile(out.resolve(name + ".gsb")), name + " bundle");
        }
        assertNotNull(chosen);
        assertEquals(chosen.path("family").asText(), j.path("chosen").asText());
        assertTrue(chosen.path("roc_auc").asDouble() >= best - 0.01, "the rule: within 0.01 of the best");
        for (JsonNode c : cands) {
            if (c.path("roc_auc").asDouble() >= best - 0.01) {
                assertTrue(chosen.path("us_per_sample").asDouble() <= c.path("us_per_sample").asDouble(),
                        "the cheapest of those: " + c);
            }
        }
        assertTrue(best > 0.9, "a +20 % imbalance is found by the best candidate: " + best);
        assertTrue(Files.isDirectory(out.resolve("best")) && Files.isRegularFile(out.resolve("best.gsb")));
        assertTrue(r.out().contains("<- chosen"), r.out());
        String dom = HtmlReportRenderTest.render(report, dir.resolve("profile"));
        assertTrue(dom.contains("data-charts=\"1\""), "the trade-off chart is drawn");

        // any family through the other commands
        CliTest.Run ev = cli("evaluate", "--model", out.resolve("features-pca-b8").toString(), "--normal",
                dir.resolve("n2.gsr").toString(), "--anomalous", dir.resolve("a1.gsr").toString());
        assertEquals(0, ev.code(), ev.err());
        assertTrue(ev.out().contains("ROC-AUC"), ev.out());
        assertTrue(ev.out().contains("which channel: mean share of the score on anomalous windows x "), ev.out());
        CliTest.Run info = cli("info", out.resolve("features-pca-b8.gsb").toString());
        assertTrue(info.out().contains("features-pca (returns the channel scores)"), info.out());

        // a bad family name is refused by name
        CliTest.Run bad = cli("bench", "--data", dir.resolve("n1.gsr").toString(), "--families", "transformer",
                "--out", dir.resolve("bad").toString());
        assertEquals(GyroSentinelCli.EXIT_FAILURE, bad.code());
        assertTrue(bad.err().contains("unknown model family 'transformer'"), bad.err());
    }

    @Test
    void aStatisticalModelTrainedByTheCliRunsOnTheVirtualDevice() throws Exception {
        Path model = dir.resolve("pca");
        CliTest.Run t = cli("train", "--family", "features-pca", "--data", dir.resolve("n1.gsr").toString(),
                "--validation", dir.resolve("n2.gsr").toString(), "--window", "64", "--quantile", "0.999",
                "--out", model.toString());
        assertEquals(0, t.code(), t.err());
        Path bundle = dir.resolve("pca.gsb");
        CliTest.Run p = cli("package", "--model", model.toString(), "--stride", "32", "--out", bundle.toString());
        assertEquals(0, p.code(), p.err());
        assertTrue(p.out().contains("verification float32 in TFLite 2.6.2: PASSED"), p.out());

        // the recordings came from sim:?seed=1: the same machine; the VirtualDevice runs the bundle in TFLite
        try (VirtualDevice dev = VirtualDevice.builder().realTime(false).seed(5).machine(MachineModel.fan(1500))
                .slotSize(1 << 20).build();
             DeviceClient c = DeviceClient.builder().transport(dev.newTransport()).connect()) {
            assertTrue(c.deploy(ModelBundle.read(bundle)).activated());
            List<InferenceResult> healthy = results(c, 40);
            long alarms = healthy.stream().filter(InferenceResult::anomalous).count();
            assertTrue(alarms <= 4, alarms + " of 40 healthy windows above the threshold");
            for (InferenceResult ir : healthy) {
                float[] ce = ir.channelError();
                assertEquals(3, ce.length);
                assertEquals((ce[0] + ce[1] + ce[2]) / 3, ir.score(), 1e-4 * Math.max(1, ir.score()),
                        "the score is the mean of the channel scores");
            }
            dev.injectFault(new Fault.Imbalance(0.5));
            List<InferenceResult> faulty = results(c, 40);
            long caught = faulty.stream().skip(4).filter(InferenceResult::anomalous).count();
            assertTrue(caught >= 30, caught + " of 36 windows with a +50 % imbalance above the threshold");
        }
    }

    private static List<InferenceResult> results(DeviceClient c, int n) throws Exception {
        List<InferenceResult> got = new CopyOnWriteArrayList<>();
        Flow.Subscriber<InferenceResult> sub = new Flow.Subscriber<>() {
            @Override
            public void onSubscribe(Flow.Subscription s) {
                s.request(Long.MAX_VALUE);
            }

            @Override
            public void onNext(InferenceResult item) {
                got.add(item);
            }

            @Override
            public void onError(Throwable t) {
            }

            @Override
            public void onComplete() {
            }
        };
        c.results().subscribe(sub);
        try (GyroStream s = c.stream(StreamOptions.defaults().withResults(true))) {
            long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            while (got.size() < n && System.nanoTime() < deadline) {
                s.poll(Duration.ofMillis(50));
            }
        }
        assertTrue(got.size() >= n, "results: " + got.size());
        return new ArrayList<>(got.subList(0, n));
    }
}
