package io.gyrosentinel.training.packaging.internal;

import com.google.flatbuffers.FlatBufferBuilder;
import io.gyrosentinel.training.packaging.internal.Graph.DType;
import io.gyrosentinel.training.packaging.internal.Graph.Op;
import io.gyrosentinel.training.packaging.internal.Graph.Tensor;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.tensorflow.lite.schema.AbsOptionsT;
import org.tensorflow.lite.schema.AddOptionsT;
import org.tensorflow.lite.schema.DivOptionsT;
import org.tensorflow.lite.schema.ReducerOptionsT;
import org.tensorflow.lite.schema.ReshapeOptionsT;
import org.tensorflow.lite.schema.TransposeOptionsT;
import org.tensorflow.lite.schema.Buffer;
import org.tensorflow.lite.schema.BuiltinOperator;
import org.tensorflow.lite.schema.BuiltinOptions;
import org.tensorflow.lite.schema.BuiltinOptionsUnion;
import org.tensorflow.lite.schema.ConcatenationOptionsT;
import org.tensorflow.lite.schema.Conv2DOptionsT;
import org.tensorflow.lite.schema.Padding;
import org.tensorflow.lite.schema.FullyConnectedOptionsT;
import org.tensorflow.lite.schema.Model;
import org.tensorflow.lite.schema.MulOptionsT;
import org.tensorflow.lite.schema.OperatorCode;
import org.tensorflow.lite.schema.OperatorCodeT;
import org.tensorflow.lite.schema.OperatorT;
import org.tensorflow.lite.schema.QuantizationParametersT;
import org.tensorflow.lite.schema.SplitOptionsT;
import org.tensorflow.lite.schema.SubGraph;
import org.tensorflow.lite.schema.SubGraphT;
import org.tensorflow.lite.schema.TensorT;
import org.tensorflow.lite.schema.TensorType;

/**
 * Serialises a {@link Graph} to a TFLite FlatBuffer: schema version 3, identifier "TFL3", buffer 0 empty,
 * both {@code builtin_code} and {@code deprecated_builtin_code}, every weight buffer 16-byte aligned (the
 * object API only aligns to 4, so buffers are packed by hand and the alignment is checked after writing).
 */
public final class TfliteWriter {
    /** Alignment of every constant buffer in the file (what TFLM / ESP-NN SIMD loads want). */
    public static final int ALIGNMENT = 16;

    private TfliteWriter() {
    }

    public static byte[] write(Graph g, String description) {
        DType io = g.tensor(g.input).dtype;
        List<byte[]> buffers = new ArrayList<>();
        buffers.add(new byte[0]);
        TensorT[] tensors = new TensorT[g.tensors.size()];
        for (Tensor t : g.tensors) {
            TensorT tt = new TensorT();
            tt.setName(t.name);
            tt.setShape(t.shape.clone());
            tt.setType(switch (t.dtype) {
                case FLOAT32 -> TensorType.FLOAT32;
                case INT8 -> TensorType.INT8;
                case INT16 -> TensorType.INT16;
                case INT32 -> TensorType.INT32;
                case INT64 -> TensorType.INT64;
            });
            if (t.isConst()) {
                tt.setBuffer(buffers.size());
                buffers.add(constBytes(t));
            } else {
                tt.setBuffer(0);
            }
            if (!t.index && t.dtype != DType.FLOAT32) {
                QuantizationParametersT q = new QuantizationParametersT();
                q.setScale(new float[] {t.scale});
                q.setZeroPoint(new long[] {t.zeroPoint});
                q.setQuantizedDimension(0);
                tt.setQuantization(q);
            }
            tensors[t.id] = tt;
        }
        Map<String, Integer> opcodeIndex = new LinkedHashMap<>();
        List<OperatorCodeT> opcodes = new ArrayList<>();
        OperatorT[] operators = new OperatorT[g.ops.size()];
        for (int i = 0; i < g.ops.size(); i++) {
            Op op = g.ops.get(i);
            int builtin = builtin(op.type);
            int version = switch (io) {
                case INT16 -> int16Version(op.type);
                case INT8 -> int8Version(g, op);
                default -> 1;
            };
            Integer idx = opcodeIndex.get(builtin + "/" + version);
            if (idx == null) {
                OperatorCodeT oc = new OperatorCodeT();
                oc.setBuiltinCode(builtin);
                oc.setDeprecatedBuiltinCode((byte) Math.min(builtin, BuiltinOperator.PLACEHOLDER_FOR_GREATER_OP_CODES));
                oc.setVersion(version);
                idx = opcodes.size();
                opcodes.add(oc);
                opcodeIndex.put(builtin + "/" + version, idx);
            }
            OperatorT o = new OperatorT();
            o.setOpcodeIndex(idx);
            o.setInputs(op.inputs.clone());
            o.setOutputs(op.outputs.clone());
            o.setBuiltinOptions(options(g, op));
            operators[i] = o;
        }
        SubGraphT sg = new SubGraphT();
        sg.setTensors(tensors);
        sg.setInputs(new int[] {g.input});
        sg.setOutputs(new int[] {g.output});
        sg.setOperators(operators);
        sg.setName("main");

        FlatBufferBuilder b = new FlatBufferBuilder(64 * 1024);
        int[] bufferOffsets = new int[buffers.size()];
        for (int i = buffers.size() - 1; i >= 0; i--) {
            byte[] data = buffers.get(i);
            int vec = 0;
            if (data.length > 0) {
                b.startVector(1, data.length, ALIGNMENT);
                for (int k = data.length - 1; k >= 0; k--) {
                    b.addByte(data[k]);
                }
                vec = b.endVector();
            }
            Buffer.startBuffer(b);
            if (data.length > 0) {
                Buffer.addData(b, vec);
            }
            bufferOffsets[i] = Buffer.endBuffer(b);
        }
        int buffersVec = Model.createBuffersVector(b, bufferOffsets);
        int subgraphsVec = Model.createSubgraphsVector(b, new int[] {SubGraph.pack(b, sg)});
        int[] oc = new int[opcodes.size()];
        for (int i = 0; i < oc.length; i++) {
            oc[i] = OperatorCode.pack(b, opcodes.get(i));
        }
        int opcodesVec = Model.createOperatorCodesVector(b, oc);
        int desc = b.createString(description);
        int model = Model.createModel(b, 3, opcodesVec, subgraphsVec, desc, buffersVec, 0, 0, 0);
        Model.finishModelBuffer(b, model);
        byte[] bytes = b.sizedByteArray();
        checkAlignment(bytes);
        return bytes;
    }

