package io.gyrosentinel.training.internal;

import io.gyrosentinel.ErrorCode;
import io.gyrosentinel.GyroSentinelException;
import io.gyrosentinel.training.Normalization;
import io.gyrosentinel.training.Threshold;
import io.gyrosentinel.training.TimeSeries;
import io.gyrosentinel.training.WindowScore;
import io.gyrosentinel.training.internal.DataPipeline.WindowSet;
import java.util.ArrayList;
import java.util.List;
import java.util.function.ToDoubleFunction;
import java.util.stream.IntStream;

/** Window cutting, checking and scoring shared by every model family. */
public final class WindowScoring {
    private WindowScoring() {}

    /**
     * Cuts every series into windows every {@code stride} samples, normalises them and scores each with
     * {@code scorer} (called in parallel: it must be thread-safe).
     */
    public static List<WindowScore> scoreAll(List<TimeSeries> series, int stride, int windowLength, int channels,
            Normalization normalization, Threshold threshold, ToDoubleFunction<float[]> scorer) {
        if (stride < 1) {
            throw new GyroSentinelException(ErrorCode.INVALID_ARGUMENT, "stride must be >= 1, was " + stride, "stride",
                    null);
        }
        DataPipeline.validate(series, channels, windowLength, "scoring");
        WindowSet ws = DataPipeline.windows(series, DataPipeline.whole(series), windowLength, stride, normalization);
        double[] s = new double[ws.size()];
        IntStream.range(0, ws.size()).parallel().forEach(i -> s[i] = scorer.applyAsDouble(ws.window(i)));
        List<WindowScore> out = new ArrayList<>(ws.size());
        for (int i = 0; i < ws.size(); i++) {
            TimeSeries src = series.get(ws.series[i]);
            out.add(new WindowScore(ws.series[i], src.name(), ws.start[i], ws.start[i] + windowLength, ws.anomalous[i],
                    s[i], threshold.isAnomalous(s[i])));
        }
        return out;
    }

    /**
     * @throws GyroSentinelException {@link ErrorCode#BAD_INPUT} if {@code w} is not {@code windowLength*channels}
     *                               finite floats (the message names window, sample and channel)
     */
    public static void checkWindow(float[] w, int index, int windowLength, int channels) {
        int n = windowLength * channels;
        if (w == null || w.length != n) {
            throw new GyroSentinelException(ErrorCode.BAD_INPUT, "window " + index + " has "
                    + (w == null ? "no" : w.length) + " floats, expected windowLength*channels = " + windowLength + "*"
                    + channels + " = " + n);
        }
        for (int k = 0; k < w.length; k++) {
            if (!Float.isFinite(w[k])) {
                throw new GyroSentinelException(ErrorCode.BAD_INPUT, "window " + index + ", sample " + (k / channels)
                        + ", channel " + (k % channels) + ": value " + w[k] + " is not finite");
            }
        }
    }

    /** A copy of a window ({@code T*F} time-major) with each channel's own mean subtracted (DC removal). */
    public static float[] removeDc(float[] x, int channels) {
        float[] y = x.clone();
        removeDcInPlace(y, 0, y.length, channels);
        return y;
    }

    /** {@link #removeDc} on {@code data[offset .. offset + length)}, in place. */
    public static void removeDcInPlace(float[] data, int offset, int length, int channels) {
        int t = length / channels;
        double[] mean = new double[channels];
        for (int i = 0; i < length; i++) {
            mean[i % channels] += data[offset + i];
        }
        for (int i = 0; i < length; i++) {
            data[offset + i] = (float) (data[offset + i] - mean[i % channels] / t);
        }
    }

    /** Normalises a checked raw window. */
    public static float[] normalize(float[] raw, Normalization normalization) {
        int f = normalization.channels();
        float[] x = new float[raw.length];
        for (int i = 0; i < x.length; i++) {
            x[i] = normalization.apply(raw[i], i % f);
        }
        return x;
    }
}
