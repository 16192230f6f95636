package io.gyrosentinel.training.packaging;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.gyrosentinel.model.DeviceModel;
import io.gyrosentinel.model.InferenceEngineProvider;
import io.gyrosentinel.model.InferenceEngines;
import io.gyrosentinel.model.ModelBundle;
import io.gyrosentinel.training.ModelArchitecture;
import io.gyrosentinel.training.TrainedModel;
import io.gyrosentinel.training.packaging.internal.Graph;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.tensorflow.lite.schema.Buffer;
import org.tensorflow.lite.schema.BuiltinOperator;
import org.tensorflow.lite.schema.Model;
import org.tensorflow.lite.schema.OperatorCode;

class ModelPackagerTest {
    static TrainedModel model;
    static float[][] normal;
    static float[][] anomalous;
    static PackagedModel packaged;
    static PackagedModel packaged8;

    @BeforeAll
    static void packTheDefaultModel() {
        model = TestModels.random(TestModels.defaultArch(), 1);
        normal = TestModels.windows(model, 240, false, 2);
        anomalous = TestModels.windows(model, 60, true, 3);
        packaged = ModelPackager.builder().modelId("fan-1").sampleRateHz(3840).build().pack(model, normal, anomalous);
        packaged8 = ModelPackager.builder().modelId("fan-1-int8").precision(Precision.INT8).sampleRateHz(3840)
                .build().pack(model, normal, anomalous);
        for (Precision p : Precision.values()) {
            System.out.println(packaged.report().verification(p));
            System.out.println(packaged.report().cost(p).verdict());
        }
        System.out.println("manifest (" + packaged.bundle().manifest().length + " B): "
                + packaged.bundle().manifestJson());
    }

    @Test
    void defaultModelPassesVerificationInEveryPrecisionAndShipsInt16x8() {
        PackagingReport r = packaged.report();
        assertTrue(r.float32().passed() && r.int8().passed() && r.int16x8().passed());
        assertTrue(r.float32().maxAbsError() <= 1e-4, r.float32().toString());
        for (Verification v : new Verification[] {r.int8(), r.int16x8()}) {
            assertTrue(v.spearman() >= 0.99, v.toString());
            assertTrue(v.rocAuc() >= v.referenceRocAuc() - 0.01, v.toString());
            assertEquals(120, v.normalWindows());
            assertEquals(60, v.anomalousWindows());
        }
        assertEquals(Precision.INT16X8, r.shipped());
        assertFalse(r.fellBack());
        assertEquals(Precision.INT8, packaged8.report().shipped());
        assertFalse(packaged8.report().fellBack());
    }

    @Test
    void bundleHasTheModelAReportAndAManifestWithinTheProtocolLimit() {
        ModelBundle b = packaged.bundle();
        assertEquals(List.of("model.tflite", "report.json"), List.copyOf(b.parts().keySet()));
        assertTrue(b.manifest().length <= 1024);
        String m = b.manifestJson();
        for (String key : List.of("\"formatVersion\":1", "\"modelId\":\"fan-1\"", "\"window\":40", "\"stride\":40",
                "\"channels\":3", "\"mean\":", "\"std\":", "\"threshold\":", "\"quantization\":\"int16x8\"", "\"sha256\":",
                "\"layout\":\"window\"", "\"cost\":", "\"metrics\":")) {
            assertTrue(m.contains(key), key + " missing from " + m);
        }
        BundleVerifier.verify(b, null);
    }

    @Test
    void costCardOfTheDefaultModel() {
        CostCard c = packaged.report().int16x8Cost();
        assertEquals(c, packaged.report().shippedCost());
        // 5 steps of 8 samples (24 values); 2 encoder + 2 decoder layers, [x_t, h] per step, latent projected once:
        // enc0 5 x 40 x 64, enc1 5 x 24 x 32, dec0 8 x 32 + 5 x 8 x 32, dec1 5 x 24 x 64, output 5 x 16 x 24 =
        // 27,776 MACs, less the recurrent products of step 0 (h = 0) in each layer: 1024 + 256 + 256 + 1024.
        assertEquals(27_776 - 2_560, c.macsPerWindow());
        assertEquals(40, c.stride());
        assertEquals(c.macsPerWindow() / 40.0, c.macsPerSample(), 1e-9);
        assertTrue(c.flashBytes() > 0 && c.arenaBytes() > 0);
        // The rejected step layout never costs less than the whole-window model.
        for (Precision p : Precision.values()) {
            assertTrue(packaged.report().stepLayoutMicros().get(p) >= packaged.report().cost(p).microsPerSample(),
                    p.id());
        }
    }

