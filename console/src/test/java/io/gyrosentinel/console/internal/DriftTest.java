package io.gyrosentinel.console.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;

import org.junit.jupiter.api.Test;

class DriftTest {
    /** Gamma-like positive scores, as reconstruction errors are. */
    private static float score(Random r, double scale) {
        double g = 0;
        for (int i = 0; i < 3; i++) {
            double n = r.nextGaussian();
            g += n * n;
        }
        return (float) (scale * g / 3);
    }

    @Test
    void learnsThenStaysStableOnTheSameMachineAndFlagsACreepingOne() {
        Random r = new Random(7);
        Drift d = new Drift();
        for (int i = 0; i < Drift.WINDOWS; i++) {
            d.add("m1", score(r, 1), 5f, false);
        }
        assertEquals(Drift.State.LEARNING, d.verdict().state(), "no rolling window yet");
        for (int i = 0; i < Drift.WINDOWS; i++) {
            d.add("m1", score(r, 1), 5f, false);
            d.add("m1", 40f, 5f, true); // windows of an anomaly episode are left out
        }
        Drift.Verdict same = d.verdict();
        assertEquals(Drift.State.STABLE, same.state(), same.toString());
        assertTrue(same.ks() < 0.1 && Math.abs(same.medianRatio() - 1) < 0.15, same.toString());

        for (int i = 0; i < Drift.WINDOWS; i++) {
            d.add("m1", score(r, 1.8), 5f, false); // a bearing wearing in: scores up, still below the threshold
        }
        Drift.Verdict worn = d.verdict();
        assertEquals(Drift.State.DRIFTING, worn.state(), worn.toString());
        assertTrue(worn.medianRatio() > 1.5, worn.toString());
        assertTrue(worn.suggestion().contains("risen"), worn.suggestion());
        assertTrue(worn.p95OfThreshold() < 1, "no alarm fired: " + worn);

        d.add("m1", score(r, 1.8), 6f, false); // a calibration set a new threshold: a new reference
        assertEquals(Drift.State.LEARNING, d.verdict().state());
        d.add("m2", score(r, 1.8), 6f, false);
        assertEquals(Drift.State.LEARNING, d.verdict().state(), "another model");
    }

    @Test
    void ksDistanceOfSortedSamples() {
        assertEquals(0, Drift.ks(new float[] {1, 2, 3}, new float[] {1, 2, 3}), 1e-9);
        assertEquals(1, Drift.ks(new float[] {1, 2}, new float[] {3, 4}), 1e-9);
        assertEquals(0.5, Drift.ks(new float[] {1, 2, 3, 4}, new float[] {3, 4, 5, 6}), 1e-9);
    }
}
