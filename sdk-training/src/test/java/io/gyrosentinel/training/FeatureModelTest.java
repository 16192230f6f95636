package io.gyrosentinel.training;

import io.gyrosentinel.recording.SessionLabel;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.gyrosentinel.ErrorCode;
import io.gyrosentinel.GyroSentinelException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class FeatureModelTest {
    private static final List<TimeSeries> NORMAL = List.of(
            new MachineSignal().generate("n0", 30, 11, SessionLabel.NORMAL),
            new MachineSignal().generate("n1", 30, 12, SessionLabel.NORMAL));

    private static float[] window(TimeSeries s, int start) {
        return java.util.Arrays.copyOfRange(s.samples(), start * s.channels(), (start + 64) * s.channels());
    }

    private static FeatureModel train(ModelFamily family) {
        return FeatureModelTrainer.builder().family(family).windowLength(64).build().train(NORMAL);
    }

    @Test
    void featuresOfASineAreWhatTheDefinitionSays() {
        int t = 64;
        SignalFeatures sf = new SignalFeatures(t, 1, 8, true);
        float[] x = new float[t];
        for (int i = 0; i < t; i++) {
            x[i] = (float) (0.5 + 2 * Math.sin(2 * Math.PI * 12 * i / t)); // bin 12, amplitude 2, offset 0.5
        }
        float[] f = sf.extract(x);
        assertEquals(List.of("ch0.mean", "ch0.log_std", "ch0.log_peak", "ch0.crest", "ch0.kurtosis"),
                sf.names().subList(0, 5));
        assertEquals(0.5, f[0], 1e-6);
        assertEquals(Math.log(Math.sqrt(2)), f[1], 1e-4);           // std of a sine = amplitude / √2
        assertEquals(Math.log(2), f[2], 1e-3);
        assertEquals(Math.sqrt(2), f[3], 1e-3);                      // crest factor of a sine
        assertEquals(1.5, f[4], 1e-3);                               // kurtosis of a sine
        // bins 1..32 in 8 bands of 4: bin 12 is in band 2 (bins 9..12); Hann leaks into bin 13 (band 3) too
        int band = 5 + 2;
        for (int b = 0; b < 8; b++) {
            if (b != 2 && b != 3) {
                assertTrue(f[band] > f[5 + b] + 10, "band " + b + " holds far less energy than band 2");
            }
        }
        assertEquals(9, sf.bandStart(2));
        assertEquals(13, sf.bandEnd(2));
    }

    @ParameterizedTest
    @EnumSource(value = ModelFamily.class, names = {"FEATURES_MAHALANOBIS", "FEATURES_PCA"})
    void findsImbalanceAndBearingFaultsAndExplainsThemByChannel(ModelFamily family) {
        FeatureModel m = train(family);
        List<TimeSeries> eval = new ArrayList<>();
        eval.add(new MachineSignal().generate("held-out", 20, 99, SessionLabel.NORMAL));
        eval.add(new MachineSignal().imbalance(1.25).generate("imbalance+25%", 20, 202, SessionLabel.ANOMALOUS));
        EvaluationReport r = m.evaluate(eval, 16);
        assertTrue(r.rocAuc() > 0.95, family + " imbalance +25 %: ROC-AUC " + r.rocAuc());
        // a session the model never saw (its own speed): 0.4 % (PCA) and 5.7 % (Mahalanobis) false alarms at the
        // 0.99 quantile of two training sessions
        assertTrue(r.falseAlarmRate() < 0.1, family + " false alarms " + r.falseAlarmRate());
        List<TimeSeries> bearing = List.of(eval.get(0),
                new MachineSignal().bearingImpulses(0.5).generate("bearing", 20, 303, SessionLabel.ANOMALOUS));
        assertTrue(m.evaluate(bearing, 16).rocAuc() > 0.95, family + " bearing");

        // explanation: the channel scores average to the score
        float[] w = window(NORMAL.get(0), 100);
        float[] cs = m.channelScores(w);
        assertEquals(3, cs.length);
        assertEquals(m.score(w), (cs[0] + cs[1] + cs[2]) / 3, 1e-3 * Math.max(1, m.score(w)));
        // a fault put on channel 1 only is blamed on channel 1
        float[] faulty = w.clone();
        for (int i = 0; i < 64; i += 8) {
            faulty[i * 3 + 1] += 3f;
        }
        float[] fs = m.channelScores(faulty);
        assertTrue(fs[1] > fs[0] && fs[1] > fs[2], "channel 1 carries the fault: " + java.util.Arrays.toString(fs));
        assertTrue(m.score(faulty) > 10 * m.threshold().value());
    }

    @ParameterizedTest
    @EnumSource(value = ModelFamily.class, names = {"FEATURES_MAHALANOBIS", "FEATURES_PCA"})
    void sameDataSameModelAndItSurvivesSaveAndLoad(ModelFamily family, @TempDir Path dir) throws Exception {
        FeatureModel a = train(family);
        FeatureModel b = train(family);
        assertArrayEquals(a.tMatrix(), b.tMatrix());
        assertArrayEquals(a.qMatrix(), b.qMatrix());
        assertEquals(a.threshold().value(), b.threshold().value());
        a.save(dir.resolve("m"));
        AnomalyModel loaded = AnomalyModel.load(dir.resolve("m"));
        FeatureModel l = assertInstanceOf(FeatureModel.class, loaded);
        assertEquals(family, l.family());
        assertArrayEquals(a.tMatrix(), l.tMatrix());
        assertEquals(a.threshold(), l.threshold());
        assertEquals(a.sampleWindows().length, l.sampleWindows().length);
        float[] w = window(NORMAL.get(1), 0);
        assertEquals(a.score(w), l.score(w));
        // a damaged weights file is refused, naming the file
        Path weights = dir.resolve("m/weights.bin");
        byte[] bytes = Files.readAllBytes(weights);
        bytes[20] ^= 1;
        Files.write(weights, bytes);
        ModelFormatException e = assertThrows(ModelFormatException.class, () -> AnomalyModel.load(dir.resolve("m")));
        assertTrue(e.getMessage().contains("weights.bin") && e.getMessage().contains("CRC"), e.getMessage());
    }

    @Test
    void removeDcLeavesTheMeanOutAndIgnoresAnOffset() {
        FeatureModel m = FeatureModelTrainer.builder().family(ModelFamily.FEATURES_MAHALANOBIS).windowLength(64)
                .removeDc(true).build().train(NORMAL);
        assertEquals(3 * (4 + 8), m.features().size());
        float[] w = window(NORMAL.get(0), 200);
        float[] shifted = w.clone();
        for (int i = 0; i < shifted.length; i++) {
            shifted[i] += 0.5f; // a remounted sensor: a new static offset
        }
        assertEquals(m.score(w), m.score(shifted), 1e-2 * Math.max(1, m.score(w)));
        FeatureModel withMean = train(ModelFamily.FEATURES_MAHALANOBIS);
        assertTrue(withMean.score(shifted) > 10 * withMean.threshold().value(), "with the mean, the offset alarms");
    }

    @Test
    void badInputGetsAClearError() {
        FeatureModelTrainer tr = FeatureModelTrainer.builder().windowLength(64).build();
        // a dead axis
        TimeSeries n = NORMAL.get(0);
        float[] v = n.samples();
        for (int i = 0; i < n.length(); i++) {
            v[i * 3 + 2] = 0.25f;
        }
        TimeSeries dead = TimeSeries.builder().name("dead-z").samples(v, 3).sampleRateHz(200).build();
        GyroSentinelException e = assertThrows(GyroSentinelException.class, () -> tr.train(List.of(dead)));
        assertEquals(ErrorCode.BAD_INPUT, e.code());
        assertTrue(e.getMessage().contains("channel 2 is constant"), e.getMessage());
        // NaN: named by series, sample and channel
        float[] nan = NORMAL.get(0).samples();
        nan[3 * 500 + 1] = Float.NaN;
        TimeSeries bad = TimeSeries.builder().name("nan").samples(nan, 3).sampleRateHz(200).build();
        e = assertThrows(GyroSentinelException.class, () -> tr.train(List.of(bad)));
        assertEquals(ErrorCode.BAD_INPUT, e.code());
        assertTrue(e.getMessage().contains("sample 500") && e.getMessage().contains("channel 1"), e.getMessage());
        // too few windows for the number of features
        TimeSeries shortOne = new MachineSignal().generate("short", 2, 5, SessionLabel.NORMAL);
        e = assertThrows(GyroSentinelException.class, () -> tr.train(List.of(shortOne)));
        assertTrue(e.getMessage().contains("too few windows"), e.getMessage());
        // bands that do not fit the window
        e = assertThrows(GyroSentinelException.class,
                () -> FeatureModelTrainer.builder().windowLength(8).bands(5).build());
        assertEquals("bands", e.field());
        assertThrows(GyroSentinelException.class, () -> ModelFamily.of("transformer"));
    }
}
