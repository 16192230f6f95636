package io.gyrosentinel.cli;

import io.gyrosentinel.training.TrainedModel;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Every command's happy path and the errors users will see, with exit codes. */
@Timeout(300)
class CliTest {
    @TempDir
    static Path dir;

    record Run(int code, String out, String err) {
    }

    static Run cli(String... args) {
        StringWriter o = new StringWriter();
        StringWriter e = new StringWriter();
        int code = GyroSentinelCli.run(args, new PrintWriter(o, true), new PrintWriter(e, true));
        return new Run(code, o.toString(), e.toString());
    }

    @BeforeAll
    static void recordSessions() {
        Run a = cli("record", "--device", "sim:?realtime=false&seed=1", "--duration", "12s", "--label", "normal",
                "--machine", "fan-1", "--out", dir.resolve("n1.gsr").toString());
        assertEquals(0, a.code, a.err);
        Run b = cli("record", "--device", "sim:?realtime=false&seed=1&fault=imbalance&severity=0.5", "--duration", "4s",
                "--label", "anomalous", "--out", dir.resolve("a1.gsr").toString());
        assertEquals(0, b.code, b.err);
    }

    @Test
    void recordReportsSamplesAndGaps() {
        Run r = cli("record", "--device", "sim:?realtime=false", "--duration", "1s", "--out", dir.resolve("r.gsr").toString());
        assertEquals(0, r.code, r.err);
        assertTrue(r.out.contains("wrote 960 samples"), r.out);
        assertTrue(r.out.contains("gaps: none"), r.out);
    }

    @Test
    void recordRunsItsFullDurationThroughALinkOutageAndFailsWhenSamplesAreMissing() throws Exception {
        // the link drops every batch between 1 s and 7 s of the stream: once, 5 s of silence ended the recording
        // with "wrote 960 samples", "gaps: none" and exit 0
        Path out = dir.resolve("outage.gsr");
        Run r = cli("record", "--device", "sim:?outageAt=1&outageFor=6", "--duration", "10s", "--out", out.toString());
        assertEquals(GyroSentinelCli.EXIT_FAILURE, r.code, r.out + r.err);
        assertTrue(r.out.contains("gaps: 1, 5760 samples missing"), r.out);
        assertTrue(r.out.contains("link: quiet 1 time(s)"), r.out);
        assertTrue(r.err.contains("5760 of 9600 samples are missing"), r.err);
        io.gyrosentinel.recording.Recording rec = io.gyrosentinel.recording.Recording.read(out);
        assertEquals(9600 - 5760, rec.samples(), "everything that arrived was kept");
        assertEquals(5760, rec.gaps().stream().mapToLong(g -> g.missingSamples()).sum());
    }

    @Test
    void infoDescribesARecording() {
        Run r = cli("info", dir.resolve("n1.gsr").toString());
        assertEquals(0, r.code, r.err);
        assertTrue(r.out.contains("label normal, machine 'fan-1'"), r.out);
        assertTrue(r.out.contains("11520 samples x 3 channels [x, y, z] [dps], 960.000 Hz"), r.out);
    }

    @Test
    void exportThenImportRoundTrips() throws Exception {
        Path csv = dir.resolve("n1.csv");
        Run e = cli("export", "--data", dir.resolve("n1.gsr").toString(), "--csv", csv.toString());
        assertEquals(0, e.code, e.err);
        Run i = cli("import", "--csv", csv.toString(), "--columns", "x,y,z", "--time-column", "timestamp_us",
                "--rate", "960", "--label", "normal", "--out", dir.resolve("back.gsr").toString());
        assertEquals(0, i.code, i.err);
        assertTrue(i.out.contains("imported 11520 samples from 11520 rows"), i.out);
    }

