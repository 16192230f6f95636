package io.gyrosentinel.training.packaging.internal;

import com.fasterxml.jackson.databind.JsonNode;
import io.gyrosentinel.ErrorCode;
import io.gyrosentinel.GyroSentinelException;
import io.gyrosentinel.model.ModelBundle;
import java.io.IOException;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.Iterator;
import java.util.Map;

/** The fields of a packaged bundle's manifest that a runtime needs, parsed and checked. */
public record BundleManifest(String modelId, String model, int window, int stride, int channels, double sampleRateHz,
        float[] mean, float[] std, double threshold, String thresholdMethod, String quantization, int samplesPerStep,
        Map<String, String> sha256, boolean channelScores, boolean removeDc) {

    public static BundleManifest parse(ModelBundle b) {
        JsonNode m;
        try {
            m = PackagingPipeline.JSON.readTree(b.manifest());
        } catch (IOException e) {
            throw new GyroSentinelException(ErrorCode.MODEL_LOAD_FAILED, "manifest of " + b.modelId()
                    + " is not JSON: " + e.getMessage(), e);
        }
        if (!PackagingPipeline.FORMAT.equals(m.path("format").asText()) || (m.path("formatVersion").asInt() != 1
                && m.path("formatVersion").asInt() != 2)) {
            throw new GyroSentinelException(ErrorCode.MODEL_LOAD_FAILED, "bundle " + b.modelId() + " has format '"
                    + m.path("format").asText() + "' v" + m.path("formatVersion").asInt() + "; this engine runs "
                    + PackagingPipeline.FORMAT + " v1 and v2");
        }
        int f = m.path("channels").asInt();
        float[] mean = floats(m.path("mean"));
        float[] std = floats(m.path("std"));
        if (f < 1 || mean.length != f || std.length != f) {
            throw new GyroSentinelException(ErrorCode.MODEL_LOAD_FAILED, "manifest of " + b.modelId()
                    + ": channels/mean/std disagree");
        }
        String output = m.path("output").asText("reconstruction");
        if (!output.equals("reconstruction") && !output.equals(PackagingPipeline.OUTPUT_CHANNEL_SCORES)) {
            throw new GyroSentinelException(ErrorCode.MODEL_LOAD_FAILED, "manifest of " + b.modelId() + ": output '"
                    + output + "' is neither 'reconstruction' nor '" + PackagingPipeline.OUTPUT_CHANNEL_SCORES + "'");
        }
        String dc = m.path("dc").asText("keep");
        if (!dc.equals("keep") && !dc.equals("remove")) {
            throw new GyroSentinelException(ErrorCode.MODEL_LOAD_FAILED, "manifest of " + b.modelId() + ": dc '" + dc
                    + "' is neither 'keep' nor 'remove'");
        }
        Map<String, String> sha = new java.util.LinkedHashMap<>();
        Iterator<Map.Entry<String, JsonNode>> it = m.path("sha256").fields();
        while (it.hasNext()) {
            var e = it.next();
            sha.put(e.getKey(), e.getValue().asText());
        }
        return new BundleManifest(m.path("modelId").asText(), m.path("model").asText(), m.path("window").asInt(),
                m.path("stride").asInt(), f, m.path("sampleRateHz").asDouble(), mean, std,
                m.path("threshold").path("value").asDouble(), m.path("threshold").path("method").asText(),
                m.path("quantization").asText(), m.path("samplesPerStep").asInt(1), sha,
                output.equals(PackagingPipeline.OUTPUT_CHANNEL_SCORES), dc.equals("remove"));
    }

    /** Every part listed in the manifest must be present with that SHA-256, and every part must be listed. */
    public void checkHashes(ModelBundle b) {
        for (String name : b.parts().keySet()) {
            if (!sha256.containsKey(name)) {
                throw new GyroSentinelException(ErrorCode.MODEL_HASH_MISMATCH, "bundle " + b.modelId() + ": part '"
                        + name + "' is not listed in the manifest");
            }
        }
        for (var e : sha256.entrySet()) {
            byte[] data = b.parts().get(e.getKey());
            if (data == null) {
                throw new GyroSentinelException(ErrorCode.MODEL_HASH_MISMATCH, "bundle " + b.modelId()
                        + ": manifest lists part '" + e.getKey() + "' but the bundle lacks it");
            }
            byte[] want;
            try {
                want = HexFormat.of().parseHex(e.getValue());
            } catch (IllegalArgumentException ex) {
                want = new byte[0];
            }
            if (!MessageDigest.isEqual(want, ModelBundle.sha256(data))) {
                throw new GyroSentinelException(ErrorCode.MODEL_HASH_MISMATCH, "bundle " + b.modelId() + ": part '"
                        + e.getKey() + "' does not match its SHA-256 in the manifest (corrupted or tampered)");
            }
        }
    }

    private static float[] floats(JsonNode n) {
        float[] v = new float[n.size()];
        for (int i = 0; i < v.length; i++) {
            v[i] = (float) n.get(i).asDouble();
        }
        return v;
    }
}
