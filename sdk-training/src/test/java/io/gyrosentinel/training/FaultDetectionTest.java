package io.gyrosentinel.training;

import io.gyrosentinel.recording.SessionLabel;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.gyrosentinel.training.internal.TfAutoencoderGraph;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class FaultDetectionTest {
    static TrainedModel model;
    static final List<EpochReport> reports = new ArrayList<>();
    static final MachineSignal NORMAL = new MachineSignal();

    @BeforeAll
    static void trainOnNormalData() {
        List<TimeSeries> normal = List.of(
                NORMAL.generate("normal-a", 40, 1, SessionLabel.NORMAL),
                NORMAL.generate("normal-b", 40, 2, SessionLabel.NORMAL));
        model = AutoencoderTrainer.builder()
                .windowLength(40).stride(10).maxEpochs(200)
                .seed(7)
                .listener(reports::add)
                .build()
                .train(normal);
        reports.forEach(r -> System.out.printf("epoch %d loss %.5f val %.5f lr %.5f %s%n", r.epoch(), r.trainLoss(),
                r.validationLoss(), r.learningRate(), r.epochTime()));
    }

    private static List<TimeSeries> heldOutNormal() {
        return List.of(NORMAL.generate("held-out-normal", 20, 101, SessionLabel.NORMAL));
    }

    @Test
    void imbalanceIsFoundWithRocAucAbove095() {
        List<TimeSeries> eval = new ArrayList<>(heldOutNormal());
        eval.add(new MachineSignal().imbalance(1.5).generate("imbalance", 20, 202, SessionLabel.ANOMALOUS));
        EvaluationReport report = model.evaluate(eval);
        System.out.println("imbalance: " + report);
        assertTrue(report.rocAuc() >= 0.95, report.toString());
    }

    @Test
    void bearingImpulsesAreFoundWithRocAucAbove095() {
        List<TimeSeries> eval = new ArrayList<>(heldOutNormal());
        eval.add(new MachineSignal().bearingImpulses(0.5).generate("bearing", 20, 303, SessionLabel.ANOMALOUS));
        EvaluationReport report = model.evaluate(eval);
        System.out.println("bearing: " + report);
        assertTrue(report.rocAuc() >= 0.95, report.toString());
    }

    @Test
    void perSampleLabelsMarkOnlyTheWindowsAfterTheFaultStarts() {
        TimeSeries before = NORMAL.generate("x", 10, 404, SessionLabel.NORMAL);
        TimeSeries after = new MachineSignal().bearingImpulses(0.5).generate("y", 10, 405, SessionLabel.ANOMALOUS);
        float[] a = before.samples();
        float[] b = after.samples();
        float[] joined = new float[a.length + b.length];
        System.arraycopy(a, 0, joined, 0, a.length);
        System.arraycopy(b, 0, joined, a.length, b.length);
        boolean[] labels = new boolean[joined.length / 3];
        java.util.Arrays.fill(labels, before.length(), labels.length, true);
        TimeSeries run = TimeSeries.builder().name("fault starts at 10 s").samples(joined, 3).sampleRateHz(200)
                .label(SessionLabel.ANOMALOUS).sampleLabels(labels).build();
        EvaluationReport report = model.evaluate(List.of(run), 10);
        long positives = report.windows().stream().filter(WindowScore::anomalous).count();
        // Windows ending after sample 2000 are anomalous: starts 1970, 1980, ... 3960.
        assertEquals((3960 - 1970) / 10 + 1, positives);
        assertTrue(report.rocAuc() >= 0.95, report.toString());
    }

    @Test
    void pureJavaScoresMatchTensorFlowOnTheTrainedModel() {
        List<WindowScore> windows = model.score(heldOutNormal().get(0), 40);
        int n = 64;
        int len = 40 * 3;
        float[] batch = new float[n * len];
        TimeSeries s = heldOutNormal().get(0);
        for (int w = 0; w < n; w++) {
            float[] raw = java.util.Arrays.copyOfRange(s.samples(), windows.get(w).start() * 3,
                    windows.get(w).end() * 3);
            System.arraycopy(model.normalize(raw), 0, batch, w * len, len);
        }
        float[][] params = model.parameters();
        try (TfAutoencoderGraph tf = new TfAutoencoderGraph(model.architecture(), 1)) {
            float[] y = tf.reconstruct(batch, n, params);
            double maxDiff = 0;
            for (int w = 0; w < n; w++) {
                float[] ref = model.reconstructNormalized(java.util.Arrays.copyOfRange(batch, w * len, (w + 1) * len));
                for (int k = 0; k < len; k++) {
                    maxDiff = Math.max(maxDiff, Math.abs(ref[k] - y[w * len + k]));
                }
            }
            assertTrue(maxDiff <= 1e-5, "max |java - tf| = " + maxDiff);
        }
    }

    @Test
    void heldOutNormalDataRaisesFewFalseAlarms() {
        EvaluationReport report = model.evaluate(heldOutNormal());
        assertTrue(report.falseAlarmRate() < 0.05, report.toString());
    }

    @Test
    void listenerSawEveryEpochAndBestWeightsWereRestored() {
        TrainingHistory h = model.history();
        assertEquals(h.epochs().size(), reports.size());
        EpochReport best = reports.stream().filter(r -> r.epoch() == h.bestEpoch()).findFirst().orElseThrow();
        assertEquals(best.validationLoss(), h.bestValidationLoss(), 1e-12);
        // An epoch counts as better only by more than minRelativeImprovement (default 1e-3): no epoch beat the
        // restored one by that much.
        double min = reports.stream().mapToDouble(EpochReport::validationLoss).min().orElseThrow();
        assertTrue(min >= h.bestValidationLoss() * (1 - 1e-3) - 1e-12, min + " vs best " + h.bestValidationLoss());
        assertTrue(h.bestValidationLoss() < reports.get(0).validationLoss());
    }
}
