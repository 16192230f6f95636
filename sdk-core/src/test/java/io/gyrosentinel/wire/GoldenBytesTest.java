package io.gyrosentinel.wire;

import com.google.protobuf.ByteString;
import io.gyrosentinel.internal.framing.FrameCodec;
import io.gyrosentinel.internal.wire.v1.Envelope;
import io.gyrosentinel.internal.wire.v1.Error;
import io.gyrosentinel.internal.wire.v1.ErrorCode;
import io.gyrosentinel.internal.wire.v1.Hello;
import io.gyrosentinel.internal.wire.v1.InferenceResult;
import io.gyrosentinel.internal.wire.v1.ModelChunk;
import io.gyrosentinel.internal.wire.v1.SampleBatch;
import io.gyrosentinel.internal.wire.v1.SensorConfig;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HexFormat;
import java.util.Map;
import java.util.stream.Stream;
import java.util.zip.CRC32;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The golden vectors in proto/testdata are shared with the C side: protobuf-java must produce
 * exactly these bytes, and our framing exactly these frames.
 */
class GoldenBytesTest {
    static final Path DIR = Path.of("..", "proto", "testdata");

    static Map<String, Envelope> vectors() {
        return Map.of(
                "hello", Envelope.newBuilder().setProtocolVersion(1).setRequestId(1).setHello(Hello.newBuilder()
                        .setMinProtocolVersion(1).setMaxProtocolVersion(1).setClientName("gyrosentinel-java/0.1.0"))
                        .build(),
                "sample_batch", Envelope.newBuilder().setProtocolVersion(1).setSampleBatch(SampleBatch.newBuilder()
                        .setSequence(7).setTimestampUs(1_000_000).setSamplePeriodNs(600_240).setCount(2)
                        .setData(ByteString.copyFrom(HexFormat.of().parseHex("0100ffff10270080ff7f0000")))).build(),
                "configure", Envelope.newBuilder().setProtocolVersion(1).setRequestId(2).setConfigure(SensorConfig
                        .newBuilder().setOdrHz(1666).setFullScaleDps(250).setAxesMask(7).setDecimation(1)
                        .setBatchSize(25)).build(),
                "error", Envelope.newBuilder().setProtocolVersion(1).setRequestId(3).setError(Error.newBuilder()
                        .setCode(ErrorCode.PROTOCOL_VERSION).setMessage("device speaks protocol 1..1, host asked 2..3")
                        .setField("hello.min_protocol_version")).build(),
                "inference_result", Envelope.newBuilder().setProtocolVersion(1).setInferenceResult(InferenceResult
                        .newBuilder().setWindow(42).setStartTimestampUs(2_000_000).setEndTimestampUs(2_023_400)
                        .setScore(0.5f).setThreshold(0.25f).setAnomalous(true).addChannelError(0.25f)
                        .addChannelError(0.5f).addChannelError(0.75f).setInferenceUs(812).setModelId("fan-1")).build(),
                "model_chunk", Envelope.newBuilder().setProtocolVersion(1).setRequestId(9).setModelChunk(ModelChunk
                        .newBuilder().setOffset(1024).setData(ByteString.copyFrom(new byte[] {0, 0, 0, 0, 'T', 'F', 'L', '3'}))
                        .setCrc32((int) crc(new byte[] {0, 0, 0, 0, (byte) 84, (byte) 70, (byte) 76, (byte) 51}))).build());
    }

    static long crc(byte[] b) {
        CRC32 c = new CRC32();
        c.update(b);
        return c.getValue();
    }

    static Stream<String> names() {
        return vectors().keySet().stream().sorted();
    }

    @ParameterizedTest
    @MethodSource("names")
    void protobufJavaWritesTheGoldenEnvelopeBytes(String name) throws IOException {
        byte[] golden = Files.readAllBytes(DIR.resolve(name + ".envelope.bin"));
        assertArrayEquals(golden, vectors().get(name).toByteArray(), name);
    }

    @ParameterizedTest
    @MethodSource("names")
    void framingWritesTheGoldenFrameBytes(String name) throws IOException {
        byte[] golden = Files.readAllBytes(DIR.resolve(name + ".frame.bin"));
        assertArrayEquals(golden, FrameCodec.encode(vectors().get(name).toByteArray()), name);
    }

    @Test
    void everyGoldenFileHasAVector() throws IOException {
        try (var files = Files.list(DIR)) {
            files.map(p -> p.getFileName().toString()).filter(f -> f.endsWith(".envelope.bin"))
                    .forEach(f -> assertTrue(vectors().containsKey(f.replace(".envelope.bin", "")), f));
        }
    }

    /** docs/protocol.md carries a worked byte-level example; it must match the codec byte for byte. */
    @Test
    void workedExampleInProtocolDocMatchesTheCodec() throws IOException {
        String doc = Files.readString(Path.of("..", "docs", "protocol.md"), StandardCharsets.UTF_8);
        byte[] env = vectors().get("sample_batch").toByteArray();
        byte[] frame = FrameCodec.encode(env);
        assertTrue(doc.contains("envelope: " + spaced(env)), "protocol.md must show the envelope bytes " + spaced(env));
        assertTrue(doc.contains("frame:    " + spaced(frame)), "protocol.md must show the frame bytes " + spaced(frame));
        assertEquals(36, frame.length);
    }

    static String spaced(byte[] b) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < b.length; i++) {
            if (i > 0) {
                sb.append(' ');
            }
            sb.append(String.format("%02x", b[i] & 0xFF));
        }
        return sb.toString();
    }
}
