package io.gyrosentinel.model;

import io.gyrosentinel.ErrorCode;
import io.gyrosentinel.GyroSentinelException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.util.LinkedHashMap;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ModelBundleTest {
    @TempDir
    Path dir;

    private static ModelBundle sample() {
        Map<String, byte[]> parts = new LinkedHashMap<>();
        parts.put("model.tflite", new byte[] {0, 0, 0, 0, 'T', 'F', 'L', '3', 1, 2, 3});
        return ModelBundle.of("fan-1", "{\"window\":40}", parts);
    }

    @Test
    void signedBundleRoundTripsThroughAFileAndVerifies() {
        KeyPair kp = SigningKeys.generate();
        SigningKeys.write(kp, dir.resolve("key.pem"), dir.resolve("key.pub.pem"));
        ModelBundle b = sample().sign(SigningKeys.readPrivateKey(dir.resolve("key.pem")));
        b.write(dir.resolve("m.gsb"));
        ModelBundle r = ModelBundle.read(dir.resolve("m.gsb"));
        assertEquals("fan-1", r.modelId());
        assertEquals("{\"window\":40}", r.manifestJson());
        assertArrayEquals(b.payload(), r.payload());
        assertTrue(r.verify(SigningKeys.readPublicKey(dir.resolve("key.pub.pem"))));
        assertFalse(r.verify(SigningKeys.generate().getPublic()), "another key does not verify");
        assertFalse(sample().verify(kp.getPublic()), "unsigned does not verify");
    }

    @Test
    void tfliteModelsStartAt16ByteAlignedPayloadOffsetsWhateverComesBefore() {
        for (int idLen = 1; idLen <= 40; idLen += 3) {
            for (int manifestLen = 0; manifestLen < 40; manifestLen += 7) {
                Map<String, byte[]> parts = new LinkedHashMap<>();
                parts.put("report.json", new byte[idLen * 3]);
                parts.put("model.tflite", new byte[1000 + manifestLen * 11]);
                ModelBundle b = ModelBundle.of("m".repeat(idLen), "{" + " ".repeat(manifestLen) + "}", parts);
                assertEquals(0, b.partOffset("model.tflite") % 16, "id " + idLen + " manifest " + manifestLen);
                ModelBundle r = ModelBundle.fromPayload(b.payload(), null);
                assertEquals(parts.keySet(), r.parts().keySet(), "the filler part is invisible");
                assertArrayEquals(parts.get("model.tflite"), r.part("model.tflite"));
            }
        }
    }

    @Test
    void aTamperedPayloadFailsVerification() throws Exception {
        KeyPair kp = SigningKeys.generate();
        ModelBundle b = sample().sign(kp.getPrivate());
        byte[] payload = b.payload();
        payload[payload.length - 1] ^= 1;
        assertFalse(ModelBundle.verify(kp.getPublic(), b.manifest(), ModelBundle.sha256(payload), b.signature()));
        b.write(dir.resolve("t.gsb"));
        byte[] file = Files.readAllBytes(dir.resolve("t.gsb"));
        file[file.length / 2] ^= 0x10;
        Files.write(dir.resolve("t.gsb"), file);
        boolean rejected;
        try {
            rejected = !ModelBundle.read(dir.resolve("t.gsb")).verify(kp.getPublic());
        } catch (GyroSentinelException e) {
            rejected = true;
        }
        assertTrue(rejected);
    }

    @Test
    void wrongFilesAndKeysGiveClearErrors() throws Exception {
        Files.writeString(dir.resolve("x.gsb"), "hello");
        GyroSentinelException e = assertThrows(GyroSentinelException.class, () -> ModelBundle.read(dir.resolve("x.gsb")));
        assertTrue(e.getMessage().contains("not a GyroSentinel model bundle"), e.getMessage());
        KeyPair kp = SigningKeys.generate();
        SigningKeys.write(kp, dir.resolve("k.pem"), dir.resolve("k.pub.pem"));
        GyroSentinelException k = assertThrows(GyroSentinelException.class,
                () -> SigningKeys.readPrivateKey(dir.resolve("k.pub.pem")));
        assertEquals(ErrorCode.BAD_INPUT, k.code());
        assertTrue(k.getMessage().contains("BEGIN PRIVATE KEY"), k.getMessage());
    }
}
