package io.gyrosentinel.training.packaging.internal;

import static io.gyrosentinel.training.packaging.CostModelConstants.*;

import io.gyrosentinel.training.packaging.CostCard;
import io.gyrosentinel.training.packaging.internal.Graph.Op;
import io.gyrosentinel.training.packaging.internal.Graph.Tensor;

/** Computes a {@link CostCard} from a (float or quantised) {@link Graph}. */
public final class CostModel {
    private CostModel() {
    }

    /** Counts of one graph, or of the ops whose first output name starts with {@code prefix}. */
    public record Counts(long macs, long act, long eltwise, long copyBytes, int ops) {
        double cycles(boolean int8, boolean lut, boolean espnn) {
            double fc = int8 ? (espnn ? INT8_FC_ESPNN : INT8_FC_REF) : FLOAT_FC;
            double a = int8 ? (lut ? LUT_ACT : INT8_ACT) : FLOAT_ACT;
            double e = int8 ? INT8_ELTWISE : FLOAT_ELTWISE;
            return macs * fc + act * a + eltwise * e + copyBytes * COPY_PER_BYTE + ops * PER_OP;
        }
    }

    public static Counts count(Graph g, String prefix) {
        long macs = 0;
        long act = 0;
        long elt = 0;
        long copy = 0;
        int ops = 0;
        for (Op op : g.ops) {
            Tensor out = g.tensor(op.outputs[0]);
            if (prefix != null && !out.name.startsWith(prefix)) {
                continue;
            }
            ops++;
            switch (op.type) {
                case FULLY_CONNECTED -> {
                    Tensor w = g.tensor(op.inputs[1]);
                    macs += (long) out.size() * w.shape[1];
                }
                case LOGISTIC, TANH -> act += out.size();
                case ADD, MUL -> elt += out.size();
                case SPLIT -> copy += g.tensor(op.inputs[1]).bytes();
                case CONCATENATION -> copy += out.bytes();
                default -> { }
            }
        }
        return new Counts(macs, act, elt, copy, ops);
    }

    public static CostCard card(Graph g, String layout, int stride, double sampleRateHz, long flashBytes) {
        boolean int8 = g.tensor(g.input).dtype == Graph.DType.INT8;
        Counts c = count(g, null);
        long cycles = Math.round(c.cycles(int8, false, true) + PER_INVOKE);
        long lut = Math.round(c.cycles(int8, int8, true) + PER_INVOKE);
        return new CostCard(int8 ? "int8" : "float32", layout, stride, sampleRateHz, c.macs(), c.act(), c.eltwise(),
                c.ops(), cycles, lut, arena(g), flashBytes);
    }

    /**
     * The alternative layout (a): an encoder step model invoked for every sample and every window in flight
     * ({@code ceil(T/stride)} of them, each with explicit h/c state), plus a decoder model once per stride.
     * Its step model cannot batch the input projection, so each encoder layer costs one more FC and ADD per
     * step; returns average cycles per sample.
     */
    public static double stepLayoutCyclesPerSample(Graph g, int encoderLayers, int windowLength, int stride,
            boolean lut) {
        boolean int8 = g.tensor(g.input).dtype == Graph.DType.INT8;
        double enc = 0;
        for (int l = 0; l < encoderLayers; l++) {
            enc += count(g, "enc" + l + ".").cycles(int8, lut && int8, true);
        }
        Counts all = count(g, null);
        double dec = all.cycles(int8, lut && int8, true) - enc;
        int inFlight = (windowLength + stride - 1) / stride;
        double perStepEnc = enc / windowLength + encoderLayers * 2 * PER_OP + PER_INVOKE;
        return inFlight * perStepEnc + (dec + PER_INVOKE) / stride;
    }

    /** Peak bytes of simultaneously live activations (16-byte aligned) plus TFLM per-tensor/per-op bookkeeping. */
    static long arena(Graph g) {
        int n = g.tensors.size();
        int[] first = new int[n];
        int[] last = new int[n];
        java.util.Arrays.fill(first, -1);
        first[g.input] = 0;
        for (int i = 0; i < g.ops.size(); i++) {
            Op op = g.ops.get(i);
            for (int o : op.outputs) {
                first[o] = i;
                last[o] = Math.max(last[o], i);
            }
            for (int in : op.inputs) {
                if (in >= 0) {
                    last[in] = Math.max(last[in], i);
                }
            }
        }
        last[g.output] = g.ops.size();
        long peak = 0;
        for (int i = 0; i < g.ops.size(); i++) {
            long live = 0;
            for (Tensor t : g.tensors) {
                if (!t.isConst() && first[t.id] >= 0 && first[t.id] <= i && last[t.id] >= i) {
                    live += (t.bytes() + 15) / 16 * 16;
                }
            }
            peak = Math.max(peak, live);
        }
        // TFLM keeps a TfLiteEvalTensor (12 B) per tensor and a node + registration pointer (~40 B) per op,
        // plus small persistent per-op data (quantisation multipliers).
        return peak + 12L * n + 64L * g.ops.size();
    }
}
