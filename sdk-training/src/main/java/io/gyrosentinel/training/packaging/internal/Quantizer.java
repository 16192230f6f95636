package io.gyrosentinel.training.packaging.internal;

import io.gyrosentinel.training.packaging.Precision;
import io.gyrosentinel.training.packaging.internal.Graph.DType;
import io.gyrosentinel.training.packaging.internal.Graph.Op;
import io.gyrosentinel.training.packaging.internal.Graph.Tensor;

/**
 * Full-integer post-training quantisation of a {@link Graph}, in one of TFLite's two full-integer schemes, both
 * of which TFLite Micro runs:
 * <ul>
 *   <li>{@link Precision#INT8}: int8 activations (input and output included), asymmetric per tensor over the
 *       calibrated range widened to include 0 ({@code scale = (max - min) / 255}, zero point so that {@code min}
 *       maps to -128); FULLY_CONNECTED weights symmetric per-tensor int8, biases int32 with scale
 *       {@code s_input * s_weights}; LOGISTIC output {@code 1/256, -128}, TANH output {@code 1/128, 0}. ESP-NN
 *       accelerates its FULLY_CONNECTED, ADD and MUL.</li>
 *   <li>{@link Precision#INT16X8}: int16 activations, symmetric per tensor (zero point 0, {@code scale =
 *       max|x| / 32767}); the same int8 weights; int64 biases; LOGISTIC and TANH outputs {@code 1/32768, 0}.
 *       Reference kernels only.</li>
 * </ul>
 * Per-channel weights give wrong results on TFLite 2.6.2 and are not used. Tensors that SPLIT and CONCATENATION
 * copy byte-for-byte share one set of parameters (ranges merged), and so do the inputs of FULLY_CONNECTED ops
 * that share a bias tensor.
 *
 * <p>Why two schemes: int8 rounding of every LSTM tensor (gate pre-activations, cell state, products, h) adds
 * up over the recurrent steps. With the default 5 steps (8 samples per step) int8 passes verification on trained
 * models with a small margin; with 10 steps it fails on some, with 40 (one sample per step) on all. int16
 * activations leave mostly the weights' error and pass with a wide margin at 5 steps (numbers and the command:
 * docs/benchmarks.md section 7, QuantizationBench). The packager therefore falls back from int8 to int16x8 when
 * int8 fails.
 */
public final class Quantizer {
    private Quantizer() {
    }

    /**
     * Quantises {@code g} in place from the ranges recorded by {@code calibrated}.
     *
     * @param scheme {@link Precision#INT8} or {@link Precision#INT16X8}
     */
    public static void quantize(Graph g, GraphEvaluator calibrated, Precision scheme) {
        if (scheme == Precision.FLOAT32) {
            throw new IllegalArgumentException("float32 is not a quantisation scheme");
        }
        for (Op op : g.ops) {
            if (!op.type.quantizable()) {
                throw new IllegalArgumentException(op.type + " has no integer kernel here: the graph ships float32");
            }
        }
        boolean int8 = scheme == Precision.INT8;
        int n = g.tensors.size();
        if (calibrated.min.length != n) {
            throw new IllegalArgumentException("ranges were recorded on a graph of " + calibrated.min.length
                    + " tensors, this one has " + n);
        }
        int[] parent = new int[n];
        for (int i = 0; i < n; i++) {
            parent[i] = i;
        }
        java.util.Map<Integer, Integer> biasInput = new java.util.HashMap<>();
        for (Op op : g.ops) {
            if (op.type == Graph.OpType.RESHAPE) {
                // RESHAPE copies the bytes: input and output share one set of parameters
                union(parent, op.inputs[0], op.outputs[0]);
            } else if (op.type == Graph.OpType.SPLIT) {
                for (int o : op.outputs) {
                    union(parent, op.inputs[1], o);
                }
            } else if (op.type == Graph.OpType.CONCATENATION) {
                for (int i : op.inputs) {
                    union(parent, i, op.outputs[0]);
                }
            } else if (op.type == Graph.OpType.FULLY_CONNECTED && op.inputs[2] >= 0) {
                // FCs sharing one bias (scale s_input * s_weights) must see one input scale.
                Integer first = biasInput.putIfAbsent(op.inputs[2], op.inputs[0]);
                if (first != null) {
                    union(parent, first, op.inputs[0]);
                }
            }
        }
        // Outputs of LOGISTIC and TANH have the fixed parameters TFLite's kernels require.
        float[] fixedScale = new float[n];
        int[] fixedZp = new int[n];
        java.util.Arrays.fill(fixedScale, Float.NaN);
        for (Op op : g.ops) {
            if (op.type != Graph.OpType.LOGISTIC && op.type != Graph.OpType.TANH) {
                continue;
            }
            boolean sigmoid = op.type == Graph.OpType.LOGISTIC;
            float fs = !int8 ? 1f / 32768 : sigmoid ? 1f / 256 : 1f / 128;
            int fz = int8 && sigmoid ? -128 : 0;
            int r = find(parent, op.outputs[0]);
            if (!Float.isNaN(fixedScale[r]) && (fixedScale[r] != fs || fixedZp[r] != fz)) {
                throw new IllegalStateException("conflicting fixed quantisation in the group of "
                        + g.tensor(op.outputs[0]));
            }
            fixedScale[r] = fs;
            fixedZp[r] = fz;
        }
        float[] lo = new float[n];
        float[] hi = new float[n];
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
        }
        for (Tensor t : g.tensors) {
            if (t.isConst()) {
                continue;
            }
            int r = find(parent, t.id);
            t.dtype = int8 ? DType.INT8 : DType.INT16;
            if (!Float.isNaN(fixedScale[r])) {
                t.scale = fixedScale[r];
                t.zeroPoint = fixedZp[r];
            } else if (int8) {
                // lo <= 0 <= hi: the arrays start at 0, so 0 is always exactly representable.
                float span = Math.max(hi[r] - lo[r], 1e-6f);
                t.scale = span / 255f;
                t.zeroPoint = clamp(Math.round(-128 - lo[r] / t.scale), -128, 127);
            } else {
                float m = Math.max(Math.max(-lo[r], hi[r]), 1e-6f);
                t.scale = m / 32767f;
                t.zeroPoint = 0;
            }
        }
        DType biasType = int8 ? DType.INT32 : DType.INT64;
        for (Op op : g.ops) {
            if (op.type != Graph.OpType.FULLY_CONNECTED && op.type != Graph.OpType.CONV_2D) {
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
                if (b.dtype == biasType && b.scale != bs) {
                    throw new IllegalStateException("bias " + b + " is shared by FULLY_CONNECTED ops with different"
                            + " input x weight scales (" + b.scale + " vs " + bs + " at " + g.tensor(op.inputs[0])
                            + "); give each its own bias tensor");
                }
                b.dtype = biasType;
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
