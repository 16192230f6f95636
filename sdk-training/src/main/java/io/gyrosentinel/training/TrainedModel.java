package io.gyrosentinel.training;

import io.gyrosentinel.ErrorCode;
import io.gyrosentinel.GyroSentinelException;
import io.gyrosentinel.training.ModelArchitecture.ParameterSpec;
import io.gyrosentinel.training.internal.Metrics;
import io.gyrosentinel.training.internal.ModelDirectory;
import io.gyrosentinel.training.internal.ReferenceForward;
import io.gyrosentinel.training.internal.WindowScoring;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.IntStream;

/**
 * A trained autoencoder: architecture, weights, normalisation, threshold and training history. Immutable and
 * thread-safe. Scoring runs a pure-Java float forward pass (no TensorFlow needed), which is also the
 * reference for the TFLite packager and the VirtualDevice.
 *
 * <pre>{@code
 * TrainedModel model = TrainedModel.load(Path.of("models/pump-7"));
 * double[] scores = model.score(windows);             // raw windows, T*F interleaved floats each
 * boolean alarm = model.threshold().isAnomalous(scores[0]);
 * model.evaluate(labelledSeries).writeCsv(Path.of("scores.csv"));
 * }</pre>
 */
public final class TrainedModel implements AnomalyModel {
    private final ModelArchitecture architecture;
    private final Normalization normalization;
    private final Threshold threshold;
    private final float[][] params;
    private final TrainingHistory history;
    private final double sampleRateHz;
    private final ReferenceForward forward;
    private final float[][] sampleWindows;
    private final boolean removeDc;

    private TrainedModel(ModelArchitecture architecture, Normalization normalization, Threshold threshold,
            float[][] params, TrainingHistory history, double sampleRateHz) {
        this(architecture, normalization, threshold, params, history, sampleRateHz, new float[0][], false);
    }

    private TrainedModel(ModelArchitecture architecture, Normalization normalization, Threshold threshold,
            float[][] params, TrainingHistory history, double sampleRateHz, float[][] sampleWindows,
            boolean removeDc) {
        this.sampleWindows = sampleWindows;
        this.removeDc = removeDc;
        this.architecture = architecture;
        this.normalization = normalization;
        this.threshold = threshold;
        this.params = params;
        this.history = history;
        this.sampleRateHz = sampleRateHz;
        this.forward = new ReferenceForward(architecture, params);
    }

    /**
     * Assembles a model from its parts (used by training and loading; also handy for tests and converters).
     *
     * @param architecture  the network's shape
     * @param normalization per-channel normalisation, one entry per channel of the architecture
     * @param threshold     the alarm threshold
     * @param params parameter tensors in {@link ModelArchitecture#parameterSpecs()} order (copied)
     * @param history may be null for a model that was not trained here
     * @param sampleRateHz  sample rate of the training data, Hz
     * @return the model, without sample windows and with the DC kept
     * @throws GyroSentinelException {@link ErrorCode#INVALID_ARGUMENT} (field names the argument) if a part is
     *                               missing or does not fit the architecture; {@link ErrorCode#BAD_INPUT}
     *                               (field {@code params}) if a parameter value is not finite
     */
    public static TrainedModel of(ModelArchitecture architecture, Normalization normalization, Threshold threshold,
            float[][] params, TrainingHistory history, double sampleRateHz) {
        if (architecture == null || normalization == null || threshold == null || params == null) {
            throw invalid(architecture == null ? "architecture" : normalization == null ? "normalization"
                    : threshold == null ? "threshold" : "params",
                    "architecture, normalization, threshold and params are required");
        }
        if (normalization.channels() != architecture.channels()) {
            throw invalid("normalization", "normalization has " + normalization.channels()
                    + " channels, architecture " + architecture.channels());
        }
        List<ParameterSpec> specs = architecture.parameterSpecs();
        if (params.length != specs.size()) {
            throw invalid("params", "expected " + specs.size() + " parameter tensors, got " + params.length);
        }
        float[][] copy = new float[params.length][];
        for (int i = 0; i < params.length; i++) {
            if (params[i] == null || params[i].length != specs.get(i).size()) {
                throw invalid("params", "parameter " + specs.get(i) + " needs " + specs.get(i).size()
                        + " floats, got " + (params[i] == null ? "null" : params[i].length));
            }
            for (int j = 0; j < params[i].length; j++) {
                if (!Float.isFinite(params[i][j])) {
                    throw new GyroSentinelException(ErrorCode.BAD_INPUT, "parameter " + specs.get(i).name() + "["
                            + j + "] is " + params[i][j], "params", null);
                }
            }
            copy[i] = params[i].clone();
        }
        if (!(sampleRateHz > 0) || Double.isInfinite(sampleRateHz)) {
            throw invalid("sampleRateHz", "sampleRateHz must be positive, was " + sampleRateHz);
        }
        return new TrainedModel(architecture, normalization, threshold, copy, history, sampleRateHz);
    }

