package io.gyrosentinel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.gyrosentinel.client.DeviceClient;
import io.gyrosentinel.internal.framing.FrameCodec;
import io.gyrosentinel.internal.framing.FrameDecoder;
import io.gyrosentinel.model.ModelBundle;
import io.gyrosentinel.recording.CsvImport;
import io.gyrosentinel.recording.Recording;
import io.gyrosentinel.recording.RecordingWriter;
import io.gyrosentinel.recording.SessionLabel;
import io.gyrosentinel.sim.VirtualDevice;
import io.gyrosentinel.stream.GyroStream;
import io.gyrosentinel.client.StreamOptions;
import io.gyrosentinel.transport.Transport;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A seeded random-mutation fuzzer over every parser of outside input in sdk-core, bounded in count and time so it runs
 * in CI: byte flips, truncations, duplications, insertions and random bytes applied to valid seeds. The only
 * acceptable failure is the SDK's own {@link GyroSentinelException} (or, for the frame decoder and a live client,
 * nothing at all: bad input is counted and dropped). Anything else — an IndexOutOfBounds, an ArithmeticException, a
 * NullPointerException, a StackOverflowError — fails the test with the seed and iteration that found it.
 */
@Timeout(180)
class HostileInputFuzzTest {
    static final long SEED = 20261204L;
    static final int ROUNDS = 4000;

    @TempDir
    Path dir;

    /** One mutation of {@code seed}: flip, truncate, duplicate a span, insert random bytes, or overwrite a span. */
    static byte[] mutate(byte[] seed, Random r) {
        byte[] b = seed.clone();
        int n = 1 + r.nextInt(4);
        for (int k = 0; k < n; k++) {
            if (b.length == 0) {
                return new byte[] {(byte) r.nextInt()};
            }
            int at = r.nextInt(b.length);
            switch (r.nextInt(6)) {
                case 0 -> b[at] ^= (byte) (1 << r.nextInt(8));
                case 1 -> b = Arrays.copyOf(b, r.nextBoolean() ? r.nextInt(Math.min(b.length, 64)) : at); // headers too
                case 2 -> {
                    int len = Math.min(b.length - at, 1 + r.nextInt(64));
                    byte[] c = new byte[b.length + len];
                    System.arraycopy(b, 0, c, 0, at + len);
                    System.arraycopy(b, at, c, at + len, b.length - at);
                    b = c;
                }
                case 3 -> {
                    byte[] ins = new byte[1 + r.nextInt(16)];
                    r.nextBytes(ins);
                    byte[] c = new byte[b.length + ins.length];
                    System.arraycopy(b, 0, c, 0, at);
                    System.arraycopy(ins, 0, c, at, ins.length);
                    System.arraycopy(b, at, c, at + ins.length, b.length - at);
                    b = c;
                }
                case 4 -> {
                    // interesting integers where varints and lengths live
                    byte[] v = {(byte) 0xFF, (byte) 0xFF, (byte) 0xFF, (byte) 0xFF, 0x0F};
                    System.arraycopy(v, 0, b, at, Math.min(v.length, b.length - at));
                }
                default -> {
                    int len = Math.min(b.length - at, 1 + r.nextInt(32));
                    byte[] rnd = new byte[len];
                    r.nextBytes(rnd);
                    System.arraycopy(rnd, 0, b, at, len);
                }
            }
        }
        return b;
    }

    interface Target {
        void run(byte[] input) throws Exception;
    }

    /** Runs {@code target} on ROUNDS mutations of the seeds (or until 20 s); only GyroSentinelException may escape. */
    static int fuzz(String what, List<byte[]> seeds, Target target) throws Exception {
        Random r = new Random(SEED ^ what.hashCode());
        long end = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        int i = 0;
        for (; i < ROUNDS && System.nanoTime() < end; i++) {
            byte[] in = mutate(seeds.get(r.nextInt(seeds.size())), r);
            try {
                target.run(in);
            } catch (GyroSentinelException expected) {
                assertNotNull(expected.getMessage());
            } catch (Throwable t) {
                throw new AssertionError(what + ": input " + i + " (seed " + SEED + ", " + in.length + " bytes) raised "
                        + t, t);
            }
        }
        return i;
    }

