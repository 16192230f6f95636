package io.gyrosentinel.training.packaging;

import io.gyrosentinel.recording.SessionLabel;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.gyrosentinel.model.DeviceModel;
import io.gyrosentinel.model.InferenceEngines;
import io.gyrosentinel.training.AutoencoderTrainer;
import io.gyrosentinel.training.MachineSignal;
import io.gyrosentinel.training.TimeSeries;
import io.gyrosentinel.training.TrainedModel;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The whole path on a model the real trainer produced: train → pack (int16x8) → score through the engine SPI. */
class TrainedModelPackagingTest {

    @Test
    void aTrainedModelPacksToInt16x8AndTheEngineScoresLikeTheTrainer() {
        MachineSignal normal = new MachineSignal();
        TrainedModel model = AutoencoderTrainer.builder().windowLength(40).stride(10).maxEpochs(12).seed(3).build()
                .train(List.of(normal.generate("a", 15, 1, SessionLabel.NORMAL), normal.generate("b", 15, 2, SessionLabel.NORMAL)));
        float[][] train = normal.generate("c", 10, 3, SessionLabel.NORMAL).windows(40, 10);
        float[][] faults = new MachineSignal().imbalance(1.5).generate("imb", 5, 4, SessionLabel.ANOMALOUS).windows(40, 10);
        ModelPackager packager = ModelPackager.builder().modelId("trained-1").stride(10).sampleRateHz(3840).build();
        // With one sample per LSTM step this model (seed 3) failed all-int8 activations (Spearman 0.937 vs float);
        // the default int16x8 model (int8 weights, int16 activations) must pass the unchanged criteria.
        PackagedModel p = packager.pack(model, train, faults);
        Verification v = p.report().int16x8();
        System.out.println("trained: " + p.report().float32() + "\ntrained: " + v + "\ntrained: " + p.report().int8());
        System.out.println("trained: " + p.report().shippedCost().verdict());
        assertEquals(Precision.INT16X8, p.report().shipped());
        assertTrue(v.passed(), v.toString());
        assertTrue(v.spearman() >= 0.99, v.toString());
        assertTrue(v.rocAuc() >= v.referenceRocAuc() - 0.01, v.toString());
        assertTrue(p.report().float32().passed());
        try (DeviceModel dm = InferenceEngines.require().load(p.bundle())) {
            assertEquals(10, dm.stride());
            int agree = 0;
            for (float[] w : faults) {
                float[] e = dm.channelErrors(w);
                double score = (e[0] + e[1] + e[2]) / 3.0;
                agree += (score > dm.threshold()) == model.threshold().isAnomalous(model.score(w)) ? 1 : 0;
            }
            assertTrue(agree >= faults.length * 0.9, agree + "/" + faults.length + " alarm decisions agree");
        }
    }

    @Test
    void aSmallerTrainedModelAlsoPassesInt8() {
        MachineSignal normal = new MachineSignal();
        TrainedModel model = AutoencoderTrainer.builder().windowLength(24).stride(8).encoderUnits(12, 6)
                .decoderUnits(6, 12).maxEpochs(8).seed(5).build()
                .train(List.of(normal.generate("a", 10, 11, SessionLabel.NORMAL), normal.generate("b", 10, 12, SessionLabel.NORMAL)));
        float[][] train = normal.generate("c", 8, 13, SessionLabel.NORMAL).windows(24, 8);
        float[][] faults = new MachineSignal().imbalance(1.5).generate("imb", 4, 14, SessionLabel.ANOMALOUS).windows(24, 8);
        PackagedModel p = ModelPackager.builder().modelId("trained-2").build().pack(model, train, faults);
        // 3 steps of 8 samples: full-integer int8 passes here, and so does the shipped int16x8 model
        Verification v = p.report().int8();
        System.out.println("trained-2: " + v);
        assertTrue(v.passed() && v.spearman() >= 0.99 && v.rocAuc() >= v.referenceRocAuc() - 0.01, v.toString());
        assertEquals(Precision.INT16X8, p.report().shipped());
        assertTrue(p.report().shippedVerification().passed(), p.report().shippedVerification().toString());
    }
}
