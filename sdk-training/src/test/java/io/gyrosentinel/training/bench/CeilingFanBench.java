package io.gyrosentinel.training.bench;

import io.gyrosentinel.recording.CsvImport;
import io.gyrosentinel.recording.SessionLabel;
import io.gyrosentinel.training.AutoencoderTrainer;
import io.gyrosentinel.training.EvaluationReport;
import io.gyrosentinel.training.Sessions;
import io.gyrosentinel.training.Threshold;
import io.gyrosentinel.training.ThresholdPolicy;
import io.gyrosentinel.training.TimeSeries;
import io.gyrosentinel.training.TrainedModel;
import io.gyrosentinel.training.TrainingHistory;
import io.gyrosentinel.training.WindowScore;
import io.gyrosentinel.training.internal.Metrics;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.stream.Stream;

/**
 * Benchmark on real data: the ceiling-fan captures (ESP32 + MSA301, 3 axes in g, ~200 Hz, one ~1 s CSV per
 * capture; see the dataset's README). Not a unit test and never run in CI: the data has no licence and is
 * read from a path given on the command line, never copied into the repository.
 *
 * <p>Per fan speed (low, med, high): the {@code _0_weight} captures are shuffled with a fixed seed and split by
 * capture into 60 % train / 20 % validation / 20 % test. The anomalous test set is every {@code _1_weight}
 * capture of that speed. Each capture is its own {@link TimeSeries}, so no window spans two captures.
 *
 * <ul>
 * <li><b>LSTM autoencoder</b> (default 16,8 / 8,16): trained on the train captures. The trainer's own
 * {@code validationFraction} (0.2) splits every training capture by time, so early stopping watches the last
 * 40 samples of each training capture. The alarm threshold is then recalibrated on the windows of the
 * held-out validation captures ({@code quantile(q)}), so the LSTM and the baselines use the same calibration
 * set and policy. The trainer's built-in threshold (from the capture tails) is printed for comparison.</li>
 * <li><b>RMS baseline</b>: per-window RMS of each axis after removing the training mean; score = standardised
 * Euclidean distance of the 3 RMS values from their training mean/std.</li>
 * <li><b>Mahalanobis baseline</b>: per-window mean and std of each axis (6-D); covariance of the training
 * windows (features standardised, ridge {@value #RIDGE} on the diagonal); score = Mahalanobis distance.</li>
 * </ul>
 * Baselines are fitted on exactly the LSTM's training windows (the first 80 % of each training capture) and
 * evaluated on the same test windows with the same metric code. Two diagnostic variants separate the two
 * effects the data contains (a static offset between sessions and a change in vibration amplitude):
 * RMS with each window's own mean removed (AC only) and Mahalanobis on the 3 window means only (DC only).
 * At low speed the {@code low_0_weight-moving} captures are scored as extra normal data (false-alarm rate).
 *
 * <p>Also imports a few captures through sdk-core's {@link CsvImport} ({@code header(false)}, columns 0,1,2,
 * delimiter ',') and {@link Sessions} and checks they match the direct parse.
 *
 * <pre>
 * cd /work/main &amp;&amp; ./mvnw -B -q -o -pl sdk-training test-compile dependency:build-classpath \
 *     -Dmdep.outputFile=target/cp.txt -Dmdep.includeScope=test
 * java -cp sdk-training/target/test-classes:sdk-training/target/classes:$(cat sdk-training/target/cp.txt) \
 *     io.gyrosentinel.training.bench.CeilingFanBench /path/to/ceiling-fan [options]
 * options: --speeds low,med,high --window 40 --stride 10 --epochs 60 --quantile 0.99 --seed 42
 *          --import-check 10 (captures per folder through CsvImport; 0 = skip) --rate 200
 * </pre>
 */
public final class CeilingFanBench {
    private static final int CHANNELS = 3;
    private static final double RIDGE = 1e-3;

    private int window = 40;
    private int stride = 10;
    private int epochs = 60;
    private double quantile = 0.99;
    private long seed = 42;
    private int importCheck = 10;
    private double rateHz = 200.0;
    private List<String> speeds = List.of("low", "med", "high");

