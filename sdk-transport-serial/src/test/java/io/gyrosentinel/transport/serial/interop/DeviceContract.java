package io.gyrosentinel.transport.serial.interop;

import static io.gyrosentinel.transport.serial.interop.RawLink.assertError;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import io.gyrosentinel.DeviceLimits;
import io.gyrosentinel.client.DeviceClient;
import io.gyrosentinel.client.DeployResult;
import io.gyrosentinel.internal.DeviceMessages;
import io.gyrosentinel.internal.wire.v1.Ack;
import io.gyrosentinel.internal.wire.v1.AnomalyEvent;
import io.gyrosentinel.internal.wire.v1.Calibrate;
import io.gyrosentinel.internal.wire.v1.Capability;
import io.gyrosentinel.internal.wire.v1.DeviceInfo;
import io.gyrosentinel.internal.wire.v1.Envelope;
import io.gyrosentinel.internal.wire.v1.ErrorCode;
import io.gyrosentinel.internal.wire.v1.Hello;
import io.gyrosentinel.internal.wire.v1.InferenceResult;
import io.gyrosentinel.internal.wire.v1.ModelActivate;
import io.gyrosentinel.internal.wire.v1.ModelBegin;
import io.gyrosentinel.internal.wire.v1.ModelChunk;
import io.gyrosentinel.internal.wire.v1.ModelCommit;
import io.gyrosentinel.internal.wire.v1.ModelRollback;
import io.gyrosentinel.internal.wire.v1.Ping;
import io.gyrosentinel.internal.wire.v1.SampleBatch;
import io.gyrosentinel.internal.wire.v1.SensorConfig;
import io.gyrosentinel.internal.wire.v1.StartStreaming;
import io.gyrosentinel.internal.wire.v1.StopStreaming;
import io.gyrosentinel.model.ModelBundle;
import io.gyrosentinel.model.ModelStatus;
import io.gyrosentinel.model.SigningKeys;
import io.gyrosentinel.training.TrainedModel;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.CRC32;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The device contract: what every GyroSentinel device does, asserted on the wire. It runs against the Java
 * {@code VirtualDevice} (what {@code sim:} and most tests talk to) and against the C {@code gs_virtual_device} (the
 * firmware's portable core built for the host), each behind a real PTY, with the same assertions: a user who develops
 * against {@code sim:} gets what the board does. Limits, defaults and messages come from the contract table
 * (proto/gyrosentinel/v1/device_contract.txt) through {@link DeviceLimits} and {@link DeviceMessages}, the same
 * table the firmware's gs_contract.h is generated from.
 *
 * <p>A subclass says how to start the device ({@link #start}); docs/protocol.md §2.1 describes the contract.
 */
@Timeout(90)
public abstract class DeviceContract {

    /** A running device behind a serial link. */
    protected interface DeviceUnderTest extends AutoCloseable {
        /** {@code serial:} URI of the device's current link. */
        String uri();

        /** Pulls the cable (the device keeps running). */
        void unplug() throws IOException;

        /** Plugs a cable back in at the same URI. */
        void replug() throws IOException;

        /** Powers the device off and on again, on the same storage; the URI may change. */
        void restart() throws IOException;

        /** The file that holds model slot {@code slot} on the device's storage. */
        Path slotFile(int slot);

        /** What the device logged, for failure messages. */
        String log();

        @Override
        void close();
    }

    /**
     * Starts a device with id {@value #DEVICE_ID}, its model storage in {@code storage}, trusting {@code publicKey}
     * (a SubjectPublicKeyInfo PEM), running the host models of {@link ContractModels}.
     */
    protected abstract DeviceUnderTest start(Path storage, Path publicKey) throws IOException;

    static final String DEVICE_ID = "virtual-0001";

    @TempDir
    Path tmp;
    KeyPair keys;
    DeviceUnderTest device;
    RawLink link;

    @BeforeEach
    void startDevice() throws IOException {
        keys = SigningKeys.generate();
        Path pub = tmp.resolve("signing.pub.pem");
        SigningKeys.write(keys, tmp.resolve("signing.pem"), pub);
        device = start(Files.createDirectories(tmp.resolve("storage")), pub);
        link = new RawLink(device.uri());
    }

    @AfterEach
    void stopDevice() {
        if (link != null) {
            link.close();
        }
        if (device != null) {
            device.close();
        }
    }

    // ------------------------------------------------------------------ helpers

    private DeviceInfo hello() {
        Envelope e = link.request(Envelope.newBuilder().setHello(Hello.newBuilder().setMinProtocolVersion(1)
                .setMaxProtocolVersion(1).setClientName("device-contract")));
        assertEquals(Envelope.BodyCase.DEVICE_INFO, e.getBodyCase(), e::toString);
        return e.getDeviceInfo();
    }

    private Envelope configure(SensorConfig.Builder c) {
        return link.request(Envelope.newBuilder().setConfigure(c));
    }

    private static SensorConfig.Builder config() {
        return SensorConfig.newBuilder();
    }

    private Envelope start(long maxSamples, boolean results) {
        return link.request(Envelope.newBuilder().setStartStreaming(StartStreaming.newBuilder()
                .setMaxSamples(maxSamples).setResults(results)));
    }

    private Envelope stop() {
        return link.request(Envelope.newBuilder().setStopStreaming(StopStreaming.getDefaultInstance()));
    }

    private ModelBundle signed(String id, TrainedModel model, int stride, String members) {
        return ContractModels.register(InteropModels.bundle(id, model, stride, members), model)
                .sign(keys.getPrivate());
    }

    private static ModelBegin begin(ModelBundle b) {
        return ModelBegin.newBuilder().setSize(b.payloadSize()).setSha256(ByteString.copyFrom(b.payloadSha256()))
                .setManifest(ByteString.copyFrom(b.manifest())).setSignature(ByteString.copyFrom(b.signature()))
                .setModelId(b.modelId()).build();
    }

    private static ModelChunk chunk(byte[] payload, int off, int len) {
        CRC32 crc = new CRC32();
        crc.update(payload, off, len);
        return ModelChunk.newBuilder().setOffset(off).setData(ByteString.copyFrom(payload, off, len))
                .setCrc32((int) crc.getValue()).build();
    }

    /** A typed client on the link; one program opens a serial port at a time, so the raw link steps aside. */
    private DeviceClient client() {
        if (link != null) {
            link.close();
            link = null;
        }
        return DeviceClient.connect(device.uri());
    }

    /** The raw link again, after a client closed. */
    private void reopen() {
        if (link == null) {
            link = new RawLink(device.uri());
        }
    }

    // ------------------------------------------------------------------ handshake and envelope

    @Test
    void helloAnswersWithTheContractsLimitsAndDefaults() {
        DeviceInfo info = hello();
        assertEquals(DeviceLimits.PROTOCOL_MAX, info.getProtocolVersion());
        assertEquals(DEVICE_ID, info.getDeviceId());
        assertEquals(DeviceLimits.MAX_CHUNK_BYTES, info.getMaxChunkSize());
        assertEquals(2048, info.getMaxFrameSize());
        assertEquals(DeviceLimits.MODEL_SLOTS, info.getModelSlotsCount());
        SensorConfig c = info.getSensorConfig();
        assertEquals(DeviceLimits.DEFAULT_ODR_HZ, c.getOdrHz(), 1e-3);
        assertEquals(DeviceLimits.DEFAULT_FULL_SCALE_DPS, c.getFullScaleDps());
        assertEquals(DeviceLimits.DEFAULT_AXES_MASK, c.getAxesMask());
        assertEquals(DeviceLimits.DEFAULT_DECIMATION, c.getDecimation());
        assertEquals(DeviceLimits.DEFAULT_BATCH_SIZE, c.getBatchSize());
        assertTrue(info.getCapabilitiesList().containsAll(List.of(Capability.CAPABILITY_STREAMING,
                Capability.CAPABILITY_SENSOR_TIMESTAMPS, Capability.CAPABILITY_MODEL_TRANSFER,
                Capability.CAPABILITY_SIGNED_MODELS, Capability.CAPABILITY_INFERENCE,
                Capability.CAPABILITY_CALIBRATION)), info.getCapabilitiesList()::toString);
    }

    @Test
    void helloNegotiatesAndRefusesWithTheFirmwaresWords() {
        Envelope unset = link.request(Envelope.newBuilder().setHello(Hello.getDefaultInstance()));
        assertEquals(Envelope.BodyCase.DEVICE_INFO, unset.getBodyCase(), "unset versions read as 1");
        Envelope wide = link.request(Envelope.newBuilder().setHello(Hello.newBuilder().setMinProtocolVersion(1)
                .setMaxProtocolVersion(4)));
        assertEquals(1, wide.getDeviceInfo().getProtocolVersion());
        assertError(link.request(Envelope.newBuilder().setHello(Hello.newBuilder().setMinProtocolVersion(3)
                        .setMaxProtocolVersion(2))), ErrorCode.INVALID_ARGUMENT, "hello.max_protocol_version",
                DeviceMessages.HELLO_MAX_BELOW_MIN);
        assertError(link.request(Envelope.newBuilder().setHello(Hello.newBuilder().setMinProtocolVersion(2)
                        .setMaxProtocolVersion(3))), ErrorCode.PROTOCOL_VERSION, "hello.min_protocol_version",
                DeviceMessages.format(DeviceMessages.HELLO_NO_COMMON, 1, 1, 2, 3));
    }

    @Test
    void envelopesOfAnotherVersionAndUnknownBodiesAreRefused() {
        int rid = link.nextRequestId();
        assertError(link.request(Envelope.newBuilder().setProtocolVersion(2).setRequestId(rid)
                        .setPing(Ping.newBuilder().setNonce(7)).build()), ErrorCode.PROTOCOL_VERSION,
                "protocol_version", DeviceMessages.format(DeviceMessages.ENVELOPE_VERSION, 2));
        rid = link.nextRequestId();
        Envelope pong = link.request(Envelope.newBuilder().setRequestId(rid).setPing(Ping.newBuilder().setNonce(7))
                .build());
        assertEquals(7, pong.getPong().getNonce(), "version 0 (unset) reads as 1");
        assertError(link.request(Envelope.newBuilder()), ErrorCode.UNKNOWN_MESSAGE, "",
                DeviceMessages.UNKNOWN_BODY);
        assertError(link.request(Envelope.newBuilder().setAck(Ack.getDefaultInstance())), ErrorCode.UNKNOWN_MESSAGE,
                "", DeviceMessages.NOT_A_REQUEST);
    }

    // ------------------------------------------------------------------ configure

    @Test
    void everyConfigureLimitIsRefusedWithTheFirmwaresFieldAndMessage() {
        record Case(SensorConfig.Builder request, String field, String message) {
        }
        List<Case> cases = List.of(
                new Case(config().setOdrHz(7.4f), "configure.odr_hz", DeviceMessages.ODR_RANGE),
                new Case(config().setOdrHz(3840.5f), "configure.odr_hz", DeviceMessages.ODR_RANGE),
                new Case(config().setOdrHz(Float.NaN), "configure.odr_hz", DeviceMessages.ODR_RANGE),
                new Case(config().setFullScaleDps(300), "configure.full_scale_dps", DeviceMessages.FULL_SCALE),
                new Case(config().setAxesMask(8), "configure.axes_mask", DeviceMessages.AXES_MASK),
                new Case(config().setDecimation(DeviceLimits.DECIMATION_MAX + 1), "configure.decimation",
                        DeviceMessages.DECIMATION_RANGE),
                new Case(config().setOdrHz(7.5f).setDecimation(33), "configure.decimation",
                        DeviceMessages.format(DeviceMessages.DECIMATION_PERIOD, 33, 7.5)),
                new Case(config().setBatchSize(257), "configure.batch_size",
                        DeviceMessages.format(DeviceMessages.BATCH_RANGE, 256, 3)),
                new Case(config().setAxesMask(1).setBatchSize(769), "configure.batch_size",
                        DeviceMessages.format(DeviceMessages.BATCH_RANGE, 768, 1)));
        SensorConfig before = hello().getSensorConfig();
        for (Case c : cases) {
            assertError(configure(c.request()), ErrorCode.INVALID_ARGUMENT, c.field(), c.message());
        }
        assertEquals(before, hello().getSensorConfig(), "a refused configure changes nothing");
        // the limits themselves are accepted
        for (SensorConfig.Builder ok : List.of(config().setOdrHz(7.5f).setDecimation(32),
                config().setOdrHz(3840).setDecimation(DeviceLimits.DECIMATION_MAX), config().setBatchSize(256),
                config().setAxesMask(4).setBatchSize(768))) {
            assertEquals(Envelope.BodyCase.ACK, configure(ok).getBodyCase(), ok::toString);
        }
        for (int fs : DeviceLimits.fullScaleDps()) {
            assertEquals(fs, configure(config().setFullScaleDps(fs)).getAck().getConfig().getFullScaleDps());
        }
    }

    @Test
    void theAnswerToConfigureIsTheConfigurationInForceAndZeroKeepsAField() {
        Envelope a = configure(config().setOdrHz(1920).setFullScaleDps(500).setAxesMask(5).setDecimation(2)
                .setBatchSize(20));
        assertEquals(SensorConfig.newBuilder().setOdrHz(1920).setFullScaleDps(500).setAxesMask(5).setDecimation(2)
                .setBatchSize(20).build(), a.getAck().getConfig());
        Envelope b = configure(config().setBatchSize(30));
        assertEquals(a.getAck().getConfig().toBuilder().setBatchSize(30).build(), b.getAck().getConfig(),
                "zero fields keep their value");
        assertEquals(b.getAck().getConfig(), hello().getSensorConfig());
    }

    @Test
    void aRateTheSensorDoesNotHaveRunsAtTheNearestOneAndTheDeviceSaysSo() {
        float[][] asked = {{1000, 960}, {7.6f, 7.5f}, {3000, 3840}, {2880, 1920}, {11.25f, 7.5f}, {1666, 1920}};
        for (float[] p : asked) {
            Envelope e = configure(config().setOdrHz(p[0]));
            assertEquals(p[1], e.getAck().getConfig().getOdrHz(), 1e-3, "asked " + p[0]);
            assertEquals(p[1], hello().getSensorConfig().getOdrHz(), 1e-3);
        }
        // and it streams at that rate: 1666 Hz asked, 1920 Hz run
        start(8, false);
        SampleBatch b = link.next(Envelope.BodyCase.SAMPLE_BATCH).getSampleBatch();
        assertEquals(Math.round(1e9 / 1920), b.getSamplePeriodNs());
    }

    @Test
    void configureWhileStreamingIsBusyAndStopIsIdempotent() {
        assertTrue(start(0, false).getStreamStatus().getStreaming());
        assertError(configure(config().setBatchSize(10)), ErrorCode.BUSY, "", DeviceMessages.CONFIGURE_STREAMING);
        assertFalse(stop().getStreamStatus().getStreaming());
        assertFalse(stop().getStreamStatus().getStreaming(), "stopping a stopped device just reports it");
        assertEquals(Envelope.BodyCase.ACK, configure(config().setBatchSize(10)).getBodyCase());
    }

    // ------------------------------------------------------------------ streaming

    @Test
    void batchesCountFromZeroKeepEveryNthSampleAndEndAtMaxSamples() {
        configure(config().setOdrHz(3840).setDecimation(4).setBatchSize(10));
        Envelope started = start(95, false);
        assertTrue(started.getStreamStatus().getStreaming());
        assertEquals(0, started.getStreamStatus().getNextSequence());
        long period = Math.round(1e9 / 3840) * 4; // the firmware's rounding: round(1e9 / odr) x decimation
        int seq = 0;
        int samples = 0;
        long lastTs = -1;
        while (samples < 95) {
            Envelope e = link.next();
            if (e.getBodyCase() != Envelope.BodyCase.SAMPLE_BATCH) {
                continue;
            }
            SampleBatch b = e.getSampleBatch();
            assertEquals(seq++, b.getSequence());
            assertEquals(period, b.getSamplePeriodNs());
            assertEquals(b.getCount() * 6, b.getData().size());
            if (lastTs >= 0) {
                assertEquals(lastTs + period / 1000.0, b.getTimestampUs(), 1.0, "contiguous batches");
            }
            lastTs = b.getTimestampUs() + (long) ((b.getCount() - 1) * period / 1000.0);
            samples += b.getCount();
        }
        assertEquals(95, samples);
        Envelope end = link.next(Envelope.BodyCase.STREAM_STATUS);
        assertEquals(0, end.getRequestId(), "unsolicited");
        assertFalse(end.getStreamStatus().getStreaming());
        assertEquals(seq, end.getStreamStatus().getNextSequence());
        assertEquals(0, end.getStreamStatus().getDroppedSamples());
        assertTrue(end.getStreamStatus().getSamples() >= 95L * 4 - 3, "sensor samples, before decimation");
    }

    @Test
    void startingAgainRestartsTheStreamFromSequenceZero() {
        configure(config().setBatchSize(8));
        start(0, false);
        link.next(Envelope.BodyCase.SAMPLE_BATCH);
        link.next(Envelope.BodyCase.SAMPLE_BATCH);
        Envelope again = start(0, false);
        assertTrue(again.getStreamStatus().getStreaming());
        assertEquals(0, again.getStreamStatus().getNextSequence());
        SampleBatch b;
        do { // batches of the first run may still be in flight before the answer
            b = link.next(Envelope.BodyCase.SAMPLE_BATCH).getSampleBatch();
        } while (b.getSequence() != 0);
        assertEquals(1, link.next(Envelope.BodyCase.SAMPLE_BATCH).getSampleBatch().getSequence());
        Envelope stopped = stop();
        assertFalse(stopped.getStreamStatus().getStreaming());
        assertTrue(stopped.getStreamStatus().getNextSequence() >= 2);
    }

    // ------------------------------------------------------------------ calibration

    @Test
    void calibrateChecksItsArgumentsThenNeedsAModel() {
        assertError(link.request(Envelope.newBuilder().setCalibrate(Calibrate.newBuilder().setDurationMs(99)
                        .setQuantile(0.99f))), ErrorCode.INVALID_ARGUMENT, "calibrate.duration_ms",
                DeviceMessages.CALIBRATION_DURATION);
        assertError(link.request(Envelope.newBuilder().setCalibrate(Calibrate.newBuilder().setDurationMs(
                        DeviceLimits.CALIBRATION_MAX_MS + 1).setQuantile(0.99f))), ErrorCode.INVALID_ARGUMENT,
                "calibrate.duration_ms", DeviceMessages.CALIBRATION_DURATION);
        assertError(link.request(Envelope.newBuilder().setCalibrate(Calibrate.newBuilder().setDurationMs(1000)
                        .setQuantile(1f))), ErrorCode.INVALID_ARGUMENT, "calibrate.quantile",
                DeviceMessages.CALIBRATION_QUANTILE);
        assertError(link.request(Envelope.newBuilder().setCalibrate(Calibrate.newBuilder().setDurationMs(1000))),
                ErrorCode.INVALID_ARGUMENT, "calibrate.k_sigma", DeviceMessages.CALIBRATION_K_SIGMA);
        assertError(link.request(Envelope.newBuilder().setCalibrate(Calibrate.newBuilder().setDurationMs(1000)
                .setQuantile(0.99f))), ErrorCode.NO_MODEL, "", DeviceMessages.CALIBRATION_NO_MODEL);
    }

    @Test
    void calibrationOfADeployedModelAnswersWithItsThreshold() {
        try (DeviceClient c = client()) {
            assertTrue(c.deploy(signed("contract-cal", InteropModels.randomModel(11, 1.0), 16, "")).activated());
        }
        reopen();
        configure(config().setOdrHz(960));
        Envelope e = link.request(Envelope.newBuilder().setCalibrate(Calibrate.newBuilder().setDurationMs(500)
                .setQuantile(0.9f)));
        assertEquals(Envelope.BodyCase.CALIBRATION_RESULT, e.getBodyCase(), e::toString);
        assertEquals(3, e.getCalibrationResult().getChannelMeanCount());
        assertTrue(e.getCalibrationResult().getThreshold() > 0);
        assertTrue(e.getCalibrationResult().getWindows() > 0);
        // too short for one window of 16 samples at 960 Hz: at least 17 ms (and 100 ms is the floor)
        configure(config().setOdrHz(7.5f));
        assertError(link.request(Envelope.newBuilder().setCalibrate(Calibrate.newBuilder().setDurationMs(1000)
                        .setQuantile(0.9f))), ErrorCode.INVALID_ARGUMENT, "calibrate.duration_ms",
                DeviceMessages.format(DeviceMessages.CALIBRATION_TOO_SHORT, 16, 2134.0));
        configure(config().setOdrHz(960).setAxesMask(3));
        assertError(link.request(Envelope.newBuilder().setCalibrate(Calibrate.newBuilder().setDurationMs(1000)
                        .setQuantile(0.9f))), ErrorCode.NO_MODEL, "",
                DeviceMessages.format(DeviceMessages.CALIBRATION_CHANNELS, 3, 2));
    }

    // ------------------------------------------------------------------ model transfer

    @Test
    void transferRefusalsNameTheCodeFieldAndValues() {
        ModelBundle b = signed("contract-xfer", InteropModels.randomModel(12, 1.0), 16, "");
        byte[] p = b.payload();
        assertError(link.request(Envelope.newBuilder().setModelChunk(chunk(p, 0, 100))),
                ErrorCode.MODEL_OFFSET_MISMATCH, "model_chunk.offset", DeviceMessages.MODEL_NO_TRANSFER);
        assertError(link.request(Envelope.newBuilder().setModelCommit(ModelCommit.getDefaultInstance())),
                ErrorCode.MODEL_OFFSET_MISMATCH, "", DeviceMessages.MODEL_NO_TRANSFER);
        assertError(link.request(Envelope.newBuilder().setModelBegin(begin(b).toBuilder().setSize(0))),
                ErrorCode.INVALID_ARGUMENT, "model_begin.size", DeviceMessages.MODEL_SIZE_ZERO);
        assertError(link.request(Envelope.newBuilder().setModelBegin(begin(b).toBuilder().setSize(300_000))),
                ErrorCode.MODEL_TOO_LARGE, "model_begin.size",
                DeviceMessages.format(DeviceMessages.MODEL_TOO_LARGE, 300_000, 256 * 1024));
        assertError(link.request(Envelope.newBuilder().setModelBegin(begin(b).toBuilder()
                        .setSignature(ByteString.EMPTY))), ErrorCode.MODEL_SIGNATURE_INVALID, "model_begin.signature",
                DeviceMessages.MODEL_UNSIGNED);
        Envelope started = link.request(Envelope.newBuilder().setModelBegin(begin(b)));
        assertEquals(Envelope.BodyCase.MODEL_STATUS, started.getBodyCase(), started::toString);
        assertEquals(Envelope.BodyCase.ACK, link.request(Envelope.newBuilder().setModelChunk(chunk(p, 0, 512)))
                .getBodyCase());
        assertError(link.request(Envelope.newBuilder().setModelChunk(chunk(p, 600, 100))),
                ErrorCode.MODEL_OFFSET_MISMATCH, "model_chunk.offset",
                DeviceMessages.format(DeviceMessages.CHUNK_OFFSET, 600, 512));
        assertError(link.request(Envelope.newBuilder().setModelChunk(chunk(p, 512, 0))), ErrorCode.INVALID_ARGUMENT,
                "model_chunk.data", DeviceMessages.CHUNK_EMPTY);
        assertError(link.request(Envelope.newBuilder().setModelChunk(chunk(p, 512, 100).toBuilder()
                        .setCrc32(12345))), ErrorCode.MODEL_CRC_MISMATCH, "model_chunk.crc32",
                DeviceMessages.format(DeviceMessages.CHUNK_CRC, 512));
        assertError(link.request(Envelope.newBuilder().setModelCommit(ModelCommit.getDefaultInstance())),
                ErrorCode.MODEL_OFFSET_MISMATCH, "model_chunk.offset",
                DeviceMessages.format(DeviceMessages.COMMIT_INCOMPLETE, 512, p.length));
        assertError(link.request(Envelope.newBuilder().setModelActivate(ModelActivate.newBuilder().setSlot(5))),
                ErrorCode.INVALID_ARGUMENT, "model_activate.slot", DeviceMessages.ACTIVATE_SLOT);
        assertError(link.request(Envelope.newBuilder().setModelActivate(ModelActivate.newBuilder().setSlot(1))),
                ErrorCode.NO_MODEL, "model_activate.slot", DeviceMessages.format(DeviceMessages.SLOT_EMPTY, 1));
        assertError(link.request(Envelope.newBuilder().setModelRollback(ModelRollback.getDefaultInstance())),
                ErrorCode.NO_MODEL, "", DeviceMessages.ROLLBACK_NONE);
    }

    @Test
    void deployActivateAndRollbackGoToThePreviousModel() {
        try (DeviceClient c = client()) {
            DeployResult one = c.deploy(signed("contract-v1", InteropModels.randomModel(13, 1.0), 16,
                    "\"version\":1"));
            DeployResult two = c.deploy(signed("contract-v2", InteropModels.randomModel(14, 1.0), 16,
                    "\"version\":2"));
            assertTrue(one.activated() && two.activated());
            assertTrue(one.runsInference() && two.runsInference(), "the model runs, and the device says so");
            assertEquals(1 - one.slot(), two.slot(), "a new model goes to the other slot");
            assertEquals("contract-v1", c.rollbackModel().active().orElseThrow().modelId());
            assertEquals("contract-v2", c.rollbackModel().active().orElseThrow().modelId(),
                    "the previous model of a rollback is the one it left");
            assertEquals("contract-v1", c.activateModel(one.slot()).active().orElseThrow().modelId());
        }
    }

    @Test
    void aDamagedActiveSlotFallsBackToThePreviousModelAtBoot() throws IOException {
        int active;
        try (DeviceClient c = client()) {
            c.deploy(signed("contract-old", InteropModels.randomModel(15, 1.0), 16, "\"version\":1"));
            active = c.deploy(signed("contract-new", InteropModels.randomModel(16, 1.0), 16, "\"version\":2"))
                    .slot();
        }
        try (RandomAccessFile f = new RandomAccessFile(device.slotFile(active).toFile(), "rw")) {
            f.seek(100);
            int v = f.read();
            f.seek(100);
            f.write(v ^ 0x5A);
        }
        device.restart();
        try (DeviceClient c = client()) {
            ModelStatus st = c.modelStatus();
            assertEquals("contract-old", st.active().orElseThrow().modelId(), () -> st + "\n" + device.log());
            assertEquals(1 - active, st.activeSlot());
        }
    }

    @Test
    void aTransferCutByALostLinkResumesWhereTheDeviceStopped() throws Exception {
        ModelBundle big = signed("contract-resume", ContractModels.bigModel(), 16, "");
        byte[] p = big.payload();
        // Half the chunks, each acknowledged, then the cable is pulled with the transfer pending: where it stops
        // does not depend on timing.
        assertEquals(Envelope.BodyCase.MODEL_STATUS, link.request(Envelope.newBuilder().setModelBegin(begin(big)))
                .getBodyCase());
        int half = (p.length / 2) / DeviceLimits.MAX_CHUNK_BYTES * DeviceLimits.MAX_CHUNK_BYTES;
        assertTrue(half > 0, "a model of several chunks");
        for (int off = 0; off < half; off += DeviceLimits.MAX_CHUNK_BYTES) {
            assertEquals(Envelope.BodyCase.ACK, link.request(Envelope.newBuilder()
                    .setModelChunk(chunk(p, off, DeviceLimits.MAX_CHUNK_BYTES))).getBodyCase());
        }
        device.unplug();
        link.close();
        link = null;
        device.replug();
        try (DeviceClient c = client()) {
            ModelStatus st = c.modelStatus();
            assertEquals(ModelStatus.TransferState.RECEIVING, st.transferState());
            assertTrue(st.nextOffset() > 0);
            assertEquals(half, st.nextOffset(), "the device kept every acknowledged chunk");
            DeployResult r = c.deploy(big);
            assertTrue(r.resumedFrom() > 0, "resumed from " + r.resumedFrom());
            assertEquals(big.payloadSize() - r.resumedFrom(), r.bytesSent());
            assertTrue(r.activated());
        }
    }

    // ------------------------------------------------------------------ inference

    @Test
    void resultsScoreTheSentSamplesAndAnEventStartsAfterTheContractsWindows() {
        TrainedModel model = InteropModels.randomModel(17, 0.0); // threshold 0: every window is anomalous
        try (DeviceClient c = client()) {
            assertTrue(c.deploy(signed("contract-infer", model, 8, "")).activated());
        }
        reopen();
        configure(config().setOdrHz(960).setFullScaleDps(125).setAxesMask(7).setBatchSize(48));
        start(400, true);
        List<float[]> samples = new ArrayList<>();
        List<InferenceResult> results = new ArrayList<>();
        List<AnomalyEvent> events = new ArrayList<>();
        float lsb = io.gyrosentinel.SensorConfig.dpsPerLsb(125);
        while (true) {
            Envelope e = link.next();
            switch (e.getBodyCase()) {
                case SAMPLE_BATCH -> {
                    byte[] d = e.getSampleBatch().getData().toByteArray();
                    for (int i = 0; i + 5 < d.length; i += 6) {
                        float[] s = new float[3];
                        for (int ch = 0; ch < 3; ch++) {
                            s[ch] = (short) ((d[i + 2 * ch] & 0xFF) | (d[i + 2 * ch + 1] << 8)) * lsb;
                        }
                        samples.add(s);
                    }
                }
                case INFERENCE_RESULT -> results.add(e.getInferenceResult());
                case ANOMALY_EVENT -> events.add(e.getAnomalyEvent());
                default -> {
                }
            }
            if (e.getBodyCase() == Envelope.BodyCase.STREAM_STATUS && !e.getStreamStatus().getStreaming()) {
                break;
            }
        }
        long deadline = System.nanoTime() + 3_000_000_000L; // the Java device scores on a thread of its own
        int expected = (400 - 16) / 8 + 1;
        while (results.size() < expected && System.nanoTime() < deadline) {
            Envelope e = link.next();
            if (e.getBodyCase() == Envelope.BodyCase.INFERENCE_RESULT) {
                results.add(e.getInferenceResult());
            } else if (e.getBodyCase() == Envelope.BodyCase.ANOMALY_EVENT) {
                events.add(e.getAnomalyEvent());
            }
        }
        assertEquals(400, samples.size());
        assertEquals(expected, results.size(), "one result per stride of 8 after the first window of 16");
        for (InferenceResult r : results) {
            float[] window = new float[16 * 3];
            for (int i = 0; i < 16; i++) {
                System.arraycopy(samples.get((int) r.getWindow() * 8 + i), 0, window, i * 3, 3);
            }
            float[] err = model.channelScores(window);
            for (int ch = 0; ch < 3; ch++) {
                assertEquals(err[ch], r.getChannelError(ch), 1e-4 * Math.max(1, err[ch]), "window " + r.getWindow());
            }
            assertTrue(r.getAnomalous());
        }
        assertEquals(1, events.size(), events::toString);
        assertEquals(AnomalyEvent.State.STARTED, events.get(0).getState());
        assertEquals(DeviceLimits.EVENT_ENTER_WINDOWS, events.get(0).getWindows());
        assertEquals(results.get(0).getStartTimestampUs(), events.get(0).getStartTimestampUs());
        assertEquals("contract-infer", events.get(0).getModelId());
    }
}
