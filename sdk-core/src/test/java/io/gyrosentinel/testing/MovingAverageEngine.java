package io.gyrosentinel.testing;

import io.gyrosentinel.ErrorCode;
import io.gyrosentinel.GyroSentinelException;
import io.gyrosentinel.model.DeviceModel;
import io.gyrosentinel.model.InferenceEngineProvider;
import io.gyrosentinel.model.ModelBundle;

import java.util.Map;
import java.util.Random;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A test-only inference engine: its "reconstruction" of a window is the moving average of each
 * channel, so the error grows with the energy the average smooths away — an imbalance (a larger
 * shaft harmonic) raises it. The bundle's manifest gives {@code window}, {@code stride},
 * {@code channels}, {@code average} and {@code threshold}. Models whose id starts with
 * {@code broken} do not load, like a model the interpreter refuses.
 */
public final class MovingAverageEngine implements InferenceEngineProvider {
    private static final Pattern NUMBER = Pattern.compile("\"(\\w+)\"\\s*:\\s*([-0-9.eE]+)");

    @Override
    public String name() {
        return "moving-average (test)";
    }

    @Override
    public DeviceModel load(ModelBundle bundle) {
        if (bundle.modelId().startsWith("broken")) {
            throw new GyroSentinelException(ErrorCode.MODEL_LOAD_FAILED, "unsupported operator in " + bundle.modelId());
        }
        Matcher m = NUMBER.matcher(bundle.manifestJson());
        Map<String, Double> v = new java.util.HashMap<>();
        while (m.find()) {
            v.put(m.group(1), Double.parseDouble(m.group(2)));
        }
        return new Model(bundle.modelId(), v.getOrDefault("window", 96.0).intValue(),
                v.getOrDefault("stride", 48.0).intValue(), v.getOrDefault("channels", 3.0).intValue(),
                v.getOrDefault("average", 8.0).intValue(), v.getOrDefault("threshold", 1.0).floatValue(),
                v.getOrDefault("spin_us", 0.0).longValue());
    }

    /** A manifest for {@link #bundle}. */
    /**
     * A threshold for {@code manifest(40, 40, 8, threshold)} on the default simulated fan (1500 rpm, 960 Hz): 1.5 x
     * the largest score of 200 normal windows, so a healthy fan stays calm and {@code Fault.Imbalance(2.0)} alarms.
     */
    public static double fanThreshold() {
        Model model = new Model("ma", 40, 40, 3, 8, 0, 0);
        float[] normal = new io.gyrosentinel.sim.SignalGenerator(io.gyrosentinel.sim.MachineModel.fan(1500), 960, 1)
                .generate(40 * 200);
        double max = 0;
        for (int w = 0; w < 200; w++) {
            float[] e = model.channelErrors(java.util.Arrays.copyOfRange(normal, w * 120, (w + 1) * 120));
            max = Math.max(max, (e[0] + e[1] + e[2]) / 3);
        }
        return 1.5 * max;
    }

    public static String manifest(int window, int stride, int average, double threshold) {
        return manifest(window, stride, average, threshold, 0);
    }

    /** A manifest for {@link #bundle}; {@code spinMicros} makes every window take at least that long. */
    public static String manifest(int window, int stride, int average, double threshold, long spinMicros) {
        return "{\"window\": " + window + ", \"stride\": " + stride + ", \"channels\": 3, \"average\": " + average
                + ", \"threshold\": " + threshold + ", \"spin_us\": " + spinMicros + "}";
    }

    /** A bundle with a {@code size}-byte random "model.tflite" part (the engine ignores it). */
    public static ModelBundle bundle(String id, String manifest, int size) {
        byte[] junk = new byte[size];
        new Random(id.hashCode()).nextBytes(junk);
        return ModelBundle.of(id, manifest, Map.of("model.tflite", junk));
    }

    /** The model itself, usable on the host to calibrate a threshold. */
    public record Model(String modelId, int windowSize, int stride, int channels, int average, float threshold,
                        long spinMicros) implements DeviceModel {

        @Override
        public float[] channelErrors(float[] window) {
            long until = System.nanoTime() + spinMicros * 1000;
            while (spinMicros > 0 && System.nanoTime() < until) {
                Thread.onSpinWait();
            }
            int n = window.length / channels;
            float[] err = new float[channels];
            for (int c = 0; c < channels; c++) {
                double sum = 0;
                double acc = 0;
                for (int i = 0; i < n; i++) {
                    sum += window[i * channels + c];
                    if (i >= average) {
                        sum -= window[(i - average) * channels + c];
                    }
                    double mean = sum / Math.min(i + 1, average);
                    double d = window[i * channels + c] - mean;
                    acc += d * d;
                }
                err[c] = (float) (acc / n);
            }
            return err;
        }

        /** Mean of the channel errors, as the device scores. */
        public double score(float[] window) {
            double s = 0;
            for (float f : channelErrors(window)) {
                s += f;
            }
            return s / channels;
        }

        @Override
        public void close() {
        }
    }
}