    @Test
    void importOfABadCsvNamesTheLineAndColumn() throws Exception {
        Path csv = dir.resolve("bad.csv");
        Files.writeString(csv, "a,b\n1,2\n3,x\n");
        Run r = cli("import", "--csv", csv.toString(), "--columns", "a,b", "--rate", "100", "--out",
                dir.resolve("bad.gsr").toString());
        assertEquals(GyroSentinelCli.EXIT_FAILURE, r.code);
        assertTrue(r.err.contains("line 3, column 'b'"), r.err);
        assertTrue(!Files.exists(dir.resolve("bad.gsr")));
        Run skip = cli("import", "--csv", csv.toString(), "--columns", "a,b", "--rate", "100", "--skip-bad", "--out",
                dir.resolve("bad.gsr").toString());
        assertEquals(0, skip.code, skip.err);
        assertTrue(skip.out.contains("skipped: 1 malformed rows"), skip.out);
    }

    @Test
    void aMissingFileIsAClearError() {
        Run r = cli("info", dir.resolve("nope.gsr").toString());
        assertEquals(GyroSentinelCli.EXIT_FAILURE, r.code);
        assertTrue(r.err.contains("does not exist"), r.err);
    }

    @Test
    void aUsageErrorExitsWithTwo() {
        Run r = cli("record", "--device", "sim:");
        assertEquals(GyroSentinelCli.EXIT_USAGE, r.code);
        assertTrue(r.err.contains("Missing required option"), r.err);
        Run d = cli("record", "--device", "sim:", "--duration", "soon", "--out", "x.gsr");
        assertEquals(GyroSentinelCli.EXIT_USAGE, d.code);
        assertTrue(d.err.contains("not a duration"), d.err);
    }

    @Test
    void anUnknownDeviceSchemeListsTheInstalledOnes() {
        Run r = cli("record", "--device", "bogus:x", "--duration", "1s", "--out", dir.resolve("x.gsr").toString());
        assertEquals(GyroSentinelCli.EXIT_FAILURE, r.code);
        assertTrue(r.err.contains("no transport for scheme 'bogus'"), r.err);
        assertTrue(r.err.contains("sim"), r.err);
    }

    @Test
    void trainEvaluateAndScore() throws Exception {
        Path model = dir.resolve("model");
        Run t = cli("train", "--data", dir.resolve("n1.gsr").toString(), "--epochs", "8", "--seed", "3", "--out",
                model.toString());
        assertEquals(0, t.code, t.err);
        assertTrue(t.out.contains("model written to"), t.out);
        Path json = dir.resolve("metrics.json");
        Run e = cli("evaluate", "--model", model.toString(), "--normal", dir.resolve("n1.gsr").toString(),
                "--anomalous", dir.resolve("a1.gsr").toString(), "--json", json.toString());
        assertEquals(0, e.code, e.err);
        String j = Files.readString(json);
        for (String k : new String[] {"roc_auc", "pr_auc", "precision", "recall", "f1", "far", "mar", "threshold"}) {
            assertTrue(j.contains("\"" + k + "\""), k + " in " + j);
        }
        Path scores = dir.resolve("scores.csv");
        Run s = cli("score", "--model", model.toString(), "--data", dir.resolve("a1.gsr").toString(), "--out",
                scores.toString());
        assertEquals(0, s.code, s.err);
        var lines = Files.readAllLines(scores);
        assertEquals("start_sample,end_sample,score,flag,label", lines.get(0));
        assertTrue(lines.get(1).startsWith("0,40,"), lines.get(1));
        assertTrue(lines.get(1).endsWith(",anomalous"), lines.get(1));
    }

    @Test
    void trainingIntoAnExistingModelDirectoryIsRefusedClearly() {
        Path model = dir.resolve("model-twice");
        assertEquals(0, cli("train", "--data", dir.resolve("n1.gsr").toString(), "--epochs", "1", "--out",
                model.toString()).code);
        Run again = cli("train", "--data", dir.resolve("n1.gsr").toString(), "--epochs", "1", "--out", model.toString());
        assertEquals(GyroSentinelCli.EXIT_FAILURE, again.code);
        assertTrue(again.err.contains("not an empty directory"), again.err);
        assertTrue(!again.err.contains("GYROSENTINEL_DEBUG"), "a known failure, not a crash: " + again.err);
    }

