package io.gyrosentinel.client;

import com.google.protobuf.ByteString;
import io.gyrosentinel.Capability;
import io.gyrosentinel.ErrorCode;
import io.gyrosentinel.GyroSentinelException;
import io.gyrosentinel.ModelSlotInfo;
import io.gyrosentinel.internal.wire.v1.Envelope;
import io.gyrosentinel.model.ModelBundle;
import io.gyrosentinel.model.ModelStatus;
import io.gyrosentinel.model.SigningKeys;
import io.gyrosentinel.sim.VirtualDevice;
import io.gyrosentinel.testing.InterceptingTransport;
import io.gyrosentinel.testing.MovingAverageEngine;
import io.gyrosentinel.transport.StreamTransport;
import io.gyrosentinel.transport.Transport;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.Closeable;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.channels.Channels;
import java.nio.channels.Pipe;
import java.nio.file.Path;
import java.security.KeyPair;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.zip.CRC32;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Model transfer between the client and the VirtualDevice's model store: checks, resumption, slots. */
@Timeout(60)
class ModelDeploymentTest {
    private static final String MANIFEST = MovingAverageEngine.manifest(96, 48, 8, 1.0);

    private static VirtualDevice.Builder device() {
        return VirtualDevice.builder().realTime(false).inferenceEngine(new MovingAverageEngine());
    }

    private static ModelBundle bundle(String id, int size) {
        return MovingAverageEngine.bundle(id, MANIFEST, size);
    }

    private static DeviceClient connect(Transport t) {
        return DeviceClient.builder().transport(t).requestTimeout(Duration.ofSeconds(3)).connect();
    }

    @Test
    void deployWritesTheInactiveSlotActivatesItAndReportsProgress() {
        try (VirtualDevice dev = device().build(); DeviceClient c = connect(dev.newTransport())) {
            assertTrue(c.info().has(Capability.MODEL_TRANSFER));
            assertTrue(c.info().has(Capability.INFERENCE));
            assertFalse(c.info().has(Capability.SIGNED_MODELS));
            assertEquals(-1, c.modelStatus().activeSlot());

            ModelBundle b = bundle("fan-1", 10_000);
            List<long[]> progress = new CopyOnWriteArrayList<>();
            DeployResult r = c.deploy(b, DeployOptions.builder()
                    .onProgress((done, total) -> progress.add(new long[] {done, total})).build());

            assertEquals("fan-1", r.modelId());
            assertEquals(0, r.slot());
            assertTrue(r.activated());
            assertTrue(r.runsInference(), "the engine loaded it");
            assertEquals(b.payloadSize(), r.bytesSent());
            assertEquals(0, r.resumedFrom());
            assertEquals(0, r.retries());
            assertEquals(b.payloadSha256Hex(), r.sha256());
            assertEquals(ModelStatus.TransferState.COMMITTED, r.status().transferState());
            ModelSlotInfo active = c.modelStatus().active().orElseThrow();
            assertEquals(new ModelSlotInfo(0, true, true, "fan-1", b.payloadSize(), b.payloadSha256Hex()), active);
            assertEquals(active, c.info().modelSlots().get(0), "info() follows the slots");
            assertEquals("fan-1", dev.activeModelId().orElseThrow());

            // progress arrives in order (device-sized chunks of 1024 bytes), ending at the total
            awaitSize(progress, 1 + (b.payloadSize() + 1023) / 1024);
            long last = -1;
            for (long[] p : progress) {
                assertTrue(p[0] > last, "progress increases");
                assertEquals(b.payloadSize(), p[1]);
                last = p[0];
            }
            assertEquals(b.payloadSize(), last);

            // the next deployment goes to the other slot and leaves the first as the rollback target
            DeployResult r2 = c.deploy(bundle("fan-2", 5_000));
            assertEquals(1, r2.slot());
            assertTrue(r2.status().slot(0).orElseThrow().valid());
            assertEquals(1, r2.status().activeSlot());
        }
    }

    private static void awaitSize(List<?> l, int n) {
        long deadline = System.nanoTime() + 5_000_000_000L;
        while (l.size() < n && System.nanoTime() < deadline) {
            Thread.onSpinWait();
        }
        assertEquals(n, l.size());
    }

