package io.gyrosentinel.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.gyrosentinel.recording.Recording;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Locale;
import java.util.Random;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The logs people actually have, each driven end to end through the CLI with no workaround flag: import → info →
 * train → package (no --data, no --anomalous) → evaluate. The fixtures are written by the test: a host-clocked,
 * interleaved serial log with jitter and one real outage; a 1 Hz plant log with ';', ISO times, pandas-style float
 * labels and short segments; a clock that steps backwards; raw counts with --scale.
 */
@Timeout(600)
class RealLogsCliTest {
    @TempDir
    Path dir;

    static CliTest.Run cli(String... args) {
        CliTest.Run r = CliTest.cli(args);
        System.out.println("$ gyrosentinel " + String.join(" ", args) + "\n" + r.out() + r.err());
        return r;
    }

    /**
     * A PC script reading two sensors over serial: {@code channel,unix_seconds,x,y,z}, raw int16 counts, the sensors'
     * 30.9 Hz readings stamped with the PC's clock when it sees them (delivery delays of 0..190 ms, so intervals run
     * from 4 ms to over 200 ms around the 32 ms median), and one real 2-second outage of sensor 0.
     */
    static void hostClockLog(Path csv, int readings, double imbalance, long seed) throws IOException {
        Random r = new Random(seed);
        StringBuilder sb = new StringBuilder("channel,unix_seconds,x,y,z\n");
        double period = 1 / 30.9;
        double t0 = 1_764_000_000.0;
        double[] last = {0, 0};
        for (int k = 0; k < readings; k++) {
            double trueT = k * period;
            for (int ch = 0; ch < 2; ch++) {
                if (ch == 0 && trueT >= 40 && trueT < 42) {
                    continue; // the outage: sensor 0's readings in these 2 s never reached the PC
                }
                double delay = r.nextDouble() < 0.08 ? 0.06 + 0.13 * r.nextDouble() : 0.004 * r.nextDouble();
                double stamp = Math.max(last[ch] + 0.004, t0 + trueT + delay);
                last[ch] = stamp;
                double phase = 2 * Math.PI * 3.1 * trueT;
                double a = 800 * (1 + imbalance);
                long x = Math.round(a * Math.sin(phase) + 120 * Math.sin(3 * phase) + 40 * r.nextGaussian());
                long y = Math.round(a * Math.cos(phase) + 40 * r.nextGaussian());
                long z = Math.round(300 * Math.sin(2 * phase + 0.3) + 40 * r.nextGaussian() + 50);
                sb.append(ch).append(',').append(String.format(Locale.ROOT, "%.6f", stamp)).append(',').append(x)
                        .append(',').append(y).append(',').append(z).append('\n');
            }
        }
        Files.writeString(csv, sb.toString(), StandardCharsets.UTF_8);
    }

