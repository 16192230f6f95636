package io.gyrosentinel.training.packaging.internal;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * A tiny single-subgraph graph IR, close to TFLite's: tensors (activations or constants) and builtin ops in
 * execution order. The LSTM builder writes it in float; {@link Quantizer} annotates it for int8 or int16x8; {@link
 * TfliteWriter} serialises it; {@link GraphEvaluator} runs it in Java (calibration, self-check).
 */
public final class Graph {

    /** Ops this packager emits; each maps to one TFLite builtin. */
    public enum OpType {
        FULLY_CONNECTED, ADD, MUL, LOGISTIC, TANH, SPLIT, CONCATENATION,
        /** The feature families' ops (float32 only): 2-D transpose, element-wise |x|, ln x, 1/√x, a / b, max over one axis, reshape. */
        TRANSPOSE, ABS, LOG, RSQRT, DIV, REDUCE_MAX, RESHAPE,
        /** The convolutional autoencoder: NHWC with H = 1, "same" padding, stride along W. */
        CONV_2D;

        /** Whether the packager's quantiser handles the op (the statistical families' ops run in float32 only). */
        public boolean quantizable() {
            return ordinal() <= CONCATENATION.ordinal() || this == RESHAPE || this == CONV_2D;
        }
    }

    /**
     * Element type of a tensor after quantisation (before it, every non-index tensor is FLOAT32): INT8 weights, and
     * INT8 activations with INT32 biases (int8) or INT16 activations with INT64 biases (int16x8).
     */
    public enum DType { FLOAT32, INT8, INT16, INT32, INT64 }

    public static final class Tensor {
        public final int id;
        public final String name;
        public final int[] shape;
        /** Constant payload (float weights, or int axis values stored as floats for INT32 index tensors). */
        public float[] constData;
        public DType dtype;
        /** Index tensors (SPLIT axis) stay INT32 in every precision. */
        public final boolean index;
        public float scale;
        public int zeroPoint;

        Tensor(int id, String name, int[] shape, float[] constData, boolean index) {
            this.id = id;
            this.name = name;
            this.shape = shape.clone();
            this.constData = constData;
            this.index = index;
            this.dtype = index ? DType.INT32 : DType.FLOAT32;
        }

        public boolean isConst() {
            return constData != null;
        }

        public int size() {
            int n = 1;
            for (int d : shape) {
                n *= d;
            }
            return n;
        }

        public int bytes() {
            return size() * switch (dtype) {
                case INT8 -> 1;
                case INT16 -> 2;
                case FLOAT32, INT32 -> 4;
                case INT64 -> 8;
            };
        }

        @Override
        public String toString() {
            return name + Arrays.toString(shape);
        }
    }

    public static final class Op {
        public final OpType type;
        public final int[] inputs;
        public final int[] outputs;
        /** CONCATENATION and REDUCE_MAX axis (SPLIT's axis is its first input). */
        public final int axis;

        Op(OpType type, int[] inputs, int[] outputs, int axis) {
            this.type = type;
            this.inputs = inputs;
            this.outputs = outputs;
            this.axis = axis;
        }
    }

    public final List<Tensor> tensors = new ArrayList<>();
    public final List<Op> ops = new ArrayList<>();
    public int input = -1;
    public int output = -1;

    public Tensor tensor(int id) {
        return tensors.get(id);
    }

    public int activation(String name, int... shape) {
        Tensor t = new Tensor(tensors.size(), name, shape, null, false);
        tensors.add(t);
        return t.id;
    }

    public int constant(String name, float[] data, int... shape) {
        Tensor t = new Tensor(tensors.size(), name, shape, data.clone(), false);
        if (t.size() != data.length) {
            throw new IllegalArgumentException(name + ": " + data.length + " values for shape " + Arrays.toString(shape));
        }
        tensors.add(t);
        return t.id;
    }

    private int axisTensor(int axis) {
        Tensor t = new Tensor(tensors.size(), "axis" + axis, new int[0], new float[] {axis}, true);
        tensors.add(t);
        return t.id;
    }

    /** An INT32 index tensor of shape [values.length] (a permutation, a shape, an axis list). */
    private int indexVector(String name, int... values) {
        float[] data = new float[values.length];
        for (int i = 0; i < values.length; i++) {
            data[i] = values[i];
        }
        Tensor t = new Tensor(tensors.size(), name, new int[] {values.length}, data, true);
        tensors.add(t);
        return t.id;
    }

    /** Transposes a 2-D tensor. */
    public int transpose(String name, int x) {
        int[] s = tensor(x).shape;
        if (s.length != 2) {
            throw new IllegalArgumentException(name + ": transpose takes a 2-D tensor, got " + tensor(x));
        }
        int y = activation(name, s[1], s[0]);
        ops.add(new Op(OpType.TRANSPOSE, new int[] {x, indexVector(name + ".perm", 1, 0)}, new int[] {y}, 0));
        return y;
    }

    /** An element-wise unary op: ABS, LOG or RSQRT. */
    public int unary(OpType type, String name, int x) {
        if (type != OpType.ABS && type != OpType.LOG && type != OpType.RSQRT) {
            throw new IllegalArgumentException(type + " is not an element-wise unary op");
        }
        int y = activation(name, tensor(x).shape);
        ops.add(new Op(type, new int[] {x}, new int[] {y}, 0));
        return y;
    }

    public int div(String name, int a, int b) {
        return binary(OpType.DIV, name, a, b);
    }

