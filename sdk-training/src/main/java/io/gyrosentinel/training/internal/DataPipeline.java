package io.gyrosentinel.training.internal;

import io.gyrosentinel.ErrorCode;
import io.gyrosentinel.GyroSentinelException;
import io.gyrosentinel.training.Normalization;
import io.gyrosentinel.training.TimeSeries;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/** Validation, normalisation, windowing and the time-based train/validation split. */
public final class DataPipeline {
    /** Relative difference of sample rates taken as the same rate (rates estimated from two logs' clocks). */
    public static final double RATE_TOLERANCE = 0.02;
    private DataPipeline() {}

    /** Normalised windows cut from series, with where each came from. */
    public static final class WindowSet {
        public final int windowLength;
        public final int channels;
        public final float[] data;
        public final int[] series;
        public final int[] start;
        public final boolean[] anomalous;

        WindowSet(int windowLength, int channels, float[] data, int[] series, int[] start, boolean[] anomalous) {
            this.windowLength = windowLength;
            this.channels = channels;
            this.data = data;
            this.series = series;
            this.start = start;
            this.anomalous = anomalous;
        }

        public int size() {
            return series.length;
        }

        /** Subtracts each window's per-channel mean in place (DC removal, as {@link WindowScoring#removeDc}). */
        public void removeDc() {
            int len = windowLength * channels;
            for (int i = 0; i < size(); i++) {
                WindowScoring.removeDcInPlace(data, i * len, len, channels);
            }
        }

        /** Copies window {@code i} ({@code T*F} floats). */
        public float[] window(int i) {
            int len = windowLength * channels;
            float[] w = new float[len];
            System.arraycopy(data, i * len, w, 0, len);
            return w;
        }
    }

    /** A contiguous sample range of one series. */
    public record Segment(int series, int from, int to) {
        int length() {
            return to - from;
        }
    }

    /**
     * Checks the series for use with a model: not empty, no nulls, same channel count and sample rate, at
     * least one of {@code minLength} samples (shorter ones are skipped when windows are cut), all values finite. Messages name the series (index and name), the
     * sample and the channel.
     *
     * @param expectedChannels the model's channel count, or -1 to take the first series'
     * @throws GyroSentinelException {@link ErrorCode#BAD_INPUT} for the first problem found
     */
    public static void validate(List<TimeSeries> series, int expectedChannels, int minLength, String purpose) {
        if (series == null || series.isEmpty()) {
            throw bad("no time series given for " + purpose);
        }
        int channels = expectedChannels;
        String channelSource = "the model's";
        double rate = Double.NaN;
        for (int i = 0; i < series.size(); i++) {
            TimeSeries s = series.get(i);
            if (s == null) {
                throw bad("series " + i + " is null");
            }
            if (s.length() == 0) {
                continue; // yields no window (a segment between two outages can be empty)
            }
            if (channels < 0) {
                channels = s.channels();
                channelSource = "series 0's";
            }
            if (s.channels() != channels) {
                throw bad(describe(i, s) + " has " + s.channels() + " channels, expected "
                        + channels + " (" + channelSource + ")");
            }
            if (Double.isNaN(rate)) {
                rate = s.sampleRateHz();
            } else if (Math.abs(s.sampleRateHz() - rate) > RATE_TOLERANCE * rate) {
                // Rates estimated from two logs' clocks differ a little; windows are counted in samples, so up to
                // RATE_TOLERANCE is the same rate.
                throw bad(describe(i, s) + " is sampled at " + s.sampleRateHz()
                        + " Hz but series 0 at " + rate + " Hz; resample to one rate first (import --resample HZ)");
            }

            float[] v = s.samples();
            int ch = s.channels();
            for (int k = 0; k < v.length; k++) {
                if (!Float.isFinite(v[k])) {
                    throw bad(describe(i, s) + ", sample " + (k / ch) + ", channel "
                            + (k % ch) + ": value " + v[k] + " is not finite");
                }
            }
        }
        // Series shorter than a window are skipped (they yield none), but one at least must be long enough.
        io.gyrosentinel.training.Sessions.usable(series, minLength, purpose);
    }

    private static GyroSentinelException bad(String message) {
        return new GyroSentinelException(ErrorCode.BAD_INPUT, message);
    }

    static String describe(int index, TimeSeries s) {
        return "series " + index + (s.name() != null ? " ('" + s.name() + "')" : "");
    }

    /**
     * Splits each series by time: the first {@code 1 - validationFraction} of its samples train, the rest
     * validate. Windows are later cut inside each segment, so no window straddles the split.
     */
    public static List<List<Segment>> splitByTime(List<TimeSeries> series, double validationFraction) {
        return splitByTime(series, validationFraction, 1);
    }