    @Test
    void aHostClockedInterleavedLogImportsWithOneGapTrainsPackagesAndEvaluates() throws IOException {
        Path csv = dir.resolve("serial.csv");
        hostClockLog(csv, 3000, 0, 1);
        Path gsr = dir.resolve("serial.gsr");
        CliTest.Run imp = cli("import", "--csv", csv.toString(), "--filter", "0=0", "--columns", "2,3,4",
                "--time-column", "1", "--scale", "0.0175", "--unit", "dps", "--label", "normal", "--out",
                gsr.toString());
        assertEquals(0, imp.code(), imp.out() + imp.err());
        // the outage is the only gap: jitter up to 200 ms is not taken for outages
        assertTrue(imp.out().contains("gaps: 1 ("), imp.out());
        assertTrue(imp.out().contains("timing: intervals median "), imp.out());
        Matcher rate = Pattern.compile("rate ([0-9.]+) Hz").matcher(imp.out());
        assertTrue(rate.find(), imp.out());
        double hz = Double.parseDouble(rate.group(1));
        assertTrue(hz > 25 && hz < 35, "nominal rate near the sensor's 30.9 Hz: " + hz);
        Matcher missing = Pattern.compile("gaps: 1 \\((\\d+) samples missing\\)").matcher(imp.out());
        assertTrue(missing.find());
        long m = Long.parseLong(missing.group(1));
        assertTrue(m >= 55 && m <= 70, "2 s at ~31 Hz is about 62 samples: " + m);
        Recording rec = Recording.read(gsr);
        assertEquals(1, rec.gaps().size());
        assertEquals("dps", rec.info().unit());

        CliTest.Run info = cli("info", gsr.toString());
        assertEquals(0, info.code(), info.err());
        assertTrue(info.out().contains("gaps: 1") && info.out().contains("2 contiguous segment(s)"), info.out());
        assertTrue(info.out().contains("timing at import: intervals median"), info.out());

        Path model = dir.resolve("serial-model");
        CliTest.Run train = cli("train", "--data", gsr.toString(), "--epochs", "6", "--out", model.toString());
        assertEquals(0, train.code(), train.out() + train.err());
        assertTrue(train.out().contains("training data: used 2 of 2 segment(s)"), train.out());

        Path bundle = dir.resolve("serial.gsb");
        CliTest.Run pack = cli("package", "--model", model.toString(), "--out", bundle.toString());
        assertEquals(0, pack.code(), pack.out() + pack.err());
        assertTrue(pack.out().contains("synthetic anomalies"), pack.out());
        assertTrue(pack.out().contains("normal windows the model directory keeps"), pack.out());
        assertTrue(Files.size(bundle) > 1000);

        Path faultCsv = dir.resolve("serial-fault.csv");
        hostClockLog(faultCsv, 1500, 0.6, 2);
        Path fault = dir.resolve("serial-fault.gsr");
        assertEquals(0, cli("import", "--csv", faultCsv.toString(), "--filter", "0=1", "--columns", "2,3,4",
                "--time-column", "1", "--scale", "0.0175", "--unit", "dps", "--label", "anomalous", "--out",
                fault.toString()).code());
        Path normalCsv = dir.resolve("serial-test.csv");
        hostClockLog(normalCsv, 1500, 0, 3);
        Path normal = dir.resolve("serial-test.gsr");
        assertEquals(0, cli("import", "--csv", normalCsv.toString(), "--filter", "0=1", "--columns", "2,3,4",
                "--time-column", "1", "--scale", "0.0175", "--unit", "dps", "--label", "normal", "--out",
                normal.toString()).code());
        Path json = dir.resolve("serial-eval.json");
        CliTest.Run eval = cli("evaluate", "--model", model.toString(), "--normal", normal.toString(), "--anomalous",
                fault.toString(), "--json", json.toString());
        assertEquals(0, eval.code(), eval.out() + eval.err());
        Matcher auc = Pattern.compile("ROC-AUC ([0-9.]+)").matcher(eval.out());
        assertTrue(auc.find(), eval.out());
        assertTrue(Double.parseDouble(auc.group(1)) > 0.9, "a 60 % imbalance stands out: " + eval.out());
    }

    /**
     * A plant historian export: 1 Hz, ';'-separated, ISO times, two vibration channels and an {@code anomaly} column
     * written by pandas as 0.0/1.0; outages leave short segments (one of 8 samples); the anomalous stretches are louder.
     */
    static void plantLog(Path csv, long seed) throws IOException {
        Random r = new Random(seed);
        StringBuilder sb = new StringBuilder("timestamp;vib_x;vib_y;temperature;anomaly\n");
        DateTimeFormatter iso = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss").withZone(ZoneOffset.UTC);
        long start = 1_764_000_000L;
        for (int s = 0; s < 6000; s++) {
            // outages: 100 s after sample 1500, and a short 8-sample stretch between two outages around 3000
            if (s >= 1500 && s < 1600 || s >= 2990 && s < 3000 || s >= 3008 && s < 3040) {
                continue;
            }
            boolean anomalous = s >= 4200 && s < 4500 || s >= 5400 && s < 5600;
            double level = anomalous ? 2.2 : 1.0;
            double x = level * Math.sin(2 * Math.PI * s / 37.0) + 0.15 * r.nextGaussian();
            double y = level * Math.cos(2 * Math.PI * s / 37.0) + 0.15 * r.nextGaussian() + 0.5;
            sb.append(iso.format(Instant.ofEpochSecond(start + s))).append(';')
                    .append(String.format(Locale.ROOT, "%.4f;%.4f;%.1f;%s%n", x, y, 40 + r.nextGaussian(),
                            anomalous ? "1.0" : "0.0"));
        }
        Files.writeString(csv, sb.toString(), StandardCharsets.UTF_8);
    }