    /** The maximum over {@code axis}, kept as a dimension of 1. */
    public int reduceMax(String name, int x, int axis) {
        int[] s = tensor(x).shape.clone();
        s[axis] = 1;
        int y = activation(name, s);
        ops.add(new Op(OpType.REDUCE_MAX, new int[] {x, indexVector(name + ".axis", axis)}, new int[] {y}, axis));
        return y;
    }

    /**
     * A 1-D convolution as CONV_2D: {@code x [1, 1, L, C]}, {@code filter [U, 1, k, C]} (TFLite's OHWI),
     * {@code bias [U]}, "same" padding, {@code stride} along W; output {@code [1, 1, ceil(L / stride), U]}.
     * {@link Op#axis} holds the stride.
     */
    public int conv2d(String name, int x, int filter, int bias, int stride) {
        int[] xs = tensor(x).shape;
        int[] fs = tensor(filter).shape;
        if (xs.length != 4 || xs[0] != 1 || xs[1] != 1 || fs.length != 4 || fs[1] != 1 || fs[3] != xs[3]) {
            throw new IllegalArgumentException(name + ": filter " + tensor(filter) + " does not fit " + tensor(x));
        }
        int y = activation(name, 1, 1, (xs[2] + stride - 1) / stride, fs[0]);
        ops.add(new Op(OpType.CONV_2D, new int[] {x, filter, bias}, new int[] {y}, stride));
        return y;
    }

    /** The same values (row-major) in another shape. */
    public int reshape(String name, int x, int... shape) {
        int y = activation(name, shape);
        if (tensor(y).size() != tensor(x).size()) {
            throw new IllegalArgumentException(name + ": cannot reshape " + tensor(x) + " to " + Arrays.toString(shape));
        }
        ops.add(new Op(OpType.RESHAPE, new int[] {x, indexVector(name + ".shape", shape)}, new int[] {y}, 0));
        return y;
    }

    /** {@code y = x · Wᵀ + b} with TFLite's weight layout {@code W [out][in]}; {@code bias} may be -1. */
    public int fullyConnected(String name, int x, int weights, int bias) {
        int[] xs = tensor(x).shape;
        int out = tensor(weights).shape[0];
        if (tensor(weights).shape[1] != xs[xs.length - 1]) {
            throw new IllegalArgumentException(name + ": weights " + tensor(weights) + " do not fit input " + tensor(x));
        }
        int y = activation(name, xs[0], out);
        ops.add(new Op(OpType.FULLY_CONNECTED, new int[] {x, weights, bias}, new int[] {y}, 0));
        return y;
    }

    public int add(String name, int a, int b) {
        return binary(OpType.ADD, name, a, b);
    }

    public int mul(String name, int a, int b) {
        return binary(OpType.MUL, name, a, b);
    }

    private int binary(OpType type, String name, int a, int b) {
        if (!Arrays.equals(tensor(a).shape, tensor(b).shape)) {
            throw new IllegalArgumentException(name + ": shapes differ " + tensor(a) + " " + tensor(b));
        }
        int y = activation(name, tensor(a).shape);
        ops.add(new Op(type, new int[] {a, b}, new int[] {y}, 0));
        return y;
    }

    public int logistic(String name, int x) {
        int y = activation(name, tensor(x).shape);
        ops.add(new Op(OpType.LOGISTIC, new int[] {x}, new int[] {y}, 0));
        return y;
    }

    public int tanh(String name, int x) {
        int y = activation(name, tensor(x).shape);
        ops.add(new Op(OpType.TANH, new int[] {x}, new int[] {y}, 0));
        return y;
    }

    /** Splits {@code x} into {@code n} equal parts along {@code axis}. */
    public int[] split(String name, int x, int axis, int n) {
        int[] s = tensor(x).shape.clone();
        if (s[axis] % n != 0) {
            throw new IllegalArgumentException(name + ": " + tensor(x) + " does not split in " + n);
        }
        s[axis] /= n;
        int[] outs = new int[n];
        for (int i = 0; i < n; i++) {
            outs[i] = activation(name + "_" + i, s);
        }
        ops.add(new Op(OpType.SPLIT, new int[] {axisTensor(axis), x}, outs, axis));
        return outs;
    }

    /**
     * Most inputs of one CONCATENATION in TensorFlow Lite Micro ({@code kMaxInputNum} in
     * {@code tensorflow/lite/micro/kernels/concatenation.cc}): more fail in Prepare.
     */
    public static final int MAX_CONCAT_INPUTS = 10;

    /**
     * Concatenates {@code xs} along {@code axis}; more than {@link #MAX_CONCAT_INPUTS} inputs become a tree of
     * concatenations (TFLite Micro refuses wider ones).
     */
    public int concat(String name, int[] xs, int axis) {
        if (xs.length > MAX_CONCAT_INPUTS) {
            int groups = (xs.length + MAX_CONCAT_INPUTS - 1) / MAX_CONCAT_INPUTS;
            int[] parts = new int[groups];
            for (int i = 0; i < groups; i++) {
                int from = i * MAX_CONCAT_INPUTS;
                parts[i] = concat(name + "_part" + i, Arrays.copyOfRange(xs, from,
                        Math.min(xs.length, from + MAX_CONCAT_INPUTS)), axis);
            }
            return concat(name, parts, axis);
        }
        int[] s = tensor(xs[0]).shape.clone();
        s[axis] = 0;
        for (int x : xs) {
            s[axis] += tensor(x).shape[axis];
        }
        int y = activation(name, s);
        ops.add(new Op(OpType.CONCATENATION, xs.clone(), new int[] {y}, axis));
        return y;
    }
}