    @Test
    void theFrameDecoderCountsAndDropsWhatItCannotRead() throws Exception {
        List<byte[]> seeds = new ArrayList<>();
        for (int n : new int[] {1, 5, 60, 254, 255, 600, 2048}) {
            byte[] env = new byte[n];
            new Random(n).nextBytes(env);
            seeds.add(FrameCodec.encode(env));
        }
        long[] good = {0};
        FrameDecoder d = new FrameDecoder((buf, off, len) -> {
            assertTrue(len >= 0 && len <= FrameCodec.MAX_ENVELOPE && off >= 0 && off + len <= buf.length);
            good[0]++;
        });
        int runs = fuzz("frames", seeds, in -> d.feed(in, 0, in.length));
        assertTrue(runs >= 1000, "ran " + runs);
        assertTrue(d.badFrames() > 0 && good[0] > 0, "both kinds seen: good " + good[0] + ", bad " + d.badFrames());
    }

    /** A transport that lets the test put frames into a live client, one frame at a time with the real link. */
    static final class InjectingTransport implements Transport {
        final Transport inner;
        final AtomicReference<Listener> listener = new AtomicReference<>();
        final AtomicReference<Throwable> escaped = new AtomicReference<>();

        InjectingTransport(Transport inner) {
            this.inner = inner;
        }

        @Override
        public void start(Listener l) {
            Listener guarded = new Listener() {
                @Override
                public synchronized void onFrame(byte[] buf, int off, int len) {
                    try {
                        l.onFrame(buf, off, len);
                    } catch (Throwable t) {
                        escaped.compareAndSet(null, t);
                    }
                }

                @Override
                public void onConnected(boolean reconnect) {
                    l.onConnected(reconnect);
                }

                @Override
                public void onDisconnected(Throwable cause, boolean willReconnect) {
                    l.onDisconnected(cause, willReconnect);
                }
            };
            listener.set(guarded);
            inner.start(guarded);
        }

        @Override
        public void send(byte[] envelope) {
            inner.send(envelope);
        }

        @Override
        public String describe() {
            return "injecting:" + inner.describe();
        }

        @Override
        public void close() {
            inner.close();
        }
    }

    @Test
    void mutatedEnvelopesInjectedIntoALiveClientNeverStopIt() throws Exception {
        try (VirtualDevice dev = VirtualDevice.builder().deviceId("fuzz-1").realTime(false).build()) {
            InjectingTransport t = new InjectingTransport(dev.newTransport());
            try (DeviceClient c = DeviceClient.builder().transport(t).connect();
                 GyroStream s = c.stream(StreamOptions.defaults().withMaxSamples(200_000))) {
                assertNotNull(s.poll(Duration.ofSeconds(5)));
                // seeds: envelopes of the kinds the device sends
                List<byte[]> seeds = new ArrayList<>();
                var b = io.gyrosentinel.internal.wire.v1.SampleBatch.newBuilder().setSequence(7).setTimestampUs(1000)
                        .setSamplePeriodNs(1_041_667).setCount(2)
                        .setData(com.google.protobuf.ByteString.copyFrom(new byte[12])).build();
                seeds.add(io.gyrosentinel.internal.wire.WireCodec.envelope(0).setSampleBatch(b).build().toByteArray());
                seeds.add(io.gyrosentinel.internal.wire.WireCodec.envelope(3).setPong(
                        io.gyrosentinel.internal.wire.v1.Pong.newBuilder().build()).build().toByteArray());
                seeds.add(io.gyrosentinel.internal.wire.WireCodec.envelope(0).setStreamStatus(
                        io.gyrosentinel.internal.wire.v1.StreamStatus.newBuilder().setStreaming(true).build())
                        .build().toByteArray());
                seeds.add(io.gyrosentinel.internal.wire.WireCodec.envelope(0).setAnomalyEvent(
                        io.gyrosentinel.internal.wire.v1.AnomalyEvent.newBuilder().setModelId("m").build())
                        .build().toByteArray());
                int runs = fuzz("envelopes", seeds, in -> t.listener.get().onFrame(in, 0, in.length));
                assertTrue(runs >= 1000, "ran " + runs);
                assertEquals(null, t.escaped.get(), "an exception escaped the client's frame handler");
                assertTrue(c.ping().toMillis() < 5000, "the client still answers");
                assertNotNull(s.poll(Duration.ofSeconds(5)), "the stream still flows");
            }
        }
    }

