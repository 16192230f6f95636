package io.gyrosentinel.transport.serial;

import io.gyrosentinel.ErrorCode;
import io.gyrosentinel.GyroSentinelException;
import io.gyrosentinel.client.DeviceClient;
import io.gyrosentinel.sim.VirtualDevice;
import io.gyrosentinel.transport.Endpoint;
import io.gyrosentinel.transport.Transport;
import io.gyrosentinel.transport.Transports;
import io.gyrosentinel.transport.serial.SerialSettings.FlowControl;
import io.gyrosentinel.transport.serial.SerialSettings.Parity;
import io.gyrosentinel.transport.serial.internal.SerialErrors;
import io.gyrosentinel.transport.serial.pty.Pty;
import io.gyrosentinel.transport.serial.pty.PtyDevice;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeFalse;

@Timeout(30)
class SerialUriAndErrorsTest {

    @Test
    void theSerialSchemeIsFoundByServiceLoader() {
        assertInstanceOf(SerialTransportProvider.class, Transports.forScheme("serial"));
    }

    @Test
    void aBarePathMeans921600EightNOneWithoutFlowControl() {
        SerialSettings s = SerialSettings.fromEndpoint(Endpoint.parse("serial:/dev/ttyUSB0"));
        assertEquals(new SerialSettings("/dev/ttyUSB0", 921_600, 8, Parity.NONE, 1, FlowControl.NONE), s);
        assertEquals("/dev/ttyUSB0@921600", s.describe());
    }