    /**
     * {@link #splitByTime(List, double)}, except that a series too short to give both parts a window of
     * {@code windowLength} goes whole to the side that is short of its share (validation while it holds less than
     * {@code validationFraction} of the samples so far): many short segments still validate.
     */
    public static List<List<Segment>> splitByTime(List<TimeSeries> series, double validationFraction,
            int windowLength) {
        List<Segment> train = new ArrayList<>();
        List<Segment> val = new ArrayList<>();
        long trainSamples = 0;
        long valSamples = 0;
        for (int i = 0; i < series.size(); i++) {
            int n = series.get(i).length();
            int cut = (int) Math.round(n * (1.0 - validationFraction));
            if (cut >= windowLength && n - cut >= windowLength || n < windowLength) {
                train.add(new Segment(i, 0, cut));
                if (cut < n) {
                    val.add(new Segment(i, cut, n));
                }
                trainSamples += cut;
                valSamples += n - cut;
            } else if (valSamples < validationFraction * (trainSamples + valSamples + n) - n / 2.0) {
                val.add(new Segment(i, 0, n));
                valSamples += n;
            } else {
                train.add(new Segment(i, 0, n));
                trainSamples += n;
            }
        }
        return List.of(train, val);
    }

    /**
     * Per-channel mean and (population) standard deviation over the segments. A constant channel (std below
     * 1e-6, e.g. a dead axis) keeps std 1 so that tiny deviations later do not explode into huge scores.
     */
    public static Normalization fitNormalization(List<TimeSeries> series, List<Segment> segments, int channels) {
        double[] sum = new double[channels];
        double[] sumSq = new double[channels];
        long count = 0;
        for (Segment seg : segments) {
            float[] v = series.get(seg.series()).samples();
            for (int t = seg.from(); t < seg.to(); t++) {
                for (int c = 0; c < channels; c++) {
                    double x = v[t * channels + c];
                    sum[c] += x;
                    sumSq[c] += x * x;
                }
            }
            count += seg.length();
        }
        if (count == 0) {
            // reachable from the caller's data: e.g. short series with a validationFraction close to 1
            throw bad("no samples to compute the normalisation from");
        }
        float[] mean = new float[channels];
        float[] std = new float[channels];
        for (int c = 0; c < channels; c++) {
            double m = sum[c] / count;
            double var = Math.max(0, sumSq[c] / count - m * m);
            mean[c] = (float) m;
            double sd = Math.sqrt(var);
            std[c] = (float) (sd < 1e-6 ? 1.0 : sd);
        }
        return new Normalization(mean, std);
    }

    /** Cuts windows of {@code windowLength} every {@code stride} samples inside each segment, normalised. */
    public static WindowSet windows(List<TimeSeries> series, List<Segment> segments, int windowLength, int stride,
            Normalization norm) {
        int channels = norm.channels();
        int count = 0;
        for (Segment seg : segments) {
            if (seg.length() >= windowLength) {
                count += (seg.length() - windowLength) / stride + 1;
            }
        }
        int len = windowLength * channels;
        float[] data = new float[count * len];
        int[] idx = new int[count];
        int[] start = new int[count];
        boolean[] anomalous = new boolean[count];
        float[] mean = norm.mean();
        float[] std = norm.std();
        int w = 0;
        for (Segment seg : segments) {
            TimeSeries s = series.get(seg.series());
            float[] v = s.samples();
            for (int from = seg.from(); from + windowLength <= seg.to(); from += stride) {
                int o = w * len;
                boolean anomaly = false;
                for (int t = 0; t < windowLength; t++) {
                    for (int c = 0; c < channels; c++) {
                        data[o + t * channels + c] = (v[(from + t) * channels + c] - mean[c]) / std[c];
                    }
                    anomaly |= s.isAnomalous(from + t);
                }
                idx[w] = seg.series();
                start[w] = from;
                anomalous[w] = anomaly;
                w++;
            }
        }
        return new WindowSet(windowLength, channels, data, idx, start, anomalous);
    }

    /** Whole-series segments. */
    public static List<Segment> whole(List<TimeSeries> series) {
        List<Segment> all = new ArrayList<>();
        for (int i = 0; i < series.size(); i++) {
            all.add(new Segment(i, 0, series.get(i).length()));
        }
        return all;
    }

