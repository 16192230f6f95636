package io.gyrosentinel.transport.serial.interop;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.gyrosentinel.Axis;
import io.gyrosentinel.Capability;
import io.gyrosentinel.DeviceInfo;
import io.gyrosentinel.ErrorCode;
import io.gyrosentinel.GyroSentinelException;
import io.gyrosentinel.SampleBlock;
import io.gyrosentinel.SensorConfig;
import io.gyrosentinel.client.DeployResult;
import io.gyrosentinel.client.DeviceClient;
import io.gyrosentinel.client.StreamOptions;
import io.gyrosentinel.model.ModelBundle;
import io.gyrosentinel.model.ModelStatus;
import io.gyrosentinel.model.SigningKeys;
import io.gyrosentinel.sim.VirtualDevice;
import io.gyrosentinel.stream.GyroStream;

import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The Java SDK against the C device core (gs_virtual_device, the ESP-IDF component's portable core built for
 * the host) over real PTYs: every byte on the wire is produced by protobuf-java on one side and nanopb on the
 * other.
 */
@Timeout(60)
class NativeDeviceInteropTest {
    @TempDir
    Path tmp;
    KeyPair keys;
    NativeVirtualDevice device;

    @BeforeEach
    void start() throws Exception {
        keys = SigningKeys.generate();
        Path priv = tmp.resolve("signing.pem");
        Path pub = tmp.resolve("signing.pub.pem");
        SigningKeys.write(keys, priv, pub); // the binary reads the X.509 SubjectPublicKeyInfo PEM
        device = NativeVirtualDevice.start("--model-dir", Files.createDirectories(tmp.resolve("models")).toString(),
                "--public-key",
                pub.toString(), "--seed", "5");
    }

    @AfterEach
    void stop() {
        if (device != null) {
            device.close();
        }
    }

    private DeviceClient connectOrExplain() {
        try {
            return connect();
        } catch (GyroSentinelException e) {
            throw new AssertionError(e.getMessage() + "\ndevice alive: " + device.isAlive() + "\n" + device.log(), e);
        }
    }

    private DeviceClient connect() {
        return DeviceClient.connect(device.uri());
    }

    @Test
    void handshakeReportsTheCDevicesIdentityAndCapabilities() {
        try (DeviceClient dev = connect()) {
            DeviceInfo info = dev.info();
            assertEquals("virtual-0001", info.deviceId());
            assertEquals("0.1.0-virtual", info.firmwareVersion());
            assertEquals("virtual", info.chip());
            assertEquals(1, info.protocolVersion());
            assertEquals(2048, info.maxFrameSize());
            assertEquals(1024, info.maxChunkSize());
            assertTrue(info.capabilities().containsAll(EnumSet.of(Capability.STREAMING, Capability.MODEL_TRANSFER,
                    Capability.SIGNED_MODELS, Capability.INFERENCE, Capability.SENSOR_TIMESTAMPS)),
                    info.capabilities().toString());
            assertEquals(2, info.modelSlots().size());
            assertEquals(io.gyrosentinel.DeviceLimits.DEFAULT_ODR_HZ, info.sensorConfig().odrHz(), 1e-3);
            assertEquals(io.gyrosentinel.DeviceLimits.DEFAULT_BATCH_SIZE, info.sensorConfig().batchSize());
            assertTrue(dev.ping().toMillis() < 1000);
        }
    }

    @Test
    void configureIsAppliedAndAnInvalidOneNamesTheField() {
        try (DeviceClient dev = connect()) {
            SensorConfig ok = SensorConfig.builder().odrHz(3840).fullScaleDps(500).axes(Axis.X, Axis.Z)
                    .batchSize(100).build();
            dev.configure(ok);
            assertEquals(ok, dev.config());
            // Bypass the builder's validation so the device's own check answers.
            SensorConfig bad = new SensorConfig(3840, 300, EnumSet.allOf(Axis.class), 1, 64);
            GyroSentinelException e = assertThrows(GyroSentinelException.class, () -> dev.configure(bad));
            assertEquals(ErrorCode.INVALID_ARGUMENT, e.code(), e.getMessage());
            assertEquals("configure.full_scale_dps", e.field());
            assertEquals(ok, dev.config(), "a rejected configuration changes nothing");
        }
    }

    @Test
    void streamsTenThousandSamplesAt3840HzWithoutGaps() {
        try (DeviceClient dev = connect()) {
            SensorConfig cfg = SensorConfig.builder().odrHz(3840).fullScaleDps(250).axes(EnumSet.allOf(Axis.class))
                    .batchSize(64).build();
            dev.configure(cfg);
            long n = 10_000;
            long expectedSample = 0;
            long firstTs = -1;
            long periodNs = 0;
            long t0 = System.nanoTime();
            try (GyroStream stream = dev.stream(StreamOptions.defaults().withMaxSamples(n))) {
                while (expectedSample < n) {
                    SampleBlock b = stream.poll(Duration.ofSeconds(5));
                    assertTrue(b != null, "stream stalled at sample " + expectedSample + "\n" + device.log());
                    assertEquals(expectedSample, b.firstSample(), "gap before block " + b.sequence());
                    assertEquals(0, b.missingBefore());
                    assertEquals(3, b.channels());
                    if (firstTs < 0) {
                        firstTs = b.timestampMicros();
                        periodNs = b.periodNanos();
                    }
                    // Sensor timestamps follow the 3840 Hz clock across batches (period_ns is rounded to 1 ns).
                    double want = firstTs + expectedSample * 1e6 / 3840;
                    assertTrue(Math.abs(b.timestampMicros() - want) <= 1.0, "timestamp of sample " + expectedSample
                            + ": " + b.timestampMicros() + " vs " + want);
                    expectedSample += b.count();
                }
                assertEquals(n, expectedSample);
                assertEquals(0, stream.stats().missingSamples(), stream.stats().toString());
            }
            double seconds = (System.nanoTime() - t0) / 1e9;
            assertEquals(260_417, periodNs, 1, "3840 Hz");
            assertTrue(seconds > 1.5, "real time: 10,000 samples at 3840 Hz take 2.6 s, took " + seconds);
        }
    }

