package io.gyrosentinel.training.packaging;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.gyrosentinel.model.ModelBundle;
import io.gyrosentinel.training.TrainedModel;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Every model the packager builds runs in the real TensorFlow Lite Micro: the ESP32 component's own TFLM backend and
 * op resolver, loaded through its model store and runtime, on the pinned esp-tflite-micro with reference kernels
 * ({@code gs_tflm_run}, built by the esp32-component module). The packager does the check itself
 * ({@link MicroCheck}); these tests assert its results for each precision and several model shapes, that a model the
 * firmware cannot hold is refused, and that the fixtures the C conformance test ({@code test_tflm_conformance})
 * runs are what the packager writes today ({@code -Dgs.regenerateTflmFixtures=true} rewrites them).
 *
 * <p>Without the runner this test fails, naming how to build it; only outside CI, and only when the C build wrote
 * why it could not build TensorFlow Lite Micro, it is skipped with that reason.
 */
class TflmConformanceTest {
    private static final double ARENA_TOLERANCE = 0.05;

    @BeforeAll
    static void needsTheRunner() {
        if (TflmRunnerSetup.runner().isPresent()) {
            return;
        }
        var why = TflmRunnerSetup.unavailableReason();
        if (why.isPresent() && !"true".equals(System.getenv("CI"))) {
            Assumptions.abort("TensorFlow Lite Micro conformance skipped: " + why.get());
        }
        fail("no host TensorFlow Lite Micro runner at " + System.getProperty(TflmRunnerSetup.RUNNER_PROPERTY)
                + why.map(w -> " (" + w + ")").orElse("") + ": build esp32-component first (./mvnw verify builds it; "
                + "not with -Dgs.skipNative)");
    }

    /** Packs {@code m} shipping {@code p} (no fallback) and checks every precision's TFLite Micro result. */
    private static PackagedModel packAndCheck(TrainedModel m, Precision p, int seed) {
        return packAndCheck(m, p, seed, ModelPackager.DEFAULT_DEVICE_ARENA_BYTES);
    }

    private static PackagedModel packAndCheck(TrainedModel m, Precision p, int seed, int deviceArena) {
        float[][] normal = TestModels.windows(m, 60, false, seed);
        float[][] anomalous = TestModels.windows(m, 30, true, seed + 1);
        PackagedModel pm = ModelPackager.builder().modelId("tflm-" + p.id()).precision(p).fallbackToInt16x8(false)
                .deviceArenaBytes(deviceArena).build().pack(m, normal, anomalous);
        PackagingReport r = pm.report();
        for (Precision q : Precision.values()) {
            Verification v = r.verification(q);
            if (r.cost(q) == null) {
                continue; // not built (reported); the shipped one always is
            }
            MicroCheck mc = v.micro();
            assertTrue(mc.ran(), "the packager ran no TFLite Micro check: " + v);
            assertTrue(mc.loaded(), q + " did not load in TFLite Micro: " + mc);
            long estimate = r.cost(q).arenaBytes();
            assertTrue(Math.abs(estimate - mc.arenaUsedBytes()) <= ARENA_TOLERANCE * mc.arenaUsedBytes(),
                    q + ": arena estimate " + estimate + " vs TFLite Micro's " + mc.arenaUsedBytes());
            if (q == Precision.FLOAT32) {
                assertTrue(mc.maxRelError() <= MicroCheck.FLOAT_RELATIVE_TOLERANCE, mc.toString());
            }
            if (q == r.shipped()) {
                assertTrue(mc.passed(), mc.toString());
            }
            System.out.println("tflm " + m.architecture() + " " + q.id() + ": " + mc + ", estimate " + estimate);
        }
        assertEquals(p, r.shipped());
        return pm;
    }

    @Test
    void everyPrecisionOfTheDefaultModelLoadsAndMatchesTheReferenceInTfliteMicro() {
        TrainedModel m = TestModels.random(TestModels.defaultArch(), 11);
        for (Precision p : List.of(Precision.FLOAT32, Precision.INT16X8)) {
            packAndCheck(m, p, 100);
        }
    }

    @Test
    void otherShapesLoadAndMatchToo() {
        // frames of 2 samples, two channels, one layer each side; and three encoder layers over frames of 4 samples,
        // which loads in 77 KB: a device configured with a 96 KiB arena (Kconfig GS_TFLM_ARENA_KB = 96)
        packAndCheck(TestModels.random(TestModels.arch(16, 2, 2, List.of(12), List.of(12)), 21), Precision.INT16X8, 200);
        packAndCheck(TestModels.random(TestModels.arch(24, 3, 4, List.of(16, 12, 8), List.of(8, 16)), 22),
                Precision.FLOAT32, 300, 96 * 1024);
    }

