package io.gyrosentinel.training.packaging;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * What packaging found: verification in the real TFLite runtime for both precisions, and the cost card of
 * each, plus the cost of the rejected alternative layout for comparison. Also shipped, as JSON, in the
 * bundle's {@code report.json} part.
 *
 * @param modelId                  the bundle's model id
 * @param shipped                  precision of the model in the bundle
 * @param layout                   the layout chosen (see {@link ModelPackager})
 * @param float32                  verification of the float model
 * @param int8                     verification of the quantised model (int8 weights, int16 activations)
 * @param float32Cost              cost card of the float model
 * @param int8Cost                 cost card of the quantised model
 * @param stepLayoutMicrosFloat32  µs/sample of the alternative layout (encoder step model per sample + decoder per stride), float
 * @param stepLayoutMicrosInt8     the same, quantised model
 * @param manifestBytes            size of the manifest (protocol limit 1024)
 */
public record PackagingReport(String modelId, Precision shipped, String layout, Verification float32,
        Verification int8, CostCard float32Cost, CostCard int8Cost, double stepLayoutMicrosFloat32,
        double stepLayoutMicrosInt8, int manifestBytes) {

    public CostCard shippedCost() {
        return shipped == Precision.INT8 ? int8Cost : float32Cost;
    }

    /** A JSON-ready view (ordered maps and numbers). */
    public Map<String, Object> toMap() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("modelId", modelId);
        m.put("shipped", shipped.id());
        m.put("layout", layout);
        Map<String, Object> ver = new LinkedHashMap<>();
        ver.put("float32", verification(float32));
        ver.put("int8", verification(int8));
        m.put("verification", ver);
        Map<String, Object> costs = new LinkedHashMap<>();
        costs.put("float32", cost(float32Cost));
        costs.put("int8", cost(int8Cost));
        Map<String, Object> alt = new LinkedHashMap<>();
        alt.put("float32", round(stepLayoutMicrosFloat32));
        alt.put("int8", round(stepLayoutMicrosInt8));
        costs.put("alternativeStepLayoutMicrosPerSample", alt);
        costs.put("assumptions", "ESP32-S3 240 MHz, stock esp-tflite-micro kernels. FC cycles/MAC: float "
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
        m.put("cost", costs);
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
        m.put("int8EspnnMicrosPerSample", round(c.int8EspnnMicrosPerSample()));
        m.put("int8EspnnPercentOfCore", round(c.int8EspnnPercentOfCore()));
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
