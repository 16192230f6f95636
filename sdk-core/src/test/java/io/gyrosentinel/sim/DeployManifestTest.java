package io.gyrosentinel.sim;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The VirtualDevice reads a manifest's deployment members exactly as the firmware does: the shared cases of
 * proto/testdata/manifest/deploy.txt, which the C test (test_model_runtime.c) checks against
 * gs_manifest_parse_deploy.
 */
class DeployManifestTest {
    static final Path CASES = Path.of("..", "proto", "testdata", "manifest", "deploy.txt");

    @Test
    void everySharedCaseIsReadAsTheFirmwareReadsIt() throws IOException {
        int cases = 0;
        for (String line : Files.readAllLines(CASES, StandardCharsets.UTF_8)) {
            if (line.startsWith("#") || line.isEmpty()) {
                continue;
            }
            int tab = line.indexOf('\t');
            String[] want = line.substring(0, tab).split(" ");
            byte[] json = line.substring(tab + 1).getBytes(StandardCharsets.UTF_8);
            String what = line.substring(tab + 1);
            if (want[0].equals("ERR")) {
                DeployManifest.Malformed e = assertThrows(DeployManifest.Malformed.class, () -> DeployManifest.parse(json),
                        what);
                assertEquals(want[1], e.field, what);
                assertFalse(e.getMessage().isEmpty());
            } else {
                DeployManifest m = assertDoesNotThrowMalformed(json, what);
                assertEquals(Long.parseLong(want[1]), m.version(), what);
                assertEquals(want[2].equals("1"), m.downgrade(), what);
                assertEquals(want[3], m.scope() == null || m.scope().isEmpty() ? "-" : m.scope(), what);
                assertEquals(want[4], m.modelId() == null ? "-" : m.modelId(), what);
            }
            cases++;
        }
        assertTrue(cases >= 40, "cases read: " + cases);
    }

    private static DeployManifest assertDoesNotThrowMalformed(byte[] json, String what) {
        try {
            return DeployManifest.parse(json);
        } catch (DeployManifest.Malformed e) {
            throw new AssertionError(what + ": refused (" + e.field + ": " + e.getMessage() + ")", e);
        }
    }
}
