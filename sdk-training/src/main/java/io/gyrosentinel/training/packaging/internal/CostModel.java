package io.gyrosentinel.training.packaging.internal;

import static io.gyrosentinel.training.packaging.CostModelConstants.*;

import io.gyrosentinel.training.ModelArchitecture;
import io.gyrosentinel.training.packaging.CostCard;
import io.gyrosentinel.training.packaging.Precision;
import io.gyrosentinel.training.packaging.internal.Graph.Op;
import io.gyrosentinel.training.packaging.internal.Graph.Tensor;

/** Computes a {@link CostCard} from a (float or quantised) {@link Graph}. */
public final class CostModel {
    private CostModel() {
    }

    /** Kernel set a cost is computed for. */
    public enum Kernels {
        /** float32 reference kernels. */
        FLOAT32,
        /** int16 activations, int8 weights: reference int16 kernels. */
        INT16X8,
        /** All-int8: ESP-NN FC/ADD/MUL, gemmlowp LOGISTIC/TANH. */
        INT8_ESPNN
    }

    /** Counts of one graph, or of the ops whose first output name starts with {@code prefix}. */
    public record Counts(long macs, long fcOutputs, long act, long adds, long muls, long copyElements, int ops) {
        public long eltwise() {
            return adds + muls;
        }

        public double cycles(Kernels k) {
            double fc = switch (k) {
                case FLOAT32 -> macs * FLOAT_FC + fcOutputs * FLOAT_FC_PER_OUTPUT;
                case INT16X8 -> macs * INT16_FC_REF + fcOutputs * INT_FC_PER_OUTPUT;
                case INT8_ESPNN -> macs * INT8_FC_ESPNN + fcOutputs * INT_FC_PER_OUTPUT;
            };
            double a = act * switch (k) {
                case FLOAT32 -> FLOAT_ACT;
                case INT16X8 -> INT16_ACT;
                case INT8_ESPNN -> INT8_ACT;
            };
            double e = switch (k) {
                case FLOAT32 -> (adds + muls) * FLOAT_ELTWISE;
                case INT16X8 -> adds * INT16_ADD + muls * INT16_MUL;
                case INT8_ESPNN -> adds * INT8_ADD_ESPNN + muls * INT8_MUL_ESPNN;
            };
            return fc + a + e + copyElements * COPY_PER_ELEMENT + ops * PER_OP;
        }
    }

    public static Counts count(Graph g, String prefix) {
        long macs = 0;
        long outs = 0;
        long act = 0;
        long adds = 0;
        long muls = 0;
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
                    outs += out.size();
                }
                case CONV_2D -> {
                    // priced as FULLY_CONNECTED MACs (k * C per output): no measured ESP-NN convolution figure for
                    // these shapes yet
                    Tensor w = g.tensor(op.inputs[1]);
                    macs += (long) out.size() * w.shape[2] * w.shape[3];
                    outs += out.size();
                }
                case LOGISTIC, TANH -> act += out.size();
                case ADD -> adds += out.size();
                case MUL -> muls += out.size();
                case SPLIT -> copy += g.tensor(op.inputs[1]).size();
                case CONCATENATION -> copy += out.size();
                case TRANSPOSE, REDUCE_MAX -> copy += g.tensor(op.inputs[0]).size();
                case LOG, RSQRT, DIV -> act += out.size(); // a libm call or a divide per element: priced as FLOAT_ACT
                case ABS -> adds += out.size();
                default -> { }
            }
        }
        return new Counts(macs, outs, act, adds, muls, copy, ops);
    }

    static Kernels kernels(Graph g) {
        return switch (g.tensor(g.input).dtype) {
            case INT16 -> Kernels.INT16X8;
            case INT8 -> Kernels.INT8_ESPNN;
            default -> Kernels.FLOAT32;
        };
    }

    static Precision precision(Graph g) {
        return switch (kernels(g)) {
            case INT16X8 -> Precision.INT16X8;
            case INT8_ESPNN -> Precision.INT8;
            case FLOAT32 -> Precision.FLOAT32;
        };
    }

    public static CostCard card(Graph g, String layout, int stride, double sampleRateHz, long flashBytes) {
        Counts c = count(g, null);
        long cycles = Math.round(c.cycles(kernels(g)) + PER_INVOKE);
        return new CostCard(precision(g), layout, stride, sampleRateHz, c.macs(), c.act(), c.eltwise(), c.ops(),
                cycles, arena(g), flashBytes);
    }

    /**
     * The alternative layout (a): an encoder step model invoked for every frame of {@code K} samples and every
     * window in flight ({@code ceil(T/stride)} of them, each with explicit h/c state: counted as two extra ops per
     * layer and step for the state in and out), plus a decoder model once per stride; returns average cycles per
     * sample.
     */
    public static double stepLayoutCyclesPerSample(Graph g, ModelArchitecture arch, int stride) {
        Kernels k = kernels(g);
        int encoderLayers = arch.encoderUnits().size();
        double enc = 0;
        for (int l = 0; l < encoderLayers; l++) {
            enc += count(g, "enc" + l + ".").cycles(k);
        }
        Counts all = count(g, null);
        double dec = all.cycles(k) - enc;
        int inFlight = (arch.windowLength() + stride - 1) / stride;
        double perFrameEnc = enc / arch.steps() + encoderLayers * 2 * PER_OP + PER_INVOKE;
        return inFlight * perFrameEnc / arch.samplesPerStep() + (dec + PER_INVOKE) / stride;
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
        // TFLM keeps a TfLiteEvalTensor (12 B) per tensor and, per op, a node, a registration pointer and the
        // kernel's persistent OpData (quantisation multipliers, scratch indices): 128 B per op is what makes this
        // match esp-tflite-micro 1.4.0's arena_used_bytes() for our models run on the host (default K = 8:
        // 32,432 B float32 / 31,968 B int16x8; K = 1: 258,544 / 256,048; estimate within 1.5 %).
        return peak + 12L * n + 128L * g.ops.size();
    }
}
