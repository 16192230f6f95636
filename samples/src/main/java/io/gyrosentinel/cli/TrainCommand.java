package io.gyrosentinel.cli;

import io.gyrosentinel.training.AutoencoderTrainer;
import io.gyrosentinel.training.EpochReport;
import io.gyrosentinel.training.FeatureModel;
import io.gyrosentinel.training.FeatureModelTrainer;
import io.gyrosentinel.training.ModelArchitecture;
import io.gyrosentinel.training.ModelFamily;
import io.gyrosentinel.training.Sessions;
import io.gyrosentinel.training.TimeSeries;
import io.gyrosentinel.training.TrainedModel;
import me.tongfei.progressbar.ProgressBar;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;

@Command(name = "train", mixinStandardHelpOptions = true,
        description = {"Train a detector on normal sessions and save the model directory.",
                "Families: lstm-ae (LSTM autoencoder, TensorFlow Java; the default), dense-ae (fully connected "
                        + "autoencoder over the window), conv-ae (1-D convolutional autoencoder), features-mahalanobis and "
                        + "features-pca (per-window signal features: mean, log std, log peak, crest, kurtosis, log band "
                        + "energies; fitted in well under a second). Compare them on your data with 'bench'."})
final class TrainCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = "--data", required = true, arity = "1..*", description = "Normal recordings (.gsr)")
    List<Path> data;

    @Option(names = "--validation", arity = "1..*",
            description = "Held-out normal recordings for early stopping and the threshold (default: the last 20 %% of each --data session)")
    List<Path> validation = new java.util.ArrayList<>();

    @Option(names = "--family", defaultValue = "lstm-ae",
            description = "Model family: lstm-ae, dense-ae, conv-ae, features-mahalanobis, features-pca (default: ${DEFAULT-VALUE})")
    String family;

    @Option(names = "--bands", description = "Feature families: frequency bands (default: 8, fewer for windows under 16)")
    Integer bands;

    @Option(names = "--remove-dc", description = "Remove each window's mean (per channel) before the model (autoencoders) "
            + "or leave it out of the features: the model sees vibration only, not the sensor's static offset or tilt, "
            + "which moves when the sensor is remounted; saved with the model and applied on the device too")
    boolean removeDc;

    @Option(names = "--pca-variance", description = "features-pca: keep the components explaining this share of the "
            + "variance (default: 0.95)")
    Double pcaVariance;

    @Option(names = "--window", defaultValue = "" + AutoencoderTrainer.DEFAULT_WINDOW_LENGTH,
            description = "Window length in samples (default: ${DEFAULT-VALUE})")
    int window;

    @Option(names = "--samples-per-step", description = "Samples the LSTM takes per step, a divisor of --window leaving "
            + ">= 2 steps; the device's cost per sample falls about in proportion, 1 = one sample per step (default: the "
            + "largest such divisor up to " + AutoencoderTrainer.DEFAULT_SAMPLES_PER_STEP + ", "
            + AutoencoderTrainer.DEFAULT_SAMPLES_PER_STEP + " for the default window)")
    int samplesPerStep;

    @Option(names = "--stride", description = "Stride in samples (default: window / 4)")
    Integer stride;

    @Option(names = "--encoder", split = ",", description = "Encoder units or filters (default: 16,8 for lstm-ae and conv-ae, 32,8 for dense-ae)")
    List<Integer> encoder;

    @Option(names = "--decoder", split = ",", description = "Decoder units or filters (default: 8,16 for lstm-ae and conv-ae, 32 for dense-ae)")
    List<Integer> decoder;

    @Option(names = "--epochs", defaultValue = "100", description = "Maximum epochs; early stopping usually ends sooner (default: ${DEFAULT-VALUE})")
    int epochs;

    @Option(names = "--seed", defaultValue = "1", description = "Seed: same data + seed = same weights (default: ${DEFAULT-VALUE})")
    long seed;

    @Option(names = "--quantile", description = "Threshold = this quantile of validation scores (e.g. 0.995)")
    Double quantile;

    @Option(names = "--k-sigma", description = "Threshold = mean + k * std of validation scores")
    Double kSigma;

    @Option(names = "--out", required = true, description = "Model directory to write")
    Path out;

    @Override
    public Integer call() {
        var pw = spec.commandLine().getOut();
        // Labelled logs train on their normal stretches; segments shorter than a window are skipped and counted.
        Sessions.NormalParts parts = Sessions.normalParts(Sessions.read(data));
        if (parts.anomalousSamplesLeftOut() > 0) {
            pw.printf("left out %d samples labelled anomalous (training uses normal data only)%n",
                    parts.anomalousSamplesLeftOut());
        }
        Sessions.Usable usable = Sessions.usable(parts.series(), window, "training");
        List<TimeSeries> series = usable.series();
        pw.printf(Locale.ROOT, "training data: %s; %d channel(s) from %d recording(s)%n", usable.summary(),
                series.get(0).channels(), data.size());
        List<TimeSeries> held = List.of();
        if (!validation.isEmpty()) {
            Sessions.Usable v = Sessions.usable(Sessions.normalParts(Sessions.read(validation)).series(), window,
                    "validation");
            held = v.series();
            pw.printf(Locale.ROOT, "validation data: %s%n", v.summary());
        }
        ModelFamily fam = ModelFamily.of(family);
        if (fam.usesFeatures()) {
            return trainFeatures(fam, series, held, pw);
        }
        AutoencoderTrainer.Builder b = AutoencoderTrainer.builder().windowLength(window).samplesPerStep(samplesPerStep)
                .cell(fam == ModelFamily.DENSE_AE ? ModelArchitecture.Cell.DENSE
                        : fam == ModelFamily.CONV_AE ? ModelArchitecture.Cell.CONV : ModelArchitecture.Cell.LSTM)
                .maxEpochs(epochs).seed(seed).removeDc(removeDc);
        if (encoder != null) {
            b.encoderUnits(encoder.toArray(new Integer[0]));
        }
        if (decoder != null) {
            b.decoderUnits(decoder.toArray(new Integer[0]));
        }
        if (stride != null) {
            b.stride(stride);
        }
        if (thresholdPolicy() != null) {
            b.thresholdPolicy(thresholdPolicy());
        }
        TrainedModel m;
        try (ProgressBar bar = Progress.bar("train", epochs, "epochs")) {
            b.listener(r -> {
                bar.stepTo(r.epoch());
                bar.setExtraMessage(extra(r));
            });
            m = held.isEmpty() ? b.build().train(series) : b.build().train(series, held);
            bar.stepTo(bar.getMax());
        }
        m.save(out);
        var h = m.history();
        pw.printf(Locale.ROOT, "stopped after %d epochs (%s), best epoch %d, validation loss %.5f%n", h.epochs().size(),
                h.stopReason(), h.bestEpoch(), h.bestValidationLoss());
        pw.printf(Locale.ROOT, "threshold %.5f (%s)%n", m.threshold().value(), m.threshold().policy().method());
        pw.printf("model written to %s%n", out);
        return 0;
    }

    private Integer trainFeatures(ModelFamily fam, List<TimeSeries> series, List<TimeSeries> held,
            java.io.PrintWriter pw) {
        FeatureModelTrainer.Builder b = FeatureModelTrainer.builder().family(fam).windowLength(window)
                .removeDc(removeDc);
        if (stride != null) {
            b.stride(stride);
        }
        if (bands != null) {
            b.bands(bands);
        }
        if (pcaVariance != null) {
            b.pcaVariance(pcaVariance);
        }
        if (thresholdPolicy() != null) {
            b.thresholdPolicy(thresholdPolicy());
        }
        FeatureModel m = held.isEmpty() ? b.build().train(series) : b.build().train(series, held);
        m.save(out);
        var fit = m.fit();
        pw.printf(Locale.ROOT, "%s%n", m.describe());
        pw.printf(Locale.ROOT, "fitted on %d training windows in %.2f s; threshold %.5f (%s, %d validation windows)%n",
                fit.trainingWindows(), fit.seconds(), m.threshold().value(), m.threshold().policy().method(),
                fit.validationWindows());
        pw.printf("model written to %s%n", out);
        return 0;
    }

    /** --quantile or --k-sigma, or null for the trainer's default. */
    private io.gyrosentinel.training.ThresholdPolicy thresholdPolicy() {
        return quantile != null ? io.gyrosentinel.training.ThresholdPolicy.quantile(quantile)
                : kSigma != null ? io.gyrosentinel.training.ThresholdPolicy.meanPlusKSigma(kSigma) : null;
    }

    private static String extra(EpochReport r) {
        return String.format(Locale.ROOT, " loss %.4f val %.4f ETA<=%ds", r.trainLoss(), r.validationLoss(),
                r.eta().toSeconds());
    }
}