    @Test
    void framesThatDoNotDivideTheWindowAreAUsageErrorNamingTheSetting() {
        Run r = cli("train", "--data", dir.resolve("n1.gsr").toString(), "--window", "40", "--samples-per-step", "3",
                "--out", dir.resolve("model-k3").toString());
        assertTrue(r.code != 0, r.out);
        assertTrue(r.err.contains("samplesPerStep must divide windowLength (40)"), r.err);
        assertTrue(!Files.exists(dir.resolve("model-k3")), "nothing written");
        Run ok = cli("train", "--data", dir.resolve("n1.gsr").toString(), "--window", "20", "--samples-per-step", "4",
                "--epochs", "1", "--out", dir.resolve("model-k4").toString());
        assertEquals(0, ok.code, ok.err);
        assertTrue(TrainedModel.load(dir.resolve("model-k4")).architecture().samplesPerStep() == 4);
    }

    @Test
    void scoringARecordingWithOtherChannelsIsAClearError() throws Exception {
        Path model = dir.resolve("model1");
        Run t = cli("train", "--data", dir.resolve("n1.gsr").toString(), "--epochs", "2", "--out", model.toString());
        assertEquals(0, t.code, t.err);
        Path csv = dir.resolve("one.csv");
        StringBuilder sb = new StringBuilder("v\n");
        for (int i = 0; i < 200; i++) {
            sb.append(Math.sin(i)).append('\n');
        }
        Files.writeString(csv, sb.toString());
        assertEquals(0, cli("import", "--csv", csv.toString(), "--columns", "v", "--rate", "960", "--out",
                dir.resolve("one.gsr").toString()).code);
        Run s = cli("score", "--model", model.toString(), "--data", dir.resolve("one.gsr").toString(), "--out",
                dir.resolve("o.csv").toString());
        assertEquals(GyroSentinelCli.EXIT_FAILURE, s.code);
        assertTrue(s.err.contains("expects 3 channels"), s.err);
    }

    /**
     * The demo's path with faster settings: record, train, evaluate, package (signed), deploy over
     * the protocol, inject a fault; the device's own inference must raise an event after the fault
     * and none before it; the report must render.
     */
    @Test
    void endToEndDemoDetectsTheInjectedFaultOnTheDeviceAndNotBefore() throws Exception {
        Path demo = dir.resolve("demo");
        Run r = cli("demo", "--out", demo.toString(), "--train-seconds", "30", "--test-seconds", "6",
                "--monitor-seconds", "4", "--epochs", "25");
        assertEquals(0, r.code, r.out + r.err);
        assertTrue(r.out.contains("1. connected over the real protocol: demo-fan"), r.out);
        assertTrue(r.out.contains("verified in TFLite 2.6.2: passed"), r.out);
        assertTrue(r.out.contains("5. deployed to slot 0 and activated"), r.out);
        var m = java.util.regex.Pattern.compile("(\\d+) anomaly event\\(s\\) before the fault, first event ([0-9.]+) s after the fault")
                .matcher(r.out);
        assertTrue(m.find(), r.out);
        assertEquals("0", m.group(1), "no event before the fault");
        assertTrue(Double.parseDouble(m.group(2)) < 2.0, "detected within 2 s: " + m.group(2));
        Path report = demo.resolve("report.html");
        assertTrue(Files.exists(report));
        String dom = io.gyrosentinel.cli.report.HtmlReportRenderTest.render(report, dir.resolve("chrome"));
        assertTrue(dom.contains("data-charts=\"4\""), "the demo report draws its four charts");
    }

