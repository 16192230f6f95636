package io.gyrosentinel.training.internal;

import io.gyrosentinel.recording.SessionLabel;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.gyrosentinel.training.Normalization;
import io.gyrosentinel.training.TimeSeries;
import java.util.List;
import org.junit.jupiter.api.Test;

class DataPipelineTest {
    static TimeSeries ramp(int samples, int offset) {
        float[] v = new float[samples * 2];
        for (int i = 0; i < samples; i++) {
            v[2 * i] = i + offset;
            v[2 * i + 1] = 5f; // a dead axis
        }
        return TimeSeries.of(v, 2, 100, SessionLabel.NORMAL);
    }

    @Test
    void noWindowCrossesTheTrainValidationSplit() {
        List<TimeSeries> series = List.of(ramp(1000, 0), ramp(537, 10_000));
        List<List<DataPipeline.Segment>> split = DataPipeline.splitByTime(series, 0.25);
        Normalization norm = DataPipeline.fitNormalization(series, split.get(0), 2);
        DataPipeline.WindowSet train = DataPipeline.windows(series, split.get(0), 30, 7, norm);
        DataPipeline.WindowSet val = DataPipeline.windows(series, split.get(1), 30, 7, norm);
        int[] cut = {750, 403};
        for (int i = 0; i < train.size(); i++) {
            assertTrue(train.start[i] + 30 <= cut[train.series[i]], "train window " + i);
        }
        for (int i = 0; i < val.size(); i++) {
            assertTrue(val.start[i] >= cut[val.series[i]], "validation window " + i);
        }
        assertEquals((750 - 30) / 7 + 1 + (403 - 30) / 7 + 1, train.size());
        assertEquals((250 - 30) / 7 + 1 + (134 - 30) / 7 + 1, val.size());
    }

    @Test
    void normalisationUsesOnlyTrainingSamplesAndLeavesDeadAxesUnscaled() {
        List<TimeSeries> series = List.of(ramp(1000, 0));
        List<List<DataPipeline.Segment>> split = DataPipeline.splitByTime(series, 0.2);
        Normalization norm = DataPipeline.fitNormalization(series, split.get(0), 2);
        assertEquals(399.5f, norm.mean()[0], 1e-3); // mean of 0..799, not 0..999
        assertEquals(5f, norm.mean()[1]);
        assertEquals(1f, norm.std()[1]);
        DataPipeline.WindowSet w = DataPipeline.windows(series, split.get(0), 10, 10, norm);
        assertEquals((0 - 399.5f) / norm.std()[0], w.data[0], 1e-5);
        assertEquals(0f, w.data[1]);
    }
}