    @Test
    void withoutAnInferenceEngineTheResultSaysTheModelDoesNotRun() {
        try (VirtualDevice dev = VirtualDevice.builder().realTime(false).inferenceEngine(null).build();
             DeviceClient c = connect(dev.newTransport())) {
            assertFalse(c.info().has(Capability.INFERENCE));
            DeployResult r = c.deploy(bundle("idle-1", 2_000));
            assertTrue(r.activated(), "it is the active model");
            assertFalse(r.runsInference(), "but nothing runs it");
            assertFalse(c.modelStatus().runsInference());
        }
    }

    @Test
    void aPayloadChangedOnTheWayIsRejectedByItsHash() {
        // flip a byte and fix the chunk CRC, so only the SHA-256 over the whole payload can notice
        try (VirtualDevice dev = device().build()) {
            Transport tampering = new InterceptingTransport(dev.newTransport(), env -> {
                if (env.getBodyCase() != Envelope.BodyCase.MODEL_CHUNK || env.getModelChunk().getOffset() != 2048) {
                    return env;
                }
                byte[] data = env.getModelChunk().getData().toByteArray();
                data[7] ^= 0x10;
                CRC32 crc = new CRC32();
                crc.update(data);
                return env.toBuilder().setModelChunk(env.getModelChunk().toBuilder().setData(ByteString.copyFrom(data))
                        .setCrc32((int) crc.getValue())).build();
            });
            try (DeviceClient c = connect(tampering)) {
                GyroSentinelException e = assertThrows(GyroSentinelException.class,
                        () -> c.deploy(bundle("fan-1", 8_000)));
                assertEquals(ErrorCode.MODEL_HASH_MISMATCH, e.code());
                assertTrue(e.getMessage().contains("SHA-256"), e.getMessage());
                ModelStatus st = c.modelStatus();
                assertEquals(-1, st.activeSlot());
                assertTrue(st.slots().stream().noneMatch(ModelSlotInfo::valid), "nothing was written: " + st);
                assertEquals(ModelStatus.TransferState.IDLE, st.transferState());
            }
        }
    }

    @Test
    void aKeyedDeviceTakesOnlyBundlesSignedByItsKey() {
        KeyPair trusted = SigningKeys.generate();
        KeyPair other = SigningKeys.generate();
        try (VirtualDevice dev = device().trustedKey(trusted.getPublic()).build(); DeviceClient c = connect(dev.newTransport())) {
            assertTrue(c.info().has(Capability.SIGNED_MODELS));

            GyroSentinelException unsigned = assertThrows(GyroSentinelException.class,
                    () -> c.deploy(bundle("fan-1", 3_000)));
            assertEquals(ErrorCode.MODEL_SIGNATURE_INVALID, unsigned.code());
            assertTrue(unsigned.getMessage().contains("unsigned"), unsigned.getMessage());
            assertTrue(unsigned.getMessage().contains("gyrosentinel package --sign-key"), unsigned.getMessage());

            GyroSentinelException wrongKey = assertThrows(GyroSentinelException.class,
                    () -> c.deploy(bundle("fan-1", 3_000).sign(other.getPrivate())));
            assertEquals(ErrorCode.MODEL_SIGNATURE_INVALID, wrongKey.code());
            assertTrue(wrongKey.getMessage().contains("signed by another"), wrongKey.getMessage());
            assertEquals(-1, c.modelStatus().activeSlot());

            DeployResult ok = c.deploy(bundle("fan-1", 3_000).sign(trusted.getPrivate()));
            assertTrue(ok.activated());
            assertEquals("fan-1", c.modelStatus().active().orElseThrow().modelId());
        }
    }

