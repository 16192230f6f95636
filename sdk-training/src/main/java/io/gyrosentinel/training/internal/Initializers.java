package io.gyrosentinel.training.internal;

import io.gyrosentinel.training.ModelArchitecture;
import io.gyrosentinel.training.ModelArchitecture.ParameterSpec;
import java.util.List;
import java.util.Random;

/** Keras-like initial weights, computed in Java from one seed so that they are identical on every machine. */
public final class Initializers {
    private Initializers() {}

    /**
     * Glorot-uniform kernels, orthogonal recurrent kernels, zero biases except the forget gate (1.0, as Keras
     * {@code unit_forget_bias}); a dense autoencoder: Glorot-uniform kernels, zero biases.
     */
    public static float[][] initialParameters(ModelArchitecture arch, long seed) {
        Random rnd = new Random(seed);
        List<ParameterSpec> specs = arch.parameterSpecs();
        float[][] out = new float[specs.size()][];
        List<Integer> units = arch.lstmLayerUnits();
        for (int i = 0; i < specs.size(); i++) {
            ParameterSpec spec = specs.get(i);
            int[] shape = spec.shape();
            float[] w = new float[spec.size()];
            if (spec.name().endsWith(".kernel")) {
                if (shape.length == 3) { // a convolution [k, in, out]: Keras' fans are k*in and k*out
                    glorotUniform(w, shape[0] * shape[1], shape[0] * shape[2], rnd);
                } else {
                    glorotUniform(w, shape[0], shape[1], rnd);
                }
            } else if (spec.name().endsWith(".recurrent")) {
                orthogonal(w, shape[0], shape[1], rnd);
            } else if (spec.name().endsWith(".bias") && !spec.name().startsWith("out.")
                    && arch.cell() == ModelArchitecture.Cell.LSTM) {
                int u = units.get(i / 3);
                for (int j = u; j < 2 * u; j++) {
                    w[j] = 1f;
                }
            }
            out[i] = w;
        }
        return out;
    }

    static void glorotUniform(float[] w, int fanIn, int fanOut, Random rnd) {
        double limit = Math.sqrt(6.0 / (fanIn + fanOut));
        for (int i = 0; i < w.length; i++) {
            w[i] = (float) ((rnd.nextDouble() * 2 - 1) * limit);
        }
    }

    /** Row-orthonormal {@code rows x cols} matrix (rows <= cols), like Keras {@code Orthogonal} for (U, 4U). */
    static void orthogonal(float[] w, int rows, int cols, Random rnd) {
        int big = Math.max(rows, cols);
        int small = Math.min(rows, cols);
        // a: big x small Gaussian; Gram-Schmidt on its columns = QR with positive diag(R) (Keras' sign fix).
        double[][] q = new double[small][big];
        for (int i = 0; i < big; i++) {
            for (int j = 0; j < small; j++) {
                q[j][i] = rnd.nextGaussian();
            }
        }
        for (int j = 0; j < small; j++) {
            for (int k = 0; k < j; k++) {
                double dot = 0;
                for (int i = 0; i < big; i++) {
                    dot += q[j][i] * q[k][i];
                }
                for (int i = 0; i < big; i++) {
                    q[j][i] -= dot * q[k][i];
                }
            }
            double norm = 0;
            for (int i = 0; i < big; i++) {
                norm += q[j][i] * q[j][i];
            }
            norm = Math.sqrt(norm);
            for (int i = 0; i < big; i++) {
                q[j][i] /= norm;
            }
        }
        // q[j] are orthonormal vectors of length big. rows <= cols: row r of w is q[r]; otherwise column c is q[c].
        for (int r = 0; r < rows; r++) {
            for (int c = 0; c < cols; c++) {
                w[r * cols + c] = (float) (rows <= cols ? q[r][c] : q[c][r]);
            }
        }
    }
}
