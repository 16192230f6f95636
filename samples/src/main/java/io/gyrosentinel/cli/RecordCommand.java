package io.gyrosentinel.cli;

import io.gyrosentinel.SampleBlock;
import io.gyrosentinel.SensorConfig;
import io.gyrosentinel.client.DeviceClient;
import io.gyrosentinel.client.StreamOptions;
import io.gyrosentinel.recording.RecordingWriter;
import io.gyrosentinel.recording.SessionInfo;
import io.gyrosentinel.recording.SessionLabel;
import io.gyrosentinel.stream.GyroStream;
import io.gyrosentinel.stream.GyroStreamStats;
import me.tongfei.progressbar.ProgressBar;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;

@Command(name = "record", mixinStandardHelpOptions = true,
        description = "Record a labelled session from a device into a recording file (.gsr).")
final class RecordCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = "--device", required = true, description = "Device URI, e.g. sim:, serial:/dev/ttyUSB0, mqtt://host:1883/dev-1")
    String device;

    @Option(names = "--duration", required = true, converter = Durations.class, description = "How long, e.g. 30s, 5m")
    Duration duration;

    @Option(names = "--label", defaultValue = "unlabelled", description = "normal, anomalous or unlabelled (default: ${DEFAULT-VALUE})")
    String label;

    @Option(names = "--machine", defaultValue = "", description = "Machine id stored with the session")
    String machine;

    @Option(names = "--tag", description = "Free tag KEY=VALUE (repeatable)")
    Map<String, String> tags = new LinkedHashMap<>();

    @Option(names = "--odr", description = "Sensor output data rate in Hz (7.5 ... 3840)")
    Double odr;

    @Option(names = "--full-scale", description = "Full scale in dps (125 ... 4000)")
    Integer fullScale;

    @Option(names = "--batch", description = "Samples per batch")
    Integer batch;

    @Option(names = "--out", required = true, description = "Output recording file")
    Path out;

    @Override
    public Integer call() throws Exception {
        SessionLabel l = SessionLabel.parse(label);
        var pw = spec.commandLine().getOut();
        try (DeviceClient c = DeviceClient.connect(device)) {
            if (odr != null || fullScale != null || batch != null) {
                SensorConfig.Builder b = c.config().toBuilder();
                if (odr != null) b.odrHz(odr);
                if (fullScale != null) b.fullScaleDps(fullScale);
                if (batch != null) b.batchSize(batch);
                c.configure(b.build());
            }
            SensorConfig cfg = c.config();
            long target = Math.round(duration.toNanos() / 1e9 * cfg.sampleRateHz());
            pw.printf("recording %s from %s (%s, %.1f Hz, ±%d dps, %d axes) for %s%n", out, c.info().deviceId(),
                    c.info().firmwareVersion(), cfg.sampleRateHz(), cfg.fullScaleDps(), cfg.channels(), duration);
            SessionInfo info = RecordingWriter.deviceSession(l, machine, cfg, "device:" + c.uri()).withTags(tags);
            GyroStreamStats stats;
            long written;
            try (RecordingWriter w = RecordingWriter.create(out, info, cfg, c.info());
                 ProgressBar bar = Progress.bar("record", target, "samples")) {
                try (GyroStream s = c.stream(StreamOptions.defaults().withMaxSamples(target))) {
                    AutoCloseable h = s.collectTo(w);
                    long got = 0;
                    long deadline = System.nanoTime() + duration.toNanos() + Duration.ofSeconds(10).toNanos();
                    SampleBlock blk;
                    while (got < target && System.nanoTime() < deadline
                            && (blk = s.poll(Duration.ofSeconds(5))) != null) {
                        got += blk.count() + blk.missingBefore();
                        bar.stepTo(Math.min(got, target));
                    }
                    s.close();
                    h.close();
                    stats = s.stats();
                }
                written = w.samples();
            }
            pw.printf("wrote %d samples to %s%n", written, out);
            if (stats.gaps() == 0) {
                pw.println("gaps: none");
            } else {
                pw.printf("gaps: %d, %d samples missing (%.3f %%)%n", stats.gaps(), stats.missingSamples(),
                        100.0 * stats.missingSamples() / Math.max(1, written + stats.missingSamples()));
            }
            var cs = c.stats();
            if (cs.badFrames() > 0) {
                pw.printf("link: %d corrupted frames dropped%n", cs.badFrames());
            }
        }
        return 0;
    }
}
