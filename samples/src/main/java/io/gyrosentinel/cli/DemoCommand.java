package io.gyrosentinel.cli;

import io.gyrosentinel.AnomalyEvent;
import io.gyrosentinel.InferenceResult;
import io.gyrosentinel.SampleBlock;
import io.gyrosentinel.SensorConfig;
import io.gyrosentinel.client.DeployOptions;
import io.gyrosentinel.client.DeployResult;
import io.gyrosentinel.client.DeviceClient;
import io.gyrosentinel.client.StreamOptions;
import io.gyrosentinel.cli.report.HtmlReport;
import io.gyrosentinel.collect.Collector;
import io.gyrosentinel.model.SigningKeys;
import io.gyrosentinel.recording.Recording;
import io.gyrosentinel.recording.RecordingWriter;
import io.gyrosentinel.recording.SessionInfo;
import io.gyrosentinel.recording.SessionLabel;
import io.gyrosentinel.sim.Fault;
import io.gyrosentinel.sim.MachineModel;
import io.gyrosentinel.sim.VirtualDevice;
import io.gyrosentinel.stream.GyroStream;
import io.gyrosentinel.stream.WindowAssembler;
import io.gyrosentinel.training.AutoencoderTrainer;
import io.gyrosentinel.training.EpochReport;
import io.gyrosentinel.training.EvaluationReport;
import io.gyrosentinel.training.Sessions;
import io.gyrosentinel.training.TimeSeries;
import io.gyrosentinel.training.TrainedModel;
import io.gyrosentinel.training.WindowScore;
import io.gyrosentinel.training.packaging.CostCard;
import io.gyrosentinel.training.packaging.ModelPackager;
import io.gyrosentinel.training.packaging.PackagedModel;
import io.gyrosentinel.training.packaging.PackagingException;
import io.gyrosentinel.training.packaging.Precision;
import me.tongfei.progressbar.ProgressBar;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * The main job, with no hardware and no flags: a simulated fan (VirtualDevice) → record normal
 * data → train → evaluate → package (int16x8), signed → deploy to the simulated device over the real
 * protocol → inject a fault → the device's own inference raises anomaly events → HTML report.
 */
@Command(name = "demo", mixinStandardHelpOptions = true,
        description = "End-to-end demo on a simulated device, no hardware: record, train, evaluate, package, "
                + "deploy, detect a fault on the device, write an HTML report.")
