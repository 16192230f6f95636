package io.gyrosentinel.training;

import io.gyrosentinel.recording.SessionLabel;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.gyrosentinel.ErrorCode;
import io.gyrosentinel.GyroSentinelException;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class SyntheticAnomaliesTest {
    static TrainedModel model;
    static float[][] normal;

    @BeforeAll
    static void train() {
        model = TrainingBehaviourTest.quick().build().train(TrainingBehaviourTest.SMALL);
        normal = new MachineSignal().generate("n", 2, 3, SessionLabel.NORMAL).windows(model.architecture().windowLength(), 20);
    }

    @Test
    void everyKindChangesTheWindowAndTheSameSeedGivesTheSameAnomalies() {
        float[][] a = SyntheticAnomalies.from(normal, model, 7);
        float[][] b = SyntheticAnomalies.from(normal, model, 7);
        assertEquals(normal.length, a.length);
        for (int i = 0; i < a.length; i++) {
            assertArrayEquals(a[i], b[i]);
            double d = 0;
            for (int k = 0; k < a[i].length; k++) {
                d += Math.abs(a[i][k] - normal[i][k]);
            }
            assertTrue(d > 0, "window " + i + " (" + SyntheticAnomalies.Kind.values()[i % 5] + ") unchanged");
        }
    }

    @Test
    void theModelScoresThemAboveNormalWindows() {
        double[] n = model.score(normal);
        double[] s = model.score(SyntheticAnomalies.from(normal, model, 1));
        double mn = java.util.Arrays.stream(n).average().orElseThrow();
        double ms = java.util.Arrays.stream(s).average().orElseThrow();
        assertTrue(ms > 2 * mn, "mean score synthetic " + ms + " vs normal " + mn);
    }

    @Test
    void aWindowOfTheWrongSizeIsBadInput() {
        GyroSentinelException e = assertThrows(GyroSentinelException.class,
                () -> SyntheticAnomalies.from(new float[][] {new float[5]}, model, 1));
        assertEquals(ErrorCode.BAD_INPUT, e.code());
        assertTrue(e.getMessage().contains("window 0 has 5 values"), e.getMessage());
        assertThrows(GyroSentinelException.class, () -> SyntheticAnomalies.from(new float[0][], model, 1));
    }

    @Test
    void segmentsShorterThanAWindowAreSkippedAndNoneUsableNamesTheLongest() {
        TimeSeries shortOne = TimeSeries.builder().name("s").samples(new float[30], 3).sampleRateHz(100).build();
        TimeSeries longOne = TimeSeries.builder().name("l").samples(new float[300], 3).sampleRateHz(100).build();
        Sessions.Usable u = Sessions.usable(List.of(shortOne, longOne, shortOne), 40, "test");
        assertEquals(List.of(longOne), u.series());
        assertTrue(u.summary().contains("used 1 of 3 segment(s), 100 of 120 samples; 2 segment(s) shorter"),
                u.summary());
        GyroSentinelException e = assertThrows(GyroSentinelException.class,
                () -> Sessions.usable(List.of(shortOne), 40, "test"));
        assertTrue(e.getMessage().contains("the longest, 's', has 10 samples"), e.getMessage());
    }
}
