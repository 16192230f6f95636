package io.gyrosentinel.client;

import io.gyrosentinel.Capability;
import io.gyrosentinel.ErrorCode;
import io.gyrosentinel.GyroSentinelException;
import io.gyrosentinel.InferenceResult;
import io.gyrosentinel.model.CalibrationResult;
import io.gyrosentinel.sim.VirtualDevice;
import io.gyrosentinel.stream.GyroStream;
import io.gyrosentinel.testing.Collecting;
import io.gyrosentinel.testing.MovingAverageEngine;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Calibrate against the VirtualDevice: result, validation, errors, and the stream scored with the new values. */
@Timeout(60)
class CalibrationTest {

    private static VirtualDevice device() {
        return VirtualDevice.builder().inferenceEngine(new MovingAverageEngine()).build();
    }

    private static DeviceClient connect(VirtualDevice dev) {
        return DeviceClient.builder().transport(dev.newTransport()).connect();
    }

    @Test
    void calibrationComputesNormalisationAndAThresholdTheStreamThenUses() throws Exception {
        try (VirtualDevice dev = device(); DeviceClient c = connect(dev)) {
            assertTrue(c.info().capabilities().contains(Capability.CALIBRATION));
            // threshold 1000: nothing would ever be anomalous before calibrating
            c.deploy(MovingAverageEngine.bundle("fan-ma", MovingAverageEngine.manifest(96, 48, 8, 1000.0), 1_000));
            long t0 = System.nanoTime();
            CalibrationResult r = c.calibrate(Duration.ofMillis(1500), 0.99);
            assertTrue(System.nanoTime() - t0 >= 1_400_000_000L, "the device collects for the duration");
            assertEquals(3, r.channels());
            for (int k = 0; k < 3; k++) {
                assertTrue(r.std()[k] > 0, "std " + k);
            }
            // 1440 samples at 960 Hz, windows of 96 every 48
            assertEquals((1440 - 96) / 48 + 1, r.windows());
            assertTrue(r.threshold() > 0 && r.threshold() < 1000, "threshold " + r.threshold());

            Collecting<InferenceResult> results = Collecting.subscribe(c.results());
            try (GyroStream s = c.stream(StreamOptions.defaults().withResults(true))) {
                InferenceResult ir = results.await(x -> true, Duration.ofSeconds(5));
                assertNotNull(ir);
                assertEquals(r.threshold(), ir.threshold());
                // the model now sees normalised data: scores of the order of the threshold
                assertTrue(ir.score() < 10 * r.threshold(), "score " + ir.score());
            }
        }
    }

    /**
     * The threshold of the first result from {@code modelId}. Results carry their model: one of the previous model's,
     * computed before a switch and delivered on the callback executor after it, is legitimate and skipped here (a
     * loaded CI machine delivered one; the test failed with the previous model's 500).
     */
    private static float firstThreshold(DeviceClient c, String modelId) throws Exception {
        Collecting<InferenceResult> results = Collecting.subscribe(c.results());
        try (GyroStream s = c.stream(StreamOptions.defaults().withResults(true))) {
            InferenceResult ir = results.await(x -> x.modelId().equals(modelId), Duration.ofSeconds(5));
            assertNotNull(ir);
            return ir.threshold();
        }
    }

    /** As on the firmware: the calibration stays with its model's slot, through other activations and restarts. */
    @Test
    void aCalibrationStaysWithItsModelAcrossActivationsAndRestarts(@org.junit.jupiter.api.io.TempDir
            java.nio.file.Path dir) throws Exception {
        float calibrated;
        try (VirtualDevice dev = VirtualDevice.builder().inferenceEngine(new MovingAverageEngine()).modelDirectory(dir)
                .build(); DeviceClient c = connect(dev)) {
            dev.setRealTime(false);
            c.deploy(MovingAverageEngine.bundle("fan-a", MovingAverageEngine.manifest(96, 48, 8, 1000.0), 1_000));
            calibrated = c.calibrate(Duration.ofSeconds(2), 0.99).threshold();
            assertTrue(calibrated < 1000);
            assertEquals(calibrated, firstThreshold(c, "fan-a"));
            // another model: its own manifest's values
            c.deploy(MovingAverageEngine.bundle("fan-b", MovingAverageEngine.manifest(96, 48, 8, 500.0), 1_000));
            assertEquals(500f, firstThreshold(c, "fan-b"));
            // back to the calibrated one: its calibration again
            c.rollbackModel();
            assertEquals(calibrated, firstThreshold(c, "fan-a"));
        }
        // a restart (same model directory): still calibrated
        try (VirtualDevice dev = VirtualDevice.builder().inferenceEngine(new MovingAverageEngine()).modelDirectory(dir)
                .build(); DeviceClient c = connect(dev)) {
            dev.setRealTime(false);
            assertEquals(calibrated, firstThreshold(c, "fan-a"));
        }
    }

    @Test
    void kSigmaAndTheAsyncViewWork() throws Exception {
        try (VirtualDevice dev = device(); DeviceClient c = connect(dev)) {
            dev.setRealTime(false);
            c.deploy(MovingAverageEngine.bundle("fan-ma", MovingAverageEngine.manifest(96, 48, 8, 1000.0), 1_000));
            CompletableFuture<CalibrationResult> f = c.async().calibrate(CalibrationOptions.kSigma(
                    Duration.ofSeconds(2), 3));
            CalibrationResult r = f.get();
            assertEquals((1920 - 96) / 48 + 1, r.windows());
            assertTrue(r.threshold() > 0);
        }
    }

    @Test
    void withoutAModelTheDeviceAnswersNoModel() {
        try (VirtualDevice dev = device(); DeviceClient c = connect(dev)) {
            GyroSentinelException e = assertThrows(GyroSentinelException.class,
                    () -> c.calibrate(Duration.ofSeconds(1), 0.99));
            assertEquals(ErrorCode.NO_MODEL, e.code());
            assertTrue(e.getMessage().contains("deploy"), e.getMessage());
        }
    }

    @Test
    void aDurationTooShortForOneWindowIsAnInvalidArgument() {
        try (VirtualDevice dev = device(); DeviceClient c = connect(dev)) {
            c.deploy(MovingAverageEngine.bundle("fan-ma", MovingAverageEngine.manifest(200, 100, 8, 1.0), 1_000));
            GyroSentinelException e = assertThrows(GyroSentinelException.class,
                    () -> c.calibrate(Duration.ofMillis(150), 0.9));
            assertEquals(ErrorCode.INVALID_ARGUMENT, e.code());
            assertEquals("calibrate.duration_ms", e.field());
        }
    }

    @Test
    void optionsAreCheckedBeforeAnythingIsSent() {
        assertEquals("calibrate.duration_ms", assertThrows(GyroSentinelException.class,
                () -> CalibrationOptions.quantile(Duration.ofMillis(99), 0.5)).field());
        assertEquals("calibrate.quantile", assertThrows(GyroSentinelException.class,
                () -> CalibrationOptions.quantile(Duration.ofSeconds(1), 1.0)).field());
        assertEquals("calibrate.k_sigma", assertThrows(GyroSentinelException.class,
                () -> CalibrationOptions.kSigma(Duration.ofSeconds(1), 0)).field());
    }
}
