package io.gyrosentinel.training;

import io.gyrosentinel.recording.SessionLabel;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.gyrosentinel.GyroSentinelException;
import io.gyrosentinel.training.internal.TfAutoencoderGraph;
import io.gyrosentinel.training.packaging.ModelPackager;
import io.gyrosentinel.training.packaging.PackagedModel;
import io.gyrosentinel.training.packaging.Precision;
import io.gyrosentinel.training.packaging.ReferenceWeights;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import java.util.EnumMap;
import java.util.Map;

/**
 * The window autoencoders besides the LSTM: {@code dense-ae} (fully connected) and {@code conv-ae} (1-D
 * convolutions), trained with TensorFlow Java, scored in Java, packaged int8 (ESP-NN's fully connected and
 * convolution kernels), int16x8 and float32, each verified in TFLite and TFLite Micro.
 */
class WindowAutoencoderTest {
    static final Map<ModelArchitecture.Cell, TrainedModel> MODELS = new EnumMap<>(ModelArchitecture.Cell.class);

    @BeforeAll
    static void train() {
        List<TimeSeries> normal = List.of(new MachineSignal().generate("n0", 30, 31, SessionLabel.NORMAL),
                new MachineSignal().generate("n1", 30, 32, SessionLabel.NORMAL));
        for (ModelArchitecture.Cell cell : new ModelArchitecture.Cell[] {ModelArchitecture.Cell.DENSE,
                ModelArchitecture.Cell.CONV}) {
            MODELS.put(cell, AutoencoderTrainer.builder().cell(cell).windowLength(40).maxEpochs(40).seed(3).build()
                    .train(normal));
        }
    }

    @ParameterizedTest
    @EnumSource(value = ModelArchitecture.Cell.class, names = {"DENSE", "CONV"})
    void itIsTheArchitectureAskedForAndFindsFaults(ModelArchitecture.Cell cell) {
        TrainedModel model = MODELS.get(cell);
        ModelArchitecture a = model.architecture();
        if (cell == ModelArchitecture.Cell.DENSE) {
            assertEquals(ModelFamily.DENSE_AE, model.family());
            assertEquals(List.of(32, 8), a.encoderUnits());
            assertEquals(List.of(32), a.decoderUnits());
            assertEquals(120 * 32 + 32 + 32 * 8 + 8 + 8 * 32 + 32 + 32 * 120 + 120, a.parameterCount());
        } else {
            assertEquals(ModelFamily.CONV_AE, model.family());
            assertEquals(List.of(16, 8), a.encoderUnits());
            assertEquals(List.of(8, 16), a.decoderUnits());
            // kernels of 5: 3->16, 16->8 (down), 8->8, 8->16 (up), 16->3 (out)
            assertEquals(5 * 3 * 16 + 16 + 5 * 16 * 8 + 8 + 5 * 8 * 8 + 8 + 5 * 8 * 16 + 16 + 5 * 16 * 3 + 3,
                    a.parameterCount());
        }
        List<TimeSeries> eval = new ArrayList<>();
        eval.add(new MachineSignal().generate("held-out", 20, 99, SessionLabel.NORMAL));
        eval.add(new MachineSignal().imbalance(1.5).generate("imbalance", 20, 202, SessionLabel.ANOMALOUS));
        EvaluationReport r = model.evaluate(eval, 10);
        assertTrue(r.rocAuc() > 0.95, "imbalance +50 %: ROC-AUC " + r.rocAuc());
        float[] w = eval.get(1).windows(40, 40)[3];
        float[] cs = model.channelScores(w);
        assertEquals(model.score(w), (cs[0] + cs[1] + cs[2]) / 3, 1e-5 * Math.max(1, model.score(w)));
    }

    @ParameterizedTest
    @EnumSource(value = ModelArchitecture.Cell.class, names = {"DENSE", "CONV"})
    void theJavaForwardPassIsTensorFlowsAndItSurvivesSaveAndLoad(ModelArchitecture.Cell cell, @TempDir Path dir) {
        TrainedModel model = MODELS.get(cell);
        float[][] windows = model.sampleWindows();
        int n = 16;
        int len = 40 * 3;
        float[] batch = new float[n * len];
        for (int i = 0; i < n; i++) {
            System.arraycopy(model.normalize(windows[i]), 0, batch, i * len, len);
        }
        float[] tf;
        try (TfAutoencoderGraph g = new TfAutoencoderGraph(model.architecture(), 1)) {
            tf = g.reconstruct(batch, n, model.parameters());
        }
        for (int i = 0; i < n; i++) {
            float[] x = java.util.Arrays.copyOfRange(batch, i * len, (i + 1) * len);
            float[] y = model.reconstructNormalized(x);
            for (int k = 0; k < len; k++) {
                assertEquals(tf[i * len + k], y[k], 1e-5, "window " + i + " value " + k);
            }
        }
        model.save(dir.resolve("m"));
        TrainedModel loaded = assertInstanceOf(TrainedModel.class, AnomalyModel.load(dir.resolve("m")));
        assertEquals(cell, loaded.architecture().cell());
        assertArrayEquals(model.parameters()[0], loaded.parameters()[0]);
        assertEquals(model.score(windows[0]), loaded.score(windows[0]));
        // the host C reference backend reads LSTMs only: refused by name, not mis-encoded
        GyroSentinelException e = assertThrows(GyroSentinelException.class, () -> ReferenceWeights.encode(model));
        assertTrue(e.getMessage().contains(model.family().id()), e.getMessage());
    }

