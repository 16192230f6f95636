package io.gyrosentinel.transport.serial;

import io.gyrosentinel.SampleBlock;
import io.gyrosentinel.SensorConfig;
import io.gyrosentinel.client.DeviceClient;
import io.gyrosentinel.sim.VirtualDevice;
import io.gyrosentinel.stream.GyroStream;
import io.gyrosentinel.transport.Transport;
import io.gyrosentinel.transport.TransportStats;
import io.gyrosentinel.transport.Transports;
import io.gyrosentinel.transport.serial.pty.PtyDevice;

import java.time.Duration;
import java.util.Arrays;

/**
 * Sustained streaming over {@code serial:} on a real PTY: a real-time VirtualDevice at 3840 Hz,
 * 3 axes, for 30 s. Prints samples/s received, loss, bytes/s on the wire against the capacity of
 * a 921600-baud UART at 8N1 (92160 bytes/s), and the delivery latency of each block.
 * Not a test: run it by hand.
 *
 * <pre>
 * ./mvnw -q -o -pl sdk-transport-serial test-compile exec:java -Dexec.classpathScope=test \
 *     -Dexec.mainClass=io.gyrosentinel.transport.serial.SerialBench -Dexec.args="30 64"
 * </pre>
 * Arguments: seconds (default 30), samples per batch (default 64), ODR in Hz (default 3840).
 */
public final class SerialBench {
    static final double UART_BYTES_PER_S = 921_600 / 10.0; // 8N1: 10 bit times per byte

    public static void main(String[] args) throws Exception {
        int seconds = args.length > 0 ? Integer.parseInt(args[0]) : 30;
        int batch = args.length > 1 ? Integer.parseInt(args[1]) : 64;
        double odr = args.length > 2 ? Double.parseDouble(args[2]) : 3840;
        SensorConfig cfg = SensorConfig.builder().odrHz(odr).batchSize(batch).build();
        VirtualDevice vd = VirtualDevice.builder().config(cfg).realTime(true).build();
        try (PtyDevice dev = PtyDevice.plug(vd);
             Transport t = Transports.open("serial:" + dev.slavePath() + "?baud=921600");
             DeviceClient c = DeviceClient.builder().transport(t).connect()) {
            // warm up (JIT, PTY buffers), then measure
            try (GyroStream s = c.stream()) {
                long end = System.nanoTime() + 2_000_000_000L;
                while (System.nanoTime() < end) {
                    s.poll(Duration.ofSeconds(1));
                }
            }
            TransportStats before = t.stats();
            long samples = 0;
            long blocks = 0;
            long[] latencyUs = new long[(int) (seconds * odr / batch) + 1024];
            long t0;
            long t1;
            GyroStream s = c.stream();
            try {
                t0 = System.nanoTime();
                long end = t0 + seconds * 1_000_000_000L;
                SampleBlock b;
                while (System.nanoTime() < end && (b = s.poll(Duration.ofSeconds(2))) != null) {
                    // the block's last sample was due at ts(count - 1) + one period on the device clock
                    long due = b.timestampMicros(b.count() - 1) + b.periodNanos() / 1000;
                    if (blocks < latencyUs.length) {
                        latencyUs[(int) blocks] = vd.nowMicros() - due;
                    }
                    samples += b.count();
                    blocks++;
                }
                t1 = System.nanoTime();
            } finally {
                s.close();
            }
            var st = s.stats();
            TransportStats after = t.stats();
            double secs = (t1 - t0) / 1e9;
            long bytesIn = after.bytesIn() - before.bytesIn();
            long framesIn = after.framesIn() - before.framesIn();
            long[] lat = Arrays.copyOf(latencyUs, (int) Math.min(blocks, latencyUs.length));
            Arrays.sort(lat);
            System.out.printf("serial: over a PTY, %s%n", t.describe());
            System.out.printf("stream: %.0f Hz x %d axes, %d samples per batch, %d s%n", odr, cfg.channels(), batch, seconds);
            System.out.printf("received: %d samples in %.2f s = %.1f samples/s (expected %.0f); %d blocks%n",
                    samples, secs, samples / secs, odr, blocks);
            System.out.printf("loss: %d gaps, %d missing samples, %d bad frames, %d dropped blocks%n",
                    st.gaps(), st.missingSamples(), c.stats().badFrames(), st.droppedBlocks());
            System.out.printf("wire (device -> host): %d bytes, %.0f bytes/s, %.2f bytes/sample, %.1f frames/s%n",
                    bytesIn, bytesIn / secs, bytesIn / (double) samples, framesIn / secs);
            System.out.printf("921600-baud UART at 8N1 carries %.0f bytes/s: this stream uses %.1f %% of it%n",
                    UART_BYTES_PER_S, 100 * bytesIn / secs / UART_BYTES_PER_S);
            if (lat.length > 0) {
                System.out.printf("block latency (last sample due -> poll returns): p50 %d us, p99 %d us, max %d us%n",
                        lat[lat.length / 2], lat[(int) (lat.length * 0.99)], lat[lat.length - 1]);
            }
        }
    }
}
