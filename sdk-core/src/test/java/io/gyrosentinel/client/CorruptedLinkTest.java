package io.gyrosentinel.client;

import io.gyrosentinel.SampleBlock;
import io.gyrosentinel.SensorConfig;
import io.gyrosentinel.sim.MachineModel;
import io.gyrosentinel.sim.SignalGenerator;
import io.gyrosentinel.sim.VirtualDevice;
import io.gyrosentinel.stream.GyroStream;
import io.gyrosentinel.transport.StreamTransport;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.channels.Channels;
import java.nio.channels.Pipe;
import java.time.Duration;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The device's bytes are corrupted on the way: bad frames are counted, gaps reported, good data intact. */
@Timeout(60)
class CorruptedLinkTest {

    static final class Corrupting extends FilterOutputStream {
        final Random r = new Random(42);
        volatile double rate;
        long flipped;
        long total;

        Corrupting(OutputStream out) {
            super(out);
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            byte[] c = java.util.Arrays.copyOfRange(b, off, off + len);
            for (int i = 0; i < c.length; i++) {
                total++;
                if (r.nextDouble() < rate) {
                    c[i] ^= (byte) (1 << r.nextInt(8));
                    flipped++;
                }
            }
            out.write(c);
        }
    }

    @Test
    void onePercentFlippedBytesAreDetectedAndReportedAsGaps() throws Exception {
        MachineModel machine = MachineModel.fan(1500);
        long seed = 11;
        Pipe toDev = Pipe.open();
        Pipe fromDev = Pipe.open();
        Corrupting corrupt = new Corrupting(Channels.newOutputStream(fromDev.sink()));
        SensorConfig cfg = SensorConfig.builder().odrHz(960).batchSize(16).build();
        try (VirtualDevice dev = VirtualDevice.builder().seed(seed).machine(machine).config(cfg).realTime(false).build()) {
            dev.attach(Channels.newInputStream(toDev.source()), corrupt);
            StreamTransport t = new StreamTransport("corrupted-pipe", () -> StreamTransport.Connection.of(
                    Channels.newInputStream(fromDev.source()), Channels.newOutputStream(toDev.sink()), () -> { }),
                    new StreamTransport.Options(false, Duration.ofMillis(10), Duration.ofMillis(10)));
            try (DeviceClient c = DeviceClient.builder().transport(t).connect()) {
                corrupt.rate = 0.01;
                SignalGenerator ref = new SignalGenerator(machine, 960, seed);
                double[] s = new double[3];
                long refPos = 0;
                long received = 0;
                long checked = 0;
                try (GyroStream st = c.stream(StreamOptions.defaults().withMaxSamples(20_000))) {
                    SampleBlock b;
                    while ((b = st.poll(Duration.ofSeconds(3))) != null) {
                        received += b.count();
                        // every delivered sample is exactly what the device generated at that index
                        while (refPos < b.firstSample()) {
                            ref.next(s);
                            refPos++;
                        }
                        for (int i = 0; i < b.count(); i++) {
                            ref.next(s);
                            refPos++;
                            for (int ch = 0; ch < 3; ch++) {
                                short expected = (short) Math.max(-32768, Math.min(32767, Math.round(s[ch] / cfg.dpsPerLsb())));
                                assertEquals(expected, b.raw(i, ch), "sample " + (b.firstSample() + i));
                            }
                            checked++;
                        }
                    }
                    var stats = st.stats();
                    assertTrue(corrupt.flipped > corrupt.total / 200, "flipped " + corrupt.flipped);
                    assertTrue(c.stats().badFrames() > 10, "bad frames counted: " + c.stats().badFrames());
                    assertTrue(stats.gaps() > 10, "gaps reported: " + stats.gaps());
                    // every sample is either delivered or reported missing (the tail after the last good batch aside)
                    long accounted = received + stats.missingSamples();
                    assertTrue(accounted >= 20_000 - 16 * 10 && accounted <= 20_000, "accounted " + accounted);
                    // a 110-byte frame survives 1 % flipped bytes with p = 0.99^110 = 33 %
                    assertTrue(received > 4_000, "good frames survive: " + received);
                    assertEquals(received, checked);
                }
            }
        }
    }
}