    @Test
    void withDcRemovalAStaticOffsetChangesNothingOnTheHostOrInThePackagedModel(@TempDir Path dir) throws Exception {
        List<TimeSeries> normal = List.of(new MachineSignal().generate("n0", 20, 41, SessionLabel.NORMAL));
        TrainedModel m = AutoencoderTrainer.builder().cell(ModelArchitecture.Cell.DENSE).windowLength(40)
                .maxEpochs(10).removeDc(true).seed(4).build().train(normal);
        assertTrue(m.removesDc());
        TrainedModel again = AutoencoderTrainer.builder().cell(ModelArchitecture.Cell.DENSE).windowLength(40)
                .maxEpochs(10).removeDc(true).seed(4).build().train(normal);
        for (int i = 0; i < m.parameters().length; i++) {
            assertArrayEquals(m.parameters()[i], again.parameters()[i], "same data + seed = same weights");
        }
        float[] w = m.sampleWindows()[5];
        float[] shifted = w.clone();
        for (int i = 0; i < shifted.length; i++) {
            shifted[i] += 0.7f; // the sensor remounted at another tilt
        }
        assertEquals(m.score(w), m.score(shifted), 1e-4 * Math.max(1, m.score(w)));
        m.save(dir.resolve("dc"));
        TrainedModel loaded = (TrainedModel) AnomalyModel.load(dir.resolve("dc"));
        assertTrue(loaded.removesDc());
        assertEquals(m.score(w), loaded.score(w));
        assertTrue(java.nio.file.Files.readString(dir.resolve("dc/manifest.json")).contains("\"dc\" : \"remove\""));

        ModelPackager packager = ModelPackager.builder().modelId("dense-dc").precision(Precision.FLOAT32).build();
        PackagedModel p = packager.pack(m);
        assertTrue(p.report().float32().passed(), p.report().float32().toString());
        if (packager.tflmRunner() != null) {
            assertTrue(p.report().float32().micro().passed(), "TFLite Micro: " + p.report().float32().micro());
        }
        String manifest = p.bundle().manifestJson();
        assertTrue(manifest.contains("\"formatVersion\":2") && manifest.contains("\"dc\":\"remove\""), manifest);
        // the device engine removes DC as the trainer did
        var b = p.bundle();
        try (var dm = new io.gyrosentinel.training.packaging.internal.TfliteDeviceModel(
                io.gyrosentinel.training.packaging.internal.BundleManifest.parse(b), b.parts().get("model.tflite"))) {
            float[] want = m.channelScores(shifted);
            float[] got = dm.channelErrors(shifted);
            for (int k = 0; k < 3; k++) {
                assertEquals(want[k], got[k], 1e-4 * Math.max(1, want[k]));
            }
        }
    }

    @ParameterizedTest
    @EnumSource(value = ModelArchitecture.Cell.class, names = {"DENSE", "CONV"})
    void sameDataAndSeedGiveTheSameWeights(ModelArchitecture.Cell cell) {
        List<TimeSeries> normal = List.of(new MachineSignal().generate("n", 10, 51, SessionLabel.NORMAL));
        TrainedModel a = AutoencoderTrainer.builder().cell(cell).windowLength(40).maxEpochs(5).seed(9).build()
                .train(normal);
        TrainedModel b = AutoencoderTrainer.builder().cell(cell).windowLength(40).maxEpochs(5).seed(9).build()
                .train(normal);
        for (int i = 0; i < a.parameters().length; i++) {
            assertArrayEquals(a.parameters()[i], b.parameters()[i], cell + " tensor " + i);
        }
    }

    @Test
    void aConvWindowThatDoesNotDivideIsRefusedByName() {
        GyroSentinelException e = assertThrows(GyroSentinelException.class, () -> AutoencoderTrainer.builder()
                .cell(ModelArchitecture.Cell.CONV).windowLength(42).build());
        assertEquals("windowLength", e.field());
        assertTrue(e.getMessage().contains("divisible by 4"), e.getMessage());
    }

    @ParameterizedTest
    @EnumSource(value = ModelArchitecture.Cell.class, names = {"DENSE", "CONV"})
    void itPackagesInt8ForEspNnAndEveryPrecisionPasses(ModelArchitecture.Cell cell) {
        TrainedModel model = MODELS.get(cell);
        ModelPackager packager = ModelPackager.builder().modelId(model.family().id() + "-fan").precision(Precision.INT8).build();
        PackagedModel p = packager.pack(model);
        assertEquals(Precision.INT8, p.report().shipped());
        for (Precision q : Precision.values()) {
            assertTrue(p.report().verification(q).passed(), p.report().verification(q).toString());
            if (packager.tflmRunner() != null) {
                assertTrue(p.report().verification(q).micro().passed(), "TFLite Micro " + q);
            }
        }
        assertTrue(p.bundle().manifestJson().contains("\"family\":\"" + model.family().id() + "\""),
                p.bundle().manifestJson());
        assertTrue(p.report().shippedCost().macsPerWindow() > 0, p.report().shippedCost().verdict());
    }
}
