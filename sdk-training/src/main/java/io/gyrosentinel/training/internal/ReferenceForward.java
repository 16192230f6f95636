package io.gyrosentinel.training.internal;

import io.gyrosentinel.training.ModelArchitecture;
import java.util.List;

/**
 * Pure-Java float forward pass of the autoencoder: the reference that the TensorFlow training graph, the
 * TFLite packager and the VirtualDevice must agree with. Thread-safe (no shared scratch).
 */
public final class ReferenceForward {
    private final ModelArchitecture arch;
    private final float[][] params;
    private final int layers;
    private final int[] units;
    private final int[] inputs;

    /** @param params parameters in {@link ModelArchitecture#parameterSpecs()} order (not copied). */
    public ReferenceForward(ModelArchitecture arch, float[][] params) {
        this.arch = arch;
        this.params = params;
        List<Integer> u = arch.lstmLayerUnits();
        List<Integer> in = arch.lstmLayerInputs();
        this.layers = u.size();
        this.units = u.stream().mapToInt(Integer::intValue).toArray();
        this.inputs = in.stream().mapToInt(Integer::intValue).toArray();
        if (params.length != arch.parameterSpecs().size()) {
            throw new IllegalArgumentException("expected " + arch.parameterSpecs().size() + " parameter tensors, got "
                    + params.length);
        }
    }

    /**
     * Reconstructs one normalised window.
     *
     * @param x   {@code T*F} floats, sample-major ({@code x[t*F + f]}), already normalised
     * @return    the reconstruction, same layout
     */
    public float[] reconstruct(float[] x) {
        if (arch.cell() == ModelArchitecture.Cell.DENSE) {
            return dense(x);
        }
        if (arch.cell() == ModelArchitecture.Cell.CONV) {
            return conv(x);
        }
        // Frames: S = T/K steps of K*F values, the same row-major floats as [T][F].
        int t = arch.steps();
        int f = arch.stepWidth();
        if (x.length != t * f) {
            throw new IllegalArgumentException("window has " + x.length + " floats, expected T*F=" + (t * f));
        }
        int encoders = arch.encoderUnits().size();
        float[] seq = x;
        int width = f;
        // Encoder: all but the last layer return sequences; the last returns its final h (the latent).
        for (int l = 0; l < encoders; l++) {
            seq = lstm(l, seq, t, width);
            width = units[l];
        }
        float[] latent = new float[width];
        System.arraycopy(seq, (t - 1) * width, latent, 0, width);
        // RepeatVector without TILE: the decoder sees the same latent vector at every step.
        float[] repeated = new float[t * width];
        for (int s = 0; s < t; s++) {
            System.arraycopy(latent, 0, repeated, s * width, width);
        }
        seq = repeated;
        for (int l = encoders; l < layers; l++) {
            seq = lstm(l, seq, t, width);
            width = units[l];
        }
        float[] kernel = params[3 * layers];
        float[] bias = params[3 * layers + 1];
        float[] y = new float[t * f];
        for (int s = 0; s < t; s++) {
            for (int o = 0; o < f; o++) {
                float acc = bias[o];
                for (int k = 0; k < width; k++) {
                    acc += seq[s * width + k] * kernel[k * f + o];
                }
                y[s * f + o] = acc;
            }
        }
        return y;
    }

    /** The dense autoencoder: tanh layers over the whole window, then a linear output layer. */
    private float[] dense(float[] x) {
        int n = arch.windowLength() * arch.channels();
        if (x.length != n) {
            throw new IllegalArgumentException("window has " + x.length + " floats, expected T*F=" + n);
        }
        float[] h = x;
        for (int l = 0; l <= layers; l++) {
            float[] kernel = params[2 * l];
            float[] bias = params[2 * l + 1];
            int in = h.length;
            int out = bias.length;
            float[] y = new float[out];
            for (int o = 0; o < out; o++) {
                float acc = bias[o];
                for (int k = 0; k < in; k++) {
                    acc += h[k] * kernel[k * out + o];
                }
                y[o] = l < layers ? (float) Math.tanh(acc) : acc;
            }
            h = y;
        }
        return h;
    }

