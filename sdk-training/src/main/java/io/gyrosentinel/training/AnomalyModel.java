package io.gyrosentinel.training;

import io.gyrosentinel.ErrorCode;
import io.gyrosentinel.GyroSentinelException;
import io.gyrosentinel.training.internal.ModelDirectory;
import java.nio.file.Path;
import java.util.List;

/**
 * A trained anomaly detector of any {@link ModelFamily}: it scores raw windows ({@code windowLength × channels}
 * floats, time-major), holds its normalisation and threshold, evaluates labelled data and saves itself as a model
 * directory. Immutable and thread-safe. {@link TrainedModel} is the LSTM autoencoder, {@link FeatureModel} the
 * statistical families.
 *
 * <pre>{@code
 * AnomalyModel m = AnomalyModel.load(Path.of("models/pump-7"));   // whatever family it is
 * EvaluationReport r = m.evaluate(labelledSeries);
 * float[] why = m.channelScores(window);                          // each channel's share of the score
 * }</pre>
 */
public sealed interface AnomalyModel permits TrainedModel, FeatureModel {

    /**
     * Loads a model directory of any family.
     *
     * @throws ModelFormatException naming the file and field when the directory is not a readable model
     */
    static AnomalyModel load(Path directory) {
        return ModelDirectory.readAny(directory);
    }

    ModelFamily family();

    /** Samples per window. */
    int windowLength();

    /** Channels per sample. */
    int channels();

    /** Per-channel normalisation applied before the model. */
    Normalization normalization();

    Threshold threshold();

    /** Sample rate of the training data, Hz. */
    double sampleRateHz();

    /** A bounded sample of normal raw windows kept for packaging (may be empty). */
    float[][] sampleWindows();

    /** The same model with another threshold. */
    AnomalyModel withThreshold(Threshold threshold);

    /**
     * Score of one raw window (higher = more anomalous; about 1 or below on normal data for the statistical
     * families, the mean squared reconstruction error for the autoencoders).
     *
     * @throws GyroSentinelException {@link ErrorCode#BAD_INPUT} if the window has the wrong length or a non-finite
     *                               value (the message names window, sample and channel)
     */
    double score(float[] rawWindow);

    /** Scores raw windows, in parallel for large batches. Errors as {@link #score(float[])}. */
    double[] score(float[][] rawWindows);

    /**
     * Each channel's share of the score of one raw window: the score is the mean of these values (reconstruction
     * error per channel for the autoencoders; the summed contributions of the channel's features for the
     * statistical families, which can be negative for a single channel of a Mahalanobis score).
     */
    float[] channelScores(float[] rawWindow);

    /** Scores every window of a series, cut every {@code stride} samples. */
    List<WindowScore> score(TimeSeries series, int stride);

    /** Evaluates on labelled series, windows cut every {@code stride} samples. */
    EvaluationReport evaluate(List<TimeSeries> series, int stride);

    /** {@link #evaluate(List, int)} with a stride of a quarter window. */
    default EvaluationReport evaluate(List<TimeSeries> series) {
        return evaluate(series, Math.max(1, windowLength() / 4));
    }

    /** Point-wise metrics on per-sample labels ({@link PointMetrics}). */
    PointMetrics evaluatePoints(List<TimeSeries> series);

    /** Writes the model directory atomically (fails if {@code directory} exists and is not empty). */
    void save(Path directory);

    /** One line for {@code gyrosentinel info}: family and shape. */
    String describe();
}