    /**
     * Loads a model directory written by {@link #save(Path)}.
     *
     * @param directory the model directory
     * @return the model
     * @throws ModelFormatException naming the file and field when the directory is not a readable autoencoder model
     */
    public static TrainedModel load(Path directory) {
        return ModelDirectory.read(directory);
    }

    /**
     * Writes the model to {@code directory} atomically: files go to a temporary sibling directory that is
     * renamed into place, so the directory either holds a complete model or does not exist. Fails if
     * {@code directory} exists and is not empty.
     */
    public void save(Path directory) {
        ModelDirectory.write(this, directory);
    }

    /** {@return the network's shape: window, channels, layers and units} */
    public ModelArchitecture architecture() {
        return architecture;
    }

    @Override
    public ModelFamily family() {
        return architecture.family();
    }

    @Override
    public int windowLength() {
        return architecture.windowLength();
    }

    @Override
    public int channels() {
        return architecture.channels();
    }

    /** Mean squared reconstruction error of each channel, normalised units; their mean is the score. */
    @Override
    public float[] channelScores(float[] rawWindow) {
        float[] x = normalize(rawWindow);
        float[] y = forward.reconstruct(x);
        int f = architecture.channels();
        double[] sum = new double[f];
        for (int i = 0; i < x.length; i++) {
            double d = (double) y[i] - x[i];
            sum[i % f] += d * d;
        }
        float[] out = new float[f];
        for (int c = 0; c < f; c++) {
            out[c] = (float) (sum[c] / architecture.windowLength());
        }
        return out;
    }

    @Override
    public String describe() {
        ModelArchitecture a = architecture;
        if (a.cell() == ModelArchitecture.Cell.CONV) {
            return "conv-ae: window " + a.windowLength() + " x " + a.channels() + " channel(s), encoder "
                    + a.encoderUnits() + " filters (stride 2), decoder " + a.decoderUnits() + " filters (upsampling x2),"
                    + " kernel " + ModelArchitecture.CONV_KERNEL + ", " + a.parameterCount() + " parameters";
        }
        if (a.cell() == ModelArchitecture.Cell.DENSE) {
            return "dense-ae: window " + a.windowLength() + " x " + a.channels() + " channel(s), encoder "
                    + a.encoderUnits() + ", decoder " + a.decoderUnits() + " (tanh), " + a.parameterCount()
                    + " parameters";
        }
        return "lstm-ae: window " + a.windowLength() + " x " + a.channels() + " channel(s), " + a.samplesPerStep()
                + " sample(s) per step, encoder " + a.encoderUnits() + ", decoder " + a.decoderUnits() + ", "
                + a.parameterCount() + " parameters";
    }

    public Normalization normalization() {
        return normalization;
    }

    public Threshold threshold() {
        return threshold;
    }

    /**
     * A bounded sample of the normal windows the model was trained and validated on (raw, physical units,
     * {@code windowLength * channels} interleaved floats each; empty when the model was assembled without them). It
     * travels with the model directory, so packaging can calibrate and verify quantisation with no other data.
     */
    public float[][] sampleWindows() {
        float[][] c = new float[sampleWindows.length][];
        for (int i = 0; i < c.length; i++) {
            c[i] = sampleWindows[i].clone();
        }
        return c;
    }

