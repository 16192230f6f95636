package io.gyrosentinel.training.packaging.internal;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.gyrosentinel.GyroSentinelException;
import io.gyrosentinel.model.ModelBundle;
import io.gyrosentinel.training.AnomalyModel;
import io.gyrosentinel.training.FeatureModel;
import io.gyrosentinel.training.ModelArchitecture;
import io.gyrosentinel.training.TrainedModel;
import io.gyrosentinel.training.TrainingHistory;
import io.gyrosentinel.training.packaging.CostCard;
import io.gyrosentinel.training.packaging.MicroCheck;
import io.gyrosentinel.training.packaging.ModelPackager;
import io.gyrosentinel.training.packaging.PackagedModel;
import io.gyrosentinel.training.packaging.PackagingException;
import io.gyrosentinel.training.packaging.PackagingException.Reason;
import io.gyrosentinel.training.packaging.PackagingReport;
import io.gyrosentinel.training.packaging.Precision;
import io.gyrosentinel.training.packaging.Verification;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** The packaging steps behind {@link ModelPackager#pack}. */
public final class PackagingPipeline {
    public static final String MODEL_PART = "model.tflite";
    public static final String REPORT_PART = "report.json";
    public static final String FORMAT = "gyrosentinel.tflite-autoencoder";
    public static final String LAYOUT = "window";
    /** Manifest {@code output} of a model that returns its channel scores (the statistical families). */
    public static final String OUTPUT_CHANNEL_SCORES = "channel_scores";
    /** Largest relative error of a float32 feature model's channel scores in TFLite vs the Java reference. */
    public static final double FEATURE_FLOAT_TOLERANCE = 1e-3;
    static final int MAX_WINDOW = 256;
    /** Amplitude of the extra calibration copies (int16 leaves resolution to spare for the headroom). */
    static final float CALIBRATION_GAIN = 2f;
    /** The firmware's channels per model (GS_MANIFEST_MAX_CHANNELS, GS_SCORING_MAX_CHANNELS: the IMU's 3 axes). */
    static final int MAX_CHANNELS = 3;
    static final int MAX_UNITS = 128;
    static final ObjectMapper JSON = new ObjectMapper().disable(SerializationFeature.INDENT_OUTPUT);

    private PackagingPipeline() {
    }

    public static PackagedModel run(ModelPackager cfg, TrainedModel model, float[][] training, float[][] anomalous) {
        ModelArchitecture arch = checkSupported(model.architecture());
        int t = arch.windowLength();
        int stride = deviceStride(cfg, t);
        double rate = cfg.sampleRateHz() > 0 ? cfg.sampleRateHz() : model.sampleRateHz();
        if (training == null || training.length < 2) {
            throw new PackagingException(Reason.BAD_INPUT, "need at least 2 normal windows (calibration + verification)");
        }
        if (anomalous == null || anomalous.length == 0) {
            throw new PackagingException(Reason.BAD_INPUT, "need anomalous windows to verify the quantised model's "
                    + "ROC-AUC; pass recorded faults or synthetic ones");
        }
        int n = t * arch.channels();
        List<float[]> calib = new ArrayList<>();
        List<float[]> normal = new ArrayList<>();
        for (int i = 0; i < training.length; i++) {
            float[] x = normalized(model, training[i], n, "training window " + i);
            if (i % 2 == 0) {
                calib.add(x);
            } else if (normal.size() < cfg.maxVerificationWindows()) {
                normal.add(x);
            }
        }
        List<float[]> anom = new ArrayList<>();
        for (int i = 0; i < anomalous.length && anom.size() < cfg.maxVerificationWindows(); i++) {
            anom.add(normalized(model, anomalous[i], n, "anomalous window " + i));
        }

        // Float graph: check it against the reference in Java first (a builder bug shows up here, clearly).
        Graph g32 = LstmGraphBuilder.build(arch, model.parameters());
        GraphEvaluator self = new GraphEvaluator(g32);
        for (int i = 0; i < Math.min(4, normal.size()); i++) {
            double e = maxAbs(self.run(normal.get(i)), model.reconstructNormalized(normal.get(i)));
            if (e > cfg.floatTolerance()) {
                throw new PackagingException(Reason.VERIFICATION_FAILED, "internal: the op graph deviates from the "
                        + "reference by " + e + " before TFLite");
            }
        }
        hook(cfg, g32);
        String kind = switch (arch.cell()) {
            case DENSE -> "dense";
            case CONV -> "convolutional";
            case LSTM -> "LSTM";
        };
        byte[] f32 = TfliteWriter.write(g32, "GyroSentinel " + kind + " autoencoder, float32, whole window");
        OpAllowList.check(f32);

        Map<Precision, Graph> graphs = new EnumMap<>(Precision.class);
        Map<Precision, byte[]> files = new EnumMap<>(Precision.class);
        graphs.put(Precision.FLOAT32, g32);
        files.put(Precision.FLOAT32, f32);
        // Float (it proves the graph), the requested precision and its fallback must build; the others are built
        // for the report only, and a failure there is recorded, not thrown.
        java.util.Set<Precision> required = java.util.EnumSet.of(Precision.FLOAT32, cfg.precision());
        if (cfg.precision() == Precision.INT8 && cfg.fallbackToInt16x8()) {
            required.add(Precision.INT16X8);
        }
        // Activation ranges, recorded once on a float graph; the builder is deterministic, so every quantised
        // graph built below has the same tensors (ids) as this one.
        GraphEvaluator cal = new GraphEvaluator(LstmGraphBuilder.build(arch, model.parameters()));
        for (float[] x : calib) {
            cal.run(x);
            // Headroom: the model must represent the faults it is there to score. Calibrating on normal windows
            // only clips every tensor on louder (anomalous) windows and scrambles their ranking; copies at
            // CALIBRATION_GAIN x the amplitude widen each range to what such inputs reach.
            cal.run(scaled(x, CALIBRATION_GAIN));
        }
        Map<Precision, String> notBuilt = new EnumMap<>(Precision.class);
        for (Precision p : new Precision[] {Precision.INT16X8, Precision.INT8}) {
            try {
                Graph gq = LstmGraphBuilder.build(arch, model.parameters());
                Quantizer.quantize(gq, cal, p);
                hook(cfg, gq);
                byte[] q = TfliteWriter.write(gq, "GyroSentinel " + kind + " autoencoder, " + p.id() + ", whole window");
                OpAllowList.check(q);
                graphs.put(p, gq);
                files.put(p, q);
            } catch (RuntimeException e) {
                if (required.contains(p)) {
                    throw e;
                }
                notBuilt.put(p, String.valueOf(e.getMessage()));
            }
        }

        // Verification in the real runtime.
        List<float[]> all = new ArrayList<>(normal);
        all.addAll(anom);
        boolean[] positive = new boolean[all.size()];
        for (int i = normal.size(); i < all.size(); i++) {
            positive[i] = true;
        }
        double[] ref = new double[all.size()];
        float[][] refRecon = new float[all.size()][];
        for (int i = 0; i < all.size(); i++) {
            refRecon[i] = model.reconstructNormalized(all.get(i));
            ref[i] = mse(refRecon[i], all.get(i));
        }
        double refAuc = Stats.rocAuc(ref, positive);
        TflmHost tflm = cfg.tflmRunner() == null ? null : new TflmHost(cfg.tflmRunner());
        Map<Precision, Verification> verifications = new EnumMap<>(Precision.class);
        Map<Precision, CostCard> costs = new EnumMap<>(Precision.class);
        Map<Precision, Double> stepMicros = new EnumMap<>(Precision.class);
        for (Precision p : Precision.values()) {
            if (!files.containsKey(p)) {
                verifications.put(p, notBuilt(p, refAuc, notBuilt.get(p)));
                continue;
            }
            try {
                Verification v = verify(p, files.get(p), all, refRecon, ref, positive, refAuc, normal.size(), cfg);
                if (tflm != null) {
                    v = withMicro(v, microCheck(tflm, p, files.get(p), model, stride, all, refRecon, ref, positive,
                            refAuc, cfg));
                }
                verifications.put(p, v);
            } catch (RuntimeException e) {
                if (required.contains(p)) {
                    throw e;
                }
                verifications.put(p, notBuilt(p, refAuc, "the TFLite runtime refused it: " + e.getMessage()));
                continue;
            }
            costs.put(p, CostModel.card(graphs.get(p), LAYOUT, stride, rate, files.get(p).length));
            if (arch.cell() == ModelArchitecture.Cell.LSTM) {
                stepMicros.put(p, CostModel.stepLayoutCyclesPerSample(graphs.get(p), arch, stride) / CostCard.CLOCK_HZ
                        * 1e6);
            }
        }
        // Float must always reproduce the trainer (it proves the graph); the shipped precision must pass.
        Precision shipped = cfg.precision();
        if (shipped == Precision.INT8 && !verifications.get(Precision.INT8).passed() && cfg.fallbackToInt16x8()) {
            shipped = Precision.INT16X8;
        }
        if (!verifications.get(Precision.FLOAT32).passed() || !verifications.get(shipped).passed()) {
            StringBuilder why = new StringBuilder("the packaged model does not reproduce the trainer; no bundle was "
                    + "produced (requested " + cfg.precision().id() + (shipped != cfg.precision()
                    ? ", int16x8 as the fallback" : "") + ")");
            verifications.values().forEach(v -> why.append("; ").append(v));
            throw new PackagingException(Reason.VERIFICATION_FAILED, why.toString());
        }
        if (cfg.shipCheapest()) {
            for (Precision p : costs.keySet()) {
                if (verifications.get(p).passed()
                        && costs.get(p).microsPerSample() < costs.get(shipped).microsPerSample()) {
                    shipped = p;
                }
            }
        }

        return bundle(cfg, model, stride, shipped, files.get(shipped), verifications, costs, stepMicros);
    }

    /** The stride the device scores at: the configured one, or the window; never longer than the window. */
    private static int deviceStride(ModelPackager cfg, int window) {
        int stride = cfg.stride() == 0 ? window : cfg.stride();
        if (stride > window) {
            throw new PackagingException(Reason.BAD_INPUT, "stride " + stride + " is longer than the window ("
                    + window + "): samples between windows would never be scored");
        }
        return stride;
    }

    /**
     * The report, the manifest (sized with the report's own size in it) and the bundle of the shipped model, signed
     * when a key is configured.
     */
    private static PackagedModel bundle(ModelPackager cfg, AnomalyModel model, int stride, Precision shipped,
            byte[] tflite, Map<Precision, Verification> verifications, Map<Precision, CostCard> costs,
            Map<Precision, Double> stepMicros) {
        String id = cfg.modelId() != null ? cfg.modelId()
                : "gs-" + HexFormat.of().formatHex(ModelBundle.sha256(tflite)).substring(0, 12);
        PackagingReport draft = new PackagingReport(id, cfg.precision(), shipped, LAYOUT, verifications, costs,
                stepMicros, 0);
        byte[] reportJson = json(draft.toMap());
        String manifest = manifest(cfg, id, model, stride, shipped, tflite, reportJson, draft);
        PackagingReport report = new PackagingReport(id, cfg.precision(), shipped, LAYOUT, verifications, costs,
                stepMicros, manifest.getBytes(StandardCharsets.UTF_8).length);
        reportJson = json(report.toMap());
        manifest = manifest(cfg, id, model, stride, shipped, tflite, reportJson, report);
        Map<String, byte[]> parts = new LinkedHashMap<>();
        parts.put(MODEL_PART, tflite);
        parts.put(REPORT_PART, reportJson);
        ModelBundle bundle = ModelBundle.of(id, manifest, parts);
        if (cfg.signingKey() != null) {
            bundle = bundle.sign(cfg.signingKey());
        }
        return new PackagedModel(bundle, report);
    }

    /**
     * Packages a {@link FeatureModel}: its {@link FeatureGraphBuilder} graph in float32 (the statistical families'
     * LOG/RSQRT/DIV run on float kernels; int8 and int16x8 are reported as not built), checked against the Java
     * reference in the graph evaluator, in TFLite 2.6.2 and, when configured, in TFLite Micro through the firmware's
     * backend.
     */
    public static PackagedModel runFeatures(ModelPackager cfg, FeatureModel model, float[][] training,
            float[][] anomalous) {
        int t = model.windowLength();
        if (t > MAX_WINDOW || model.channels() > MAX_CHANNELS) {
            throw new PackagingException(Reason.UNSUPPORTED_ARCHITECTURE, "cannot package for TFLite Micro: the "
                    + "firmware takes windows up to " + MAX_WINDOW + " samples and up to " + MAX_CHANNELS
                    + " channels (GS_MANIFEST_MAX_CHANNELS); this model: " + model.describe());
        }
        int stride = deviceStride(cfg, t);
        double rate = cfg.sampleRateHz() > 0 ? cfg.sampleRateHz() : model.sampleRateHz();
        if (training == null || training.length < 1) {
            throw new PackagingException(Reason.BAD_INPUT, "need normal windows to verify the packaged model");
        }
        if (anomalous == null || anomalous.length == 0) {
            throw new PackagingException(Reason.BAD_INPUT, "need anomalous windows to verify the packaged model's "
                    + "ROC-AUC; pass recorded faults or synthetic ones");
        }
        int n = t * model.channels();
        List<float[]> all = new ArrayList<>();
        for (int i = 0; i < training.length && all.size() < cfg.maxVerificationWindows(); i++) {
            all.add(normalized(model, training[i], n, "normal window " + i));
        }
        int normals = all.size();
        for (int i = 0; i < anomalous.length && all.size() < normals + cfg.maxVerificationWindows(); i++) {
            all.add(normalized(model, anomalous[i], n, "anomalous window " + i));
        }
        boolean[] positive = new boolean[all.size()];
        float[][] refOut = new float[all.size()][];
        double[] ref = new double[all.size()];
        for (int i = 0; i < all.size(); i++) {
            positive[i] = i >= normals;
            refOut[i] = model.channelScoresNormalized(all.get(i));
            ref[i] = mean(refOut[i]);
        }
        double refAuc = Stats.rocAuc(ref, positive);
        Graph g = FeatureGraphBuilder.build(model);
        GraphEvaluator self = new GraphEvaluator(g);
        for (int i = 0; i < Math.min(4, all.size()); i++) {
            double e = maxRel(self.run(all.get(i)), refOut[i]);
            if (e > FEATURE_FLOAT_TOLERANCE) {
                throw new PackagingException(Reason.VERIFICATION_FAILED, "internal: the op graph deviates from the "
                        + "reference by " + e + " (relative) before TFLite");
            }
        }
        hook(cfg, g);
        byte[] tflite = TfliteWriter.write(g, "GyroSentinel " + model.family().id() + ", float32, whole window");
        OpAllowList.check(tflite);

        double[] scores = new double[all.size()];
        long[] nanos = new long[all.size()];
        double maxRel = 0;
        try (TfliteRuntime rt = new TfliteRuntime(tflite)) {
            for (int i = 0; i < all.size(); i++) {
                float[] y = rt.run(all.get(i));
                nanos[i] = rt.lastInvokeNanos();
                maxRel = Math.max(maxRel, maxRel(y, refOut[i]));
                scores[i] = mean(y);
            }
        }
        double rho = Stats.spearman(scores, ref);
        double auc = Stats.rocAuc(scores, positive);
        Verification v = new Verification(Precision.FLOAT32, normals, all.size() - normals, maxRel, rho, auc, refAuc,
                Stats.median(nanos) / 1000.0, maxRel <= FEATURE_FLOAT_TOLERANCE,
                "channel scores within a relative " + FEATURE_FLOAT_TOLERANCE + " of the Java reference (max |err| "
                        + "is that relative error)", null);
        if (cfg.tflmRunner() != null) {
            Map<String, Object> dm = deviceManifest("tflm-check", model, stride, Precision.FLOAT32, tflite);
            ModelBundle b = ModelBundle.of("tflm-check", new String(json(dm), StandardCharsets.UTF_8),
                    Map.of(MODEL_PART, tflite));
            TflmHost.Result r = new TflmHost(cfg.tflmRunner()).run(b.payload(), all, n, model.channels());
            MicroCheck mc;
            if (!r.loaded()) {
                mc = MicroCheck.notLoaded(r.error() + ": " + r.reason(), cfg.deviceArenaBytes());
            } else {
                double mAbs = 0;
                double mRel = 0;
                double[] ms = new double[all.size()];
                for (int i = 0; i < all.size(); i++) {
                    for (int j = 0; j < refOut[i].length; j++) {
                        double d = Math.abs(r.outputs()[i][j] - refOut[i][j]);
                        mAbs = Math.max(mAbs, d);
                        mRel = Math.max(mRel, d / Math.max(1.0, Math.abs(refOut[i][j])));
                    }
                    ms[i] = mean(r.outputs()[i]);
                }
                boolean fits = r.arenaRequired() <= cfg.deviceArenaBytes();
                mc = new MicroCheck(true, true, fits ? null : "needs " + r.arenaRequired() + " bytes of tensor arena, "
                        + "the device has " + cfg.deviceArenaBytes(), r.arenaUsed(), r.arenaRequired(),
                        cfg.deviceArenaBytes(), mAbs, mRel, Stats.spearman(ms, ref), Stats.rocAuc(ms, positive),
                        fits && mRel <= FEATURE_FLOAT_TOLERANCE);
            }
            v = withMicro(v, mc, "channel scores within a relative " + FEATURE_FLOAT_TOLERANCE);
        }
        if (!v.passed()) {
            throw new PackagingException(Reason.VERIFICATION_FAILED, "the packaged model does not reproduce the "
                    + "trained " + model.family().id() + " model; no bundle was produced: " + v);
        }
        Map<Precision, Verification> verifications = new EnumMap<>(Precision.class);
        verifications.put(Precision.FLOAT32, v);
        for (Precision p : new Precision[] {Precision.INT16X8, Precision.INT8}) {
            verifications.put(p, notBuilt(p, refAuc, model.family().id() + " ships float32 only (its features use "
                    + "LOG, RSQRT and DIV, which have no integer kernels in the firmware)"));
        }
        Map<Precision, CostCard> costs = new EnumMap<>(Precision.class);
        costs.put(Precision.FLOAT32, CostModel.card(g, LAYOUT, stride, rate, tflite.length));
        return bundle(cfg, model, stride, Precision.FLOAT32, tflite, verifications, costs, Map.of());
    }

    private static double mean(float[] v) {
        double s = 0;
        for (float x : v) {
            s += x;
        }
        return s / v.length;
    }

    /** Largest |a − b| / max(1, |b|). */
    static double maxRel(float[] a, float[] b) {
        double m = 0;
        for (int i = 0; i < a.length; i++) {
            m = Math.max(m, Math.abs(a[i] - b[i]) / Math.max(1.0, Math.abs(b[i])));
        }
        return m;
    }

    static ModelArchitecture checkSupported(ModelArchitecture a) {
        List<String> problems = new ArrayList<>();
        if (a.windowLength() > MAX_WINDOW) {
            problems.add("window length " + a.windowLength() + " > " + MAX_WINDOW
                    + " (the firmware's window buffer, GS_SCORING_MAX_WINDOW; the unrolled graph also grows by ~12 ops"
                    + " per step and layer)");
        }
        if (a.channels() > MAX_CHANNELS) {
            problems.add(a.channels() + " channels > " + MAX_CHANNELS + " (the firmware scores up to " + MAX_CHANNELS
                    + " axes per model: GS_MANIFEST_MAX_CHANNELS)");
        }
        for (int u : a.lstmLayerUnits()) {
            if (u > MAX_UNITS) {
                problems.add("a layer of " + u + " units > " + MAX_UNITS);
            }
        }
        if (!problems.isEmpty()) {
            throw new PackagingException(Reason.UNSUPPORTED_ARCHITECTURE, "cannot package for TFLite Micro: "
                    + String.join(", ", problems) + ". Retrain with a smaller architecture (" + a + ")");
        }
        return a;
    }

    /** The verification entry of a precision that could not be built or run (reported, never shipped). */
    private static Verification notBuilt(Precision p, double refAuc, String why) {
        return new Verification(p, 0, 0, Double.NaN, Double.NaN, Double.NaN, refAuc, Double.NaN, false,
                "not built: " + why, null);
    }

    private static Verification verify(Precision p, byte[] tflite, List<float[]> all, float[][] refRecon,
            double[] ref, boolean[] positive, double refAuc, int normals, ModelPackager cfg) {
        double[] scores = new double[all.size()];
        long[] nanos = new long[all.size()];
        double maxErr = 0;
        try (TfliteRuntime rt = new TfliteRuntime(tflite)) {
            for (int i = 0; i < all.size(); i++) {
                float[] y = rt.run(all.get(i));
                nanos[i] = rt.lastInvokeNanos();
                maxErr = Math.max(maxErr, maxAbs(y, refRecon[i]));
                scores[i] = mse(y, all.get(i));
            }
        }
        double rho = Stats.spearman(scores, ref);
        double auc = Stats.rocAuc(scores, positive);
        boolean ok;
        String criteria;
        if (p == Precision.FLOAT32) {
            ok = maxErr <= cfg.floatTolerance();
            criteria = "max |err| <= " + cfg.floatTolerance();
        } else {
            ok = rho >= cfg.minSpearman() && auc >= refAuc - cfg.maxAucDrop();
            criteria = "Spearman >= " + cfg.minSpearman() + ", ROC-AUC >= reference - " + cfg.maxAucDrop();
        }
        return new Verification(p, normals, all.size() - normals, maxErr, rho, auc, refAuc,
                Stats.median(nanos) / 1000.0, ok, criteria, null);
    }

    private static Verification withMicro(Verification v, MicroCheck m) {
        return withMicro(v, m, v.precision() == Precision.FLOAT32
                ? "relative error <= " + MicroCheck.FLOAT_RELATIVE_TOLERANCE : "the same gates");
    }

    private static Verification withMicro(Verification v, MicroCheck m, String accuracy) {
        return new Verification(v.precision(), v.normalWindows(), v.anomalousWindows(), v.maxAbsError(),
                v.spearman(), v.rocAuc(), v.referenceRocAuc(), v.hostInvokeMicros(), v.passed() && m.passed(),
                v.criteria() + "; TFLite Micro: loads, fits the device arena, " + accuracy, m);
    }

    /**
     * Runs one built model in the real TensorFlow Lite Micro (the firmware's backend, resolver, store and runtime)
     * on the verification windows. The payload carries the bundle's manifest fields the device reads.
     */
    private static MicroCheck microCheck(TflmHost tflm, Precision p, byte[] tflite, TrainedModel model, int stride,
            List<float[]> all, float[][] refRecon, double[] ref, boolean[] positive, double refAuc,
            ModelPackager cfg) {
        Map<String, Object> m = deviceManifest("tflm-check", model, stride, p, tflite);
        ModelBundle b = ModelBundle.of("tflm-check", new String(json(m), StandardCharsets.UTF_8),
                Map.of(MODEL_PART, tflite));
        TflmHost.Result r = tflm.run(b.payload(), all, all.get(0).length);
        if (!r.loaded()) {
            return MicroCheck.notLoaded(r.error() + ": " + r.reason(), cfg.deviceArenaBytes());
        }
        double maxAbs = 0;
        double maxRel = 0;
        double[] scores = new double[all.size()];
        for (int i = 0; i < all.size(); i++) {
            float[] y = r.outputs()[i];
            for (int j = 0; j < y.length; j++) {
                double d = Math.abs(y[j] - refRecon[i][j]);
                maxAbs = Math.max(maxAbs, d);
                maxRel = Math.max(maxRel, d / Math.max(1.0, Math.abs(refRecon[i][j])));
            }
            scores[i] = mse(y, all.get(i));
        }
        double rho = Stats.spearman(scores, ref);
        double auc = Stats.rocAuc(scores, positive);
        boolean accurate = p == Precision.FLOAT32 ? maxRel <= MicroCheck.FLOAT_RELATIVE_TOLERANCE
                : rho >= cfg.minSpearman() && auc >= refAuc - cfg.maxAucDrop();
        boolean fits = r.arenaRequired() <= cfg.deviceArenaBytes();
        String failure = fits ? null : "needs " + r.arenaRequired() + " bytes of tensor arena, the device has "
                + cfg.deviceArenaBytes() + " (Kconfig GS_TFLM_ARENA_KB; raise it and ModelPackager.deviceArenaBytes, "
                + "or train a smaller model)";
        return new MicroCheck(true, true, failure, r.arenaUsed(), r.arenaRequired(), cfg.deviceArenaBytes(), maxAbs,
                maxRel, rho, auc,
                accurate && fits);
    }

    private static String manifest(ModelPackager cfg, String id, AnomalyModel model, int stride, Precision shipped,
            byte[] tflite, byte[] reportJson, PackagingReport r) {
        Map<String, Object> m = withDeploymentMembers(deviceManifest(id, model, stride, shipped, tflite), cfg);
        @SuppressWarnings("unchecked")
        Map<String, String> sha = (Map<String, String>) m.get("sha256");
        sha.put(REPORT_PART, HexFormat.of().formatHex(ModelBundle.sha256(reportJson)));
        CostCard c = r.shippedCost();
        Map<String, Object> cost = new LinkedHashMap<>();
        cost.put("macs", c.macsPerWindow());
        cost.put("ops", c.ops());
        cost.put("usPerSample", round2(c.microsPerSample()));
        cost.put("pctCore", round2(c.percentOfCore()));
        cost.put("atHz", c.sampleRateHz());
        cost.put("arena", c.arenaBytes());
        cost.put("flash", c.flashBytes());
        m.put("cost", cost);
        Map<String, Object> metrics = new LinkedHashMap<>();
        TrainingHistory h = model instanceof TrainedModel tm ? tm.history() : null;
        if (model instanceof FeatureModel fm) {
            metrics.put("trainWindows", fm.fit().trainingWindows());
        }
        if (h != null) {
            metrics.put("valLoss", (float) h.bestValidationLoss());
            metrics.put("bestEpoch", h.bestEpoch());
            metrics.put("trainWindows", h.trainingWindows());
        }
        metrics.put("floatMaxErr", (float) r.float32().maxAbsError());
        Verification sv = r.shippedVerification();
        metrics.put("spearman", round4(sv.spearman()));
        metrics.put("auc", round4(sv.rocAuc()));
        metrics.put("refAuc", round4(sv.referenceRocAuc()));
        m.put("metrics", metrics);
        // Metrics, then the cost card, give way to the 1024-byte limit; the device's members never do.
        if (json(m).length > 1024) {
            m.remove("metrics");
        }
        if (json(m).length > 1024) {
            m.remove("cost");
        }
        byte[] bytes = json(m);
        if (bytes.length > 1024) {
            throw new PackagingException(Reason.MANIFEST_TOO_LARGE, "manifest is " + bytes.length
                    + " bytes even without metrics and cost; the protocol carries 1024. Use a shorter model id"
                    + (cfg.scope() != null ? " or scope." : "."));
        }
        return new String(bytes, StandardCharsets.UTF_8);
    }

    /**
     * The members a device checks at ModelBegin (docs/model-bundle.md), right after {@code modelId}, each only when
     * set, so bundles packaged without them keep their exact bytes. They are never dropped to fit the size limit.
     */
    private static Map<String, Object> withDeploymentMembers(Map<String, Object> device, ModelPackager cfg) {
        Map<String, Object> m = new LinkedHashMap<>();
        for (var e : device.entrySet()) {
            m.put(e.getKey(), e.getValue());
            if (e.getKey().equals("modelId")) {
                if (cfg.version() > 0) {
                    m.put("version", cfg.version());
                }
                if (cfg.scope() != null) {
                    m.put("scope", cfg.scope());
                }
                if (cfg.allowDowngrade()) {
                    m.put("downgrade", true);
                }
            }
        }
        return m;
    }

    /** The manifest fields the device reads (and the model part's hash), in the bundle's order. */
    private static Map<String, Object> deviceManifest(String id, AnomalyModel model, int stride, Precision precision,
            byte[] tflite) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("format", FORMAT);
        m.put("formatVersion", 1);
        m.put("modelId", id);
        m.put("layout", LAYOUT);
        m.put("model", MODEL_PART);
        m.put("window", model.windowLength());
        m.put("stride", stride);
        m.put("channels", model.channels());
        if (model instanceof TrainedModel tm && tm.architecture().cell() != ModelArchitecture.Cell.LSTM) {
            m.put("family", model.family().id());
        } else if (model instanceof TrainedModel tm) {
            // Informative: the model's input is [window/samplesPerStep][samplesPerStep*channels], byte for byte the
            // [window][channels] the firmware fills.
            m.put("samplesPerStep", tm.architecture().samplesPerStep());
        } else {
            // The statistical families return the channel scores themselves (docs/model-bundle.md); a firmware that
            // predates "output" refuses such a model at load (its output is not window x channels values).
            m.put("family", model.family().id());
            m.put("output", OUTPUT_CHANNEL_SCORES);
        }
        m.put("sampleRateHz", model.sampleRateHz());
        if (model instanceof TrainedModel tm && tm.removesDc()) {
            // the device subtracts each window's per-channel mean after normalising; formatVersion 2 makes a
            // firmware that predates "dc" refuse the bundle instead of scoring it without (docs/model-bundle.md)
            m.put("formatVersion", 2);
            m.put("dc", "remove");
        }
        m.put("mean", model.normalization().mean());
        m.put("std", model.normalization().std());
        Map<String, Object> th = new LinkedHashMap<>();
        th.put("value", model.threshold().value());
        th.put("method", model.threshold().policy().method());
        th.put("parameter", model.threshold().policy().parameter());
        m.put("threshold", th);
        m.put("quantization", precision.id());
        Map<String, String> sha = new LinkedHashMap<>();
        sha.put(MODEL_PART, HexFormat.of().formatHex(ModelBundle.sha256(tflite)));
        m.put("sha256", sha);
        return m;
    }

    static byte[] json(Object o) {
        try {
            return JSON.writeValueAsBytes(o);
        } catch (JsonProcessingException e) {
            // internal invariant: the manifest is built from plain maps, strings and numbers
            throw new IllegalStateException(e);
        }
    }

    private static void hook(ModelPackager cfg, Graph g) {
        if (cfg.graphHook() != null) {
            cfg.graphHook().accept(g);
        }
    }

    private static float[] normalized(AnomalyModel m, float[] raw, int n, String what) {
        if (raw == null || raw.length != n) {
            throw new PackagingException(Reason.BAD_INPUT, what + " has " + (raw == null ? "no" : raw.length)
                    + " values, expected windowLength*channels = " + n);
        }
        try {
            if (m instanceof TrainedModel tm) {
                return tm.normalize(raw); // and its DC removal, when it has one
            }
            io.gyrosentinel.training.internal.WindowScoring.checkWindow(raw, 0, m.windowLength(), m.channels());
            return io.gyrosentinel.training.internal.WindowScoring.normalize(raw, m.normalization());
        } catch (GyroSentinelException e) {
            throw new PackagingException(Reason.BAD_INPUT, what + ": " + e.detail(), e);
        }
    }

    static float[] scaled(float[] x, float k) {
        float[] y = new float[x.length];
        for (int i = 0; i < x.length; i++) {
            y[i] = x[i] * k;
        }
        return y;
    }

    static double maxAbs(float[] a, float[] b) {
        double m = 0;
        for (int i = 0; i < a.length; i++) {
            m = Math.max(m, Math.abs(a[i] - b[i]));
        }
        return m;
    }

    static double mse(float[] y, float[] x) {
        double s = 0;
        for (int i = 0; i < y.length; i++) {
            double d = y[i] - x[i];
            s += d * d;
        }
        return s / y.length;
    }

    private static double round2(double v) {
        return Math.round(v * 100) / 100.0;
    }

    private static double round4(double v) {
        return Double.isFinite(v) ? Math.round(v * 1e4) / 1e4 : -1;
    }

    static String fmt(double v) {
        return String.format(Locale.ROOT, "%.4g", v);
    }
}
