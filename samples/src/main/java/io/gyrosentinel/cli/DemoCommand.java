package io.gyrosentinel.cli;

import io.gyrosentinel.SensorConfig;
import io.gyrosentinel.client.DeviceClient;
import io.gyrosentinel.client.StreamOptions;
import io.gyrosentinel.recording.Recording;
import io.gyrosentinel.recording.RecordingWriter;
import io.gyrosentinel.recording.SessionInfo;
import io.gyrosentinel.recording.SessionLabel;
import io.gyrosentinel.sim.Fault;
import io.gyrosentinel.sim.MachineModel;
import io.gyrosentinel.sim.VirtualDevice;
import io.gyrosentinel.stream.GyroStream;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.Callable;

/**
 * The main job: a simulated machine, no hardware. Streams from a VirtualDevice through the real
 * protocol, records a normal and a faulty session, and reads them back.
 */
@Command(name = "demo", mixinStandardHelpOptions = true,
        description = "End-to-end demo on a simulated device (no hardware needed).")
final class DemoCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = "--out", defaultValue = "gyrosentinel-out", description = "Output folder (default: ${DEFAULT-VALUE})")
    Path out;

    @Option(names = "--seconds", defaultValue = "5", description = "Seconds per recorded session (default: ${DEFAULT-VALUE})")
    double seconds;

    @Option(names = "--seed", defaultValue = "7", description = "Seed of the simulated machine (default: ${DEFAULT-VALUE})")
    long seed;

    @Override
    public Integer call() throws Exception {
        PrintWriter pw = spec.commandLine().getOut();
        Files.createDirectories(out);
        SensorConfig cfg = SensorConfig.builder().odrHz(1920).fullScaleDps(250).batchSize(64).build();
        pw.println("== GyroSentinel demo: a fan at 1500 rpm on a simulated ESP32-S3 + ISM330BX");
        try (VirtualDevice dev = VirtualDevice.builder().deviceId("demo-fan").seed(seed).machine(MachineModel.fan(1500))
                .config(cfg).realTime(true).build();
             DeviceClient client = DeviceClient.builder().transport(dev.newTransport()).connect()) {
            pw.printf("connected: %s, firmware %s, protocol v%d, sensor %s%n", client.info().deviceId(),
                    client.info().firmwareVersion(), client.info().protocolVersion(), client.info().sensorModel());
            pw.printf("ping: %.2f ms%n", client.ping().toNanos() / 1e6);
            Path normal = out.resolve("normal.gsr");
            Path faulty = out.resolve("imbalance.gsr");
            record(pw, client, normal, SessionLabel.NORMAL);
            dev.injectFault(new Fault.Imbalance(0.5));
            pw.println("injected fault: imbalance (+50 % first harmonic)");
            record(pw, client, faulty, SessionLabel.ANOMALOUS);
            dev.clearFaults();
            var t = client.telemetry();
            pw.printf("device telemetry: uptime %.1f s, %d batches sent, %d bad frames%n", t.uptimeMillis() / 1000.0,
                    t.batchesSent(), t.badFrames());
            double a = firstHarmonic(Recording.read(normal), 25);
            double b = firstHarmonic(Recording.read(faulty), 25);
            pw.printf("first harmonic (25 Hz) on X: normal %.3f dps, imbalance %.3f dps (x%.2f)%n", a, b, b / a);
            pw.printf("recordings: %s, %s%n", normal.toAbsolutePath(), faulty.toAbsolutePath());
        }
        return 0;
    }

    private void record(PrintWriter pw, DeviceClient client, Path file, SessionLabel label) throws Exception {
        SensorConfig cfg = client.config();
        long n = Math.round(seconds * cfg.sampleRateHz());
        SessionInfo info = RecordingWriter.deviceSession(label, "demo-fan", cfg, "device:" + client.uri());
        try (RecordingWriter w = RecordingWriter.create(file, info, cfg, client.info());
             var bar = Progress.bar("record " + label.name().toLowerCase(java.util.Locale.ROOT), n, "samples")) {
            try (GyroStream s = client.stream(StreamOptions.defaults().withMaxSamples(n))) {
                AutoCloseable h = s.collectTo(w);
                long got = 0;
                io.gyrosentinel.SampleBlock blk;
                while ((blk = s.poll(Duration.ofSeconds(5))) != null) {
                    got += blk.count();
                    bar.stepTo(got);
                }
                h.close();
                pw.printf("recorded %s: %d samples, %d gaps%n", file.getFileName(), got, s.stats().gaps());
            }
        }
    }

    private static double firstHarmonic(Recording r, double hz) {
        float[] v = r.values();
        int ch = r.channels();
        int n = v.length / ch;
        double rate = r.info().sampleRateHz();
        double re = 0;
        double im = 0;
        for (int i = 0; i < n; i++) {
            double ph = 2 * Math.PI * hz * i / rate;
            re += v[i * ch] * Math.cos(ph);
            im += v[i * ch] * Math.sin(ph);
        }
        return 2 * Math.hypot(re, im) / n;
    }
}
