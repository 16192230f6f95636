package io.gyrosentinel.training;

import io.gyrosentinel.recording.SessionLabel;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.gyrosentinel.ErrorCode;
import io.gyrosentinel.GyroSentinelException;
import org.junit.jupiter.api.Test;

class TimeSeriesWindowsTest {
    /** 10 samples of 2 channels: sample i is (i, -i). */
    private static TimeSeries series() {
        float[] v = new float[20];
        for (int i = 0; i < 10; i++) {
            v[2 * i] = i;
            v[2 * i + 1] = -i;
        }
        return TimeSeries.of(v, 2, 100, SessionLabel.NORMAL);
    }

    @Test
    void windowsStartEveryStrideAndHoldLengthSamplesInterleaved() {
        float[][] w = series().windows(4, 3);
        assertEquals(3, w.length); // starts 0, 3, 6; a window at 9 would run past the end
        assertArrayEquals(new float[] {3, -3, 4, -4, 5, -5, 6, -6}, w[1]);
        assertArrayEquals(new float[] {6, -6, 7, -7, 8, -8, 9, -9}, w[2]);
        assertEquals(1, series().windows(10, 5).length);
        assertEquals(0, series().windows(11, 1).length);
    }

    @Test
    void aLengthOrStrideBelowOneNamesTheArgument() {
        GyroSentinelException e = assertThrows(GyroSentinelException.class, () -> series().windows(0, 1));
        assertEquals(ErrorCode.INVALID_ARGUMENT, e.code());
        assertEquals("length", e.field());
        assertEquals("stride", assertThrows(GyroSentinelException.class, () -> series().windows(4, 0)).field());
    }
}
