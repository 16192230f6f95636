package io.gyrosentinel.training.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.gyrosentinel.training.ModelArchitecture;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class TfGraphAgreesWithReferenceTest {

    private static float[][] scaled(float[][] p, float s) {
        float[][] out = new float[p.length][];
        for (int i = 0; i < p.length; i++) {
            out[i] = p[i].clone();
            for (int j = 0; j < out[i].length; j++) {
                out[i][j] *= s;
            }
        }
        return out;
    }

    /** One sample per step, and frames of 4 samples (3 steps of 12 values). */
    @ParameterizedTest(name = "samplesPerStep {0}")
    @ValueSource(ints = {1, 4})
    void pureJavaForwardMatchesTensorFlowToOneEMinus5(int samplesPerStep) {
        ModelArchitecture arch = new ModelArchitecture(12, 3, samplesPerStep, List.of(16, 8), List.of(8, 16));
        // Scaled weights push the cell state beyond +-3, which would reveal any cell clipping.
        float[][] params = scaled(Initializers.initialParameters(arch, 7), 2.5f);
        Random rnd = new Random(1);
        int n = 5;
        float[] x = new float[n * 12 * 3];
        for (int i = 0; i < x.length; i++) {
            x[i] = (float) (rnd.nextGaussian() * 1.5);
        }
        ReferenceForward ref = new ReferenceForward(arch, params);
        try (TfAutoencoderGraph g = new TfAutoencoderGraph(arch, 1)) {
            float[] y = g.reconstruct(x, n, params);
            double maxDiff = 0;
            double mse = 0;
            for (int w = 0; w < n; w++) {
                float[] xw = java.util.Arrays.copyOfRange(x, w * 36, (w + 1) * 36);
                float[] yr = ref.reconstruct(xw);
                for (int k = 0; k < 36; k++) {
                    maxDiff = Math.max(maxDiff, Math.abs(yr[k] - y[w * 36 + k]));
                }
                mse += ref.score(xw) / n;
            }
            assertTrue(maxDiff <= 1e-5, "max |java - tf| = " + maxDiff);
            assertEquals(mse, g.loss(x, n, params), 1e-5);
        }
    }

    @Test
    void fusedLstmGradientMatchesFiniteDifferences() {
        ModelArchitecture arch = new ModelArchitecture(6, 2, List.of(4, 3), List.of(3, 4));
        float[][] params = Initializers.initialParameters(arch, 3);
        Random rnd = new Random(2);
        int n = 3;
        float[] x = new float[n * 6 * 2];
        for (int i = 0; i < x.length; i++) {
            x[i] = (float) rnd.nextGaussian();
        }
        float[][] grads = new float[params.length][];
        for (int i = 0; i < params.length; i++) {
            grads[i] = new float[params[i].length];
        }
        try (TfAutoencoderGraph g = new TfAutoencoderGraph(arch, 1)) {
            g.lossAndGradients(x, n, params, grads);
            ReferenceForward ref = new ReferenceForward(arch, params);
            for (int p = 0; p < params.length; p++) {
                for (int j = 0; j < params[p].length; j += Math.max(1, params[p].length / 3)) {
                    float keep = params[p][j];
                    double h = 1e-2;
                    params[p][j] = (float) (keep + h);
                    double up = meanScore(ref, x, n, 12);
                    params[p][j] = (float) (keep - h);
                    double down = meanScore(ref, x, n, 12);
                    params[p][j] = keep;
                    double numeric = (up - down) / (2 * h);
                    assertEquals(numeric, grads[p][j], 2e-3 + 2e-2 * Math.abs(numeric),
                            arch.parameterSpecs().get(p).name() + "[" + j + "]");
                }
            }
        }
    }

    private static double meanScore(ReferenceForward ref, float[] x, int n, int len) {
        double s = 0;
        for (int w = 0; w < n; w++) {
            s += ref.score(java.util.Arrays.copyOfRange(x, w * len, (w + 1) * len));
        }
        return s / n;
    }
}
