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
        description = "Record a labelled session from a device into a recording file (.gsr). Runs for the whole "
                + "duration through link outages; exits 1 when samples are missing (they are marked as gaps).")
final class RecordCommand implements Callable<Integer> {
    /** A link this long without a block is reported as quiet (the recording goes on). */
    static final Duration SILENCE = Duration.ofSeconds(5);
    /** How long after the duration the recording waits for samples still on their way. */
    static final Duration GRACE = Duration.ofSeconds(10);

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
            pw.printf("recording %s from %s (%s, %.1f Hz, ±%d dps, %d axes) for %s%n", out, Terminal.safe(c.info().deviceId()),
                    Terminal.safe(c.info().firmwareVersion()), cfg.sampleRateHz(), cfg.fullScaleDps(), cfg.channels(), duration);
            SessionInfo info = RecordingWriter.deviceSession(l, machine, cfg, "device:" + c.uri()).withTags(tags);
            GyroStreamStats stats;
            long written;
            long neverArrived;
            int silences = 0;
            try (RecordingWriter w = RecordingWriter.create(out, info, cfg, c.info());
                 ProgressBar bar = Progress.bar("record", target, "samples")) {
                try (GyroStream s = c.stream(StreamOptions.defaults().withMaxSamples(target))) {
                    AutoCloseable h = s.collectTo(w);
                    long got = 0;
                    // The recording lasts its duration whatever the link does: a quiet link (a broker restarting, a
                    // cable pulled) is waited out, and what it cost is counted. Grace after the duration: samples
                    // still in flight, or a link that came back late.
                    long deadline = System.nanoTime() + duration.toNanos() + GRACE.toNanos();
                    boolean quiet = false;
                    while (got < target && System.nanoTime() < deadline) {
                        long left = deadline - System.nanoTime();
                        SampleBlock blk = s.poll(Duration.ofNanos(Math.max(1, Math.min(left, SILENCE.toNanos()))));
                        if (blk == null) {
                            if (!quiet) {
                                silences++;
                                quiet = true;
                            }
                            if (s.isDone()) {
                                break; // the stream ended for good (device gone); what is missing is reported
                            }
                            continue;
                        }
                        quiet = false;
                        got += blk.count() + blk.missingBefore();
                        bar.stepTo(Math.min(got, target));
                    }
                    s.close();
                    h.close();
                    stats = s.stats();
                    neverArrived = Math.max(0, target - got);
                }
                written = w.samples();
                if (neverArrived > 0) {
                    // samples the duration called for that never came: a gap at the end, so the file says so too
                    w.writeGap(written + stats.missingSamples(), neverArrived, 0, "never-arrived");
                }
            }
            pw.printf("wrote %d samples to %s%n", written, out);
            long missing = stats.missingSamples() + neverArrived;
            if (stats.gaps() == 0 && neverArrived == 0) {
                pw.println("gaps: none");
            } else {
                pw.printf("gaps: %d, %d samples missing (%.3f %%)%s%n", stats.gaps() + (neverArrived > 0 ? 1 : 0),
                        missing, 100.0 * missing / Math.max(1, target), neverArrived > 0 ? "; " + neverArrived
                                + " of them never arrived before the duration ended" : "");
            }
            if (silences > 0) {
                pw.printf("link: quiet %d time(s) for %s or more; waited it out%n", silences, SILENCE);
            }
            var cs = c.stats();
            if (cs.badFrames() > 0) {
                pw.printf("link: %d corrupted frames dropped%n", cs.badFrames());
            }
            if (missing > 0) {
                spec.commandLine().getErr().printf("error: %d of %d samples are missing from %s (gaps are marked in "
                        + "the recording)%n", missing, target, out);
                return GyroSentinelCli.EXIT_FAILURE;
            }
        }
        return 0;
    }
}
