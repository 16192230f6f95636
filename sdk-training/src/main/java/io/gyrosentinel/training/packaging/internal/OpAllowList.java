package io.gyrosentinel.training.packaging.internal;

import io.gyrosentinel.training.packaging.PackagingException;
import io.gyrosentinel.training.packaging.PackagingException.Reason;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.tensorflow.lite.schema.BuiltinOperator;
import org.tensorflow.lite.schema.Model;
import org.tensorflow.lite.schema.OperatorCode;
import org.tensorflow.lite.schema.SubGraph;
import org.tensorflow.lite.schema.TensorType;

/**
 * The last gate before a model ships: every op of the written FlatBuffer must be a builtin that TFLite
 * Micro implements, at a version its kernels accept for the tensor types used (float32 → v1, int8 → the
 * int8 version, int16 activations with int8 weights ("16x8") → the int16 version), one subgraph, schema
 * version 3, "TFL3" identifier, no custom ops, no CONCATENATION of more than {@value Graph#MAX_CONCAT_INPUTS} inputs
 * (found by running the models in TFLite Micro on the host), and only FLOAT32, INT8, INT16, INT32 and INT64 tensors. TILE, WHILE, Flex and the fused LSTM (int8 on reference kernels) are deliberately absent.
 */
public final class OpAllowList {
    /** builtin code → accepted versions. */
    static final Map<Integer, Set<Integer>> ALLOWED = Map.ofEntries(
            Map.entry(BuiltinOperator.FULLY_CONNECTED, Set.of(1, 4, 7)),
            Map.entry(BuiltinOperator.ADD, Set.of(1, 2, 3)),
            Map.entry(BuiltinOperator.MUL, Set.of(1, 2, 3, 4)),
            Map.entry(BuiltinOperator.LOGISTIC, Set.of(1, 2, 3)),
            Map.entry(BuiltinOperator.TANH, Set.of(1, 2, 3)),
            Map.entry(BuiltinOperator.SPLIT, Set.of(1, 2, 4)),
            Map.entry(BuiltinOperator.STRIDED_SLICE, Set.of(1, 2)),
            Map.entry(BuiltinOperator.CONCATENATION, Set.of(1, 2, 3)),
            Map.entry(BuiltinOperator.RESHAPE, Set.of(1)),
            // the feature families (float32): TFLM's transpose.cc, elementwise.cc (ABS, LOG, RSQRT), div.cc, reduce.cc
            // the convolutional autoencoder: TFLM's conv.cc (ESP-NN's int8 convolution on the ESP32-S3)
            Map.entry(BuiltinOperator.CONV_2D, Set.of(1, 3, 4)),
            Map.entry(BuiltinOperator.TRANSPOSE, Set.of(1)),
            Map.entry(BuiltinOperator.ABS, Set.of(1)),
            Map.entry(BuiltinOperator.LOG, Set.of(1)),
            Map.entry(BuiltinOperator.RSQRT, Set.of(1)),
            Map.entry(BuiltinOperator.DIV, Set.of(1)),
            Map.entry(BuiltinOperator.REDUCE_MAX, Set.of(1)));
    private static final Set<Integer> TYPES = Set.of((int) TensorType.FLOAT32, (int) TensorType.INT8,
            (int) TensorType.INT16, (int) TensorType.INT32, (int) TensorType.INT64);

    private OpAllowList() {
    }

    /** @throws PackagingException ({@code UNSUPPORTED_OP}) listing every violation */
    public static void check(byte[] tflite) {
        List<String> problems = new ArrayList<>();
        ByteBuffer bb = ByteBuffer.wrap(tflite);
        if (!Model.ModelBufferHasIdentifier(bb)) {
            throw new PackagingException(Reason.UNSUPPORTED_OP, "not a TFLite model (no TFL3 identifier)");
        }
        Model m = Model.getRootAsModel(bb);
        if (m.version() != 3) {
            problems.add("schema version " + m.version() + " (TFLite Micro reads 3)");
        }
        if (m.subgraphsLength() != 1) {
            problems.add(m.subgraphsLength() + " subgraphs (TFLite Micro models here have exactly 1)");
        }
        for (int i = 0; i < m.operatorCodesLength(); i++) {
            OperatorCode oc = m.operatorCodes(i);
            int code = Math.max(oc.builtinCode(), oc.deprecatedBuiltinCode());
            String name = code >= 0 && code < BuiltinOperator.names.length ? BuiltinOperator.name(code) : "#" + code;
            if (oc.customCode() != null) {
                problems.add("custom op '" + oc.customCode() + "'");
            } else if (!ALLOWED.containsKey(code)) {
                problems.add(name + " (not on the TFLite Micro allow-list " + allowedNames() + ")");
            } else if (!ALLOWED.get(code).contains(oc.version())) {
                problems.add(name + " version " + oc.version() + " (accepted: " + ALLOWED.get(code) + ")");
            }
        }
        for (int s = 0; s < m.subgraphsLength(); s++) {
            SubGraph sg = m.subgraphs(s);
            for (int o = 0; o < sg.operatorsLength(); o++) {
                var op = sg.operators(o);
                OperatorCode oc = m.operatorCodes((int) op.opcodeIndex());
                if (Math.max(oc.builtinCode(), oc.deprecatedBuiltinCode()) == BuiltinOperator.CONCATENATION
                        && op.inputsLength() > Graph.MAX_CONCAT_INPUTS) {
                    problems.add("CONCATENATION #" + o + " has " + op.inputsLength() + " inputs (TFLite Micro takes at "
                            + "most " + Graph.MAX_CONCAT_INPUTS + ")");
                }
            }
            for (int t = 0; t < sg.tensorsLength(); t++) {
                int type = sg.tensors(t).type();
                if (!TYPES.contains(type)) {
                    problems.add("tensor " + sg.tensors(t).name() + " has type " + TensorType.name(type));
                }
            }
        }
        if (!problems.isEmpty()) {
            throw new PackagingException(Reason.UNSUPPORTED_OP, "the model would not load on TFLite Micro: "
                    + String.join("; ", problems));
        }
    }

    private static List<String> allowedNames() {
        return ALLOWED.keySet().stream().sorted().map(BuiltinOperator::name).toList();
    }
}