    public static void main(String[] args) throws IOException {
        if (args.length < 1) {
            System.err.println("usage: CeilingFanBench <ceiling-fan dataset dir> [--speeds low,med,high] [--window 40]"
                    + " [--stride 10] [--epochs 60] [--quantile 0.99] [--seed 42] [--import-check 10] [--rate 200]");
            System.exit(2);
        }
        CeilingFanBench b = new CeilingFanBench();
        for (int i = 1; i < args.length; i += 2) {
            String v = i + 1 < args.length ? args[i + 1] : null;
            if (v == null) {
                throw new IllegalArgumentException("option " + args[i] + " needs a value");
            }
            switch (args[i]) {
                case "--speeds" -> b.speeds = List.of(v.split(","));
                case "--window" -> b.window = Integer.parseInt(v);
                case "--stride" -> b.stride = Integer.parseInt(v);
                case "--epochs" -> b.epochs = Integer.parseInt(v);
                case "--quantile" -> b.quantile = Double.parseDouble(v);
                case "--seed" -> b.seed = Long.parseLong(v);
                case "--import-check" -> b.importCheck = Integer.parseInt(v);
                case "--rate" -> b.rateHz = Double.parseDouble(v);
                default -> throw new IllegalArgumentException("unknown option " + args[i]);
            }
        }
        b.run(Path.of(args[0]));
    }

