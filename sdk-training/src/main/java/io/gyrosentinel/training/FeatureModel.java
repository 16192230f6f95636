package io.gyrosentinel.training;

import io.gyrosentinel.ErrorCode;
import io.gyrosentinel.GyroSentinelException;
import io.gyrosentinel.training.ModelArchitecture.ParameterSpec;
import io.gyrosentinel.training.internal.ModelDirectory;
import io.gyrosentinel.training.internal.WindowScoring;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.stream.IntStream;

/**
 * A statistical detector over {@link SignalFeatures}: {@link ModelFamily#FEATURES_MAHALANOBIS} or
 * {@link ModelFamily#FEATURES_PCA}. Immutable and thread-safe; trained by {@link FeatureModelTrainer}.
 *
 * <p>The score of a window, with {@code f} its feature vector and {@code z = (f − featureMean) / featureStd}:
 * <pre>
 *   c_j   = z_j · (T z)_j + ((Q z)_j)²          per-feature contribution
 *   score = Σ_j c_j
 * </pre>
 * Mahalanobis: {@code T = S⁻¹ / D} ({@code S} the Ledoit–Wolf shrunk covariance of the training {@code z},
 * {@code D} features), no {@code Q}: the score is the squared Mahalanobis distance per feature, about 1 on
 * normal data. PCA with {@code k} components {@code p_i} (eigenvalues {@code λ_i}) and mean training residual
 * {@code q̄}: {@code T = Σ p_i p_iᵀ / (2 k λ_i)}, {@code Q = (I − Σ p_i p_iᵀ) / sqrt(2 q̄)}: the score is
 * {@code (T²/k + Q/q̄) / 2}, about 1 on normal data. {@link #channelScores(float[])} returns
 * {@code channels · Σ_{j of channel c} c_j}, whose mean over the channels is the score.
 */
public final class FeatureModel implements AnomalyModel {
    private final ModelFamily family;
    private final SignalFeatures features;
    private final Normalization normalization;
    private final float[] featureMean;
    private final float[] featureStd;
    private final float[] tMatrix;
    private final float[] qMatrix;
    private final Threshold threshold;
    private final double sampleRateHz;
    private final Fit fit;
    private final float[][] sampleWindows;
    private final ThreadLocal<SignalFeatures.Scratch> scratch;

    /**
     * How the model was fitted.
     *
     * @param trainingWindows   windows the statistics were estimated from
     * @param validationWindows windows the threshold was calibrated on
     * @param windowStride      stride of both, samples
     * @param seconds           fitting time
     * @param shrinkage         Ledoit–Wolf shrinkage intensity of the covariance (0 … 1)
     * @param components        PCA components kept (0 for Mahalanobis)
     * @param explainedVariance share of the standardised feature variance they explain (0 for Mahalanobis)
     */
    public record Fit(int trainingWindows, int validationWindows, int windowStride, double seconds, double shrinkage,
            int components, double explainedVariance) {}

    private FeatureModel(ModelFamily family, SignalFeatures features, Normalization normalization, float[] featureMean,
            float[] featureStd, float[] tMatrix, float[] qMatrix, Threshold threshold, double sampleRateHz, Fit fit,
            float[][] sampleWindows) {
        this.family = family;
        this.features = features;
        this.normalization = normalization;
        this.featureMean = featureMean;
        this.featureStd = featureStd;
        this.tMatrix = tMatrix;
        this.qMatrix = qMatrix;
        this.threshold = threshold;
        this.sampleRateHz = sampleRateHz;
        this.fit = fit;
        this.sampleWindows = sampleWindows;
        this.scratch = ThreadLocal.withInitial(() -> new SignalFeatures.Scratch(features));
    }