    /** Throws if any non-empty buffer of a written model does not start on a 16-byte boundary. */
    public static void checkAlignment(byte[] tflite) {
        Model m = Model.getRootAsModel(ByteBuffer.wrap(tflite));
        for (int i = 0; i < m.buffersLength(); i++) {
            Buffer buf = m.buffers(i);
            if (buf.dataLength() > 0) {
                int pos = buf.dataAsByteBuffer().position();
                if (pos % ALIGNMENT != 0) {
                    throw new IllegalStateException("buffer " + i + " starts at byte " + pos + ", not " + ALIGNMENT
                            + "-byte aligned");
                }
            }
        }
    }

    private static byte[] constBytes(Tensor t) {
        float[] v = t.constData;
        ByteBuffer bb;
        switch (t.dtype) {
            case FLOAT32 -> {
                bb = ByteBuffer.allocate(v.length * 4).order(ByteOrder.LITTLE_ENDIAN);
                for (float x : v) {
                    bb.putFloat(x);
                }
            }
            case INT32 -> {
                bb = ByteBuffer.allocate(v.length * 4).order(ByteOrder.LITTLE_ENDIAN);
                for (float x : v) {
                    long q = t.index ? (long) x : Math.round(x / (double) t.scale);
                    if (q < Integer.MIN_VALUE || q > Integer.MAX_VALUE) {
                        throw new IllegalStateException("int32 bias " + t + " overflows: " + x + " / " + t.scale);
                    }
                    bb.putInt((int) q);
                }
            }
            case INT64 -> {
                bb = ByteBuffer.allocate(v.length * 8).order(ByteOrder.LITTLE_ENDIAN);
                for (float x : v) {
                    bb.putLong(Math.round(x / (double) t.scale));
                }
            }
            case INT8 -> {
                bb = ByteBuffer.allocate(v.length);
                for (float x : v) {
                    bb.put((byte) Quantizer.clamp(Math.round(x / t.scale) + t.zeroPoint, -127, 127));
                }
            }
            default -> throw new IllegalStateException();
        }
        return bb.array();
    }

    /**
     * Op versions of the 16x8 (int16 activation) kernels, as TFLite's converter assigns them
     * ({@code tensorflow/lite/tools/versioning/op_version.cc}): FULLY_CONNECTED 7 (the int16 fixed-point
     * kernel), ADD 3 (int16 with {@code pot_scale_int16 = false}), MUL 4, LOGISTIC/TANH 3, SPLIT 4,
     * CONCATENATION 3. TFLite Micro's {@code MicroMutableOpResolver} does not check versions; its kernels
     * (fully_connected.cc, add.cc, mul.cc, logistic.cc, tanh.cc, split.cc, concatenation.cc) dispatch on
     * the tensor types and all accept int16.
     */
    static int int16Version(Graph.OpType type) {
        return switch (type) {
            case FULLY_CONNECTED -> 7;
            case ADD, LOGISTIC, TANH, CONCATENATION -> 3;
            case MUL, SPLIT, CONV_2D -> 4;
            case RESHAPE -> 1;
            default -> throw new IllegalStateException(type + " is float32-only");
        };
    }