    @Test
    void aModelLargerThanTheDeviceArenaIsRefusedWithWhatItNeeds() {
        // One sample per step over 16 steps: AllocateTensors needs more than the firmware's default 64 KiB on the way
        // (its final arena_used_bytes() is smaller). Refused with the measured need; shipped for a larger arena.
        TrainedModel m = TestModels.random(TestModels.arch(16, 2, 1, List.of(12), List.of(12)), 31);
        float[][] normal = TestModels.windows(m, 16, false, 1);
        float[][] anomalous = TestModels.windows(m, 8, true, 2);
        PackagingException e = assertThrows(PackagingException.class, () -> ModelPackager.builder()
                .precision(Precision.FLOAT32).build().pack(m, normal, anomalous));
        assertEquals(PackagingException.Reason.VERIFICATION_FAILED, e.reason());
        assertTrue(e.getMessage().contains("bytes of tensor arena, the device has 65536"), e.getMessage());
        PackagedModel p = ModelPackager.builder().precision(Precision.FLOAT32).deviceArenaBytes(128 * 1024).build()
                .pack(m, normal, anomalous);
        MicroCheck mc = p.report().float32().micro();
        assertTrue(mc.passed() && mc.arenaRequiredBytes() > 65536 && mc.arenaRequiredBytes() <= 128 * 1024, mc.toString());
    }

    // ------------------------------------------------------------------ fixtures of the C conformance test

    private static final int FIXTURE_NORMAL = 24;
    private static final int FIXTURE_ANOMALOUS = 24;

    /** Fixture files, name → bytes, exactly as the packager and the Java reference produce them now. */
    private static Map<String, byte[]> fixtures() {
        TrainedModel m = TestModels.random(TestModels.defaultArch(), 7);
        List<float[]> windows = new ArrayList<>();
        for (float[] w : TestModels.windows(m, FIXTURE_NORMAL, false, 70)) {
            windows.add(m.normalize(w));
        }
        for (float[] w : TestModels.windows(m, FIXTURE_ANOMALOUS, true, 71)) {
            windows.add(m.normalize(w));
        }
        Map<String, byte[]> files = new LinkedHashMap<>();
        files.put("windows.f32", floats(windows));
        List<float[]> expected = new ArrayList<>();
        for (float[] x : windows) {
            expected.add(m.reconstructNormalized(x));
        }
        files.put("default.reference.f32", floats(expected));
        StringBuilder cases = new StringBuilder("# Written by sdk-training TflmConformanceTest (-Dgs.regenerateTflmFixtures=true):\n"
                + "# the default architecture with random weights (seed 7), packaged in each precision.\n"
                + "# windows FILE COUNT NORMAL (the rest anomalous)\n"
                + "# case NAME PRECISION ARENA_ESTIMATE_BYTES REFERENCE (the Java reference's reconstruction of each window)\n"
                + "windows windows.f32 " + windows.size() + " " + FIXTURE_NORMAL + "\n");
        for (Precision p : Precision.values()) {
            PackagedModel pm = packAndCheck(m, p, 700);
            String name = "default-" + p.id();
            files.put(name + ".payload", pm.bundle().payload());
            cases.append("case ").append(name).append(' ').append(p.id()).append(' ')
                    .append(pm.report().cost(p).arenaBytes()).append(" default.reference.f32\n");
        }
        files.put("cases.txt", cases.toString().getBytes(StandardCharsets.UTF_8));
        return files;
    }

    @Test
    void theCConformanceFixturesAreWhatThePackagerWritesToday() throws IOException {
        Path dir = Path.of(System.getProperty("gs.tflmFixtures", "../esp32-component/test/host/tflm"));
        Map<String, byte[]> now = fixtures();
        if (Boolean.getBoolean("gs.regenerateTflmFixtures")) {
            Files.createDirectories(dir);
            for (var e : now.entrySet()) {
                Files.write(dir.resolve(e.getKey()), e.getValue());
            }
        }
        for (var e : now.entrySet()) {
            Path f = dir.resolve(e.getKey());
            assertTrue(Files.isRegularFile(f), f + " is missing: regenerate with -Dgs.regenerateTflmFixtures=true");
            String stale = f + " is stale (the packager or the reference changed): regenerate with "
                    + "-Dgs.regenerateTflmFixtures=true and commit";
            byte[] committed = Files.readAllBytes(f);
            if (e.getKey().endsWith(".payload")) {
                // the bundle's report.json holds measured host timings: compare the model and the device's manifest
                ModelBundle a = ModelBundle.fromPayload(e.getValue(), new byte[0]);
                ModelBundle b = ModelBundle.fromPayload(committed, new byte[0]);
                assertArrayEquals(a.part("model.tflite"), b.part("model.tflite"), stale);
                assertEquals(deviceFields(a.manifestJson()), deviceFields(b.manifestJson()), stale);
            } else {
                assertArrayEquals(e.getValue(), committed, stale);
            }
        }
    }

    /** The manifest without its timing-dependent parts (the report's hash, the metrics). */
    private static String deviceFields(String manifest) {
        return manifest.replaceAll("\"report\\.json\":\"[0-9a-f]+\"", "").replaceAll("\"metrics\":\\{[^}]*}", "");
    }

    private static byte[] floats(List<float[]> rows) {
        int n = rows.stream().mapToInt(r -> r.length).sum();
        ByteBuffer b = ByteBuffer.allocate(4 * n).order(ByteOrder.LITTLE_ENDIAN);
        rows.forEach(r -> {
            for (float v : r) {
                b.putFloat(v);
            }
        });
        return b.array();
    }
}