    @Test
    void signedModelIsDeployedAndActivated() {
        ModelBundle bundle = InteropModels.bundle("interop-signed", InteropModels.randomModel(1, 1.0), 16)
                .sign(keys.getPrivate());
        try (DeviceClient dev = connect()) {
            DeployResult r = dev.deploy(bundle);
            assertTrue(r.activated());
            assertEquals(bundle.payloadSha256Hex(), r.sha256());
            ModelStatus st = dev.modelStatus();
            assertEquals(r.slot(), st.activeSlot());
            assertEquals("interop-signed", st.active().orElseThrow().modelId());
            assertEquals(bundle.payloadSize(), st.active().orElseThrow().size());
        }
    }

    @Test
    void unsignedTamperedAndForeignModelsAreRejected() {
        ModelBundle good = InteropModels.bundle("interop-reject", InteropModels.randomModel(2, 1.0), 16);
        byte[] payload = good.payload();
        payload[payload.length - 5] ^= 0x40; // inside reference.f32: still a well-formed bundle
        ModelBundle signed = good.sign(keys.getPrivate());
        ModelBundle tampered = ModelBundle.fromPayload(payload, signed.signature());
        ModelBundle foreign = good.sign(SigningKeys.generate().getPrivate());
        try (DeviceClient dev = connect()) {
            for (ModelBundle b : new ModelBundle[] {good, tampered, foreign}) {
                GyroSentinelException e = assertThrows(GyroSentinelException.class, () -> dev.deploy(b));
                assertEquals(ErrorCode.MODEL_SIGNATURE_INVALID, e.code(), e.getMessage());
            }
            assertFalse(dev.modelStatus().active().isPresent(), "nothing became active");
            assertTrue(dev.deploy(signed).activated(), "the genuine bundle still goes through");
        }
    }

    /**
     * Anti-rollback and the checks at ModelBegin on the C device and on the Java VirtualDevice: the same bundles
     * give the same codes, fields and messages, and leave the same slots.
     */
    @Test
    void theCDeviceAndTheVirtualDeviceRefuseAReplayedVersionAndAJunkSignatureAlike() {
        ModelBundle v1 = InteropModels.bundle("interop-v1", InteropModels.randomModel(4, 1.0), 16, "\"version\":1")
                .sign(keys.getPrivate());
        ModelBundle v2 = InteropModels.bundle("interop-v2", InteropModels.randomModel(5, 1.0), 16, "\"version\":2")
                .sign(keys.getPrivate());
        ModelBundle v3 = InteropModels.bundle("interop-v3", InteropModels.randomModel(6, 1.0), 16, "\"version\":3")
                .sign(keys.getPrivate());
        byte[] sig = v3.signature();
        sig[sig.length - 4] ^= 0x21;
        ModelBundle junk = ModelBundle.fromPayload(v3.payload(), sig);
        List<String> c;
        try (DeviceClient dev = connectOrExplain()) {
            c = replayAndJunkSignature(dev, v1, v2, junk);
        }
        List<String> java;
        try (VirtualDevice vd = VirtualDevice.builder().realTime(false).deviceId("virtual-0001")
                .trustedKey(keys.getPublic()).inferenceEngine(null).build();
             DeviceClient dev = DeviceClient.builder().transport(vd.newTransport()).connect()) {
            java = replayAndJunkSignature(dev, v1, v2, junk);
        }
        assertEquals(java, c);
    }

    private static List<String> replayAndJunkSignature(DeviceClient dev, ModelBundle v1, ModelBundle v2,
            ModelBundle junk) {
        List<String> seen = new ArrayList<>();
        assertTrue(dev.deploy(v1).activated());
        assertTrue(dev.deploy(v2).activated());
        ModelStatus before = dev.modelStatus();
        GyroSentinelException replay = assertThrows(GyroSentinelException.class, () -> dev.deploy(v1));
        assertEquals(ErrorCode.MODEL_VERSION_REJECTED, replay.code(), replay.getMessage());
        assertEquals("manifest.version", replay.field());
        assertTrue(replay.getMessage().contains(
                "model version 1 < highest accepted 2; sign with \"downgrade\": true to go back"), replay.getMessage());
        seen.add(replay.getMessage());
        assertEquals(before.slots(), dev.modelStatus().slots(), "the replay touched no slot");

        GyroSentinelException bad = assertThrows(GyroSentinelException.class, () -> dev.deploy(junk));
        assertEquals(ErrorCode.MODEL_SIGNATURE_INVALID, bad.code(), bad.getMessage());
        seen.add(bad.getMessage());
        dev.abortModelTransfer();
        assertEquals(before.slots(), dev.modelStatus().slots(), "the junk signature touched no slot");
        ModelStatus back = dev.rollbackModel(); // the rollback target survived
        assertEquals("interop-v1", back.active().orElseThrow().modelId());
        seen.add(back.slots().toString());
        return seen;
    }
}