    /**
     * Issue #4's goal, on the cost card (an estimate from documented kernel figures, not a timing): the default
     * model at the sensor's full 3840 Hz needs at most 25 % of one ESP32-S3 core, as shipped (int16x8) and in
     * float32. (int8 does not: its fixed-point LOGISTIC/TANH cost more than ESP-NN saves on its FC.)
     */
    @Test
    void theDefaultModelAtTheSensorsFullRateFitsInAQuarterOfACore() {
        for (CostCard c : new CostCard[] {packaged.report().shippedCost(), packaged.report().float32Cost()}) {
            assertEquals(3840, c.sampleRateHz());
            assertTrue(c.microsPerSample() <= 65.0 && c.percentOfCore() <= 25.0, c.verdict());
        }
        assertEquals(Precision.INT16X8, packaged.report().shippedCost().precision());
    }

    /** The bundle's model, after checking that its input and output tensors have type {@code io}. */
    static Model modelWithIo(PackagedModel p, byte io) {
        Model m = Model.getRootAsModel(ByteBuffer.wrap(p.bundle().part("model.tflite")));
        org.tensorflow.lite.schema.SubGraph sg = m.subgraphs(0);
        assertEquals(io, sg.tensors(sg.inputs(0)).type());
        assertEquals(io, sg.tensors(sg.outputs(0)).type());
        return m;
    }

    @Test
    void theInt8ModelIsFullIntegerWithInt32BiasesAndTheInt8OpVersions() {
        Model m = modelWithIo(packaged8, org.tensorflow.lite.schema.TensorType.INT8);
        org.tensorflow.lite.schema.SubGraph sg = m.subgraphs(0);
        java.util.Map<Integer, java.util.Set<Integer>> versions = new java.util.HashMap<>();
        for (int i = 0; i < m.operatorCodesLength(); i++) {
            versions.computeIfAbsent(m.operatorCodes(i).builtinCode(), k -> new java.util.HashSet<>())
                    .add(m.operatorCodes(i).version());
        }
        assertEquals(java.util.Set.of(4), versions.get(BuiltinOperator.FULLY_CONNECTED));
        assertEquals(java.util.Set.of(2), versions.get(BuiltinOperator.ADD));
        assertTrue(java.util.Set.of(2, 3).containsAll(versions.get(BuiltinOperator.MUL)), versions.toString());
        for (int op : new int[] {BuiltinOperator.LOGISTIC, BuiltinOperator.TANH, BuiltinOperator.SPLIT,
                BuiltinOperator.CONCATENATION}) {
            assertEquals(java.util.Set.of(2), versions.get(op), BuiltinOperator.name(op));
        }
        for (int o = 0; o < sg.operatorsLength(); o++) {
            org.tensorflow.lite.schema.Operator op = sg.operators(o);
            int code = m.operatorCodes((int) op.opcodeIndex()).builtinCode();
            for (int k = 0; k < op.outputsLength(); k++) {
                assertEquals(org.tensorflow.lite.schema.TensorType.INT8, sg.tensors(op.outputs(k)).type());
            }
            if (code == BuiltinOperator.FULLY_CONNECTED) {
                assertEquals(org.tensorflow.lite.schema.TensorType.INT8, sg.tensors(op.inputs(1)).type());
                assertEquals(0L, sg.tensors(op.inputs(1)).quantization().zeroPoint(0), "symmetric weights");
                if (op.inputs(2) < 0) {
                    continue;
                }
                assertEquals(org.tensorflow.lite.schema.TensorType.INT32, sg.tensors(op.inputs(2)).type());
                float sIn = sg.tensors(op.inputs(0)).quantization().scale(0);
                float sW = sg.tensors(op.inputs(1)).quantization().scale(0);
                assertEquals(sIn * sW, sg.tensors(op.inputs(2)).quantization().scale(0), 1e-6 * sIn * sW);
            } else if (code == BuiltinOperator.LOGISTIC) {
                assertEquals(1f / 256, sg.tensors(op.outputs(0)).quantization().scale(0));
                assertEquals(-128L, sg.tensors(op.outputs(0)).quantization().zeroPoint(0));
            } else if (code == BuiltinOperator.TANH) {
                assertEquals(1f / 128, sg.tensors(op.outputs(0)).quantization().scale(0));
                assertEquals(0L, sg.tensors(op.outputs(0)).quantization().zeroPoint(0));
            }
        }
    }