    /**
     * Op versions of the int8 kernels, as TFLite's converter assigns them ({@code op_version.cc}):
     * FULLY_CONNECTED 4 (int8 with int32 bias), ADD 2, MUL 2 (3 when {@code s_a * s_b / s_out >= 1}), LOGISTIC 2,
     * TANH 2, SPLIT 2, CONCATENATION 2.
     */
    static int int8Version(Graph g, Op op) {
        return switch (op.type) {
            case FULLY_CONNECTED -> 4;
            case MUL -> (double) g.tensor(op.inputs[0]).scale * g.tensor(op.inputs[1]).scale
                    / g.tensor(op.outputs[0]).scale >= 1.0 ? 3 : 2;
            case ADD, LOGISTIC, TANH, SPLIT, CONCATENATION -> 2;
            case CONV_2D -> 3;
            case RESHAPE -> 1;
            default -> throw new IllegalStateException(op.type + " is float32-only");
        };
    }

    static int builtin(Graph.OpType type) {
        return switch (type) {
            case FULLY_CONNECTED -> BuiltinOperator.FULLY_CONNECTED;
            case ADD -> BuiltinOperator.ADD;
            case MUL -> BuiltinOperator.MUL;
            case LOGISTIC -> BuiltinOperator.LOGISTIC;
            case TANH -> BuiltinOperator.TANH;
            case SPLIT -> BuiltinOperator.SPLIT;
            case CONCATENATION -> BuiltinOperator.CONCATENATION;
            case TRANSPOSE -> BuiltinOperator.TRANSPOSE;
            case ABS -> BuiltinOperator.ABS;
            case LOG -> BuiltinOperator.LOG;
            case RSQRT -> BuiltinOperator.RSQRT;
            case DIV -> BuiltinOperator.DIV;
            case REDUCE_MAX -> BuiltinOperator.REDUCE_MAX;
            case RESHAPE -> BuiltinOperator.RESHAPE;
            case CONV_2D -> BuiltinOperator.CONV_2D;
        };
    }

    private static BuiltinOptionsUnion options(Graph g, Op op) {
        BuiltinOptionsUnion u = new BuiltinOptionsUnion();
        switch (op.type) {
            case FULLY_CONNECTED -> {
                u.setType(BuiltinOptions.FullyConnectedOptions);
                u.setValue(new FullyConnectedOptionsT());
            }
            case ADD -> {
                AddOptionsT a = new AddOptionsT();
                // int16 ADD with general (non power-of-two) scales; the schema default is true.
                a.setPotScaleInt16(false);
                u.setType(BuiltinOptions.AddOptions);
                u.setValue(a);
            }
            case MUL -> {
                u.setType(BuiltinOptions.MulOptions);
                u.setValue(new MulOptionsT());
            }
            case SPLIT -> {
                SplitOptionsT s = new SplitOptionsT();
                s.setNumSplits(op.outputs.length);
                u.setType(BuiltinOptions.SplitOptions);
                u.setValue(s);
            }
            case CONCATENATION -> {
                ConcatenationOptionsT c = new ConcatenationOptionsT();
                c.setAxis(op.axis);
                u.setType(BuiltinOptions.ConcatenationOptions);
                u.setValue(c);
            }
            case TRANSPOSE -> {
                u.setType(BuiltinOptions.TransposeOptions);
                u.setValue(new TransposeOptionsT());
            }
            case ABS -> {
                u.setType(BuiltinOptions.AbsOptions);
                u.setValue(new AbsOptionsT());
            }
            case DIV -> {
                u.setType(BuiltinOptions.DivOptions);
                u.setValue(new DivOptionsT());
            }
            case REDUCE_MAX -> {
                ReducerOptionsT r = new ReducerOptionsT();
                r.setKeepDims(true);
                u.setType(BuiltinOptions.ReducerOptions);
                u.setValue(r);
            }
            case CONV_2D -> {
                Conv2DOptionsT c = new Conv2DOptionsT();
                c.setPadding(Padding.SAME);
                c.setStrideW(op.axis);
                c.setStrideH(1);
                c.setDilationWFactor(1);
                c.setDilationHFactor(1);
                u.setType(BuiltinOptions.Conv2DOptions);
                u.setValue(c);
            }
            case RESHAPE -> {
                ReshapeOptionsT r = new ReshapeOptionsT();
                r.setNewShape(g.tensor(op.outputs[0]).shape.clone());
                u.setType(BuiltinOptions.ReshapeOptions);
                u.setValue(r);
            }
            default -> {
                return null;
            }
        }
        return u;
    }
}
