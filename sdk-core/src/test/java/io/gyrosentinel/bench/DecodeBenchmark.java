package io.gyrosentinel.bench;

import com.google.protobuf.ByteString;
import io.gyrosentinel.SampleBlock;
import io.gyrosentinel.SensorConfig;
import io.gyrosentinel.internal.framing.FrameCodec;
import io.gyrosentinel.internal.framing.FrameDecoder;
import io.gyrosentinel.internal.stream.DefaultGyroStream;
import io.gyrosentinel.internal.wire.WireCodec;
import io.gyrosentinel.internal.wire.v1.Envelope;
import io.gyrosentinel.internal.wire.v1.SampleBatch;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.Blackhole;

import java.io.ByteArrayOutputStream;
import java.util.Random;
import java.util.concurrent.TimeUnit;

/**
 * Host receive path: bytes from the link → COBS/CRC frame decode → protobuf Envelope →
 * int16 samples → SampleBlock with sequence/gap tracking (the same steps as
 * DefaultDeviceClient.onFrame). Reported per sample.
 *
 * <p>Run: {@code scripts/bench-core.sh} (see docs/benchmarks.md).
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class DecodeBenchmark {
    /** Samples per pass, whatever the batch size. */
    static final int SAMPLES = 20_000;
    int batches;

    @Param({"25", "100"})
    public int batchSize;

    byte[] wire;
    DefaultGyroStream stream;
    FrameDecoder decoder;
    Blackhole bh;

    @Setup(Level.Trial)
    public void setup() {
        Random r = new Random(1);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        byte[] data = new byte[batchSize * 6];
        batches = SAMPLES / batchSize;
        for (int i = 0; i < batches; i++) {
            r.nextBytes(data);
            Envelope e = Envelope.newBuilder().setProtocolVersion(1).setSampleBatch(SampleBatch.newBuilder()
                    .setSequence(i).setTimestampUs(3_600_000_000L + i * (long) batchSize * 260)
                    .setSamplePeriodNs(260_417).setCount(batchSize).setData(ByteString.copyFrom(data))).build();
            out.writeBytes(FrameCodec.encode(e.toByteArray()));
        }
        wire = out.toByteArray();
    }

    @Setup(Level.Iteration)
    public void freshStream(Blackhole blackhole) {
        bh = blackhole;
        // the stream keeps its first items for late consumers; a consumer-less benchmark stream
        // gets past that history quickly
        stream = new DefaultGyroStream(SensorConfig.defaults(), new float[] {1, 1, 1}, Runnable::run, 2, null);
        decoder = new FrameDecoder((buf, off, len) -> {
            try {
                Envelope env = WireCodec.parseEnvelope(buf, off, len);
                SampleBatch b = env.getSampleBatch();
                short[] raw = WireCodec.toShorts(b.getData());
                stream.onBatch(Integer.toUnsignedLong(b.getSequence()) + seqBase, b.getTimestampUs() + tsBase,
                        b.getSamplePeriodNs(), b.getCount(), raw);
            } catch (com.google.protobuf.InvalidProtocolBufferException e) {
                throw new IllegalStateException(e);
            }
        });
    }

    long seqBase;
    long tsBase;

    /** One pass decodes {@value #SAMPLES} samples; the score is samples per second. */
    @Benchmark
    @OperationsPerInvocation(SAMPLES)
    public void decode() {
        pass();
    }

    private void pass() {
        decoder.feed(wire, 0, wire.length);
        // keep sequences and timestamps continuous across passes so no gaps are reported
        seqBase += batches;
        tsBase += (long) batches * batchSize * 260;
        bh.consume(stream.stats().samples());
    }

    /** Wire cost report: bytes per 3-axis sample with all framing, at realistic counter values. */
    public static void main(String[] args) {
        for (int bs : new int[] {25, 50, 100, 200}) {
            byte[] data = new byte[bs * 6];
            Envelope e = Envelope.newBuilder().setProtocolVersion(1).setSampleBatch(SampleBatch.newBuilder()
                    .setSequence(500_000).setTimestampUs(3_600_000_000L).setSamplePeriodNs(260_417).setCount(bs)
                    .setData(ByteString.copyFrom(data))).build();
            int env = e.getSerializedSize();
            int framed = FrameCodec.encode(e.toByteArray()).length;
            System.out.printf("batch %3d: envelope %4d B, framed %4d B, %.2f B/sample (payload 6.00)%n", bs, env, framed,
                    framed / (double) bs);
        }
    }
}
