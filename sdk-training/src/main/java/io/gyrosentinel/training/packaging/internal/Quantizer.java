package io.gyrosentinel.training.packaging.internal;

import io.gyrosentinel.training.packaging.internal.Graph.DType;
import io.gyrosentinel.training.packaging.internal.Graph.Op;
import io.gyrosentinel.training.packaging.internal.Graph.Tensor;

/**
 * Full-integer post-training quantisation of a {@link Graph} with the int8 scheme TFLite Micro runs:
 * activations asymmetric per-tensor int8 from calibrated min/max (always containing 0); FULLY_CONNECTED
 * weights symmetric per-tensor int8 (per-channel gives wrong results on TFLite 2.6.2); biases int32 with
 * scale {@code s_input * s_weights}; LOGISTIC output 1/256, -128 and TANH output 1/128, 0. Tensors that
 * SPLIT and CONCATENATION copy byte-for-byte share one set of parameters (their ranges are merged).
 */
public final class Quantizer {
    private Quantizer() {
    }

    /** Quantises {@code g} in place from the ranges recorded by {@code calibrated}. */
    public static void quantize(Graph g, GraphEvaluator calibrated) {
        int n = g.tensors.size();
        int[] parent = new int[n];
        for (int i = 0; i < n; i++) {
            parent[i] = i;
        }
        for (Op op : g.ops) {
            if (op.type == Graph.OpType.SPLIT) {
                for (int o : op.outputs) {
                    union(parent, op.inputs[1], o);
                }
            } else if (op.type == Graph.OpType.CONCATENATION) {
                for (int i : op.inputs) {
                    union(parent, i, op.outputs[0]);
                }
            }
        }
        float[] lo = new float[n];
        float[] hi = new float[n];
        float[] fixedScale = new float[n];
        int[] fixedZp = new int[n];
        java.util.Arrays.fill(fixedScale, Float.NaN);
        for (Tensor t : g.tensors) {
            if (t.isConst()) {
                continue;
            }
            int r = find(parent, t.id);
            if (Float.isInfinite(calibrated.min[t.id])) {
                throw new IllegalStateException("tensor " + t + " was never computed during calibration");
            }
            lo[r] = Math.min(lo[r], calibrated.min[t.id]);
            hi[r] = Math.max(hi[r], calibrated.max[t.id]);
            if (!Float.isNaN(t.fixedScale)) {
                if (!Float.isNaN(fixedScale[r]) && (fixedScale[r] != t.fixedScale || fixedZp[r] != t.fixedZeroPoint)) {
                    throw new IllegalStateException("conflicting fixed quantisation in the group of " + t);
                }
                fixedScale[r] = t.fixedScale;
                fixedZp[r] = t.fixedZeroPoint;
            }
        }
        for (Tensor t : g.tensors) {
            if (t.isConst()) {
                continue;
            }
            int r = find(parent, t.id);
            t.dtype = DType.INT8;
            if (!Float.isNaN(fixedScale[r])) {
                t.scale = fixedScale[r];
                t.zeroPoint = fixedZp[r];
            } else {
                float a = Math.min(lo[r], 0f);
                float b = Math.max(hi[r], 0f);
                if (b - a < 1e-6f) {
                    b = a + 1e-6f;
                }
                t.scale = (b - a) / 255f;
                t.zeroPoint = clamp(Math.round(-128 - a / t.scale), -128, 127);
            }
        }
        for (Op op : g.ops) {
            if (op.type != Graph.OpType.FULLY_CONNECTED) {
                continue;
            }
            Tensor w = g.tensor(op.inputs[1]);
            float maxAbs = 0;
            for (float v : w.constData) {
                maxAbs = Math.max(maxAbs, Math.abs(v));
            }
            w.dtype = DType.INT8;
            w.scale = maxAbs > 0 ? maxAbs / 127f : 1e-8f;
            w.zeroPoint = 0;
            if (op.inputs[2] >= 0) {
                Tensor b = g.tensor(op.inputs[2]);
                b.dtype = DType.INT32;
                b.scale = g.tensor(op.inputs[0]).scale * w.scale;
                b.zeroPoint = 0;
            }
        }
    }

    /** int8 value of a float in tensor {@code t}'s parameters. */
    public static byte quantize(float v, float scale, int zeroPoint) {
        return (byte) clamp(Math.round(v / scale) + zeroPoint, -128, 127);
    }

    static int clamp(int v, int lo, int hi) {
        return Math.max(lo, Math.min(hi, v));
    }

    private static int find(int[] p, int i) {
        while (p[i] != i) {
            p[i] = p[p[i]];
            i = p[i];
        }
        return i;
    }

    private static void union(int[] p, int a, int b) {
        p[find(p, a)] = find(p, b);
    }
}
