package io.gyrosentinel.training.packaging;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.gyrosentinel.ErrorCode;
import io.gyrosentinel.GyroSentinelException;
import io.gyrosentinel.client.DeviceClient;
import io.gyrosentinel.model.ModelBundle;
import io.gyrosentinel.model.SigningKeys;
import io.gyrosentinel.sim.VirtualDevice;
import io.gyrosentinel.training.TrainedModel;
import io.gyrosentinel.training.packaging.internal.OpAllowList;
import io.gyrosentinel.training.packaging.internal.TfliteEngineProvider;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.tensorflow.lite.schema.BuiltinOperator;
import org.tensorflow.lite.schema.ModelT;
import org.tensorflow.lite.schema.OperatorCodeT;

class BundleIntegrityTest {
    static KeyPair keys;
    static PackagedModel signed;

    @BeforeAll
    static void packASmallSignedModel() {
        keys = SigningKeys.generate();
        TrainedModel m = TestModels.random(TestModels.arch(16, 3, List.of(8, 4), List.of(4, 8)), 21);
        // one sample per step: loads in TFLite Micro with a larger arena than the firmware's default
        signed = ModelPackager.builder().modelId("small-1").signingKey(keys.getPrivate())
                .deviceArenaBytes(ModelPackager.MAX_DEVICE_ARENA_BYTES).build()
                .pack(m, TestModels.windows(m, 80, false, 1), TestModels.windows(m, 20, true, 2));
    }

    @Test
    void aSignedBundleVerifiesAfterAWriteReadRoundTrip(@TempDir Path dir) {
        Path p = dir.resolve("small-1.gsb");
        signed.writeTo(p);
        ModelBundle back = ModelBundle.read(p);
        assertTrue(back.isSigned());
        assertDoesNotThrow(() -> BundleVerifier.verify(back, keys.getPublic()));
    }

    @Test
    void aTamperedPartIsDetectedByItsHash() {
        Map<String, byte[]> parts = new LinkedHashMap<>(signed.bundle().parts());
        byte[] model = parts.get("model.tflite").clone();
        model[model.length / 2] ^= 1;
        parts.put("model.tflite", model);
        ModelBundle tampered = ModelBundle.of("small-1", signed.bundle().manifestJson(), parts);
        GyroSentinelException e = assertThrows(GyroSentinelException.class, () -> BundleVerifier.verify(tampered, null));
        assertEquals(ErrorCode.MODEL_HASH_MISMATCH, e.code());
        GyroSentinelException load = assertThrows(GyroSentinelException.class,
                () -> new TfliteEngineProvider().load(tampered));
        assertEquals(ErrorCode.MODEL_HASH_MISMATCH, load.code());
    }

    @Test
    void aTamperedManifestOrPayloadBreaksTheSignature() {
        String manifest = signed.bundle().manifestJson().replace("\"stride\":16", "\"stride\":8");
        ModelBundle forged = ModelBundle.of("small-1", manifest, signed.bundle().parts());
        // Hashes still match (the parts are intact) but the signature no longer covers this manifest.
        byte[] payload = forged.payload();
        ModelBundle withOldSignature = ModelBundle.fromPayload(payload, signed.bundle().signature());
        GyroSentinelException e = assertThrows(GyroSentinelException.class,
                () -> BundleVerifier.verify(withOldSignature, keys.getPublic()));
        assertEquals(ErrorCode.MODEL_SIGNATURE_INVALID, e.code());
        GyroSentinelException otherKey = assertThrows(GyroSentinelException.class,
                () -> BundleVerifier.verify(signed.bundle(), SigningKeys.generate().getPublic()));
        assertEquals(ErrorCode.MODEL_SIGNATURE_INVALID, otherKey.code());
    }

    @Test
    void theAllowListRefusesAnOpTfliteMicroLacks() {
        ModelT m = ModelT.deserializeFromBinary(signed.bundle().part("model.tflite"));
        OperatorCodeT tile = new OperatorCodeT();
        tile.setBuiltinCode(BuiltinOperator.TILE);
        tile.setDeprecatedBuiltinCode((byte) BuiltinOperator.TILE);
        tile.setVersion(1);
        OperatorCodeT[] codes = java.util.Arrays.copyOf(m.getOperatorCodes(), m.getOperatorCodes().length + 1);
        codes[codes.length - 1] = tile;
        m.setOperatorCodes(codes);
        PackagingException e = assertThrows(PackagingException.class, () -> OpAllowList.check(m.serializeToBinary()));
        assertEquals(PackagingException.Reason.UNSUPPORTED_OP, e.reason());
        assertTrue(e.getMessage().contains("TILE"), e.getMessage());
    }

