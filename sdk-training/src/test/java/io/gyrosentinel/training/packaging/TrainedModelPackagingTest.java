package io.gyrosentinel.training.packaging;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.gyrosentinel.model.DeviceModel;
import io.gyrosentinel.model.InferenceEngines;
import io.gyrosentinel.training.AutoencoderTrainer;
import io.gyrosentinel.training.MachineSignal;
import io.gyrosentinel.training.TimeSeries;
import io.gyrosentinel.training.TimeSeries.Label;
import io.gyrosentinel.training.TrainedModel;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The whole path on a model the real trainer produced: train → pack int8 → score through the engine SPI. */
class TrainedModelPackagingTest {

    static float[][] windows(TimeSeries s, int t, int stride) {
        float[] x = s.samples();
        int f = s.channels();
        int n = (s.length() - t) / stride + 1;
        float[][] w = new float[n][];
        for (int i = 0; i < n; i++) {
            w[i] = java.util.Arrays.copyOfRange(x, i * stride * f, (i * stride + t) * f);
        }
        return w;
    }

    @Test
    void aTrainedModelPacksToInt8AndTheEngineScoresLikeTheTrainer() {
        MachineSignal normal = new MachineSignal();
        TrainedModel model = AutoencoderTrainer.builder().windowLength(40).stride(10).maxEpochs(12).seed(3).build()
                .train(List.of(normal.generate("a", 15, 1, Label.NORMAL), normal.generate("b", 15, 2, Label.NORMAL)));
        float[][] train = windows(normal.generate("c", 10, 3, Label.NORMAL), 40, 10);
        float[][] faults = windows(new MachineSignal().imbalance(1.5).generate("imb", 5, 4, Label.ANOMALOUS), 40, 10);
        ModelPackager int8 = ModelPackager.builder().modelId("trained-1").stride(10).sampleRateHz(3840).build();
        PackagedModel p;
        try {
            p = int8.pack(model, train, faults);
            System.out.println("trained: int8 passed: " + p.report().int8());
        } catch (PackagingException e) {
            // Known gap (see the packaging report): on trained models the int8 scores can rank normal windows
            // differently from float (int8 cell state); verification must then refuse, and float32 still ships.
            assertEquals(PackagingException.Reason.VERIFICATION_FAILED, e.reason());
            System.out.println("trained: int8 refused: " + e.getMessage());
            p = int8.toBuilder().precision(Precision.FLOAT32).build().pack(model, train, faults);
        }
        System.out.println("trained: " + p.report().float32() + "\ntrained: " + p.report().int8());
        System.out.println("trained: " + p.report().shippedCost().verdict());
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
}
