package io.gyrosentinel.testing;

import io.gyrosentinel.ErrorCode;
import io.gyrosentinel.GyroSentinelException;
import io.gyrosentinel.SampleBlock;
import io.gyrosentinel.SensorConfig;
import io.gyrosentinel.client.DeviceClient;
import io.gyrosentinel.client.StreamOptions;
import io.gyrosentinel.stream.GyroStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.time.Duration;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The behaviour every transport must show with a VirtualDevice at the other end. A transport
 * module's test extends this class and says how to connect; see SimTransportContractTest.
 * Shipped in sdk-core's test-jar.
 */
@Timeout(120)
public abstract class TransportContract {

    /** A connected client to a fresh VirtualDevice (default configuration, real time unless said). */
    protected abstract DeviceClient connect();

    @Test
    void handshakeGivesTheDeviceInfo() {
        try (DeviceClient c = connect()) {
            assertEquals(1, c.info().protocolVersion());
            assertTrue(c.info().maxFrameSize() >= 1024);
            assertNotNull(c.info().deviceId());
        }
    }

    @Test
    void configureThenStreamTenThousandSamplesWithNoGaps() {
        try (DeviceClient c = connect()) {
            c.configure(SensorConfig.builder().odrHz(3840).fullScaleDps(500).batchSize(64).build());
            assertEquals(3840, c.config().odrHz());
            long n = 0;
            long expected = 0;
            try (GyroStream s = c.stream(StreamOptions.defaults().withMaxSamples(10_000))) {
                SampleBlock b;
                while ((b = s.poll(Duration.ofSeconds(10))) != null) {
                    assertEquals(expected, b.firstSample(), "contiguous");
                    assertEquals(0, b.missingBefore());
                    expected = b.endSample();
                    n += b.count();
                }
                assertEquals(0, s.stats().gaps());
            }
            assertEquals(10_000, n);
        }
    }

    @Test
    void pingTelemetryAndErrorsRoundTrip() {
        try (DeviceClient c = connect()) {
            assertTrue(c.ping().toMillis() < 5000);
            assertTrue(c.telemetry().uptimeMillis() > 0);
            GyroSentinelException e = assertThrows(GyroSentinelException.class,
                    () -> c.configure(new SensorConfig(5000, 250, SensorConfig.defaults().axes(), 1, 48)));
            assertEquals(ErrorCode.INVALID_ARGUMENT, e.code());
            assertEquals("configure.odr_hz", e.field());
        }
    }

    @Test
    void streamCanBeStoppedAndRestarted() {
        try (DeviceClient c = connect()) {
            for (int i = 0; i < 2; i++) {
                try (GyroStream s = c.stream()) {
                    assertNotNull(s.poll(Duration.ofSeconds(10)));
                }
            }
        }
    }
}
