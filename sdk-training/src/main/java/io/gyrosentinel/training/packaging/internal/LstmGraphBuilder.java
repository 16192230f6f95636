package io.gyrosentinel.training.packaging.internal;

import io.gyrosentinel.training.ModelArchitecture;
import java.util.List;

/**
 * Builds the whole-window autoencoder graph of {@code sdk-training/MODEL.md} from FULLY_CONNECTED, SPLIT,
 * LOGISTIC, TANH, MUL, ADD and CONCATENATION only (ops the firmware's resolver registers), so no
 * TILE/WHILE/fused-LSTM op is needed.
 * <ul>
 *   <li>Per step of a layer, FULLY_CONNECTED computes {@code [x_t, h]·[kernel | recurrent] + bias} on a
 *       CONCATENATION of {@code x_t} and {@code h} (step 0, where h = 0, uses {@code kernel} alone). A batched
 *       input projection would cost the same MACs plus a second FC output requantisation and an int16 ADD per
 *       gate element and step.</li>
 *   <li>Gate columns are reordered from i, f, g, o to i, f, o | g and every FC is issued as a pair (3U rows
 *       for the sigmoid gates, U rows for g): one LOGISTIC over i, f, o, one TANH over g and one 3-way SPLIT
 *       replace a 4-way SPLIT and four activations, without SPLIT_V (not registered by the firmware); the g
 *       rows get their own quantisation scales.</li>
 *   <li>The input is split into its T steps once; hidden states feed the next layer directly and are
 *       concatenated only for the output layer.</li>
 *   <li>Step 0 skips the recurrent product and the forget-gate product (h = c = 0). The decoder's first layer
 *       projects the latent once and adds {@code h·recurrent} per step (the RepeatVector without TILE).</li>
 * </ul>
 */
public final class LstmGraphBuilder {
    private LstmGraphBuilder() {
    }

    /** @param params parameters in {@link ModelArchitecture#parameterSpecs()} order */
    public static Graph build(ModelArchitecture arch, float[][] params) {
        if (arch.cell() == ModelArchitecture.Cell.DENSE) {
            return dense(arch, params);
        }
        if (arch.cell() == ModelArchitecture.Cell.CONV) {
            return conv(arch, params);
        }
        // Frames: the input tensor is [T/K][K*F] (byte-identical to [T][F]), one LSTM step per row.
        int t = arch.steps();
        int f = arch.stepWidth();
        List<Integer> units = arch.lstmLayerUnits();
        List<Integer> inputs = arch.lstmLayerInputs();
        List<String> names = arch.lstmLayerNames();
        int encoders = arch.encoderUnits().size();
        Graph g = new Graph();
        g.input = g.activation("input", t, f);
        int[] xs = g.split(names.get(0) + ".x_t", g.input, 0, t);
        int[] hs = null;
        int latent = -1;
        for (int l = 0; l < units.size(); l++) {
            int u = units.get(l);
            int in = inputs.get(l);
            String n = names.get(l);
            float[] kT = transpose(ifog(params[3 * l], in, u), in, 4 * u);
            float[] rT = transpose(ifog(params[3 * l + 1], u, u), u, 4 * u);
            float[] b = ifog(params[3 * l + 2], 1, u);
            // Every weight, bias and FC comes in two parts: the sigmoid gates i, f, o (3U rows) and g (U rows).
            int[] kernel = parts(g, n + ".kernel", kT, in, u);
            int[] bias = parts(g, n + ".bias", b, 0, u);
            if (l == encoders) {
                // Decoder input is the latent at every step: project it once, add h·recurrent per step.
                int[] recurrent = parts(g, n + ".recurrent", rT, u, u);
                int[] p = {g.fullyConnected(n + ".latent_proj_ifo", latent, kernel[0], bias[0]),
                        g.fullyConnected(n + ".latent_proj_g", latent, kernel[1], bias[1])};
                hs = lstmSteps(g, n, u, t, (s, h) -> s == 0 ? p : new int[] {
                        g.add(n + ".t" + s + ".z_ifo", p[0], g.fullyConnected(n + ".t" + s + ".hr_ifo", h, recurrent[0], -1)),
                        g.add(n + ".t" + s + ".z_g", p[1], g.fullyConnected(n + ".t" + s + ".hr_g", h, recurrent[1], -1))});
            } else {
                // One FC pair per step over [x_t, h] with [kernel | recurrent]: no separate projection to
                // requantise and no ADD (the int16 ADD and the per-output requantisation cost more than the copy).
                // Step 0 (h = 0) uses the kernel alone, with its own bias tensors: an int64 bias is quantised with
                // s_input * s_weights of its FC.
                int[] both = parts(g, n + ".kernel_recurrent", hstack(kT, rT, 4 * u, in, u), in + u, u);
                int[] bias0 = parts(g, n + ".bias0", b, 0, u);
                int[] x = xs;
                hs = lstmSteps(g, n, u, t, (s, h) -> {
                    if (s == 0) {
                        return new int[] {g.fullyConnected(n + ".t0.z_ifo", x[0], kernel[0], bias0[0]),
                                g.fullyConnected(n + ".t0.z_g", x[0], kernel[1], bias0[1])};
                    }
                    int xh = g.concat(n + ".t" + s + ".xh", new int[] {x[s], h}, 1);
                    return new int[] {g.fullyConnected(n + ".t" + s + ".z_ifo", xh, both[0], bias[0]),
                            g.fullyConnected(n + ".t" + s + ".z_g", xh, both[1], bias[1])};
                });
            }
            if (l == encoders - 1) {
                latent = hs[t - 1];
            } else {
                xs = hs;
            }
        }
        int seq = g.concat(names.get(names.size() - 1) + ".h_seq", hs, 0);
        int last = units.get(units.size() - 1);
        int outK = g.constant("out.kernel", transpose(params[3 * units.size()], last, f), f, last);
        int outB = g.constant("out.bias", params[3 * units.size() + 1], f);
        g.output = g.fullyConnected("output", seq, outK, outB);
        return g;
    }

