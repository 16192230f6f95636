package io.gyrosentinel.training;

import io.gyrosentinel.recording.SessionLabel;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.gyrosentinel.ErrorCode;
import io.gyrosentinel.GyroSentinelException;
import java.util.List;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class TrainingBehaviourTest {
    static final List<TimeSeries> SMALL = List.of(new MachineSignal().generate("small", 12, 5, SessionLabel.NORMAL));

    static AutoencoderTrainer.Builder quick() {
        return AutoencoderTrainer.builder().windowLength(20).stride(10).encoderUnits(8, 4).decoderUnits(4, 8)
                .maxEpochs(3);
    }

    @Test
    void sameSeedGivesBitIdenticalWeights() {
        TrainedModel a = quick().seed(11).build().train(SMALL);
        TrainedModel b = quick().seed(11).build().train(SMALL);
        float[][] pa = a.parameters();
        float[][] pb = b.parameters();
        for (int i = 0; i < pa.length; i++) {
            assertArrayEquals(pa[i], pb[i], a.architecture().parameterSpecs().get(i).name());
        }
        assertEquals(a.threshold().value(), b.threshold().value());
        TrainedModel c = quick().seed(12).build().train(SMALL);
        assertFalse(java.util.Arrays.equals(pa[0], c.parameters()[0]), "another seed gives other weights");
    }

    @Test
    void anyChannelCountWorks() {
        float[] one = new float[2000];
        for (int i = 0; i < one.length; i++) {
            one[i] = (float) Math.sin(i * 0.7);
        }
        TrainedModel m = quick().build().train(List.of(TimeSeries.of(one, 1, 100, SessionLabel.NORMAL)));
        assertEquals(1, m.architecture().channels());
        assertEquals(1, m.normalization().channels());
    }

    @Test
    void thresholdFollowsTheConfiguredPolicy() {
        TrainedModel q = quick().thresholdPolicy(ThresholdPolicy.quantile(0.5)).build().train(SMALL);
        TrainedModel k = quick().thresholdPolicy(ThresholdPolicy.meanPlusKSigma(3)).build().train(SMALL);
        assertEquals("quantile", q.threshold().policy().method());
        assertEquals("mean_plus_k_sigma", k.threshold().policy().method());
        assertTrue(k.threshold().value() > q.threshold().value());
        assertEquals(q.history().validationWindows(), q.threshold().calibrationWindows());
    }

    @Test
    void quantileInterpolatesLikeNumpy() {
        assertEquals(2.5, ThresholdPolicy.quantile(0.5).compute(new double[] {4, 1, 3, 2}), 1e-12);
        assertEquals(3.7, ThresholdPolicy.quantile(0.9).compute(new double[] {4, 1, 3, 2}), 1e-12);
        assertEquals(2.5 + 2 * Math.sqrt(1.25), ThresholdPolicy.meanPlusKSigma(2).compute(new double[] {1, 2, 3, 4}),
                1e-12);
    }

    @Test
    void cancellingTheFutureStopsTrainingWithinAnEpoch() throws Exception {
        AtomicInteger epochs = new AtomicInteger();
        CountDownLatch started = new CountDownLatch(1);
        CompletableFuture<TrainedModel> f = quick().maxEpochs(10_000).earlyStoppingPatience(10_000)
                .listener(r -> {
                    epochs.incrementAndGet();
                    started.countDown();
                })
                .build().trainAsync(SMALL);
        assertTrue(started.await(60, TimeUnit.SECONDS));
        assertTrue(f.cancel(true));
        Thread.sleep(500);
        int seen = epochs.get();
        Thread.sleep(500);
        assertEquals(seen, epochs.get(), "no epochs after cancel");
        assertTrue(f.isCancelled());
    }

    @Test
    void anInterruptedCallerGetsCancellationException() {
        Thread.currentThread().interrupt();
        try {
            assertThrows(CancellationException.class, () -> quick().build().train(SMALL));
        } finally {
            Thread.interrupted();
        }
    }

    @Test
    void historyRecordsEveryEpochAndTheStopReason() {
        TrainedModel m = quick().maxEpochs(4).build().train(SMALL);
        TrainingHistory h = m.history();
        assertEquals(4, h.epochs().size());
        assertEquals(TrainingHistory.StopReason.MAX_EPOCHS, h.stopReason());
        assertTrue(h.bestEpoch() >= 1 && h.bestEpoch() <= 4);
        assertTrue(h.trainingWindows() > 0 && h.validationWindows() > 0);
        // 12 s at 200 Hz = 2400 samples; the first 1920 train: (1920-20)/10+1 = 191 windows; 480 validate: 47.
        assertEquals(191, h.trainingWindows());
        assertEquals(47, h.validationWindows());
    }

    @Test
    void wholeHeldOutSeriesCanServeAsValidation() {
        TimeSeries held = new MachineSignal().generate("held-out", 4, 6, SessionLabel.NORMAL);
        TrainedModel m = quick().seed(5).build().train(SMALL, List.of(held));
        assertEquals(3, m.history().epochs().size());
        // the threshold comes from the held-out windows: (4 s * 200 Hz - 20) / 10 + 1 windows
        assertEquals((800 - 20) / 10 + 1, m.threshold().calibrationWindows());
        GyroSentinelException e = assertThrows(GyroSentinelException.class,
                () -> quick().build().train(SMALL, List.of()));
        assertEquals(ErrorCode.BAD_INPUT, e.code(), e.getMessage());
        assertTrue(e.getMessage().contains("validation"), e.getMessage());
        TimeSeries oneChannel = TimeSeries.of(new float[800], 1, 200, SessionLabel.NORMAL);
        GyroSentinelException mismatch = assertThrows(GyroSentinelException.class,
                () -> quick().build().train(SMALL, List.of(oneChannel)));
        assertEquals(ErrorCode.BAD_INPUT, mismatch.code(), mismatch.getMessage());
    }
}