    @Test
    void aOneHertzPlantLogWithFloatLabelsAndShortSegmentsGoesEndToEnd() throws IOException {
        Path csv = dir.resolve("plant.csv");
        plantLog(csv, 5);
        Path gsr = dir.resolve("plant.gsr");
        CliTest.Run imp = cli("import", "--csv", csv.toString(), "--delimiter", ";", "--columns", "vib_x,vib_y",
                "--time-column", "timestamp", "--time-format", "iso", "--label-column", "anomaly", "--out",
                gsr.toString());
        assertEquals(0, imp.code(), imp.out() + imp.err());
        assertTrue(imp.out().contains("gaps: 3 ("), "three outages: " + imp.out());
        assertTrue(imp.out().contains("rate 1.000 Hz"), imp.out());

        CliTest.Run info = cli("info", gsr.toString());
        assertEquals(0, info.code(), info.err());
        assertTrue(info.out().contains("4 contiguous segment(s)"), info.out());

        Path model = dir.resolve("plant-model");
        CliTest.Run train = cli("train", "--data", gsr.toString(), "--epochs", "6", "--out", model.toString());
        assertEquals(0, train.code(), train.out() + train.err());
        assertTrue(train.out().contains("left out 500 samples labelled anomalous"), train.out());
        assertTrue(train.out().contains("shorter than the window (40 samples) skipped"), train.out());

        Path bundle = dir.resolve("plant.gsb");
        CliTest.Run pack = cli("package", "--model", model.toString(), "--out", bundle.toString());
        assertEquals(0, pack.code(), pack.out() + pack.err());
        assertTrue(pack.out().contains("synthetic anomalies"), pack.out());

        Path json = dir.resolve("plant-eval.json");
        CliTest.Run eval = cli("evaluate", "--model", model.toString(), "--data", gsr.toString(), "--json",
                json.toString());
        assertEquals(0, eval.code(), eval.out() + eval.err());
        assertTrue(eval.out().contains("point-wise (a sample is flagged when the window ending on it is)"), eval.out());
        assertTrue(eval.out().contains("segment(s) shorter than the window (40 samples) skipped"), eval.out());
        String j = Files.readString(json);
        assertTrue(j.contains("\"pointwise\"") && j.contains("\"f1\""), j);
        Matcher f1 = Pattern.compile("point-wise.*F1 ([0-9.]+)").matcher(eval.out());
        assertTrue(f1.find(), eval.out());
        assertTrue(Double.parseDouble(f1.group(1)) > 0.5, "the louder stretches are found: " + eval.out());

        // bench on the same labelled log: the labelled stretches are the anomalies, the normal ones train and test
        Path benchJson = dir.resolve("plant-bench.json");
        CliTest.Run bench = cli("bench", "--data", gsr.toString(), "--families", "features-mahalanobis,features-pca",
                "--window", "32", "--out", dir.resolve("plant-bench").toString(), "--json", benchJson.toString());
        assertEquals(0, bench.code(), bench.out() + bench.err());
        assertTrue(bench.out().contains("anomalies: the 500 samples labelled anomalous in --data"), bench.out());
        com.fasterxml.jackson.databind.JsonNode bj = new com.fasterxml.jackson.databind.ObjectMapper()
                .readTree(benchJson.toFile());
        assertTrue(bj.path("anomalous_test_windows").asInt() > 0, bj.toString());
        for (com.fasterxml.jackson.databind.JsonNode c : bj.path("candidates")) {
            assertTrue(c.path("roc_auc").asDouble() > 0.9, "the louder stretches are found: " + c);
        }

        Path scores = dir.resolve("plant-scores.csv");
        CliTest.Run score = cli("score", "--model", model.toString(), "--data", gsr.toString(), "--out",
                scores.toString());
        assertEquals(0, score.code(), score.out() + score.err());
        // rows keep indexes into the recording: after the 100-sample outage at 1500, windows start past 1600
        String rows = Files.readString(scores);
        assertTrue(Pattern.compile("(?m)^16[0-9][0-9],").matcher(rows).find(), rows.substring(0, 300));
        assertFalse(Pattern.compile("(?m)^(14[7-9][0-9]|15[0-9][0-9]),").matcher(rows).find(),
                "no window spans the outage");
    }

