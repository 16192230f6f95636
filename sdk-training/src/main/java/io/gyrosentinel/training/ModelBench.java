package io.gyrosentinel.training;

import io.gyrosentinel.ErrorCode;
import io.gyrosentinel.GyroSentinelException;
import io.gyrosentinel.training.internal.Metrics;
import io.gyrosentinel.training.packaging.CostCard;
import io.gyrosentinel.training.packaging.ModelPackager;
import io.gyrosentinel.training.packaging.PackagedModel;
import io.gyrosentinel.training.packaging.PackagingException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Chooses the detector by measurement: trains every candidate {@link ModelFamily} on the same normal data, scores
 * the same held-out normal windows and the same anomalies, packages each for TensorFlow Lite Micro (verified, with
 * its cost card at the device's sample rate), and chooses by a documented rule.
 *
 * <p><b>Data.</b> Training uses {@code normal}. With {@code validation} series, the first half of each calibrates
 * the thresholds and the second half is the held-out normal test set; without, each normal series is split by time
 * 60 / 20 / 20 (train / calibration / test). Anomalies: the given series (every window of a series labelled
 * anomalous, or only the windows its per-sample labels mark anomalous), else {@link SyntheticAnomalies} of the held-out normal
 * windows (the same windows for every candidate). All candidates share window, stride and normalisation data.
 * Each is packaged in the precision that passes verification and costs the device least (every precision is
 * built and verified; the statistical families are float32).
 *
 * <p><b>Candidates.</b> {@code lstm-ae}, {@code dense-ae} and {@code conv-ae} (the trainer's defaults, epochs capped;
 * {@code conv-ae} only when the window divides by 4), and for each
 * statistical family
 * the default bands and twice as many (when the window has the bins): a small search.
 *
 * <p><b>Choice.</b> Among the candidates whose ROC-AUC is within {@link #AUC_TOLERANCE} of the best one's, the one
 * that costs the device least (µs per sample by the cost card); ties go to the higher F1, then the lower false-alarm
 * rate. The Pareto front (no other candidate has a higher ROC-AUC at a lower or equal cost) is marked.
 *
 * <pre>{@code
 * ModelBench.Result r = ModelBench.builder().windowLength(64).sampleRateHz(3840).build()
 *         .run(normal, validation, anomalous);
 * AnomalyModel best = r.chosen().model();
 * }</pre>
 */
public final class ModelBench {
    /** Candidates within this ROC-AUC of the best compete on device cost. */
    public static final double AUC_TOLERANCE = 0.01;

    private final List<ModelFamily> families;
    private final int windowLength;
    private final int stride;
    private final double sampleRateHz;
    private final Duration budget;
    private final int lstmEpochs;
    private final boolean removeDc;
    private final long seed;
    private final ThresholdPolicy thresholdPolicy;
    private final Listener listener;

    /** Progress of a bench run (called on the calling thread). */
    public interface Listener {
        /**
         * A candidate starts training.
         *
         * @param candidate its name, e.g. {@code features-pca-b16}
         * @param index     its position, 0-based
         * @param of        the number of candidates
         */
        default void started(String candidate, int index, int of) {
        }

        /**
         * A candidate was trained, scored and (if possible) packaged.
         *
         * @param candidate the candidate and its measurements
         */
        default void finished(Candidate candidate) {
        }

        /**
         * A candidate was left out (over the time budget, or a window its layers cannot take).
         *
         * @param candidate its name
         * @param why       the reason, in words
         */
        default void skipped(String candidate, String why) {
        }
    }

    /**
     * One trained, measured and packaged candidate.
     *
     * @param name         family and variant, e.g. {@code features-pca-b16}
     * @param family         the detector family
     * @param model        the trained model
     * @param evaluation     its detection quality on the held-out normal windows and the anomalies
     * @param trainSeconds   training time, s
     * @param bundle       the packaged, verified model (null if packaging failed: see {@code packagingError})
     * @param packagingError why packaging failed, or null
     * @param usPerSample  device time per sample by the cost card (NaN when not packaged)
     * @param coreShare    share of one ESP32-S3 core at the bench's sample rate, 0..1
     * @param flashBytes     size of the packaged model, bytes (0 when not packaged)
     * @param arenaBytes     tensor arena estimate, bytes (0 when not packaged)
     * @param onPareto     no other candidate has a higher ROC-AUC at a lower or equal cost
     * @param chosen       the one the rule chose
     */
    public record Candidate(String name, ModelFamily family, AnomalyModel model, EvaluationReport evaluation,
            double trainSeconds, PackagedModel bundle, String packagingError, double usPerSample, double coreShare,
            long flashBytes, long arenaBytes, boolean onPareto, boolean chosen) {

        Candidate with(boolean pareto, boolean isChosen) {
            return new Candidate(name, family, model, evaluation, trainSeconds, bundle, packagingError, usPerSample,
                    coreShare, flashBytes, arenaBytes, pareto, isChosen);
        }
    }

    /**
     * The outcome of a bench run.
     *
     * @param candidates           ranked: ROC-AUC descending, then device cost ascending
     * @param chosen               the candidate the rule chose
     * @param anomalies            where the anomalies came from (the recordings, or the synthetic kinds)
     * @param normalTestWindows    held-out normal windows every candidate was scored on
     * @param anomalousTestWindows anomalous windows every candidate was scored on
     * @param sampleRateHz         the sample rate the cost cards were computed for, Hz
     */
    public record Result(List<Candidate> candidates, Candidate chosen, String anomalies, int normalTestWindows,
            int anomalousTestWindows, double sampleRateHz) {}

    private ModelBench(Builder b) {
        this.families = List.copyOf(b.families);
        this.windowLength = b.windowLength;
        this.stride = b.stride > 0 ? b.stride : Math.max(1, b.windowLength / 4);
        this.sampleRateHz = b.sampleRateHz;
        this.budget = b.budget;
        this.lstmEpochs = b.lstmEpochs;
        this.removeDc = b.removeDc;
        this.seed = b.seed;
        this.thresholdPolicy = b.thresholdPolicy;
        this.listener = b.listener;
    }

    /** {@return a builder with every family, the trainer's default window and a quantile-0.99 threshold} */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * Runs the bench.
     *
     * @param normal     normal series to train on, at least one
     * @param validation held-out normal series, or null/empty to split {@code normal} by time
     * @param anomalous  anomalous series, or null/empty for synthetic anomalies
     * @return every candidate and the chosen one
     * @throws GyroSentinelException {@link ErrorCode#BAD_INPUT} for unusable data (as the trainers), or when no
     *                               candidate could be trained
     */
    public Result run(List<TimeSeries> normal, List<TimeSeries> validation, List<TimeSeries> anomalous) {
        if (normal == null || normal.isEmpty()) {
            throw new GyroSentinelException(ErrorCode.BAD_INPUT, "no normal series to bench on", "normal", null);
        }
        List<TimeSeries> train = new ArrayList<>();
        List<TimeSeries> calibration = new ArrayList<>();
        List<TimeSeries> test = new ArrayList<>();
        if (validation != null && !validation.isEmpty()) {
            train.addAll(normal);
            for (TimeSeries v : validation) {
                int half = v.length() / 2;
                calibration.add(slice(v, 0, half, "calibration"));
                test.add(slice(v, half, v.length(), "test"));
            }
        } else {
            for (TimeSeries s : normal) {
                int a = (int) (s.length() * 0.6);
                int b = (int) (s.length() * 0.8);
                train.add(slice(s, 0, a, "train"));
                calibration.add(slice(s, a, b, "calibration"));
                test.add(slice(s, b, s.length(), "test"));
            }
        }
        calibration.removeIf(s -> s.length() < windowLength);
        test.removeIf(s -> s.length() < windowLength);
        if (calibration.isEmpty() || test.isEmpty()) {
            throw new GyroSentinelException(ErrorCode.BAD_INPUT, "too little normal data to hold some out: every "
                    + "calibration or test part is shorter than the window (" + windowLength + " samples); record "
                    + "longer or give --validation", "normal", null);
        }
        List<float[]> testNormal = new ArrayList<>();
        for (TimeSeries s : test) {
            testNormal.addAll(Arrays.asList(s.windows(windowLength, stride)));
        }
        boolean synthetic = anomalous == null || anomalous.isEmpty();
        List<String> names = candidateNames();
        List<Candidate> done = new ArrayList<>();
        float[][] syntheticWindows = null;
        int anomalousWindows = 0;
        for (int i = 0; i < names.size(); i++) {
            String name = names.get(i);
            listener.started(name, i, names.size());
            long t0 = System.nanoTime();
            AnomalyModel m;
            try {
                m = train(name, train, calibration);
            } catch (TimeoutException e) {
                listener.skipped(name, "over the time budget of " + budget.toSeconds() + " s");
                continue;
            }
            double seconds = (System.nanoTime() - t0) / 1e9;
            List<WindowScore> scored = new ArrayList<>();
            for (TimeSeries s : test) {
                for (WindowScore w : m.score(s, stride)) {
                    scored.add(new WindowScore(w.series(), w.seriesName(), w.start(), w.end(), false, w.score(),
                            w.alarm()));
                }
            }
            if (synthetic) {
                if (syntheticWindows == null) {
                    // the same windows for every candidate: all share the normalisation fitted on the same data
                    syntheticWindows = SyntheticAnomalies.from(testNormal.toArray(new float[0][]), m, seed);
                }
                double[] s = m.score(syntheticWindows);
                for (int k = 0; k < s.length; k++) {
                    scored.add(new WindowScore(-1, "synthetic", k, k + windowLength, true, s[k],
                            m.threshold().isAnomalous(s[k])));
                }
            } else {
                for (TimeSeries a : anomalous) {
                    List<WindowScore> ws = m.score(a, stride);
                    if (a.sampleLabels().isEmpty()) {
                        ws = ws.stream().map(w -> new WindowScore(w.series(), w.seriesName(), w.start(), w.end(), true,
                                w.score(), w.alarm())).toList();
                    } else {
                        // per-sample labels: only the windows they mark; the normal stretches of a labelled log may
                        // be training data
                        ws = ws.stream().filter(WindowScore::anomalous).toList();
                    }
                    scored.addAll(ws);
                }
            }
            anomalousWindows = (int) scored.stream().filter(WindowScore::anomalous).count();
            if (anomalousWindows == 0) {
                throw new GyroSentinelException(ErrorCode.BAD_INPUT, "the anomalous recordings hold no window of "
                        + windowLength + " samples labelled anomalous", "anomalous", null);
            }
            EvaluationReport eval = Metrics.report(scored, m.threshold().value());
            PackagedModel packaged = null;
            String error = null;
            try {
                // every precision is built and verified: ship the one that costs the device least among those that
                // passed (float32 for the small autoencoders, int16x8 rather than int8 for the LSTM)
                packaged = ModelPackager.builder().modelId(name).sampleRateHz(sampleRateHz > 0 ? sampleRateHz
                        : m.sampleRateHz()).shipCheapest(true).build().pack(m);
            } catch (GyroSentinelException e) {
                error = e.getMessage();
            }
            CostCard c = packaged == null ? null : packaged.report().shippedCost();
            Candidate cand = new Candidate(name, m.family(), m, eval, seconds, packaged, error,
                    c == null ? Double.NaN : c.microsPerSample(), c == null ? Double.NaN : c.percentOfCore() / 100,
                    c == null ? 0 : c.flashBytes(), c == null ? 0 : c.arenaBytes(), false, false);
            done.add(cand);
            listener.finished(cand);
        }
        if (done.isEmpty()) {
            throw new GyroSentinelException(ErrorCode.BAD_INPUT, "no candidate finished within the time budget of "
                    + budget.toSeconds() + " s", "budget", null);
        }
        List<Candidate> ranked = rank(done);
        Candidate chosen = ranked.stream().filter(Candidate::chosen).findFirst().orElseThrow();
        return new Result(ranked, chosen, synthetic ? "synthetic: " + SyntheticAnomalies.describe()
                : anomalous.size() + " recording(s)", testNormal.size(), anomalousWindows,
                sampleRateHz > 0 ? sampleRateHz : normal.get(0).sampleRateHz());
    }

    /** Ranks, marks the Pareto front and applies the choice rule (see the class comment). */
    static List<Candidate> rank(List<Candidate> done) {
        double best = done.stream().mapToDouble(c -> auc(c)).max().orElse(Double.NaN);
        Comparator<Candidate> byCost = Comparator.comparingDouble(ModelBench::cost)
                .thenComparing(Comparator.comparingDouble((Candidate c) -> nanLow(c.evaluation().f1())).reversed())
                .thenComparingDouble(c -> nanHigh(c.evaluation().falseAlarmRate()));
        Candidate chosen = done.stream().filter(c -> c.bundle() != null && auc(c) >= best - AUC_TOLERANCE)
                .min(byCost).orElseGet(() -> done.stream().max(Comparator.comparingDouble(ModelBench::auc))
                        .orElseThrow());
        List<Candidate> out = new ArrayList<>();
        for (Candidate c : done) {
            boolean dominated = false;
            for (Candidate o : done) {
                if (o != c && auc(o) >= auc(c) && cost(o) <= cost(c) && (auc(o) > auc(c) || cost(o) < cost(c))) {
                    dominated = true;
                    break;
                }
            }
            out.add(c.with(!dominated && c.bundle() != null, c == chosen));
        }
        out.sort(Comparator.comparingDouble((Candidate c) -> -auc(c)).thenComparingDouble(ModelBench::cost));
        return out;
    }

    private static double auc(Candidate c) {
        return nanLow(c.evaluation().rocAuc());
    }

    private static double cost(Candidate c) {
        return nanHigh(c.usPerSample());
    }

    private static double nanLow(double v) {
        return Double.isNaN(v) ? Double.NEGATIVE_INFINITY : v;
    }

    private static double nanHigh(double v) {
        return Double.isNaN(v) ? Double.POSITIVE_INFINITY : v;
    }

    private List<String> candidateNames() {
        List<String> names = new ArrayList<>();
        int bands = SignalFeatures.defaultBands(windowLength);
        for (ModelFamily f : families) {
            if (f == ModelFamily.CONV_AE && windowLength % 4 != 0) {
                listener.skipped(f.id(), "its two stride-2 layers need a window divisible by 4, not " + windowLength);
                continue;
            }
            if (!f.usesFeatures()) {
                names.add(f.id());
                continue;
            }
            names.add(f.id() + "-b" + bands);
            if (2 * bands <= windowLength / 2) {
                names.add(f.id() + "-b" + 2 * bands);
            }
        }
        return names;
    }

    private AnomalyModel train(String name, List<TimeSeries> train, List<TimeSeries> calibration)
            throws TimeoutException {
        if (!name.startsWith("features-")) {
            ModelArchitecture.Cell cell = name.equals(ModelFamily.DENSE_AE.id()) ? ModelArchitecture.Cell.DENSE
                    : name.equals(ModelFamily.CONV_AE.id()) ? ModelArchitecture.Cell.CONV : ModelArchitecture.Cell.LSTM;
            AutoencoderTrainer t = AutoencoderTrainer.builder().windowLength(windowLength).stride(stride)
                    .cell(cell)
                    .maxEpochs(lstmEpochs).seed(seed).removeDc(removeDc).thresholdPolicy(thresholdPolicy).build();
            CompletableFuture<TrainedModel> f = t.trainAsync(train, calibration, r -> {
                Thread th = new Thread(r, "gyrosentinel-bench-training");
                th.setDaemon(true);
                th.start();
            });
            try {
                return f.get(budget.toMillis(), TimeUnit.MILLISECONDS);
            } catch (TimeoutException e) {
                f.cancel(true);
                throw e;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new CancellationException("bench interrupted");
            } catch (ExecutionException e) {
                if (e.getCause() instanceof RuntimeException re) {
                    throw re;
                }
                throw new IllegalStateException(e.getCause());
            }
        }
        String family = name.substring(0, name.lastIndexOf("-b"));
        int bands = Integer.parseInt(name.substring(name.lastIndexOf("-b") + 2));
        return FeatureModelTrainer.builder().family(ModelFamily.of(family)).windowLength(windowLength).stride(stride)
                .bands(bands).removeDc(removeDc).thresholdPolicy(thresholdPolicy).build().train(train, calibration);
    }

    private static TimeSeries slice(TimeSeries s, int from, int to, String part) {
        int f = s.channels();
        float[] v = Arrays.copyOfRange(s.samples(), from * f, to * f);
        TimeSeries.Builder b = TimeSeries.builder().name((s.name() == null ? "series" : s.name()) + "#" + part)
                .samples(v, f).sampleRateHz(s.sampleRateHz()).label(s.label());
        s.sampleLabels().ifPresent(l -> b.sampleLabels(Arrays.copyOfRange(l, from, to)));
        return b.build();
    }

    /**
     * Builder; defaults on each setter. A setter given an invalid value throws {@link GyroSentinelException}
     * {@link ErrorCode#INVALID_ARGUMENT} with the setter's name as the field.
     */
    public static final class Builder {
        private List<ModelFamily> families = List.of(ModelFamily.values());
        private int windowLength = AutoencoderTrainer.DEFAULT_WINDOW_LENGTH;
        private int stride;
        private double sampleRateHz;
        private Duration budget = Duration.ofMinutes(10);
        private int lstmEpochs = 60;
        private boolean removeDc;
        private long seed = 1;
        private ThresholdPolicy thresholdPolicy = ThresholdPolicy.quantile(0.99);
        private Listener listener = new Listener() { };

        private Builder() {}

        /**
         * Families to try (default all).
         *
         * @param families at least one family; duplicates are ignored
         * @return this builder
         */
        public Builder families(List<ModelFamily> families) {
            if (families == null || families.isEmpty()) {
                throw invalid("families", "name at least one family");
            }
            this.families = List.copyOf(new java.util.LinkedHashSet<>(families));
            return this;
        }

        /**
         * Window length of every candidate (default {@value AutoencoderTrainer#DEFAULT_WINDOW_LENGTH}).
         *
         * @param windowLength samples per window, at least 4
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
         * Stride of training and scoring windows (default a quarter window).
         *
         * @param stride samples between window starts, at least 1
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
         * The device's sample rate (ODR) for the cost cards (default the data's).
         *
         * @param hz the device's sample rate, Hz, positive
         * @return this builder
         */
        public Builder sampleRateHz(double hz) {
            if (!(hz > 0) || Double.isInfinite(hz)) {
                throw invalid("sampleRateHz", "sampleRateHz must be positive, was " + hz);
            }
            this.sampleRateHz = hz;
            return this;
        }

        /**
         * Longest training time of one candidate (default 10 min); a candidate over it is skipped and reported.
         *
         * @param budget the time limit, positive
         * @return this builder
         */
        public Builder budget(Duration budget) {
            if (budget == null || budget.isNegative() || budget.isZero()) {
                throw invalid("budget", "budget must be positive, was " + budget);
            }
            this.budget = budget;
            return this;
        }

        /**
         * Epoch cap of the autoencoder candidates (default 60; early stopping usually ends sooner).
         *
         * @param epochs the epoch cap, at least 1
         * @return this builder
         */
        public Builder lstmEpochs(int epochs) {
            if (epochs < 1) {
                throw invalid("lstmEpochs", "lstmEpochs must be >= 1, was " + epochs);
            }
            this.lstmEpochs = epochs;
            return this;
        }

        /**
         * DC removal for every candidate (default false): the autoencoders subtract each window's per-channel mean,
         * the statistical families leave the mean out of their features.
         *
         * @param removeDc whether to remove the DC
         * @return this builder
         */
        public Builder removeDc(boolean removeDc) {
            this.removeDc = removeDc;
            return this;
        }

        /**
         * Seed of the LSTM and of the synthetic anomalies (default 1): same data + seed = same result.
         *
         * @param seed the seed
         * @return this builder
         */
        public Builder seed(long seed) {
            this.seed = seed;
            return this;
        }

        /**
         * How every candidate's threshold is calibrated (default the 0.99 quantile of the calibration scores).
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
         * Follows the run (default none).
         *
         * @param listener the listener, or {@code null} for none
         * @return this builder
         */
        public Builder listener(Listener listener) {
            this.listener = listener == null ? new Listener() { } : listener;
            return this;
        }

        /** {@return the bench} */
        public ModelBench build() {
            return new ModelBench(this);
        }

        private static GyroSentinelException invalid(String field, String message) {
            return new GyroSentinelException(ErrorCode.INVALID_ARGUMENT, message, field, null);
        }
    }
}
