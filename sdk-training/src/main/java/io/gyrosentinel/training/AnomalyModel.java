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
     * @param directory a model directory written by {@link #save(Path)}
     * @return the model, a {@link TrainedModel} or a {@link FeatureModel}
     * @throws ModelFormatException naming the file and field when the directory is not a readable model
     */
    static AnomalyModel load(Path directory) {
        return ModelDirectory.readAny(directory);
    }

    /** {@return the detector family} */
    ModelFamily family();

    /** {@return the samples per window} */
    int windowLength();

    /** {@return the channels per sample} */
    int channels();

    /** {@return the per-channel normalisation applied before the model} */
    Normalization normalization();

    /** {@return the alarm threshold: a window scoring above it is anomalous} */
    Threshold threshold();

    /** {@return the sample rate of the training data, Hz} */
    double sampleRateHz();

    /** {@return a bounded sample of normal raw windows kept for packaging (may be empty)} */
    float[][] sampleWindows();

    /**
     * The same model with another threshold.
     *
     * @param threshold the new threshold
     * @return a new model; this one is unchanged
     */
    AnomalyModel withThreshold(Threshold threshold);

    /**
     * Score of one raw window (higher = more anomalous; about 1 or below on normal data for the statistical
     * families, the mean squared reconstruction error for the autoencoders).
     *
     * @param rawWindow {@code windowLength * channels} values in physical units, time-major (interleaved)
     * @return the window's score
     * @throws GyroSentinelException {@link ErrorCode#BAD_INPUT} if the window has the wrong length or a non-finite
     *                               value (the message names window, sample and channel)
     */
    double score(float[] rawWindow);

    /**
     * Scores raw windows, in parallel for large batches. Errors as {@link #score(float[])}.
     *
     * @param rawWindows the windows, each {@code windowLength * channels} values
     * @return one score per window, in order
     */
    double[] score(float[][] rawWindows);

    /**
     * Each channel's share of the score of one raw window: the score is the mean of these values (reconstruction
     * error per channel for the autoencoders; the summed contributions of the channel's features for the
     * statistical families, which can be negative for a single channel of a Mahalanobis score).
     *
     * @param rawWindow {@code windowLength * channels} values in physical units
     * @return one value per channel
     * @throws GyroSentinelException {@link ErrorCode#BAD_INPUT} as {@link #score(float[])}
     */
    float[] channelScores(float[] rawWindow);

    /**
     * Scores every window of a series, cut every {@code stride} samples.
     *
     * @param series the series (its channels must match the model's)
     * @param stride samples between window starts, at least 1
     * @return the windows' scores and alarms, in order; none when the series is shorter than a window
     * @throws GyroSentinelException {@link ErrorCode#INVALID_ARGUMENT} (field {@code stride}) for a stride below 1,
     *         {@link ErrorCode#BAD_INPUT} when the series does not fit the model
     */
    List<WindowScore> score(TimeSeries series, int stride);

    /**
     * Evaluates on labelled series, windows cut every {@code stride} samples: a window is anomalous when any of its
     * samples is.
     *
     * @param series the labelled series
     * @param stride samples between window starts, at least 1
     * @return the metrics and every window's score
     * @throws GyroSentinelException {@link ErrorCode#INVALID_ARGUMENT} (field {@code stride}) for a stride below 1,
     *         {@link ErrorCode#BAD_INPUT} when a series does not fit the model
     */
    EvaluationReport evaluate(List<TimeSeries> series, int stride);

    /**
     * {@link #evaluate(List, int)} with a stride of a quarter window.
     *
     * @param series the labelled series
     * @return the metrics and every window's score
     */
    default EvaluationReport evaluate(List<TimeSeries> series) {
        return evaluate(series, Math.max(1, windowLength() / 4));
    }

    /**
     * Point-wise metrics on per-sample labels ({@link PointMetrics}): every sample that ends a window is scored.
     *
     * @param series the labelled series
     * @return the metrics
     */
    PointMetrics evaluatePoints(List<TimeSeries> series);

    /**
     * Writes the model directory atomically (fails if {@code directory} exists and is not empty).
     *
     * @param directory the model directory to create (its parent is created if missing)
     * @throws GyroSentinelException {@link ErrorCode#IO} when it cannot be written, or exists and is not empty
     */
    void save(Path directory);

    /** {@return one line for {@code gyrosentinel info}: family and shape} */
    String describe();
}
