package io.gyrosentinel;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The SDK's ErrorCode mirrors every code of the wire contract (proto ErrorCode), by number and name. */
class ErrorCodeTest {
    @Test
    void everyWireCodeHasItsSdkCodeOfTheSameName() {
        for (io.gyrosentinel.internal.wire.v1.ErrorCode w : io.gyrosentinel.internal.wire.v1.ErrorCode.values()) {
            if (w == io.gyrosentinel.internal.wire.v1.ErrorCode.ERROR_CODE_UNSPECIFIED
                    || w == io.gyrosentinel.internal.wire.v1.ErrorCode.UNRECOGNIZED) {
                continue;
            }
            ErrorCode c = ErrorCode.fromWire(w.getNumber());
            assertEquals(w.name(), c.name(), "wire code " + w.getNumber());
            assertEquals(w.getNumber(), c.wireCode());
            assertTrue(c.isDeviceError());
        }
        assertEquals(ErrorCode.MODEL_VERSION_REJECTED, ErrorCode.fromWire(19));
        assertEquals(ErrorCode.DEVICE_UNKNOWN, ErrorCode.fromWire(1000));
    }
}