    @Test
    void mutatedRecordingsAreBadRecordingsNotCrashes() throws Exception {
        Path good = dir.resolve("good.gsr");
        try (DeviceClient c = DeviceClient.connect("sim:?realtime=false&seed=5");
             RecordingWriter w = RecordingWriter.create(good, RecordingWriter.deviceSession(SessionLabel.NORMAL, "m",
                     c.config(), "sim"), c.config(), c.info());
             GyroStream s = c.stream(StreamOptions.defaults().withMaxSamples(480))) {
            AutoCloseable h = s.collectTo(w);
            while (s.poll(Duration.ofSeconds(5)) != null) {
                // drain
            }
            h.close();
        }
        byte[] seed = Files.readAllBytes(good);
        Path f = dir.resolve("mutant.gsr");
        int runs = fuzz("recordings", List.of(seed), in -> {
            Files.write(f, in);
            Recording r = Recording.read(f, true);
            r.values(); // touch every block
            r.runs();
        });
        assertTrue(runs >= 1000, "ran " + runs);
    }

    @Test
    void mutatedBundlesAreRefusedWithTheSdksErrors() throws Exception {
        Map<String, byte[]> parts = new LinkedHashMap<>();
        byte[] model = new byte[3000];
        new Random(3).nextBytes(model);
        parts.put("model.tflite", model);
        parts.put("report.json", "{\"a\":1}".getBytes(StandardCharsets.UTF_8));
        ModelBundle b = ModelBundle.of("fuzz", "{\"format\":\"gyrosentinel.tflite-autoencoder\",\"modelId\":\"fuzz\"}",
                parts).sign(io.gyrosentinel.model.SigningKeys.generate().getPrivate());
        Path good = dir.resolve("good.gsb");
        b.write(good);
        byte[] seed = Files.readAllBytes(good);
        Path f = dir.resolve("mutant.gsb");
        int runs = fuzz("bundles", List.of(seed, b.payload()), in -> {
            Files.write(f, in);
            ModelBundle m = ModelBundle.read(f);
            m.parts().values().forEach(p -> assertNotNull(p));
            ModelBundle.fromPayload(in, new byte[0]);
        });
        assertTrue(runs >= 1000, "ran " + runs);
    }

    @Test
    void mutatedCsvIsAnErrorWithFileAndLineOrAnImport() throws Exception {
        StringBuilder sb = new StringBuilder("t,x,y,label\n");
        for (int i = 0; i < 60; i++) {
            sb.append(String.format(java.util.Locale.ROOT, "%.3f,%d,%.2f,%s%n", 100 + i * 0.01, i % 7, Math.sin(i),
                    i % 9 == 0 ? "1.0" : "0.0"));
        }
        byte[] seed = sb.toString().getBytes(StandardCharsets.UTF_8);
        Path f = dir.resolve("mutant.csv");
        Path out = dir.resolve("out.gsr");
        CsvImport imp = CsvImport.builder().columns(List.of("x", "y")).timeColumn("t", CsvImport.TimeFormat.UNIX_SECONDS)
                .labelColumn("label").build();
        int runs = fuzz("csv", List.of(seed), in -> {
            Files.write(f, in);
            imp.run(f, out);
            Recording.read(out);
        });
        assertTrue(runs >= 300, "ran " + runs);
    }
}
