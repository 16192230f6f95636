package io.gyrosentinel.training.packaging.internal;

import io.gyrosentinel.model.DeviceModel;

/**
 * A bundle's model running in the TFLite runtime the way the firmware runs it: normalise the window, quantise
 * (int8 or int16), invoke, dequantise, mean squared error per channel (an autoencoder), or the model's output as the
 * channel scores (manifest {@code "output": "channel_scores"}, the statistical families). Thread-safe; {@link #close()} is idempotent.
 */
public final class TfliteDeviceModel implements DeviceModel {
    private final BundleManifest manifest;
    private final TfliteRuntime runtime;

    public TfliteDeviceModel(BundleManifest manifest, byte[] tflite) {
        this.manifest = manifest;
        this.runtime = new TfliteRuntime(tflite);
    }

    @Override
    public String modelId() {
        return manifest.modelId();
    }

    @Override
    public int windowSize() {
        return manifest.window();
    }

    @Override
    public int stride() {
        return manifest.stride();
    }

    @Override
    public int channels() {
        return manifest.channels();
    }

    @Override
    public float threshold() {
        return (float) manifest.threshold();
    }

    @Override
    public float[] channelErrors(float[] window) {
        int f = manifest.channels();
        int n = manifest.window() * f;
        if (window == null || window.length != n) {
            throw new IllegalArgumentException("window has " + (window == null ? "no" : window.length)
                    + " values, the model takes windowSize*channels = " + n);
        }
        float[] mean = manifest.mean();
        float[] std = manifest.std();
        float[] x = new float[n];
        for (int i = 0; i < n; i++) {
            x[i] = (window[i] - mean[i % f]) / std[i % f];
        }
        if (manifest.removeDc()) {
            x = io.gyrosentinel.training.internal.WindowScoring.removeDc(x, f);
        }
        float[] y = runtime.run(x);
        if (manifest.channelScores()) {
            // the statistical families: the model returns each channel's score itself
            if (y.length != f) {
                throw new IllegalStateException("model " + manifest.modelId() + " returned " + y.length
                        + " values, its manifest says " + f + " channel scores");
            }
            return y;
        }
        double[] sum = new double[f];
        for (int i = 0; i < n; i++) {
            double d = y[i] - x[i];
            sum[i % f] += d * d;
        }
        float[] e = new float[f];
        for (int c = 0; c < f; c++) {
            e[c] = (float) (sum[c] / manifest.window());
        }
        return e;
    }

    /** Host wall time of the last interpreter invoke, nanoseconds. */
    public long lastInvokeNanos() {
        return runtime.lastInvokeNanos();
    }

    @Override
    public void close() {
        runtime.close();
    }
}
