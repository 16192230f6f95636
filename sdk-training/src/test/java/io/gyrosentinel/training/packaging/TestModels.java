package io.gyrosentinel.training.packaging;

import io.gyrosentinel.training.ModelArchitecture;
import io.gyrosentinel.training.Normalization;
import io.gyrosentinel.training.Threshold;
import io.gyrosentinel.training.ThresholdPolicy;
import io.gyrosentinel.training.TrainedModel;
import io.gyrosentinel.training.ModelArchitecture.ParameterSpec;
import java.util.List;
import java.util.Random;

/** Small models and windows for packaging tests (no TensorFlow needed). */
final class TestModels {
    private TestModels() {
    }

    static ModelArchitecture arch(int t, int f, List<Integer> enc, List<Integer> dec) {
        return new ModelArchitecture(t, f, enc, dec);
    }

    static ModelArchitecture arch(int t, int f, int samplesPerStep, List<Integer> enc, List<Integer> dec) {
        return new ModelArchitecture(t, f, samplesPerStep, enc, dec);
    }

    /** The trainer's default: window 40, 3 channels, frames of 8 samples (5 steps), 16,8 → 8,16. */
    static ModelArchitecture defaultArch() {
        int t = io.gyrosentinel.training.AutoencoderTrainer.DEFAULT_WINDOW_LENGTH;
        return arch(t, 3, io.gyrosentinel.training.AutoencoderTrainer.defaultSamplesPerStep(t), List.of(16, 8),
                List.of(8, 16));
    }

    /** Random weights (scaled like Glorot), forget bias 1, physical units with offset and scale per channel. */
    static TrainedModel random(ModelArchitecture arch, long seed) {
        Random r = new Random(seed);
        List<ParameterSpec> specs = arch.parameterSpecs();
        float[][] p = new float[specs.size()][];
        for (int i = 0; i < specs.size(); i++) {
            ParameterSpec s = specs.get(i);
            p[i] = new float[s.size()];
            int[] sh = s.shape();
            double sd = sh.length == 2 ? Math.sqrt(2.0 / (sh[0] + sh[1])) * 1.5 : 0.1;
            for (int j = 0; j < p[i].length; j++) {
                p[i][j] = (float) (r.nextGaussian() * sd);
            }
            if (s.name().endsWith(".bias") && !s.name().startsWith("out")) {
                int u = p[i].length / 4;
                for (int j = u; j < 2 * u; j++) {
                    p[i][j] += 1f;
                }
            }
        }
        int f = arch.channels();
        float[] mean = new float[f];
        float[] std = new float[f];
        for (int c = 0; c < f; c++) {
            mean[c] = 0.1f * (c + 1);
            std[c] = 2f + c;
        }
        return TrainedModel.of(arch, new Normalization(mean, std), new Threshold(ThresholdPolicy.quantile(0.99), 1.0, 100),
                p, null, 3840);
    }

    /**
     * Raw windows of a rotating-machine-like signal in physical units: per-channel sinusoids (+ harmonic) and
     * noise; anomalous ones have a strong imbalance (x2.5 fundamental) and bearing-like impulses.
     */
    static float[][] windows(TrainedModel m, int n, boolean anomalous, long seed) {
        Random r = new Random(seed);
        int t = m.architecture().windowLength();
        int f = m.architecture().channels();
        float[] mean = m.normalization().mean();
        float[] std = m.normalization().std();
        float[][] w = new float[n][t * f];
        for (int k = 0; k < n; k++) {
            double phase = r.nextDouble() * 2 * Math.PI;
            double period = 12 + r.nextDouble() * 2;
            double gain = 0.6 + 0.8 * r.nextDouble();  // load changes the vibration amplitude from window to window
            for (int s = 0; s < t; s++) {
                for (int c = 0; c < f; c++) {
                    double a = gain * (0.8 + 0.1 * c);
                    double v = a * Math.sin(2 * Math.PI * s / period + phase + c)
                            + 0.3 * Math.sin(4 * Math.PI * s / period + phase) + 0.1 * r.nextGaussian();
                    if (anomalous) {
                        v = 2.5 * v + ((s % 9 == 0) ? 2.0 * r.nextGaussian() : 0);
                    }
                    w[k][s * f + c] = (float) (mean[c] + std[c] * v);
                }
            }
        }
        return w;
    }
}