    @Test
    void keygenPackageAndDeployASignedModel() throws Exception {
        Path model = dir.resolve("model-pkg");
        assertEquals(0, cli("train", "--data", dir.resolve("n1.gsr").toString(), "--epochs", "4", "--out",
                model.toString()).code);
        Path key = dir.resolve("keys/key.pem");
        Run k = cli("keygen", "--out", key.toString());
        assertEquals(0, k.code, k.err);
        assertTrue(Files.exists(dir.resolve("keys/key.pub.pem")));
        assertEquals(GyroSentinelCli.EXIT_USAGE, cli("keygen", "--out", key.toString()).code, "no silent overwrite");
        Path bundle = dir.resolve("m.gsb");
        Run p = cli("package", "--model", model.toString(), "--data", dir.resolve("n1.gsr").toString(), "--anomalous",
                dir.resolve("a1.gsr").toString(), "--quantize", "float32", "--sign-key", key.toString(), "--out",
                bundle.toString(), "--c-source", dir.resolve("c").toString(), "--version", "3", "--scope", "fan-7");
        assertEquals(0, p.code, p.out + p.err);
        assertTrue(p.out.contains("signed"), p.out);
        assertTrue(p.out.contains("model version 3, only for device fan-7"), p.out);
        assertTrue(p.out.contains("verification float32 in TFLite 2.6.2: PASSED"), p.out);
        assertTrue(p.out.contains("ESP32-S3 estimate"), p.out);
        assertTrue(p.out.contains("C source: "), p.out);
        String trusted = dir.resolve("keys/key.pub.pem").toString();
        Run d = cli("deploy", "--bundle", bundle.toString(), "--device", "sim:fan-7?slotKiB=1024&trustedKey=" + trusted);
        assertEquals(0, d.code, d.out + d.err);
        assertTrue(d.out.contains("slot 0, active"), d.out);
        // scoped to fan-7: another device refuses it before anything is written, and says how to package for it
        Run s8 = cli("deploy", "--bundle", bundle.toString(), "--device", "sim:fan-8?slotKiB=1024&trustedKey=" + trusted);
        assertEquals(GyroSentinelCli.EXIT_FAILURE, s8.code, s8.out);
        assertTrue(s8.err.contains("bundle is for device 'fan-7', this is 'fan-8'"), s8.err);
        assertTrue(s8.err.contains("--scope fan-8"), s8.err);
        // a device that trusts another key refuses the bundle, and says what to do
        Path other = dir.resolve("keys/other.pem");
        assertEquals(0, cli("keygen", "--out", other.toString()).code);
        Run w = cli("deploy", "--bundle", bundle.toString(), "--device", "sim:fan-7?slotKiB=1024&trustedKey="
                + dir.resolve("keys/other.pub.pem"));
        assertEquals(GyroSentinelCli.EXIT_FAILURE, w.code);
        assertTrue(w.err.contains("signature"), w.err);
        // info describes the model directory and the bundle, and checks the bundle's hashes and signature
        Run im = cli("info", model.toString());
        assertEquals(0, im.code, im.err);
        assertTrue(im.out.contains("8 samples per LSTM step (5 steps)"), im.out);
        Run ib = cli("info", bundle.toString(), "--public-key", trusted);
        assertEquals(0, ib.code, ib.err);
        assertTrue(ib.out.contains("part model.tflite"), ib.out);
        assertTrue(ib.out.contains("quantisation float32"), ib.out);
        assertTrue(ib.out.contains("cost card: 25216 MACs/window"), ib.out);
        assertTrue(ib.out.contains("signature valid for"), ib.out);
        assertTrue(ib.out.contains("model version 3, only for device fan-7"), ib.out);
        Path unnamed = dir.resolve("bundle-without-extension");
        Files.copy(bundle, unnamed);
        Run iu = cli("info", unnamed.toString());
        assertEquals(0, iu.code, iu.err);
        assertTrue(iu.out.contains("model bundle"), "recognised by its magic: " + iu.out);
        Run iw = cli("info", bundle.toString(), "--public-key", dir.resolve("keys/other.pub.pem").toString());
        assertEquals(GyroSentinelCli.EXIT_FAILURE, iw.code);
        assertTrue(iw.err.contains("does not match this key"), iw.err);
        byte[] raw = Files.readAllBytes(bundle);
        raw[raw.length - 200] ^= 0x5A; // inside the last part's bytes (the payload precedes the 64-byte signature)
        Path tampered = dir.resolve("tampered.gsb");
        Files.write(tampered, raw);
        Run it = cli("info", tampered.toString());
        assertEquals(GyroSentinelCli.EXIT_FAILURE, it.code, it.out);
        assertTrue(it.err.contains("SHA-256") || it.err.contains("sha256") || it.err.contains("corrupt"), it.err);
        // damage inside model.tflite: reported as a hash mismatch before anything parses the FlatBuffer
        raw = Files.readAllBytes(bundle);
        byte[] tflite = io.gyrosentinel.model.ModelBundle.read(bundle).part("model.tflite");
        int at = indexOf(raw, java.util.Arrays.copyOfRange(tflite, 0, 64));
        assertTrue(at > 0);
        for (int off = 0; off < 2000; off += 7) {
            raw[at + 8 + off] ^= (byte) 0xA5;
        }
        Files.write(tampered, raw);
        Run im2 = cli("info", tampered.toString());
        assertEquals(GyroSentinelCli.EXIT_FAILURE, im2.code, im2.out);
        assertTrue(im2.err.contains("model.tflite") && !im2.err.contains("Exception"), im2.err);
        Run bad = cli("package", "--model", model.toString(), "--data", dir.resolve("n1.gsr").toString(), "--quantize",
                "int4", "--out", bundle.toString());
        assertEquals(GyroSentinelCli.EXIT_USAGE, bad.code);
        Run badVersion = cli("package", "--model", model.toString(), "--data", dir.resolve("n1.gsr").toString(),
                "--version", "4294967296", "--out", bundle.toString());
        assertEquals(GyroSentinelCli.EXIT_USAGE, badVersion.code, badVersion.out);
        assertTrue(badVersion.err.contains("--version") && badVersion.err.contains("4294967295"), badVersion.err);
        Run help = cli("package", "--help");
        assertEquals(0, help.code, help.err);
        assertTrue(help.out.contains("--version=N") && help.out.contains("--scope=DEVICE_ID")
                && help.out.contains("--downgrade"), help.out);
        Run wrongKey = cli("package", "--model", model.toString(), "--data", dir.resolve("n1.gsr").toString(),
                "--quantize", "float32", "--sign-key", dir.resolve("keys/key.pub.pem").toString(), "--out", bundle.toString());
        assertEquals(GyroSentinelCli.EXIT_FAILURE, wrongKey.code);
        assertTrue(wrongKey.err.contains("BEGIN PRIVATE KEY"), wrongKey.err);
    }

