package io.gyrosentinel.cli;

import io.gyrosentinel.model.SigningKeys;
import io.gyrosentinel.recording.Recording;
import io.gyrosentinel.training.packaging.CExport;
import io.gyrosentinel.training.packaging.CostCard;
import io.gyrosentinel.training.packaging.ModelPackager;
import io.gyrosentinel.training.packaging.PackagedModel;
import io.gyrosentinel.training.packaging.Precision;
import io.gyrosentinel.training.packaging.Verification;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;

// No mixinStandardHelpOptions: its -V/--version (the tool's version, which `gyrosentinel --version` prints) would
// take the name of the model version option.
@Command(name = "package",
        description = "Package a trained model for TensorFlow Lite Micro (int8, int16x8 or float32), verify it in a real "
                + "TFLite runtime, optionally sign it, and print its cost card.")
final class PackageCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = {"-h", "--help"}, usageHelp = true, description = "Show this help message and exit.")
    boolean help;

    @Option(names = "--model", required = true, description = "Model directory (from train)")
    Path model;

    @Option(names = "--data", arity = "1..*", description = "Normal recordings for quantisation calibration and "
            + "verification (default: the sample of training and validation windows the model directory keeps)")
    List<Path> data = new ArrayList<>();

    @Option(names = "--anomalous", arity = "1..*", description = "Anomalous recordings for the verification's ROC-AUC "
            + "check (default: synthetic anomalies derived from the normal windows)")
    List<Path> anomalous = new ArrayList<>();

    @Option(names = "--quantize", defaultValue = "int16x8", description = "int16x8 (int16 activations, int8 weights), int8 "
            + "(int8 activations; falls back to int16x8 when int8 fails verification) or float32 (default: ${DEFAULT-VALUE})")
    String quantize;

    @Option(names = "--no-fallback", description = "With --quantize int8: fail instead of shipping int16x8 when int8 "
            + "fails verification")
    boolean noFallback;

    @Option(names = "--stride", description = "Samples between two windows on the device (default: the window length)")
    Integer stride;

    @Option(names = "--model-id", description = "Model id (default: the model directory's name)")
    String modelId;

    @Option(names = "--sign-key", description = "ECDSA P-256 private key (PEM) to sign the bundle with (see keygen)")
    Path signKey;

    @Option(names = "--version", paramLabel = "N", description = "Model version in the signed manifest (0..4294967295): "
            + "a device refuses a version lower than the highest it has accepted (anti-rollback); raise it with every "
            + "release (default: none, read as 0)")
    Long version;

    @Option(names = "--scope", paramLabel = "DEVICE_ID", description = "Make the bundle for this one device (its "
            + "device id, as `info` shows it); every other device refuses it (default: any device)")
    String scope;

    @Option(names = "--downgrade", description = "Let devices accept this bundle although its --version is lower than "
            + "the highest they have accepted (going back on purpose); its version becomes their new highest")
    boolean downgrade;

    @Option(names = "--out", required = true, description = "Bundle file to write (.gsb)")
    Path out;

    @Option(names = "--c-source", description = "Also write a .h/.c pair with the model for compile-in deployment")
    Path cSource;

    @Override
    public Integer call() throws Exception {
        Precision p = "float".equalsIgnoreCase(quantize) ? Precision.FLOAT32 : Precision.fromId(quantize);
        if (p == null) {
            throw new CommandLine.ParameterException(spec.commandLine(),
                    "--quantize must be int8, int16x8 or float32, got '" + quantize + "'");
        }
        io.gyrosentinel.training.AnomalyModel m = io.gyrosentinel.training.AnomalyModel.load(model);
        int win = m.windowLength();
        List<float[]> normal = new ArrayList<>();
        for (Path d : data) {
            normal.addAll(List.of(DemoCommand.windows(checked(Recording.read(d), m, d), win, Math.max(1, win / 4))));
        }
        var pw0 = spec.commandLine().getOut();
        if (data.isEmpty()) {
            normal.addAll(List.of(m.sampleWindows()));
            if (normal.size() < 2) {
                throw new IllegalArgumentException("model " + model + " keeps no sample windows (trained by an older "
                        + "version): give normal recordings with --data");
            }
            pw0.printf("calibration and verification: the %d normal windows the model directory keeps%n", normal.size());
        }
        List<float[]> anom = new ArrayList<>();
        for (Path d : anomalous) {
            anom.addAll(List.of(DemoCommand.windows(checked(Recording.read(d), m, d), win, Math.max(1, win / 4))));
        }
        if (anomalous.isEmpty()) {
            anom.addAll(List.of(io.gyrosentinel.training.SyntheticAnomalies.from(normal.toArray(new float[0][]), m, 1)));
            pw0.printf("ROC-AUC gate on %d synthetic anomalies (no --anomalous): %s%n", anom.size(),
                    io.gyrosentinel.training.SyntheticAnomalies.describe());
        } else {
            pw0.printf("ROC-AUC gate on %d anomalous windows from %d recording(s)%n", anom.size(), anomalous.size());
        }
        String id = modelId != null ? modelId : model.toAbsolutePath().getFileName().toString();
        ModelPackager.Builder b = ModelPackager.builder().modelId(id).precision(p).fallbackToInt16x8(!noFallback)
                .sampleRateHz(m.sampleRateHz());
        if (stride != null) {
            b.stride(stride);
        }
        if (signKey != null) {
            b.signingKey(SigningKeys.readPrivateKey(signKey));
        }
        if (version != null) {
            b.version(version);
        }
        if (scope != null) {
            b.scope(scope);
        }
        b.allowDowngrade(downgrade);
        ModelPackager packager;
        try {
            packager = b.build();
        } catch (io.gyrosentinel.GyroSentinelException e) {
            if (e.field() != null && (e.field().equals("version") || e.field().equals("scope"))) {
                throw new CommandLine.ParameterException(spec.commandLine(), "--" + e.field() + ": " + e.getMessage());
            }
            throw e;
        }
        PackagedModel pm = packager.pack(m, normal.toArray(new float[0][]), anom.toArray(new float[0][]));
        pm.bundle().write(out);
        var pw = spec.commandLine().getOut();
        var r = pm.report();
        pw.printf(Locale.ROOT, "bundle %s: %s, %s, %d bytes, %s%n", out, r.modelId(), r.shipped().id(),
                pm.bundle().payloadSize(), pm.bundle().isSigned() ? "signed" : "UNSIGNED (devices with a trusted key refuse it)");
        pw.printf("model version %d%s%s%n", packager.version(), packager.scope() == null ? ", for any device"
                : ", only for device " + packager.scope(), packager.allowDowngrade()
                ? ", may go below the highest version a device has accepted (--downgrade)" : "");
        for (Precision q : Precision.values()) {
            print(pw, r.verification(q));
        }
        if (m.family().usesFeatures() && r.requested() != Precision.FLOAT32) {
            pw.printf("%s models ship float32 (their LOG/RSQRT/DIV features have no integer kernels); --quantize %s "
                    + "does not apply%n", m.family().id(), r.requested().id());
        }
        if (r.fellBack()) {
            pw.printf("int8 failed verification: shipped int16x8 instead (--no-fallback to fail)%n");
        }
        CostCard c = r.shippedCost();
        pw.printf(Locale.ROOT, "cost card (%s, %s, stride %d): %d MACs/window, %.0f MACs/sample, %.1f ops/sample, "
                        + "%.3f invokes/sample, arena ~%d B, flash %d B%n", c.precision().id(), c.layout(), c.stride(),
                c.macsPerWindow(), c.macsPerSample(), c.opsPerSample(), c.invokesPerSample(), c.arenaBytes(), c.flashBytes());
        pw.printf(Locale.ROOT, "ESP32-S3 estimate: %.1f µs/sample = %.0f %% of a core at %.0f Hz, %.0f %% at 3840 Hz; %s%n",
                c.microsPerSample(), c.percentOfCore(), c.sampleRateHz(), c.microsPerSample() * 3840 / 1e4, c.verdict());
        if (cSource != null) {
            for (Path f : CExport.write(pm.bundle(), cSource, id.replaceAll("[^A-Za-z0-9_]", "_"))) {
                pw.printf("C source: %s%n", f);
            }
        }
        return 0;
    }

    private static Recording checked(Recording r, io.gyrosentinel.training.AnomalyModel m, Path file) {
        if (r.channels() != m.channels()) {
            throw new IllegalArgumentException("model expects " + m.channels() + " channels, recording "
                    + file + " has " + r.channels() + " " + r.info().channelNames());
        }
        return r;
    }

    private static void print(java.io.PrintWriter pw, Verification v) {
        if (v.criteria().startsWith("not built")) {
            pw.printf(Locale.ROOT, "%s: %s%n", v.precision().id(), v.criteria());
            return;
        }
        pw.printf(Locale.ROOT, "verification %s in TFLite 2.6.2: %s (max |err| %.2g, Spearman %.4f, ROC-AUC %.4f vs %.4f; "
                        + "criteria: %s)%n", v.precision().id(), v.passed() ? "PASSED" : "FAILED", v.maxAbsError(), v.spearman(),
                v.rocAuc(), v.referenceRocAuc(), v.criteria());
        pw.printf(Locale.ROOT, "  %s%n", v.micro().ran() ? v.micro()
                : "TFLite Micro: not checked (set GYROSENTINEL_TFLM_RUN to esp32-component/target/cmake/tools/gs_tflm_run)");
    }
}
