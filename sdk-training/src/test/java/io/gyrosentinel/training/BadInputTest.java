package io.gyrosentinel.training;

import io.gyrosentinel.recording.SessionLabel;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.gyrosentinel.ErrorCode;
import io.gyrosentinel.GyroSentinelException;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

class BadInputTest {
    static final AutoencoderTrainer TRAINER = AutoencoderTrainer.builder().windowLength(20).maxEpochs(1).build();

    static TimeSeries series(String name, int samples, int channels) {
        float[] v = new float[samples * channels];
        for (int i = 0; i < v.length; i++) {
            v[i] = (float) Math.sin(i * 0.3);
        }
        return TimeSeries.builder().name(name).samples(v, channels).sampleRateHz(200).build();
    }

    /** Bad data: {@link ErrorCode#BAD_INPUT} with every part in the message. */
    static void assertMessage(Executable call, String... parts) {
        assertError(ErrorCode.BAD_INPUT, call, parts);
    }

    /** A bad argument: {@link ErrorCode#INVALID_ARGUMENT} naming {@code field}, with every part in the message. */
    static void assertInvalid(String field, Executable call, String... parts) {
        GyroSentinelException e = assertError(ErrorCode.INVALID_ARGUMENT, call, parts);
        assertEquals(field, e.field(), e.getMessage());
    }

    static GyroSentinelException assertError(ErrorCode code, Executable call, String... parts) {
        GyroSentinelException e = assertThrows(GyroSentinelException.class, call);
        assertEquals(code, e.code(), e.getMessage());
        for (String p : parts) {
            assertTrue(e.getMessage().contains(p), "message '" + e.getMessage() + "' should contain '" + p + "'");
        }
        return e;
    }

    @Test
    void aDeadChannelIsRefusedByNameInEveryFamily() {
        float[] v = series("live", 400, 3).samples();
        for (int i = 0; i < 400; i++) {
            v[i * 3 + 1] = 0.5f; // axis y never moves
        }
        TimeSeries dead = TimeSeries.builder().name("dead-y").samples(v, 3).sampleRateHz(200).build();
        for (ModelArchitecture.Cell cell : ModelArchitecture.Cell.values()) {
            assertMessage(() -> AutoencoderTrainer.builder().cell(cell).windowLength(20).maxEpochs(1).build()
                    .train(List.of(dead)), "channel 1 is constant", "import --columns");
        }
        assertMessage(() -> FeatureModelTrainer.builder().windowLength(20).build().train(List.of(dead)),
                "channel 1 is constant");
    }

    @Test
    void emptyInputIsRejected() {
        assertMessage(() -> TRAINER.train(List.of()), "no time series");
    }

    @Test
    void emptyAndTooShortSeriesBesideAUsableOneAreSkipped() {
        // segments between outages of a real log can be short or empty: they yield no window, the rest trains
        TrainedModel m = TRAINER.train(List.of(series("ok", 500, 3), series("empty", 0, 3), series("short", 19, 3)));
        assertTrue(m.history().trainingWindows() > 0);
    }

    @Test
    void onlyTooShortSeriesAreAnErrorNamingTheLongestAndWhatHelps() {
        assertMessage(() -> TRAINER.train(List.of(series("short", 19, 3), series("shorter", 7, 3))), "'short'",
                "has 19 samples", "window (20 samples)", "--window", "--max-gap");
    }

    @Test
    void tooLittleDataForAValidationWindowIsExplained() {
        assertMessage(() -> TRAINER.train(List.of(series("tiny", 40, 3))), "too little data", "validation");
    }

    @Test
    void nonFiniteSamplesAreLocatedBySeriesSampleAndChannel() {
        TimeSeries good = series("good", 500, 3);
        float[] v = good.samples();
        v[123 * 3 + 2] = Float.NaN;
        TimeSeries nan = TimeSeries.builder().name("nan").samples(v, 3).sampleRateHz(200).build();
        assertMessage(() -> TRAINER.train(List.of(good, nan)), "series 1", "'nan'", "sample 123", "channel 2", "NaN");
        v[123 * 3 + 2] = 0;
        v[7 * 3] = Float.POSITIVE_INFINITY;
        TimeSeries inf = TimeSeries.builder().samples(v, 3).sampleRateHz(200).build();
        assertMessage(() -> TRAINER.train(List.of(inf)), "series 0", "sample 7", "channel 0", "Infinity");
    }

    @Test
    void channelCountMismatchIsNamed() {
        assertMessage(() -> TRAINER.train(List.of(series("three", 500, 3), series("two", 500, 2))), "series 1",
                "2 channels", "expected 3");
    }

    @Test
    void scoringWithTheWrongChannelCountOrWindowIsRejected() {
        TrainedModel model = TRAINER.train(List.of(series("ok", 500, 3)));
        assertMessage(() -> model.evaluate(List.of(series("two", 500, 2))), "series 0", "2 channels",
                "expected 3 (the model's)");
        assertMessage(() -> model.score(new float[][] {new float[60], new float[59]}), "window 1", "59 floats",
                "20*3 = 60");
        float[] w = new float[60];
        w[31] = Float.NaN;
        assertMessage(() -> model.score(w), "sample 10", "channel 1", "NaN");
    }

    @Test
    void mixedSampleRatesAreRejected() {
        TimeSeries other = series("fast", 500, 3).toBuilder().sampleRateHz(400).build();
        assertMessage(() -> TRAINER.train(List.of(series("ok", 500, 3), other)), "series 1", "400.0 Hz", "200.0 Hz");
    }

    @Test
    void anomalousTrainingDataIsRejected() {
        TimeSeries bad = series("faulty", 500, 3).toBuilder().label(SessionLabel.ANOMALOUS).build();
        assertMessage(() -> TRAINER.train(List.of(bad)), "series 0", "'faulty'", "normal data only");
    }

    @Test
    void malformedSeriesAreRejectedWhenBuilt() {
        assertInvalid("samples", () -> TimeSeries.of(new float[10], 3, 200, SessionLabel.NORMAL),
                "not a multiple of channels 3");
        assertInvalid("sampleRateHz", () -> TimeSeries.of(new float[9], 3, 0, SessionLabel.NORMAL), "sampleRateHz");
        assertInvalid("sampleLabels", () -> TimeSeries.builder().samples(new float[9], 3).sampleRateHz(1)
                .sampleLabels(new boolean[2]).build(), "sampleLabels has 2 entries", "3 samples");
        List<TimeSeries> withNull = new ArrayList<>();
        withNull.add(null);
        assertMessage(() -> TRAINER.train(withNull), "series 0 is null");
    }

    @Test
    void invalidConfigurationIsRejectedByBuild() {
        assertInvalid("windowLength", () -> AutoencoderTrainer.builder().windowLength(1).build(), "windowLength");
        assertInvalid("encoderUnits", () -> AutoencoderTrainer.builder().encoderUnits().build(), "encoderUnits");
        assertInvalid("validationFraction", () -> AutoencoderTrainer.builder().validationFraction(1.0).build(),
                "validationFraction");
        assertInvalid("learningRate", () -> AutoencoderTrainer.builder().learningRate(-1).build(), "learningRate");
        assertInvalid("q", () -> ThresholdPolicy.quantile(1.5), "quantile");
    }
}
