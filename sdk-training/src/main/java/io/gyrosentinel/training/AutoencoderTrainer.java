package io.gyrosentinel.training;

import io.gyrosentinel.ErrorCode;
import io.gyrosentinel.GyroSentinelException;
import io.gyrosentinel.training.internal.Adam;
import io.gyrosentinel.training.internal.DataPipeline;
import io.gyrosentinel.training.internal.DataPipeline.Segment;
import io.gyrosentinel.training.internal.DataPipeline.WindowSet;
import io.gyrosentinel.training.internal.Initializers;
import io.gyrosentinel.training.internal.ReferenceForward;
import io.gyrosentinel.training.internal.TfAutoencoderGraph;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.function.BooleanSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Trains an LSTM autoencoder on normal vibration data and calibrates its alarm threshold.
 *
 * <pre>{@code
 * AutoencoderTrainer trainer = AutoencoderTrainer.builder()
 *         .windowLength(40).stride(10)
 *         .seed(42)
 *         .listener(r -> System.out.printf("epoch %d loss %.4f val %.4f eta %s%n",
 *                 r.epoch(), r.trainLoss(), r.validationLoss(), r.eta()))
 *         .build();
 * TrainedModel model = trainer.train(normalSeries);          // blocking; interrupt to cancel
 * model.save(Path.of("models/pump-7"));
 * EvaluationReport report = model.evaluate(labelledSeries);
 * }</pre>
 *
 * <p><b>Pipeline.</b> Each series is split by time: its first {@code 1 - validationFraction} trains, the rest
 * validates; windows of {@code windowLength} samples are cut every {@code stride} samples inside each part, so
 * no window crosses the split. Per-channel mean/std come from the training part only. Training windows are
 * reshuffled every epoch.
 *
 * <p><b>Optimisation.</b> Adam on the mean squared reconstruction error, gradients clipped by global norm,
 * early stopping on the validation loss with the best weights restored, learning rate multiplied by
 * {@code lrReductionFactor} after {@code lrPatience} epochs without improvement. Forward and backward passes run
 * in TensorFlow (graph mode, fused {@code BlockLSTMV2}); weights and optimiser state live in Java.
 *
 * <p><b>Determinism.</b> Initial weights, shuffling and the optimiser are computed in Java from {@link
 * Builder#seed(long)}. With {@code threads(1)} (the default) the same seed, data and configuration give
 * bit-identical weights on the same machine and TensorFlow build; with more threads TensorFlow may sum in a
 * different order, and results agree only to float rounding. Different CPUs (e.g. AVX-512 vs AVX2 kernels) may
 * also differ in the last bits.
 *
 * <p>Instances are immutable and thread-safe; every {@code train} call builds its own TensorFlow graph.
 */
public final class AutoencoderTrainer {
    /** Normal windows kept with the model ({@link TrainedModel#sampleWindows()}): half training, half validation. */
    public static final int SAMPLE_WINDOWS = 512;
    private static final Logger LOG = LoggerFactory.getLogger(AutoencoderTrainer.class);
    /** Default window length in samples. */
    public static final int DEFAULT_WINDOW_LENGTH = 40;
    /**
     * Samples per LSTM step the trainer picks when none is set: this, or the largest divisor of the window length
     * below it that leaves at least 2 steps (chosen by the cost card, docs/benchmarks.md §7).
     */
    public static final int DEFAULT_SAMPLES_PER_STEP = 8;
    private final int windowLength;
    private final int samplesPerStep;
    private final int samplesPerStepSetting; // as set on the builder (0 = default), for toBuilder()
    private final int stride;
    private final List<Integer> encoderUnits;
    private final List<Integer> decoderUnits;
    private final int batchSize;
    private final int maxEpochs;
    private final double learningRate;
    private final double clipNorm;
    private final int earlyStoppingPatience;
    private final double minRelativeImprovement;
    private final int lrPatience;
    private final double lrReductionFactor;
    private final double minLearningRate;
    private final double validationFraction;
    private final long seed;
    private final int threads;
    private final ThresholdPolicy thresholdPolicy;
    private final TrainingListener listener;
    private final ModelArchitecture.Cell cell;
    private final boolean removeDc;

    private AutoencoderTrainer(Builder b) {
        this.removeDc = b.removeDc;
        this.windowLength = b.windowLength;
        this.samplesPerStepSetting = b.samplesPerStep;
        this.cell = b.cell;
        this.samplesPerStep = b.cell != ModelArchitecture.Cell.LSTM ? 1
                : b.samplesPerStep > 0 ? b.samplesPerStep : defaultSamplesPerStep(b.windowLength);
        this.stride = b.stride > 0 ? b.stride : Math.max(1, b.windowLength / 4);
        this.encoderUnits = List.copyOf(b.resolvedEncoder());
        this.decoderUnits = List.copyOf(b.resolvedDecoder());
        this.batchSize = b.batchSize;
        this.maxEpochs = b.maxEpochs;
        this.learningRate = b.learningRate;
        this.clipNorm = b.clipNorm;
        this.earlyStoppingPatience = b.earlyStoppingPatience;
        this.minRelativeImprovement = b.minRelativeImprovement;
        this.lrPatience = b.lrPatience;
        this.lrReductionFactor = b.lrReductionFactor;
        this.minLearningRate = b.minLearningRate;
        this.validationFraction = b.validationFraction;
        this.seed = b.seed;
        this.threads = b.threads;
        this.thresholdPolicy = b.thresholdPolicy;
        this.listener = b.listener;
    }

    /** {@return a builder with the defaults listed on its setters (an LSTM autoencoder)} */
    public static Builder builder() {
        return new Builder();
    }

    /** {@return a builder holding this trainer's configuration, to derive a variant} */
    public Builder toBuilder() {
        Builder b = new Builder();
        b.windowLength = windowLength;
        b.cell = cell;
        b.removeDc = removeDc;
        b.samplesPerStep = samplesPerStepSetting;
        b.stride = stride;
        b.encoderUnits = encoderUnits;
        b.decoderUnits = decoderUnits;
        b.batchSize = batchSize;
        b.maxEpochs = maxEpochs;
        b.learningRate = learningRate;
        b.clipNorm = clipNorm;
        b.earlyStoppingPatience = earlyStoppingPatience;
        b.minRelativeImprovement = minRelativeImprovement;
        b.lrPatience = lrPatience;
        b.lrReductionFactor = lrReductionFactor;
        b.minLearningRate = minLearningRate;
        b.validationFraction = validationFraction;
        b.seed = seed;
        b.threads = threads;
        b.thresholdPolicy = thresholdPolicy;
        b.listener = listener;
        return b;
    }

    /** {@return the samples per window} */
    public int windowLength() {
        return windowLength;
    }

    /**
     * The largest divisor of {@code windowLength} that is at most {@link #DEFAULT_SAMPLES_PER_STEP} and leaves at
     * least 2 steps (1 for a window with no such divisor).
     *
     * @param windowLength samples per window
     * @return the samples per step
     */
    public static int defaultSamplesPerStep(int windowLength) {
        for (int k = DEFAULT_SAMPLES_PER_STEP; k > 1; k--) {
            if (windowLength % k == 0 && windowLength / k >= 2) {
                return k;
            }
        }
        return 1;
    }

    /** {@return the samples fed to the LSTM per step (see {@link ModelArchitecture})} */
    public int samplesPerStep() {
        return samplesPerStep;
    }

    /** {@return the samples between window starts} */
    public int stride() {
        return stride;
    }

    /** {@return the seed of initial weights and shuffling} */
    public long seed() {
        return seed;
    }

    /**
     * Trains on normal data, blocking. Checks the calling thread's interrupt flag between batches and throws
     * {@link CancellationException} when it is set.
     *
     * @param normal normal series; the tail of each ({@code validationFraction}) is held out for early stopping and
     *        the threshold
     * @return the trained model, with its threshold calibrated
     * @throws GyroSentinelException {@link ErrorCode#BAD_INPUT} if the data is unusable (empty, too short,
     *                               NaN/Inf, channel mismatch, labelled anomalous); the message names series,
     *                               sample and channel
     * @throws TrainingException     if training fails (e.g. the loss diverges)
     * @throws GyroSentinelException {@link ErrorCode#UNSUPPORTED} if TensorFlow's native library for this platform
     *                               is not on the class path; the message names the platform and the artifact to add
     */
    public TrainedModel train(List<TimeSeries> normal) {
        return run(normal, null, () -> Thread.currentThread().isInterrupted());
    }

    /**
     * Trains on {@code normal} (all of it) and uses whole held-out {@code validation} series for
     * early stopping and the threshold, instead of the tail of each training series. Use it when
     * sessions are short or when normal data from other sessions of the machine is available:
     * a threshold calibrated on sessions the model never saw is more honest.
     *
     * @param normal     normal series to train on
     * @param validation held-out normal series, at least one
     * @return the trained model, with its threshold calibrated
     * @throws GyroSentinelException {@link ErrorCode#BAD_INPUT} if either list is empty or its data is unusable
     *                               (as for {@link #train(List)}), e.g. validation series with another channel
     *                               count
     * @throws TrainingException     if training fails (e.g. the loss diverges)
     * @throws GyroSentinelException {@link ErrorCode#UNSUPPORTED} if TensorFlow's native library for this platform
     *                               is not on the class path; the message names the platform and the artifact to add
     */
    public TrainedModel train(List<TimeSeries> normal, List<TimeSeries> validation) {
        if (validation == null || validation.isEmpty()) {
            throw new GyroSentinelException(ErrorCode.BAD_INPUT,
                    "validation series are empty; use train(normal) to split by time", "validation", null);
        }
        return run(normal, List.copyOf(validation), () -> Thread.currentThread().isInterrupted());
    }

    /**
     * Trains on a new daemon thread. {@code future.cancel(…)} stops training within one batch.
     *
     * @param normal normal series, as for {@link #train(List)}
     * @return completes with the model, or with the exception {@link #train(List)} would throw
     */
    public CompletableFuture<TrainedModel> trainAsync(List<TimeSeries> normal) {
        return trainAsync(normal, r -> {
            Thread t = new Thread(r, "gyrosentinel-training");
            t.setDaemon(true);
            t.start();
        });
    }

    /**
     * Trains on the given executor. {@code future.cancel(…)} stops training within one batch.
     *
     * @param normal   normal series, as for {@link #train(List)}
     * @param executor runs the training
     * @return completes with the model, or with the exception {@link #train(List)} would throw
     */
    public CompletableFuture<TrainedModel> trainAsync(List<TimeSeries> normal, Executor executor) {
        List<TimeSeries> copy = List.copyOf(normal);
        CompletableFuture<TrainedModel> future = new CompletableFuture<>();
        executor.execute(() -> {
            try {
                future.complete(run(copy, null, future::isCancelled));
            } catch (Throwable e) {
                future.completeExceptionally(e);
            }
        });
        return future;
    }

    /**
     * {@link #train(List, List)} on the given executor. {@code future.cancel(…)} stops training within one batch.
     *
     * @param normal     normal series to train on
     * @param validation held-out normal series, at least one
     * @param executor   runs the training
     * @return completes with the model, or with the exception {@link #train(List, List)} would throw
     * @throws GyroSentinelException {@link ErrorCode#BAD_INPUT} right away when {@code validation} is empty
     */
    public CompletableFuture<TrainedModel> trainAsync(List<TimeSeries> normal, List<TimeSeries> validation,
            Executor executor) {
        if (validation == null || validation.isEmpty()) {
            throw new GyroSentinelException(ErrorCode.BAD_INPUT,
                    "validation series are empty; use trainAsync(normal) to split by time", "validation", null);
        }
        List<TimeSeries> copy = List.copyOf(normal);
        List<TimeSeries> held = List.copyOf(validation);
        CompletableFuture<TrainedModel> future = new CompletableFuture<>();
        executor.execute(() -> {
            try {
                future.complete(run(copy, held, future::isCancelled));
            } catch (Throwable e) {
                future.completeExceptionally(e);
            }
        });
        return future;
    }

    private TrainedModel run(List<TimeSeries> trainSeries, List<TimeSeries> heldOut, BooleanSupplier cancelled) {
        long t0 = System.nanoTime();
        DataPipeline.Prepared prep = DataPipeline.prepare(trainSeries, heldOut, windowLength, stride,
                validationFraction);
        List<TimeSeries> normal = prep.normal();
        List<List<Segment>> split = prep.split();
        Normalization norm = prep.normalization();
        WindowSet train = prep.train();
        WindowSet val = prep.validation();
        if (removeDc) {
            train.removeDc();
            val.removeDc();
        }
        ModelArchitecture arch = new ModelArchitecture(windowLength, prep.channels(), samplesPerStep, encoderUnits,
                decoderUnits, cell);

        Random rnd = new Random(seed);
        float[][] params = Initializers.initialParameters(arch, rnd.nextLong());
        float[][] grads = new float[params.length][];
        for (int i = 0; i < params.length; i++) {
            grads[i] = new float[params[i].length];
        }
        float[][] best = copy(params);
        Adam adam = new Adam(params, clipNorm);
        int len = windowLength * arch.channels();
        float[] batch = new float[batchSize * len];
        int[] order = new int[train.size()];
        for (int i = 0; i < order.length; i++) {
            order[i] = i;
        }
        List<EpochReport> epochs = new ArrayList<>();
        double bestVal = Double.POSITIVE_INFINITY;
        int bestEpoch = 0;
        double plateauBest = Double.POSITIVE_INFINITY;
        int sinceBest = 0;
        int sincePlateauBest = 0;
        double lr = learningRate;
        TrainingHistory.StopReason stop = TrainingHistory.StopReason.MAX_EPOCHS;
        try (TfAutoencoderGraph graph = new TfAutoencoderGraph(arch, threads)) {
            for (int epoch = 1; epoch <= maxEpochs; epoch++) {
                long e0 = System.nanoTime();
                DataPipeline.shuffle(order, rnd);
                double lossSum = 0;
                for (int from = 0; from < order.length; from += batchSize) {
                    if (cancelled.getAsBoolean()) {
                        throw new CancellationException("training cancelled in epoch " + epoch);
                    }
                    int n = Math.min(batchSize, order.length - from);
                    for (int k = 0; k < n; k++) {
                        System.arraycopy(train.data, order[from + k] * len, batch, k * len, len);
                    }
                    float loss = graph.lossAndGradients(batch, n, params, grads);
                    if (!Float.isFinite(loss)) {
                        throw new TrainingException("training loss became " + loss + " in epoch " + epoch
                                + "; lower the learning rate or check the data");
                    }
                    adam.apply(params, grads, lr);
                    lossSum += (double) loss * n;
                }
                double trainLoss = lossSum / order.length;
                double valLoss = validationLoss(graph, val, params);
                boolean improved = valLoss < bestVal * (1 - minRelativeImprovement);
                if (improved) {
                    bestVal = valLoss;
                    bestEpoch = epoch;
                    best = copy(params);
                    sinceBest = 0;
                } else {
                    sinceBest++;
                }
                double usedLr = lr;
                if (valLoss < plateauBest * (1 - minRelativeImprovement)) {
                    plateauBest = valLoss;
                    sincePlateauBest = 0;
                } else if (++sincePlateauBest >= lrPatience) {
                    lr = Math.max(minLearningRate, lr * lrReductionFactor);
                    sincePlateauBest = 0;
                }
                long now = System.nanoTime();
                Duration elapsed = Duration.ofNanos(now - t0);
                Duration epochTime = Duration.ofNanos(now - e0);
                Duration eta = elapsed.dividedBy(epoch).multipliedBy(maxEpochs - epoch);
                EpochReport report = new EpochReport(epoch, maxEpochs, trainLoss, valLoss, usedLr, epochTime, elapsed,
                        eta, improved);
                epochs.add(report);
                LOG.debug("epoch {}/{}: loss {} val {} lr {} ({} ms)", epoch, maxEpochs, trainLoss, valLoss, usedLr,
                        epochTime.toMillis());
                listener.onEpoch(report);
                if (sinceBest >= earlyStoppingPatience) {
                    stop = TrainingHistory.StopReason.EARLY_STOPPING;
                    break;
                }
            }
        } catch (ArithmeticException e) {
            throw new TrainingException("training diverged: " + e.getMessage(), e);
        }
        if (bestEpoch == 0) {
            throw new TrainingException("validation loss never became finite; check the data");
        }
        ReferenceForward forward = new ReferenceForward(arch, best);
        double[] scores = new double[val.size()];
        java.util.stream.IntStream.range(0, val.size()).parallel()
                .forEach(i -> scores[i] = forward.score(val.window(i)));
        Threshold threshold = new Threshold(thresholdPolicy, thresholdPolicy.compute(scores), scores.length);
        LOG.info("trained {} on {} windows: {} epochs ({}), best validation loss {} at epoch {}, threshold {}", arch,
                train.size(), epochs.size(), stop, bestVal, bestEpoch, threshold.value());
        TrainingHistory history = new TrainingHistory(epochs, bestEpoch, stop, seed, train.size(), val.size(), stride,
                Duration.ofNanos(System.nanoTime() - t0));
        return TrainedModel.of(arch, norm, threshold, best, history, normal.get(0).sampleRateHz())
                .withRemoveDc(removeDc).withSampleWindows(DataPipeline.rawWindows(normal, split.get(0), split.get(1), windowLength, stride,
                        SAMPLE_WINDOWS));
    }

    private double validationLoss(TfAutoencoderGraph graph, WindowSet val, float[][] params) {
        int len = windowLength * val.channels;
        int chunk = 512;
        double sum = 0;
        float[] buf = new float[Math.min(chunk, val.size()) * len];
        for (int from = 0; from < val.size(); from += chunk) {
            int n = Math.min(chunk, val.size() - from);
            System.arraycopy(val.data, from * len, buf, 0, n * len);
            sum += (double) graph.loss(buf, n, params) * n;
        }
        return sum / val.size();
    }

    private static float[][] copy(float[][] p) {
        float[][] c = new float[p.length][];
        for (int i = 0; i < p.length; i++) {
            c[i] = p[i].clone();
        }
        return c;
    }

    /** Builder; {@link #build()} validates. Defaults are listed on each setter. */
    public static final class Builder {
        private int windowLength = DEFAULT_WINDOW_LENGTH;
        private int samplesPerStep = 0; // 0: defaultSamplesPerStep(windowLength)
        private int stride = -1;
        private List<Integer> encoderUnits;
        private List<Integer> decoderUnits;
        private ModelArchitecture.Cell cell = ModelArchitecture.Cell.LSTM;
        private boolean removeDc;

        /**
         * Remove each window's per-channel mean after the normalisation, before the model (default false): the
         * model then learns vibration only, not the sensor's static offset or tilt, which moves when the sensor is
         * remounted. Saved with the model and applied identically in host scoring and on the device.
         *
         * @param remove whether to remove the mean
         * @return this builder
         */
        public Builder removeDc(boolean remove) {
            this.removeDc = remove;
            return this;
        }

        /**
         * LSTM layers ({@code lstm-ae}, the default), fully connected layers over the whole window ({@code
         * dense-ae}; default units 32, 8 / 32) or 1-D convolutions ({@code conv-ae}; default filters 16, 8 / 8, 16,
         * the window must divide by 4); samplesPerStep applies to LSTM only.
         *
         * @param cell the layer type, not {@code null}
         * @return this builder
         */
        public Builder cell(ModelArchitecture.Cell cell) {
            this.cell = cell;
            return this;
        }

        private List<Integer> resolvedEncoder() {
            return encoderUnits != null ? encoderUnits
                    : cell == ModelArchitecture.Cell.DENSE ? List.of(32, 8) : List.of(16, 8);
        }

        private List<Integer> resolvedDecoder() {
            return decoderUnits != null ? decoderUnits
                    : cell == ModelArchitecture.Cell.DENSE ? List.of(32) : List.of(8, 16);
        }
        private int batchSize = 32;
        private int maxEpochs = 100;
        private double learningRate = 1e-2;
        private double clipNorm = 5.0;
        private int earlyStoppingPatience = 10;
        private double minRelativeImprovement = 1e-3;
        private int lrPatience = 5;
        private double lrReductionFactor = 0.5;
        private double minLearningRate = 1e-5;
        private double validationFraction = 0.2;
        private long seed = 42;
        private int threads = 1;
        private ThresholdPolicy thresholdPolicy = ThresholdPolicy.quantile(0.99);
        private TrainingListener listener = TrainingListener.none();

        private Builder() {}

        /**
         * Samples per window, default {@value AutoencoderTrainer#DEFAULT_WINDOW_LENGTH}.
         *
         * @param windowLength samples per window
         * @return this builder
         */
        public Builder windowLength(int windowLength) {
            this.windowLength = windowLength;
            return this;
        }

        /**
         * Samples fed to the LSTM per step, a divisor of the window length that leaves at least 2 steps; default
         * {@link AutoencoderTrainer#defaultSamplesPerStep(int)}: {@value AutoencoderTrainer#DEFAULT_SAMPLES_PER_STEP}
         * for the default window of {@value AutoencoderTrainer#DEFAULT_WINDOW_LENGTH}. The device's cost per sample
         * falls about in proportion (every sample still reaches the model); 1 is the classic one-sample-per-step
         * LSTM. 0 restores the default.
         *
         * @param samplesPerStep samples per step, or 0 for the default
         * @return this builder
         */
        public Builder samplesPerStep(int samplesPerStep) {
            this.samplesPerStep = samplesPerStep;
            return this;
        }

        /**
         * Samples between window starts, default {@code windowLength / 4}.
         *
         * @param stride samples, at least 1
         * @return this builder
         */
        public Builder stride(int stride) {
            this.stride = stride;
            return this;
        }

        /**
         * Encoder units, outermost first; the last is the latent size. Default 16, 8 (LSTM) or 32, 8 (dense).
         *
         * @param units units (filters for {@code conv-ae}) of each encoder layer
         * @return this builder
         */
        public Builder encoderUnits(Integer... units) {
            this.encoderUnits = List.of(units);
            return this;
        }

        /**
         * Decoder units. Default 8, 16 (LSTM) or 32 (dense).
         *
         * @param units units (filters for {@code conv-ae}) of each decoder layer
         * @return this builder
         */
        public Builder decoderUnits(Integer... units) {
            this.decoderUnits = List.of(units);
            return this;
        }

        /**
         * Windows per training batch. Default 32.
         *
         * @param batchSize windows per batch
         * @return this builder
         */
        public Builder batchSize(int batchSize) {
            this.batchSize = batchSize;
            return this;
        }

        /**
         * Most epochs to run. Default 100 (early stopping usually ends sooner).
         *
         * @param maxEpochs the epoch cap
         * @return this builder
         */
        public Builder maxEpochs(int maxEpochs) {
            this.maxEpochs = maxEpochs;
            return this;
        }

        /**
         * Adam learning rate, default 1e-2 (1e-3 stalls for tens of epochs on this small model).
         *
         * @param learningRate the initial learning rate
         * @return this builder
         */
        public Builder learningRate(double learningRate) {
            this.learningRate = learningRate;
            return this;
        }

        /**
         * Clip gradients to this global L2 norm; 0 disables. Default 5.0.
         *
         * @param clipNorm the global norm, or 0
         * @return this builder
         */
        public Builder clipNorm(double clipNorm) {
            this.clipNorm = clipNorm;
            return this;
        }

        /**
         * Stop after this many epochs without improvement of the validation loss (best weights kept). Default 10.
         *
         * @param epochs epochs without improvement
         * @return this builder
         */
        public Builder earlyStoppingPatience(int epochs) {
            this.earlyStoppingPatience = epochs;
            return this;
        }

        /**
         * An improvement must lower the loss by this fraction of the best so far. Default 1e-3.
         *
         * @param fraction the relative improvement, e.g. 1e-3 for 0.1 %
         * @return this builder
         */
        public Builder minRelativeImprovement(double fraction) {
            this.minRelativeImprovement = fraction;
            return this;
        }

        /**
         * Multiply the learning rate by {@code factor} (default 0.5) after {@code patience} (default 5) epochs
         * without improvement, not below {@code minLearningRate} (default 1e-5).
         *
         * @param patience        epochs without improvement before a reduction
         * @param factor          the multiplier, 0 &lt; factor &lt;= 1
         * @param minLearningRate the floor
         * @return this builder
         */
        public Builder reduceLearningRateOnPlateau(int patience, double factor, double minLearningRate) {
            this.lrPatience = patience;
            this.lrReductionFactor = factor;
            this.minLearningRate = minLearningRate;
            return this;
        }

        /**
         * Fraction of each series (its end) used for validation and threshold calibration. Default 0.2.
         *
         * @param fraction share of each series, 0 &lt; fraction &lt; 1
         * @return this builder
         */
        public Builder validationFraction(double fraction) {
            this.validationFraction = fraction;
            return this;
        }

        /**
         * Seed of initial weights and shuffling. Default 42.
         *
         * @param seed the seed
         * @return this builder
         */
        public Builder seed(long seed) {
            this.seed = seed;
            return this;
        }

        /**
         * TensorFlow intra-op threads. Default 1, which makes training bit-reproducible.
         *
         * @param threads intra-op threads, at least 1
         * @return this builder
         */
        public Builder threads(int threads) {
            this.threads = threads;
            return this;
        }

        /**
         * How the threshold is set from the validation windows' scores. Default {@code quantile(0.99)}.
         *
         * @param policy the policy
         * @return this builder
         */
        public Builder thresholdPolicy(ThresholdPolicy policy) {
            this.thresholdPolicy = policy;
            return this;
        }

        /**
         * Called after each epoch on the training thread.
         *
         * @param listener the listener
         * @return this builder
         */
        public Builder listener(TrainingListener listener) {
            this.listener = listener;
            return this;
        }

        /**
         * @return the trainer
         * @throws GyroSentinelException {@link ErrorCode#INVALID_ARGUMENT} if a setting is out of range;
         *                               {@link GyroSentinelException#field()} names the setting
         */
        public AutoencoderTrainer build() {
            // Validates window length and units.
            require(samplesPerStep >= 0, "samplesPerStep", "samplesPerStep must be >= 1 (or 0 for the default), was "
                    + samplesPerStep);
            require(cell != null, "cell", "cell is required (LSTM or DENSE)");
            require(cell == ModelArchitecture.Cell.LSTM || samplesPerStep <= 1, "samplesPerStep",
                    "a " + cell.name().toLowerCase(java.util.Locale.ROOT) + " autoencoder takes the whole window: samplesPerStep does not apply, was " + samplesPerStep);
            new ModelArchitecture(windowLength, 1, cell != ModelArchitecture.Cell.LSTM ? 1 : samplesPerStep > 0
                    ? samplesPerStep : defaultSamplesPerStep(windowLength), resolvedEncoder(), resolvedDecoder(), cell);
            require(stride == -1 || stride >= 1, "stride", "stride must be >= 1, was " + stride);
            require(batchSize >= 1, "batchSize", "batchSize must be >= 1, was " + batchSize);
            require(maxEpochs >= 1, "maxEpochs", "maxEpochs must be >= 1, was " + maxEpochs);
            require(learningRate > 0 && Double.isFinite(learningRate), "learningRate",
                    "learningRate must be positive, was " + learningRate);
            require(clipNorm >= 0, "clipNorm", "clipNorm must be >= 0, was " + clipNorm);
            require(earlyStoppingPatience >= 1, "earlyStoppingPatience",
                    "earlyStoppingPatience must be >= 1, was " + earlyStoppingPatience);
            require(minRelativeImprovement >= 0 && minRelativeImprovement < 1, "minRelativeImprovement",
                    "minRelativeImprovement must be in [0, 1), was " + minRelativeImprovement);
            require(lrPatience >= 1, "reduceLearningRateOnPlateau.patience",
                    "learning-rate patience must be >= 1, was " + lrPatience);
            require(lrReductionFactor > 0 && lrReductionFactor <= 1, "reduceLearningRateOnPlateau.factor",
                    "lr reduction factor must be in (0, 1], was " + lrReductionFactor);
            require(minLearningRate > 0, "reduceLearningRateOnPlateau.minLearningRate",
                    "minLearningRate must be positive, was " + minLearningRate);
            require(validationFraction > 0 && validationFraction < 1, "validationFraction",
                    "validationFraction must be in (0, 1), was " + validationFraction);
            require(threads >= 1, "threads", "threads must be >= 1, was " + threads);
            require(thresholdPolicy != null, "thresholdPolicy", "thresholdPolicy is required");
            require(listener != null, "listener", "listener is required (use TrainingListener.none())");
            return new AutoencoderTrainer(this);
        }

        private static void require(boolean ok, String field, String message) {
            if (!ok) {
                throw new GyroSentinelException(ErrorCode.INVALID_ARGUMENT, message, field, null);
            }
        }
    }
}