final class DemoCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = "--out", defaultValue = "gyrosentinel-out", description = "Output folder (default: ${DEFAULT-VALUE})")
    Path out;

    @Option(names = "--train-seconds", defaultValue = "60", description = "Seconds of normal data to train on (default: ${DEFAULT-VALUE})")
    double trainSeconds;

    @Option(names = "--test-seconds", defaultValue = "15", description = "Seconds of each test session (default: ${DEFAULT-VALUE})")
    double testSeconds;

    @Option(names = "--monitor-seconds", defaultValue = "10", description = "Seconds of live monitoring per phase (default: ${DEFAULT-VALUE})")
    double monitorSeconds;

    @Option(names = "--epochs", defaultValue = "40", description = "Maximum training epochs (default: ${DEFAULT-VALUE})")
    int epochs;

    @Option(names = "--seed", defaultValue = "7", description = "Seed of the simulated machine and the training (default: ${DEFAULT-VALUE})")
    long seed;

    /** What the demo found, for tests. */
    record Outcome(long eventsBeforeFault, long eventsAfterFault, double detectionDelaySeconds, Path report,
                   Precision shipped, double rocAuc) {
    }

    volatile Outcome outcome;

    @Override
    public Integer call() throws Exception {
        PrintWriter pw = spec.commandLine().getOut();
        long t0 = System.nanoTime();
        Files.createDirectories(out);
        SensorConfig cfg = SensorConfig.builder().odrHz(960).fullScaleDps(250).batchSize(48).build();
        KeyPair keys = SigningKeys.generate();
        Path priv = out.resolve("keys/demo-signing.pem");
        Path pub = out.resolve("keys/demo-signing.pub.pem");
        SigningKeys.write(keys, priv, pub);

        pw.println("== GyroSentinel demo: a fan at 1500 rpm, a simulated ESP32-S3 + ISM330BX, no hardware");
        try (VirtualDevice dev = VirtualDevice.builder().deviceId("demo-fan").seed(seed).machine(MachineModel.fan(1500))
                .config(cfg).realTime(false).trustedKey(SigningKeys.readPublicKey(pub))
                .slotSize(1 << 20).build(); // 1 MiB model slots, as in the firmware's partition table
             DeviceClient client = DeviceClient.builder().transport(dev.newTransport()).connect()) {
            pw.printf("1. connected over the real protocol: %s, firmware %s, protocol v%d, %s; accepts only bundles "
                            + "signed by %s%n", client.info().deviceId(), client.info().firmwareVersion(),
                    client.info().protocolVersion(), client.info().sensorModel(), pub);

            // ---- record
            Path trainRec = out.resolve("normal-train.gsr");
            Path normalTest = out.resolve("normal-test.gsr");
            Path faultTest = out.resolve("imbalance-test.gsr");
            record(pw, client, trainRec, SessionLabel.NORMAL, trainSeconds);
            record(pw, client, normalTest, SessionLabel.NORMAL, testSeconds);
            dev.injectFault(new Fault.Imbalance(0.5));
            record(pw, client, faultTest, SessionLabel.ANOMALOUS, testSeconds);
            dev.clearFaults();

            // ---- train
            List<TimeSeries> train = Sessions.read(List.of(trainRec), SessionLabel.NORMAL);
            List<double[]> losses = new ArrayList<>();
            TrainedModel model;
            try (ProgressBar bar = Progress.bar("2. train", epochs, "epochs")) {
                // threshold at the 99.9 % quantile of the validation windows: the device raises an event
                // after 3 windows above it, and neighbouring windows are correlated, so the default 99 %
                // would let a slow speed wander raise false events now and then
                model = AutoencoderTrainer.builder().windowLength(40).stride(10).maxEpochs(epochs).seed(seed)
                        .thresholdPolicy(io.gyrosentinel.training.ThresholdPolicy.quantile(0.999))
                        .listener(r -> {
                            losses.add(new double[] {r.epoch(), r.trainLoss(), r.validationLoss()});
                            bar.stepTo(r.epoch());
                            bar.setExtraMessage(extra(r));
                        }).build().train(train);
                bar.stepTo(bar.getMax());
            }
            Path modelDir = out.resolve("model");
            deleteRecursively(modelDir); // the demo's own output of an earlier run: a model is never saved over another
            model.save(modelDir);
            pw.printf(Locale.ROOT, "2. trained the LSTM autoencoder (40 x 3 as %d steps of %d samples -> 16,8 -> 8,16) on "
                            + "%.0f s of normal data: %d epochs, best validation loss %.4f, threshold %.4f%n",
                    model.architecture().steps(), model.architecture().samplesPerStep(), trainSeconds,
                    model.history().epochs().size(), model.history().bestValidationLoss(), model.threshold().value());

            // ---- evaluate on held-out sessions
            List<TimeSeries> test = new ArrayList<>(Sessions.read(List.of(normalTest), SessionLabel.NORMAL));
            test.addAll(Sessions.read(List.of(faultTest), SessionLabel.ANOMALOUS));
            EvaluationReport eval = model.evaluate(test, 10);
            EvaluateCommand.writeJson(eval, out.resolve("metrics.json"));
            pw.printf(Locale.ROOT, "3. evaluated on held-out normal and imbalance sessions: ROC-AUC %.4f, F1 %.4f, "
                    + "false alarms %.4f, missed %.4f%n", eval.rocAuc(), eval.f1(), eval.falseAlarmRate(), eval.missedAlarmRate());

            // ---- package (int16x8, the default), signed, verified in a real TFLite runtime
            float[][] trainWindows = windows(Recording.read(trainRec), 40, 10);
            float[][] faultWindows = windows(Recording.read(faultTest), 40, 10);
            ModelPackager.Builder pb = ModelPackager.builder().modelId("demo-fan-1")
                    .sampleRateHz(cfg.sampleRateHz()).signingKey(SigningKeys.readPrivateKey(priv));
            PackagedModel packaged;
            try {
                packaged = pb.build().pack(model, trainWindows, faultWindows);
            } catch (PackagingException e) {
                if (e.reason() != PackagingException.Reason.VERIFICATION_FAILED) {
                    throw e;
                }
                pw.println("4. int16x8 refused by verification (" + GyroSentinelCli.describe(e)
                        + "); shipping float32");
                packaged = pb.precision(Precision.FLOAT32).build().pack(model, trainWindows, faultWindows);
            }
            Path bundle = out.resolve("demo-fan-1.gsb");
            packaged.bundle().write(bundle);
            var rep = packaged.report();
            CostCard cost = rep.shippedCost();
            var ver = rep.shippedVerification();
            pw.printf(Locale.ROOT, "4. packaged %s for TFLite Micro, signed: %s (%d bytes)%s%n", rep.shipped().id(), bundle,
                    packaged.bundle().payloadSize(), rep.fellBack() ? "; int8 failed verification (Spearman "
                            + String.format(Locale.ROOT, "%.4f", rep.int8().spearman()) + "), so int16x8" : "");
            pw.printf(Locale.ROOT, "   verified in TFLite 2.6.2: %s (Spearman %.4f, ROC-AUC %.4f vs %.4f, max |err| %.2g)%n",
                    ver.passed() ? "passed" : "FAILED", ver.spearman(), ver.rocAuc(), ver.referenceRocAuc(), ver.maxAbsError());
            if (ver.micro().ran()) {
                pw.printf(Locale.ROOT, "   %s%n", ver.micro());
            }
            pw.printf(Locale.ROOT, "   cost card: %.0f MACs/sample, est. %.1f µs/sample on an ESP32-S3 = %.0f %% of a core "
                    + "at %.0f Hz, %.0f %% at the sensor's 3840 Hz maximum%n", cost.macsPerSample(), cost.microsPerSample(),
                    cost.percentOfCore(), cost.sampleRateHz(), cost.microsPerSample() * 3840 / 1e4);

            // ---- deploy over the protocol
            DeployResult dr;
            try (ProgressBar bar = Progress.bar("5. deploy", packaged.bundle().payloadSize(), "B")) {
                dr = client.deploy(packaged.bundle(), DeployOptions.builder().onProgress((sent, total) -> bar.stepTo(sent)).build());
            }
            pw.printf(Locale.ROOT, "5. deployed to slot %d and activated in %d ms (%d bytes, sha256 %s...)%n", dr.slot(),
                    dr.elapsed().toMillis(), dr.bytesSent(), dr.sha256().substring(0, 16));

            // ---- monitor: the device's own inference
            dev.setRealTime(true);
            List<InferenceResult> results = new CopyOnWriteArrayList<>();
            List<AnomalyEvent> events = new CopyOnWriteArrayList<>();
            AutoCloseable sink = client.collectTo(new Collector() {
                public void onResult(InferenceResult r) { results.add(r); }
                public void onEvent(AnomalyEvent e) {
                    events.add(e);
                    synchronized (pw) {
                        pw.printf(Locale.ROOT, "   device event %d %s (peak score %.3f)%n", e.eventId(), e.state(), e.peakScore());
                    }
                }
            });
            List<float[]> signal = new ArrayList<>();
            long faultAtMicros;
            long streamStartMicros;
            pw.printf(Locale.ROOT, "6. monitoring live: %.0f s normal, then an imbalance for %.0f s, then normal again%n",
                    monitorSeconds, monitorSeconds);
            try (GyroStream s = client.stream(StreamOptions.defaults().withResults(true))) {
                SampleBlock first = s.poll(Duration.ofSeconds(5));
                streamStartMicros = first.timestampMicros();
                keep(signal, first);
                drain(s, signal, monitorSeconds);
                long before = dev.faultChangeMicros();
                dev.injectFault(new Fault.Imbalance(0.5));
                faultAtMicros = awaitFaultChange(dev, before);
                pw.println("   fault injected: imbalance +50 % first harmonic");
                drain(s, signal, monitorSeconds);
                dev.clearFaults();
                pw.println("   fault cleared");
                drain(s, signal, monitorSeconds * 0.6);
            }
            Thread.sleep(300); // let the last results arrive
            sink.close();

            // An event whose first window ended before the first faulty sample is a false alarm;
            // one whose first window reaches the fault is a detection (a window overlaps the onset).
            long windowMicros = Math.round(40 * 1e6 / cfg.sampleRateHz());
            long falseBefore = events.stream().filter(e -> e.state() == AnomalyEvent.State.STARTED
                    && e.startTimestampMicros() + windowMicros <= faultAtMicros).count();
            List<AnomalyEvent> after = events.stream().filter(e -> e.state() == AnomalyEvent.State.STARTED
                    && e.startTimestampMicros() + windowMicros > faultAtMicros).toList();
            double delay = after.isEmpty() ? Double.NaN
                    : Math.max(0, after.get(0).startTimestampMicros() + windowMicros - faultAtMicros) / 1e6;
            int p50 = results.isEmpty() ? 0 : results.stream().mapToInt(InferenceResult::inferenceMicros).sorted()
                    .toArray()[results.size() / 2];
            pw.printf(Locale.ROOT, "7. the device scored %d windows itself (host TFLite, median %d µs/window): "
                    + "%d anomaly event(s) before the fault, %s%n", results.size(), p50, falseBefore,
                    after.isEmpty() ? "NONE after it" : String.format(Locale.ROOT, "first event %.2f s after the fault", delay));

            // ---- report
            Path report = out.resolve("report.html");
            writeReport(report, cfg, signal, results, events, streamStartMicros, faultAtMicros, eval, losses, cost, ver,
                    rep.shipped(), dr);
            double secs = (System.nanoTime() - t0) / 1e9;
            pw.printf(Locale.ROOT, "8. report: %s%n", report.toAbsolutePath());
            pw.printf(Locale.ROOT, "done in %.0f s; everything is in %s%n", secs, out.toAbsolutePath());
            outcome = new Outcome(falseBefore, after.size(), delay, report, rep.shipped(), eval.rocAuc());
            return after.isEmpty() ? GyroSentinelCli.EXIT_FAILURE : 0;
        }
    }

    private static void deleteRecursively(Path dir) throws java.io.IOException {
        if (!Files.exists(dir)) {
            return;
        }
        try (var walk = Files.walk(dir)) {
            for (Path p : walk.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        }
    }

    /** Waits until the streamer applied the fault and returns the sensor time of its first faulty sample. */
    private static long awaitFaultChange(VirtualDevice dev, long before) throws InterruptedException {
        long deadline = System.nanoTime() + 2_000_000_000L;
        while (dev.faultChangeMicros() == before && System.nanoTime() < deadline) {
            Thread.sleep(5);
        }
        return dev.faultChangeMicros();
    }

    private static void keep(List<float[]> signal, SampleBlock b) {
        float[] v = new float[b.count() * b.channels()];
        b.values(v, 0);
        signal.add(v);
    }

    private static void drain(GyroStream s, List<float[]> signal, double seconds) {
        long end = System.nanoTime() + (long) (seconds * 1e9);
        while (System.nanoTime() < end) {
            SampleBlock b = s.poll(Duration.ofMillis(200));
            if (b != null) {
                keep(signal, b);
            }
        }
    }

    private void record(PrintWriter pw, DeviceClient client, Path file, SessionLabel label, double seconds) throws Exception {
        SensorConfig cfg = client.config();
        long n = Math.round(seconds * cfg.sampleRateHz());
        SessionInfo info = RecordingWriter.deviceSession(label, "demo-fan", cfg, "device:" + client.uri());
        long got = 0;
        long gaps;
        try (RecordingWriter w = RecordingWriter.create(file, info, cfg, client.info());
             GyroStream s = client.stream(StreamOptions.defaults().withMaxSamples(n).withResults(false))) {
            AutoCloseable h = s.collectTo(w);
            SampleBlock blk;
            while ((blk = s.poll(Duration.ofSeconds(5))) != null) {
                got += blk.count();
            }
            h.close();
            gaps = s.stats().gaps();
        }
        pw.printf(Locale.ROOT, "   recorded %s: %s, %d samples (%.0f s at %.0f Hz), %d gaps%n", file.getFileName(),
                label.name().toLowerCase(Locale.ROOT), got, seconds, cfg.sampleRateHz(), gaps);
    }

    /** Raw windows of a recording, cut inside its contiguous runs (never across a gap or boundary). */
    static float[][] windows(Recording r, int size, int stride) {
        List<float[]> out = new ArrayList<>();
        for (var run : r.runs()) {
            WindowAssembler a = new WindowAssembler(size, stride, w -> out.add(w.values()));
            run.forEach(a::accept);
        }
        return out.toArray(new float[0][]);
    }

    private static String extra(EpochReport r) {
        return String.format(Locale.ROOT, " loss %.4f val %.4f", r.trainLoss(), r.validationLoss());
    }

    private void writeReport(Path report, SensorConfig cfg, List<float[]> signal, List<InferenceResult> results,
                             List<AnomalyEvent> events, long t0Micros, long faultAtMicros, EvaluationReport eval,
                             List<double[]> losses, CostCard cost, io.gyrosentinel.training.packaging.Verification ver,
                             Precision shipped, DeployResult dr) throws Exception {
        int total = signal.stream().mapToInt(a -> a.length).sum();
        float[] sig = new float[total];
        int off = 0;
        for (float[] a : signal) {
            System.arraycopy(a, 0, sig, off, a.length);
            off += a.length;
        }
        double faultAt = (faultAtMicros - t0Micros) / 1e6;
        double[] times = new double[results.size()];
        double[] scores = new double[results.size()];
        for (int i = 0; i < results.size(); i++) {
            times[i] = (results.get(i).endTimestampMicros() - t0Micros) / 1e6;
            scores[i] = results.get(i).score();
        }
        Map<Long, double[]> ev = new LinkedHashMap<>();
        double lastT = times.length == 0 ? 0 : times[times.length - 1];
        for (AnomalyEvent e : events) {
            double s = (e.startTimestampMicros() - t0Micros) / 1e6;
            double[] span = ev.computeIfAbsent(e.eventId(), k -> new double[] {s, lastT}); // open until it ends
            if (e.state() == AnomalyEvent.State.ENDED && e.endTimestampMicros() > 0) {
                span[1] = (e.endTimestampMicros() - t0Micros) / 1e6;
            }
        }
        List<WindowScore> ws = eval.windows();
        double[] es = new double[ws.size()];
        boolean[] el = new boolean[ws.size()];
        for (int i = 0; i < ws.size(); i++) {
            es[i] = ws.get(i).score();
            el[i] = ws.get(i).anomalous();
        }
        Map<String, Object> metrics = new LinkedHashMap<>(EvaluateCommand.metrics(eval));
        metrics.remove("confusion");
        Map<String, Object> costRows = new LinkedHashMap<>();
        costRows.put("precision shipped", shipped.id());
        costRows.put("layout", cost.layout() + ", stride " + cost.stride());
        costRows.put("MACs per window / per sample", cost.macsPerWindow() + " / " + Math.round(cost.macsPerSample()));
        costRows.put("ops per sample, invokes per sample", String.format(Locale.ROOT, "%.1f, %.3f", cost.opsPerSample(),
                cost.invokesPerSample()));
        costRows.put("tensor arena (estimate)", cost.arenaBytes() + " B");
        costRows.put("flash", cost.flashBytes() + " B");
        costRows.put("ESP32-S3 µs per sample (estimate)", String.format(Locale.ROOT, "%.1f", cost.microsPerSample()));
        costRows.put("share of one core at " + Math.round(cost.sampleRateHz()) + " Hz / at 3840 Hz",
                String.format(Locale.ROOT, "%.0f %% / %.0f %%", cost.percentOfCore(), cost.microsPerSample() * 3840 / 1e4));
        costRows.put("verdict", cost.verdict());
        costRows.put("verification", String.format(Locale.ROOT, "%s: Spearman %.4f, ROC-AUC %.4f (reference %.4f), max |err| %.2g",
                ver.passed() ? "passed" : "failed", ver.spearman(), ver.rocAuc(), ver.referenceRocAuc(), ver.maxAbsError()));
        Map<String, Object> dep = new LinkedHashMap<>();
        dep.put("model id", dr.modelId());
        dep.put("slot", dr.slot());
        dep.put("activated", dr.activated());
        dep.put("runsInference", dr.runsInference());
        dep.put("bytes sent", dr.bytesSent());
        dep.put("sha256", dr.sha256());
        dep.put("time", dr.elapsed().toMillis() + " ms");
        dep.put("signature", "ECDSA P-256, checked by the device");
        long windowMicros = Math.round(40 * 1e6 / cfg.sampleRateHz());
        long before = events.stream().filter(e -> e.state() == AnomalyEvent.State.STARTED
                && e.startTimestampMicros() + windowMicros <= faultAtMicros).count();
        dep.put("anomaly events before / after the fault", before + " / " + events.stream()
                .filter(e -> e.state() == AnomalyEvent.State.STARTED && e.startTimestampMicros() + windowMicros > faultAtMicros)
                .count());
        new HtmlReport("GyroSentinel demo: simulated fan, imbalance detected on the device")
                .summary("A simulated ESP32-S3 with an ISM330BX on a 1500 rpm fan. An LSTM autoencoder was trained in Java on "
                        + "normal data, packaged for TensorFlow Lite Micro (" + shipped.id() + ", signed), deployed over the "
                        + "GyroSentinel protocol, and run by the device itself; an imbalance (+50 % first harmonic) was injected "
                        + String.format(Locale.ROOT, "%.1f s into the live stream.", faultAt))
                .signals(List.of("x", "y", "z"), "dps", cfg.sampleRateHz(), sig, 4000, faultAt)
                .scores(times, scores, results.isEmpty() ? 0 : results.get(0).threshold(), new ArrayList<>(ev.values()),
                        faultAt, "device inference")
                .roc(es, el, eval.rocAuc())
                .losses(losses)
                .table("metrics", "Evaluation on held-out sessions", metrics)
                .table("cost", "Cost card (" + shipped.id() + ")", costRows)
                .table("deploy", "Deployment", dep)
                .write(report);
    }
}