    @Test
    void theAllowListRefusesAnUnacceptedVersion() {
        ModelT m = ModelT.deserializeFromBinary(signed.bundle().part("model.tflite"));
        m.getOperatorCodes()[0].setVersion(9);
        PackagingException e = assertThrows(PackagingException.class, () -> OpAllowList.check(m.serializeToBinary()));
        assertTrue(e.getMessage().contains("version 9"), e.getMessage());
        assertDoesNotThrow(() -> OpAllowList.check(signed.bundle().part("model.tflite")));
    }

    /** TFLite Micro's CONCATENATION fails in Prepare with more than 10 inputs (seen running our models in TFLM). */
    @Test
    void theAllowListRefusesAConcatenationWiderThanTfliteMicroTakes() {
        ModelT m = ModelT.deserializeFromBinary(signed.bundle().part("model.tflite"));
        var sg = m.getSubgraphs()[0];
        var op = java.util.Arrays.stream(sg.getOperators()).filter(o -> m.getOperatorCodes()[(int) o.getOpcodeIndex()]
                .getBuiltinCode() == BuiltinOperator.CONCATENATION).findFirst().orElseThrow();
        int[] wide = new int[11];
        java.util.Arrays.fill(wide, op.getInputs()[0]);
        op.setInputs(wide);
        PackagingException e = assertThrows(PackagingException.class, () -> OpAllowList.check(m.serializeToBinary()));
        assertTrue(e.getMessage().contains("has 11 inputs (TFLite Micro takes at most 10)"), e.getMessage());
    }

    /** The C macros follow the model's own tensor types, also for a bundle whose manifest uses the old word. */
    @Test
    void theCExportMacrosFollowTheModelsPrecision(@TempDir Path dir) throws Exception {
        TrainedModel m = TestModels.random(TestModels.arch(16, 3, 4, List.of(8, 4), List.of(4, 8)), 22);
        float[][] normal = TestModels.windows(m, 80, false, 1);
        float[][] anomalous = TestModels.windows(m, 20, true, 2);
        for (Precision p : Precision.values()) {
            ModelBundle b = ModelPackager.builder().modelId("m-" + p.id()).precision(p).fallbackToInt16x8(false).build()
                    .pack(m, normal, anomalous).bundle();
            String h = Files.readString(CExport.write(b, dir.resolve(p.id()), "m").get(0));
            assertTrue(h.contains("#define GS_M_QUANTIZED " + (p.quantized() ? 1 : 0)), h);
            assertTrue(h.contains("#define GS_M_IO_INT16 " + (p == Precision.INT16X8 ? 1 : 0)), h);
            assertTrue(h.contains("#define GS_M_IO_INT8 " + (p == Precision.INT8 ? 1 : 0)), h);
            assertTrue(h.contains("#define GS_M_SAMPLES_PER_STEP 4"), h);
        }
        // Bundles packaged before int8 meant int8 activations said "int8" for the int16x8 model.
        String legacyManifest = signed.bundle().manifestJson().replace("\"quantization\":\"int16x8\"",
                "\"quantization\":\"int8\"");
        assertTrue(legacyManifest.contains("\"quantization\":\"int8\""));
        ModelBundle legacy = ModelBundle.of("legacy", legacyManifest, signed.bundle().parts());
        String h = Files.readString(CExport.write(legacy, dir.resolve("legacy"), "m").get(0));
        assertTrue(h.contains("#define GS_M_IO_INT16 1") && h.contains("#define GS_M_IO_INT8 0"), h);
    }

