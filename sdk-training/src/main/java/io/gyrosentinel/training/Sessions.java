package io.gyrosentinel.training;

import io.gyrosentinel.ErrorCode;
import io.gyrosentinel.GyroSentinelException;
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

    /**
     * Reads recordings; every contiguous segment becomes one series.
     *
     * @param files the recordings ({@code .gsr})
     * @return one series per contiguous segment, in file order
     * @throws GyroSentinelException {@code BAD_RECORDING} or {@code IO} when a recording cannot be read
     */
    public static List<TimeSeries> read(List<Path> files) {
        List<TimeSeries> out = new ArrayList<>();
        for (Path f : files) {
            out.addAll(fromRecording(Recording.read(f)));
        }
        return out;
    }

    /**
     * Reads recordings and forces a label (e.g. "these are the anomalous sessions").
     *
     * @param files the recordings
     * @param label the label every series gets, whatever the recordings say
     * @return one series per contiguous segment, in file order
     * @throws GyroSentinelException {@code BAD_RECORDING} or {@code IO} when a recording cannot be read
     */
    public static List<TimeSeries> read(List<Path> files, SessionLabel label) {
        List<TimeSeries> out = new ArrayList<>();
        for (TimeSeries t : read(files)) {
            out.add(t.toBuilder().label(label).build());
        }
        return out;
    }

    /**
     * What of a set of series can be cut into windows: series shorter than the window are skipped (a host-clocked log
     * or a 1 Hz plant log often has short segments between outages).
     *
     * @param series         the usable series, in their order
     * @param segments       series given
     * @param samples        samples given
     * @param usedSamples    samples in the usable series
     * @param windowLength   the window length it was judged by
     */
    public record Usable(List<TimeSeries> series, int segments, long samples, long usedSamples, int windowLength) {
        /**
         * {@return one line for people, e.g. "used 212 of 236 segments, 18240 of 18600 samples; 24 segments shorter
         * than the window (40) skipped"}
         */
        public String summary() {
            int skipped = segments - series.size();
            return "used " + series.size() + " of " + segments + " segment(s), " + usedSamples + " of " + samples
                    + " samples" + (skipped > 0 ? "; " + skipped + " segment(s) shorter than the window (" + windowLength
                    + " samples) skipped" : "");
        }
    }

    /**
     * The series at least {@code windowLength} long.
     *
     * @param series       the series
     * @param windowLength the window length, samples
     * @param purpose      what the series are for, for the error message (e.g. {@code training})
     * @return the usable series and the counts
     * @throws GyroSentinelException {@link ErrorCode#BAD_INPUT} when none is: the message names the longest series
     *                               and what would help
     */
    public static Usable usable(List<TimeSeries> series, int windowLength, String purpose) {
        List<TimeSeries> kept = new ArrayList<>();
        long samples = 0;
        long used = 0;
        TimeSeries longest = null;
        for (TimeSeries t : series) {
            samples += t.length();
            if (longest == null || t.length() > longest.length()) {
                longest = t;
            }
            if (t.length() >= windowLength) {
                kept.add(t);
                used += t.length();
            }
        }
        if (kept.isEmpty()) {
            throw new GyroSentinelException(ErrorCode.BAD_INPUT, tooShort(series.size(), longest, windowLength,
                    purpose));
        }
        return new Usable(List.copyOf(kept), series.size(), samples, used, windowLength);
    }

    /** The error for "no series is as long as a window", naming the longest one and what would help. */
    static String tooShort(int count, TimeSeries longest, int windowLength, String purpose) {
        if (longest == null) {
            return "no data for " + purpose;
        }
        return "none of the " + count + " segment(s) for " + purpose + " is as long as a window (" + windowLength
                + " samples): the longest, " + (longest.name() != null ? "'" + longest.name() + "', " : "") + "has "
                + longest.length() + String.format(java.util.Locale.ROOT, " samples (%.3g s at %.4g Hz). ",
                longest.length() / longest.sampleRateHz(), longest.sampleRateHz())
                + "Train with a shorter window (train --window " + Math.max(2, longest.length()) + " or less), or "
                + "re-import with a larger --max-gap (or --resample HZ) if clock jitter cut the data into short "
                + "segments";
    }

    /**
     * The normal parts of labelled series: each series is cut at its samples labelled anomalous (per-sample labels),
     * so a labelled log can train on its normal stretches. Series without per-sample labels are kept whole; the
     * result is labelled {@link SessionLabel#NORMAL}.
     *
     * @param series the series
     * @return the normal stretches, and how many samples were left out
     */
    public static NormalParts normalParts(List<TimeSeries> series) {
        List<TimeSeries> out = new ArrayList<>();
        long dropped = 0;
        for (TimeSeries t : series) {
            var labels = t.sampleLabels();
            if (labels.isEmpty()) {
                out.add(t.toBuilder().label(SessionLabel.NORMAL).build());
                continue;
            }
            boolean[] l = labels.get();
            float[] v = t.samples();
            int ch = t.channels();
            int part = 0;
            for (int i = 0; i < l.length; ) {
                if (l[i]) {
                    dropped++;
                    i++;
                    continue;
                }
                int j = i;
                while (j < l.length && !l[j]) {
                    j++;
                }
                out.add(TimeSeries.builder().name(t.name() + (j - i < l.length ? "/normal" + part++ : ""))
                        .samples(java.util.Arrays.copyOfRange(v, i * ch, j * ch), ch).sampleRateHz(t.sampleRateHz())
                        .label(SessionLabel.NORMAL).build());
                i = j;
            }
        }
        return new NormalParts(List.copyOf(out), dropped);
    }

    /**
     * {@link #normalParts}: the normal stretches, and the samples labelled anomalous that were left out.
     *
     * @param series                  the normal stretches, labelled normal
     * @param anomalousSamplesLeftOut samples labelled anomalous that were left out
     */
    public record NormalParts(List<TimeSeries> series, long anomalousSamplesLeftOut) {
    }

    /**
     * Splits a recording at its gaps. Each series is named after the file (plus {@code #index} when there are
     * several), has the recording's sample rate, is labelled anomalous when the session is (normal otherwise,
     * unlabelled included), and has per-sample labels when the recording has label runs.
     *
     * @param r the recording
     * @return one series per contiguous segment, in order
     */
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
                .label(r.info().label() == SessionLabel.ANOMALOUS ? SessionLabel.ANOMALOUS : SessionLabel.NORMAL);
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