    @Test
    void aChunkWithABadCrcIsRefusedAndSentAgain() {
        AtomicInteger corrupt = new AtomicInteger();
        try (VirtualDevice dev = device().build()) {
            Transport t = new InterceptingTransport(dev.newTransport(), env -> {
                if (env.getBodyCase() == Envelope.BodyCase.MODEL_CHUNK && env.getModelChunk().getOffset() == 1024
                        && corrupt.getAndDecrement() > 0) {
                    return env.toBuilder().setModelChunk(env.getModelChunk().toBuilder()
                            .setCrc32(env.getModelChunk().getCrc32() ^ 1)).build();
                }
                return env;
            });
            try (DeviceClient c = connect(t)) {
                ModelBundle b = bundle("fan-1", 4_000);
                corrupt.set(1);
                DeployResult r = c.deploy(b);
                assertEquals(1, r.retries());
                assertEquals(b.payloadSize(), r.bytesSent());
                assertTrue(r.activated());

                corrupt.set(100);
                GyroSentinelException e = assertThrows(GyroSentinelException.class,
                        () -> c.deploy(bundle("fan-2", 4_000), DeployOptions.builder().maxRetries(2).build()));
                assertEquals(ErrorCode.MODEL_CRC_MISMATCH, e.code());
                assertEquals("model_chunk.crc32", e.field());
                assertTrue(e.getMessage().contains("chunkSize"), e.getMessage());
                assertEquals(97, corrupt.get(), "the first send and two retries");
                ModelStatus st = c.modelStatus();
                assertEquals(ModelStatus.TransferState.RECEIVING, st.transferState());
                assertEquals(1024, st.nextOffset());
            }
        }
    }

    @Test
    void aDeploymentInterruptedByClosingTheClientResumesOnTheNextConnection() {
        try (VirtualDevice dev = device().build()) {
            ModelBundle b = bundle("fan-big", 40_000);
            int chunk = 512;
            AtomicReference<DeviceClient> first = new AtomicReference<>();
            Transport cutting = new InterceptingTransport(dev.newTransport(), env -> {
                if (env.getBodyCase() == Envelope.BodyCase.MODEL_CHUNK && env.getModelChunk().getOffset() == 40 * chunk) {
                    first.get().close(); // the 41st chunk never leaves
                }
                return env;
            });
            first.set(connect(cutting));
            GyroSentinelException e = assertThrows(GyroSentinelException.class,
                    () -> first.get().deploy(b, DeployOptions.builder().chunkSize(chunk).build()));
            assertTrue(e.code() == ErrorCode.CONNECTION_CLOSED, e.toString());
            assertTrue(e.getMessage().contains("deploy the same bundle again to resume"), e.getMessage());

            try (DeviceClient c = connect(dev.newTransport())) {
                ModelStatus st = c.modelStatus();
                assertEquals(ModelStatus.TransferState.RECEIVING, st.transferState());
                assertEquals(40L * chunk, st.nextOffset());

                DeployResult r = c.deploy(b, DeployOptions.builder().chunkSize(chunk).build());
                assertEquals(40L * chunk, r.resumedFrom());
                assertEquals(b.payloadSize() - 40L * chunk, r.bytesSent());
                assertTrue(r.bytesSent() < b.payloadSize());
                assertTrue(r.activated());
                assertEquals(b.payloadSha256Hex(), c.modelStatus().active().orElseThrow().sha256());
            }
        }
    }

    /** A pipe link to the device that can be cut; the transport reconnects by itself. */
    private static final class CuttableLink {
        final AtomicReference<Closeable> current = new AtomicReference<>();
        final StreamTransport transport;

        CuttableLink(VirtualDevice dev) {
            transport = new StreamTransport("cuttable", () -> {
                Pipe toDev = Pipe.open();
                Pipe fromDev = Pipe.open();
                dev.attach(Channels.newInputStream(toDev.source()), Channels.newOutputStream(fromDev.sink()));
                InputStream in = Channels.newInputStream(fromDev.source());
                OutputStream out = Channels.newOutputStream(toDev.sink());
                current.set(() -> {
                    toDev.sink().close();
                    fromDev.source().close();
                });
                return StreamTransport.Connection.of(in, out, () -> { });
            }, new StreamTransport.Options(true, Duration.ofMillis(20), Duration.ofMillis(100)));
        }

        void cut() {
            try {
                current.get().close();
            } catch (java.io.IOException e) {
                throw new IllegalStateException(e);
            }
        }
    }