    @Test
    void theCExportCompilesWithGccAndTheArrayIs16ByteAligned(@TempDir Path dir) throws Exception {
        // gcc comes with scripts/install-deps.sh (the README's test command); without it this fails, it is not skipped
        List<Path> files = CExport.write(signed.bundle(), dir, "small_model");
        String h = Files.readString(files.get(0));
        assertTrue(h.contains("#define GS_SMALL_MODEL_WINDOW 16") && h.contains("#define GS_SMALL_MODEL_CHANNELS 3"), h);
        // the default int16x8 model: int8 weights, int16 input/output tensors
        assertTrue(h.contains("#define GS_SMALL_MODEL_QUANTIZED 1") && h.contains("#define GS_SMALL_MODEL_IO_INT16 1")
                && h.contains("#define GS_SMALL_MODEL_IO_INT8 0") && h.contains("#define GS_SMALL_MODEL_SAMPLES_PER_STEP 1"),
                h);
        byte[] model = signed.bundle().part("model.tflite");
        Files.writeString(dir.resolve("main.c"), """
                #include "small_model.h"
                #include <stdint.h>
                #include <stdio.h>
                #include <string.h>
                int main(void) {
                    if (gs_small_model_tflite_len != %d) { puts("bad length"); return 1; }
                    if (((uintptr_t) gs_small_model_tflite) %% 16 != 0) { puts("misaligned"); return 2; }
                    if (memcmp(gs_small_model_tflite + 4, "TFL3", 4) != 0) { puts("no TFL3"); return 3; }
                    if (GS_SMALL_MODEL_STRIDE != 16 || gs_small_model_std[0] <= 0.0f) { puts("constants"); return 4; }
                    printf("ok %%zu %%d %%f\\n", gs_small_model_tflite_len, GS_SMALL_MODEL_WINDOW, GS_SMALL_MODEL_THRESHOLD);
                    return 0;
                }
                """.formatted(model.length), StandardCharsets.US_ASCII);
        Process p = new ProcessBuilder("gcc", "-std=c11", "-Wall", "-Wextra", "-Werror", "-pedantic", "-o", "check",
                "main.c", "small_model.c").directory(dir.toFile()).redirectErrorStream(true).start();
        String cc = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(60, TimeUnit.SECONDS));
        assertEquals(0, p.exitValue(), cc);
        Process run = new ProcessBuilder(dir.resolve("check").toString()).redirectErrorStream(true).start();
        String out = new String(run.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(run.waitFor(10, TimeUnit.SECONDS));
        assertEquals(0, run.exitValue(), out);
        assertTrue(out.startsWith("ok " + model.length), out);
        assertArrayEquals(new byte[] {'T', 'F', 'L', '3'}, java.util.Arrays.copyOfRange(model, 4, 8));
    }

    @Test
    void versionScopeAndDowngradeLandInTheSignedManifestAndDevicesEnforceThem() {
        TrainedModel m = TestModels.random(TestModels.arch(16, 3, List.of(8, 4), List.of(4, 8)), 21);
        ModelPackager packager = ModelPackager.builder().modelId("small-2").signingKey(keys.getPrivate())
                .deviceArenaBytes(ModelPackager.MAX_DEVICE_ARENA_BYTES).version(7).scope("fan-board-7")
                .allowDowngrade(true).build();
        assertEquals(7, packager.toBuilder().build().version());
        ModelBundle b = packager.pack(m, TestModels.windows(m, 80, false, 1), TestModels.windows(m, 20, true, 2))
                .bundle();
        assertTrue(b.manifestJson().contains("\"modelId\":\"small-2\",\"version\":7,\"scope\":\"fan-board-7\","
                + "\"downgrade\":true,"), b.manifestJson());
        assertDoesNotThrow(() -> BundleVerifier.verify(b, keys.getPublic()), "the signature covers them");
        String plain = signed.bundle().manifestJson();
        for (String member : List.of("\"version\"", "\"scope\"", "\"downgrade\"")) {
            assertTrue(!plain.contains(member), "written only when set: " + plain);
        }

        try (VirtualDevice other = VirtualDevice.builder().realTime(false).deviceId("fan-board-8")
                .trustedKey(keys.getPublic()).build();
             DeviceClient c = DeviceClient.builder().transport(other.newTransport()).connect()) {
            GyroSentinelException e = assertThrows(GyroSentinelException.class, () -> c.deploy(b));
            assertEquals(ErrorCode.INVALID_ARGUMENT, e.code());
            assertEquals("manifest.scope", e.field());
        }
        try (VirtualDevice dev = VirtualDevice.builder().realTime(false).deviceId("fan-board-7")
                .trustedKey(keys.getPublic()).build();
             DeviceClient c = DeviceClient.builder().transport(dev.newTransport()).connect()) {
            assertTrue(c.deploy(b).activated());
            GyroSentinelException e = assertThrows(GyroSentinelException.class, () -> c.deploy(signed.bundle()));
            assertEquals(ErrorCode.MODEL_VERSION_REJECTED, e.code(), "version 0 after version 7: " + e.getMessage());
        }
    }

    @Test
    void theBuilderRefusesVersionsAndScopesADeviceCannotTake() {
        for (long v : new long[] {-1, 1L << 32}) {
            GyroSentinelException e = assertThrows(GyroSentinelException.class,
                    () -> ModelPackager.builder().version(v).build());
            assertEquals("version", e.field());
            assertTrue(e.getMessage().contains("4294967295"), e.getMessage());
        }
        for (String scope : new String[] {"fan\"7", "fan\\7", "x".repeat(48)}) {
            GyroSentinelException e = assertThrows(GyroSentinelException.class,
                    () -> ModelPackager.builder().scope(scope).build());
            assertEquals("scope", e.field());
        }
        assertEquals("modelId", assertThrows(GyroSentinelException.class,
                () -> ModelPackager.builder().modelId("a\"b").build()).field());
        assertEquals(null, ModelPackager.builder().scope("").build().scope(), "empty = any device");
        assertEquals(4294967295L, ModelPackager.builder().version(4294967295L).build().version());
    }
}