    /**
     * info → train → package (no --data, no --anomalous) → evaluate on a second import of the same shape with a fault,
     * the rest of the path every shape must survive.
     */
    private void trainPackageEvaluate(Path normal, Path fault, String name) {
        CliTest.Run info = cli("info", normal.toString());
        assertEquals(0, info.code(), info.err());
        Path model = dir.resolve(name + "-model");
        CliTest.Run train = cli("train", "--data", normal.toString(), "--epochs", "5", "--out", model.toString());
        assertEquals(0, train.code(), train.out() + train.err());
        CliTest.Run pack = cli("package", "--model", model.toString(), "--out", dir.resolve(name + ".gsb").toString());
        assertEquals(0, pack.code(), pack.out() + pack.err());
        assertTrue(pack.out().contains("synthetic anomalies"), pack.out());
        CliTest.Run eval = cli("evaluate", "--model", model.toString(), "--normal", normal.toString(), "--anomalous",
                fault.toString());
        assertEquals(0, eval.code(), eval.out() + eval.err());
        Matcher auc = Pattern.compile("ROC-AUC ([0-9.]+)").matcher(eval.out());
        assertTrue(auc.find() && Double.parseDouble(auc.group(1)) > 0.9, eval.out());
    }

    /** {@code t,x}: 2000 rows at 100 Hz whose clock jumps back 1.5 s at row 1200 (an NTP correction). */
    static String clockStepLog(double gain) {
        StringBuilder sb = new StringBuilder("t,x\n");
        Random r = new Random(9);
        for (int i = 0; i < 2000; i++) {
            double t = i < 1200 ? 100 + i * 0.01 : 100 + (i - 1200) * 0.01 + 10.5; // row 1200: 1.5 s earlier than 1199
            sb.append(String.format(Locale.ROOT, "%.3f,%.4f%n", t, gain * Math.sin(i / 5.0) + 0.05 * r.nextGaussian()));
        }
        return sb.toString();
    }

    @Test
    void aClockThatStepsBackwardsEndsASegmentAndIsReported() throws IOException {
        Path csv = dir.resolve("ntp.csv");
        Files.writeString(csv, clockStepLog(1));
        Path gsr = dir.resolve("ntp.gsr");
        CliTest.Run imp = cli("import", "--csv", csv.toString(), "--columns", "x", "--time-column", "t", "--out",
                gsr.toString());
        assertEquals(0, imp.code(), imp.out() + imp.err());
        assertTrue(imp.out().contains("1 clock step(s) backwards; 2 segment(s)") && imp.out().contains("gaps: 0 ("),
                imp.out());
        assertTrue(imp.out().contains("imported 2000 samples"), "nothing reordered or dropped: " + imp.out());
        Recording r = Recording.read(gsr);
        assertEquals(2, r.runs().size());
        assertEquals(1200, r.runs().get(0).stream().mapToInt(b -> b.count()).sum());
        Path faultCsv = dir.resolve("ntp-fault.csv");
        Files.writeString(faultCsv, clockStepLog(3));
        Path fault = dir.resolve("ntp-fault.gsr");
        assertEquals(0, cli("import", "--csv", faultCsv.toString(), "--columns", "x", "--time-column", "t", "--out",
                fault.toString()).code());
        trainPackageEvaluate(gsr, fault, "ntp");
    }

    /** {@code t,gx,gy}: raw int16 counts at 100 Hz, a 0.3 s hole after row 1500. */
    static String countsLog(double gain) {
        StringBuilder sb = new StringBuilder("t,gx,gy\n");
        Random r = new Random(4);
        for (int i = 0; i < 3000; i++) {
            double t = i * 0.01 + (i >= 1500 ? 0.3 : 0);
            sb.append(String.format(Locale.ROOT, "%.3f,%d,%d%n", t,
                    Math.round(1000 + gain * 800 * Math.sin(i / 4.0) + 30 * r.nextGaussian()),
                    Math.round(gain * 500 * Math.cos(i / 4.0) + 30 * r.nextGaussian())));
        }
        return sb.toString();
    }