    @Test
    void aDeploymentWaitsForTheLinkToComeBackAndContinuesWhereTheDeviceStopped() {
        try (VirtualDevice dev = device().build()) {
            CuttableLink link = new CuttableLink(dev);
            AtomicInteger cuts = new AtomicInteger(2);
            Transport t = new InterceptingTransport(link.transport, env -> {
                if (env.getBodyCase() == Envelope.BodyCase.MODEL_CHUNK && env.getModelChunk().getOffset() % 8192 == 4096
                        && cuts.getAndDecrement() > 0) {
                    link.cut(); // this chunk is written into a dead link
                }
                return env;
            });
            try (DeviceClient c = connect(t)) {
                ModelBundle b = bundle("fan-1", 20_000);
                DeployResult r = c.deploy(b);
                assertEquals(2, r.retries(), "two cuts, two reconnects");
                assertEquals(0, r.resumedFrom());
                assertEquals(b.payloadSize(), r.bytesSent(), "no byte was sent twice");
                assertTrue(r.activated());
                assertTrue(c.stats().reconnects() >= 2);
                assertEquals("fan-1", dev.activeModelId().orElseThrow());
            }
        }
    }

    @Test
    void aModelThatDoesNotLoadLeavesThePreviousOneRunning() {
        try (VirtualDevice dev = device().build(); DeviceClient c = connect(dev.newTransport())) {
            c.deploy(bundle("fan-1", 2_000));
            GyroSentinelException e = assertThrows(GyroSentinelException.class,
                    () -> c.deploy(bundle("broken-2", 2_000)));
            assertEquals(ErrorCode.MODEL_LOAD_FAILED, e.code());
            assertTrue(e.getMessage().contains("unsupported operator"), e.getMessage());
            assertTrue(e.getMessage().contains("TensorFlow Lite Micro"), e.getMessage());
            ModelStatus st = c.modelStatus();
            assertEquals(0, st.activeSlot());
            assertEquals("fan-1", st.active().orElseThrow().modelId());
            assertFalse(st.slot(1).orElseThrow().valid(), "the model that does not load is dropped");
            assertEquals("fan-1", dev.activeModelId().orElseThrow());
            GyroSentinelException noRollback = assertThrows(GyroSentinelException.class, c::rollbackModel);
            assertEquals(ErrorCode.NO_MODEL, noRollback.code());
        }
    }

    @Test
    void activateAndRollbackSwitchBetweenTwoValidSlots() {
        try (VirtualDevice dev = device().build(); DeviceClient c = connect(dev.newTransport())) {
            GyroSentinelException empty = assertThrows(GyroSentinelException.class, () -> c.activateModel(0));
            assertEquals(ErrorCode.NO_MODEL, empty.code());
            assertTrue(empty.getMessage().contains("deploy()"), empty.getMessage());

            c.deploy(bundle("fan-a", 2_000));
            DeployResult b = c.deploy(bundle("fan-b", 2_000), DeployOptions.builder().activate(false).build());
            assertFalse(b.activated());
            assertEquals(1, b.slot());
            assertEquals("fan-a", dev.activeModelId().orElseThrow());

            ModelStatus st = c.activateModel(1);
            assertEquals(1, st.activeSlot());
            assertEquals("fan-b", dev.activeModelId().orElseThrow());
            assertEquals("fan-b", c.info().modelSlots().get(1).modelId());
            assertTrue(c.info().modelSlots().get(1).active());

            assertEquals(0, c.rollbackModel().activeSlot());
            assertEquals("fan-a", dev.activeModelId().orElseThrow());
            assertEquals(1, c.async().rollbackModel().join().activeSlot());
            assertEquals("fan-b", dev.activeModelId().orElseThrow());

            GyroSentinelException bad = assertThrows(GyroSentinelException.class, () -> c.activateModel(2));
            assertEquals(ErrorCode.INVALID_ARGUMENT, bad.code());
            assertEquals("model_activate.slot", bad.field());
        }
    }