    @Test
    void theInt16x8ModelHasInt16ActivationsAndTheInt16OpVersions() {
        Model m = modelWithIo(packaged, org.tensorflow.lite.schema.TensorType.INT16);
        org.tensorflow.lite.schema.SubGraph sg = m.subgraphs(0);
        java.util.Map<Integer, Integer> versions = new java.util.HashMap<>();
        for (int i = 0; i < m.operatorCodesLength(); i++) {
            versions.put(m.operatorCodes(i).builtinCode(), m.operatorCodes(i).version());
        }
        assertEquals(java.util.Map.of(BuiltinOperator.FULLY_CONNECTED, 7, BuiltinOperator.ADD, 3, BuiltinOperator.MUL, 4,
                BuiltinOperator.LOGISTIC, 3, BuiltinOperator.TANH, 3, BuiltinOperator.SPLIT, 4,
                BuiltinOperator.CONCATENATION, 3), versions);
        for (int o = 0; o < sg.operatorsLength(); o++) {
            org.tensorflow.lite.schema.Operator op = sg.operators(o);
            int code = m.operatorCodes((int) op.opcodeIndex()).builtinCode();
            if (code == BuiltinOperator.FULLY_CONNECTED) {
                assertEquals(org.tensorflow.lite.schema.TensorType.INT8, sg.tensors(op.inputs(1)).type());
                if (op.inputs(2) < 0) {
                    continue;  // h·recurrent of the decoder's first layer has no bias
                }
                assertEquals(org.tensorflow.lite.schema.TensorType.INT64, sg.tensors(op.inputs(2)).type());
                float sIn = sg.tensors(op.inputs(0)).quantization().scale(0);
                float sW = sg.tensors(op.inputs(1)).quantization().scale(0);
                assertEquals(sIn * sW, sg.tensors(op.inputs(2)).quantization().scale(0), 1e-6 * sIn * sW);
            } else if (code == BuiltinOperator.ADD) {
                org.tensorflow.lite.schema.AddOptions a = (org.tensorflow.lite.schema.AddOptions) op.builtinOptions(
                        new org.tensorflow.lite.schema.AddOptions());
                assertFalse(a.potScaleInt16(), "int16 ADD needs general scales");
            } else if (code == BuiltinOperator.LOGISTIC || code == BuiltinOperator.TANH) {
                assertEquals(1f / 32768, sg.tensors(op.outputs(0)).quantization().scale(0));
                assertEquals(0L, sg.tensors(op.outputs(0)).quantization().zeroPoint(0));
            }
        }
    }

    @Test
    void theCostCardUsesTheKernelsTheFirmwareRuns() {
        CostCard q = packaged.report().int16x8Cost();
        CostCard i8 = packaged.report().int8Cost();
        CostCard f = packaged.report().float32Cost();
        // One LOGISTIC over i, f, o and one TANH over g per step: 11 ops per step and layer (12 in the decoder's
        // first layer, which adds the latent projection), 35 + 45 per step after the first: 215 for 5 steps.
        assertEquals(35 + 45 * 4, q.ops());
        assertEquals(q.ops(), f.ops());
        assertEquals(q.ops(), i8.ops());
        // The int16 FC on the reference kernel dominates int16x8, which costs more than float; int8 costs more still:
        // ESP-NN speeds up its FC, but its LOGISTIC/TANH are gemmlowp fixed point (as measured in TFLM on the host).
        assertTrue(q.cyclesPerWindow() > f.cyclesPerWindow(), q.verdict() + " / " + f.verdict());
        assertTrue(i8.cyclesPerWindow() > q.cyclesPerWindow(), q.verdict() + " / " + i8.verdict());
        assertTrue(q.verdict().contains("int16x8 reference"), q.verdict());
        assertTrue(i8.verdict().contains("int8 ESP-NN"), i8.verdict());
        assertTrue(f.verdict().contains("float reference"), f.verdict());
    }

