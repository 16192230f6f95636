package io.gyrosentinel.training.packaging.internal;

import io.gyrosentinel.training.packaging.internal.Graph.DType;
import io.gyrosentinel.training.packaging.internal.Graph.Op;
import io.gyrosentinel.training.packaging.internal.Graph.Tensor;

/**
 * Full-integer post-training quantisation of a {@link Graph} in TFLite's "16x8" scheme, which TFLite Micro
 * runs (FULLY_CONNECTED int16 input with int8 filter and int64 bias, ADD/MUL/LOGISTIC/TANH/SPLIT/CONCATENATION
 * int16): activations symmetric per-tensor int16 (zero point 0, scale {@code max|x| / 32767} from the
 * calibrated range); FULLY_CONNECTED weights symmetric per-tensor int8 (per-channel gives wrong results on
 * TFLite 2.6.2); biases int64 with scale {@code s_input * s_weights}; LOGISTIC and TANH outputs 1/32768, 0.
 * Tensors that SPLIT and CONCATENATION copy byte-for-byte share one set of parameters (ranges
 * merged), and so do the inputs of FULLY_CONNECTED ops that share a bias tensor.
 *
 * <p>Why not int8 activations: on trained models the int8 rounding of every LSTM tensor (FC outputs, gate
 * pre-activations, cell state, products) adds up over 40 recurrent steps and four layers; no single tensor
 * dominates, and int8 reached only Spearman ~0.94 against float (normal windows alone ~0.82), whatever the
 * calibration. With int16 activations the remaining error is the int8 weights' (Spearman ~0.997).
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
        java.util.Map<Integer, Integer> biasInput = new java.util.HashMap<>();
        for (Op op : g.ops) {
            if (op.type == Graph.OpType.SPLIT) {
                for (int o : op.outputs) {
                    union(parent, op.inputs[1], o);
                }
            } else if (op.type == Graph.OpType.CONCATENATION) {
                for (int i : op.inputs) {
                    union(parent, i, op.outputs[0]);
                }
            } else if (op.type == Graph.OpType.FULLY_CONNECTED && op.inputs[2] >= 0) {
                // FCs sharing one int64 bias (scale s_input * s_weights) must see one input scale.
                Integer first = biasInput.putIfAbsent(op.inputs[2], op.inputs[0]);
                if (first != null) {
                    union(parent, first, op.inputs[0]);
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
            t.dtype = DType.INT16;
            if (!Float.isNaN(fixedScale[r])) {
                t.scale = fixedScale[r];
                t.zeroPoint = fixedZp[r];
            } else {
                float m = Math.max(Math.max(-lo[r], hi[r]), 1e-6f);
                t.scale = m / 32767f;
                t.zeroPoint = 0;
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
            // Weights shared by several FCs (the decoder's recurrent kernel) get the same scale every time.
            w.dtype = DType.INT8;
            w.scale = maxAbs > 0 ? maxAbs / 127f : 1e-8f;
            w.zeroPoint = 0;
            if (op.inputs[2] >= 0) {
                Tensor b = g.tensor(op.inputs[2]);
                float bs = g.tensor(op.inputs[0]).scale * w.scale;
                if (b.dtype == DType.INT64 && b.scale != bs) {
                    throw new IllegalStateException("bias " + b + " is shared by FULLY_CONNECTED ops with different"
                            + " input x weight scales (" + b.scale + " vs " + bs + " at " + g.tensor(op.inputs[0])
                            + "); give each its own bias tensor");
                }
                b.dtype = DType.INT64;
                b.scale = bs;
                b.zeroPoint = 0;
            }
        }
    }

    /** int8 value of a float in tensor {@code t}'s parameters. */
    public static byte quantize(float v, float scale, int zeroPoint) {
        return (byte) clamp(Math.round(v / scale) + zeroPoint, -128, 127);
    }

    /** int16 value of a float in tensor {@code t}'s parameters. */
    public static short quantize16(float v, float scale, int zeroPoint) {
        return (short) clamp(Math.round(v / scale) + zeroPoint, -32768, 32767);
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