    /**
     * This model with {@code windows} as its {@link #sampleWindows()} (copied).
     *
     * @param windows raw normal windows, {@code windowLength * channels} values each
     * @return a new model; this one is unchanged
     * @throws GyroSentinelException {@link ErrorCode#INVALID_ARGUMENT} (field {@code sampleWindows}) when a window
     *                               has the wrong size or a value that is not finite
     */
    public TrainedModel withSampleWindows(float[][] windows) {
        int n = architecture.windowLength() * architecture.channels();
        float[][] c = new float[windows.length][];
        for (int i = 0; i < c.length; i++) {
            if (windows[i] == null || windows[i].length != n) {
                throw invalid("sampleWindows", "sample window " + i + " has " + (windows[i] == null ? "no"
                        : windows[i].length) + " values, expected " + n);
            }
            for (float v : windows[i]) {
                if (!Float.isFinite(v)) {
                    throw invalid("sampleWindows", "sample window " + i + " holds " + v);
                }
            }
            c[i] = windows[i].clone();
        }
        return new TrainedModel(architecture, normalization, threshold, params, history, sampleRateHz, c, removeDc);
    }

    /**
     * The same model with DC removal on or off: with it, every window has each channel's own mean subtracted after
     * the normalisation, before the autoencoder (training, host scoring, the device — manifest {@code "dc":
     * "remove"}), so the model sees vibration only, not the sensor's static offset or tilt. A model's weights are
     * trained for one setting: change it only when assembling a model from parts.
     *
     * @param remove whether to remove each window's per-channel mean
     * @return a new model; this one is unchanged
     */
    public TrainedModel withRemoveDc(boolean remove) {
        return new TrainedModel(architecture, normalization, threshold, params, history, sampleRateHz, sampleWindows,
                remove);
    }

    /** {@return whether each window's per-channel mean is removed before the model (see {@link #withRemoveDc})} */
    public boolean removesDc() {
        return removeDc;
    }

    /** {@return the training history, or null if the model was assembled with none} */
    public TrainingHistory history() {
        return history;
    }

    /** Sample rate of the training data; windows must be sampled at the same rate. */
    public double sampleRateHz() {
        return sampleRateHz;
    }

    /**
     * A copy of one parameter tensor (row-major), e.g. {@code "enc0.kernel"}.
     *
     * @param name the tensor's name, as in {@link ModelArchitecture#parameterSpecs()}
     * @return a copy of the tensor's values
     * @throws GyroSentinelException {@link ErrorCode#INVALID_ARGUMENT} (field {@code name}) for an unknown name
     */
    public float[] parameter(String name) {
        List<ParameterSpec> specs = architecture.parameterSpecs();
        for (int i = 0; i < specs.size(); i++) {
            if (specs.get(i).name().equals(name)) {
                return params[i].clone();
            }
        }
        throw invalid("name", "no parameter '" + name + "'; known: " + specs);
    }

    /** {@return copies of all parameter tensors in {@link ModelArchitecture#parameterSpecs()} order} */
    public float[][] parameters() {
        float[][] c = new float[params.length][];
        for (int i = 0; i < params.length; i++) {
            c[i] = params[i].clone();
        }
        return c;
    }

    /** The same model with another threshold (e.g. recalibrated on site). */
    public TrainedModel withThreshold(Threshold newThreshold) {
        return new TrainedModel(architecture, normalization, newThreshold, params, history, sampleRateHz,
                sampleWindows, removeDc);
    }

    /**
     * Normalises one raw window ({@code T*F} interleaved floats).
     *
     * @param rawWindow {@code windowLength * channels} values in physical units, interleaved
     * @return a new array: the normalised window (and without its per-channel mean when {@link #removesDc()})
     * @throws GyroSentinelException {@link ErrorCode#BAD_INPUT} if a window has the wrong length or a non-finite
     *                               value (the message names window, sample and channel)
     */
    public float[] normalize(float[] rawWindow) {
        checkWindow(rawWindow, 0);
        float[] x = WindowScoring.normalize(rawWindow, normalization);
        return removeDc ? WindowScoring.removeDc(x, architecture.channels()) : x;
    }

