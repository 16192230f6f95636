package io.gyrosentinel.cli;

import io.gyrosentinel.recording.Recording;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;

@Command(name = "info", mixinStandardHelpOptions = true, description = "Describe recordings: label, channels, rate, duration, gaps, statistics.")
final class InfoCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Parameters(arity = "1..*", paramLabel = "SESSION", description = "Recording files")
    List<Path> files;

    @Option(names = "--lenient", description = "Read truncated recordings up to the cut")
    boolean lenient;

    @Override
    public Integer call() {
        var pw = spec.commandLine().getOut();
        for (Path f : files) {
            Recording r = Recording.read(f, lenient);
            var i = r.info();
            pw.printf("%s%n", f);
            pw.printf("  label %s, machine '%s', tags %s, source %s%n", i.label().name().toLowerCase(java.util.Locale.ROOT),
                    i.machineId(), i.tags(), i.source());
            pw.printf("  %d samples x %d channels %s [%s], %.3f Hz, %.1f s%s%n", r.samples(), r.channels(),
                    i.channelNames(), i.unit(), i.sampleRateHz(), r.samples() / Math.max(1e-9, i.sampleRateHz()),
                    r.complete() ? "" : " (TRUNCATED)");
            long missing = r.gaps().stream().mapToLong(g -> g.missingSamples()).sum();
            pw.printf("  gaps: %d (%d samples missing), label runs: %d, results: %d, events: %d%n", r.gaps().size(),
                    missing, r.labelRuns().size(), r.results().size(), r.events().size());
            if (r.device() != null) {
                pw.printf("  device %s, firmware %s, chip %s, sensor %s%n", r.device().deviceId(),
                        r.device().firmwareVersion(), r.device().chip(), r.device().sensorModel());
            }
            float[] v = r.values();
            int ch = r.channels();
            for (int c = 0; c < ch; c++) {
                double sum = 0;
                double sq = 0;
                float min = Float.MAX_VALUE;
                float max = -Float.MAX_VALUE;
                int n = v.length / ch;
                for (int k = 0; k < n; k++) {
                    float x = v[k * ch + c];
                    sum += x;
                    sq += x * x;
                    min = Math.min(min, x);
                    max = Math.max(max, x);
                }
                double mean = sum / Math.max(1, n);
                pw.printf("  %-6s mean %9.4f  rms %9.4f  min %9.4f  max %9.4f%n", i.channelNames().get(c), mean,
                        Math.sqrt(sq / Math.max(1, n)), min, max);
            }
        }
        return 0;
    }
}