    /**
     * Assembles a model from its parts (training and loading use it; handy for converters and tests).
     *
     * @param family        {@link ModelFamily#FEATURES_MAHALANOBIS} or {@link ModelFamily#FEATURES_PCA}
     * @param features      the feature extractor (window, channels, bands)
     * @param normalization per-channel normalisation of the raw samples
     * @param featureMean   mean of each training feature, {@code D} values
     * @param featureStd    standard deviation of each training feature, {@code D} positive values
     * @param tMatrix {@code D×D} row-major
     * @param qMatrix {@code D×D} row-major for PCA, empty for Mahalanobis
     * @param threshold     the alarm threshold
     * @param sampleRateHz  sample rate of the training data, Hz
     * @param fit           how the model was fitted
     * @return the model, without sample windows
     * @throws GyroSentinelException {@link ErrorCode#INVALID_ARGUMENT} (field names the part) if a part is missing
     *                               or does not fit, {@link ErrorCode#BAD_INPUT} if a value is not finite or a
     *                               feature std is not positive
     */
    public static FeatureModel of(ModelFamily family, SignalFeatures features, Normalization normalization,
            float[] featureMean, float[] featureStd, float[] tMatrix, float[] qMatrix, Threshold threshold,
            double sampleRateHz, Fit fit) {
        if (family == null || !family.usesFeatures()) {
            throw invalid("family", "a feature model's family is features-mahalanobis or features-pca, was " + family);
        }
        if (features == null || normalization == null || threshold == null || fit == null) {
            throw invalid("features", "features, normalization, threshold and fit are required");
        }
        if (normalization.channels() != features.channels()) {
            throw invalid("normalization", "normalization has " + normalization.channels() + " channels, features "
                    + features.channels());
        }
        int d = features.size();
        check("featureMean", featureMean, d);
        check("featureStd", featureStd, d);
        for (int j = 0; j < d; j++) {
            if (!(featureStd[j] > 0)) {
                throw new GyroSentinelException(ErrorCode.BAD_INPUT, "featureStd[" + j + "] is " + featureStd[j]
                        + "; must be positive", "featureStd", null);
            }
        }
        check("tMatrix", tMatrix, d * d);
        if (family == ModelFamily.FEATURES_PCA) {
            check("qMatrix", qMatrix, d * d);
        } else {
            check("qMatrix", qMatrix, 0);
        }
        if (!(sampleRateHz > 0) || Double.isInfinite(sampleRateHz)) {
            throw invalid("sampleRateHz", "sampleRateHz must be positive, was " + sampleRateHz);
        }
        return new FeatureModel(family, features, normalization, featureMean.clone(), featureStd.clone(),
                tMatrix.clone(), qMatrix.clone(), threshold, sampleRateHz, fit, new float[0][]);
    }

    private static void check(String field, float[] v, int n) {
        if (v == null || v.length != n) {
            throw invalid(field, field + " needs " + n + " floats, got " + (v == null ? "null" : v.length));
        }
        for (int i = 0; i < n; i++) {
            if (!Float.isFinite(v[i])) {
                throw new GyroSentinelException(ErrorCode.BAD_INPUT, field + "[" + i + "] is " + v[i], field, null);
            }
        }
    }

    /**
     * Loads a feature model directory (see {@link AnomalyModel#load(Path)} for any family).
     *
     * @param directory the model directory
     * @return the model
     * @throws ModelFormatException when the directory is not a readable model, or holds another family
     */
    public static FeatureModel load(Path directory) {
        AnomalyModel m = ModelDirectory.readAny(directory);
        if (m instanceof FeatureModel fm) {
            return fm;
        }
        throw new ModelFormatException(directory, "holds a " + m.family().id() + " model, not a feature model");
    }

    /**
     * The same model keeping {@code windows} (raw, normal) for packaging; at most 512 are useful.
     *
     * @param windows raw normal windows, {@code windowLength * channels} values each; copied
     * @return a new model; this one is unchanged
     * @throws GyroSentinelException {@link ErrorCode#BAD_INPUT} when a window has the wrong size or a non-finite
     *         value
     */
    public FeatureModel withSampleWindows(float[][] windows) {
        float[][] copy = new float[windows.length][];
        for (int i = 0; i < windows.length; i++) {
            WindowScoring.checkWindow(windows[i], i, windowLength(), channels());
            copy[i] = windows[i].clone();
        }
        return new FeatureModel(family, features, normalization, featureMean, featureStd, tMatrix, qMatrix, threshold,
                sampleRateHz, fit, copy);
    }

