package io.gyrosentinel.training.packaging.internal;

import io.gyrosentinel.training.ModelArchitecture;
import java.util.List;

/**
 * Builds the whole-window autoencoder graph of {@code sdk-training/MODEL.md} from FULLY_CONNECTED, SPLIT,
 * LOGISTIC, TANH, MUL, ADD and CONCATENATION only, so that int8 runs on ESP-NN's fully-connected kernel and
 * no TILE/WHILE/fused-LSTM op is needed. Per layer the input projection {@code x·kernel + bias} is one
 * batched FULLY_CONNECTED over all {@code T} steps (split per step); per step only {@code h·recurrent} runs.
 * Step 0 skips the recurrent product and the forget gate (h = c = 0). The decoder's first layer projects
 * the latent once and reuses it for all steps (the RepeatVector without TILE).
 */
public final class LstmGraphBuilder {
    private LstmGraphBuilder() {
    }

    /** @param params parameters in {@link ModelArchitecture#parameterSpecs()} order */
    public static Graph build(ModelArchitecture arch, float[][] params) {
        int t = arch.windowLength();
        int f = arch.channels();
        List<Integer> units = arch.lstmLayerUnits();
        List<Integer> inputs = arch.lstmLayerInputs();
        List<String> names = arch.lstmLayerNames();
        int encoders = arch.encoderUnits().size();
        Graph g = new Graph();
        g.input = g.activation("input", t, f);
        int seq = g.input;
        int[] hs = null;
        int latent = -1;
        for (int l = 0; l < units.size(); l++) {
            int u = units.get(l);
            int in = inputs.get(l);
            String n = names.get(l);
            int kernel = g.constant(n + ".kernel", transpose(params[3 * l], in, 4 * u), 4 * u, in);
            int recurrent = g.constant(n + ".recurrent", transpose(params[3 * l + 1], u, 4 * u), 4 * u, u);
            int bias = g.constant(n + ".bias", params[3 * l + 2], 4 * u);
            int[] proj = new int[t];
            if (l == encoders) {
                int p = g.fullyConnected(n + ".latent_proj", latent, kernel, bias);
                java.util.Arrays.fill(proj, p);
            } else {
                int p = g.fullyConnected(n + ".proj", seq, kernel, bias);
                proj = g.split(n + ".proj_t", p, 0, t);
            }
            hs = lstmSteps(g, n, proj, recurrent, u, t);
            if (l == encoders - 1) {
                latent = hs[t - 1];
            } else {
                seq = g.concat(n + ".h_seq", hs, 0);
            }
        }
        int last = units.get(units.size() - 1);
        int outK = g.constant("out.kernel", transpose(params[3 * units.size()], last, f), f, last);
        int outB = g.constant("out.bias", params[3 * units.size() + 1], f);
        g.output = g.fullyConnected("output", seq, outK, outB);
        return g;
    }

    private static int[] lstmSteps(Graph g, String n, int[] proj, int recurrent, int u, int steps) {
        int[] hs = new int[steps];
        int h = -1;
        int c = -1;
        for (int s = 0; s < steps; s++) {
            String p = n + ".t" + s + ".";
            int z = s == 0 ? proj[0] : g.add(p + "z", proj[s], g.fullyConnected(p + "hr", h, recurrent, -1));
            int[] gates = g.split(p + "gate", z, 1, 4);
            int i = g.logistic(p + "i", gates[0]);
            int gg = g.tanh(p + "g", gates[2]);
            int o = g.logistic(p + "o", gates[3]);
            int ig = g.mul(p + "ig", i, gg);
            if (s == 0) {
                c = ig;
            } else {
                int fg = g.logistic(p + "f", gates[1]);
                c = g.add(p + "c", g.mul(p + "fc", fg, c), ig);
            }
            h = g.mul(p + "h", o, g.tanh(p + "tanh_c", c));
            hs[s] = h;
        }
        return hs;
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
