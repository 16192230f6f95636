package io.gyrosentinel.transport.serial.interop;

import io.gyrosentinel.model.ModelBundle;
import io.gyrosentinel.training.ModelArchitecture;
import io.gyrosentinel.training.Normalization;
import io.gyrosentinel.training.Threshold;
import io.gyrosentinel.training.ThresholdPolicy;
import io.gyrosentinel.training.TrainedModel;
import io.gyrosentinel.training.packaging.ReferenceWeights;

import java.nio.charset.StandardCharsets;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;

/** Small models and hand-built bundles for the interop tests (no TensorFlow, no packager). */
final class InteropModels {
    static final String FORMAT = "gyrosentinel.tflite-autoencoder";

    private InteropModels() {
    }

    /**
     * An LSTM autoencoder with random weights: window 16, 3 channels, 4 samples per step (4 steps of 12 values, as
     * the trainer's default frames), encoder 8-4, decoder 4-8.
     */
    static TrainedModel randomModel(long seed, double threshold) {
        ModelArchitecture arch = new ModelArchitecture(16, 3, 4, List.of(8, 4), List.of(4, 8));
        Random r = new Random(seed);
        float[][] params = new float[arch.parameterSpecs().size()][];
        for (int i = 0; i < params.length; i++) {
            params[i] = new float[arch.parameterSpecs().get(i).size()];
            for (int j = 0; j < params[i].length; j++) {
                params[i][j] = (float) (r.nextGaussian() * 0.4);
            }
        }
        Normalization norm = new Normalization(new float[] {0.05f, -0.1f, 0.02f}, new float[] {1.5f, 2.0f, 0.8f});
        return TrainedModel.of(arch, norm, new Threshold(ThresholdPolicy.quantile(0.99), threshold, 100), params,
                null, 960);
    }

    /**
     * A bundle as the packager lays it out (manifest fields of BundleManifest), with the float reference
     * weights next to a placeholder "model.tflite" (the host's C backend reads "reference.f32").
     */
    static ModelBundle bundle(String modelId, TrainedModel model, int stride) {
        return bundle(modelId, model, stride, "");
    }

    /** With more manifest members after modelId, e.g. {@code "\"version\":2"} (the packager's place for them). */
    static ModelBundle bundle(String modelId, TrainedModel model, int stride, String members) {
        Map<String, byte[]> parts = new LinkedHashMap<>();
        parts.put("model.tflite", ("placeholder for " + modelId + ": the host backend runs reference.f32")
                .getBytes(StandardCharsets.UTF_8));
        parts.put(ReferenceWeights.PART_NAME, ReferenceWeights.encode(model));
        String manifest = manifest(modelId, model, stride, parts);
        if (!members.isEmpty()) {
            String id = "\"modelId\":\"" + modelId + "\",";
            manifest = manifest.replace(id, id + members + ",");
        }
        return ModelBundle.of(modelId, manifest, parts);
    }

    static String manifest(String modelId, TrainedModel model, int stride, Map<String, byte[]> parts) {
        StringBuilder sha = new StringBuilder();
        for (var e : parts.entrySet()) {
            sha.append(sha.length() == 0 ? "" : ",").append('"').append(e.getKey()).append("\":\"")
                    .append(HexFormat.of().formatHex(ModelBundle.sha256(e.getValue()))).append('"');
        }
        ModelArchitecture a = model.architecture();
        return String.format(Locale.ROOT, "{\"format\":\"%s\",\"formatVersion\":1,\"modelId\":\"%s\","
                + "\"layout\":\"window\",\"model\":\"model.tflite\",\"window\":%d,\"stride\":%d,\"channels\":%d,"
                + "\"sampleRateHz\":%s,\"mean\":%s,\"std\":%s,\"threshold\":{\"value\":%s,\"method\":\"%s\","
                + "\"parameter\":%s},\"quantization\":\"float32\",\"sha256\":{%s}}",
                FORMAT, modelId, a.windowLength(), stride, a.channels(), model.sampleRateHz(),
                floats(model.normalization().mean()), floats(model.normalization().std()), model.threshold().value(),
                model.threshold().policy().method(), model.threshold().policy().parameter(), sha);
    }

    private static String floats(float[] v) {
        StringBuilder b = new StringBuilder("[");
        for (int i = 0; i < v.length; i++) {
            b.append(i == 0 ? "" : ",").append(v[i]);
        }
        return b.append(']').toString();
    }
}
