package io.gyrosentinel.training.packaging.internal;

import io.gyrosentinel.training.packaging.internal.Graph.Op;
import io.gyrosentinel.training.packaging.internal.Graph.Tensor;

/**
 * Runs a float {@link Graph} in Java. Used to calibrate int8 activation ranges (min/max of every tensor
 * over the calibration windows) and to check the graph against the trainer's reference before TFLite.
 */
public final class GraphEvaluator {
    private final Graph graph;
    /** Observed [min, max] per tensor id, or null where nothing was recorded. */
    final float[] min;
    final float[] max;

    public GraphEvaluator(Graph graph) {
        this.graph = graph;
        this.min = new float[graph.tensors.size()];
        this.max = new float[graph.tensors.size()];
        java.util.Arrays.fill(min, Float.POSITIVE_INFINITY);
        java.util.Arrays.fill(max, Float.NEGATIVE_INFINITY);
    }

    /** Runs one normalised window and records ranges; returns the output tensor's values. */
    public float[] run(float[] input) {
        float[][] v = new float[graph.tensors.size()][];
        for (Tensor t : graph.tensors) {
            if (t.isConst()) {
                v[t.id] = t.constData;
            }
        }
        v[graph.input] = input;
        record(graph.input, input);
        for (Op op : graph.ops) {
            switch (op.type) {
                case FULLY_CONNECTED -> {
                    float[] x = v[op.inputs[0]];
                    Tensor w = graph.tensor(op.inputs[1]);
                    float[] wd = v[w.id];
                    float[] b = op.inputs[2] < 0 ? null : v[op.inputs[2]];
                    int out = w.shape[0];
                    int in = w.shape[1];
                    int batch = x.length / in;
                    float[] y = new float[batch * out];
                    for (int r = 0; r < batch; r++) {
                        for (int o = 0; o < out; o++) {
                            float acc = b == null ? 0f : b[o];
                            for (int k = 0; k < in; k++) {
                                acc += x[r * in + k] * wd[o * in + k];
                            }
                            y[r * out + o] = acc;
                        }
                    }
                    v[op.outputs[0]] = y;
                }
                case ADD, MUL -> {
                    float[] a = v[op.inputs[0]];
                    float[] b = v[op.inputs[1]];
                    float[] y = new float[a.length];
                    for (int i = 0; i < y.length; i++) {
                        y[i] = op.type == Graph.OpType.ADD ? a[i] + b[i] : a[i] * b[i];
                    }
                    v[op.outputs[0]] = y;
                }
                case LOGISTIC, TANH -> {
                    float[] a = v[op.inputs[0]];
                    float[] y = new float[a.length];
                    for (int i = 0; i < y.length; i++) {
                        y[i] = op.type == Graph.OpType.TANH ? (float) Math.tanh(a[i])
                                : (float) (1.0 / (1.0 + Math.exp(-a[i])));
                    }
                    v[op.outputs[0]] = y;
                }
                case SPLIT -> {
                    Tensor x = graph.tensor(op.inputs[1]);
                    int axis = (int) v[op.inputs[0]][0];
                    int n = op.outputs.length;
                    float[] xd = v[x.id];
                    int rows = x.shape[0];
                    int cols = x.shape[1];
                    for (int p = 0; p < n; p++) {
                        float[] y;
                        if (axis == 0) {
                            int r = rows / n;
                            y = java.util.Arrays.copyOfRange(xd, p * r * cols, (p + 1) * r * cols);
                        } else {
                            int c = cols / n;
                            y = new float[rows * c];
                            for (int r = 0; r < rows; r++) {
                                System.arraycopy(xd, r * cols + p * c, y, r * c, c);
                            }
                        }
                        v[op.outputs[p]] = y;
                    }
                }
                case CONCATENATION -> {
                    if (op.axis == 1) {
                        int rows = graph.tensor(op.outputs[0]).shape[0];
                        int cols = graph.tensor(op.outputs[0]).shape[1];
                        float[] y = new float[rows * cols];
                        int at = 0;
                        for (int i : op.inputs) {
                            int c = graph.tensor(i).shape[1];
                            for (int r = 0; r < rows; r++) {
                                System.arraycopy(v[i], r * c, y, r * cols + at, c);
                            }
                            at += c;
                        }
                        v[op.outputs[0]] = y;
                        break;
                    }
                    if (op.axis != 0) {
                        // any axis of any rank: [outer][axis * inner] blocks, copied input by input
                        int[] os = graph.tensor(op.outputs[0]).shape;
                        int outer = 1;
                        for (int d = 0; d < op.axis; d++) {
                            outer *= os[d];
                        }
                        float[] y = new float[graph.tensor(op.outputs[0]).size()];
                        int rowOut = y.length / outer;
                        int at = 0;
                        for (int i : op.inputs) {
                            int row = v[i].length / outer;
                            for (int r = 0; r < outer; r++) {
                                System.arraycopy(v[i], r * row, y, r * rowOut + at, row);
                            }
                            at += row;
                        }
                        v[op.outputs[0]] = y;
                        break;
                    }
                    int total = 0;
                    for (int i : op.inputs) {
                        total += v[i].length;
                    }
                    float[] y = new float[total];
                    int at = 0;
                    for (int i : op.inputs) {
                        System.arraycopy(v[i], 0, y, at, v[i].length);
                        at += v[i].length;
                    }
                    v[op.outputs[0]] = y;
                }
                case TRANSPOSE -> {
                    int[] xs = graph.tensor(op.inputs[0]).shape;
                    float[] x = v[op.inputs[0]];
                    float[] y = new float[x.length];
                    for (int r = 0; r < xs[0]; r++) {
                        for (int c = 0; c < xs[1]; c++) {
                            y[c * xs[0] + r] = x[r * xs[1] + c];
                        }
                    }
                    v[op.outputs[0]] = y;
                }
                case ABS, LOG, RSQRT -> {
                    float[] a = v[op.inputs[0]];
                    float[] y = new float[a.length];
                    for (int i = 0; i < y.length; i++) {
                        y[i] = switch (op.type) {
                            case ABS -> Math.abs(a[i]);
                            case LOG -> (float) Math.log(a[i]);
                            default -> (float) (1.0 / Math.sqrt(a[i]));
                        };
                    }
                    v[op.outputs[0]] = y;
                }
                case DIV -> {
                    float[] a = v[op.inputs[0]];
                    float[] b = v[op.inputs[1]];
                    float[] y = new float[a.length];
                    for (int i = 0; i < y.length; i++) {
                        y[i] = a[i] / b[i];
                    }
                    v[op.outputs[0]] = y;
                }
                case REDUCE_MAX -> {
                    int[] xs = graph.tensor(op.inputs[0]).shape;
                    if (xs.length != 2) {
                        throw new IllegalStateException("only 2-D REDUCE_MAX is evaluated");
                    }
                    float[] x = v[op.inputs[0]];
                    float[] y = new float[op.axis == 1 ? xs[0] : xs[1]];
                    java.util.Arrays.fill(y, Float.NEGATIVE_INFINITY);
                    for (int r = 0; r < xs[0]; r++) {
                        for (int c = 0; c < xs[1]; c++) {
                            int o = op.axis == 1 ? r : c;
                            y[o] = Math.max(y[o], x[r * xs[1] + c]);
                        }
                    }
                    v[op.outputs[0]] = y;
                }
                case RESHAPE -> v[op.outputs[0]] = v[op.inputs[0]];
                case CONV_2D -> {
                    int[] xs = graph.tensor(op.inputs[0]).shape;
                    int[] fs = graph.tensor(op.inputs[1]).shape;
                    float[] x = v[op.inputs[0]];
                    float[] w = v[op.inputs[1]];
                    float[] b = v[op.inputs[2]];
                    int len = xs[2];
                    int in = xs[3];
                    int out = fs[0];
                    int k = fs[2];
                    int stride = op.axis;
                    int outLen = (len + stride - 1) / stride;
                    int padLeft = Math.max((outLen - 1) * stride + k - len, 0) / 2;
                    float[] y = new float[outLen * out];
                    for (int o = 0; o < outLen; o++) {
                        for (int u = 0; u < out; u++) {
                            float acc = b[u];
                            for (int j = 0; j < k; j++) {
                                int p = o * stride + j - padLeft;
                                if (p < 0 || p >= len) {
                                    continue;
                                }
                                for (int c = 0; c < in; c++) {
                                    acc += x[p * in + c] * w[(u * k + j) * in + c];
                                }
                            }
                            y[o * out + u] = acc;
                        }
                    }
                    v[op.outputs[0]] = y;
                }
                default -> throw new IllegalStateException("unhandled op " + op.type);
            }
            for (int o : op.outputs) {
                record(o, v[o]);
            }
        }
        return v[graph.output];
    }

    private void record(int id, float[] values) {
        float lo = min[id];
        float hi = max[id];
        for (float x : values) {
            lo = Math.min(lo, x);
            hi = Math.max(hi, x);
        }
        min[id] = lo;
        max[id] = hi;
    }
}