    @Override
    public FeatureModel withThreshold(Threshold newThreshold) {
        return new FeatureModel(family, features, normalization, featureMean, featureStd, tMatrix, qMatrix,
                newThreshold, sampleRateHz, fit, sampleWindows);
    }

    @Override
    public ModelFamily family() {
        return family;
    }

    /** {@return the feature extractor} */
    public SignalFeatures features() {
        return features;
    }

    @Override
    public int windowLength() {
        return features.windowLength();
    }

    @Override
    public int channels() {
        return features.channels();
    }

    @Override
    public Normalization normalization() {
        return normalization;
    }

    @Override
    public Threshold threshold() {
        return threshold;
    }

    @Override
    public double sampleRateHz() {
        return sampleRateHz;
    }

    /** {@return how the model was fitted} */
    public Fit fit() {
        return fit;
    }

    @Override
    public float[][] sampleWindows() {
        float[][] c = new float[sampleWindows.length][];
        for (int i = 0; i < c.length; i++) {
            c[i] = sampleWindows[i].clone();
        }
        return c;
    }

    /** {@return a copy of the mean of each training feature} */
    public float[] featureMean() {
        return featureMean.clone();
    }

    /** {@return a copy of the standard deviation of each training feature} */
    public float[] featureStd() {
        return featureStd.clone();
    }

    /** {@return a copy of {@code T}, {@code D×D} row-major} */
    public float[] tMatrix() {
        return tMatrix.clone();
    }

    /** {@return a copy of {@code Q}, {@code D×D} row-major (PCA), or empty (Mahalanobis)} */
    public float[] qMatrix() {
        return qMatrix.clone();
    }

    /**
     * {@return the stored tensors' names and shapes, in file order: featureMean, featureStd, score.t and (PCA)
     * score.q}
     */
    public List<ParameterSpec> parameterSpecs() {
        int d = features.size();
        List<ParameterSpec> specs = new ArrayList<>(List.of(new ParameterSpec("featureMean", new int[] {d}),
                new ParameterSpec("featureStd", new int[] {d}), new ParameterSpec("score.t", new int[] {d, d})));
        if (qMatrix.length > 0) {
            specs.add(new ParameterSpec("score.q", new int[] {d, d}));
        }
        return specs;
    }

    /** {@return the tensors of {@link #parameterSpecs()} (copies)} */
    public float[][] parameters() {
        return qMatrix.length > 0 ? new float[][] {featureMean(), featureStd(), tMatrix(), qMatrix()}
                : new float[][] {featureMean(), featureStd(), tMatrix()};
    }

    /**
     * Per-feature contributions {@code c_j} of one normalised window (their sum is the score).
     *
     * @param normalizedWindow a normalised window, {@code windowLength * channels} values
     * @return one contribution per feature
     * @throws GyroSentinelException {@link ErrorCode#BAD_INPUT} when the window has the wrong size or a non-finite
     *         value
     */
    public double[] contributions(float[] normalizedWindow) {
        WindowScoring.checkWindow(normalizedWindow, 0, windowLength(), channels());
        return contributionsOf(normalizedWindow);
    }

    private double[] contributionsOf(float[] x) {
        int d = features.size();
        float[] f = new float[d];
        features.extract(x, f, scratch.get());
        double[] z = new double[d];
        for (int j = 0; j < d; j++) {
            z[j] = ((double) f[j] - featureMean[j]) / featureStd[j];
        }
        double[] c = new double[d];
        for (int j = 0; j < d; j++) {
            double tz = 0;
            double qz = 0;
            int row = j * d;
            for (int i = 0; i < d; i++) {
                tz += tMatrix[row + i] * z[i];
            }
            if (qMatrix.length > 0) {
                for (int i = 0; i < d; i++) {
                    qz += qMatrix[row + i] * z[i];
                }
            }
            c[j] = z[j] * tz + qz * qz;
        }
        return c;
    }

