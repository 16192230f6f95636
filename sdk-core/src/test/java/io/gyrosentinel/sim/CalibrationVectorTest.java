package io.gyrosentinel.sim;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Scanner;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/**
 * The calibration math against the vector shared with the firmware
 * (proto/testdata/calibration/vector1.txt, expected values by numpy; the C test
 * test_calibration.c checks the same file).
 */
class CalibrationVectorTest {
    static final Path VECTOR = Path.of("..", "proto", "testdata", "calibration", "vector1.txt");

    private static void close(double want, double got, String what) {
        assertEquals(want, got, 1e-6 * Math.max(1, Math.abs(want)), what);
    }

    /** A model that reconstructs zeros: per-channel MSE of the normalised window, in double. */
    private static float[] zeroModel(float[] z, int channels) {
        int w = z.length / channels;
        float[] e = new float[channels];
        for (int k = 0; k < channels; k++) {
            double acc = 0;
            for (int t = 0; t < w; t++) {
                double d = z[t * channels + k];
                acc += d * d;
            }
            e[k] = (float) (acc / w);
        }
        return e;
    }

    private static int checkCases(List<String[]> cases, float[] scores, int n) {
        for (String[] c : cases) {
            float want = Float.parseFloat(c[4]);
            float got = Calibration.threshold(scores, n, Float.parseFloat(c[2]), Float.parseFloat(c[3]));
            close(want, got, String.join(" ", c));
        }
        return cases.size();
    }

    @Test
    void theSharedVectorGivesNumpysMeanStdScoresAndThresholds() throws IOException {
        List<String> lines = new ArrayList<>();
        for (String l : Files.readAllLines(VECTOR)) {
            if (!l.startsWith("#")) {
                lines.add(l);
            }
        }
        Scanner in = new Scanner(String.join("\n", lines));
        in.next("channels");
        int ch = in.nextInt();
        in.next("window");
        int window = in.nextInt();
        in.next("stride");
        int stride = in.nextInt();
        in.next("samples");
        int n = in.nextInt();
        float[] x = new float[n * ch];
        for (int i = 0; i < x.length; i++) {
            x[i] = Float.parseFloat(in.next());
        }
        in.next("expect_mean");
        float[] wantMean = {Float.parseFloat(in.next()), Float.parseFloat(in.next()), Float.parseFloat(in.next())};
        in.next("expect_std");
        float[] wantStd = {Float.parseFloat(in.next()), Float.parseFloat(in.next()), Float.parseFloat(in.next())};
        in.next("expect_window_scores");
        float[] wantScores = new float[in.nextInt()];
        for (int i = 0; i < wantScores.length; i++) {
            wantScores[i] = Float.parseFloat(in.next());
        }

        Calibration.Welford w = new Calibration.Welford(ch);
        for (int i = 0; i < n; i++) {
            w.add(x, i * ch);
        }
        float[] mean = w.mean();
        float[] std = w.std();
        for (int k = 0; k < ch; k++) {
            close(wantMean[k], mean[k], "mean " + k);
            close(wantStd[k], std[k], "std " + k);
        }

        float[] scores = new float[64];
        int windows = 0;
        for (int s = 0; s + window <= n; s += stride) {
            scores[windows] = Calibration.windowScore(x, s * ch, window, ch, mean, std, z -> zeroModel(z, ch));
            close(wantScores[windows], scores[windows], "window " + windows);
            windows++;
        }
        assertEquals(wantScores.length, windows);

        List<String[]> windowCases = new ArrayList<>();
        while (in.hasNext("window_case")) {
            in.next();
            windowCases.add(new String[] {"window_case", in.next(), in.next(), in.next(), in.next()});
        }
        assertEquals(5, checkCases(windowCases, scores, windows));

        in.next("scores");
        float[] fixed = new float[in.nextInt()];
        for (int i = 0; i < fixed.length; i++) {
            fixed[i] = Float.parseFloat(in.next());
        }
        List<String[]> cases = new ArrayList<>();
        while (in.hasNext("case")) {
            in.next();
            cases.add(new String[] {"case", in.next(), in.next(), in.next(), in.next()});
        }
        assertEquals(5, checkCases(cases, fixed, fixed.length));
        in.next("end");
    }

    @Test
    void thresholdRefusesWhatTheProtocolRefuses() {
        float[] s = {3, 1, 2};
        assertThrows(IllegalArgumentException.class, () -> Calibration.threshold(s, 0, 0.5f, 0));
        assertThrows(IllegalArgumentException.class, () -> Calibration.threshold(s, 3, 1f, 0));
        assertThrows(IllegalArgumentException.class, () -> Calibration.threshold(s, 3, 0f, 0f));
        assertEquals(2f, Calibration.threshold(s, 3, 0.5f, 0));
        assertEquals(3f, Calibration.threshold(s, 1, 0.75f, 0)); // one score: itself
    }

    @Test
    void theModelSeesTheCalibratedNormalisationThroughItsOwn() {
        InferenceLoop.Loaded l = new InferenceLoop.Loaded(0, new io.gyrosentinel.testing.MovingAverageEngine.Model(
                "m", 4, 2, 2, 2, 1f, 0), new float[] {10f, -4f}, new float[] {2f, 0.5f});
        float[] z = {1f, -2f, 0.5f, 3f};
        float[] x = l.denormalise(z);
        // the model's own normalisation, (x - 10) / 2 and (x + 4) / 0.5, gives z back
        assertEquals(1f, (x[0] - 10f) / 2f);
        assertEquals(-2f, (x[1] + 4f) / 0.5f);
        assertEquals(3f, (x[3] + 4f) / 0.5f);
    }
}