    private void run(Path root) throws IOException {
        long t0 = System.nanoTime();
        System.out.printf(Locale.ROOT, "CeilingFanBench: %s; window %d (%.2f s at %.0f Hz), stride %d, max epochs %d,"
                + " threshold quantile(%s) on held-out validation captures, seed %d%n", root, window, window / rateHz,
                rateHz, stride, epochs, quantile, seed);
        System.out.printf(Locale.ROOT, "machine: %d processors, %s, Java %s%n",
                Runtime.getRuntime().availableProcessors(), cpuModel(), System.getProperty("java.version"));
        if (importCheck > 0) {
            importCheck(root);
        }
        Map<String, List<String>> summary = new LinkedHashMap<>();
        for (String speed : speeds) {
            summary.put(speed, runSpeed(root, speed));
        }
        System.out.println();
        System.out.println("=== summary (window level; FAR = false-alarm rate, MAR = missed-alarm rate) ===");
        for (var e : summary.entrySet()) {
            System.out.println();
            System.out.println("speed " + e.getKey());
            System.out.println("| method | ROC-AUC | PR-AUC | F1 | precision | recall | FAR | MAR | capture ROC-AUC"
                    + " | moving FAR | train s | epochs |");
            System.out.println("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
            e.getValue().forEach(System.out::println);
        }
        System.out.printf(Locale.ROOT, "%ntotal wall time %.1f s%n", (System.nanoTime() - t0) / 1e9);
    }

    // ------------------------------------------------------------------------------------------------ per speed

    private List<String> runSpeed(Path root, String speed) {
        System.out.println();
        System.out.println("=== speed " + speed + " ===");
        List<TimeSeries> normal = load(root.resolve("fan_0_" + speed + "_0_weight"), SessionLabel.NORMAL);
        List<TimeSeries> anomalous = load(root.resolve("fan_0_" + speed + "_1_weight"), SessionLabel.ANOMALOUS);
        List<TimeSeries> moving = speed.equals("low")
                ? load(root.resolve("fan_0_low_0_weight-moving"), SessionLabel.NORMAL) : List.of();

        List<TimeSeries> shuffled = new ArrayList<>(normal);
        Collections.shuffle(shuffled, new Random(seed));
        int nTrain = (int) Math.round(0.6 * shuffled.size());
        int nVal = (int) Math.round(0.2 * shuffled.size());
        List<TimeSeries> train = shuffled.subList(0, nTrain);
        List<TimeSeries> val = shuffled.subList(nTrain, nTrain + nVal);
        List<TimeSeries> testNormal = shuffled.subList(nTrain + nVal, shuffled.size());
        List<TimeSeries> test = new ArrayList<>(testNormal);
        test.addAll(anomalous);
        System.out.printf(Locale.ROOT, "captures: %d normal -> %d train / %d validation / %d test; %d anomalous test;"
                + " %d moving%n", normal.size(), train.size(), val.size(), testNormal.size(), anomalous.size(),
                moving.size());

        ThresholdPolicy policy = ThresholdPolicy.quantile(quantile);
        List<String> rows = new ArrayList<>();

        // --- LSTM autoencoder
        AutoencoderTrainer trainer = AutoencoderTrainer.builder().windowLength(window).stride(stride)
                .encoderUnits(16, 8).decoderUnits(8, 16).maxEpochs(epochs).seed(seed).validationFraction(0.2)
                .thresholdPolicy(policy).threads(1).build();
        long s0 = System.nanoTime();
        TrainedModel trained = trainer.train(train);
        double trainSeconds = (System.nanoTime() - s0) / 1e9;
        TrainingHistory h = trained.history();
        System.out.printf(Locale.ROOT, "LSTM: %d training / %d in-trainer validation windows, %d epochs (%s, best %d,"
                + " best val loss %.4f), %.1f s%n", h.trainingWindows(), h.validationWindows(), h.epochs().size(),
                h.stopReason(), h.bestEpoch(), h.bestValidationLoss(), trainSeconds);
        double[] valScores = trained.score(windows(val, 1.0));
        Threshold calibrated = new Threshold(policy, policy.compute(valScores), valScores.length);
        TrainedModel model = trained.withThreshold(calibrated);
        EvaluationReport lstm = model.evaluate(test, stride);
        EvaluationReport lstmMoving = moving.isEmpty() ? null : model.evaluate(moving, stride);
        EvaluationReport builtIn = trained.evaluate(test, stride);
        System.out.printf(Locale.ROOT, "LSTM threshold: %.5f from %d validation-capture windows (trainer's own, from"
                + " capture tails: %.5f -> FAR %.4f, MAR %.4f)%n", calibrated.value(), valScores.length,
                trained.threshold().value(), builtIn.falseAlarmRate(), builtIn.missedAlarmRate());
        rows.add(row("LSTM AE 16,8/8,16", lstm, lstmMoving, trainSeconds, h.epochs().size() + " (best " + h.bestEpoch()
                + ")"));
        print("LSTM", lstm, lstmMoving);
        // The packaged model on real windows: every precision verified in TFLite 2.6.2 against the trained model.
        io.gyrosentinel.training.packaging.PackagingReport pr = io.gyrosentinel.training.packaging.ModelPackager
                .builder().modelId("ceiling-fan").build().pack(model, windows(train, 0.8), windows(anomalous, 1.0))
                .report();
        pr.verifications().values().forEach(v -> System.out.println("packaged " + v));

        // --- baselines on the same windows: fit on the LSTM's training windows (first 80 % of each train capture)
        float[][] fitWindows = windows(train, 0.8);
        List<Baseline> baselines = List.of(new RmsBaseline(false), new MahalanobisBaseline(true, true),
                new RmsBaseline(true), new MahalanobisBaseline(true, false));
        for (Baseline b : baselines) {
            long b0 = System.nanoTime();
            b.fit(fitWindows);
            double fitSeconds = (System.nanoTime() - b0) / 1e9;
            double thr = policy.compute(b.scores(windows(val, 1.0)));
            EvaluationReport rep = evaluate(b, test, thr);
            EvaluationReport mov = moving.isEmpty() ? null : evaluate(b, moving, thr);
            rows.add(row(b.name(), rep, mov, fitSeconds, "-"));
            print(b.name(), rep, mov);
        }
        return rows;
    }

    private void print(String name, EvaluationReport r, EvaluationReport moving) {
        System.out.printf(Locale.ROOT, "  %-34s %s; capture ROC-AUC %.4f%s%n", name, r, captureAuc(r),
                moving == null ? "" : String.format(Locale.ROOT, "; moving FAR %.4f (%d/%d)", moving.falseAlarmRate(),
                        moving.confusion().falsePositives(), moving.confusion().total()));
    }

    private static String row(String name, EvaluationReport r, EvaluationReport moving, double seconds, String ep) {
        return String.format(Locale.ROOT, "| %s | %.4f | %.4f | %.4f | %.4f | %.4f | %.4f | %.4f | %.4f | %s | %.1f | %s |",
                name, r.rocAuc(), r.prAuc(), r.f1(), r.precision(), r.recall(), r.falseAlarmRate(),
                r.missedAlarmRate(), captureAuc(r), moving == null ? "-"
                        : String.format(Locale.ROOT, "%.4f", moving.falseAlarmRate()), seconds, ep);
    }

    /** ROC-AUC per capture, scoring each capture by the mean of its window scores. */
    private static double captureAuc(EvaluationReport r) {
        Map<Integer, double[]> acc = new LinkedHashMap<>();
        Map<Integer, Boolean> label = new LinkedHashMap<>();
        for (WindowScore w : r.windows()) {
            double[] a = acc.computeIfAbsent(w.series(), k -> new double[2]);
            a[0] += w.score();
            a[1]++;
            label.merge(w.series(), w.anomalous(), Boolean::logicalOr);
        }
        double[] s = new double[acc.size()];
        boolean[] l = new boolean[acc.size()];
        int i = 0;
        for (var e : acc.entrySet()) {
            s[i] = e.getValue()[0] / e.getValue()[1];
            l[i++] = label.get(e.getKey());
        }
        return Metrics.rocAuc(s, l);
    }

    /** Scores a baseline on the same windows as {@link TrainedModel#evaluate}, with the same metric code. */
    private EvaluationReport evaluate(Baseline b, List<TimeSeries> series, double threshold) {
        List<WindowScore> out = new ArrayList<>();
        for (int i = 0; i < series.size(); i++) {
            TimeSeries s = series.get(i);
            float[] v = s.samples();
            for (int from = 0; from + window <= s.length(); from += stride) {
                float[] w = new float[window * CHANNELS];
                System.arraycopy(v, from * CHANNELS, w, 0, w.length);
                double score = b.score(w);
                boolean anomalous = false;
                for (int t = from; t < from + window; t++) {
                    anomalous |= s.isAnomalous(t);
                }
                out.add(new WindowScore(i, s.name(), from, from + window, anomalous, score, score > threshold));
            }
        }
        return Metrics.report(out, threshold);
    }

    /** Raw windows inside the first {@code fraction} of each series (same cut as the trainer's time split). */
    private float[][] windows(List<TimeSeries> series, double fraction) {
        List<float[]> out = new ArrayList<>();
        for (TimeSeries s : series) {
            int end = (int) Math.round(s.length() * fraction);
            float[] v = s.samples();
            for (int from = 0; from + window <= end; from += stride) {
                float[] w = new float[window * CHANNELS];
                System.arraycopy(v, from * CHANNELS, w, 0, w.length);
                out.add(w);
            }
        }
        return out.toArray(new float[0][]);
    }

    // ------------------------------------------------------------------------------------------------ baselines

    private interface Baseline {
        String name();

        void fit(float[][] windows);

        double score(float[] window);

        default double[] scores(float[][] windows) {
            double[] s = new double[windows.length];
            for (int i = 0; i < s.length; i++) {
                s[i] = score(windows[i]);
            }
            return s;
        }
    }

    /**
     * Per-axis RMS of a window, after removing the training mean per axis ({@code ac == false}) or the window's
     * own mean ({@code ac == true}, a diagnostic that ignores static offsets). Score: standardised Euclidean
     * distance of the 3 RMS values from their mean over the training windows.
     */
    private static final class RmsBaseline implements Baseline {
        private final boolean ac;
        private final double[] trainMean = new double[CHANNELS];
        private final double[] rmsMean = new double[CHANNELS];
        private final double[] rmsStd = new double[CHANNELS];

        RmsBaseline(boolean ac) {
            this.ac = ac;
        }

        @Override
        public String name() {
            return ac ? "diag: RMS, window mean removed (AC)" : "RMS per axis (training mean removed)";
        }

        @Override
        public void fit(float[][] windows) {
            long n = 0;
            for (float[] w : windows) {
                for (int k = 0; k < w.length; k++) {
                    trainMean[k % CHANNELS] += w[k];
                }
                n += w.length / CHANNELS;
            }
            for (int c = 0; c < CHANNELS; c++) {
                trainMean[c] /= n;
            }
            double[] sum = new double[CHANNELS];
            double[] sumSq = new double[CHANNELS];
            for (float[] w : windows) {
                double[] r = rms(w);
                for (int c = 0; c < CHANNELS; c++) {
                    sum[c] += r[c];
                    sumSq[c] += r[c] * r[c];
                }
            }
            for (int c = 0; c < CHANNELS; c++) {
                rmsMean[c] = sum[c] / windows.length;
                rmsStd[c] = Math.sqrt(Math.max(1e-24, sumSq[c] / windows.length - rmsMean[c] * rmsMean[c]));
            }
        }

        private double[] rms(float[] w) {
            int t = w.length / CHANNELS;
            double[] center = trainMean;
            if (ac) {
                center = new double[CHANNELS];
                for (int k = 0; k < w.length; k++) {
                    center[k % CHANNELS] += w[k];
                }
                for (int c = 0; c < CHANNELS; c++) {
                    center[c] /= t;
                }
            }
            double[] r = new double[CHANNELS];
            for (int k = 0; k < w.length; k++) {
                double d = w[k] - center[k % CHANNELS];
                r[k % CHANNELS] += d * d;
            }
            for (int c = 0; c < CHANNELS; c++) {
                r[c] = Math.sqrt(r[c] / t);
            }
            return r;
        }

        @Override
        public double score(float[] window) {
            double[] r = rms(window);
            double d = 0;
            for (int c = 0; c < CHANNELS; c++) {
                double z = (r[c] - rmsMean[c]) / rmsStd[c];
                d += z * z;
            }
            return Math.sqrt(d);
        }
    }

    /**
     * Mahalanobis distance of per-window features: the mean of each axis and (if {@code withStd}) the std of each
     * axis. Features are standardised with the training mean/std, then the covariance (a correlation matrix) gets
     * {@value #RIDGE} added to its diagonal before inversion.
     */
    private static final class MahalanobisBaseline implements Baseline {
        private final boolean withMean;
        private final boolean withStd;
        private final int dim;
        private double[] mu;
        private double[] sd;
        private double[][] inv;

        MahalanobisBaseline(boolean withMean, boolean withStd) {
            this.withMean = withMean;
            this.withStd = withStd;
            this.dim = (withMean ? CHANNELS : 0) + (withStd ? CHANNELS : 0);
        }

        @Override
        public String name() {
            return withStd ? "Mahalanobis (mean+std per axis, 6-D)" : "diag: Mahalanobis, window means only (DC)";
        }

        private double[] features(float[] w) {
            int t = w.length / CHANNELS;
            double[] m = new double[CHANNELS];
            double[] q = new double[CHANNELS];
            for (int k = 0; k < w.length; k++) {
                m[k % CHANNELS] += w[k];
            }
            for (int c = 0; c < CHANNELS; c++) {
                m[c] /= t;
            }
            for (int k = 0; k < w.length; k++) {
                double d = w[k] - m[k % CHANNELS];
                q[k % CHANNELS] += d * d;
            }
            double[] f = new double[dim];
            int i = 0;
            if (withMean) {
                for (int c = 0; c < CHANNELS; c++) {
                    f[i++] = m[c];
                }
            }
            if (withStd) {
                for (int c = 0; c < CHANNELS; c++) {
                    f[i++] = Math.sqrt(q[c] / t);
                }
            }
            return f;
        }

        @Override
        public void fit(float[][] windows) {
            int n = windows.length;
            double[][] f = new double[n][];
            mu = new double[dim];
            sd = new double[dim];
            for (int i = 0; i < n; i++) {
                f[i] = features(windows[i]);
                for (int j = 0; j < dim; j++) {
                    mu[j] += f[i][j];
                }
            }
            for (int j = 0; j < dim; j++) {
                mu[j] /= n;
            }
            for (double[] x : f) {
                for (int j = 0; j < dim; j++) {
                    sd[j] += (x[j] - mu[j]) * (x[j] - mu[j]);
                }
            }
            for (int j = 0; j < dim; j++) {
                sd[j] = Math.sqrt(Math.max(1e-24, sd[j] / n));
            }
            double[][] cov = new double[dim][dim];
            for (double[] x : f) {
                for (int a = 0; a < dim; a++) {
                    double za = (x[a] - mu[a]) / sd[a];
                    for (int b = 0; b < dim; b++) {
                        cov[a][b] += za * (x[b] - mu[b]) / sd[b];
                    }
                }
            }
            for (int a = 0; a < dim; a++) {
                for (int b = 0; b < dim; b++) {
                    cov[a][b] /= n - 1;
                }
                cov[a][a] += RIDGE;
            }
            inv = invert(cov);
        }

        @Override
        public double score(float[] window) {
            double[] x = features(window);
            double[] z = new double[dim];
            for (int j = 0; j < dim; j++) {
                z[j] = (x[j] - mu[j]) / sd[j];
            }
            double d = 0;
            for (int a = 0; a < dim; a++) {
                for (int b = 0; b < dim; b++) {
                    d += z[a] * inv[a][b] * z[b];
                }
            }
            return Math.sqrt(Math.max(0, d));
        }

        /** Gauss–Jordan inversion with partial pivoting (the matrix is small and well conditioned by the ridge). */
        private static double[][] invert(double[][] m) {
            int n = m.length;
            double[][] a = new double[n][2 * n];
            for (int i = 0; i < n; i++) {
                System.arraycopy(m[i], 0, a[i], 0, n);
                a[i][n + i] = 1;
            }
            for (int col = 0; col < n; col++) {
                int p = col;
                for (int r = col + 1; r < n; r++) {
                    if (Math.abs(a[r][col]) > Math.abs(a[p][col])) {
                        p = r;
                    }
                }
                double[] tmp = a[col];
                a[col] = a[p];
                a[p] = tmp;
                double piv = a[col][col];
                for (int k = 0; k < 2 * n; k++) {
                    a[col][k] /= piv;
                }
                for (int r = 0; r < n; r++) {
                    if (r != col) {
                        double f = a[r][col];
                        for (int k = 0; k < 2 * n; k++) {
                            a[r][k] -= f * a[col][k];
                        }
                    }
                }
            }
            double[][] inv = new double[n][n];
            for (int i = 0; i < n; i++) {
                System.arraycopy(a[i], n, inv[i], 0, n);
            }
            return inv;
        }
    }

    // ------------------------------------------------------------------------------------------------ data

    /** Every CSV of a capture folder (sorted by name) as one series each, parsed directly. */
    private List<TimeSeries> load(Path dir, SessionLabel label) {
        List<TimeSeries> out = new ArrayList<>();
        for (Path f : csvFiles(dir)) {
            out.add(TimeSeries.builder().name(dir.getFileName() + "/" + f.getFileName()).samples(parse(f), CHANNELS)
                    .sampleRateHz(rateHz).label(label).build());
        }
        if (out.isEmpty()) {
            throw new IllegalArgumentException("no CSV files in " + dir);
        }
        return out;
    }

    private static List<Path> csvFiles(Path dir) {
        try (Stream<Path> s = Files.list(dir)) {
            return s.filter(p -> p.getFileName().toString().endsWith(".csv"))
                    .sorted(Comparator.comparing(p -> p.getFileName().toString())).toList();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list " + dir, e);
        }
    }

    /** Rows "x, y, z" (comma and space, no header). Fails loudly on anything else. */
    private static float[] parse(Path f) {
        try {
            List<String> lines = Files.readAllLines(f);
            float[] v = new float[lines.size() * CHANNELS];
            int n = 0;
            for (int i = 0; i < lines.size(); i++) {
                String line = lines.get(i).trim();
                if (line.isEmpty()) {
                    continue;
                }
                String[] p = line.split(",");
                if (p.length != CHANNELS) {
                    throw new IllegalArgumentException(f + " line " + (i + 1) + ": " + p.length + " fields");
                }
                for (String s : p) {
                    float x = Float.parseFloat(s.trim());
                    if (!Float.isFinite(x)) {
                        throw new IllegalArgumentException(f + " line " + (i + 1) + ": not finite");
                    }
                    v[n++] = x;
                }
            }
            return n == v.length ? v : java.util.Arrays.copyOf(v, n);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + f, e);
        }
    }