    @Test
    void aModelLargerThanASlotIsRefusedBeforeAnyChunk() {
        AtomicInteger chunks = new AtomicInteger();
        try (VirtualDevice dev = device().slotSize(4096).build();
             DeviceClient c = connect(new InterceptingTransport(dev.newTransport(), env -> {
                 if (env.getBodyCase() == Envelope.BodyCase.MODEL_CHUNK) {
                     chunks.incrementAndGet();
                 }
                 return env;
             }))) {
            GyroSentinelException e = assertThrows(GyroSentinelException.class, () -> c.deploy(bundle("fan-1", 8_000)));
            assertEquals(ErrorCode.MODEL_TOO_LARGE, e.code());
            assertTrue(e.getMessage().contains("smaller"), e.getMessage());
            assertEquals(0, chunks.get());
        }
    }

    @Test
    void abortingForgetsThePendingTransfer() {
        try (VirtualDevice dev = device().build()) {
            AtomicReference<DeviceClient> first = new AtomicReference<>();
            Transport cutting = new InterceptingTransport(dev.newTransport(), env -> {
                if (env.getBodyCase() == Envelope.BodyCase.MODEL_CHUNK && env.getModelChunk().getOffset() == 2048) {
                    first.get().close();
                }
                return env;
            });
            first.set(connect(cutting));
            ModelBundle b = bundle("fan-1", 6_000);
            assertThrows(GyroSentinelException.class, () -> first.get().deploy(b));
            try (DeviceClient c = connect(dev.newTransport())) {
                assertEquals(2048, c.modelStatus().nextOffset());
                c.abortModelTransfer();
                assertEquals(ModelStatus.TransferState.IDLE, c.modelStatus().transferState());
                assertEquals(0, c.deploy(b).resumedFrom());
            }
        }
    }

    @Test
    void slotsSurviveARestartWhenTheDeviceHasAModelDirectory(@TempDir Path dir) {
        try (VirtualDevice dev = device().modelDirectory(dir).build(); DeviceClient c = connect(dev.newTransport())) {
            c.deploy(bundle("fan-a", 2_000));
            c.deploy(bundle("fan-b", 2_000));
            c.rollbackModel();
        }
        try (VirtualDevice dev = device().modelDirectory(dir).build(); DeviceClient c = connect(dev.newTransport())) {
            assertEquals("fan-a", dev.activeModelId().orElseThrow());
            List<ModelSlotInfo> slots = c.info().modelSlots();
            assertEquals("fan-a", slots.get(0).modelId());
            assertTrue(slots.get(0).active());
            assertEquals("fan-b", slots.get(1).modelId());
            assertEquals(1, c.rollbackModel().activeSlot());
        }
    }

    // ------------------------------------------------------------------ anti-rollback, scope, checks at ModelBegin

    /** The test manifest with more members, e.g. {@code "\"version\": 2"}. */
    private static String manifest(String members) {
        return MANIFEST.substring(0, MANIFEST.lastIndexOf('}')) + ", " + members + "}";
    }

    private static ModelBundle signed(KeyPair key, String id, String members) {
        return MovingAverageEngine.bundle(id, manifest(members), 2_000).sign(key.getPrivate());
    }

    @Test
    void aReplayedOlderVersionIsRefusedAndChangesNothing() {
        KeyPair key = SigningKeys.generate();
        try (VirtualDevice dev = device().trustedKey(key.getPublic()).build(); DeviceClient c = connect(dev.newTransport())) {
            ModelBundle v1 = signed(key, "fan-v1", "\"version\": 1");
            c.deploy(v1);
            c.deploy(signed(key, "fan-v2", "\"version\": 2"));
            ModelStatus before = c.modelStatus();

            for (ModelBundle old : List.of(v1, signed(key, "fan-old", "\"version\": 1"), signed(key, "fan-none", "\"x\": 0"))) {
                GyroSentinelException e = assertThrows(GyroSentinelException.class, () -> c.deploy(old));
                assertEquals(ErrorCode.MODEL_VERSION_REJECTED, e.code(), e.getMessage());
                assertEquals("manifest.version", e.field());
                assertTrue(e.getMessage().contains("< highest accepted 2"), e.getMessage());
                assertTrue(e.getMessage().contains("--downgrade"), e.getMessage());
            }
            assertTrue(assertThrows(GyroSentinelException.class, () -> c.deploy(v1)).getMessage()
                    .contains("model version 1 < highest accepted 2; sign with \"downgrade\": true to go back"));
            ModelStatus after = c.modelStatus();
            assertEquals(before.slots(), after.slots(), "a refused ModelBegin touches no slot");
            assertEquals(before.activeSlot(), after.activeSlot());
            assertEquals("fan-v2", dev.activeModelId().orElseThrow());

            // going back to the model still on the device is an operator action: allowed
            assertEquals(0, c.rollbackModel().activeSlot());
            assertEquals("fan-v1", dev.activeModelId().orElseThrow());
            // the same version as the highest is no rollback
            assertTrue(c.deploy(signed(key, "fan-v2b", "\"version\": 2")).activated());
        }
    }

