package io.gyrosentinel.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.gyrosentinel.ErrorCode;
import io.gyrosentinel.GyroSentinelException;
import io.gyrosentinel.model.ModelBundle;
import io.gyrosentinel.model.SigningKeys;
import io.gyrosentinel.recording.Recording;
import io.gyrosentinel.training.ModelArchitecture;
import io.gyrosentinel.training.TrainedModel;
import io.gyrosentinel.training.TrainingHistory;
import io.gyrosentinel.training.packaging.BundleVerifier;
import io.gyrosentinel.training.packaging.Precision;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.PublicKey;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;

@Command(name = "info", mixinStandardHelpOptions = true, description = {
        "Describe recordings (label, channels, rate, duration, gaps, statistics), model directories (architecture,",
        "normalisation, threshold, training) and model bundles (manifest, parts, hashes, signature, cost card)."})
final class InfoCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Parameters(arity = "1..*", paramLabel = "FILE", description = "Recordings (.gsr), model directories or bundles (.gsb)")
    List<Path> files;

    @Option(names = "--lenient", description = "Read truncated recordings up to the cut")
    boolean lenient;

    @Option(names = "--public-key", description = "Check bundles' signatures against this public key (PEM)")
    Path publicKey;

    @Override
    public Integer call() {
        var pw = spec.commandLine().getOut();
        for (Path f : files) {
            if (Files.isDirectory(f)) {
                describeModel(pw, f);
                continue;
            }
            if (isBundle(f)) {
                describeBundle(pw, f);
                continue;
            }
            Recording r = Recording.read(f, lenient);
            var i = r.info();
            pw.printf("%s%n", f);
            var tags = new java.util.LinkedHashMap<>(i.tags());
            String timing = tags.remove(io.gyrosentinel.recording.CsvImport.TIMING_TAG);
            pw.printf("  label %s, machine '%s', tags %s, source %s%n", i.label().name().toLowerCase(java.util.Locale.ROOT),
                    i.machineId(), tags, i.source());
            pw.printf("  %d samples x %d channels %s [%s], %.3f Hz, %.1f s%s%n", r.samples(), r.channels(),
                    i.channelNames(), i.unit(), i.sampleRateHz(), r.samples() / Math.max(1e-9, i.sampleRateHz()),
                    r.complete() ? "" : " (TRUNCATED)");
            long missing = r.gaps().stream().mapToLong(g -> g.missingSamples()).sum();
            long outages = r.gaps().stream().filter(g -> g.missingSamples() > 0).count();
            pw.printf("  gaps: %d (%d samples missing), %d contiguous segment(s), label runs: %d, results: %d, "
                    + "events: %d%n", outages, missing, r.runs().size(), r.labelRuns().size(),
                    r.results().size(), r.events().size());
            if (timing != null) {
                pw.printf("  timing at import: %s%n", timing);
            }
            if (r.device() != null) {
                pw.printf("  device %s, firmware %s, chip %s, sensor %s%n", r.device().deviceId(),
                        r.device().firmwareVersion(), r.device().chip(), r.device().sensorModel());
            }
            float[] v = r.values();
            int ch = r.channels();
            for (int c = 0; c < ch; c++) {
                double sum = 0;
                double sq = 0;
                float min = Float.MAX_VALUE;
                float max = -Float.MAX_VALUE;
                int n = v.length / ch;
                for (int k = 0; k < n; k++) {
                    float x = v[k * ch + c];
                    sum += x;
                    sq += x * x;
                    min = Math.min(min, x);
                    max = Math.max(max, x);
                }
                double mean = sum / Math.max(1, n);
                pw.printf("  %-6s mean %9.4f  rms %9.4f  min %9.4f  max %9.4f%n", i.channelNames().get(c), mean,
                        Math.sqrt(sq / Math.max(1, n)), min, max);
            }
        }
        return 0;
    }

    /** A .gsb name, or a bundle's magic under another name; anything else is read as a recording (which says what is wrong). */
    private static boolean isBundle(Path f) {
        return (f.getFileName() != null && f.getFileName().toString().endsWith(ModelBundle.EXTENSION))
                || ModelBundle.looksLikeBundle(f);
    }

    private static void describeModel(PrintWriter pw, Path dir) {
        io.gyrosentinel.training.AnomalyModel any = io.gyrosentinel.training.AnomalyModel.load(dir);
        if (any instanceof io.gyrosentinel.training.FeatureModel fm) {
            pw.printf("%s: %s model%n", dir, fm.family().id());
            pw.printf(Locale.ROOT, "  %s, at %.1f Hz%n", fm.describe(), fm.sampleRateHz());
            pw.printf(Locale.ROOT, "  normalisation mean %s, std %s%n", Arrays.toString(fm.normalization().mean()),
                    Arrays.toString(fm.normalization().std()));
            pw.printf(Locale.ROOT, "  threshold %.5f (%s %s)%n", fm.threshold().value(), fm.threshold().policy().method(),
                    fm.threshold().policy().parameter());
            var fit = fm.fit();
            pw.printf(Locale.ROOT, "  fitted on %d training / %d validation windows (stride %d) in %.2f s%n",
                    fit.trainingWindows(), fit.validationWindows(), fit.windowStride(), fit.seconds());
            return;
        }
        TrainedModel m = (TrainedModel) any;
        ModelArchitecture a = m.architecture();
        if (a.cell() != ModelArchitecture.Cell.LSTM) {
            pw.printf("%s: %s autoencoder model%n", dir, a.cell() == ModelArchitecture.Cell.DENSE ? "dense"
                    : "convolutional");
            pw.printf(Locale.ROOT, "  %s, at %.1f Hz%n", m.describe(), m.sampleRateHz());
        } else {
            pw.printf("%s: LSTM autoencoder model%n", dir);
            pw.printf(Locale.ROOT, "  window %d samples x %d channels at %.1f Hz, %d samples per LSTM step (%d steps), "
                            + "encoder %s, decoder %s, %d parameters%n", a.windowLength(), a.channels(),
                    m.sampleRateHz(), a.samplesPerStep(), a.steps(), a.encoderUnits(), a.decoderUnits(),
                    a.parameterCount());
        }
        pw.printf(Locale.ROOT, "  normalisation mean %s, std %s%n", Arrays.toString(m.normalization().mean()),
                Arrays.toString(m.normalization().std()));
        pw.printf(Locale.ROOT, "  threshold %.5f (%s %s)%n", m.threshold().value(), m.threshold().policy().method(),
                m.threshold().policy().parameter());
        TrainingHistory h = m.history();
        if (h != null) {
            pw.printf(Locale.ROOT, "  trained %d epochs (%s), best epoch %d, validation loss %.5f, seed %d, %d training / "
                            + "%d validation windows%n", h.epochs().size(), h.stopReason(), h.bestEpoch(),
                    h.bestValidationLoss(), h.seed(), h.trainingWindows(), h.validationWindows());
        }
    }

    private void describeBundle(PrintWriter pw, Path f) {
        ModelBundle b = ModelBundle.read(f);
        pw.printf("%s: model bundle '%s', payload %d bytes, sha256 %s%n", f, b.modelId(), b.payloadSize(),
                b.payloadSha256Hex());
        for (var e : b.parts().entrySet()) {
            pw.printf("  part %-14s %8d bytes%n", e.getKey(), e.getValue().length);
        }
        JsonNode m;
        try {
            m = JSON.readTree(b.manifest());
        } catch (IOException e) {
            throw new GyroSentinelException(ErrorCode.BAD_INPUT, "bundle " + f + ": the manifest is not JSON: "
                    + e.getMessage(), e);
        }
        // Hashes (and the signature) first: the model part is parsed below, and a damaged FlatBuffer must be reported
        // as damaged, not as whatever the parser trips over.
        PublicKey key = publicKey == null ? null : SigningKeys.readPublicKey(publicKey);
        BundleVerifier.verify(b, key); // throws: hash mismatch, bad signature
        // The precision the device sees is the model's own input type (older manifests said "int8" for int16x8).
        byte[] tflite = b.parts().get(m.path("model").asText("model.tflite"));
        String precision;
        try {
            precision = tflite != null ? Precision.of(tflite).id() : m.path("quantization").asText() + " (no model part)";
        } catch (RuntimeException e) {
            throw new GyroSentinelException(ErrorCode.BAD_INPUT, "bundle " + f + ": the model part is not a readable "
                    + "TFLite model (" + e + ")", e);
        }
        String kind = m.has("family") ? m.path("family").asText() + (m.path("output").asText().equals("channel_scores")
                ? " (returns the channel scores)" : " (returns the reconstruction)")
                : "lstm-ae, " + (m.has("samplesPerStep") ? m.get("samplesPerStep") : "1") + " samples per LSTM step";
        pw.printf(Locale.ROOT, "  %s; window %s, stride %s, %s channels at %s Hz, quantisation %s, threshold %s%n", kind,
                m.path("window"), m.path("stride"), m.path("channels"), m.path("sampleRateHz"), precision,
                m.path("threshold").path("value"));
        pw.printf("  model version %s, %s%s%n", m.path("version").asText("0"), m.hasNonNull("scope")
                && !m.path("scope").asText().isEmpty() ? "only for device " + m.path("scope").asText() : "for any device",
                m.path("downgrade").asBoolean(false) ? ", downgrade allowed" : "");
        JsonNode c = m.path("cost");
        if (!c.isMissingNode()) {
            pw.printf(Locale.ROOT, "  cost card: %s MACs/window, %s ops, est. %s µs/sample on an ESP32-S3 = %s %% of a "
                            + "core at %s Hz, arena ~%s B, flash %s B%n", c.path("macs"), c.path("ops"),
                    c.path("usPerSample"), c.path("pctCore"), c.path("atHz"), c.path("arena"), c.path("flash"));
        }
        pw.printf("  part hashes match the manifest; %s%n", !b.isSigned() ? "NOT signed"
                : key == null ? "signed (pass --public-key to check the signature)" : "signature valid for " + publicKey);
    }

    private static final ObjectMapper JSON = new ObjectMapper();
}