    /**
     * The dense autoencoder ({@code dense-ae}): the input tensor is [1][T*F] (byte-identical to [T][F]), one
     * FULLY_CONNECTED + TANH per hidden layer, a FULLY_CONNECTED output layer. Every op quantises (int8 with
     * ESP-NN's FULLY_CONNECTED, int16x8).
     */
    private static Graph dense(ModelArchitecture arch, float[][] params) {
        int n = arch.windowLength() * arch.channels();
        List<Integer> units = arch.lstmLayerUnits();
        List<Integer> inputs = arch.lstmLayerInputs();
        List<String> names = arch.lstmLayerNames();
        Graph g = new Graph();
        g.input = g.activation("input", 1, n);
        int h = g.input;
        for (int l = 0; l < units.size(); l++) {
            int u = units.get(l);
            int in = inputs.get(l);
            String name = names.get(l);
            int k = g.constant(name + ".kernel", transpose(params[2 * l], in, u), u, in);
            int b = g.constant(name + ".bias", params[2 * l + 1], u);
            h = g.tanh(name + ".h", g.fullyConnected(name + ".z", h, k, b));
        }
        int last = units.get(units.size() - 1);
        int outK = g.constant("out.kernel", transpose(params[2 * units.size()], last, n), n, last);
        int outB = g.constant("out.bias", params[2 * units.size() + 1], n);
        g.output = g.fullyConnected("output", h, outK, outB);
        return g;
    }

    /**
     * The convolutional autoencoder ({@code conv-ae}): the input tensor is [1][1][T][F] (the same bytes as [T][F]);
     * CONV_2D (stride 2) + TANH per encoder layer; per decoder layer the samples are repeated (RESHAPE to
     * [1][L][1][C], CONCATENATION of it with itself on axis 2, RESHAPE to [1][1][2L][C]: nearest-neighbour
     * upsampling from stock ops) before CONV_2D (stride 1) + TANH; an output CONV_2D returns [1][1][T][F]. Filters
     * are TFLite's OHWI {@code [U][1][k][C]}.
     */
    private static Graph conv(ModelArchitecture arch, float[][] params) {
        int t = arch.windowLength();
        int f = arch.channels();
        int k = ModelArchitecture.CONV_KERNEL;
        int encoders = arch.encoderUnits().size();
        List<Integer> units = arch.lstmLayerUnits();
        List<String> names = arch.lstmLayerNames();
        int layers = units.size();
        Graph g = new Graph();
        g.input = g.activation("input", 1, 1, t, f);
        int h = g.input;
        int len = t;
        int in = f;
        for (int l = 0; l <= layers; l++) {
            boolean down = l < encoders;
            String name = l < layers ? names.get(l) : "out";
            if (l >= encoders && l < layers) {
                int col = g.reshape(name + ".col", h, 1, len, 1, in);
                int twice = g.concat(name + ".repeat", new int[] {col, col}, 2);
                h = g.reshape(name + ".up", twice, 1, 1, 2 * len, in);
                len *= 2;
            }
            int u = l < layers ? units.get(l) : f;
            float[] ohwi = new float[u * k * in];
            float[] kernel = params[2 * l]; // [k][in][u]
            for (int j = 0; j < k; j++) {
                for (int c = 0; c < in; c++) {
                    for (int o = 0; o < u; o++) {
                        ohwi[(o * k + j) * in + c] = kernel[(j * in + c) * u + o];
                    }
                }
            }
            int filter = g.constant(name + ".kernel", ohwi, u, 1, k, in);
            int bias = g.constant(name + ".bias", params[2 * l + 1], u);
            int z = g.conv2d(l < layers ? name + ".z" : "output", h, filter, bias, down ? 2 : 1);
            h = l < layers ? g.tanh(name + ".h", z) : z;
            len = down ? (len + 1) / 2 : len;
            in = u;
        }
        g.output = h;
        return g;
    }

