package io.gyrosentinel.sim;

import io.gyrosentinel.SampleBlock;
import io.gyrosentinel.client.DeviceClient;
import io.gyrosentinel.client.StreamOptions;
import io.gyrosentinel.stream.GyroStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.time.Duration;
import java.util.Arrays;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

@Timeout(60)
class VirtualDeviceTest {

    private static short[] capture(String uri, int samples) {
        short[] out = new short[samples * 3];
        try (DeviceClient c = DeviceClient.connect(uri);
             GyroStream s = c.stream(StreamOptions.defaults().withMaxSamples(samples))) {
            SampleBlock b;
            int off = 0;
            while ((b = s.poll(Duration.ofSeconds(5))) != null) {
                System.arraycopy(b.raw(), 0, out, off, b.count() * 3);
                off += b.count() * 3;
            }
            assertEquals(out.length, off);
        }
        return out;
    }

    @Test
    void sameSeedSameSamplesOtherSeedOtherSamples() {
        short[] a = capture("sim:?realtime=false&seed=5", 2000);
        short[] b = capture("sim:?realtime=false&seed=5", 2000);
        short[] c = capture("sim:?realtime=false&seed=6", 2000);
        assertArrayEquals(a, b);
        assertFalse(Arrays.equals(a, c));
    }

    private static double rmsOfFundamental(float[] xyz, double rate, double hz) {
        // single-bin DFT of X at the shaft frequency
        double re = 0;
        double im = 0;
        int n = xyz.length / 3;
        for (int i = 0; i < n; i++) {
            double ph = 2 * Math.PI * hz * i / rate;
            re += xyz[3 * i] * Math.cos(ph);
            im += xyz[3 * i] * Math.sin(ph);
        }
        return 2 * Math.hypot(re, im) / n;
    }

    @Test
    void imbalanceRaisesTheFirstHarmonicByItsSeverity() {
        MachineModel m = new MachineModel(1500, new double[] {2, 1.5, 0.6}, new double[] {1, 0.35, 0.15}, 0.1, 0);
        SignalGenerator normal = new SignalGenerator(m, 960, 1);
        SignalGenerator faulty = new SignalGenerator(m, 960, 1);
        faulty.setFaults(java.util.List.of(new Fault.Imbalance(0.5)));
        double a = rmsOfFundamental(normal.generate(9600), 960, 25);
        double b = rmsOfFundamental(faulty.generate(9600), 960, 25);
        assertEquals(2.0, a, 0.05);
        assertEquals(3.0, b, 0.05);
    }

    @Test
    void bearingImpulsesAddBurstEnergyWellAboveTheNoise() {
        MachineModel m = MachineModel.fan(1500);
        float[] n = new SignalGenerator(m, 960, 1).generate(9600);
        SignalGenerator g = new SignalGenerator(m, 960, 1);
        g.setFaults(java.util.List.of(Fault.BearingImpulses.typical()));
        float[] f = g.generate(9600);
        double ss = 0;
        for (int i = 0; i < 9600; i++) {
            double d = f[3 * i] - n[3 * i];
            ss += d * d;
        }
        double rms = Math.sqrt(ss / 9600);
        // noise alone would differ by 0.15 * sqrt(2) = 0.21 dps rms
        assertTrue(rms > 0.5, "burst rms " + rms);
    }

    @Test
    void faultsCanBeInjectedWhileStreaming() {
        try (VirtualDevice dev = VirtualDevice.builder().realTime(false).build();
             DeviceClient c = DeviceClient.builder().transport(dev.newTransport()).connect();
             GyroStream s = c.stream(StreamOptions.defaults().withMaxSamples(9600))) {
            assertTrue(s.poll(Duration.ofSeconds(5)) != null);
            dev.injectFault(new Fault.Imbalance(1.0));
            assertEquals(1, dev.faults().size());
            dev.clearFaults();
            assertTrue(dev.faults().isEmpty());
        }
    }
}
