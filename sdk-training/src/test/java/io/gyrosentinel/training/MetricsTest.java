package io.gyrosentinel.training;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.gyrosentinel.training.internal.Metrics;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class MetricsTest {
    @Test
    void rocAucCountsTiesAsHalf() {
        double[] s = {0.1, 0.4, 0.35, 0.8};
        boolean[] y = {false, false, true, true};
        assertEquals(0.75, Metrics.rocAuc(s, y), 1e-12); // scikit-learn example
        assertEquals(0.5, Metrics.rocAuc(new double[] {1, 1}, new boolean[] {true, false}), 1e-12);
        assertTrue(Double.isNaN(Metrics.rocAuc(new double[] {1, 2}, new boolean[] {true, true})));
    }

    @Test
    void averagePrecisionMatchesScikitLearn() {
        assertEquals(0.8333333333, Metrics.averagePrecision(new double[] {0.1, 0.4, 0.35, 0.8},
                new boolean[] {false, false, true, true}), 1e-9);
    }

    @Test
    void ratesAtTheThresholdComeFromTheConfusionMatrix() {
        List<WindowScore> w = new ArrayList<>();
        double[] scores = {0.1, 0.2, 0.6, 0.9, 0.3, 0.7};
        boolean[] truth = {false, false, false, true, true, true};
        for (int i = 0; i < scores.length; i++) {
            w.add(new WindowScore(0, null, i, i + 1, truth[i], scores[i], scores[i] > 0.5));
        }
        EvaluationReport r = Metrics.report(w, 0.5);
        assertEquals(new ConfusionMatrix(2, 1, 2, 1), r.confusion());
        assertEquals(2 / 3.0, r.precision(), 1e-12);
        assertEquals(2 / 3.0, r.recall(), 1e-12);
        assertEquals(2 / 3.0, r.f1(), 1e-12);
        assertEquals(1 / 3.0, r.falseAlarmRate(), 1e-12);
        assertEquals(1 / 3.0, r.missedAlarmRate(), 1e-12);
    }
}