    /**
     * Runs the real import path (CsvImport -> .gsr -> Sessions) on the first {@link #importCheck} captures of
     * every folder, in a temporary directory outside the repository, and compares with the direct parse.
     */
    private void importCheck(Path root) throws IOException {
        Path tmp = Files.createTempDirectory("ceiling-fan-import");
        int files = 0;
        long samples = 0;
        double maxAbs = 0;
        double maxRel = 0;
        List<String> failures = new ArrayList<>();
        try {
            List<Path> dirs;
            try (Stream<Path> s = Files.list(root)) {
                dirs = s.filter(Files::isDirectory).sorted().toList();
            }
            for (Path dir : dirs) {
                List<Path> csvs = csvFiles(dir);
                for (Path csv : csvs.subList(0, Math.min(importCheck, csvs.size()))) {
                    Path gsr = tmp.resolve(dir.getFileName() + "-" + csv.getFileName() + ".gsr");
                    try {
                        CsvImport.Report r = CsvImport.builder().header(false).columns(List.of("0", "1", "2"))
                                .delimiter(',').rateHz(rateHz).label(dir.getFileName().toString().contains("_1_weight")
                                        ? SessionLabel.ANOMALOUS : SessionLabel.NORMAL).unit("g").build()
                                .run(csv, gsr);
                        List<TimeSeries> ts = Sessions.read(List.of(gsr));
                        float[] direct = parse(csv);
                        if (ts.size() != 1 || ts.get(0).channels() != CHANNELS
                                || ts.get(0).samples().length != direct.length || r.skipped() != 0) {
                            failures.add(csv + ": " + ts.size() + " series, report " + r);
                            continue;
                        }
                        float[] imported = ts.get(0).samples();
                        float peak = 0;
                        for (float x : direct) {
                            peak = Math.max(peak, Math.abs(x));
                        }
                        for (int k = 0; k < direct.length; k++) {
                            double d = Math.abs(imported[k] - direct[k]);
                            maxAbs = Math.max(maxAbs, d);
                            maxRel = Math.max(maxRel, d / peak);
                        }
                        files++;
                        samples += r.imported();
                    } catch (RuntimeException e) {
                        failures.add(csv + ": " + e);
                    }
                }
            }
        } finally {
            try (Stream<Path> s = Files.list(tmp)) {
                for (Path p : s.toList()) {
                    Files.deleteIfExists(p);
                }
            }
            Files.deleteIfExists(tmp);
        }
        System.out.printf(Locale.ROOT, "CsvImport check (header(false), columns 0,1,2, delimiter ',', rate %.0f Hz):"
                + " %d files, %d samples imported via .gsr + Sessions; max |imported - direct| %.3g g (%.3g of the"
                + " file's peak, int16 quantisation); %d failures%n", rateHz, files, samples, maxAbs, maxRel,
                failures.size());
        failures.stream().limit(5).forEach(f -> System.out.println("  import failure: " + f));
    }

    private static String cpuModel() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/cpuinfo"))) {
                if (line.startsWith("model name")) {
                    return line.substring(line.indexOf(':') + 1).trim();
                }
            }
        } catch (IOException | RuntimeException e) {
            // not Linux
        }
        return "unknown CPU";
    }
}