    /**
     * Up to {@code max} raw windows, half from each of two segment lists (e.g. training and validation), spread
     * evenly over all the windows each list has (deterministic).
     */
    public static float[][] rawWindows(List<TimeSeries> series, List<Segment> a, List<Segment> b, int windowLength,
            int stride, int max) {
        List<float[]> out = new ArrayList<>();
        for (List<Segment> segs : List.of(a, b)) {
            List<int[]> starts = new ArrayList<>();
            for (Segment seg : segs) {
                for (int from = seg.from(); from + windowLength <= seg.to(); from += stride) {
                    starts.add(new int[] {seg.series(), from});
                }
            }
            int take = Math.min(starts.size(), max / 2);
            java.util.Map<Integer, float[]> samples = new java.util.HashMap<>();
            for (int k = 0; k < take; k++) {
                int[] st = starts.get((int) ((long) k * starts.size() / take));
                float[] v = samples.computeIfAbsent(st[0], i -> series.get(i).samples());
                int ch = series.get(st[0]).channels();
                out.add(java.util.Arrays.copyOfRange(v, st[1] * ch, (st[1] + windowLength) * ch));
            }
        }
        return out.toArray(new float[0][]);
    }

    /** Fisher–Yates shuffle of {@code 0..n-1} with the given generator. */
    public static void shuffle(int[] order, Random rnd) {
        for (int i = order.length - 1; i > 0; i--) {
            int j = rnd.nextInt(i + 1);
            int tmp = order[i];
            order[i] = order[j];
            order[j] = tmp;
        }
    }

    /** What both trainers start from: the normal series, their train/validation split, normalisation and windows. */
    public record Prepared(List<TimeSeries> normal, List<List<Segment>> split, Normalization normalization,
            WindowSet train, WindowSet validation) {
        public int channels() {
            return normal.get(0).channels();
        }
    }

    /**
     * Validates the training (and optional held-out validation) series, refuses samples labelled anomalous, splits
     * (the tail {@code validationFraction} of each series, or the held-out series), fits the normalisation on the
     * training part and cuts normalised windows.
     *
     * @throws GyroSentinelException {@link io.gyrosentinel.ErrorCode#BAD_INPUT} naming series, sample and channel
     *                               for unusable data, or saying how much data is missing
     */
    public static Prepared prepare(List<TimeSeries> trainSeries, List<TimeSeries> heldOut, int windowLength,
            int stride, double validationFraction) {
        validate(trainSeries, -1, windowLength, "training");
        List<TimeSeries> normal = trainSeries;
        if (heldOut != null) {
            validate(heldOut, trainSeries.get(0).channels(), windowLength, "validation");
            normal = new ArrayList<>(trainSeries);
            normal.addAll(heldOut);
        }
        for (int i = 0; i < normal.size(); i++) {
            TimeSeries s = normal.get(i);
            for (int k = 0; k < s.length(); k++) {
                if (s.isAnomalous(k)) {
                    throw bad("series " + i + (s.name() != null ? " ('" + s.name() + "')" : "") + ", sample " + k
                            + " is labelled anomalous; train on normal data only");
                }
            }
        }
        int channels = normal.get(0).channels();
        List<List<Segment>> split;
        if (heldOut == null) {
            split = splitByTime(normal, validationFraction, windowLength);
        } else {
            List<Segment> all = whole(normal);
            split = List.of(all.subList(0, trainSeries.size()), all.subList(trainSeries.size(), all.size()));
        }
        Normalization norm = fitNormalization(normal, split.get(0), channels);
        WindowSet train = windows(normal, split.get(0), windowLength, stride, norm);
        WindowSet val = windows(normal, split.get(1), windowLength, stride, norm);
        if (train.size() > 0) {
            requireLiveChannels(train, channels);
        }
        if (train.size() == 0 || val.size() == 0) {
            long total = normal.stream().mapToLong(TimeSeries::length).sum();
            throw bad("too little data: " + total + " samples give " + train.size() + " training and " + val.size()
                    + " validation windows of " + windowLength + " samples (validationFraction " + validationFraction
                    + "); each series needs at least " + (int) Math.ceil(windowLength / validationFraction)
                    + " samples, or change validationFraction");
        }
        return new Prepared(normal, split, norm, train, val);
    }
    /**
     * A channel that never moves (a dead or disconnected axis) carries no information: every model family refuses
     * it by name rather than learn a constant (the feature families could not standardise it at all).
     */
    private static void requireLiveChannels(WindowSet train, int channels) {
        double[] min = new double[channels];
        double[] max = new double[channels];
        java.util.Arrays.fill(min, Double.POSITIVE_INFINITY);
        java.util.Arrays.fill(max, Double.NEGATIVE_INFINITY);
        for (int k = 0; k < train.data.length; k++) {
            int c = k % channels;
            min[c] = Math.min(min[c], train.data[k]);
            max[c] = Math.max(max[c], train.data[k]);
        }
        for (int c = 0; c < channels; c++) {
            if (!(max[c] - min[c] > 1e-6)) {
                throw new GyroSentinelException(ErrorCode.BAD_INPUT, "channel " + c + " is constant in every training "
                        + "window (a dead or disconnected axis?): it carries no information; import without it "
                        + "(import --columns) or check the sensor", "channel", null);
            }
        }
    }

}