    @Test
    void theHighestAcceptedVersionSurvivesARestart(@TempDir Path dir) {
        KeyPair key = SigningKeys.generate();
        try (VirtualDevice dev = device().trustedKey(key.getPublic()).modelDirectory(dir).build();
             DeviceClient c = connect(dev.newTransport())) {
            c.deploy(signed(key, "fan-v5", "\"version\": 5"));
        }
        try (VirtualDevice dev = device().trustedKey(key.getPublic()).modelDirectory(dir).build();
             DeviceClient c = connect(dev.newTransport())) {
            GyroSentinelException e = assertThrows(GyroSentinelException.class,
                    () -> c.deploy(signed(key, "fan-v3", "\"version\": 3")));
            assertEquals(ErrorCode.MODEL_VERSION_REJECTED, e.code());
            assertTrue(e.getMessage().contains("model version 3 < highest accepted 5"), e.getMessage());
            assertEquals("fan-v5", dev.activeModelId().orElseThrow());
            assertTrue(c.deploy(signed(key, "fan-max", "\"version\": 4294967295")).activated());
        }
        try (VirtualDevice dev = device().trustedKey(key.getPublic()).modelDirectory(dir).build();
             DeviceClient c = connect(dev.newTransport())) {
            GyroSentinelException e = assertThrows(GyroSentinelException.class,
                    () -> c.deploy(signed(key, "fan-v6", "\"version\": 6")));
            assertTrue(e.getMessage().contains("model version 6 < highest accepted 4294967295"), e.getMessage());
        }
    }

    @Test
    void aDowngradeBundleGoesBackAndResetsTheFloorToItsVersion() {
        KeyPair key = SigningKeys.generate();
        try (VirtualDevice dev = device().trustedKey(key.getPublic()).build(); DeviceClient c = connect(dev.newTransport())) {
            c.deploy(signed(key, "fan-v3", "\"version\": 3"));
            ModelBundle v5 = signed(key, "fan-v5", "\"version\": 5");
            c.deploy(v5);
            assertEquals(ErrorCode.MODEL_VERSION_REJECTED, assertThrows(GyroSentinelException.class,
                    () -> c.deploy(signed(key, "fan-v3b", "\"version\": 3, \"downgrade\": false"))).code());

            assertTrue(c.deploy(signed(key, "fan-v3b", "\"version\": 3, \"downgrade\": true")).activated());
            assertEquals("fan-v3b", dev.activeModelId().orElseThrow());
            assertEquals(ErrorCode.MODEL_VERSION_REJECTED, assertThrows(GyroSentinelException.class,
                    () -> c.deploy(signed(key, "fan-v2", "\"version\": 2"))).code());
            // documented: the floor is now 3, so what is at or above it (the 5 it went back from) is accepted again
            assertTrue(c.deploy(v5).activated());
        }
    }