    @Test
    void evaluateWritesAnHtmlReport() throws Exception {
        Path model = dir.resolve("model-rep");
        assertEquals(0, cli("train", "--data", dir.resolve("n1.gsr").toString(), "--epochs", "3", "--out",
                model.toString()).code);
        Path html = dir.resolve("eval.html");
        Run e = cli("evaluate", "--model", model.toString(), "--normal", dir.resolve("n1.gsr").toString(), "--anomalous",
                dir.resolve("a1.gsr").toString(), "--report", html.toString());
        assertEquals(0, e.code, e.err);
        assertTrue(Files.readString(html).contains("Metrics at the model"));
    }

    @Test
    void monitorShowsTheLiveLevel() {
        Run r = cli("monitor", "--device", "sim:", "--duration", "1500ms", "--interval", "500ms");
        assertEquals(0, r.code, r.err);
        assertTrue(r.out.contains("monitoring virtual-1"), r.out);
        assertTrue(r.out.contains("rms"), r.out);
        assertTrue(r.out.contains("gaps 0"), r.out);
    }

    @Test
    void devicesListsTheSimTransport() {
        Run r = cli("devices");
        assertEquals(0, r.code, r.err);
        assertTrue(r.out.contains("sim:"), r.out);
    }

    static int indexOf(byte[] hay, byte[] needle) {
        outer:
        for (int i = 0; i + needle.length <= hay.length; i++) {
            for (int j = 0; j < needle.length; j++) {
                if (hay[i + j] != needle[j]) {
                    continue outer;
                }
            }
            return i;
        }
        return -1;
    }
}
