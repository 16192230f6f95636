package io.gyrosentinel;

import io.gyrosentinel.client.DeviceClient;
import io.gyrosentinel.model.CalibrationResult;
import io.gyrosentinel.recording.SessionInfo;
import io.gyrosentinel.recording.SessionLabel;
import io.gyrosentinel.sim.Fault;
import io.gyrosentinel.sim.MachineModel;
import io.gyrosentinel.sim.VirtualDevice;
import io.gyrosentinel.stream.WindowAssembler;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Bad arguments to the public API are {@link GyroSentinelException}s naming the code, the field and the value. */
class InvalidArgumentTest {

    static GyroSentinelException assertInvalid(String field, Executable call, String... parts) {
        GyroSentinelException e = assertThrows(GyroSentinelException.class, call);
        assertEquals(ErrorCode.INVALID_ARGUMENT, e.code(), e.getMessage());
        assertEquals(field, e.field(), e.getMessage());
        for (String p : parts) {
            assertTrue(e.getMessage().contains(p), "message '" + e.getMessage() + "' should contain '" + p + "'");
        }
        return e;
    }

    @Test
    void machineModelAndFaults() {
        assertInvalid("rpm", () -> MachineModel.fan(0), "rpm must be > 0, got 0.0");
        assertInvalid("noiseDps", () -> MachineModel.fan(1500).withNoise(-1), "noiseDps must be >= 0, got -1.0");
        assertInvalid("amplitudeDps", () -> new MachineModel(1500, new double[2], new double[] {1}, 0, 0),
                "needs 3 values", "got 2");
        assertInvalid("severity", () -> new Fault.Imbalance(-0.5), "severity must be a finite number >= 0, got -0.5");
        assertInvalid("resonanceHz", () -> new Fault.BearingImpulses(1, 3.57, 0, 3), "resonanceHz", "> 0, got 0.0");
    }

    @Test
    void virtualDeviceBuilder() {
        assertInvalid("slotSize", () -> VirtualDevice.builder().slotSize(0).build(), "slotSize must be >= 1, got 0");
        assertInvalid("exitWindows", () -> VirtualDevice.builder().anomalyHysteresis(1, 0).build(), "exitWindows");
    }

    @Test
    void recordingAndStreamArguments() {
        assertInvalid("label", () -> SessionLabel.parse("maybe"), "unknown label 'maybe'", "normal/anomalous");
        assertInvalid("channelScale", () -> new SessionInfo(SessionLabel.NORMAL, "m", Map.of(), "",
                List.of("x", "y"), new float[1], "dps", 100, ""), "2 channel names but 1 scales");
        assertInvalid("stride", () -> new WindowAssembler(10, 0, w -> { }), "size=10 stride=0");
        assertInvalid("size", () -> new WindowAssembler(0, 5, w -> { }), "size=0 stride=5");
        assertInvalid("std", () -> new CalibrationResult(new float[3], new float[2], 1f, 1), "3 vs 2");
    }

    @Test
    void badSimUriValuesAreBadUris() {
        for (String[] c : new String[][] {{"sim:?rpm=0", "rpm must be > 0"}, {"sim:?rpm=1500&noise=-1", "noiseDps"},
                {"sim:?fault=wobble", "unknown fault 'wobble'"}, {"sim:?fault=imbalance&severity=-1", "severity"},
                {"sim:?slotKiB=0", "slotSize must be >= 1"}}) {
            GyroSentinelException e = assertThrows(GyroSentinelException.class, () -> DeviceClient.connect(c[0]));
            assertEquals(ErrorCode.BAD_URI, e.code(), e.getMessage());
            assertTrue(e.getMessage().contains(c[1]), e.getMessage());
            assertTrue(e.getMessage().contains(c[0]), e.getMessage());
            assertFalse(e.getMessage().contains("[INVALID_ARGUMENT]"), e.getMessage());
        }
    }
}