    /**
     * Reference reconstruction of a normalised window (what the device must compute, before the score).
     *
     * @param normalizedWindow a window as {@link #normalize(float[])} returns it
     * @return the model's reconstruction, same shape
     * @throws GyroSentinelException {@link ErrorCode#BAD_INPUT} if a window has the wrong length or a non-finite
     *                               value (the message names window, sample and channel)
     */
    public float[] reconstructNormalized(float[] normalizedWindow) {
        checkWindow(normalizedWindow, 0);
        return forward.reconstruct(normalizedWindow);
    }

    /**
     * Score (mean squared reconstruction error in normalised units) of one raw window.
     *
     * @throws GyroSentinelException {@link ErrorCode#BAD_INPUT} if a window has the wrong length or a non-finite
     *                               value (the message names window, sample and channel)
     */
    public double score(float[] rawWindow) {
        return forward.score(normalize(rawWindow));
    }

    /**
     * Scores raw windows ({@code T*F} interleaved floats each), in parallel for large batches.
     *
     * @throws GyroSentinelException {@link ErrorCode#BAD_INPUT} if a window has the wrong length or a non-finite
     *                               value (the message names window, sample and channel)
     */
    public double[] score(float[][] rawWindows) {
        for (int i = 0; i < rawWindows.length; i++) {
            checkWindow(rawWindows[i], i);
        }
        double[] out = new double[rawWindows.length];
        IntStream range = IntStream.range(0, rawWindows.length);
        (rawWindows.length > 64 ? range.parallel() : range).forEach(i -> out[i] = score(rawWindows[i]));
        return out;
    }

    /**
     * Scores every window of a series, cut every {@code stride} samples.
     *
     * @throws GyroSentinelException {@link ErrorCode#INVALID_ARGUMENT} (field {@code stride}) if stride &lt; 1;
     *                               {@link ErrorCode#BAD_INPUT} if the series is unusable (too short, NaN/Inf,
     *                               another channel count); the message names series, sample and channel
     */
    public List<WindowScore> score(TimeSeries series, int stride) {
        return scoreAll(List.of(series), stride);
    }

    /**
     * Evaluates on labelled series (normal and anomalous, or with per-sample labels), windows cut every
     * {@code stride} samples. A window is anomalous if any of its samples is.
     *
     * @throws GyroSentinelException {@link ErrorCode#INVALID_ARGUMENT} (field {@code stride}) if stride &lt; 1;
     *                               {@link ErrorCode#BAD_INPUT} if the series are unusable (none, too short,
     *                               NaN/Inf, another channel count); the message names series, sample and channel
     */
    public EvaluationReport evaluate(List<TimeSeries> series, int stride) {
        List<WindowScore> scores = scoreAll(series, stride);
        return Metrics.report(scores, threshold.value());
    }

    /**
     * {@link #evaluate(List, int)} with a stride of a quarter window.
     *
     * @throws GyroSentinelException {@link ErrorCode#BAD_INPUT} as {@link #evaluate(List, int)}
     */
    public EvaluationReport evaluate(List<TimeSeries> series) {
        return evaluate(series, Math.max(1, architecture.windowLength() / 4));
    }

    /**
     * Point-wise metrics on per-sample labels ({@link PointMetrics}): every sample that ends a full window is scored
     * by the window ending on it.
     *
     * @throws GyroSentinelException {@link ErrorCode#BAD_INPUT} as {@link #evaluate(List, int)}
     */
    public PointMetrics evaluatePoints(List<TimeSeries> series) {
        return PointMetrics.of(scoreAll(series, 1), series);
    }

    private List<WindowScore> scoreAll(List<TimeSeries> series, int stride) {
        int f = architecture.channels();
        return WindowScoring.scoreAll(series, stride, architecture.windowLength(), f, normalization, threshold,
                removeDc ? x -> forward.score(WindowScoring.removeDc(x, f)) : forward::score);
    }

    private void checkWindow(float[] w, int index) {
        WindowScoring.checkWindow(w, index, architecture.windowLength(), architecture.channels());
    }

    private static GyroSentinelException invalid(String field, String message) {
        return new GyroSentinelException(ErrorCode.INVALID_ARGUMENT, message, field, null);
    }

    @Override
    public String toString() {
        return "TrainedModel[" + architecture + ", threshold " + threshold.value() + " (" + threshold.policy() + ")]";
    }
}
