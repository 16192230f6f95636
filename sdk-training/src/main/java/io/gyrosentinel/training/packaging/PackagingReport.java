package io.gyrosentinel.training.packaging;

import java.util.Collections;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * What packaging found: verification in the real TFLite runtime for every precision (float32, int8, int16x8),
 * the cost card of each, and the cost of the rejected alternative layout for comparison. Also shipped, as
 * JSON, in the bundle's {@code report.json} part.
 *
 * @param modelId                  the bundle's model id
 * @param requested                precision asked of the packager
 * @param shipped                  precision of the model in the bundle ({@link Precision#INT16X8} when int8 was
 *                                 requested, failed verification and the packager fell back)
 * @param layout                   the layout chosen (see {@link ModelPackager})
 * @param verifications            verification of each precision
 * @param costs                    cost card of each precision
 * @param stepLayoutMicros         µs/sample of the alternative layout (encoder step model per sample + decoder
 *                                 per stride), per precision
 * @param manifestBytes            size of the manifest (protocol limit 1024)
 */
public record PackagingReport(String modelId, Precision requested, Precision shipped, String layout,
        Map<Precision, Verification> verifications, Map<Precision, CostCard> costs,
        Map<Precision, Double> stepLayoutMicros, int manifestBytes) {

    /**
     * Copies the maps into unmodifiable ones.
     *
     * @param modelId          the bundle's model id
     * @param requested        precision asked of the packager
     * @param shipped          precision of the model in the bundle
     * @param layout           the layout chosen
     * @param verifications    verification of each precision
     * @param costs            cost card of each precision
     * @param stepLayoutMicros µs/sample of the alternative layout, per precision
     * @param manifestBytes    size of the manifest, bytes
     */
    public PackagingReport {
        verifications = Collections.unmodifiableMap(copy(verifications));
        costs = Collections.unmodifiableMap(copy(costs));
        stepLayoutMicros = Collections.unmodifiableMap(copy(stepLayoutMicros));
    }

    private static <V> EnumMap<Precision, V> copy(Map<Precision, V> m) {
        EnumMap<Precision, V> c = new EnumMap<>(Precision.class);
        c.putAll(m);
        return c;
    }

    /**
     * Verification of {@code p}; a precision that could not be built has a failed entry saying why.
     *
     * @param p the precision
     * @return its verification, or {@code null} when it was not attempted
     */
    public Verification verification(Precision p) {
        return verifications.get(p);
    }

    /**
     * Cost card of {@code p}, or null if that precision could not be built.
     *
     * @param p the precision
     * @return its cost card, or {@code null}
     */
    public CostCard cost(Precision p) {
        return costs.get(p);
    }

    /** {@return the verification of the float32 model} */
    public Verification float32() {
        return verifications.get(Precision.FLOAT32);
    }

    /** {@return the verification of the int8 model} */
    public Verification int8() {
        return verifications.get(Precision.INT8);
    }

    /** {@return the verification of the int16x8 model} */
    public Verification int16x8() {
        return verifications.get(Precision.INT16X8);
    }

    /** {@return the cost card of the float32 model, or {@code null} if it could not be built} */
    public CostCard float32Cost() {
        return costs.get(Precision.FLOAT32);
    }

    /** {@return the cost card of the int8 model, or {@code null} if it could not be built} */
    public CostCard int8Cost() {
        return costs.get(Precision.INT8);
    }

    /** {@return the cost card of the int16x8 model, or {@code null} if it could not be built} */
    public CostCard int16x8Cost() {
        return costs.get(Precision.INT16X8);
    }

    /** {@return the cost card of the precision in the bundle} */
    public CostCard shippedCost() {
        return costs.get(shipped);
    }

    /** {@return the verification of the precision in the bundle} */
    public Verification shippedVerification() {
        return verifications.get(shipped);
    }

    /**
     * {@return whether the packager shipped another precision than the one requested (int8 failed, int16x8 shipped)}
     */
    public boolean fellBack() {
        return requested == Precision.INT8 && shipped == Precision.INT16X8;
    }

    /** {@return a JSON-ready view (ordered maps, strings and numbers), as written to {@code report.json}} */
    public Map<String, Object> toMap() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("modelId", modelId);
        m.put("requested", requested.id());
        m.put("shipped", shipped.id());
        m.put("layout", layout);
        Map<String, Object> ver = new LinkedHashMap<>();
        verifications.forEach((p, v) -> ver.put(p.id(), verification(v)));
        m.put("verification", ver);
        Map<String, Object> cm = new LinkedHashMap<>();
        costs.forEach((p, c) -> cm.put(p.id(), cost(c)));
        Map<String, Object> alt = new LinkedHashMap<>();
        stepLayoutMicros.forEach((p, us) -> alt.put(p.id(), round(us)));
        cm.put("alternativeStepLayoutMicrosPerSample", alt);
        cm.put("assumptions", "ESP32-S3 240 MHz, stock esp-tflite-micro kernels. FC cycles/MAC: float "
                + CostModelConstants.FLOAT_FC + " (assumed), int16x8 reference " + CostModelConstants.INT16_FC_REF
                + ", int8 ESP-NN " + CostModelConstants.INT8_FC_ESPNN + " (esp-nn README FC row); per FC output: "
                + CostModelConstants.INT_FC_PER_OUTPUT + " integer, " + CostModelConstants.FLOAT_FC_PER_OUTPUT
                + " float; LOGISTIC/TANH per element: int16 " + CostModelConstants.INT16_ACT + " (TFLM table), int8 "
                + CostModelConstants.INT8_ACT + " (gemmlowp), float " + CostModelConstants.FLOAT_ACT + "; ADD/MUL int16 "
                + CostModelConstants.INT16_ADD + "/" + CostModelConstants.INT16_MUL + ", int8 ESP-NN "
                + CostModelConstants.INT8_ADD_ESPNN + "/" + CostModelConstants.INT8_MUL_ESPNN + ", float "
                + CostModelConstants.FLOAT_ELTWISE + "; copies " + CostModelConstants.COPY_PER_ELEMENT
                + " cycles/element; " + CostModelConstants.PER_OP + " cycles/op, " + CostModelConstants.PER_INVOKE
                + " cycles/invoke (sources in CostModelConstants; none measured on this board yet)");
        m.put("cost", cm);
        m.put("manifestBytes", manifestBytes);
        return m;
    }

    private static Map<String, Object> verification(Verification v) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("passed", v.passed());
        m.put("maxAbsError", v.maxAbsError());
        m.put("spearman", round(v.spearman()));
        m.put("rocAuc", round(v.rocAuc()));
        m.put("referenceRocAuc", round(v.referenceRocAuc()));
        m.put("normalWindows", v.normalWindows());
        m.put("anomalousWindows", v.anomalousWindows());
        m.put("hostInvokeMicros", round(v.hostInvokeMicros()));
        m.put("criteria", v.criteria());
        MicroCheck mc = v.micro();
        if (mc.ran()) {
            Map<String, Object> t = new LinkedHashMap<>();
            t.put("loaded", mc.loaded());
            if (mc.loaded()) {
                t.put("passed", mc.passed());
                t.put("arenaUsedBytes", mc.arenaUsedBytes());
                t.put("arenaRequiredBytes", mc.arenaRequiredBytes());
                t.put("maxAbsError", mc.maxAbsError());
                t.put("maxRelError", mc.maxRelError());
                t.put("spearman", round(mc.spearman()));
                t.put("rocAuc", round(mc.rocAuc()));
            }
            if (mc.failure() != null) {
                t.put("failure", mc.failure());
            }
            t.put("arenaSizeBytes", mc.arenaSizeBytes());
            m.put("tfliteMicro", t);
        }
        return m;
    }

    static Map<String, Object> cost(CostCard c) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("stride", c.stride());
        m.put("sampleRateHz", c.sampleRateHz());
        m.put("macsPerWindow", c.macsPerWindow());
        m.put("macsPerSample", round(c.macsPerSample()));
        m.put("opsPerWindow", c.ops());
        m.put("opsPerSample", round(c.opsPerSample()));
        m.put("invokesPerSample", round(c.invokesPerSample()));
        m.put("activationElementsPerWindow", c.activationElements());
        m.put("eltwiseElementsPerWindow", c.eltwiseElements());
        m.put("cyclesPerWindow", c.cyclesPerWindow());
        m.put("millisPerInvoke", round(c.millisPerInvoke()));
        m.put("microsPerSample", round(c.microsPerSample()));
        m.put("percentOfCore", round(c.percentOfCore()));
        m.put("kernels", c.kernels());
        m.put("maxSampleRateHz", Math.round(c.maxSampleRateHz()));
        m.put("arenaBytes", c.arenaBytes());
        m.put("flashBytes", c.flashBytes());
        m.put("verdict", c.verdict());
        return m;
    }

    static double round(double v) {
        return Double.isFinite(v) ? Math.round(v * 1e4) / 1e4 : v;
    }
}