    @Test
    void rawCountsAreScaledAndAMaxGapCanBeGiven() throws IOException {
        Path csv = dir.resolve("counts.csv");
        Files.writeString(csv, countsLog(1));
        Path gsr = dir.resolve("counts.gsr");
        CliTest.Run a = cli("import", "--csv", csv.toString(), "--columns", "gx,gy", "--time-column", "t", "--scale",
                "0.0175", "--unit", "dps", "--out", gsr.toString());
        assertEquals(0, a.code(), a.err());
        assertTrue(a.out().contains("gaps: 1 (30 samples missing)"), a.out());
        Recording r = Recording.read(gsr);
        assertEquals("dps", r.info().unit());
        double mean = 0;
        float[] v = r.values();
        for (int i = 0; i < v.length; i += 2) {
            mean += v[i] / (v.length / 2.0);
        }
        assertEquals(17.5, mean, 0.2, "1000 counts x 0.0175 dps");
        // a larger --max-gap takes the hole for jitter
        CliTest.Run b = cli("import", "--csv", csv.toString(), "--columns", "gx,gy", "--time-column", "t", "--max-gap",
                "500ms", "--out", dir.resolve("counts2.gsr").toString());
        assertEquals(0, b.code(), b.err());
        assertTrue(b.out().contains("gaps: 0 (") && b.out().contains("(--max-gap)"), b.out());
        // --resample puts the samples on a uniform grid
        CliTest.Run c = cli("import", "--csv", csv.toString(), "--columns", "gx,gy", "--time-column", "t", "--resample",
                "50", "--out", dir.resolve("counts3.gsr").toString());
        assertEquals(0, c.code(), c.err());
        assertTrue(c.out().contains("rate 50.000 Hz") && c.out().contains("resampled to 50 Hz"), c.out());
        Path faultCsv = dir.resolve("counts-fault.csv");
        Files.writeString(faultCsv, countsLog(2.5));
        Path fault = dir.resolve("counts-fault.gsr");
        assertEquals(0, cli("import", "--csv", faultCsv.toString(), "--columns", "gx,gy", "--time-column", "t",
                "--scale", "0.0175", "--unit", "dps", "--out", fault.toString()).code());
        trainPackageEvaluate(gsr, fault, "counts");
    }

    @Test
    void labelsAsPeopleWriteThemAndAnErrorNamingFileLineAndValue() throws IOException {
        Path csv = dir.resolve("labels.csv");
        StringBuilder sb = new StringBuilder("t,x,state\n");
        String[] spellings = {"0", "1", "0.0", "1.0", "TRUE", "false", "Yes", "no", "Normal", "ANOMALOUS", "anomaly",
                "abnormal", "Fault"};
        for (int i = 0; i < spellings.length; i++) {
            sb.append(i).append(",1.5,").append(spellings[i]).append('\n');
        }
        Files.writeString(csv, sb.toString());
        CliTest.Run ok = cli("import", "--csv", csv.toString(), "--columns", "x", "--time-column", "t",
                "--label-column", "state", "--out", dir.resolve("labels.gsr").toString());
        assertEquals(0, ok.code(), ok.out() + ok.err());
        Recording r = Recording.read(dir.resolve("labels.gsr"));
        String expected = "NANAANANNAAAA";
        for (int i = 0; i < expected.length(); i++) {
            assertEquals(expected.charAt(i) == 'A', r.labelAt(i) == io.gyrosentinel.recording.SessionLabel.ANOMALOUS,
                    "row " + i + " (" + spellings[i] + ")");
        }
        Files.writeString(csv, sb + "13,1.5,broken\n");
        CliTest.Run bad = cli("import", "--csv", csv.toString(), "--columns", "x", "--time-column", "t",
                "--label-column", "state", "--out", dir.resolve("labels2.gsr").toString());
        assertEquals(GyroSentinelCli.EXIT_FAILURE, bad.code(), bad.out());
        assertTrue(bad.err().contains("line 15") && bad.err().contains("'state'") && bad.err().contains("'broken'"),
                bad.err());
        CliTest.Run skipped = cli("import", "--csv", csv.toString(), "--columns", "x", "--time-column", "t",
                "--label-column", "state", "--skip-bad", "--out", dir.resolve("labels3.gsr").toString());
        assertEquals(0, skipped.code(), skipped.err());
        assertTrue(skipped.out().contains("skipped: 1 malformed rows"), skipped.out());
    }