    /** The convolutional autoencoder: stride-2 convolutions down, (upsample x2, convolution) up, linear output. */
    private float[] conv(float[] x) {
        int t = arch.windowLength();
        int c = arch.channels();
        if (x.length != t * c) {
            throw new IllegalArgumentException("window has " + x.length + " floats, expected T*F=" + (t * c));
        }
        int encoders = arch.encoderUnits().size();
        float[] h = x;
        int len = t;
        int ch = c;
        for (int l = 0; l <= layers; l++) {
            boolean down = l < encoders;
            if (l >= encoders && l < layers) {
                h = upsample(h, len, ch);
                len *= 2;
            }
            float[] kernel = params[2 * l];
            float[] bias = params[2 * l + 1];
            int u = bias.length;
            h = conv1d(h, len, ch, kernel, bias, u, down ? 2 : 1, l < layers);
            len = down ? (len + 1) / 2 : len;
            ch = u;
        }
        return h;
    }

    /** Nearest-neighbour upsampling x2 of {@code [len][ch]}: every sample twice. */
    static float[] upsample(float[] x, int len, int ch) {
        float[] y = new float[2 * len * ch];
        for (int i = 0; i < len; i++) {
            System.arraycopy(x, i * ch, y, 2 * i * ch, ch);
            System.arraycopy(x, i * ch, y, (2 * i + 1) * ch, ch);
        }
        return y;
    }

    /**
     * A 1-D convolution of {@code [len][in]} with {@code kernel [k][in][out]}, TensorFlow's "same" padding (output
     * length ceil(len / stride); {@code pad_left = max((out - 1) * stride + k - len, 0) / 2}), tanh when asked.
     */
    static float[] conv1d(float[] x, int len, int in, float[] kernel, float[] bias, int out, int stride,
            boolean tanh) {
        int k = kernel.length / (in * out);
        int outLen = (len + stride - 1) / stride;
        int padLeft = Math.max((outLen - 1) * stride + k - len, 0) / 2;
        float[] y = new float[outLen * out];
        for (int o = 0; o < outLen; o++) {
            for (int u = 0; u < out; u++) {
                float acc = bias[u];
                for (int j = 0; j < k; j++) {
                    int p = o * stride + j - padLeft;
                    if (p < 0 || p >= len) {
                        continue;
                    }
                    for (int ci = 0; ci < in; ci++) {
                        acc += x[p * in + ci] * kernel[(j * in + ci) * out + u];
                    }
                }
                y[o * out + u] = tanh ? (float) Math.tanh(acc) : acc;
            }
        }
        return y;
    }

    /** Mean squared reconstruction error of one normalised window (the anomaly score). */
    public double score(float[] x) {
        float[] y = reconstruct(x);
        double sum = 0;
        for (int i = 0; i < y.length; i++) {
            double d = y[i] - x[i];
            sum += d * d;
        }
        return sum / y.length;
    }

    private float[] lstm(int layer, float[] seq, int steps, int in) {
        int u = units[layer];
        if (in != inputs[layer]) {
            throw new IllegalStateException("layer " + layer + " input width " + in + " != " + inputs[layer]);
        }
        float[] kernel = params[3 * layer];
        float[] recurrent = params[3 * layer + 1];
        float[] bias = params[3 * layer + 2];
        int g4 = 4 * u;
        float[] h = new float[u];
        float[] c = new float[u];
        float[] z = new float[g4];
        float[] out = new float[steps * u];
        for (int s = 0; s < steps; s++) {
            System.arraycopy(bias, 0, z, 0, g4);
            int xo = s * in;
            for (int k = 0; k < in; k++) {
                float xv = seq[xo + k];
                int row = k * g4;
                for (int j = 0; j < g4; j++) {
                    z[j] += xv * kernel[row + j];
                }
            }
            for (int k = 0; k < u; k++) {
                float hv = h[k];
                int row = k * g4;
                for (int j = 0; j < g4; j++) {
                    z[j] += hv * recurrent[row + j];
                }
            }
            for (int j = 0; j < u; j++) {
                float i = sigmoid(z[j]);
                float fg = sigmoid(z[u + j]);
                float g = (float) Math.tanh(z[2 * u + j]);
                float o = sigmoid(z[3 * u + j]);
                c[j] = fg * c[j] + i * g;
                h[j] = o * (float) Math.tanh(c[j]);
            }
            System.arraycopy(h, 0, out, s * u, u);
        }
        return out;
    }

    private static float sigmoid(float v) {
        return (float) (1.0 / (1.0 + Math.exp(-v)));
    }
}