    @Test
    void everyWeightBufferIs16ByteAlignedAndTheHeaderIsWhatTfliteMicroReads() {
        byte[] tflite = packaged.bundle().part("model.tflite");
        ByteBuffer bb = ByteBuffer.wrap(tflite);
        assertTrue(Model.ModelBufferHasIdentifier(bb));
        Model m = Model.getRootAsModel(bb);
        assertEquals(3, m.version());
        assertEquals(0, m.buffers(0).dataLength());
        int withData = 0;
        for (int i = 0; i < m.buffersLength(); i++) {
            Buffer buf = m.buffers(i);
            if (buf.dataLength() > 0) {
                withData++;
                assertEquals(0, buf.dataAsByteBuffer().position() % 16, "buffer " + i);
            }
        }
        assertTrue(withData > 10);
        for (int i = 0; i < m.operatorCodesLength(); i++) {
            OperatorCode oc = m.operatorCodes(i);
            assertEquals(oc.builtinCode(), oc.deprecatedBuiltinCode());
        }
    }

    @Test
    void theRegisteredEngineScoresLikeTheTrainer() {
        InferenceEngineProvider engine = InferenceEngines.installed().stream()
                .filter(e -> e.name().equals("tflite")).findFirst().orElseThrow();
        PackagedModel f32 = ModelPackager.builder().modelId("fan-1-f32").precision(Precision.FLOAT32).build()
                .pack(model, normal, anomalous);
        try (DeviceModel dm = engine.load(f32.bundle()); DeviceModel q8 = engine.load(packaged8.bundle());
             DeviceModel q16 = engine.load(packaged.bundle())) {
            assertEquals(40, dm.windowSize());
            assertEquals(40, dm.stride());
            assertEquals(3, dm.channels());
            assertEquals((float) model.threshold().value(), dm.threshold());
            for (int k = 0; k < 20; k++) {
                float[] w = k % 2 == 0 ? normal[k] : anomalous[k];
                double ref = model.score(w);
                assertEquals(ref, mean(dm.channelErrors(w)), 1e-5 * Math.max(1, ref), "float window " + k);
                assertEquals(ref, mean(q8.channelErrors(w)), 0.10 * ref, "int8 window " + k);
                assertEquals(ref, mean(q16.channelErrors(w)), 0.05 * ref, "int16x8 window " + k);
            }
        }
    }

    static Stream<Arguments> architectures() {
        return Stream.of(
                Arguments.of(TestModels.arch(8, 1, List.of(4), List.of(4)), Precision.FLOAT32),
                Arguments.of(TestModels.arch(8, 1, List.of(4), List.of(4)), Precision.INT8),
                Arguments.of(TestModels.arch(8, 1, List.of(4), List.of(4)), Precision.INT16X8),
                Arguments.of(TestModels.arch(12, 2, List.of(8, 6, 4), List.of(4, 8)), Precision.FLOAT32),
                Arguments.of(TestModels.arch(12, 2, List.of(8, 6, 4), List.of(4, 8)), Precision.INT8),
                Arguments.of(TestModels.arch(12, 2, List.of(8, 6, 4), List.of(4, 8)), Precision.INT16X8),
                Arguments.of(TestModels.arch(16, 3, List.of(12), List.of(6, 8, 12)), Precision.INT16X8),
                // frames: 4 steps of 3 samples x 2 channels, and 2 steps of 8 samples x 3 channels
                Arguments.of(TestModels.arch(12, 2, 3, List.of(8, 4), List.of(4, 8)), Precision.FLOAT32),
                Arguments.of(TestModels.arch(12, 2, 3, List.of(8, 4), List.of(4, 8)), Precision.INT8),
                Arguments.of(TestModels.arch(12, 2, 3, List.of(8, 4), List.of(4, 8)), Precision.INT16X8),
                Arguments.of(TestModels.arch(16, 3, 8, List.of(12), List.of(6, 8, 12)), Precision.INT8));
    }