    private double scoreNormalized(float[] x) {
        double s = 0;
        for (double v : contributionsOf(x)) {
            s += v;
        }
        return s;
    }

    @Override
    public double score(float[] rawWindow) {
        WindowScoring.checkWindow(rawWindow, 0, windowLength(), channels());
        return scoreNormalized(WindowScoring.normalize(rawWindow, normalization));
    }

    @Override
    public double[] score(float[][] rawWindows) {
        for (int i = 0; i < rawWindows.length; i++) {
            WindowScoring.checkWindow(rawWindows[i], i, windowLength(), channels());
        }
        double[] out = new double[rawWindows.length];
        IntStream range = IntStream.range(0, rawWindows.length);
        (rawWindows.length > 64 ? range.parallel() : range).forEach(i -> out[i] =
                scoreNormalized(WindowScoring.normalize(rawWindows[i], normalization)));
        return out;
    }

    @Override
    public float[] channelScores(float[] rawWindow) {
        WindowScoring.checkWindow(rawWindow, 0, windowLength(), channels());
        return channelScoresNormalized(WindowScoring.normalize(rawWindow, normalization));
    }

    /**
     * {@link #channelScores(float[])} of an already normalised window (what the device's model returns).
     *
     * @param normalizedWindow a normalised window, {@code windowLength * channels} values
     * @return one value per channel; their mean is the score
     * @throws GyroSentinelException {@link ErrorCode#BAD_INPUT} when the window has the wrong size or a non-finite
     *         value
     */
    public float[] channelScoresNormalized(float[] normalizedWindow) {
        double[] c = contributions(normalizedWindow);
        float[] out = new float[channels()];
        double[] sum = new double[channels()];
        for (int j = 0; j < c.length; j++) {
            sum[features.channelOf(j)] += c[j];
        }
        for (int k = 0; k < out.length; k++) {
            out[k] = (float) (sum[k] * channels());
        }
        return out;
    }

    @Override
    public List<WindowScore> score(TimeSeries series, int stride) {
        return scoreAll(List.of(series), stride);
    }

    @Override
    public EvaluationReport evaluate(List<TimeSeries> series, int stride) {
        return io.gyrosentinel.training.internal.Metrics.report(scoreAll(series, stride), threshold.value());
    }

    @Override
    public PointMetrics evaluatePoints(List<TimeSeries> series) {
        return PointMetrics.of(scoreAll(series, 1), series);
    }

    private List<WindowScore> scoreAll(List<TimeSeries> series, int stride) {
        return WindowScoring.scoreAll(series, stride, windowLength(), channels(), normalization, threshold,
                this::scoreNormalized);
    }

    @Override
    public void save(Path directory) {
        ModelDirectory.write(this, directory);
    }

    @Override
    public String describe() {
        String how = family == ModelFamily.FEATURES_PCA
                ? String.format(Locale.ROOT, "%d components (%.1f %% of the variance)", fit.components(),
                        100 * fit.explainedVariance())
                : String.format(Locale.ROOT, "shrinkage %.3f", fit.shrinkage());
        return family.id() + ": window " + windowLength() + " x " + channels() + " channel(s), " + features.size()
                + " features (" + features.bands() + " bands" + (features.withMean() ? "" : ", DC removed") + "), "
                + how;
    }

    private static GyroSentinelException invalid(String field, String message) {
        return new GyroSentinelException(ErrorCode.INVALID_ARGUMENT, message, field, null);
    }

    @Override
    public String toString() {
        return "FeatureModel[" + describe() + ", threshold " + threshold.value() + "]";
    }
}