    /** Finding (3): a bundle with a junk signature must not cost the device its rollback target. */
    @Test
    void aBadSignatureIsRefusedBeforeTheRollbackTargetIsErased() {
        KeyPair key = SigningKeys.generate();
        AtomicInteger chunks = new AtomicInteger();
        try (VirtualDevice dev = device().trustedKey(key.getPublic()).build();
             DeviceClient c = connect(new InterceptingTransport(dev.newTransport(), env -> {
                 if (env.getBodyCase() == Envelope.BodyCase.MODEL_CHUNK) {
                     chunks.incrementAndGet();
                 }
                 return env;
             }))) {
            c.deploy(signed(key, "fan-a", "\"version\": 1"));
            c.deploy(signed(key, "fan-b", "\"version\": 1"));
            ModelStatus before = c.modelStatus();
            chunks.set(0);

            ModelBundle good = signed(key, "fan-c", "\"version\": 1");
            byte[] junk = good.signature();
            junk[junk.length - 3] ^= 0x5A;
            for (ModelBundle bad : List.of(ModelBundle.fromPayload(good.payload(), junk),
                    ModelBundle.fromPayload(good.payload(), new byte[] {0x30, 0x01, 0x02}),
                    ModelBundle.fromPayload(good.payload(), good.sign(SigningKeys.generate().getPrivate()).signature()))) {
                GyroSentinelException e = assertThrows(GyroSentinelException.class, () -> c.deploy(bad));
                assertEquals(ErrorCode.MODEL_SIGNATURE_INVALID, e.code());
                assertEquals("model_begin.signature", e.field());
                assertTrue(e.getMessage().contains("signature is not by the key this device trusts"), e.getMessage());
            }
            assertEquals(0, chunks.get(), "refused at ModelBegin");
            c.abortModelTransfer();
            assertEquals(before.slots(), c.modelStatus().slots(), "both slots as they were");
            assertEquals(0, c.rollbackModel().activeSlot());
            assertEquals("fan-a", dev.activeModelId().orElseThrow());
        }
    }

    @Test
    void aBundleScopedToAnotherDeviceIsRefused() {
        try (VirtualDevice dev = device().deviceId("fan-board-7").build(); DeviceClient c = connect(dev.newTransport())) {
            c.deploy(bundle("fan-1", 2_000));
            GyroSentinelException e = assertThrows(GyroSentinelException.class, () -> c.deploy(
                    MovingAverageEngine.bundle("fan-2", manifest("\"scope\": \"fan-board-8\""), 2_000)));
            assertEquals(ErrorCode.INVALID_ARGUMENT, e.code());
            assertEquals("manifest.scope", e.field());
            assertTrue(e.getMessage().contains("bundle is for device 'fan-board-8', this is 'fan-board-7'"),
                    e.getMessage());
            assertTrue(e.getMessage().contains("--scope fan-board-7"), e.getMessage());
            assertEquals(List.of(true, false), c.modelStatus().slots().stream().map(ModelSlotInfo::valid).toList());

            assertTrue(c.deploy(MovingAverageEngine.bundle("fan-2", manifest("\"scope\": \"fan-board-7\""), 2_000))
                    .activated());
            assertTrue(c.deploy(MovingAverageEngine.bundle("fan-3", manifest("\"scope\": \"\""), 2_000)).activated(),
                    "an empty scope is any device");
        }
    }

    /** Finding (9): the id a slot reports is the manifest's; a ModelBegin naming another one is refused. */
    @Test
    void aModelIdThatDiffersFromTheManifestIsRefused() {
        try (VirtualDevice dev = device().build(); DeviceClient c = connect(dev.newTransport())) {
            ModelBundle b = MovingAverageEngine.bundle("fan-1", manifest("\"modelId\": \"fan-2\""), 2_000);
            GyroSentinelException e = assertThrows(GyroSentinelException.class, () -> c.deploy(b));
            assertEquals(ErrorCode.INVALID_ARGUMENT, e.code());
            assertEquals("model_begin.model_id", e.field());
            assertTrue(e.getMessage().contains("model_id 'fan-1' differs from the manifest's modelId 'fan-2'"),
                    e.getMessage());
            assertEquals(ModelStatus.TransferState.IDLE, c.modelStatus().transferState());

            GyroSentinelException dup = assertThrows(GyroSentinelException.class, () -> c.deploy(MovingAverageEngine
                    .bundle("fan-1", manifest("\"version\": 1, \"version\": 2"), 2_000)));
            assertEquals(ErrorCode.INVALID_ARGUMENT, dup.code());
            assertEquals("manifest.version", dup.field());
            assertTrue(c.deploy(MovingAverageEngine.bundle("fan-1", manifest("\"modelId\": \"fan-1\""), 2_000))
                    .activated());
        }
    }
}