    @Test
    void nothingUsableIsAnErrorNamingTheLongestSegmentAndWhatHelps() throws IOException {
        StringBuilder sb = new StringBuilder("t,x\n");
        for (int i = 0; i < 60; i++) {
            sb.append(i * 10 + (i / 12) * 100).append(',').append(i % 7).append('\n'); // 12-sample segments
        }
        Path csv = dir.resolve("short.csv");
        Files.writeString(csv, sb.toString());
        Path gsr = dir.resolve("short.gsr");
        assertEquals(0, cli("import", "--csv", csv.toString(), "--columns", "x", "--time-column", "t", "--out",
                gsr.toString()).code());
        CliTest.Run t = cli("train", "--data", gsr.toString(), "--out", dir.resolve("m").toString());
        assertEquals(GyroSentinelCli.EXIT_FAILURE, t.code(), t.out());
        assertTrue(t.err().contains("the longest") && t.err().contains("has 12 samples")
                && t.err().contains("--window") && t.err().contains("--max-gap"), t.err());
    }

    @Test
    void everyCommandsHelpPrintsNoWarning() {
        // picocli reports a description it cannot format (e.g. a bare '%') on System.err, not through the CLI's writers
        java.io.PrintStream realErr = System.err;
        java.io.ByteArrayOutputStream captured = new java.io.ByteArrayOutputStream();
        System.setErr(new java.io.PrintStream(captured, true, StandardCharsets.UTF_8));
        try {
            for (String command : new String[] {"record", "import", "export", "info", "train", "evaluate", "score",
                    "package", "deploy", "monitor", "devices", "keygen", "demo"}) {
                CliTest.Run h = cli(command, "--help");
                assertEquals(0, h.code(), command + ": " + h.err());
                String all = h.out() + h.err() + captured.toString(StandardCharsets.UTF_8);
                assertFalse(all.contains("WARN") || all.contains("Could not format"), command + " --help: " + all);
                assertTrue(h.out().contains("Usage:"), command + " --help: " + h.out());
            }
        } finally {
            System.setErr(realErr);
        }
    }

    @Test
    void millisecondTimesReadAsSecondsAreCaughtAndUnixMsReadsThem() throws IOException {
        StringBuilder sb = new StringBuilder("ts_ms,x\n");
        for (int i = 0; i < 500; i++) {
            sb.append(1_764_000_000_000L + i * 10L).append(',').append(i % 13).append('\n');
        }
        Path csv = dir.resolve("ms.csv");
        Files.writeString(csv, sb.toString());
        CliTest.Run wrong = cli("import", "--csv", csv.toString(), "--columns", "x", "--time-column", "ts_ms", "--out",
                dir.resolve("ms1.gsr").toString());
        assertEquals(GyroSentinelCli.EXIT_FAILURE, wrong.code(), wrong.out());
        assertTrue(wrong.err().contains("use --time-format unix-ms"), wrong.err());
        CliTest.Run right = cli("import", "--csv", csv.toString(), "--columns", "x", "--time-column", "ts_ms",
                "--time-format", "unix-ms", "--out", dir.resolve("ms2.gsr").toString());
        assertEquals(0, right.code(), right.err());
        assertTrue(right.out().contains("rate 100.000 Hz") && right.out().contains("gaps: 0 ("), right.out());
    }

    @Test
    void aFolderOfTimestampNamedTabSeparatedCapturesImportsOneSegmentPerFile() throws IOException {
        // the shape of public bearing data sets: one snapshot per file, named by its time, tab-separated, no header
        Path folder = Files.createDirectories(dir.resolve("snapshots"));
        for (String name : new String[] {"2003.10.22.12.06.24", "2003.10.22.12.16.24", "2003.10.22.12.26.24"}) {
            StringBuilder sb = new StringBuilder();
            for (int i = 0; i < 300; i++) {
                sb.append(String.format(Locale.ROOT, "%.3f\t%.3f%n", Math.sin(i / 3.0), Math.cos(i / 3.0)));
            }
            Files.writeString(folder.resolve(name), sb.toString());
        }
        Files.writeString(folder.resolve("README.md"), "not data");
        Files.writeString(folder.resolve(".hidden"), "not data");
        Path gsr = dir.resolve("snapshots.gsr");
        CliTest.Run imp = cli("import", "--csv", folder.toString(), "--delimiter", "\\t", "--no-header", "--columns",
                "0,1", "--rate", "1000", "--out", gsr.toString());
        assertEquals(0, imp.code(), imp.out() + imp.err());
        assertTrue(imp.out().contains("imported 900 samples from 900 rows of 3 files"), imp.out());
        assertEquals(3, Recording.read(gsr).runs().size());
    }
}