    /** Gate pre-activations {i, f, o} and {g} of step {@code s} given the previous {@code h} (unused at step 0). */
    private interface StepInput {
        int[] z(int s, int h);
    }

    private static int[] lstmSteps(Graph g, String n, int u, int steps, StepInput in) {
        int[] hs = new int[steps];
        int h = -1;
        int c = -1;
        for (int s = 0; s < steps; s++) {
            String p = n + ".t" + s + ".";
            int[] z = in.z(s, h);
            int[] ifo = g.split(p + "gate", g.logistic(p + "sig", z[0]), 1, 3);
            int ig = g.mul(p + "ig", ifo[0], g.tanh(p + "g", z[1]));
            if (s == 0) {
                c = ig;
            } else {
                c = g.add(p + "c", g.mul(p + "fc", ifo[1], c), ig);
            }
            h = g.mul(p + "h", ifo[2], g.tanh(p + "tanh_c", c));
            hs[s] = h;
        }
        return hs;
    }

    /**
     * A {@code [4U][cols]} weight (or a {@code [4U]} bias when {@code cols == 0}) in gate order i, f, o, g as two
     * constants: rows {@code 0..3U} ({@code name_ifo}) and {@code 3U..4U} ({@code name_g}).
     */
    private static int[] parts(Graph g, String name, float[] w, int cols, int u) {
        int k = Math.max(cols, 1);
        float[] ifo = java.util.Arrays.copyOfRange(w, 0, 3 * u * k);
        float[] gg = java.util.Arrays.copyOfRange(w, 3 * u * k, 4 * u * k);
        return cols == 0
                ? new int[] {g.constant(name + "_ifo", ifo, 3 * u), g.constant(name + "_g", gg, u)}
                : new int[] {g.constant(name + "_ifo", ifo, 3 * u, cols), g.constant(name + "_g", gg, u, cols)};
    }

    /** {@code [rows][a]} and {@code [rows][b]} row-major → {@code [rows][a + b]}. */
    static float[] hstack(float[] x, float[] y, int rows, int a, int b) {
        float[] r = new float[rows * (a + b)];
        for (int i = 0; i < rows; i++) {
            System.arraycopy(x, i * a, r, i * (a + b), a);
            System.arraycopy(y, i * b, r, i * (a + b) + a, b);
        }
        return r;
    }

    /**
     * Reorders the {@code 4U} gate columns of a {@code [rows][4U]} parameter from the trainer's i, f, g, o
     * (MODEL.md) to i, f, o, g, so the three sigmoid gates are contiguous.
     */
    static float[] ifog(float[] a, int rows, int u) {
        float[] r = new float[a.length];
        int[] from = {0, 1, 3, 2};
        for (int row = 0; row < rows; row++) {
            for (int blk = 0; blk < 4; blk++) {
                System.arraycopy(a, row * 4 * u + from[blk] * u, r, row * 4 * u + blk * u, u);
            }
        }
        return r;
    }

    /** {@code [rows][cols]} row-major → {@code [cols][rows]}. */
    static float[] transpose(float[] a, int rows, int cols) {
        float[] t = new float[a.length];
        for (int r = 0; r < rows; r++) {
            for (int c = 0; c < cols; c++) {
                t[c * rows + r] = a[r * cols + c];
            }
        }
        return t;
    }
}