    @ParameterizedTest
    @MethodSource("architectures")
    void everyLayerAndOpPathPacksAndVerifies(ModelArchitecture arch, Precision precision) {
        TrainedModel m = TestModels.random(arch, 11);
        // Op paths, not device fitness: one sample per step needs more than the default 64 KiB arena in TFLite Micro
        // (TflmConformanceTest covers that refusal); the largest configurable arena holds every one of these.
        PackagedModel p = ModelPackager.builder().precision(precision).stride(arch.windowLength() / 2)
                .deviceArenaBytes(ModelPackager.MAX_DEVICE_ARENA_BYTES).build()
                .pack(m, TestModels.windows(m, 120, false, 5), TestModels.windows(m, 40, true, 6));
        assertEquals(precision, p.report().shipped(), p.report().int8().toString());
        assertTrue(p.report().float32().passed() && p.report().shippedVerification().passed());
        MicroCheck mc = p.report().shippedVerification().micro();
        assertTrue(!mc.ran() || mc.passed(), mc.toString());
        assertTrue(p.bundle().manifestJson().contains("\"quantization\":\"" + precision.id() + "\""));
        assertTrue(p.bundle().modelId().startsWith("gs-"));
    }

    @Test
    void shipCheapestShipsThePassingPrecisionWithTheLowestCost() {
        TrainedModel m = TestModels.random(TestModels.defaultArch(), 5);
        float[][] normal = TestModels.windows(m, 40, false, 1);
        float[][] faults = TestModels.windows(m, 20, true, 2);
        PackagingReport asked = ModelPackager.builder().build().pack(m, normal, faults).report();
        PackagingReport cheapest = ModelPackager.builder().shipCheapest(true).build().pack(m, normal, faults).report();
        assertEquals(Precision.INT16X8, asked.shipped());
        for (Precision q : Precision.values()) {
            if (cheapest.verification(q).passed()) {
                assertTrue(cheapest.cost(cheapest.shipped()).microsPerSample() <= cheapest.cost(q).microsPerSample(),
                        q + " costs less than the shipped " + cheapest.shipped());
            }
        }
        assertTrue(cheapest.verification(cheapest.shipped()).passed());
    }

    @Test
    void anUnsupportedArchitectureIsRefusedWithAClearMessage() {
        TrainedModel wide = TestModels.random(TestModels.arch(8, 12, List.of(4), List.of(4)), 3);
        PackagingException e = assertThrows(PackagingException.class, () -> ModelPackager.builder().build()
                .pack(wide, TestModels.windows(wide, 4, false, 1), TestModels.windows(wide, 2, true, 1)));
        assertEquals(PackagingException.Reason.UNSUPPORTED_ARCHITECTURE, e.reason());
        assertTrue(e.getMessage().contains("12 channels > 3"), e.getMessage());
    }

    @Test
    void aBrokenModelFailsVerificationAndNothingIsWritten(@TempDir Path dir) {
        Path out = dir.resolve("broken.gsb");
        ModelPackager broken = ModelPackager.builder().graphHook(ModelPackagerTest::perturbOneWeight).build();
        PackagingException e = assertThrows(PackagingException.class,
                () -> broken.packTo(model, normal, anomalous, out));
        assertEquals(PackagingException.Reason.VERIFICATION_FAILED, e.reason());
        assertTrue(e.getMessage().contains("FAIL"), e.getMessage());
        assertFalse(Files.exists(out));
        try (Stream<Path> files = Files.list(dir)) {
            assertEquals(0, files.count());
        } catch (java.io.IOException ex) {
            throw new AssertionError(ex);
        }
    }

    /**
     * Adds 0.05 to one recurrent weight of the first encoder layer (input gate, first column after the F input
     * columns of {@code [kernel | recurrent]}), as a corrupted export would.
     */
    static void perturbOneWeight(Graph g) {
        Graph.Tensor w = g.tensors.stream().filter(t -> t.name.equals("enc0.kernel_recurrent_ifo")).findFirst()
                .orElseThrow();
        w.constData[w.shape[1] - 16] += 0.05f;
    }

    /**
     * Breaks an int8 graph (only): its output becomes its own (quantised) input, so its score is the input's
     * rounding error, which does not rank windows like the model's reconstruction error. (Perturbing weights is
     * not enough with random-weight models: their scores rank by the input's energy whatever the weights.)
     */
    static void breakInt8(Graph g) {
        if (g.tensor(g.input).dtype == Graph.DType.INT8) {
            g.output = g.input;
        }
    }