    @Test
    void everyLineSettingIsReadAndRoundTripsThroughTheUri() {
        String uri = "serial:/dev/ttyACM0?baud=115200&dataBits=7&parity=even&stopBits=2&flowControl=rtscts";
        SerialSettings s = SerialSettings.fromEndpoint(Endpoint.parse(uri));
        assertEquals(new SerialSettings("/dev/ttyACM0", 115_200, 7, Parity.EVEN, 2, FlowControl.RTSCTS), s);
        assertEquals(uri, s.toUri());
        assertEquals("/dev/ttyACM0@115200-7E2-rtscts", s.describe());
        assertEquals(s, SerialSettings.fromEndpoint(Endpoint.parse("serial:///dev/ttyACM0?baud=115200&dataBits=7"
                + "&parity=EVEN&stopBits=2&flowControl=RtsCts")));
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
        "serial:/dev/ttyUSB0?baud=fast        | baud",
        "serial:/dev/ttyUSB0?baud=0           | baud",
        "serial:/dev/ttyUSB0?dataBits=9       | dataBits",
        "serial:/dev/ttyUSB0?parity=mark      | none, even or odd",
        "serial:/dev/ttyUSB0?stopBits=3       | stopBits",
        "serial:/dev/ttyUSB0?flowControl=xon  | none or rtscts",
        "serial:/dev/ttyUSB0?baudrate=9600    | unknown parameter 'baudrate'",
        "serial:/dev/ttyUSB0?reconnect=maybe  | reconnect",
        "serial:/dev/ttyUSB0?backoffMs=0      | backoffMs",
        "serial:                              | names no port",
        "serial://dev/ttyUSB0                 | not a host",
    })
    void badUrisFailWithAMessageNamingTheProblem(String uri, String expected) {
        GyroSentinelException e = assertThrows(GyroSentinelException.class, () -> Transports.open(uri));
        assertEquals(ErrorCode.BAD_URI, e.code());
        assertTrue(e.getMessage().contains(expected), e.getMessage());
    }

    @Test
    void aMissingPortFailsFastWithTransportAndSaysWhatToDo() {
        long t0 = System.nanoTime();
        GyroSentinelException e = assertThrows(GyroSentinelException.class,
                () -> DeviceClient.connect("serial:/dev/ttyGS-missing-0"));
        long ms = (System.nanoTime() - t0) / 1_000_000;
        assertEquals(ErrorCode.TRANSPORT, e.code());
        assertTrue(e.getMessage().contains("/dev/ttyGS-missing-0") && e.getMessage().contains("does not exist")
                && e.getMessage().contains("SerialPorts.list()"), e.getMessage());
        assertTrue(ms < 1000, "failed in " + ms + " ms");
    }

    @Test
    void aFileThatIsNotATerminalIsRefused(@TempDir Path dir) throws Exception {
        Path f = Files.writeString(dir.resolve("not-a-tty"), "hello");
        GyroSentinelException e = assertThrows(GyroSentinelException.class,
                () -> DeviceClient.connect("serial:" + f));
        assertEquals(ErrorCode.TRANSPORT, e.code());
        assertTrue(e.getMessage().contains(f + " is not a serial port"), e.getMessage());
    }

    @Test
    void aPortAlreadyOpenInThisProcessIsRefusedWithAClearMessage() {
        try (PtyDevice dev = PtyDevice.plug(VirtualDevice.builder().build());
             DeviceClient first = DeviceClient.connect("serial:" + dev.slavePath())) {
            assertNotNull(first.info());
            GyroSentinelException e = assertThrows(GyroSentinelException.class,
                    () -> DeviceClient.connect("serial:" + dev.slavePath()));
            assertEquals(ErrorCode.TRANSPORT, e.code());
            assertTrue(e.getMessage().contains("already open in this process"), e.getMessage());
            assertTrue(first.ping().toMillis() < 5000, "the first client is not disturbed");
        }
    }

    @Test
    void aPortWithoutPermissionSaysToJoinTheDialoutGroup() throws Exception {
        try (Pty pty = Pty.open()) {
            Files.setPosixFilePermissions(Path.of(pty.slavePath()), PosixFilePermissions.fromString("---------"));
            // root keeps CAP_DAC_OVERRIDE unless scripts/test.sh could drop it: then nothing is denied to test
            assumeFalse(opens(Path.of(pty.slavePath())), "this process bypasses file permissions (root with "
                    + "CAP_DAC_OVERRIDE; scripts/test.sh drops it where setpriv may)");
            GyroSentinelException e = assertThrows(GyroSentinelException.class,
                    () -> DeviceClient.connect("serial:" + pty.slavePath()));
            assertEquals(ErrorCode.TRANSPORT, e.code());
            assertTrue(e.getMessage().contains("dialout"), e.getMessage());
        }
    }

    private static boolean opens(Path p) {
        try (var c = java.nio.channels.FileChannel.open(p, java.nio.file.StandardOpenOption.READ)) {
            return true;
        } catch (java.io.IOException e) {
            return false;
        }
    }

    @Test
    void nativeErrorNumbersBecomeAdvice() {
        assertTrue(SerialErrors.openFailure("/dev/ttyUSB0", 13, true).contains("add your user to the dialout group"));
        assertTrue(SerialErrors.openFailure("/dev/ttyUSB0", 16, true).contains("in use by another program"));
        assertTrue(SerialErrors.openFailure("/dev/ttyUSB0", 11, true).contains("in use by another program"));
        assertTrue(SerialErrors.openFailure("/dev/ttyUSB0", 2, false).contains("does not exist"));
        assertTrue(SerialErrors.openFailure("/dev/ttyUSB0", 6, true).contains("re-plug"));
        assertTrue(SerialErrors.openFailure("/dev/ttyUSB0", 999, true).contains("/dev/ttyUSB0"));
    }

    @Test
    void closingTheTransportIsIdempotentAndEndsItsThread() {
        try (PtyDevice dev = PtyDevice.plug(VirtualDevice.builder().build())) {
            Transport t = Transports.open("serial:" + dev.slavePath());
            DeviceClient c = DeviceClient.builder().transport(t).connect();
            assertEquals("serial:" + dev.slavePath() + "@921600", t.describe());
            c.close();
            c.close();
            t.close();
            long alive = Thread.getAllStackTraces().keySet().stream()
                    .filter(th -> th.getName().equals("gs-io-" + t.describe()) && th.isAlive()).count();
            assertEquals(0, alive, "reader thread still running");
        }
    }

    @Test
    void listingPortsWorksAndGivesUsablePaths() {
        for (SerialPortInfo p : SerialPorts.list()) {
            assertTrue(!p.path().isEmpty() && p.uri().startsWith("serial:"), p.toString());
        }
    }
}
