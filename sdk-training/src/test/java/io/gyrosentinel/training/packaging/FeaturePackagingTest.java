package io.gyrosentinel.training.packaging;

import io.gyrosentinel.recording.SessionLabel;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.gyrosentinel.model.ModelBundle;
import io.gyrosentinel.training.FeatureModel;
import io.gyrosentinel.training.FeatureModelTrainer;
import io.gyrosentinel.training.MachineSignal;
import io.gyrosentinel.training.ModelFamily;
import io.gyrosentinel.training.SyntheticAnomalies;
import io.gyrosentinel.training.TimeSeries;
import io.gyrosentinel.training.packaging.internal.BundleManifest;
import io.gyrosentinel.training.packaging.internal.OpAllowList;
import io.gyrosentinel.training.packaging.internal.TfliteDeviceModel;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The statistical families packaged for TFLite Micro: the float32 graph of features and score reproduces the Java
 * model in TFLite 2.6.2 and (CI builds the firmware's host TFLM runner first) in TensorFlow Lite Micro through the
 * firmware's backend, and the Java device engine scores it as the firmware does.
 */
class FeaturePackagingTest {

    @ParameterizedTest
    @EnumSource(value = ModelFamily.class, names = {"FEATURES_MAHALANOBIS", "FEATURES_PCA"})
    void aFeatureModelPackagesVerifiesAndRunsAsTheDeviceRunsIt(ModelFamily family) throws Exception {
        List<TimeSeries> normal = List.of(new MachineSignal().generate("n0", 30, 21, SessionLabel.NORMAL),
                new MachineSignal().generate("n1", 30, 22, SessionLabel.NORMAL));
        FeatureModel model = FeatureModelTrainer.builder().family(family).windowLength(64).build().train(normal);
        ModelPackager packager = ModelPackager.builder().modelId("fan-" + family.id()).stride(16).build();
        PackagedModel p = packager.pack(model);

        PackagingReport r = p.report();
        assertEquals(Precision.FLOAT32, r.shipped());
        Verification v = r.float32();
        assertTrue(v.passed(), v.toString());
        assertTrue(v.maxAbsError() < 1e-3, "relative error of the channel scores " + v.maxAbsError());
        assertTrue(v.spearman() > 0.999, "ranking " + v.spearman());
        assertEquals(v.referenceRocAuc(), v.rocAuc(), 1e-3);
        assertFalse(r.int8().passed());
        assertTrue(r.int8().criteria().contains("float32 only"), r.int8().criteria());
        if (packager.tflmRunner() != null) {
            MicroCheck m = v.micro();
            assertTrue(m.ran() && m.loaded() && m.passed(), "TFLite Micro: " + m);
            assertTrue(m.maxRelError() < 1e-3, "TFLite Micro vs Java " + m.maxRelError());
        }
        CostCard c = r.shippedCost();
        assertTrue(c.macsPerWindow() > 0 && c.flashBytes() > 0 && c.arenaBytes() > 0, c.toString());

        ModelBundle b = p.bundle();
        JsonNode manifest = new ObjectMapper().readTree(b.manifestJson());
        assertEquals("channel_scores", manifest.path("output").asText());
        assertEquals(family.id(), manifest.path("family").asText());
        assertEquals(16, manifest.path("stride").asInt());
        OpAllowList.check(b.parts().get("model.tflite"));

        // The Java device engine (the VirtualDevice's): the model's output are the channel scores
        float[][] windows = model.sampleWindows();
        float[][] faults = SyntheticAnomalies.from(windows, model, 3);
        try (TfliteDeviceModel dm = new TfliteDeviceModel(BundleManifest.parse(b), b.parts().get("model.tflite"))) {
            for (float[][] set : new float[][][] {windows, faults}) {
                for (int i = 0; i < 20; i++) {
                    float[] want = model.channelScores(set[i]);
                    float[] got = dm.channelErrors(set[i]);
                    for (int k = 0; k < 3; k++) {
                        assertEquals(want[k], got[k], 1e-3 * Math.max(1, Math.abs(want[k])), "window " + i);
                    }
                }
            }
        }
    }
}
