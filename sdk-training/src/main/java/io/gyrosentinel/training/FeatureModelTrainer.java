package io.gyrosentinel.training;

import io.gyrosentinel.ErrorCode;
import io.gyrosentinel.GyroSentinelException;
import io.gyrosentinel.training.internal.DataPipeline;
import io.gyrosentinel.training.internal.DataPipeline.WindowSet;
import java.util.Arrays;
import java.util.List;
import java.util.stream.IntStream;
import org.ejml.data.DMatrixRMaj;
import org.ejml.dense.row.CommonOps_DDRM;
import org.ejml.dense.row.factory.DecompositionFactory_DDRM;
import org.ejml.interfaces.decomposition.EigenDecomposition_F64;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Trains the statistical families ({@link ModelFamily#FEATURES_MAHALANOBIS}, {@link ModelFamily#FEATURES_PCA}) on
 * normal data: no TensorFlow, a fraction of a second for typical data, and the same data always gives the same model.
 * Data handling is the {@link AutoencoderTrainer}'s: the same validation (NaN, channel count, labels), split (the
 * tail of each series, or held-out series), per-channel normalisation, windows and threshold policies; see
 * {@link FeatureModel} for the score.
 *
 * <pre>{@code
 * FeatureModel m = FeatureModelTrainer.builder().family(ModelFamily.FEATURES_PCA).windowLength(128).build()
 *         .train(normalSeries);
 * }</pre>
 */
public final class FeatureModelTrainer {
    private static final Logger LOG = LoggerFactory.getLogger(FeatureModelTrainer.class);
    /** Smallest feature standard deviation used for standardising (a feature that barely moves in training). */
    static final double MIN_FEATURE_STD = 1e-4;

    private final ModelFamily family;
    private final int windowLength;
    private final int stride;
    private final int bands;
    private final boolean removeDc;
    private final double pcaVariance;
    private final double validationFraction;
    private final ThresholdPolicy thresholdPolicy;

    private FeatureModelTrainer(Builder b) {
        this.family = b.family;
        this.windowLength = b.windowLength;
        this.stride = b.stride > 0 ? b.stride : Math.max(1, b.windowLength / 4);
        this.bands = b.bands > 0 ? b.bands : SignalFeatures.defaultBands(b.windowLength);
        this.removeDc = b.removeDc;
        this.pcaVariance = b.pcaVariance;
        this.validationFraction = b.validationFraction;
        this.thresholdPolicy = b.thresholdPolicy;
        new SignalFeatures(windowLength, 1, bands, !removeDc); // validates window and bands now
    }

    /** {@return a builder: Mahalanobis, the default window, a quarter-window stride, the 0.99 quantile threshold} */
    public static Builder builder() {
        return new Builder();
    }

    /** {@return the family this trainer fits} */
    public ModelFamily family() {
        return family;
    }

    /** {@return the samples per window} */
    public int windowLength() {
        return windowLength;
    }

    /** {@return the samples between window starts} */
    public int stride() {
        return stride;
    }

    /**
     * Trains on normal series; the tail of each is held out for the threshold.
     *
     * @param normal normal series (each split by time: its tail calibrates the threshold)
     * @return the model
     * @throws GyroSentinelException {@link ErrorCode#BAD_INPUT} (naming series, sample, channel) for unusable data:
     *                               none, too short, NaN/Inf, labelled anomalous, a constant channel, too few windows
     */
    public FeatureModel train(List<TimeSeries> normal) {
        return run(normal, null);
    }

    /**
     * Trains on all of {@code normal} and calibrates the threshold on the held-out {@code validation} series.
     *
     * @param normal     normal series to fit on
     * @param validation normal series the threshold is calibrated on, at least one
     * @return the model
     * @throws GyroSentinelException {@link ErrorCode#BAD_INPUT} when {@code validation} is empty, and for unusable
     *         data as {@link #train(List)}
     */
    public FeatureModel train(List<TimeSeries> normal, List<TimeSeries> validation) {
        if (validation == null || validation.isEmpty()) {
            throw new GyroSentinelException(ErrorCode.BAD_INPUT,
                    "validation series are empty; use train(normal) to split by time", "validation", null);
        }
        return run(normal, List.copyOf(validation));
    }

    private FeatureModel run(List<TimeSeries> trainSeries, List<TimeSeries> heldOut) {
        long t0 = System.nanoTime();
        DataPipeline.Prepared prep = DataPipeline.prepare(trainSeries, heldOut, windowLength, stride,
                validationFraction);
        int channels = prep.channels();
        WindowSet train = prep.train();
        SignalFeatures sf = new SignalFeatures(windowLength, channels, bands, !removeDc);
        int d = sf.size();
        int n = train.size();
        if (n < d + 1) {
            throw new GyroSentinelException(ErrorCode.BAD_INPUT, "too few windows for " + family.id() + ": " + n
                    + " training windows of " + windowLength + " samples for " + d + " features; at least " + (d + 1)
                    + " are needed (record longer, lower --stride, or use fewer --bands)");
        }
        double[][] f = features(sf, train);
        double[] mean = new double[d];
        double[] std = new double[d];
        for (double[] row : f) {
            for (int j = 0; j < d; j++) {
                mean[j] += row[j];
            }
        }
        for (int j = 0; j < d; j++) {
            mean[j] /= n;
        }
        for (double[] row : f) {
            for (int j = 0; j < d; j++) {
                double v = row[j] - mean[j];
                std[j] += v * v;
            }
        }
        for (int j = 0; j < d; j++) {
            std[j] = Math.max(MIN_FEATURE_STD, Math.sqrt(std[j] / n));
        }
        DMatrixRMaj z = new DMatrixRMaj(n, d);
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < d; j++) {
                z.unsafe_set(i, j, (f[i][j] - mean[j]) / std[j]);
            }
        }
        DMatrixRMaj s = new DMatrixRMaj(d, d);
        CommonOps_DDRM.multTransA(z, z, s);
        CommonOps_DDRM.scale(1.0 / n, s);
        double trace = CommonOps_DDRM.trace(s);
        double target = trace / d;
        double shrinkage = ledoitWolf(z, s, target);
        float[] t;
        float[] q = new float[0];
        int components = 0;
        double explained = 0;
        // the shrunk covariance (1 − α) S + α μ I is positive definite: invertible, and a sound base for PCA too
        DMatrixRMaj shrunk = s.copy();
        CommonOps_DDRM.scale(1 - shrinkage, shrunk);
        for (int j = 0; j < d; j++) {
            shrunk.add(j, j, shrinkage * target + 1e-9);
        }
        if (family == ModelFamily.FEATURES_MAHALANOBIS) {
            DMatrixRMaj inv = new DMatrixRMaj(d, d);
            if (!CommonOps_DDRM.invertSPD(shrunk.copy(), inv)) {
                throw new TrainingException("the feature covariance is not positive definite; check the data");
            }
            CommonOps_DDRM.scale(1.0 / d, inv);
            t = toFloats(inv);
        } else {
            EigenDecomposition_F64<DMatrixRMaj> eig = DecompositionFactory_DDRM.eig(d, true, true);
            if (!eig.decompose(shrunk.copy())) {
                throw new TrainingException("the eigen-decomposition of the feature covariance failed");
            }
            Integer[] order = new Integer[d];
            double[] lambda = new double[d];
            for (int i = 0; i < d; i++) {
                order[i] = i;
                lambda[i] = eig.getEigenvalue(i).getReal();
            }
            Arrays.sort(order, (a, b) -> Double.compare(lambda[b], lambda[a]));
            double total = 0;
            for (double l : lambda) {
                total += Math.max(0, l);
            }
            double cum = 0;
            while (components < d - 1) {
                cum += Math.max(0, lambda[order[components]]);
                components++;
                if (cum >= pcaVariance * total) {
                    break;
                }
            }
            explained = cum / total;
            DMatrixRMaj tm = new DMatrixRMaj(d, d);
            DMatrixRMaj r = CommonOps_DDRM.identity(d);
            for (int c = 0; c < components; c++) {
                DMatrixRMaj v = eig.getEigenVector(order[c]);
                double l = Math.max(lambda[order[c]], 1e-9 * total);
                for (int a = 0; a < d; a++) {
                    for (int b = 0; b < d; b++) {
                        double pp = v.get(a) * v.get(b);
                        tm.add(a, b, pp / (2.0 * components * l));
                        r.add(a, b, -pp);
                    }
                }
            }
            // mean squared residual of the training windows
            DMatrixRMaj res = new DMatrixRMaj(n, d);
            CommonOps_DDRM.multTransB(z, r, res);
            double qbar = CommonOps_DDRM.elementSum(elementSquare(res)) / n;
            qbar = Math.max(qbar, 1e-9 * d);
            CommonOps_DDRM.scale(1 / Math.sqrt(2 * qbar), r);
            t = toFloats(tm);
            q = toFloats(r);
        }
        float[] fm = new float[d];
        float[] fs = new float[d];
        for (int j = 0; j < d; j++) {
            fm[j] = (float) mean[j];
            fs[j] = (float) std[j];
        }
        WindowSet val = prep.validation();
        FeatureModel.Fit provisional = new FeatureModel.Fit(n, val.size(), stride, 0, shrinkage, components, explained);
        FeatureModel model = FeatureModel.of(family, sf, prep.normalization(), fm, fs, t, q,
                new Threshold(thresholdPolicy, 1, 1), prep.normal().get(0).sampleRateHz(), provisional);
        double[] scores = new double[val.size()];
        IntStream.range(0, val.size()).parallel().forEach(i -> {
            double sum = 0;
            for (double c : model.contributions(val.window(i))) {
                sum += c;
            }
            scores[i] = sum;
        });
        for (int i = 0; i < scores.length; i++) {
            if (!Double.isFinite(scores[i])) {
                throw new TrainingException("validation window " + i + " scored " + scores[i] + "; check the data");
            }
        }
        Threshold threshold = new Threshold(thresholdPolicy, thresholdPolicy.compute(scores), scores.length);
        FeatureModel.Fit fit = new FeatureModel.Fit(n, val.size(), stride, (System.nanoTime() - t0) / 1e9, shrinkage,
                components, explained);
        LOG.info("fitted {} on {} windows ({} features, shrinkage {}, {} components), threshold {}", family.id(), n, d,
                shrinkage, components, threshold.value());
        return FeatureModel.of(family, sf, prep.normalization(), fm, fs, t, q, threshold,
                prep.normal().get(0).sampleRateHz(), fit).withSampleWindows(DataPipeline.rawWindows(prep.normal(),
                        prep.split().get(0), prep.split().get(1), windowLength, stride,
                        AutoencoderTrainer.SAMPLE_WINDOWS));
    }

    private static double[][] features(SignalFeatures sf, WindowSet ws) {
        double[][] out = new double[ws.size()][];
        ThreadLocal<SignalFeatures.Scratch> scratch = ThreadLocal.withInitial(() -> new SignalFeatures.Scratch(sf));
        IntStream.range(0, ws.size()).parallel().forEach(i -> {
            float[] v = new float[sf.size()];
            sf.extract(ws.window(i), v, scratch.get());
            double[] row = new double[v.length];
            for (int j = 0; j < v.length; j++) {
                row[j] = v[j];
            }
            out[i] = row;
        });
        return out;
    }

    /**
     * Ledoit–Wolf (2004) shrinkage intensity towards {@code target·I} for the sample covariance {@code s} of the
     * centred rows of {@code z}, clamped to [1e-3, 1].
     */
    static double ledoitWolf(DMatrixRMaj z, DMatrixRMaj s, double target) {
        int n = z.numRows;
        int d = z.numCols;
        double delta = 0;
        for (int a = 0; a < d; a++) {
            for (int b = 0; b < d; b++) {
                double v = s.get(a, b) - (a == b ? target : 0);
                delta += v * v;
            }
        }
        double beta = 0;
        double[] x = new double[d];
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < d; j++) {
                x[j] = z.unsafe_get(i, j);
            }
            for (int a = 0; a < d; a++) {
                for (int b = 0; b < d; b++) {
                    double v = x[a] * x[b] - s.get(a, b);
                    beta += v * v;
                }
            }
        }
        beta /= (double) n * n;
        if (delta <= 0) {
            return 1;
        }
        return Math.max(1e-3, Math.min(1, Math.min(beta, delta) / delta));
    }

    private static DMatrixRMaj elementSquare(DMatrixRMaj m) {
        DMatrixRMaj out = m.copy();
        CommonOps_DDRM.elementMult(out, m);
        return out;
    }

    private static float[] toFloats(DMatrixRMaj m) {
        float[] out = new float[m.getNumElements()];
        for (int i = 0; i < out.length; i++) {
            out[i] = (float) m.get(i);
        }
        return out;
    }

    /**
     * Builder; {@link #build()} validates. A setter given an invalid value throws {@link GyroSentinelException}
     * {@link ErrorCode#INVALID_ARGUMENT} with the setter's name as the field.
     */
    public static final class Builder {
        private ModelFamily family = ModelFamily.FEATURES_MAHALANOBIS;
        private int windowLength = AutoencoderTrainer.DEFAULT_WINDOW_LENGTH;
        private int stride;
        private int bands;
        private boolean removeDc;
        private double pcaVariance = 0.95;
        private double validationFraction = 0.2;
        private ThresholdPolicy thresholdPolicy = ThresholdPolicy.quantile(0.99);

        private Builder() {}

        /**
         * {@link ModelFamily#FEATURES_MAHALANOBIS} (default) or {@link ModelFamily#FEATURES_PCA}.
         *
         * @param family a feature family
         * @return this builder
         */
        public Builder family(ModelFamily family) {
            if (family == null || !family.usesFeatures()) {
                throw invalid("family", "FeatureModelTrainer trains features-mahalanobis or features-pca, not "
                        + family);
            }
            this.family = family;
            return this;
        }

        /**
         * Samples per window (default {@value AutoencoderTrainer#DEFAULT_WINDOW_LENGTH}, at least 4).
         *
         * @param windowLength samples per window
         * @return this builder
         */
        public Builder windowLength(int windowLength) {
            if (windowLength < 4) {
                throw invalid("windowLength", "windowLength must be >= 4, was " + windowLength);
            }
            this.windowLength = windowLength;
            return this;
        }

        /**
         * Samples between window starts (default a quarter window).
         *
         * @param stride samples, at least 1
         * @return this builder
         */
        public Builder stride(int stride) {
            if (stride < 1) {
                throw invalid("stride", "stride must be >= 1, was " + stride);
            }
            this.stride = stride;
            return this;
        }

        /**
         * Frequency bands (default {@link SignalFeatures#defaultBands(int)}).
         *
         * @param bands bands, 1 … {@code windowLength / 2}
         * @return this builder
         */
        public Builder bands(int bands) {
            if (bands < 1) {
                throw invalid("bands", "bands must be >= 1, was " + bands);
            }
            this.bands = bands;
            return this;
        }

        /**
         * Leave the window mean out of the features (default false): the model then sees vibration only, not the
         * sensor's static offset or tilt, which moves when the sensor is remounted.
         *
         * @param removeDc whether to leave the mean out
         * @return this builder
         */
        public Builder removeDc(boolean removeDc) {
            this.removeDc = removeDc;
            return this;
        }

        /**
         * PCA: keep the fewest components explaining this share of the variance (default 0.95, 0 &lt; v &lt; 1).
         *
         * @param share the share of the variance, 0 &lt; share &lt; 1
         * @return this builder
         */
        public Builder pcaVariance(double share) {
            if (!(share > 0 && share < 1)) {
                throw invalid("pcaVariance", "pcaVariance must be in (0, 1), was " + share);
            }
            this.pcaVariance = share;
            return this;
        }

        /**
         * Tail of each series held out for the threshold when no validation series are given (default 0.2).
         *
         * @param fraction share of each series held out, 0 &lt; fraction &lt; 1
         * @return this builder
         */
        public Builder validationFraction(double fraction) {
            if (!(fraction > 0 && fraction < 1)) {
                throw invalid("validationFraction", "validationFraction must be in (0, 1), was " + fraction);
            }
            this.validationFraction = fraction;
            return this;
        }

        /**
         * How the threshold is set from validation scores (default the 0.99 quantile).
         *
         * @param policy the policy, not {@code null}
         * @return this builder
         */
        public Builder thresholdPolicy(ThresholdPolicy policy) {
            if (policy == null) {
                throw invalid("thresholdPolicy", "thresholdPolicy is required");
            }
            this.thresholdPolicy = policy;
            return this;
        }

        /**
         * {@return the trainer}
         *
         * @throws GyroSentinelException {@link ErrorCode#INVALID_ARGUMENT} (field {@code bands}) if the bands do not
         *                              fit the window
         */
        public FeatureModelTrainer build() {
            return new FeatureModelTrainer(this);
        }

        private static GyroSentinelException invalid(String field, String message) {
            return new GyroSentinelException(ErrorCode.INVALID_ARGUMENT, message, field, null);
        }
    }
}
