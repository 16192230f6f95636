package io.gyrosentinel.cli;

import io.gyrosentinel.recording.Recording;
import io.gyrosentinel.recording.SessionLabel;
import io.gyrosentinel.stream.WindowAssembler;
import io.gyrosentinel.training.AnomalyModel;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

import java.io.BufferedWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;

@Command(name = "score", mixinStandardHelpOptions = true,
        description = "Score a recording window by window; one CSV row per window: start, end, score, flag (and label).")
final class ScoreCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = "--model", required = true, description = "Model directory")
    Path model;

    @Option(names = "--data", required = true, description = "Recording to score")
    Path data;

    @Option(names = "--stride", description = "Window stride (default: window / 4)")
    Integer stride;

    @Option(names = "--out", required = true, description = "CSV file to write")
    Path out;

    @Override
    public Integer call() throws Exception {
        AnomalyModel m = AnomalyModel.load(model);
        Recording r = Recording.read(data);
        int win = m.windowLength();
        int ch = m.channels();
        if (r.channels() != ch) {
            throw new IllegalArgumentException("model " + model + " expects " + ch + " channels, recording " + data
                    + " has " + r.channels() + " " + r.info().channelNames());
        }
        int st = stride != null ? stride : Math.max(1, win / 4);
        List<long[]> ranges = new ArrayList<>();
        List<float[]> windows = new ArrayList<>();
        // one assembler per contiguous run: no window spans an outage, a clock step or a file boundary
        for (var run : r.runs()) {
            WindowAssembler a = new WindowAssembler(win, st, w -> {
                ranges.add(new long[] {w.startSample(), w.endSample()});
                windows.add(w.values());
            });
            run.forEach(a::accept);
        }
        double[] scores = m.score(windows.toArray(new float[0][]));
        boolean labelled = !r.labelRuns().isEmpty() || r.info().label() != SessionLabel.UNLABELLED;
        double thr = m.threshold().value();
        long[] flaggedCount = {0};
        io.gyrosentinel.io.AtomicFiles.write(out, false, stream -> {
            BufferedWriter w = new BufferedWriter(new java.io.OutputStreamWriter(stream, StandardCharsets.UTF_8));
            w.write("start_sample,end_sample,score,flag" + (labelled ? ",label" : "") + "\n");
            for (int i = 0; i < scores.length; i++) {
                boolean flag = scores[i] > thr;
                flaggedCount[0] += flag ? 1 : 0;
                long s = ranges.get(i)[0];
                long e = ranges.get(i)[1];
                String label = "";
                if (labelled) {
                    boolean anom = false;
                    for (long k = s; k < e && !anom; k++) {
                        anom = r.labelAt(k) == SessionLabel.ANOMALOUS;
                    }
                    label = "," + (anom ? "anomalous" : "normal");
                }
                w.write(String.format(Locale.ROOT, "%d,%d,%.6g,%d%s%n", s, e, scores[i], flag ? 1 : 0, label));
            }
            w.flush();
        });
        long flagged = flaggedCount[0];
        spec.commandLine().getOut().printf(Locale.ROOT, "%d windows scored, %d above the threshold %.5f; written to %s%n",
                scores.length, flagged, thr, out);
        return 0;
    }
}
