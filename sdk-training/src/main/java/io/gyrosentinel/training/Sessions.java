package io.gyrosentinel.training;

import io.gyrosentinel.SampleBlock;
import io.gyrosentinel.recording.Recording;
import io.gyrosentinel.recording.SessionLabel;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Turns recordings (sdk-core's {@code .gsr} files) into {@link TimeSeries} for training and
 * evaluation. A recording is split at its gaps: windows must never span missing samples.
 * The session label becomes the series label; per-sample label runs (e.g. from a CSV label
 * column) become per-sample labels.
 */
public final class Sessions {
    private Sessions() {
    }

    /** Reads recordings; every contiguous segment becomes one series. */
    public static List<TimeSeries> read(List<Path> files) {
        List<TimeSeries> out = new ArrayList<>();
        for (Path f : files) {
            out.addAll(fromRecording(Recording.read(f)));
        }
        return out;
    }

    /** Reads recordings and forces a label (e.g. "these are the anomalous sessions"). */
    public static List<TimeSeries> read(List<Path> files, TimeSeries.Label label) {
        List<TimeSeries> out = new ArrayList<>();
        for (TimeSeries t : read(files)) {
            out.add(t.toBuilder().label(label).build());
        }
        return out;
    }

    public static List<TimeSeries> fromRecording(Recording r) {
        List<TimeSeries> out = new ArrayList<>();
        List<List<SampleBlock>> runs = r.runs();
        List<float[]> values = r.segments();
        for (int i = 0; i < runs.size(); i++) {
            out.add(segment(r, runs.get(i), values.get(i), i));
        }
        return out;
    }

    private static TimeSeries segment(Recording r, List<SampleBlock> run, float[] v, int index) {
        int ch = r.channels();
        int n = v.length / ch;
        String name = r.path().getFileName() + (index > 0 || r.gaps().size() > 0 ? "#" + index : "");
        TimeSeries.Builder tb = TimeSeries.builder().name(name).samples(v, ch).sampleRateHz(r.info().sampleRateHz())
                .label(r.info().label() == SessionLabel.ANOMALOUS ? TimeSeries.Label.ANOMALOUS : TimeSeries.Label.NORMAL);
        if (!r.labelRuns().isEmpty()) {
            boolean[] labels = new boolean[n];
            int k = 0;
            for (SampleBlock b : run) {
                for (int i = 0; i < b.count(); i++) {
                    labels[k++] = r.labelAt(b.firstSample() + i) == SessionLabel.ANOMALOUS;
                }
            }
            tb.sampleLabels(labels);
        }
        return tb.build();
    }
}