    @Test
    void whenInt8FailsVerificationInt16x8ShipsAndTheReportSaysSo() {
        PackagedModel p = ModelPackager.builder().precision(Precision.INT8).graphHook(ModelPackagerTest::breakInt8).build()
                .pack(model, normal, anomalous);
        PackagingReport r = p.report();
        assertFalse(r.int8().passed(), r.int8().toString());
        assertEquals(Precision.INT8, r.requested());
        assertEquals(Precision.INT16X8, r.shipped());
        assertTrue(r.fellBack());
        assertTrue(p.bundle().manifestJson().contains("\"quantization\":\"int16x8\""));
        assertTrue(p.bundle().manifestJson().contains("\"shipped\":\"int16x8\"") || new String(
                p.bundle().part("report.json"), java.nio.charset.StandardCharsets.UTF_8).contains("\"shipped\":\"int16x8\""));
        PackagingException e = assertThrows(PackagingException.class, () -> ModelPackager.builder()
                .precision(Precision.INT8).graphHook(ModelPackagerTest::breakInt8).fallbackToInt16x8(false).build()
                .pack(model, normal, anomalous));
        assertEquals(PackagingException.Reason.VERIFICATION_FAILED, e.reason());
        assertTrue(e.getMessage().contains("int8: FAIL"), e.getMessage());
    }

    /** A precision nobody asked for that cannot be built is reported as such; it does not stop the package. */
    @Test
    void aPrecisionThatWasNotRequestedAndFailsToBuildIsReportedNotThrown() {
        java.util.function.Consumer<Graph> failInt8 = g -> {
            if (g.tensor(g.input).dtype == Graph.DType.INT8) {
                throw new IllegalStateException("int8 exploded");
            }
        };
        PackagedModel p = ModelPackager.builder().precision(Precision.FLOAT32).graphHook(failInt8).build()
                .pack(model, normal, anomalous);
        assertEquals(Precision.FLOAT32, p.report().shipped());
        assertFalse(p.report().int8().passed());
        assertTrue(p.report().int8().criteria().contains("not built: int8 exploded"), p.report().int8().toString());
        assertNull(p.report().int8Cost());
        assertTrue(p.report().int16x8().passed());
        // ... but the requested precision must build
        assertThrows(IllegalStateException.class, () -> ModelPackager.builder().precision(Precision.INT8)
                .fallbackToInt16x8(false).graphHook(failInt8).build().pack(model, normal, anomalous));
    }

    @Test
    void referenceWeightsForOneSamplePerStepStayVersion1ForOlderBackends() {
        byte[] k1 = ReferenceWeights.encode(TestModels.random(TestModels.arch(8, 1, List.of(4), List.of(4)), 1));
        byte[] k4 = ReferenceWeights.encode(TestModels.random(TestModels.arch(8, 1, 4, List.of(4), List.of(4)), 1));
        assertEquals(1, java.nio.ByteBuffer.wrap(k1, 4, 4).order(java.nio.ByteOrder.LITTLE_ENDIAN).getInt());
        assertEquals(2, java.nio.ByteBuffer.wrap(k4, 4, 4).order(java.nio.ByteOrder.LITTLE_ENDIAN).getInt());
        assertEquals(4, java.nio.ByteBuffer.wrap(k4, 16, 4).order(java.nio.ByteOrder.LITTLE_ENDIAN).getInt());
    }

    @Test
    void missingAnomalousWindowsAreABadInput() {
        PackagingException e = assertThrows(PackagingException.class,
                () -> ModelPackager.builder().build().pack(model, normal, new float[0][]));
        assertEquals(PackagingException.Reason.BAD_INPUT, e.reason());
    }

    @Test
    void packagingIsDeterministic() {
        PackagedModel again = ModelPackager.builder().modelId("fan-1").sampleRateHz(3840).build()
                .pack(model, normal, anomalous);
        assertArrayEquals(packaged.bundle().part("model.tflite"), again.bundle().part("model.tflite"));
    }

    static double mean(float[] v) {
        double s = 0;
        for (float x : v) {
            s += x;
        }
        return s / v.length;
    }
}
